"""Coverage of required touches, per segment and stage: tables of hand-computed cases.

The requirements mirror what the migration seeds (stage ids: 1 onboarding, 2 adoption):
- high-touch: a business review at the review cadence (90 days by default), a check-in at the
  meeting cadence (30 days), an onboarding session every 14 days while onboarding;
- tech-touch: an onboarding email every 14 days while onboarding, a digital touch every 90
  days in adoption, and no meetings.
"""

from __future__ import annotations

from datetime import date

import pytest

from headway.activities.coverage import (
    Requirement,
    account_coverage,
    applies,
    interval_of,
    requirement_line,
)

ONBOARDING, ADOPTION = 1, 2
CONVERSATION = frozenset({"meeting", "call", "check_in", "business_review"})
DIGITAL = frozenset({"email", "in_app", "webinar"})

REVIEW = Requirement("Business review", frozenset({"business_review"}), None, cadence="review")
CHECK_IN = Requirement("Check-in", CONVERSATION, None, cadence="meeting")
ONBOARDING_SESSION = Requirement(
    "Onboarding session", frozenset({"onboarding_session", "training"}), 14, stage_id=ONBOARDING
)
HIGH_TOUCH = [REVIEW, CHECK_IN, ONBOARDING_SESSION]

ONBOARDING_EMAIL = Requirement("Onboarding email", DIGITAL, 14, stage_id=ONBOARDING)
DIGITAL_TOUCH = Requirement("Digital touch", DIGITAL, 90, stage_id=ADOPTION)
TECH_TOUCH = [REVIEW, CHECK_IN, ONBOARDING_EMAIL, DIGITAL_TOUCH]

CUSTOMER_SINCE = date(2025, 6, 1)


def coverage(
    requirements,
    *,
    stage=ADOPTION,
    meeting=30,
    review=90,
    touches=None,
    stage_since=date(2025, 9, 1),
    as_of=date(2026, 4, 10),
):
    lines = account_coverage(
        requirements,
        stage_id=stage,
        meeting_days=meeting,
        review_days=review,
        last_touches=touches or {},
        customer_since=CUSTOMER_SINCE,
        stage_since=stage_since,
        as_of=as_of,
    )
    return {line.name: (line.due_on, line.overdue_days) for line in lines}


# --- one requirement -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last_review", "as_of", "due_on", "overdue_days"),
    [
        # 2026-01-10 + 90 days = 2026-04-10 (21 + 28 + 31 + 10).
        (date(2026, 1, 10), date(2026, 4, 9), date(2026, 4, 10), 0),
        (date(2026, 1, 10), date(2026, 4, 10), date(2026, 4, 10), 0),
        (date(2026, 1, 10), date(2026, 4, 11), date(2026, 4, 10), 1),
        (date(2026, 1, 10), date(2026, 4, 25), date(2026, 4, 10), 15),
        (date(2026, 1, 10), date(2027, 4, 10), date(2026, 4, 10), 365),
        # A review on the day itself resets the clock.
        (date(2026, 4, 25), date(2026, 4, 25), date(2026, 7, 24), 0),
    ],
)
def test_a_high_touch_account_needs_a_business_review_every_90_days(
    last_review, as_of, due_on, overdue_days
):
    [line] = account_coverage(
        [REVIEW],
        stage_id=ADOPTION,
        meeting_days=30,
        review_days=90,
        last_touches={"business_review": last_review},
        customer_since=CUSTOMER_SINCE,
        stage_since=CUSTOMER_SINCE,
        as_of=as_of,
    )
    assert (line.every_days, line.last_touch) == (90, last_review)
    assert (line.due_on, line.overdue_days, line.met) == (due_on, overdue_days, overdue_days == 0)


@pytest.mark.parametrize(
    ("touches", "last_touch", "due_on", "overdue_days"),
    [
        # The latest touch of any qualifying type counts: 2026-02-20 + 30 days = 2026-03-22.
        (
            {"call": date(2026, 2, 1), "meeting": date(2026, 2, 20)},
            date(2026, 2, 20),
            date(2026, 3, 22),
            19,
        ),
        # A business review is a conversation too.
        ({"business_review": date(2026, 4, 1)}, date(2026, 4, 1), date(2026, 5, 1), 0),
        # Emails do not count as a check-in: the clock runs from becoming a customer,
        # 2025-06-01 + 30 days = 2025-07-01, 184 + 99 days before 2026-04-10.
        ({"email": date(2026, 4, 9)}, None, date(2025, 7, 1), 283),
        # A touch after as_of is not known yet.
        (
            {"call": date(2026, 3, 1), "meeting": date(2026, 5, 1)},
            date(2026, 3, 1),
            date(2026, 3, 31),
            10,
        ),
    ],
)
def test_which_touches_meet_a_check_in(touches, last_touch, due_on, overdue_days):
    line = requirement_line(
        CHECK_IN, 30, touches, subject_since=CUSTOMER_SINCE, as_of=date(2026, 4, 10)
    )
    assert (line.last_touch, line.due_on, line.overdue_days) == (last_touch, due_on, overdue_days)


