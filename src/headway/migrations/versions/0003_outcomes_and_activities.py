"""outcomes and activities

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:06:29.298877
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import headway.core.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "activity_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("default_minutes", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_types")),
        sa.UniqueConstraint("key", name=op.f("uq_activity_types_key")),
    )
    op.create_table(
        "goal_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kpi", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("target_change", sa.Double(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_goal_templates_key")),
    )
    op.create_table(
        "outcome_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("product", sa.String(length=255), nullable=True),
        sa.Column("required_outcome", sa.Text(), nullable=False),
        sa.Column(
            "expected",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "desired",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_outcome_templates_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_outcome_templates_key")),
    )
    op.create_table(
        "plan_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=True),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column(
            "goal_keys",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "milestones",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_plan_templates_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["lifecycle_stages.id"],
            name=op.f("fk_plan_templates_stage_id_lifecycle_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_plan_templates_key")),
    )
    op.create_table(
        "touch_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("stage_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "activity_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("cadence", sa.String(length=16), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["segments.id"],
            name=op.f("fk_touch_requirements_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"],
            ["lifecycle_stages.id"],
            name=op.f("fk_touch_requirements_stage_id_lifecycle_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touch_requirements")),
    )
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("logged_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_activities_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["activity_types.id"], name=op.f("fk_activities_type_id_activity_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("external_id", name=op.f("uq_activities_external_id")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_account_at", ["account_id", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_activities_at", ["occurred_at"], unique=False)

    op.create_table(
        "desired_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("required_outcome", sa.Text(), nullable=False),
        sa.Column("touch_model", sa.String(length=32), nullable=False),
        sa.Column(
            "channels",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("meeting_cadence_days", sa.Integer(), nullable=True),
        sa.Column("review_cadence_days", sa.Integer(), nullable=True),
        sa.Column("support_level", sa.String(length=64), nullable=False),
        sa.Column("stakeholders", sa.Text(), nullable=False),
        sa.Column("tailored", sa.Boolean(), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_desired_outcomes_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["outcome_templates.id"],
            name=op.f("fk_desired_outcomes_template_id_outcome_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desired_outcomes")),
        sa.UniqueConstraint("account_id", name=op.f("uq_desired_outcomes_account_id")),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("promised", sa.Text(), nullable=False),
        sa.Column("promised_by", sa.String(length=255), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("stakeholders", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_handoffs_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("account_id", name=op.f("uq_handoffs_account_id")),
    )
    op.create_table(
        "success_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_success_plans_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["plan_templates.id"],
            name=op.f("fk_success_plans_template_id_plan_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_success_plans")),
    )
    with op.batch_alter_table("success_plans", schema=None) as batch_op:
        batch_op.create_index("ix_success_plans_account", ["account_id"], unique=False)

    op.create_table(
        "activity_contacts",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_contacts_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_activity_contacts_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "contact_id", name=op.f("pk_activity_contacts")),
    )
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activity_contacts_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "activity_users",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_users_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_activity_users_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "user_id", name=op.f("pk_activity_users")),
    )
    with op.batch_alter_table("activity_users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_users_user_id"), ["user_id"], unique=False)

    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("kpi", sa.String(length=255), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("baseline", sa.Double(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target", sa.Double(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("achieved_on", sa.Date(), nullable=True),
        sa.Column("achieved_evidence_id", sa.Integer(), nullable=True),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_goals_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_goals_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["success_plans.id"],
            name=op.f("fk_goals_plan_id_success_plans"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["goal_templates.id"],
            name=op.f("fk_goals_template_id_goal_templates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index("ix_goals_account", ["account_id"], unique=False)
        batch_op.create_index("ix_goals_due", ["due_date"], unique=False)
        batch_op.create_index("ix_goals_plan", ["plan_id"], unique=False)

    op.create_table(
        "milestones",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("first_value", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_milestones_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["success_plans.id"],
            name=op.f("fk_milestones_plan_id_success_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_milestones")),
    )
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.create_index("ix_milestones_account", ["account_id"], unique=False)

    op.create_table(
        "outcome_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("promised_by", sa.String(length=255), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_outcome_statements_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_outcome_statements_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_statements")),
    )
    with op.batch_alter_table("outcome_statements", schema=None) as batch_op:
        batch_op.create_index("ix_outcome_statements_account", ["account_id", "kind"], unique=False)

    op.create_table(
        "activity_goals",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_goals_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_activity_goals_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("activity_id", "goal_id", name=op.f("pk_activity_goals")),
    )
    with op.batch_alter_table("activity_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_goals_goal_id"), ["goal_id"], unique=False)

    op.create_table(
        "goal_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("measured_on", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=255), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", headway.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"],
            ["goals.id"],
            name=op.f("fk_goal_evidence_goal_id_goals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_evidence")),
        sa.UniqueConstraint(
            "goal_id", "measured_on", "source", name=op.f("uq_goal_evidence_goal_id")
        ),
    )
    _seed_catalogue_and_templates()


def _ids(table: str) -> dict[str, int]:
    rows = op.get_bind().execute(sa.text(f"SELECT key, id FROM {table}"))
    return {key: id_ for key, id_ in rows}


def _seed_catalogue_and_templates() -> None:
    """The activity catalogue, each segment's required touches and the outcome templates."""
    segment = _ids("segments")
    stage = _ids("lifecycle_stages")
    activity_types = sa.table(
        "activity_types",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("default_minutes", sa.Integer),
        sa.column("position", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    catalogue = [
        ("meeting", "Meeting", 60),
        ("call", "Call", 30),
        ("check_in", "Check-in", 30),
        ("email", "Email", 10),
        ("training", "Training", 90),
        ("onboarding_session", "Onboarding session", 60),
        ("business_review", "Business review", 120),
        ("report_sent", "Report sent", 30),
        ("webinar", "Webinar", 60),
        ("in_app", "In-app message", 5),
        ("escalation", "Escalation", 60),
    ]
    op.bulk_insert(
        activity_types,
        [
            {"key": k, "name": n, "default_minutes": m, "position": i, "active": True}
            for i, (k, n, m) in enumerate(catalogue, start=1)
        ],
    )
    requirements = sa.table(
        "touch_requirements",
        sa.column("segment_id", sa.Integer),
        sa.column("stage_id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("activity_types", sa.JSON),
        sa.column("every_days", sa.Integer),
        sa.column("cadence", sa.String),
        sa.column("position", sa.Integer),
    )
    conversation = ["meeting", "call", "check_in", "business_review"]
    touches = [
        ("high-touch", None, "Business review", ["business_review"], None, "review"),
        ("high-touch", None, "Check-in", conversation, None, "meeting"),
        (
            "high-touch",
            "onboarding",
            "Onboarding session",
            ["onboarding_session", "training"],
            14,
            None,
        ),
        ("mid-touch", None, "Business review", ["business_review"], None, "review"),
        ("mid-touch", None, "Check-in", conversation, None, "meeting"),
        (
            "mid-touch",
            "onboarding",
            "Onboarding session",
            ["onboarding_session", "training", "webinar"],
            30,
            None,
        ),
        ("tech-touch", "onboarding", "Onboarding email", ["email", "in_app", "webinar"], 14, None),
        ("tech-touch", "adoption", "Digital touch", ["email", "in_app", "webinar"], 90, None),
    ]
    op.bulk_insert(
        requirements,
        [
            {
                "segment_id": segment[seg],
                "stage_id": stage[st] if st else None,
                "name": name,
                "activity_types": types,
                "every_days": every,
                "cadence": cadence,
                "position": i,
            }
            for i, (seg, st, name, types, every, cadence) in enumerate(touches, start=1)
        ],
    )
    goal_templates = sa.table(
        "goal_templates",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("kpi", sa.String),
        sa.column("unit", sa.String),
        sa.column("direction", sa.String),
        sa.column("source", sa.String),
        sa.column("target_change", sa.Double),
        sa.column("due_days", sa.Integer),
    )
    goals = [
        (
            "support-cost",
            "Support cost down 20 %",
            "Support cost per month",
            "USD",
            "decrease",
            "manual",
            -0.2,
            180,
        ),
        (
            "registrations",
            "More event registrations",
            "Event registrations per month",
            "registrations",
            "increase",
            "manual",
            0.25,
            180,
        ),
        (
            "customer-churn",
            "Their customer churn down 15 %",
            "Monthly customer churn",
            "%",
            "decrease",
            "manual",
            -0.15,
            365,
        ),
        (
            "hours-saved",
            "Manual work cut by a third",
            "Hours of manual work per week",
            "hours",
            "decrease",
            "manual",
            -0.33,
            120,
        ),
        (
            "rollout",
            "Rolled out to every team",
            "Licensed seats",
            "seats",
            "increase",
            "seats",
            0.3,
            90,
        ),
        (
            "time-to-launch",
            "Campaigns launched faster",
            "Days to launch a campaign",
            "days",
            "decrease",
            "manual",
            -0.5,
            90,
        ),
    ]
    op.bulk_insert(
        goal_templates,
        [
            dict(
                zip(
                    [
                        "key",
                        "name",
                        "kpi",
                        "unit",
                        "direction",
                        "source",
                        "target_change",
                        "due_days",
                    ],
                    g,
                    strict=True,
                )
            )
            for g in goals
        ],
    )
    outcome_templates = sa.table(
        "outcome_templates",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("segment_id", sa.Integer),
        sa.column("product", sa.String),
        sa.column("required_outcome", sa.Text),
        sa.column("expected", sa.JSON),
        sa.column("desired", sa.JSON),
        sa.column("position", sa.Integer),
    )
    op.bulk_insert(
        outcome_templates,
        [
            {
                "key": "high-touch",
                "name": "High-touch: lower cost to serve",
                "segment_id": segment["high-touch"],
                "product": None,
                "required_outcome": "Serve their own customers at a lower cost while keeping more of them, proven in quarterly business reviews.",
                "expected": [
                    "Support cost down 20 % within six months",
                    "Rolled out to every team within 90 days",
                ],
                "desired": ["Their customer churn down 15 % within a year"],
                "position": 1,
            },
            {
                "key": "mid-touch",
                "name": "Mid-touch: grow registrations",
                "segment_id": segment["mid-touch"],
                "product": None,
                "required_outcome": "Grow event registrations with less manual work.",
                "expected": ["Event registrations up 25 % within six months"],
                "desired": ["A third less manual work each week"],
                "position": 2,
            },
            {
                "key": "tech-touch",
                "name": "Tech-touch: live fast, self-served",
                "segment_id": segment["tech-touch"],
                "product": None,
                "required_outcome": "A first campaign live within two weeks, then run without help.",
                "expected": ["First campaign live within 14 days"],
                "desired": ["Campaigns launched in half the time"],
                "position": 3,
            },
            {
                "key": "analytics-add-on",
                "name": "Analytics add-on: decisions on data",
                "segment_id": None,
                "product": "Analytics add-on",
                "required_outcome": "Leadership decides on weekly reports instead of spreadsheets.",
                "expected": ["A weekly report used by leadership within 60 days"],
                "desired": ["Spreadsheet reporting retired"],
                "position": 4,
            },
        ],
    )
    plan_templates = sa.table(
        "plan_templates",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("segment_id", sa.Integer),
        sa.column("stage_id", sa.Integer),
        sa.column("goal_keys", sa.JSON),
        sa.column("milestones", sa.JSON),
        sa.column("position", sa.Integer),
    )

    def step(name: str, due_days: int, first_value: bool = False) -> dict[str, object]:
        return {"name": name, "due_days": due_days, "first_value": first_value}

    plans = [
        (
            "high-touch-onboarding",
            "High-touch onboarding",
            "high-touch",
            "onboarding",
            ["support-cost", "rollout"],
            [
                step("Kick-off with stakeholders", 7),
                step("Integration live", 30),
                step("Go-live", 45, True),
                step("Every team trained", 60),
            ],
        ),
        (
            "high-touch-adoption",
            "High-touch value plan",
            "high-touch",
            "adoption",
            ["support-cost", "customer-churn"],
            [step("Quarterly business review", 90)],
        ),
        (
            "mid-touch-onboarding",
            "Mid-touch onboarding",
            "mid-touch",
            "onboarding",
            ["registrations"],
            [step("Kick-off", 7), step("First event live", 30, True)],
        ),
        (
            "mid-touch-adoption",
            "Mid-touch value plan",
            "mid-touch",
            "adoption",
            ["registrations", "hours-saved"],
            [step("Business review", 180)],
        ),
        (
            "tech-touch-onboarding",
            "Tech-touch onboarding",
            "tech-touch",
            "onboarding",
            ["time-to-launch"],
            [step("Account set up", 3), step("First campaign live", 14, True)],
        ),
        (
            "tech-touch-adoption",
            "Tech-touch value plan",
            "tech-touch",
            "adoption",
            ["time-to-launch"],
            [],
        ),
    ]
    op.bulk_insert(
        plan_templates,
        [
            {
                "key": key,
                "name": name,
                "segment_id": segment[seg],
                "stage_id": stage[st],
                "goal_keys": goal_keys,
                "milestones": milestones,
                "position": i,
            }
            for i, (key, name, seg, st, goal_keys, milestones) in enumerate(plans, start=1)
        ],
    )


def downgrade() -> None:
    op.drop_table("goal_evidence")
    with op.batch_alter_table("activity_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_goals_goal_id"))

    op.drop_table("activity_goals")
    with op.batch_alter_table("outcome_statements", schema=None) as batch_op:
        batch_op.drop_index("ix_outcome_statements_account")

    op.drop_table("outcome_statements")
    with op.batch_alter_table("milestones", schema=None) as batch_op:
        batch_op.drop_index("ix_milestones_account")

    op.drop_table("milestones")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_plan")
        batch_op.drop_index("ix_goals_due")
        batch_op.drop_index("ix_goals_account")

    op.drop_table("goals")
    with op.batch_alter_table("activity_users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_users_user_id"))

    op.drop_table("activity_users")
    with op.batch_alter_table("activity_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_contacts_contact_id"))

    op.drop_table("activity_contacts")
    with op.batch_alter_table("success_plans", schema=None) as batch_op:
        batch_op.drop_index("ix_success_plans_account")

    op.drop_table("success_plans")
    op.drop_table("handoffs")
    op.drop_table("desired_outcomes")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_at")
        batch_op.drop_index("ix_activities_account_at")

    op.drop_table("activities")
    op.drop_table("touch_requirements")
    op.drop_table("plan_templates")
    op.drop_table("outcome_templates")
    op.drop_table("goal_templates")
    op.drop_table("activity_types")
