"""foundation: people, accounts, contacts, subscriptions, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-23 10:51:12.758723
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import headway.core.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("started_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", headway.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    op.create_table(
        "lifecycle_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_stages")),
        sa.UniqueConstraint("key", name=op.f("uq_lifecycle_stages_key")),
    )
    op.create_table(
        "segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("min_arr", sa.BigInteger(), nullable=True),
        sa.Column("max_arr", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("touch_model", sa.String(length=32), nullable=False),
        sa.Column(
            "channels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("meeting_cadence_days", sa.Integer(), nullable=True),
        sa.Column("review_cadence_days", sa.Integer(), nullable=True),
        sa.Column("support_level", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_segments")),
        sa.UniqueConstraint("key", name=op.f("uq_segments_key")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("segment_locked", sa.Boolean(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("stage_entered_at", headway.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("industry", sa.String(length=120), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column(
            "traits",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_accounts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["accounts.id"],
            name=op.f("fk_accounts_parent_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"], ["segments.id"], name=op.f("fk_accounts_segment_id_segments")
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["lifecycle_stages.id"],
            name=op.f("fk_accounts_stage_id_lifecycle_stages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_accounts_external_id")),
    )
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.create_index("ix_accounts_name", ["name", "id"], unique=False)
        batch_op.create_index("ix_accounts_owner_name", ["owner_id", "name", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_accounts_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(
            "ix_accounts_segment_name", ["segment_id", "name", "id"], unique=False
        )
        batch_op.create_index("ix_accounts_stage_name", ["stage_id", "name", "id"], unique=False)

    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "scopes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", headway.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", headway.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=16), nullable=False),
        sa.Column("actor_label", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("api_key_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column(
            "before",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "after",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["api_keys.id"],
            name=op.f("fk_audit_log_api_key_id_api_keys"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_audit_log_import_id_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_audit_log_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_account_at", ["account_id", "at"], unique=False)
        batch_op.create_index("ix_audit_log_entity", ["entity_type", "entity_id"], unique=False)

    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("persona", sa.String(length=32), nullable=True),
        sa.Column(
            "traits",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_contacts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("account_id", "email", name=op.f("uq_contacts_account_id")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contacts_external_id")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contacts_email"), ["email"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("from_stage_id", sa.Integer(), nullable=True),
        sa.Column("to_stage_id", sa.Integer(), nullable=False),
        sa.Column("changed_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_stage_changes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_stage_id"],
            ["lifecycle_stages.id"],
            name=op.f("fk_stage_changes_from_stage_id_lifecycle_stages"),
        ),
        sa.ForeignKeyConstraint(
            ["to_stage_id"],
            ["lifecycle_stages.id"],
            name=op.f("fk_stage_changes_to_stage_id_lifecycle_stages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_account_at", ["account_id", "changed_at"], unique=False
        )

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.String(length=255), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("interval", sa.String(length=8), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("interval IN ('month', 'year')", name=op.f("ck_subscriptions_interval")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_subscriptions_dates")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_subscriptions_quantity")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_subscriptions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint("external_id", name=op.f("uq_subscriptions_external_id")),
    )
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_subscriptions_account_start", ["account_id", "start_date"], unique=False
        )

    _seed_segments_and_stages()


def _seed_segments_and_stages() -> None:
    """Default segments (by ARR, in minor units) and lifecycle stages: configuration as data."""
    segments = sa.table(
        "segments",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("min_arr", sa.BigInteger),
        sa.column("max_arr", sa.BigInteger),
        sa.column("description", sa.String),
        sa.column("touch_model", sa.String),
        sa.column("channels", sa.JSON),
        sa.column("meeting_cadence_days", sa.Integer),
        sa.column("review_cadence_days", sa.Integer),
        sa.column("support_level", sa.String),
    )
    op.bulk_insert(
        segments,
        [
            {
                "key": "high-touch",
                "name": "High-touch",
                "position": 1,
                "min_arr": 10_000_000,
                "max_arr": None,
                "touch_model": "high",
                "description": "High-value accounts: proactive personal care, a named CSM, VIP treatment.",
                "channels": ["meeting", "call", "email", "business_review"],
                "meeting_cadence_days": 30,
                "review_cadence_days": 90,
                "support_level": "premium",
            },
            {
                "key": "mid-touch",
                "name": "Mid-touch",
                "position": 2,
                "min_arr": 1_000_000,
                "max_arr": 10_000_000,
                "touch_model": "mid",
                "description": "The core of the pyramid: a working CS programme, pooled CSMs, webinars.",
                "channels": ["email", "call", "webinar", "business_review"],
                "meeting_cadence_days": 90,
                "review_cadence_days": 180,
                "support_level": "standard",
            },
            {
                "key": "tech-touch",
                "name": "Tech-touch",
                "position": 3,
                "min_arr": None,
                "max_arr": 1_000_000,
                "touch_model": "tech",
                "description": "Volume: onboarding through digital, one-to-many touch, self-service.",
                "channels": ["email", "in_app", "community"],
                "meeting_cadence_days": None,
                "review_cadence_days": None,
                "support_level": "basic",
            },
        ],
    )
    stages = sa.table(
        "lifecycle_stages",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("position", sa.Integer),
        sa.column("kind", sa.String),
        sa.column("description", sa.String),
    )
    op.bulk_insert(
        stages,
        [
            {
                "key": "onboarding",
                "name": "Onboarding",
                "position": 1,
                "kind": "stage",
                "description": "From the hand-off by sales to first value.",
            },
            {
                "key": "adoption",
                "name": "Adoption",
                "position": 2,
                "kind": "stage",
                "description": "Ongoing: using the product to reach the desired outcome.",
            },
            {
                "key": "loyal",
                "name": "Loyal",
                "position": 3,
                "kind": "stage",
                "description": "Reached outcomes; a VIP and an advocate.",
            },
            {
                "key": "churned",
                "name": "Churned",
                "position": 4,
                "kind": "state",
                "description": "No longer a paying customer.",
            },
            {
                "key": "reactivated",
                "name": "Reactivated",
                "position": 5,
                "kind": "state",
                "description": "Came back after churning.",
            },
        ],
    )


def downgrade() -> None:

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_index("ix_subscriptions_account_start")

    op.drop_table("subscriptions")
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_account_at")

    op.drop_table("stage_changes")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_email"))

    op.drop_table("contacts")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entity")
        batch_op.drop_index("ix_audit_log_account_at")

    op.drop_table("audit_log")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_stage_name")
        batch_op.drop_index("ix_accounts_segment_name")
        batch_op.drop_index(batch_op.f("ix_accounts_parent_id"))
        batch_op.drop_index("ix_accounts_owner_name")
        batch_op.drop_index("ix_accounts_name")

    op.drop_table("accounts")
    op.drop_table("users")
    op.drop_table("segments")
    op.drop_table("lifecycle_stages")
    op.drop_table("imports")
