"""What the demo company takes from the seeded configuration, as plain data.

The generator is a pure function, so it cannot read the database: these mirror the segments'
Appropriate Experience (migration 0001) and the activity catalogue, required touches and
outcome, plan and goal templates (migration 0003). The writer refers to templates and types
by key only, and a test checks every figure here against the seeded rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from headway.demo.segments import HIGH_TOUCH, MID_TOUCH, TECH_TOUCH


@dataclass(frozen=True)
class GoalKind:
    """A goal template and how the demo draws a customer's baseline of its KPI."""

    key: str
    name: str
    kpi: str
    unit: str
    direction: str  # "increase" or "decrease"
    source: str  # "manual" or "seats" (measured from the subscriptions)
    target_change: float
    due_days: int
    # Baseline: uniform in [low, high), times the customer's employees when per_employee.
    baseline: tuple[float, float] = (1.0, 1.0)
    per_employee: bool = False
    decimals: int = 0
    # Where the KPI is kept, for the notes of its measurements.
    measured_in: str = ""


GOAL_KINDS = (
    GoalKind(
        "support-cost",
        "Support cost down 20 %",
        "Support cost per month",
        "USD",
        "decrease",
        "manual",
        -0.2,
        180,
        baseline=(20.0, 60.0),
        per_employee=True,
        measured_in="the support team's monthly cost report",
    ),
    GoalKind(
        "registrations",
        "More event registrations",
        "Event registrations per month",
        "registrations",
        "increase",
        "manual",
        0.25,
        180,
        baseline=(1.5, 6.0),
        per_employee=True,
        measured_in="the events dashboard",
    ),
    GoalKind(
        "customer-churn",
        "Their customer churn down 15 %",
        "Monthly customer churn",
        "%",
        "decrease",
        "manual",
        -0.15,
        365,
        baseline=(1.5, 7.0),
        decimals=2,
        measured_in="their finance team's churn figure",
    ),
    GoalKind(
        "hours-saved",
        "Manual work cut by a third",
        "Hours of manual work per week",
        "hours",
        "decrease",
        "manual",
        -0.33,
        120,
        baseline=(0.3, 1.2),
        per_employee=True,
        decimals=1,
        measured_in="the team's time sheets",
    ),
    GoalKind(
        "rollout",
        "Rolled out to every team",
        "Licensed seats",
        "seats",
        "increase",
        "seats",
        0.3,
        90,
    ),
    GoalKind(
        "time-to-launch",
        "Campaigns launched faster",
        "Days to launch a campaign",
        "days",
        "decrease",
        "manual",
        -0.5,
        90,
        baseline=(8.0, 30.0),
        decimals=1,
        measured_in="the in-app launch survey",
    ),
)
GOAL_KEYS = tuple(kind.key for kind in GOAL_KINDS)
GOAL_INDEX = {key: index for index, key in enumerate(GOAL_KEYS)}
# Goals of these templates are what sales promises (expected); the others are hoped for beyond
# the promise (desired). Onboarding plans hold what was promised: their goals are all expected.
EXPECTED_GOAL_KEYS = frozenset({"support-cost", "registrations", "rollout"})


@dataclass(frozen=True)
class MilestoneStep:
    """A milestone of a plan template, due so many days after the plan starts."""

    name: str
    due_days: int
    first_value: bool = False


@dataclass(frozen=True)
class PlanKind:
    """A success plan template of one segment and lifecycle stage."""

    key: str
    name: str
    segment: int
    stage: str
    goal_keys: tuple[str, ...]
    milestones: tuple[MilestoneStep, ...]


PLAN_KINDS = (
    PlanKind(
        "high-touch-onboarding",
        "High-touch onboarding",
        HIGH_TOUCH,
        "onboarding",
        ("support-cost", "rollout"),
        (
            MilestoneStep("Kick-off with stakeholders", 7),
            MilestoneStep("Integration live", 30),
            MilestoneStep("Go-live", 45, True),
            MilestoneStep("Every team trained", 60),
        ),
    ),
    PlanKind(
        "high-touch-adoption",
        "High-touch value plan",
        HIGH_TOUCH,
        "adoption",
        ("support-cost", "customer-churn"),
        (MilestoneStep("Quarterly business review", 90),),
    ),
    PlanKind(
        "mid-touch-onboarding",
        "Mid-touch onboarding",
        MID_TOUCH,
        "onboarding",
        ("registrations",),
        (MilestoneStep("Kick-off", 7), MilestoneStep("First event live", 30, True)),
    ),
    PlanKind(
        "mid-touch-adoption",
        "Mid-touch value plan",
        MID_TOUCH,
        "adoption",
        ("registrations", "hours-saved"),
        (MilestoneStep("Business review", 180),),
    ),
    PlanKind(
        "tech-touch-onboarding",
        "Tech-touch onboarding",
        TECH_TOUCH,
        "onboarding",
        ("time-to-launch",),
        (MilestoneStep("Account set up", 3), MilestoneStep("First campaign live", 14, True)),
    ),
    PlanKind(
        "tech-touch-adoption",
        "Tech-touch value plan",
        TECH_TOUCH,
        "adoption",
        ("time-to-launch",),
        (),
    ),
)
PLAN_KEYS = tuple(kind.key for kind in PLAN_KINDS)
# The onboarding and value plan of each segment (index into PLAN_KINDS).
ONBOARDING_PLAN = (0, 2, 4)
VALUE_PLAN = (1, 3, 5)


