"""Pydantic shapes of desired outcomes, success plans, goals, evidence and milestones."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from headway.core.fields import DbId, IsoDate, refuse_nulls
from headway.outcomes.progress import Direction, GoalProgress, GoalStatus

# KPI values are finite numbers of sensible size (a float holds them exactly enough).
KpiValue = Annotated[float, Field(ge=-1e15, le=1e15, allow_inf_nan=False, strict=True)]
Cadence = Annotated[int, Field(ge=1, le=3660)]
ShortText = Annotated[str, Field(max_length=255)]
LongText = Annotated[str, Field(max_length=5000)]


class OutcomeKind(enum.StrEnum):
    """Expected outcomes were promised at sale; desired ones go beyond the promise."""

    EXPECTED = "expected"
    DESIRED = "desired"


class KpiSource(enum.StrEnum):
    """Where a goal's measurements come from."""

    MANUAL = "manual"
    IMPORT = "import"
    MRR = "mrr"
    SEATS = "seats"


class EvidenceSource(enum.StrEnum):
    """Who or what recorded a measurement."""

    MANUAL = "manual"
    IMPORT = "import"
    API = "api"
    MRR = "mrr"
    SEATS = "seats"


# --- desired outcome ---------------------------------------------------------------------


class StatementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: OutcomeKind
    statement: str
    contact_id: int | None
    promised_by: str
    due_date: date | None


class StatementCreate(BaseModel):
    kind: OutcomeKind
    statement: str = Field(min_length=1, max_length=2000)
    contact_id: DbId | None = None
    promised_by: ShortText = ""
    due_date: IsoDate | None = None


class DesiredOutcomeRead(BaseModel):
    """An account's Desired Outcome; `tailored` is false while it still shows the defaults."""

    account_id: int
    template: str | None
    tailored: bool
    required_outcome: str
    touch_model: str
    channels: list[str]
    meeting_cadence_days: int | None
    review_cadence_days: int | None
    support_level: str
    stakeholders: str
    expected: list[StatementRead]
    desired: list[StatementRead]


class DesiredOutcomeUpdate(BaseModel):
    """Tailor an account's Desired Outcome; only the fields given change."""

    _not_nullable = model_validator(mode="before")(
        refuse_nulls("required_outcome", "touch_model", "channels", "support_level", "stakeholders")
    )

    required_outcome: str | None = Field(None, min_length=1, max_length=5000)
    touch_model: str | None = Field(None, min_length=1, max_length=32)
    channels: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, max_length=20
    )
    meeting_cadence_days: Cadence | None = None
    review_cadence_days: Cadence | None = None
    support_level: str | None = Field(None, min_length=1, max_length=64)
    stakeholders: LongText | None = None


class HandoffCreate(BaseModel):
    """What sales promised, by whom and by when, and who the stakeholders are."""

    promised: str = Field(min_length=1, max_length=5000)
    promised_by: str = Field(min_length=1, max_length=255)
    due_date: IsoDate | None = None
    stakeholders: LongText = ""
    notes: LongText = ""
    plan_template: str | None = Field(None, max_length=64)


class HandoffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    promised: str
    promised_by: str
    due_date: date | None
    stakeholders: str
    notes: str
    recorded_by: str
    created_at: datetime


# --- success plans, goals, evidence, milestones ------------------------------------------


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class PlanCreate(BaseModel):
    account_id: DbId
    name: str | None = Field(None, min_length=1, max_length=255)
    template: str | None = Field(None, max_length=64)


class PlanUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(refuse_nulls("name", "status"))

    name: str | None = Field(None, min_length=1, max_length=255)
    status: PlanStatus | None = None


class MilestoneCreate(BaseModel):
    name: str = Field(min_length=1, max_length=255)
    due_date: IsoDate | None = None
    done_on: IsoDate | None = None
    first_value: StrictBool = False


class MilestoneUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(refuse_nulls("name", "first_value"))

    name: str | None = Field(None, min_length=1, max_length=255)
    due_date: IsoDate | None = None
    done_on: IsoDate | None = None
    first_value: StrictBool | None = None


class MilestoneRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: int
    account_id: int
    name: str
    due_date: date | None
    done_on: date | None
    first_value: bool


class GoalCreate(BaseModel):
    plan_id: DbId
    name: str = Field(min_length=1, max_length=255)
    kind: OutcomeKind = OutcomeKind.EXPECTED
    kpi: str = Field(min_length=1, max_length=255)
    unit: str = Field("", max_length=32)
    direction: Direction
    source: KpiSource = KpiSource.MANUAL
    baseline: KpiValue
    baseline_date: IsoDate
    target: KpiValue
    due_date: IsoDate
    owner_id: DbId | None = None
    template: str | None = Field(None, max_length=64)


class GoalUpdate(BaseModel):
    _not_nullable = model_validator(mode="before")(
        refuse_nulls(
            "name",
            "kind",
            "kpi",
            "unit",
            "direction",
            "source",
            "baseline",
            "baseline_date",
            "target",
            "due_date",
        )
    )

    name: str | None = Field(None, min_length=1, max_length=255)
    kind: OutcomeKind | None = None
    kpi: str | None = Field(None, min_length=1, max_length=255)
    unit: str | None = Field(None, max_length=32)
    direction: Direction | None = None
    source: KpiSource | None = None
    baseline: KpiValue | None = None
    baseline_date: IsoDate | None = None
    target: KpiValue | None = None
    due_date: IsoDate | None = None
    owner_id: DbId | None = None


