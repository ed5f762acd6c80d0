"""Desired Outcomes of the demo customers: tailored ones, hand-offs from sales, and statements.

An account's Desired Outcome is stored only once tailored (otherwise its segment's defaults
are shown), so most accounts have none stored: the CSMs tailor some of their accounts, more
of the high-touch ones and the more diligent the CSM, often changing the meeting or review
cadence (which the activities then follow). Accounts that started in the last year came with a
hand-off from sales: what was promised, by whom, by when, and the stakeholders, which makes the
promise an expected outcome and the stakeholders the Desired Outcome's, as the service does.
Larger accounts have their template's expected and desired outcomes written down, and some of
them also what their economic buyer and their champion each hope for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from headway.demo.catalogue import (
    ADD_ON_OUTCOME,
    MEETING_CADENCE_DAYS,
    OUTCOME_KINDS,
    REVIEW_CADENCE_DAYS,
)
from headway.demo.contacts import DemoContacts
from headway.demo.segments import HIGH_TOUCH, MID_TOUCH, TECH_TOUCH
from headway.demo.words import (
    HANDOFF_NOTES,
    REQUIRED_OUTCOME_DETAILS,
    SALES_REPS,
    STAKEHOLDER_OUTCOMES,
    TEAMS,
)

# Share of each segment's owned accounts whose CSM tailored the Desired Outcome (at average
# diligence), and of those, how many changed the meeting or review cadence.
TAILORED_SHARE = (0.45, 0.2, 0.05)
CADENCE_CHANGED_SHARE, REVIEW_CHANGED_SHARE = 0.6, 0.3
TAILORED_MEETING_DAYS = ((14, 21, 45), (45, 60, 120), ())
TAILORED_REVIEW_DAYS = ((60, 120), (90, 120), ())
# Hand-offs began a year before as_of; a few accounts since still came without one.
HANDOFF_SINCE_DAYS, HANDOFF_SHARE = 365, 0.85
# Share of accounts with statements per stakeholder (high, mid); owned tech-touch accounts
# with their template's statements written down.
STAKEHOLDER_SHARE = (0.6, 0.2)
TECH_STATEMENT_SHARE = 0.3
NONE = -1

# The segment templates come first, in segment order.
assert all(OUTCOME_KINDS[s].segment == s for s in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH))


@dataclass(frozen=True)
class OutcomeInputs:
    """What the Desired Outcomes are drawn from (arrays, one entry per account)."""

    segment: np.ndarray  # now
    owner: np.ndarray  # now; -1 = none
    first_segment: np.ndarray
    first_owner: np.ndarray
    era_start: np.ndarray  # day number the current owner took over (the first start if always)
    first_start: np.ndarray  # day number
    add_on_since: np.ndarray  # day number the add-on now running started; -1 = none
    diligence: np.ndarray  # per team member
    contacts: DemoContacts
    as_of_day: int


@dataclass(frozen=True)
class DemoDesiredOutcomes:
    """Stored (tailored) Desired Outcomes, one per account at most."""

    account: np.ndarray
    template: np.ndarray  # index into catalogue.OUTCOME_KINDS
    required_outcome: np.ndarray  # object (str)
    meeting_days: np.ndarray  # -1 = none
    review_days: np.ndarray  # -1 = none
    stakeholders: np.ndarray  # object (str)
    created_at: np.ndarray  # datetime64[s]
    updated_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoHandoffs:
    """Hand-offs from sales, one per account at most."""

    account: np.ndarray
    promised: np.ndarray  # object (str)
    promised_by: np.ndarray  # object (str)
    due_day: np.ndarray  # day number
    stakeholders: np.ndarray  # object (str)
    notes: np.ndarray  # object (str)
    recorded_by: np.ndarray  # index into the team; -1 = the demo itself
    created_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoStatements:
    """Expected and desired outcomes, of the company or of one stakeholder."""

    account: np.ndarray
    desired: np.ndarray  # bool: desired (beyond the promise), else expected
    statement: np.ndarray  # object (str)
    contact: np.ndarray  # index into DemoCompany.contacts; -1 = the company's
    promised_by: np.ndarray  # object (str)
    due_day: np.ndarray  # day number; -1 = none
    created_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.account)


@dataclass(frozen=True)
class DemoOutcomes:
    """Desired Outcomes, hand-offs and statements, and the cadences each account now has."""

    desired: DemoDesiredOutcomes
    handoffs: DemoHandoffs
    statements: DemoStatements
    meeting_days: np.ndarray  # per account; -1 = none
    review_days: np.ndarray  # per account; -1 = none


def _at(day: np.ndarray, rng: np.random.Generator, first_hour: int = 9) -> np.ndarray:
    """Times in office hours on days."""
    seconds = day * 86_400 + first_hour * 3_600 + np.floor(rng.random(len(day)) * 8 * 3_600)
    return seconds.astype(np.int64).astype("datetime64[s]")


def _cadence(defaults: tuple[int | None, ...], segment: np.ndarray) -> np.ndarray:
    return np.array([NONE if d is None else d for d in defaults], dtype=np.int64)[segment]


def _pick(rng: np.random.Generator, choices: tuple[object, ...], count: int) -> np.ndarray:
    return np.array(choices, dtype=object)[rng.integers(0, len(choices), count)]


def _stakeholders(contacts: DemoContacts, first_contact: np.ndarray) -> np.ndarray:
    """'Name (Title), Name (Title)': each account's decision maker and champion."""
    one, two = first_contact, first_contact + 1
    return np.array(
        [
            f"{a} ({at}), {b} ({bt})"
            for a, at, b, bt in zip(
                contacts.name[one].tolist(),
                contacts.title[one].tolist(),
                contacts.name[two].tolist(),
                contacts.title[two].tolist(),
                strict=True,
            )
        ],
        dtype=object,
    )