def _first_value_days(plan: PlanKind) -> int:
    return next(step.due_days for step in plan.milestones if step.first_value)


# Per segment: days from the start to the first-value milestone, and to the due date of the
# first goal of the onboarding plan (the first expected outcome).
FIRST_VALUE_DAYS = tuple(_first_value_days(PLAN_KINDS[i]) for i in ONBOARDING_PLAN)
FIRST_OUTCOME_DAYS = tuple(
    GOAL_KINDS[GOAL_INDEX[PLAN_KINDS[i].goal_keys[0]]].due_days for i in ONBOARDING_PLAN
)


@dataclass(frozen=True)
class OutcomeKind:
    """An outcome template: the Required Outcome, and what is promised and hoped for."""

    key: str
    segment: int | None
    product: str | None
    required_outcome: str
    expected: tuple[str, ...]
    desired: tuple[str, ...]
    # Days from the start to the due date of each expected outcome (demo only).
    expected_due_days: tuple[int, ...] = ()


OUTCOME_KINDS = (
    OutcomeKind(
        "high-touch",
        HIGH_TOUCH,
        None,
        "Serve their own customers at a lower cost while keeping more of them, proven in "
        "quarterly business reviews.",
        ("Support cost down 20 % within six months", "Rolled out to every team within 90 days"),
        ("Their customer churn down 15 % within a year",),
        (180, 90),
    ),
    OutcomeKind(
        "mid-touch",
        MID_TOUCH,
        None,
        "Grow event registrations with less manual work.",
        ("Event registrations up 25 % within six months",),
        ("A third less manual work each week",),
        (180,),
    ),
    OutcomeKind(
        "tech-touch",
        TECH_TOUCH,
        None,
        "A first campaign live within two weeks, then run without help.",
        ("First campaign live within 14 days",),
        ("Campaigns launched in half the time",),
        (14,),
    ),
    OutcomeKind(
        "analytics-add-on",
        None,
        "Analytics add-on",
        "Leadership decides on weekly reports instead of spreadsheets.",
        ("A weekly report used by leadership within 60 days",),
        ("Spreadsheet reporting retired",),
        (60,),
    ),
)
OUTCOME_KEYS = tuple(kind.key for kind in OUTCOME_KINDS)
ADD_ON_OUTCOME = OUTCOME_KEYS.index("analytics-add-on")

# Each segment's Appropriate Experience (migration 0001), by segment index.
TOUCH_MODELS = ("high", "mid", "tech")
CHANNELS = (
    ("meeting", "call", "email", "business_review"),
    ("email", "call", "webinar", "business_review"),
    ("email", "in_app", "community"),
)
MEETING_CADENCE_DAYS: tuple[int | None, ...] = (30, 90, None)
REVIEW_CADENCE_DAYS: tuple[int | None, ...] = (90, 180, None)
SUPPORT_LEVELS = ("premium", "standard", "basic")

# The activity catalogue: key and default minutes, in its configured order.
ACTIVITY_TYPES = (
    ("meeting", 60),
    ("call", 30),
    ("check_in", 30),
    ("email", 10),
    ("training", 90),
    ("onboarding_session", 60),
    ("business_review", 120),
    ("report_sent", 30),
    ("webinar", 60),
    ("in_app", 5),
    ("escalation", 60),
)
ACTIVITY_KEYS = tuple(key for key, _ in ACTIVITY_TYPES)
ACTIVITY_INDEX = {key: index for index, key in enumerate(ACTIVITY_KEYS)}
DEFAULT_MINUTES = tuple(minutes for _, minutes in ACTIVITY_TYPES)


@dataclass(frozen=True)
class Touch:
    """A touch a segment requires (migration 0003's touch requirements)."""

    segment: int
    stage: str | None
    name: str
    activity_types: tuple[str, ...]
    every_days: int | None
    cadence: str | None


_CONVERSATION = ("meeting", "call", "check_in", "business_review")
TOUCHES = (
    Touch(HIGH_TOUCH, None, "Business review", ("business_review",), None, "review"),
    Touch(HIGH_TOUCH, None, "Check-in", _CONVERSATION, None, "meeting"),
    Touch(
        HIGH_TOUCH, "onboarding", "Onboarding session", ("onboarding_session", "training"), 14, None
    ),
    Touch(MID_TOUCH, None, "Business review", ("business_review",), None, "review"),
    Touch(MID_TOUCH, None, "Check-in", _CONVERSATION, None, "meeting"),
    Touch(
        MID_TOUCH,
        "onboarding",
        "Onboarding session",
        ("onboarding_session", "training", "webinar"),
        30,
        None,
    ),
    Touch(TECH_TOUCH, "onboarding", "Onboarding email", ("email", "in_app", "webinar"), 14, None),
    Touch(TECH_TOUCH, "adoption", "Digital touch", ("email", "in_app", "webinar"), 90, None),
)
