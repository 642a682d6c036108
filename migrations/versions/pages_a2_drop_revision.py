"""pages: drop the data revision that every write transaction updated

Revision ID: pages_a2_drop_revision
Revises: pages_a1_revision
Create Date: 2026-12-06 06:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "pages_a2_drop_revision"
down_revision = "pages_a1_revision"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table("data_revision")


def downgrade():
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
