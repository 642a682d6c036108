"""journey: a location may be marked as having no Pongo store

Revision ID: journey_a1_no_store
Revises: products_a1_search
Create Date: 2026-11-30 09:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "journey_a1_no_store"
down_revision = "products_a1_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("no_store_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("no_store_by", sa.String(length=320), nullable=True))


def downgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("no_store_by")
        batch_op.drop_column("no_store_at")
