"""links: each location's link carries a version, so that a stale page cannot overwrite it"""

import sqlalchemy as sa
from alembic import op

revision = "links_a1_link_version"
down_revision = "pages_a2_drop_revision"


def upgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("link_version")
