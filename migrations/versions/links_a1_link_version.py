"""links: each location's link carries a version, so that a stale page cannot overwrite it

Revision ID: links_a1_link_version
Revises: pages_a2_drop_revision
Create Date: 2026-12-06 07:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "links_a1_link_version"
down_revision = "pages_a2_drop_revision"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("link_version")
