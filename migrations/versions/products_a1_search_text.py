"""products: a normalised search column over name and SKU"""

import sqlalchemy as sa
from alembic import op

from portal.products.search import search_text

revision = "products_a1_search"
down_revision = "drift_5a1c"

_products = sa.table(
    "products",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("sku", sa.String()),
    sa.column("search_text", sa.Text()),
)


def upgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(
            "ix_products_merchant_search",
            ["merchant_id", "archived_at", "search_text", "ref"],
            unique=False,
        )
    # Fill the column for the catalogues already pushed, in chunks.
    bind = op.get_bind()
    rows = bind.execute(sa.select(_products.c.id, _products.c.name, _products.c.sku)).all()
    statement = (
        sa.update(_products)
        .where(_products.c.id == sa.bindparam("b_id"))
        .values(search_text=sa.bindparam("b_text"))
    )
    for start in range(0, len(rows), 2000):
        chunk = rows[start : start + 2000]
        bind.execute(
            statement, [{"b_id": id_, "b_text": search_text(name, sku)} for id_, name, sku in chunk]
        )


def downgrade():
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_merchant_search")
        batch_op.drop_column("search_text")
