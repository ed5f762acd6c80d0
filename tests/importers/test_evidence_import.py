"""Importing goal evidence: KPI values by goal id or by account and goal name, achievement.

make_goal's default terms run 100 days, 2026-01-01 → 2026-04-11, from 100 to 200.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from typer.testing import CliRunner

from headway.cli import app
from headway.core.audit import AuditEntry
from headway.core.errors import PermissionDenied
from headway.outcomes.goals import get_goal, standing_of
from headway.outcomes.models import Evidence
from headway.outcomes.progress import GoalStatus
from tests.helpers import csrf_token, login, make_account, make_goal, make_plan, measure
from tests.importers.support import counts, run_import, where, write_file

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADER = "goal_id,measured_on,value,note"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(T0, tick=False):
        yield


@pytest.fixture
def acme(session, bob):
    return make_account(session, "acme", owner=bob, segment="mid-touch")


@pytest.fixture
def registrations(session, acme):
    return make_goal(session, make_plan(session, acme))


def evidence_of(session, goal):
    return session.scalars(
        select(Evidence)
        .where(Evidence.goal_id == goal.id)
        .order_by(Evidence.measured_on, Evidence.id)
    ).all()


def audit_rows(session, action):
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def number_of(session, model):
    return session.scalar(select(func.count()).select_from(model))


def test_values_by_goal_id_are_recorded_with_the_source_import(session, tmp_path, registrations):
    goal = registrations
    path = write_file(
        tmp_path,
        "kpi.csv",
        f"{HEADER}\n{goal.id},2026-01-31,120,January export\n{goal.id},2026-02-28,-3.5e1,\n",
    )
    result = run_import(session, "goal-evidence", path)

    assert (result.format, counts(result)) == ("canonical", (2, 0, 0, 0))
    january, february = evidence_of(session, goal)
    assert (january.measured_on, january.value, january.note, january.source) == (
        date(2026, 1, 31),
        120.0,
        "January export",
        "import",
    )
    assert (february.value, february.note, february.recorded_by) == (-35.0, "", "command line")
    first = audit_rows(session, "evidence.record")[0]
    assert (first.entity_id, first.account_id, first.import_id) == (
        january.id,
        goal.account_id,
        result.import_id,
    )
    assert first.after == {
        "goal_id": goal.id,
        "goal": "More event registrations",
        "value": 120.0,
        "measured_on": "2026-01-31",
        "source": "import",
        "note": "January export",
    }


def test_a_goal_is_found_by_its_account_and_its_name_in_any_case(session, tmp_path, acme):
    plan = make_plan(session, acme)
    registrations = make_goal(session, plan)
    tickets = make_goal(
        session, plan, name="Fewer support tickets", baseline=50, target=30, unit="tickets"
    )
    path = write_file(
        tmp_path,
        "kpi.csv",
        "account_id,goal,measured_on,value\n"
        "acme,more event  REGISTRATIONS,2026-02-01,130\n"
        "acme,Fewer support tickets,2026-02-01,44\n",
    )
    assert counts(run_import(session, "goal-evidence", path)) == (2, 0, 0, 0)
    assert [e.value for e in evidence_of(session, registrations)] == [130.0]
    assert [e.value for e in evidence_of(session, tickets)] == [44.0]


def test_re_importing_changes_nothing_and_a_changed_value_is_one_audited_update(
    session, tmp_path, registrations
):
    goal = registrations
    rows = f"{goal.id},2026-01-31,120,\n{goal.id},2026-02-28,150,\n"
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{rows}")
    assert counts(run_import(session, "goal-evidence", path)) == (2, 0, 0, 0)
    audits = number_of(session, AuditEntry)
    assert counts(run_import(session, "goal-evidence", path)) == (0, 0, 2, 0)
    assert number_of(session, AuditEntry) == audits

    corrected = write_file(tmp_path, "b.csv", f"{HEADER}\n{rows.replace(',150,', ',155,')}")
    result = run_import(session, "goal-evidence", corrected)

    assert counts(result) == (0, 1, 1, 0)
    assert [e.value for e in evidence_of(session, goal)] == [120.0, 155.0]
    (update,) = audit_rows(session, "evidence.update")
    assert (update.before, update.import_id) == ({"value": 150.0, "note": ""}, result.import_id)
    assert (update.after["value"], update.after["measured_on"]) == (155.0, "2026-02-28")


def test_without_a_note_column_a_stored_note_stays(session, tmp_path, registrations):
    goal = registrations
    with_note = write_file(tmp_path, "a.csv", f"{HEADER}\n{goal.id},2026-01-31,120,From BI\n")
    run_import(session, "goal-evidence", with_note)
    without = write_file(
        tmp_path, "b.csv", f"goal_id,measured_on,value\n{goal.id},2026-01-31,120\n"
    )
    assert counts(run_import(session, "goal-evidence", without)) == (0, 0, 1, 0)
    assert evidence_of(session, goal)[0].note == "From BI"


def test_an_imported_value_sits_beside_a_manual_one_of_the_same_day(
    session, tmp_path, registrations
):
    goal = registrations
    measure(session, goal, 110, date(2026, 1, 31))
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{goal.id},2026-01-31,112,\n")
    assert counts(run_import(session, "goal-evidence", path)) == (1, 0, 0, 0)
    assert [(e.source, e.value) for e in evidence_of(session, goal)] == [
        ("manual", 110.0),
        ("import", 112.0),
    ]


def test_the_earliest_value_reaching_the_target_proves_the_goal_whatever_the_row_order(
    session, tmp_path, registrations
):
    goal = registrations
    path = write_file(
        tmp_path,
        "a.csv",
        f"{HEADER}\n"
        f"{goal.id},2026-03-01,230,\n"  # reaches 200, but later
        f"{goal.id},2026-01-31,150,\n"
        f"{goal.id},2026-02-15,205,\n",  # the first day on target
    )
    result = run_import(session, "goal-evidence", path)

    assert counts(result) == (3, 0, 0, 0)
    session.expire_all()
    goal = get_goal(session=session, goal_id=goal.id)
    proof = next(e for e in goal.evidence if e.measured_on == date(2026, 2, 15))
    assert (goal.achieved_on, goal.achieved_evidence_id) == (date(2026, 2, 15), proof.id)
    assert standing_of(goal, as_of=T0.date()).status is GoalStatus.ACHIEVED
    (achieved,) = audit_rows(session, "goal.achieve")
    assert (achieved.import_id, achieved.after) == (
        result.import_id,
        {"achieved_on": "2026-02-15", "value": 205.0, "evidence_id": proof.id},
    )


def test_changing_the_value_that_proved_a_goal_is_an_error_for_that_row(
    session, tmp_path, registrations
):
    goal = registrations
    first = write_file(tmp_path, "a.csv", f"{HEADER}\n{goal.id},2026-02-15,205,Board deck\n")
    run_import(session, "goal-evidence", first)
    # The same value and note again are fine; another value or note is refused.
    path = write_file(
        tmp_path,
        "b.csv",
        f"{HEADER}\n{goal.id},2026-02-15,205,Board deck\n{goal.id},2026-02-20,190,\n",
    )
    assert counts(run_import(session, "goal-evidence", path)) == (1, 0, 1, 0)
    changed_value = write_file(
        tmp_path, "c.csv", f"{HEADER}\n{goal.id},2026-02-15,210,Board deck\n"
    )
    changed_note = write_file(tmp_path, "d.csv", f"{HEADER}\n{goal.id},2026-02-15,205,Revised\n")

    value_result = run_import(session, "goal-evidence", changed_value)
    note_result = run_import(session, "goal-evidence", changed_note)

    assert where(value_result) == [(2, "value", "210")]
    assert value_result.errors[0].expected == (
        "205 as recorded: this measurement proved the goal achieved and is kept as it is "
        "(record a new measurement on another day instead)"
    )
    assert where(note_result) == [(2, "note", "Revised")]
    assert note_result.errors[0].expected.startswith("'Board deck' as recorded: ")
    assert [e.value for e in evidence_of(session, goal)] == [205.0, 190.0]


def test_every_bad_evidence_value_is_listed_and_nothing_is_written(
    session, tmp_path, acme, registrations
):
    globex = make_account(session, "globex")
    seats = make_goal(
        session,
        make_plan(session, globex),
        name="Seats in use",
        unit="seats",
        source="seats",
    )
    path = write_file(
        tmp_path,
        "bad.csv",
        "goal_id,account_id,goal,measured_on,value,note\n"
        f"{registrations.id},,,2026-01-31,120,\n"  # row 2: fine
        '999,,,31/01/2026,"1,200",\n'  # row 3: three problems
        f"{registrations.id},globex,,2026-02-01,20%,\n"  # row 4: another account, a % sign
        ",acme,Fewer tickets,2026-02-01,,\n"  # row 5: no such goal name, no value
        f"{seats.id},,,2026-02-01,12,\n"  # row 6: measured by Headway
        ",ghost,Anything,2026-02-01,1,\n"  # row 7: unknown account
        ",acme,,2026-02-01,1,\n"  # row 8: the goal name is missing
        ",,,2026-02-01,1,\n",  # row 9: no goal at all
    )
    result = run_import(session, "goal-evidence", path)

    assert where(result) == [
        (3, "goal_id", "999"),
        (3, "measured_on", "31/01/2026"),
        (3, "value", "1,200"),
        (4, "account_id", "globex"),
        (4, "value", "20%"),
        (5, "goal", "Fewer tickets"),
        (5, "value", ""),
        (6, "goal_id", str(seats.id)),
        (7, "account_id", "ghost"),
        (8, "goal", ""),
        (9, "goal_id", ""),
    ]
    expected = [e.expected for e in result.errors]
    assert expected[0] == "the goal_id of a goal in Headway (the number on its page)"
    assert expected[1] == "an ISO date YYYY-MM-DD, e.g. 2025-01-31"
    assert expected[3] == f"the account of goal {registrations.id}: acme (or an empty cell)"
    assert (
        expected[2]
        == expected[4]
        == (
            "a number, e.g. 1250 or -3.5 (a point for decimals; no thousands separators, units or "
            "% sign)"
        )
    )
    assert expected[5] == "the name of a goal of this account: 'More event registrations'"
    assert expected[7] == (
        f"a goal measured by hand or by import (goal {seats.id} is measured by Headway from "
        "seats every day)"
    )
    assert expected[8] == "the account_id of an account in Headway"
    assert expected[9] == (
        "a value: a goal is named by its goal_id, or by its account_id and goal name"
    )
    assert expected[10] == "a goal_id, or an account_id and a goal name"
    assert number_of(session, Evidence) == 0


def test_a_value_dated_after_today_is_refused(session, tmp_path, registrations):
    path = write_file(
        tmp_path,
        "a.csv",
        f"{HEADER}\n{registrations.id},2026-03-02,150,\n{registrations.id},2026-03-03,205,\n",
    )
    result = run_import(session, "goal-evidence", path)
    assert where(result) == [(3, "measured_on", "2026-03-03")]
    assert result.errors[0].expected == "a day not after today, 2026-03-02"
    assert number_of(session, Evidence) == 0


def test_two_goals_of_one_name_need_their_goal_id(session, tmp_path, acme):
    plan = make_plan(session, acme)
    make_goal(session, plan, name="Adoption")
    make_goal(session, plan, name="adoption")
    path = write_file(
        tmp_path, "a.csv", "account_id,goal,measured_on,value\nacme,Adoption,2026-02-01,120\n"
    )
    (error,) = run_import(session, "goal-evidence", path).errors
    assert (error.row, error.column, error.expected) == (
        2,
        "goal",
        "a goal name this account uses once (several of its goals have this name: give the "
        "goal_id instead)",
    )


def test_two_rows_for_one_goal_and_day_must_agree(session, tmp_path, registrations):
    goal = registrations
    path = write_file(
        tmp_path,
        "a.csv",
        "goal_id,account_id,goal,measured_on,value\n"
        f"{goal.id},,,2026-02-01,120\n"
        ",acme,More event registrations,2026-02-01,120\n"  # the same goal and value: a duplicate
        ",acme,More event registrations,2026-02-01,125\n",
    )
    result = run_import(session, "goal-evidence", path)
    assert where(result) == [(4, "measured_on", "2026-02-01")]
    assert result.errors[0].expected == (
        "the same values as row 2, which has this goal and measured_on too "
        "(rows of one id must agree)"
    )


def test_a_file_that_names_no_goal_is_refused_at_its_header(session, tmp_path, registrations):
    path = write_file(
        tmp_path, "a.csv", "account_id,measured_on,value,Source\nacme,2026-02-01,120,BI\n"
    )
    result = run_import(session, "goal-evidence", path)
    assert [(e.row, e.column, e.expected) for e in result.errors] == [
        (1, "goal_id", "the column goal_id, or the columns account_id and goal"),
        (
            1,
            "Source",
            "only the columns goal_id, account_id, goal, measured_on, value and note "
            "(remove or rename this column)",
        ),
    ]


def test_a_dry_run_counts_and_writes_nothing(session, tmp_path, registrations):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{registrations.id},2026-02-15,205,\n")
    result = run_import(session, "goal-evidence", path, dry_run=True)
    assert (result.dry_run, counts(result)) == (True, (1, 0, 0, 0))
    session.expire_all()
    assert number_of(session, Evidence) == 0
    assert get_goal(session=session, goal_id=registrations.id).achieved_on is None


def test_only_admins_and_managers_import_goal_evidence(
    session, tmp_path, registrations, bob, carol, alice
):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{registrations.id},2026-02-01,120,\n")
    for person in (bob, carol):
        with pytest.raises(PermissionDenied):
            run_import(session, "goal-evidence", path, by=person)
    assert counts(run_import(session, "goal-evidence", path, by=alice)) == (1, 0, 0, 0)
    assert evidence_of(session, registrations)[0].recorded_by == "alice@example.com"


def test_the_command_imports_goal_evidence_and_prints_json(session, tmp_path, registrations):
    path = write_file(tmp_path, "a.csv", f"{HEADER}\n{registrations.id},2026-02-01,120,\n")
    result = CliRunner().invoke(app, ["import", "goal-evidence", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["kind"], summary["created"]) == ("goal-evidence", 1)

    bad = write_file(tmp_path, "b.csv", f"{HEADER}\n{registrations.id},2026-02-01,lots,\n")
    failed = CliRunner().invoke(app, ["import", "goal-evidence", str(bad)])
    assert failed.exit_code == 1
    assert "b.csv, row 2, column value: 'lots': expected a number" in failed.stderr


def test_the_imports_page_offers_both_kinds_and_imports_evidence(
    client, session, dave, registrations
):
    login(client, dave)
    page = client.get("/imports")
    assert '<option value="activities"' in page.text
    assert '<option value="goal-evidence"' in page.text and ">Goal evidence<" in page.text
    content = f"{HEADER}\n{registrations.id},2026-02-01,120,\n".encode()
    response = client.post(
        "/imports",
        data={"kind": "goal-evidence", "csrf_token": csrf_token(client, "/imports")},
        files={"file": ("kpi.csv", content, "text/csv")},
    )
    assert response.status_code == 200
    assert "Imported kpi.csv" in response.text
    assert [e.value for e in evidence_of(session, registrations)] == [120.0]
