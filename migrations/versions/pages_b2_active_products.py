"""pages: each merchant's count of active products, kept by the catalogue push"""

import sqlalchemy as sa
from alembic import op

revision = "pages_b2_active_products"
down_revision = "pages_b1_list_indexes"


def upgrade():
    op.add_column(
        "merchants",
        sa.Column("active_products", sa.Integer(), nullable=False, server_default="0"),
    )
    op.execute(
        "UPDATE merchants SET active_products = (SELECT count(*) FROM products"
        " WHERE products.merchant_id = merchants.id AND products.archived_at IS NULL)"
    )


def downgrade():
    with op.batch_alter_table("merchants") as batch:
        batch.drop_column("active_products")