class EvidenceCreate(BaseModel):
    value: KpiValue
    measured_on: IsoDate
    note: str = Field("", max_length=500)


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    goal_id: int
    value: float
    measured_on: date
    source: EvidenceSource
    recorded_by: str
    note: str
    created_at: datetime


class GoalRead(BaseModel):
    """A goal with its standing as of today."""

    id: int
    plan_id: int
    account_id: int
    template: str | None
    name: str
    kind: OutcomeKind
    kpi: str
    unit: str
    direction: Direction
    source: KpiSource
    baseline: float
    baseline_date: date
    target: float
    due_date: date
    owner_id: int | None
    status: GoalStatus
    current: float | None
    measured_on: date | None
    progress: float | None
    expected_progress: float
    achieved_on: date | None
    needed_per_week: float | None
    days_left: int
    created_at: datetime
    updated_at: datetime


class PlanRead(BaseModel):
    id: int
    account_id: int
    name: str
    template: str | None
    status: PlanStatus
    goals: list[GoalRead]
    milestones: list[MilestoneRead]
    created_at: datetime
    updated_at: datetime


class PlanSummaryRead(BaseModel):
    """A success plan in a list: its goals and milestones are at /success-plans/{id}."""

    id: int
    account_id: int
    name: str
    template: str | None
    status: PlanStatus
    created_at: datetime
    updated_at: datetime


# --- templates (configuration as data) ----------------------------------------------------


class GoalTemplateRead(BaseModel):
    """A reusable goal: its KPI, and the usual target (a change from the baseline) and horizon."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    name: str
    kpi: str
    unit: str
    direction: Direction
    source: KpiSource
    target_change: float
    due_days: int


class PlanStepRead(BaseModel):
    """A milestone a plan template brings, due so many days after the plan starts."""

    name: str
    due_days: int
    first_value: bool


class PlanTemplateRead(BaseModel):
    """A success plan to start from, for a segment and lifecycle stage (None: any)."""

    key: str
    name: str
    segment: str | None
    stage: str | None
    goal_keys: list[str]
    milestones: list[PlanStepRead]


# --- converters ----------------------------------------------------------------------------


def desired_outcome_read(view: Any) -> DesiredOutcomeRead:
    """Build the API shape of an account's Desired Outcome (tailored or the defaults)."""
    return DesiredOutcomeRead(
        account_id=view.account_id,
        template=view.template,
        tailored=view.tailored,
        required_outcome=view.required_outcome,
        touch_model=view.touch_model,
        channels=list(view.channels),
        meeting_cadence_days=view.meeting_cadence_days,
        review_cadence_days=view.review_cadence_days,
        support_level=view.support_level,
        stakeholders=view.stakeholders,
        expected=[StatementRead.model_validate(s) for s in view.expected],
        desired=[StatementRead.model_validate(s) for s in view.desired],
    )


def goal_read(goal: Any, standing: GoalProgress, template: str | None) -> GoalRead:
    """Build the API shape of a goal with its standing (from goals.standing_of) on a day."""
    return GoalRead(
        id=goal.id,
        plan_id=goal.plan_id,
        account_id=goal.account_id,
        template=template,
        name=goal.name,
        kind=OutcomeKind(goal.kind),
        kpi=goal.kpi,
        unit=goal.unit,
        direction=Direction(goal.direction),
        source=KpiSource(goal.source),
        baseline=goal.baseline,
        baseline_date=goal.baseline_date,
        target=goal.target,
        due_date=goal.due_date,
        owner_id=goal.owner_id,
        status=standing.status,
        current=standing.current,
        measured_on=standing.measured_on,
        progress=standing.progress,
        expected_progress=standing.expected_progress,
        achieved_on=standing.achieved_on,
        needed_per_week=standing.needed_per_week,
        days_left=standing.days_left,
        created_at=goal.created_at,
        updated_at=goal.updated_at,
    )


def plan_summary_read(plan: Any, template: str | None) -> PlanSummaryRead:
    """Build the list shape of a success plan."""
    return PlanSummaryRead(
        id=plan.id,
        account_id=plan.account_id,
        name=plan.name,
        template=template,
        status=PlanStatus(plan.status),
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def plan_read(
    plan: Any, template: str | None, goals: list[GoalRead], milestones: list[Any]
) -> PlanRead:
    """Build the API shape of a success plan with its goals and milestones."""
    return PlanRead(
        id=plan.id,
        account_id=plan.account_id,
        name=plan.name,
        template=template,
        status=PlanStatus(plan.status),
        goals=goals,
        milestones=[MilestoneRead.model_validate(m) for m in milestones],
        created_at=plan.created_at,
        updated_at=plan.updated_at,
    )


def plan_template_read(template: Any, segment: str | None, stage: str | None) -> PlanTemplateRead:
    """Build the API shape of a plan template, its segment and stage by key."""
    return PlanTemplateRead(
        key=template.key,
        name=template.name,
        segment=segment,
        stage=stage,
        goal_keys=list(template.goal_keys),
        milestones=[
            PlanStepRead(
                name=str(step["name"]),
                due_days=int(step.get("due_days", 0)),
                first_value=bool(step.get("first_value")),
            )
            for step in template.milestones
        ],
    )
