"""Accounts: creation, changes, lifecycle stages, hierarchy, segments and the timeline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from headway.accounts.schemas import AccountFilter, AccountSort, AccountUpdate
from headway.accounts.service import (
    change_stage,
    get_segment,
    list_accounts,
    list_segments,
    list_stage_changes,
    segment_for_arr,
    update_account,
)
from headway.core.audit import AuditEntry
from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.core.timeline import account_timeline
from headway.revenue.service import apply_segment_rules, mrr_by_account_query
from headway.users.service import permissions_of
from tests.helpers import SETUP, make_account, subscribe

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_new_account_enters_its_first_stage_and_is_audited(session):
    with time_machine.travel(T0, tick=False):
        acme = make_account(session, "acme", "Acme")
    assert acme.stage.key == "onboarding"
    assert acme.stage_entered_at == T0
    [change] = list_stage_changes(session=session, account_id=acme.id)
    assert (change.from_stage_id, change.to_stage.key, change.changed_by) == (
        None,
        "onboarding",
        "test setup",
    )
    entry = session.query(AuditEntry).filter_by(action="account.create").one()
    assert entry.account_id == acme.id and entry.after["external_id"] == "acme"


def test_external_ids_are_unique(session):
    make_account(session, "acme")
    with pytest.raises(Conflict, match="acme"):
        make_account(session, "acme")


def test_every_stage_change_is_recorded_with_who_and_when_so_time_in_stage_is_derivable(
    session, bob
):
    with time_machine.travel(T0, tick=False):
        acme = make_account(session, "acme", owner=bob)
    later = T0 + timedelta(days=75)
    with time_machine.travel(later, tick=False):
        change_stage(
            session=session,
            actor=SETUP,
            permissions=permissions_of(bob),
            account_id=acme.id,
            stage="adoption",
            reason="went live",
        )
    changes = list_stage_changes(session=session, account_id=acme.id)
    assert [c.to_stage.key for c in changes] == ["onboarding", "adoption"]
    assert changes[1].from_stage.key == "onboarding"
    assert changes[1].reason == "went live"
    assert (changes[1].changed_at - changes[0].changed_at).days == 75  # time in onboarding
    assert acme.stage_entered_at == later


def test_moving_to_the_same_stage_records_nothing(session):
    acme = make_account(session, "acme")
    change_stage(
        session=session, actor=SETUP, permissions=None, account_id=acme.id, stage="onboarding"
    )
    assert len(list_stage_changes(session=session, account_id=acme.id)) == 1


def test_an_unknown_stage_is_refused_with_the_known_ones(session):
    acme = make_account(session, "acme")
    with pytest.raises(InvalidInput, match="onboarding, adoption, loyal, churned, reactivated"):
        change_stage(
            session=session, actor=SETUP, permissions=None, account_id=acme.id, stage="happy"
        )


def test_a_csm_cannot_edit_another_csms_account(session, bob, erin):
    acme = make_account(session, "acme", owner=erin)
    with pytest.raises(PermissionDenied):
        update_account(
            session=session,
            actor=SETUP,
            permissions=permissions_of(bob),
            account_id=acme.id,
            changes=AccountUpdate(name="Mine now"),
        )


def test_a_csm_cannot_reassign_even_their_own_account(session, bob, erin):
    acme = make_account(session, "acme", owner=bob)
    with pytest.raises(PermissionDenied, match="assign"):
        update_account(
            session=session,
            actor=SETUP,
            permissions=permissions_of(bob),
            account_id=acme.id,
            changes=AccountUpdate(owner_id=erin.id),
        )


def test_an_update_audits_only_what_changed(session, dave):
    acme = make_account(session, "acme", "Acme")
    update_account(
        session=session,
        actor=SETUP,
        permissions=permissions_of(dave),
        account_id=acme.id,
        changes=AccountUpdate(name="Acme", industry="Retail"),
    )
    entry = session.query(AuditEntry).filter_by(action="account.update").one()
    assert entry.before == {"industry": None}
    assert entry.after == {"industry": "Retail"}


def test_an_account_cannot_become_its_own_ancestor(session):
    group = make_account(session, "group")
    child = make_account(session, "child", parent=group)
    grandchild = make_account(session, "grandchild", parent=child)
    with pytest.raises(InvalidInput, match="ancestor"):
        update_account(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=group.id,
            changes=AccountUpdate(parent_id=grandchild.id),
        )


def test_segments_are_chosen_by_arr_with_inclusive_lower_bounds(session):
    segments = list_segments(session=session)
    assert [s.key for s in segments] == ["high-touch", "mid-touch", "tech-touch"]
    assert segment_for_arr(segments, 0).key == "tech-touch"
    assert segment_for_arr(segments, 999_999).key == "tech-touch"
    assert segment_for_arr(segments, 1_000_000).key == "mid-touch"  # $10,000 ARR
    assert segment_for_arr(segments, 10_000_000).key == "high-touch"  # $100,000 ARR


def test_the_segment_rule_moves_unlocked_accounts_and_leaves_hand_set_ones(session):
    with time_machine.travel(T0, tick=False):
        big = make_account(session, "big")
        small = make_account(session, "small")
        vip = make_account(session, "vip", segment="high-touch")  # chosen by hand: locked
        # A subscription written through the service re-segments its account at once.
        subscribe(session, big, "s-big", "9000", date(2025, 1, 1))  # $108k ARR
        subscribe(session, small, "s-small", "100", date(2025, 1, 1))  # $1.2k ARR
        subscribe(session, vip, "s-vip", "10", date(2025, 1, 1))
        assert (big.segment.key, small.segment.key) == ("high-touch", "tech-touch")
        assert vip.segment.key == "high-touch" and vip.segment_locked
        assert apply_segment_rules(session=session, actor=SETUP, currency="USD") == 0
        update_account(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=vip.id,
            changes=AccountUpdate(segment_by_rule=True),
        )
        assert apply_segment_rules(session=session, actor=SETUP, currency="USD") == 1
    assert vip.segment.key == "tech-touch"


def test_accounts_paying_in_another_currency_keep_their_segment(session):
    with time_machine.travel(T0, tick=False):
        euro = make_account(session, "euro", segment="high-touch")
        update_account(
            session=session,
            actor=SETUP,
            permissions=None,
            account_id=euro.id,
            changes=AccountUpdate(segment_by_rule=True),
        )
        # EUR 200,000 a month: counting it as USD 0 would drop the account to tech-touch.
        subscribe(session, euro, "s-eur", "200000", date(2025, 1, 1), currency="EUR")
        assert apply_segment_rules(session=session, actor=SETUP, currency="USD") == 0
    assert euro.segment.key == "high-touch"


def test_the_account_list_filters_searches_sorts_and_pages(session, bob):
    tech = get_segment(session=session, key="tech-touch")
    for i in range(12):
        account = make_account(
            session,
            f"acct-{i:02d}",
            f"Company {i:02d}",
            owner=bob if i % 2 else None,
            segment=tech.key if i < 4 else None,
        )
        subscribe(session, account, f"s-{i}", str(100 * (i + 1)), date(2025, 6, 1))
    on = date(2026, 1, 1)
    rows, total = list_accounts(
        session=session,
        filters=AccountFilter(owner_id=bob.id),
        sort=AccountSort.MRR_DESC,
        page=1,
        per_page=4,
        mrr_query=mrr_by_account_query(on=on, currency="USD"),
    )
    assert total == 6
    assert [r.account.external_id for r in rows] == ["acct-11", "acct-09", "acct-07", "acct-05"]
    assert rows[0].mrr_minor == 120_000 and rows[0].owner_name == "Bob Brown"
    rows, total = list_accounts(
        session=session,
        filters=AccountFilter(owner_id=bob.id),
        sort=AccountSort.MRR_DESC,
        page=2,
        per_page=4,
        mrr_query=mrr_by_account_query(on=on, currency="USD"),
    )
    assert [r.account.external_id for r in rows] == ["acct-03", "acct-01"]
    rows, total = list_accounts(session=session, filters=AccountFilter(segment="tech-touch"))
    # 4 set by hand, and the rule put 4 more (ARR $1,200 … $9,600 < $10,000) there too.
    assert total == 8
    rows, total = list_accounts(session=session, filters=AccountFilter(q="COMPANY 1"))
    assert [r.account.name for r in rows] == ["Company 10", "Company 11"]
    rows, total = list_accounts(session=session, filters=AccountFilter(unowned=True))
    assert total == 6


def test_the_timeline_shows_stage_changes_subscriptions_and_audited_writes(session):
    with time_machine.travel(T0, tick=False):
        acme = make_account(session, "acme", "Acme")
        subscribe(session, acme, "s-1", "500", date(2025, 11, 1), date(2025, 12, 1), plan="Starter")
        change_stage(
            session=session, actor=SETUP, permissions=None, account_id=acme.id, stage="adoption"
        )
        titles = [e.title for e in account_timeline(session, acme.id)]
    assert "Stage Onboarding → Adoption" in titles
    assert "Entered stage Onboarding" in titles
    assert "Subscription Starter started (USD 500.00/month × 1)" in titles
    assert "Subscription Starter ended" in titles
    assert "Account created" in titles
    assert "Subscription added" in titles
