"""pages: indexes for the Overview's tablet check and the Products page's order"""

import sqlalchemy as sa
from alembic import op

revision = "pages_b1_list_indexes"
down_revision = "news_a1_read_at"


def upgrade():
    op.create_index(
        "ix_orders_without_customer", "orders", ["merchant_id", "without_customer", "location_ref"]
    )
    op.drop_index("ix_products_merchant_search", table_name="products")
    op.create_index(
        "ix_products_active_search",
        "products",
        ["merchant_id", "search_text", "ref"],
        sqlite_where=sa.text("archived_at IS NULL"),
        postgresql_where=sa.text("archived_at IS NULL"),
    )


def downgrade():
    op.drop_index("ix_products_active_search", table_name="products")
    op.create_index(
        "ix_products_merchant_search",
        "products",
        ["merchant_id", "archived_at", "search_text", "ref"],
    )
    op.drop_index("ix_orders_without_customer", table_name="orders")
