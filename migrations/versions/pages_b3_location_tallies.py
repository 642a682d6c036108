"""pages: each merchant's locations counted by link state, kept by the writes"""

import sqlalchemy as sa
from alembic import op

revision = "pages_b3_location_tallies"
down_revision = "pages_b2_active_products"


def upgrade():
    # No rows are written here: a merchant without a row is counted afresh on each view
    # until its next write of locations or stores.
    op.create_table(
        "location_tallies",
        sa.Column("merchant_id", sa.Integer(), nullable=False),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in (
                "active",
                "inactive",
                "no_store",
                "stores",
                "unlinked",
                "orphaned",
                "renamed",
                "inactive_linked",
            )
        ),
        sa.Column("unlinked_ref", sa.String(length=128), nullable=True),
        sa.Column("unlinked_name", sa.String(length=200), nullable=True),
        sa.Column("orphaned_ref", sa.String(length=128), nullable=True),
        sa.Column("orphaned_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_location_tallies_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_location_tallies")),
    )


def downgrade():
    op.drop_table("location_tallies")
