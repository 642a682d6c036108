"""privacy: erased customers, the erasure list, and the audit purge and pseudonymisation"""

import sqlalchemy as sa
from alembic import op

revision = "privacy_a1"
down_revision = "links_a1_link_version"

REFUSED = "audit_events rows are append-only"

# The audit rows stay append-only except for three changes, each allowed only while the
# transaction holds a row of audit_permits of its kind (the portal removes it before commit):
# `purge` deletes rows older than the permit's `before`; `erase` rewrites details and reason
# only; `pseudonymise` rewrites a merchant's rows (actor, impersonator, details, reason) and
# may detach them from the merchant, nothing else.
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'purge' AND OLD.at < p.before) THEN
            RETURN OLD;
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.action = OLD.action
           AND NEW.actor_kind = OLD.actor_kind
           AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id THEN
            IF NEW.merchant_id IS NOT DISTINCT FROM OLD.merchant_id AND NEW.actor = OLD.actor
               AND NEW.impersonator IS NOT DISTINCT FROM OLD.impersonator
               AND EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'erase') THEN
                RETURN NEW;
            END IF;
            IF (NEW.merchant_id IS NULL OR NEW.merchant_id = OLD.merchant_id)
               AND EXISTS (
                   SELECT 1 FROM audit_permits p
                   WHERE p.kind = 'pseudonymise' AND p.merchant_id = OLD.merchant_id
               ) THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION '{REFUSED} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

ORIGINAL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED} (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$
"""

SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    WHEN NOT EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'purge' AND OLD.at < p.before)
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (DELETE refused)'); END
    """,
    f"""
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    WHEN NOT (
        NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.action IS OLD.action
        AND NEW.actor_kind IS OLD.actor_kind AND NEW.request_id IS OLD.request_id
        AND (
            (NEW.merchant_id IS OLD.merchant_id AND NEW.actor IS OLD.actor
             AND NEW.impersonator IS OLD.impersonator
             AND EXISTS (SELECT 1 FROM audit_permits p WHERE p.kind = 'erase'))
            OR
            ((NEW.merchant_id IS NULL OR NEW.merchant_id IS OLD.merchant_id)
             AND EXISTS (
                 SELECT 1 FROM audit_permits p
                 WHERE p.kind = 'pseudonymise' AND p.merchant_id IS OLD.merchant_id
             ))
        )
    )
    BEGIN SELECT RAISE(ABORT, '{REFUSED} (UPDATE refused)'); END
    """,
)


def upgrade():
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("customer_erased_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "erased_phones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("phone_key", sa.String(length=64), nullable=False),
        sa.Column("merchant_ref", sa.String(length=128), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erased_phones")),
    )
    with op.batch_alter_table("erased_phones", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_erased_phones_phone_key"), ["phone_key"], unique=False)
    op.create_table(
        "audit_permits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("merchant_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_permits")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ORIGINAL_FUNCTION)
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    op.drop_table("audit_permits")
    with op.batch_alter_table("erased_phones", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_erased_phones_phone_key"))
    op.drop_table("erased_phones")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("customer_erased_at")
