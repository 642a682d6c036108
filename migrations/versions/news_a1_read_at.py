"""news: a change found at Pongo can be marked as read

Revision ID: news_a1_read_at
Revises: pongo_a1_tablet_updates
Create Date: 2026-12-06 07:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "news_a1_read_at"
down_revision = "pongo_a1_tablet_updates"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("drift_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("drift_changes", schema=None) as batch_op:
        batch_op.drop_column("read_at")
