"""Activity logs of the demo company: outputs whose amount and kind follow each segment's
Appropriate Experience, done more or less faithfully by each CSM.

Every touch a segment requires (migration 0003's touch requirements) repeats through the spans
of an account's life it applies to, at the account's own cadence (tailored or its segment's):
high-touch check-ins about monthly and business reviews quarterly, mid-touch both less often,
tech-touch onboarding emails and in-app messages only, sent by automated programs unless the
digital CSM pools the account. A CSM's diligence stretches or shrinks the gaps: over-covering
CSMs touch more often than required, under-covering ones let touches lapse. Emails, reports,
webinars and the odd escalation (likelier at less engaged customers) come on top.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from headway.demo.catalogue import (
    ACTIVITY_INDEX,
    ACTIVITY_KEYS,
    DEFAULT_MINUTES,
    MEETING_CADENCE_DAYS,
    REVIEW_CADENCE_DAYS,
)
from headway.demo.contacts import DemoContacts
from headway.demo.lives import Lives, Spans
from headway.demo.segments import HIGH_TOUCH, MID_TOUCH, TECH_TOUCH
from headway.demo.success import care_of
from headway.demo.words import (
    ACTIVITY_NOTES,
    ACTIVITY_SUBJECTS,
    PROGRAM_EMAIL_SUBJECTS,
)

# A required touch is done, on average, at this share of its interval by a CSM of diligence 1
# (a little early, so that the usual jitter leaves it only sometimes overdue).
ON_TIME_SHARE = 0.85
# Spread of the gaps between touches (lognormal sigma): people vary, programs hardly.
PERSON_JITTER, PROGRAM_JITTER = 0.25, 0.05
# The CS manager joins this share of high-touch business reviews.
MANAGER_AT_REVIEWS = 0.35
NOTE_SHARE = 0.35
# Conversations that serve a goal can be linked to it: this share at diligence 1.
GOAL_LINK_SHARE = 0.45
GOAL_SERVING = frozenset(
    {
        "meeting",
        "call",
        "check_in",
        "training",
        "onboarding_session",
        "business_review",
        "report_sent",
    }
)


@dataclass(frozen=True)
class Series:
    """Touches of one kind repeated through spans: which spans, how often, which types."""

    name: str
    segment: int
    spans: str  # "customer", "onboarding" or "value" (see Lives)
    cadence: str | int  # "meeting", "review" (the account's cadence) or days
    types: dict[str, float]  # activity type key → share
    required: bool = False  # a touch requirement: done at ON_TIME_SHARE of its interval
    escalation: bool = False  # rarer at engaged customers


SERIES = (
    Series(
        "check-in",
        HIGH_TOUCH,
        "customer",
        "meeting",
        {"check_in": 0.6, "meeting": 0.25, "call": 0.15},
        True,
    ),
    Series("review", HIGH_TOUCH, "customer", "review", {"business_review": 1.0}, True),
    Series(
        "onboarding",
        HIGH_TOUCH,
        "onboarding",
        14,
        {"onboarding_session": 0.7, "training": 0.3},
        True,
    ),
    Series("email", HIGH_TOUCH, "customer", 30, {"email": 1.0}),
    Series("report", HIGH_TOUCH, "customer", 45, {"report_sent": 1.0}),
    Series("escalation", HIGH_TOUCH, "customer", 365, {"escalation": 1.0}, escalation=True),
    Series(
        "check-in",
        MID_TOUCH,
        "customer",
        "meeting",
        {"call": 0.5, "check_in": 0.3, "meeting": 0.2},
        True,
    ),
    Series("review", MID_TOUCH, "customer", "review", {"business_review": 1.0}, True),
    Series(
        "onboarding",
        MID_TOUCH,
        "onboarding",
        30,
        {"onboarding_session": 0.5, "training": 0.25, "webinar": 0.25},
        True,
    ),
    Series("email", MID_TOUCH, "customer", 60, {"email": 1.0}),
    Series("webinar", MID_TOUCH, "customer", 120, {"webinar": 1.0}),
    Series("escalation", MID_TOUCH, "customer", 540, {"escalation": 1.0}, escalation=True),
    Series("onboarding", TECH_TOUCH, "onboarding", 14, {"email": 0.6, "in_app": 0.4}, True),
    Series(
        "digital", TECH_TOUCH, "value", 90, {"email": 0.5, "in_app": 0.35, "webinar": 0.15}, True
    ),
)


@dataclass(frozen=True)
class DemoActivities:
    """Logged activities (by account then time) and who and which goals they involved."""

    account: np.ndarray
    external_id: np.ndarray  # object (str)
    type: np.ndarray  # index into catalogue.ACTIVITY_KEYS
    occurred_at: np.ndarray  # datetime64[s]
    minutes: np.ndarray
    subject: np.ndarray  # object (str)
    notes: np.ndarray  # object (str)
    logged_by: np.ndarray  # index into the team; -1 = an automated program
    program: np.ndarray  # object (str): the program that sent it ("" = a person)
    # Links: participants from the team and the account's contacts, goals served.
    user_activity: np.ndarray
    user: np.ndarray  # index into the team
    contact_activity: np.ndarray
    contact: np.ndarray  # index into DemoCompany.contacts
    goal_activity: np.ndarray
    goal: np.ndarray  # index into DemoPlans.goals

    def __len__(self) -> int:
        return len(self.account)

    @property
    def day(self) -> np.ndarray:
        """Day number of each activity."""
        return self.occurred_at.astype(np.int64) // 86_400


def _spans_of(lives: Lives, kind: str) -> Spans:
    if kind == "customer":
        return lives.customer_spans()
    if kind == "onboarding":
        return lives.onboarding_spans()
    return lives.value_spans()


def repeat_days(
    rng: np.random.Generator,
    start: np.ndarray,
    end: np.ndarray,
    gap: np.ndarray,
    jitter: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Days of touches every `gap` days (jittered) in each [start, end): (span index, day)."""
    spans, days = [], []
    alive = np.flatnonzero(gap > 0)
    # The first touch comes some way into the first interval.
    day = start[alive] + gap[alive] * rng.uniform(0.1, 1.0, len(alive))
    while len(alive):
        inside = day < end[alive]
        alive, day = alive[inside], day[inside]
        spans.append(alive)
        days.append(np.floor(day).astype(np.int64))
        day = day + gap[alive] * rng.lognormal(0, jitter[alive])
    if not spans:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(spans), np.concatenate(days)


