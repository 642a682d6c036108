"""news: a change found at Pongo can be marked as read"""

import sqlalchemy as sa
from alembic import op

revision = "news_a1_read_at"
down_revision = "pongo_a1_tablet_updates"


def upgrade():
    with op.batch_alter_table("drift_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("drift_changes", schema=None) as batch_op:
        batch_op.drop_column("read_at")
