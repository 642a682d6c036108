"""pages: drop the data revision that every write transaction updated"""

import sqlalchemy as sa
from alembic import op

revision = "pages_a2_drop_revision"
down_revision = "pages_a1_revision"


def upgrade():
    op.drop_table("data_revision")


def downgrade():
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