def _working_day(day: np.ndarray, start: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Move Saturdays back and Sundays forward a day, staying within [start, last]."""
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    moved = day - (weekday == 5) + (weekday == 6)
    return np.clip(moved, start, last)


def draw_activities(
    rng: np.random.Generator,
    *,
    lives: Lives,
    diligence: np.ndarray,
    engagement_z: np.ndarray,
    meeting_days: np.ndarray,
    review_days: np.ndarray,
    contacts: DemoContacts,
    manager: int,
    as_of_day: int,
) -> DemoActivities:
    """Draw every account's activities through its life, with participants."""
    parts: list[tuple[np.ndarray, ...]] = []
    for series in SERIES:
        spans = _spans_of(lives, series.spans)
        spans = spans.take(spans.segment == series.segment)
        if not len(spans):
            continue
        care = care_of(diligence, spans.owner)
        interval = _interval(series, spans, meeting_days, review_days)
        gap = interval / care
        if series.required:
            gap = gap * ON_TIME_SHARE
        if series.escalation:
            # Less engaged customers escalate more, and more so when their CSM under-covers.
            gap = gap * np.exp(0.8 * engagement_z[spans.account]) * np.sqrt(care)
        jitter = np.where(spans.owner >= 0, PERSON_JITTER, PROGRAM_JITTER)
        which, day = repeat_days(rng, spans.start, spans.end, gap, jitter)
        day = _working_day(day, spans.start[which], np.minimum(spans.end[which], as_of_day + 1) - 1)
        keys = list(series.types)
        shares = np.array([series.types[k] for k in keys])
        pick = np.searchsorted(np.cumsum(shares) / shares.sum(), rng.random(len(which)))
        types = np.array([ACTIVITY_INDEX[k] for k in keys])[np.minimum(pick, len(keys) - 1)]
        segment = np.full(len(which), series.segment)
        parts.append((spans.account[which], day, types, spans.owner[which], segment))

    account, day, kind, owner, segment = (np.concatenate([p[i] for p in parts]) for i in range(5))
    # In office hours, then in order: by account and time.
    seconds = day * 86_400 + 8 * 3_600 + np.floor(rng.random(len(day)) * 9 * 4) * 900
    order = np.lexsort((kind, seconds, account))
    account, seconds, kind, owner, segment = (
        account[order],
        seconds[order],
        kind[order],
        owner[order],
        segment[order],
    )
    total = len(account)
    default = np.array(DEFAULT_MINUTES)[kind]
    by_person = owner >= 0
    minutes = np.where(
        by_person,
        np.maximum(5, np.round(default * rng.lognormal(0, 0.3, total) / 5) * 5),
        default,
    ).astype(np.int64)
    subject = _subjects(rng, kind, seconds, by_person)
    notes = np.where(
        by_person & np.isin(kind, _indexes(GOAL_SERVING)) & (rng.random(total) < NOTE_SHARE),
        np.array(ACTIVITY_NOTES, dtype=object)[rng.integers(0, len(ACTIVITY_NOTES), total)],
        "",
    ).astype(object)
    # Indexing an object array shares its few strings instead of making one per activity.
    programs = np.array(["", "program: email", "program: in-app"], dtype=object)
    program = programs[np.where(by_person, 0, 1 + (kind == ACTIVITY_INDEX["in_app"]))]

    # Participants: the owner, the manager at some high-touch reviews, and contacts.
    review = kind == ACTIVITY_INDEX["business_review"]
    with_manager = review & by_person & (segment == HIGH_TOUCH)
    with_manager &= rng.random(total) < MANAGER_AT_REVIEWS
    user_activity = np.concatenate([np.flatnonzero(by_person), np.flatnonzero(with_manager)])
    user = np.concatenate([owner[by_person], np.full(int(with_manager.sum()), manager)])
    order = np.lexsort((user, user_activity))
    contact_activity, contact = _participants(rng, account, kind, seconds, by_person, contacts)
    return DemoActivities(
        account=account,
        external_id=np.array([f"DEMO-A-{i + 1:08d}" for i in range(total)], dtype=object),
        type=kind,
        occurred_at=seconds.astype("datetime64[s]"),
        minutes=minutes,
        subject=subject,
        notes=notes,
        logged_by=owner,
        program=program,
        user_activity=user_activity[order],
        user=user[order],
        contact_activity=contact_activity,
        contact=contact,
        goal_activity=np.zeros(0, dtype=np.int64),
        goal=np.zeros(0, dtype=np.int64),
    )


def _indexes(keys: frozenset[str]) -> list[int]:
    return [ACTIVITY_INDEX[k] for k in keys]


def _interval(
    series: Series, spans: Spans, meeting_days: np.ndarray, review_days: np.ndarray
) -> np.ndarray:
    """Days between touches of a series in each span; 0 = no such touch."""
    if isinstance(series.cadence, int):
        return np.full(len(spans), float(series.cadence))
    defaults = MEETING_CADENCE_DAYS if series.cadence == "meeting" else REVIEW_CADENCE_DAYS
    tailored = meeting_days if series.cadence == "meeting" else review_days
    default = defaults[series.segment] or 0
    # The first era follows the segment's cadence; the account's own applies to its owner now.
    days = np.where(spans.first_era, default, tailored[spans.account])
    return np.maximum(days, 0).astype(float)


def _subjects(
    rng: np.random.Generator, kind: np.ndarray, seconds: np.ndarray, by_person: np.ndarray
) -> np.ndarray:
    """A subject per activity from its type's list; reviews are named after their quarter."""
    subject = np.empty(len(kind), dtype=object)
    draw = rng.random(len(kind))
    for index, key in enumerate(ACTIVITY_KEYS):
        where = np.flatnonzero(kind == index)
        options = np.array(ACTIVITY_SUBJECTS[key], dtype=object)
        subject[where] = options[(draw[where] * len(options)).astype(np.int64)]
    automated = np.flatnonzero(~by_person & (kind == ACTIVITY_INDEX["email"]))
    options = np.array(PROGRAM_EMAIL_SUBJECTS, dtype=object)
    subject[automated] = options[(draw[automated] * len(options)).astype(np.int64)]
    reviews = np.flatnonzero(kind == ACTIVITY_INDEX["business_review"])
    months = seconds[reviews].astype("datetime64[s]").astype("datetime64[M]").astype(np.int64)
    years, quarters = 1970 + months // 12, months % 12 // 3 + 1
    subject[reviews] = [
        f"Q{q} {y} business review" for q, y in zip(quarters.tolist(), years.tolist(), strict=True)
    ]
    return subject


# Which contact (position in the account's list) takes part in each type: reviews and
# reports go to the decision maker, conversations to the champion, trainings to anyone.
_DECISION_MAKER_TYPES = ("business_review", "report_sent")
_CHAMPION_TYPES = ("business_review", "check_in", "meeting", "call", "escalation")
_ANYONE_TYPES = ("training", "onboarding_session", "email", "webinar")


def _participants(
    rng: np.random.Generator,
    account: np.ndarray,
    kind: np.ndarray,
    seconds: np.ndarray,
    by_person: np.ndarray,
    contacts: DemoContacts,
) -> tuple[np.ndarray, np.ndarray]:
    """Contacts taking part in each activity: (activity index, contact index), in order.

    Only contacts known by then take part; otherwise the account's first contact does.
    Programs write to every user of the account, so their touches name no one.
    """
    first = np.searchsorted(contacts.account, np.arange(account.max(initial=-1) + 1))
    count = np.bincount(contacts.account, minlength=len(first))
    known_at = contacts.created_at.astype(np.int64)
    activities, picked = [], []
    for keys, position in (
        (_DECISION_MAKER_TYPES, 0),
        (_CHAMPION_TYPES, 1),
        (_ANYONE_TYPES, -1),
    ):
        where = np.flatnonzero(by_person & np.isin(kind, [ACTIVITY_INDEX[k] for k in keys]))
        mine = account[where]
        if position >= 0:
            offset = np.full(len(where), position)
        else:
            offset = np.floor(rng.random(len(where)) * count[mine]).astype(np.int64)
        contact = first[mine] + offset
        contact = np.where(known_at[contact] <= seconds[where], contact, first[mine])
        activities.append(where)
        picked.append(contact)
    activity = np.concatenate(activities)
    contact = np.concatenate(picked)
    # A review with both at position 0 (the champion unknown yet) has the same contact twice.
    pairs = np.unique(np.stack([activity, contact]), axis=1)
    return pairs[0], pairs[1]


def link_goals(
    rng: np.random.Generator,
    activities: DemoActivities,
    *,
    goal_account: np.ndarray,
    goal_start: np.ndarray,
    goal_end: np.ndarray,
    diligence: np.ndarray,
) -> DemoActivities:
    """Link some conversations to the goal of their account they served.

    goal_start and goal_end (day numbers, inclusive) bound the days a goal was worked on;
    goals are sorted by account then start. An activity serves the latest goal started by then.
    """
    serving = np.isin(activities.type, _indexes(GOAL_SERVING)) & (activities.logged_by >= 0)
    share = GOAL_LINK_SHARE * np.minimum(diligence[np.maximum(activities.logged_by, 0)], 1.5)
    candidates = np.flatnonzero(serving & (rng.random(len(activities)) < share))
    day = activities.day[candidates]
    key = activities.account[candidates] * 100_000 + day
    goal_key = goal_account * 100_000 + goal_start
    goal = np.searchsorted(goal_key, key, side="right") - 1
    valid = goal >= 0
    goal = np.maximum(goal, 0)
    valid &= (goal_account[goal] == activities.account[candidates]) & (goal_end[goal] >= day)
    return replace(activities, goal_activity=candidates[valid], goal=goal[valid])
