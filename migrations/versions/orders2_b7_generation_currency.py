"""orders: connection generation and outage stamp, merchant currency"""

import sqlalchemy as sa
from alembic import op

revision = "orders2_b7"
down_revision = "journey_a1_no_store"


def upgrade():
    with op.batch_alter_table("pongo_connections", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("generation", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("unavailable_since", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR")
        )


def downgrade():
    with op.batch_alter_table("merchants", schema=None) as batch_op:
        batch_op.drop_column("currency")
    with op.batch_alter_table("pongo_connections", schema=None) as batch_op:
        batch_op.drop_column("unavailable_since")
        batch_op.drop_column("generation")
