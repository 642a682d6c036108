"""pos events: the merchant's last seen summary and the outbox of events to the POS back-end"""

import sqlalchemy as sa
from alembic import op

revision = "posevents_a1"
down_revision = "staff_a1_second_factor"


def upgrade():
    op.create_table(
        "pos_statuses",
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("announced", sa.JSON(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_pos_statuses_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_pos_statuses")),
    )
    op.create_index(
        op.f("ix_pos_statuses_checked_at"), "pos_statuses", ["checked_at"], unique=False
    )
    op.create_table(
        "pos_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=40), nullable=True),
        sa.Column("claimed_by", sa.String(length=120), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_pos_events_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_pos_events_event_id")),
    )
    op.create_index("ix_pos_events_due", "pos_events", ["status", "next_attempt_at"], unique=False)
    op.create_index(
        "ix_pos_events_merchant_status",
        "pos_events",
        ["merchant_id", "status", "id"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_pos_events_merchant_status", table_name="pos_events")
    op.drop_index("ix_pos_events_due", table_name="pos_events")
    op.drop_table("pos_events")
    op.drop_index(op.f("ix_pos_statuses_checked_at"), table_name="pos_statuses")
    op.drop_table("pos_statuses")