def draw_outcomes(rng: np.random.Generator, inputs: OutcomeInputs) -> DemoOutcomes:
    """Draw tailored Desired Outcomes, hand-offs and outcome statements."""
    n = len(inputs.segment)
    latest = inputs.as_of_day
    contacts = inputs.contacts
    first_contact = np.searchsorted(contacts.account, np.arange(n))
    template = np.where(inputs.add_on_since >= 0, ADD_ON_OUTCOME, inputs.segment)

    # --- hand-offs ------------------------------------------------------------------------
    recent = inputs.first_start >= latest - HANDOFF_SINCE_DAYS
    sold = np.isin(inputs.first_segment, (HIGH_TOUCH, MID_TOUCH))
    handed = np.flatnonzero(recent & sold & (rng.random(n) < HANDOFF_SHARE))
    first_kind = inputs.first_segment[handed]
    handoff_at = _at(inputs.first_start[handed], rng)
    handoff_reps = _pick(rng, SALES_REPS, len(handed))
    promised = np.array([OUTCOME_KINDS[s].expected[0] for s in first_kind.tolist()], dtype=object)
    promised_days = np.array([OUTCOME_KINDS[s].expected_due_days[0] for s in range(3)])
    handoff_stakeholders = _stakeholders(contacts, first_contact[handed])
    handoffs = DemoHandoffs(
        account=handed,
        promised=promised,
        promised_by=handoff_reps,
        due_day=inputs.first_start[handed] + promised_days[first_kind],
        stakeholders=handoff_stakeholders,
        notes=_pick(rng, HANDOFF_NOTES, len(handed)),
        recorded_by=inputs.first_owner[handed],
        created_at=handoff_at,
    )

    # --- tailored Desired Outcomes --------------------------------------------------------
    owned = inputs.owner >= 0
    care = np.clip(inputs.diligence[np.maximum(inputs.owner, 0)], 0.5, 1.5)
    share = np.array(TAILORED_SHARE)[inputs.segment] * care
    tailored = owned & (rng.random(n) < share)
    tailored_on = np.minimum(inputs.era_start + rng.integers(5, 61, n), latest)
    meeting = _cadence(MEETING_CADENCE_DAYS, inputs.segment)
    review = _cadence(REVIEW_CADENCE_DAYS, inputs.segment)
    change_meeting = tailored & (rng.random(n) < CADENCE_CHANGED_SHARE)
    change_review = tailored & (rng.random(n) < REVIEW_CHANGED_SHARE)
    meeting_draw, review_draw = rng.random(n), rng.random(n)
    for segment in (HIGH_TOUCH, MID_TOUCH):
        options = np.array(TAILORED_MEETING_DAYS[segment])
        where = change_meeting & (inputs.segment == segment)
        meeting[where] = options[(meeting_draw[where] * len(options)).astype(np.int64)]
        options = np.array(TAILORED_REVIEW_DAYS[segment])
        where = change_review & (inputs.segment == segment)
        review[where] = options[(review_draw[where] * len(options)).astype(np.int64)]
    detail = rng.random(n) < 0.5
    team = _pick(rng, TEAMS, n)
    sentence = _pick(rng, REQUIRED_OUTCOME_DETAILS, n)

    has_handoff = np.zeros(n, dtype=bool)
    has_handoff[handed] = True
    stored = np.flatnonzero(tailored | has_handoff)
    # The hand-off stored the Desired Outcome first (with its stakeholders); tailoring changed it.
    handoff_time = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    handoff_time[handed] = handoff_at
    tailored_at = _at(tailored_on, rng, first_hour=10)
    created = np.where(has_handoff[stored], handoff_time[stored], tailored_at[stored])
    updated = np.where(tailored[stored], np.maximum(tailored_at[stored], created), created)
    required = []
    for i in stored.tolist():
        text = OUTCOME_KINDS[template[i]].required_outcome
        if tailored[i] and detail[i]:
            text = f"{text} {sentence[i].format(team=team[i])}"
        required.append(text)
    stakeholders = _stakeholders(contacts, first_contact[stored])
    keep_defaults = ~tailored[stored]
    desired = DemoDesiredOutcomes(
        account=stored,
        template=template[stored],
        required_outcome=np.array(required, dtype=object),
        meeting_days=np.where(
            keep_defaults, _cadence(MEETING_CADENCE_DAYS, inputs.segment[stored]), meeting[stored]
        ),
        review_days=np.where(
            keep_defaults, _cadence(REVIEW_CADENCE_DAYS, inputs.segment[stored]), review[stored]
        ),
        stakeholders=stakeholders,
        created_at=created,
        updated_at=updated,
    )
    now_meeting = _cadence(MEETING_CADENCE_DAYS, inputs.segment)
    now_review = _cadence(REVIEW_CADENCE_DAYS, inputs.segment)
    now_meeting[stored] = desired.meeting_days
    now_review[stored] = desired.review_days

    statements = _draw_statements(rng, inputs, handoffs, first_contact, template)
    return DemoOutcomes(desired, handoffs, statements, now_meeting, now_review)


