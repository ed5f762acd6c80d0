"""Scorecards as data: versions, who may edit them, YAML export and import with dry run.

Today is frozen at 2026-03-15. Accounts pay a steady 100 USD a month since 2025-01-01, so
their MRR changed by 0 over 90 days: the revenue-only scorecard below (linear −0.2 → 0.1)
scores them (0 + 0.2) ÷ 0.3 × 100 = 66.67, yellow; with `best: 0.0` they would score 100.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
import yaml

from headway.core.audit import AuditEntry
from headway.core.errors import Conflict, InvalidInput, PermissionDenied
from headway.health.definition import ScorecardDefinition
from headway.health.models import ScorecardVersion
from headway.health.scorecards import (
    create_scorecard,
    current_definition,
    export_yaml,
    get_scorecard,
    import_yaml,
    list_scorecards,
    list_versions,
    save_version,
    scorecard_for_account,
    scorecards_by_segment,
)
from headway.users.service import actor_for_user, permissions_of
from tests.helpers import SETUP, make_account, subscribe

TODAY = datetime(2026, 3, 15, 9, 0, tzinfo=UTC)


def revenue_only(best: float = 0.1) -> ScorecardDefinition:
    """One measure: MRR change over 90 days, linear from −20 % to `best`."""
    return ScorecardDefinition.model_validate(
        {
            "groups": [
                {
                    "name": "Revenue",
                    "weight": 100,
                    "measures": [
                        {
                            "key": "mrr_change",
                            "name": "MRR change over 90 days",
                            "source": "revenue.mrr_change",
                            "params": {"days": 90},
                            "weight": 1,
                            "scoring": {"type": "linear", "worst": -0.2, "best": best},
                        }
                    ],
                }
            ]
        }
    )


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def make_mid_touch_card(session):
    """The mid-touch segment's own scorecard: revenue only."""
    return create_scorecard(
        session=session,
        actor=SETUP,
        permissions=None,
        key="mid-touch",
        name="Mid-touch health",
        segment_key="mid-touch",
        definition=revenue_only(),
    )


def make_paying_mid_touch(session, owner):
    """Acme and Globex, mid-touch, paying a steady 100 USD a month since 2025-01-01."""
    accounts = []
    for external_id in ("acme", "globex"):
        account = make_account(session, external_id, owner=owner, segment="mid-touch")
        subscribe(session, account, f"{external_id}-1", "100", date(2025, 1, 1))
        accounts.append(account)
    return accounts


@pytest.fixture
def mid_touch_card(session):
    return make_mid_touch_card(session)


@pytest.fixture
def paying_mid_touch(session, bob):
    return make_paying_mid_touch(session, bob)


def _save(session, person, definition, note=""):
    return save_version(
        session=session,
        actor=actor_for_user(person) if person else SETUP,
        permissions=permissions_of(person) if person else None,
        scorecard_key="mid-touch",
        definition=definition,
        note=note,
    )


# --- versions ------------------------------------------------------------------------------


def test_saving_a_changed_definition_makes_it_the_new_current_version(
    session, dave, mid_touch_card
):
    version = _save(session, dave, revenue_only(best=0.0), note="steady is healthy")

    card = get_scorecard(session=session, key="mid-touch")
    assert (version.version, card.current_version) == (2, 2)
    assert [v.version for v in list_versions(session=session, scorecard=card)] == [1, 2]
    assert version.created_by == "dave@example.com" and version.note == "steady is healthy"
    assert current_definition(session=session, scorecard=card) == revenue_only(best=0.0)
    audit = session.query(AuditEntry).filter_by(action="scorecard.version").one()
    assert (audit.before, audit.after) == (
        {"version": 1},
        {"version": 2, "note": "steady is healthy"},
    )


def test_saving_the_same_definition_keeps_the_current_version(session, dave, mid_touch_card):
    version = _save(session, dave, revenue_only())

    assert version.version == 1
    assert session.query(ScorecardVersion).filter_by(scorecard_id=mid_touch_card.id).count() == 1
    assert session.query(AuditEntry).filter_by(action="scorecard.version").count() == 0


def test_a_measure_reading_an_unknown_source_is_refused_with_the_known_sources(
    session, mid_touch_card
):
    data = revenue_only().model_dump(by_alias=True)
    data["groups"][0]["measures"][0]["source"] = "crm.mood"

    with pytest.raises(InvalidInput) as refused:
        _save(session, None, ScorecardDefinition.model_validate(data))

    message = str(refused.value)
    assert message.startswith("groups[0].measures[0].source: unknown measure source 'crm.mood'")
    assert "known sources:" in message and "revenue.mrr_change" in message


