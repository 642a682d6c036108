"""pages: the data revision that cached pages key on

Revision ID: pagecache_a1_revision
Revises: orders2_b7
Create Date: 2026-11-30 12:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "pagecache_a1_revision"
down_revision = "orders2_b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )


def downgrade():
    op.drop_table("data_revision")