# --- which requirements apply, and at which interval ---------------------------------------


@pytest.mark.parametrize(
    ("requirement", "meeting", "review", "interval"),
    [
        (REVIEW, 30, 90, 90),
        (REVIEW, 30, 60, 60),  # the account's tailored review cadence
        (REVIEW, 30, None, None),  # no review cadence: the requirement lapses
        (CHECK_IN, 14, 90, 14),
        (CHECK_IN, None, 90, None),
        (ONBOARDING_SESSION, None, None, 14),  # a fixed interval ignores the cadences
    ],
)
def test_a_cadence_requirement_takes_the_accounts_own_cadence(
    requirement, meeting, review, interval
):
    assert interval_of(requirement, meeting_days=meeting, review_days=review) == interval


@pytest.mark.parametrize(
    ("requirement", "stage", "applies_"),
    [
        (REVIEW, ONBOARDING, True),
        (REVIEW, None, True),
        (ONBOARDING_SESSION, ONBOARDING, True),
        (ONBOARDING_SESSION, ADOPTION, False),
        (ONBOARDING_SESSION, None, False),
        (DIGITAL_TOUCH, ADOPTION, True),
    ],
)
def test_a_stage_requirement_applies_only_in_its_stage(requirement, stage, applies_):
    assert applies(requirement, stage) is applies_


# --- an account's whole coverage -----------------------------------------------------------


def test_a_high_touch_account_in_adoption_owes_a_review_and_a_check_in():
    lines = coverage(
        HIGH_TOUCH,
        touches={"business_review": date(2026, 1, 10), "call": date(2026, 3, 1)},
    )
    # Review 2026-01-10 + 90 = 2026-04-10, met; check-in 2026-03-01 + 30 = 2026-03-31.
    assert lines == {
        "Business review": (date(2026, 4, 10), 0),
        "Check-in": (date(2026, 3, 31), 10),
    }


def test_a_tailored_cadence_overrides_the_segments():
    lines = coverage(
        HIGH_TOUCH,
        meeting=14,
        review=60,
        touches={"business_review": date(2026, 1, 10), "call": date(2026, 3, 1)},
    )
    # Review 2026-01-10 + 60 = 2026-03-11 (30 days before 04-10); check-in 03-01 + 14 = 03-15.
    assert lines == {
        "Business review": (date(2026, 3, 11), 30),
        "Check-in": (date(2026, 3, 15), 26),
    }


def test_a_tech_touch_account_owes_no_meetings_only_its_digital_touch():
    lines = coverage(TECH_TOUCH, meeting=None, review=None, touches={"in_app": date(2025, 12, 1)})
    # 2025-12-01 + 90 = 2026-03-01; 2026-04-10 is 40 days later.
    assert lines == {"Digital touch": (date(2026, 3, 1), 40)}


def test_an_onboarding_account_owes_its_onboarding_touches_but_not_the_adoption_ones():
    lines = coverage(
        TECH_TOUCH,
        stage=ONBOARDING,
        meeting=None,
        review=None,
        stage_since=date(2026, 4, 1),
        touches={"email": date(2026, 4, 3)},
    )
    assert lines == {"Onboarding email": (date(2026, 4, 17), 0)}


@pytest.mark.parametrize(
    ("touches", "as_of", "due_on", "overdue_days"),
    [
        # No touch yet: 14 days from entering onboarding on 2026-03-01, not from 2025-06-01.
        ({}, date(2026, 3, 10), date(2026, 3, 15), 0),
        ({}, date(2026, 3, 15), date(2026, 3, 15), 0),
        ({}, date(2026, 3, 20), date(2026, 3, 15), 5),
        # A touch from before the stage was entered does not move the clock back.
        ({"training": date(2026, 2, 20)}, date(2026, 3, 20), date(2026, 3, 15), 5),
        # A touch inside the stage does.
        ({"training": date(2026, 3, 10)}, date(2026, 3, 20), date(2026, 3, 24), 0),
        ({"onboarding_session": date(2026, 3, 10)}, date(2026, 4, 1), date(2026, 3, 24), 8),
    ],
)
def test_a_stage_requirement_clock_starts_when_the_account_entered_the_stage(
    touches, as_of, due_on, overdue_days
):
    lines = coverage(
        [ONBOARDING_SESSION],
        stage=ONBOARDING,
        stage_since=date(2026, 3, 1),
        touches=touches,
        as_of=as_of,
    )
    assert lines == {"Onboarding session": (due_on, overdue_days)}


def test_a_requirement_for_every_stage_runs_from_becoming_a_customer():
    # 2025-06-01 + 90 = 2025-08-30; 2025-09-05 is 6 days later, though the stage began 09-01.
    lines = coverage([REVIEW], stage_since=date(2025, 9, 1), as_of=date(2025, 9, 5))
    assert lines == {"Business review": (date(2025, 8, 30), 6)}


def test_an_account_without_requirements_has_no_lines():
    assert coverage([], as_of=date(2026, 4, 10)) == {}