def test_admins_and_managers_edit_scorecards(session, alice, dave, mid_touch_card):
    assert _save(session, alice, revenue_only(best=0.0)).version == 2
    assert _save(session, dave, revenue_only(best=0.05)).version == 3


@pytest.mark.parametrize("person", ["bob", "carol"])
def test_csms_and_viewers_read_scorecards_but_cannot_edit_them(
    session, request, person, mid_touch_card
):
    someone = request.getfixturevalue(person)

    with pytest.raises(PermissionDenied, match="only admins and managers edit health scorecards"):
        _save(session, someone, revenue_only(best=0.0))
    assert [c.key for c in list_scorecards(session=session)] == ["default", "mid-touch"]


def test_a_segment_scorecard_scores_its_accounts_and_the_default_the_others(
    session, mid_touch_card
):
    acme = make_account(session, "acme", segment="mid-touch")
    initech = make_account(session, "initech", segment="tech-touch")
    loose = make_account(session, "loose")

    assert scorecard_for_account(session=session, account=acme).key == "mid-touch"
    assert scorecard_for_account(session=session, account=initech).key == "default"
    assert scorecard_for_account(session=session, account=loose).key == "default"
    by_segment = scorecards_by_segment(session=session)
    assert set(by_segment) == {None, acme.segment_id}
    card, version, definition = by_segment[acme.segment_id]
    assert (card.key, version, definition) == ("mid-touch", 1, revenue_only())
    assert by_segment[None].scorecard.key == "default"


def test_a_segment_has_one_scorecard(session, mid_touch_card):
    with pytest.raises(Conflict, match="segment 'mid-touch' has a scorecard already: 'mid-touch'"):
        create_scorecard(
            session=session,
            actor=SETUP,
            permissions=None,
            key="mid-touch-2",
            name="Another",
            segment_key="mid-touch",
            definition=revenue_only(),
        )


# --- YAML ----------------------------------------------------------------------------------


def _import(session, text, *, dry_run, person=None):
    return import_yaml(
        session=session,
        actor=actor_for_user(person) if person else SETUP,
        permissions=permissions_of(person) if person else None,
        text=text,
        dry_run=dry_run,
    )


def test_the_exported_file_reads_back_unchanged(session, mid_touch_card):
    text = export_yaml(session=session)

    document = yaml.safe_load(text)
    assert [(s["key"], s["segment"]) for s in document["scorecards"]] == [
        ("default", None),
        ("mid-touch", "mid-touch"),
    ]
    assert list(document["scorecards"][1]) == [
        "key", "name", "segment", "aggregation", "baseline", "bands", "trend", "groups"
    ]  # fmt: skip
    assert "scoring: {type: linear, worst: -0.2, best: 0.1}" in text
    preview = _import(session, text, dry_run=False)
    assert preview.errors == []
    assert [(c.key, c.action) for c in preview.scorecards] == [
        ("default", "unchanged"),
        ("mid-touch", "unchanged"),
    ]
    assert session.query(ScorecardVersion).count() == 2


def test_a_dry_run_shows_the_band_changes_and_changes_nothing(
    session, mid_touch_card, paying_mid_touch
):
    text = export_yaml(session=session, keys=["mid-touch"]).replace("best: 0.1}", "best: 0}")

    preview = _import(session, text, dry_run=True)

    assert preview.errors == [] and not preview.saved
    (change,) = preview.scorecards
    assert (change.action, change.version_before, change.version_after) == ("new_version", 1, 2)
    assert change.accounts == 2
    assert change.band_changes == {"yellow → green": 2}
    assert [(m.name, round(m.score_before, 2), m.score_after) for m in change.movers] == [
        ("Acme", 66.67, 100.0),
        ("Globex", 66.67, 100.0),
    ]
    session.expire_all()
    assert get_scorecard(session=session, key="mid-touch").current_version == 1
    assert session.query(ScorecardVersion).count() == 2
    assert session.query(AuditEntry).filter_by(entity_type="scorecard").count() == 1  # create


