"""reviewed rewards"""

import sqlalchemy as sa
from alembic import op

revision = "7e7a1c0de5f1"
down_revision = "57444a16f6e1"


def upgrade():
    op.create_table(
        "reviewed_rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=128), nullable=False),
        sa.Column("external_id_hash", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_reviewed_rewards_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviewed_rewards")),
        sa.UniqueConstraint(
            "merchant_id", "public_id", name=op.f("uq_reviewed_rewards_merchant_id")
        ),
    )


def downgrade():
    op.drop_table("reviewed_rewards")
