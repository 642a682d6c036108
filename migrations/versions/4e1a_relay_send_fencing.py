"""Order relay: in-flight stamp, lost answers and the confirming send"""

import sqlalchemy as sa
from alembic import op

revision = "4e1a_relay_send_fencing"
down_revision = "7e7a1c0de5f1"


def upgrade() -> None:
    with op.batch_alter_table("order_relays", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_flight_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("answer_lost", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("confirming", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("order_relays", schema=None) as batch_op:
        batch_op.drop_column("confirming")
        batch_op.drop_column("answer_lost")
        batch_op.drop_column("in_flight_since")