def test_an_import_saves_new_versions_and_new_scorecards(session, dave, mid_touch_card):
    document = yaml.safe_load(export_yaml(session=session, keys=["mid-touch"]))
    changed = document["scorecards"][0]
    changed["groups"][0]["measures"][0]["scoring"]["best"] = 0.0
    added = dict(changed, key="high-touch", name="High-touch health", segment="high-touch")
    document["scorecards"].append(added)

    preview = _import(session, yaml.safe_dump(document), dry_run=False, person=dave)

    assert preview.saved
    assert [(c.key, c.action, c.version_after) for c in preview.scorecards] == [
        ("mid-touch", "new_version", 2),
        ("high-touch", "new_scorecard", 1),
    ]
    session.expire_all()
    assert get_scorecard(session=session, key="mid-touch").current_version == 2
    high_touch = get_scorecard(session=session, key="high-touch")
    assert list_versions(session=session, scorecard=high_touch)[0].created_by == "dave@example.com"


def test_a_new_segment_scorecard_takes_its_accounts_from_the_default(session, paying_mid_touch):
    text = export_yaml(session=session, keys=["default"])
    document = yaml.safe_load(text)
    card = revenue_only().model_dump(mode="json", by_alias=True, exclude_none=True)
    document["scorecards"].append(
        {"key": "mid-touch", "name": "Mid-touch health", "segment": "mid-touch", **card}
    )

    preview = _import(session, yaml.safe_dump(document), dry_run=True)

    default, mid_touch = preview.scorecards
    assert (default.action, default.accounts) == ("unchanged", 0)
    assert (mid_touch.action, mid_touch.version_before, mid_touch.version_after) == (
        "new_scorecard",
        None,
        1,
    )
    assert mid_touch.accounts == 2
    assert [m.score_after for m in mid_touch.movers] == [pytest.approx(200 / 3)] * 2
    assert [c.key for c in list_scorecards(session=session)] == ["default"]


def test_an_import_with_one_bad_scorecard_saves_none(session, mid_touch_card):
    document = yaml.safe_load(export_yaml(session=session, keys=["mid-touch"]))
    document["scorecards"][0]["groups"][0]["measures"][0]["scoring"]["best"] = 0.0
    bad = dict(document["scorecards"][0], key="high-touch", name="High", segment="nowhere")
    document["scorecards"].append(bad)

    preview = _import(session, yaml.safe_dump(document), dry_run=False)

    assert not preview.saved and preview.scorecards == []
    assert preview.errors[0].startswith(
        "scorecard 'high-touch': scorecards[1].segment: unknown segment 'nowhere'; known segments:"
    )
    session.expire_all()
    assert get_scorecard(session=session, key="mid-touch").current_version == 1
    assert [c.key for c in list_scorecards(session=session)] == ["default", "mid-touch"]


def test_a_csm_may_try_a_file_but_not_import_it(session, bob, mid_touch_card):
    text = export_yaml(session=session, keys=["mid-touch"]).replace("best: 0.1}", "best: 0}")

    assert _import(session, text, dry_run=True, person=bob).scorecards[0].action == "new_version"
    with pytest.raises(PermissionDenied):
        _import(session, text, dry_run=False, person=bob)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("best: 0.1}", "best: high}"),
            "scorecard 'mid-touch': scorecards[0].groups[0].measures[0].scoring.best: "
            "Input should be a valid number, unable to parse string as a number",
        ),
        (
            ("best: 0.1}", "best: -0.2}"),
            "scorecard 'mid-touch': scorecards[0].groups[0].measures[0].scoring: "
            "worst and best must differ",
        ),
        (
            ("weight: 100", "weight: -1"),
            "scorecard 'mid-touch': scorecards[0].groups[0].weight: Input should be greater than 0",
        ),
        (
            ("weight: 100", "weight: .inf"),
            "scorecard 'mid-touch': scorecards[0].groups[0].weight: "
            "Input should be a finite number",
        ),
        (
            ("source: revenue.mrr_change", "source: crm.mood"),
            "scorecard 'mid-touch': scorecards[0].groups[0].measures[0].source: "
            "unknown measure source 'crm.mood'; known sources: ",
        ),
        (
            ("aggregation: weighted_average", "aggregation: weighted_average\n    colour: blue"),
            "scorecard 'mid-touch': scorecards[0].colour: Extra inputs are not permitted",
        ),
        (("segment: mid-touch", "segment: [mid-touch"), "line 7, column 16: expected ','"),
    ],
)
def test_a_bad_file_is_refused_with_the_scorecard_and_the_path_of_the_bad_field(
    session, mid_touch_card, change, message
):
    text = export_yaml(session=session, keys=["mid-touch"]).replace(*change)

    preview = _import(session, text, dry_run=True)

    assert preview.errors and preview.errors[0].startswith(message), preview.errors
