"""pongo: a Pongo tablet per location, orders without a customer, and status changes of orders"""

import sqlalchemy as sa
from alembic import op

revision = "pongo_a1_tablet_updates"
down_revision = "posevents_a1"


def upgrade():
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pongo_tablet_id", sa.Integer(), nullable=True))
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("without_customer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "order_status_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["merchant_id"], ["merchants.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "seq", name="uq_order_status_updates_order_seq"),
        sa.UniqueConstraint("order_id", "status", name="uq_order_status_updates_order_status"),
    )
    op.create_index(
        "ix_order_status_updates_due",
        "order_status_updates",
        ["state", "next_attempt_at"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_order_status_updates_due", table_name="order_status_updates")
    op.drop_table("order_status_updates")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("without_customer")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_column("pongo_tablet_id")
