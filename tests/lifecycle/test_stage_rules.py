"""Stage rules: first value and health move accounts, once a day, recorded on the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.accounts.service import get_account, list_stage_changes
from headway.core.audit import AuditEntry
from headway.core.errors import InvalidInput, NotFound, PermissionDenied
from headway.core.timeline import account_timeline
from headway.lifecycle.configuration import (
    delete_stage_rule,
    list_stage_rules,
    save_stage_rule,
)
from headway.lifecycle.rules import (
    AccountFacts,
    PlannedMove,
    Rule,
    check_rule,
    plan_moves,
    reason_of,
    window,
)
from headway.lifecycle.stages import apply_stage_rules
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import SETUP, make_account, subscribe
from tests.lifecycle.support import scored, used

TODAY = date(2026, 3, 2)
D = date
FIRST_VALUE = Rule(1, "onboarding", "adoption", "first_value_reached")
LOYAL = Rule(2, "adoption", "loyal", "healthy_for_days", 90)
BACK = Rule(3, "loyal", "adoption", "unhealthy_for_days", 30)


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "facts", "reason"),
    [
        (FIRST_VALUE, AccountFacts(1, "onboarding", D(2026, 3, 2), "Report Created"),
         "First value reached on 2026-03-02 (Report Created)"),
        (FIRST_VALUE, AccountFacts(1, "onboarding", None), None),
        (FIRST_VALUE, AccountFacts(1, "onboarding", D(2026, 3, 3), "Report Created"), None),
        (LOYAL, AccountFacts(1, "adoption", band_days={("green", 90): 90}),
         "Green every day of the last 90 days (2025-12-03 to 2026-03-02)"),
        (LOYAL, AccountFacts(1, "adoption", band_days={("green", 90): 89}), None),
        (LOYAL, AccountFacts(1, "adoption", band_days={("red", 90): 90}), None),
        (LOYAL, AccountFacts(1, "adoption"), None),
        (BACK, AccountFacts(1, "loyal", band_days={("red", 30): 30}),
         "Red every day of the last 30 days (2026-02-01 to 2026-03-02)"),
    ],
)  # fmt: skip
def test_reason_of_a_rule_for_an_account(rule, facts, reason):
    assert reason_of(rule, facts, TODAY) == reason


@pytest.mark.parametrize(
    ("as_of", "days", "first"),
    [(TODAY, 90, D(2025, 12, 3)), (TODAY, 1, TODAY), (D(1, 1, 5), 90, D(1, 1, 1))],
)
def test_the_window_of_the_last_days_includes_the_day(as_of, days, first):
    assert window(as_of, days) == (first, as_of)


def test_rules_apply_in_order_one_step_per_run_and_never_to_churned_accounts():
    from_churned = Rule(4, "churned", "adoption", "first_value_reached")  # never saved; see below
    everything = {("green", 90): 90}
    accounts = [
        AccountFacts(1, "onboarding", D(2026, 1, 5), "Report Created", everything),
        AccountFacts(2, "adoption", D(2026, 1, 5), "Report Created", everything),
        AccountFacts(3, "churned", D(2026, 1, 5), "Report Created", everything),
        AccountFacts(4, None, D(2026, 1, 5)),
    ]
    moves = plan_moves([FIRST_VALUE, LOYAL, from_churned], accounts, TODAY)
    assert [(m.account_id, m.from_stage, m.to_stage, m.rule_id) for m in moves] == [
        (1, "onboarding", "adoption", 1),  # not on to loyal in the same run
        (2, "adoption", "loyal", 2),
    ]
    assert isinstance(moves[0], PlannedMove)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("onboarding", "adoption", "first_value_reached", None), None),
        (("adoption", "loyal", "healthy_for_days", 90), None),
        (("onboarding", "onboarding", "first_value_reached", None), "are the same"),
        (("adoption", "churned", "unhealthy_for_days", 30), "churned cannot be in a rule"),
        (("churned", "adoption", "first_value_reached", None), "churned cannot be in a rule"),
        (("adoption", "loyal", "healthy_for_days", None), "needs days between 1 and 3650"),
        (("adoption", "loyal", "healthy_for_days", 0), "needs days between 1 and 3650"),
        (("onboarding", "adoption", "first_value_reached", 5), "takes no days"),
        (("onboarding", "adoption", "renewed", None), "expected one of first_value_reached"),
    ],
)
def test_rules_that_make_no_sense_are_refused_naming_why(args, message):
    if message is None:
        check_rule(*args)
    else:
        with pytest.raises(ValueError, match=message):
            check_rule(*args)


# --- applying them -------------------------------------------------------------------------


def onboarded(session, key, *, first_value=None, stage="onboarding"):
    account = make_account(session, key, segment="mid-touch", stage=stage)
    subscribe(session, account, f"{key}-1", "50", D(2026, 1, 1))
    if first_value:
        used(session, account, "Report Created", first_value)
    return account


def stage_of(session, account):
    session.expire_all()
    return get_account(session=session, account_id=account.id).stage.key


def test_first_value_moves_onboarding_to_adoption_and_shows_on_the_timeline(session):
    acme = onboarded(session, "acme", first_value=D(2026, 3, 2))
    globex = onboarded(session, "globex")
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=UTC), tick=False):
        moves = apply_stage_rules(session=session, as_of=TODAY)
    assert [(m.account_name, m.from_stage, m.to_stage, m.reason) for m in moves] == [
        ("Acme", "onboarding", "adoption", "First value reached on 2026-03-02 (Report Created)")
    ]
    assert (stage_of(session, acme), stage_of(session, globex)) == ("adoption", "onboarding")
    change = list_stage_changes(session=session, account_id=acme.id)[-1]
    assert (change.changed_by, change.reason) == (
        "stage rule",
        "First value reached on 2026-03-02 (Report Created)",
    )
    stage_entries = [e for e in account_timeline(session, acme.id) if e.kind == "stage"]
    assert (stage_entries[0].title, stage_entries[0].actor, stage_entries[0].details) == (
        "Stage Onboarding → Adoption",
        "stage rule",
        {"reason": "First value reached on 2026-03-02 (Report Created)"},
    )


def test_ninety_green_days_make_an_account_loyal_and_eighty_nine_do_not(session):
    ninety = onboarded(session, "ninety", stage="adoption")
    scored(session, ninety, "green", TODAY, 90)
    eighty_nine = onboarded(session, "eighty-nine", stage="adoption")
    scored(session, eighty_nine, "green", TODAY, 89)
    scored(session, eighty_nine, "yellow", D(2025, 12, 3), 1)  # the 90th day back
    not_today = onboarded(session, "not-today", stage="adoption")
    scored(session, not_today, "green", D(2026, 3, 1), 90)  # no score today yet
    moves = apply_stage_rules(session=session, as_of=TODAY)
    assert [(m.account_name, m.to_stage) for m in moves] == [("Ninety", "loyal")]
    assert moves[0].reason == "Green every day of the last 90 days (2025-12-03 to 2026-03-02)"
    assert [stage_of(session, a) for a in (ninety, eighty_nine, not_today)] == [
        "loyal",
        "adoption",
        "adoption",
    ]


def test_churned_accounts_never_move(session):
    gone = onboarded(session, "gone", first_value=D(2026, 2, 1), stage="churned")
    scored(session, gone, "green", TODAY, 90)
    assert apply_stage_rules(session=session, as_of=TODAY) == []
    assert stage_of(session, gone) == "churned"


def test_applying_twice_a_day_moves_nothing_more_and_the_next_step_waits_a_day(session):
    star = onboarded(session, "star", first_value=D(2026, 1, 10))
    scored(session, star, "green", D(2026, 3, 3), 91)
    assert [m.to_stage for m in apply_stage_rules(session=session, as_of=TODAY)] == ["adoption"]
    assert apply_stage_rules(session=session, as_of=TODAY) == []
    assert len(list_stage_changes(session=session, account_id=star.id)) == 2  # created, moved
    with time_machine.travel(datetime(2026, 3, 3, 6, 0, tzinfo=UTC), tick=False):
        moves = apply_stage_rules(session=session)
    assert [m.to_stage for m in moves] == ["loyal"]
    assert stage_of(session, star) == "loyal"


def test_a_dry_run_tells_what_would_move_and_moves_nothing(session):
    acme = onboarded(session, "acme", first_value=D(2026, 2, 1))
    moves = apply_stage_rules(session=session, as_of=TODAY, dry_run=True)
    assert [(m.account_name, m.to_stage) for m in moves] == [("Acme", "adoption")]
    assert stage_of(session, acme) == "onboarding"
    assert len(list_stage_changes(session=session, account_id=acme.id)) == 1


def test_a_red_rule_added_by_a_manager_moves_loyal_accounts_back_to_adoption(session, dave):
    rule = save_stage_rule(
        session=session,
        actor=actor_for_user(dave),
        permissions=permissions_of(dave),
        from_stage="loyal",
        to_stage="adoption",
        condition="unhealthy_for_days",
        days=30,
    )
    assert (rule.position, rule.description) == (3, "red every day of the last 30 days")
    slipping = onboarded(session, "slipping", stage="loyal")
    scored(session, slipping, "red", TODAY, 30)
    moves = apply_stage_rules(session=session, as_of=TODAY)
    assert [(m.account_name, m.from_stage, m.to_stage) for m in moves] == [
        ("Slipping", "loyal", "adoption")
    ]
    entry = session.query(AuditEntry).filter_by(action="stage_rule.create").one()
    assert (entry.actor_label, entry.after["days"]) == ("dave@example.com", 30)


def test_inactive_rules_move_nobody(session):
    onboarded(session, "acme", first_value=D(2026, 2, 1))
    first = list_stage_rules(session=session)[0]
    save_stage_rule(
        session=session,
        actor=SETUP,
        permissions=None,
        rule_id=first.id,
        from_stage=first.from_stage,
        to_stage=first.to_stage,
        condition=first.condition,
        active=False,
    )
    assert apply_stage_rules(session=session, as_of=TODAY) == []


# --- the rules as data ---------------------------------------------------------------------


def test_the_seeded_rules_are_listed_in_order(session):
    rules = list_stage_rules(session=session)
    assert [(r.position, r.from_stage, r.to_stage, r.description) for r in rules] == [
        (1, "onboarding", "adoption", "first value reached"),
        (2, "adoption", "loyal", "green every day of the last 90 days"),
    ]


def test_a_csm_cannot_change_stage_rules(session, bob):
    with pytest.raises(PermissionDenied, match="admins and managers"):
        save_stage_rule(
            session=session,
            actor=actor_for_user(bob),
            permissions=permissions_of(bob),
            from_stage="loyal",
            to_stage="adoption",
            condition="unhealthy_for_days",
            days=30,
        )


def test_unknown_stages_and_rules_are_refused(session):
    with pytest.raises(InvalidInput, match="unknown lifecycle stage 'vip'"):
        save_stage_rule(
            session=session,
            actor=SETUP,
            permissions=None,
            from_stage="adoption",
            to_stage="vip",
            condition="healthy_for_days",
            days=30,
        )
    with pytest.raises(NotFound, match="stage rule 999 does not exist"):
        delete_stage_rule(session=session, actor=SETUP, permissions=None, rule_id=999)


def test_a_deleted_rule_is_gone_and_audited(session, alice):
    loyal = list_stage_rules(session=session)[1]
    delete_stage_rule(
        session=session,
        actor=actor_for_user(alice),
        permissions=permissions_of(alice),
        rule_id=loyal.id,
    )
    assert [r.to_stage for r in list_stage_rules(session=session)] == ["adoption"]
    assert (
        session.query(AuditEntry).filter_by(action="stage_rule.delete").one().before["condition"]
        == "healthy_for_days"
    )
