"""orders: an index for the locations that had orders nobody identified on"""

from alembic import op

revision = "orders_a1_without_customer_index"
down_revision = "news_a1_read_at"


def upgrade():
    op.create_index(
        "ix_orders_without_customer", "orders", ["merchant_id", "without_customer", "location_ref"]
    )


def downgrade():
    op.drop_index("ix_orders_without_customer", table_name="orders")