def _draw_statements(
    rng: np.random.Generator,
    inputs: OutcomeInputs,
    handoffs: DemoHandoffs,
    first_contact: np.ndarray,
    template: np.ndarray,
) -> DemoStatements:
    """Expected and desired outcomes: the hand-off's promise, the templates', the stakeholders'."""
    n = len(inputs.segment)
    latest = inputs.as_of_day
    columns: dict[str, list[np.ndarray]] = {
        name: []
        for name in ("account", "desired", "statement", "contact", "promised_by", "due", "day")
    }

    def add(account: np.ndarray, *values: Any) -> None:
        """Add statements: one per account, each value a column or one for all."""
        for name, value in zip(columns, (account, *values), strict=True):
            columns[name].append(np.broadcast_to(np.asarray(value), (len(account),)).copy())

    # The hand-off's promise is an expected outcome (record_handoff adds it).
    add(
        handoffs.account,
        False,
        handoffs.promised,
        NONE,
        handoffs.promised_by,
        handoffs.due_day,
        handoffs.created_at.astype(np.int64) // 86_400,
    )
    has_handoff = np.zeros(n, dtype=bool)
    has_handoff[handoffs.account] = True
    written = np.isin(inputs.segment, (HIGH_TOUCH, MID_TOUCH)) | (
        (inputs.owner >= 0) & (rng.random(n) < TECH_STATEMENT_SHARE)
    )
    written_on = np.minimum(inputs.era_start + rng.integers(1, 21, n), latest)
    reps = _pick(rng, SALES_REPS, n)
    for segment in (HIGH_TOUCH, MID_TOUCH, TECH_TOUCH):
        kind = OUTCOME_KINDS[segment]
        mine = written & (inputs.segment == segment)
        # What the hand-off promised is written down already.
        repeated = has_handoff & (inputs.first_segment == segment)
        for j, (text, days) in enumerate(zip(kind.expected, kind.expected_due_days, strict=True)):
            who = np.flatnonzero(mine & ~repeated if j == 0 else mine)
            add(who, False, text, NONE, reps[who], inputs.era_start[who] + days, written_on[who])
        who = np.flatnonzero(mine)
        for text in kind.desired:
            add(who, True, text, NONE, "", NONE, written_on[who])
    # Accounts on the add-on also have its outcomes, from the day they took it.
    add_on = OUTCOME_KINDS[ADD_ON_OUTCOME]
    who = np.flatnonzero(template == ADD_ON_OUTCOME)
    since = inputs.add_on_since[who]
    for text, days in zip(add_on.expected, add_on.expected_due_days, strict=True):
        add(who, False, text, NONE, reps[who], since + days, since)
    for text in add_on.desired:
        add(who, True, text, NONE, "", NONE, since)
    # The economic buyer and the champion of some larger accounts want different things.
    share = np.zeros(n)
    share[inputs.segment == HIGH_TOUCH] = STAKEHOLDER_SHARE[0]
    share[inputs.segment == MID_TOUCH] = STAKEHOLDER_SHARE[1]
    who = np.flatnonzero(rng.random(n) < share)
    for offset, persona in enumerate(("decision_maker", "champion")):
        contact = first_contact[who] + offset
        known = inputs.contacts.created_at[contact].astype(np.int64) // 86_400
        day = np.minimum(
            np.maximum(known, inputs.era_start[who]) + rng.integers(1, 31, len(who)), latest
        )
        wants = _pick(rng, STAKEHOLDER_OUTCOMES[persona], len(who))
        add(who, True, wants, contact, "", NONE, day)

    account = np.concatenate(columns["account"]).astype(np.int64)
    day = np.concatenate(columns["day"]).astype(np.int64)
    order = np.lexsort((day, account))
    created_day = day[order]
    return DemoStatements(
        account=account[order],
        desired=np.concatenate(columns["desired"]).astype(bool)[order],
        statement=np.concatenate(columns["statement"]).astype(object)[order],
        contact=np.concatenate(columns["contact"]).astype(np.int64)[order],
        promised_by=np.concatenate(columns["promised_by"]).astype(object)[order],
        due_day=np.concatenate(columns["due"]).astype(np.int64)[order],
        created_at=_at(created_day, rng, first_hour=10),
    )
