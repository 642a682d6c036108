"""journey: a location may be marked as having no Pongo store"""

import sqlalchemy as sa
from alembic import op

revision = "journey_a1_no_store"
down_revision = "products_a1_search"


def upgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_store_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("no_store_by", sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("no_store_by")
        batch_op.drop_column("no_store_at")
