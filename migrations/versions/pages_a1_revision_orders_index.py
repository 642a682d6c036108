"""pages: the data revision that kept pages key on, and the Orders list's index"""

import sqlalchemy as sa
from alembic import op

revision = "pages_a1_revision"
down_revision = "orders2_b7"


def upgrade():
    op.create_table(
        "data_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_revision")),
    )
    op.create_index(
        "ix_orders_merchant_received", "orders", ["merchant_id", "received_at", "id"], unique=False
    )


def downgrade():
    op.drop_index("ix_orders_merchant_received", table_name="orders")
    op.drop_table("data_revision")
