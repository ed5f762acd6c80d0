"""The demo company's tickets and surveys: written, deterministic, and related to its health."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.core.audit import Actor
from headway.demo.company import DemoCompany, day_number, generate_company
from headway.demo.lives import churn_day
from headway.demo.segments import HIGH_TOUCH, PLAN_NAMES, TECH_TOUCH
from headway.demo.service import ensure_demo_team, generate_demo, write_demo_files
from headway.demo.survey_campaigns import UNSUBSCRIBED
from headway.demo.tickets import CLOSED, HOLD, NEW, OPEN, PENDING, SOLVED, URGENT
from headway.health.models import HealthScore
from headway.health.scores import score_accounts
from headway.importers.service import import_file
from headway.support.models import Ticket
from headway.surveys.models import (
    Survey,
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from headway.surveys.reports import survey_metrics
from headway.surveys.scoring import Scale, tally

AS_OF = date(2026, 6, 30)
DEMO = Actor.system("demo")
NPS = Scale(minimum=0, maximum=10, positive_min=9, negative_max=6)
ADD_ON = PLAN_NAMES[-1]


@pytest.fixture(scope="module")
def company() -> DemoCompany:
    # 300 accounts (the make demo size) draw in a fraction of a second and give steady figures.
    return generate_company(seed=7, as_of=AS_OF, accounts=300)


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def seconds(values: np.ndarray) -> np.ndarray:
    return values.astype("datetime64[s]").astype(np.int64)


def nps_of(scores: np.ndarray) -> float:
    net = tally(scores.tolist(), NPS).net_score
    assert net is not None
    return net


# --- in the database ---------------------------------------------------------------------


def test_a_small_demo_writes_its_tickets_campaigns_invitations_answers_and_opt_outs(
    session: Session,
) -> None:
    report = generate_demo(
        session=session, actor=DEMO, seed=3, accounts=60, as_of=AS_OF, usage=False
    )
    company = generate_company(seed=3, as_of=AS_OF, accounts=60)
    summary = company.summary()
    assert {
        model: count(session, model)
        for model in (Ticket, SurveyCampaign, SurveyInvitation, SurveyResponse, SurveyOptOut)
    } == {
        Ticket: summary["tickets"],
        SurveyCampaign: summary["survey_campaigns"],
        SurveyInvitation: summary["survey_invitations"],
        SurveyResponse: summary["survey_responses"],
        SurveyOptOut: summary["survey_opt_outs"],
    }
    assert summary["tickets"] > 100 and summary["survey_responses"] > 20
    assert (report.tickets, report.survey_responses) == (
        summary["tickets"],
        summary["survey_responses"],
    )

    first = session.scalars(select(Ticket).where(Ticket.external_id == "demo:T1")).one()
    account = session.get(Account, first.account_id)
    assert account is not None and account.external_id.startswith("DEMO-")
    assert first.requester_email is not None
    assert first.requester_email.endswith("@" + (account.domain or ""))
    assert first.tags and first.source == "headway"

    # Every answer came through its invitation's link, on the campaign's own survey.
    answers = session.execute(
        select(SurveyResponse, SurveyInvitation, SurveyCampaign)
        .join(SurveyInvitation, SurveyInvitation.id == SurveyResponse.invitation_id)
        .join(SurveyCampaign, SurveyCampaign.id == SurveyResponse.campaign_id)
    ).all()
    assert len(answers) == summary["survey_responses"]
    for answer, invitation, campaign in answers:
        assert answer.source == "link" and answer.external_id.startswith("demo:R")
        assert answer.survey_id == campaign.survey_id
        assert invitation.answered_at == answer.responded_at
        assert invitation.sent_at is not None and invitation.sent_at < answer.responded_at
        assert answer.responded_at < invitation.expires_at
        assert (answer.ticket_id is not None) == (campaign.trigger == "ticket_solved")
    keys = {
        campaign.name: campaign.survey.key for campaign in session.scalars(select(SurveyCampaign))
    }
    assert sorted(set(keys.values())) == ["ces", "csat", "nps"]
    assert all(
        c.created_by == "jordan.blake@demo.headway.test"
        for c in session.scalars(select(SurveyCampaign))
    )

    # Headway's own survey figures read the demo's answers as the answers say.
    figures = survey_metrics(session=session, first=AS_OF - timedelta(days=730), last=AS_OF)
    kinds = company.surveys.survey_of_response()
    nps_scores = company.surveys.responses.score[kinds == "nps"]
    assert figures["nps_responses"] == len(nps_scores)
    assert figures["nps"] == pytest.approx(nps_of(nps_scores), abs=0.1)


def test_replacing_the_demo_keeps_one_set_of_tickets_and_surveys(session: Session) -> None:
    generate_demo(session=session, actor=DEMO, seed=3, accounts=40, as_of=AS_OF, usage=False)
    generate_demo(
        session=session, actor=DEMO, seed=4, accounts=40, as_of=AS_OF, usage=False, replace=True
    )
    summary = generate_company(seed=4, as_of=AS_OF, accounts=40).summary()
    assert count(session, Ticket) == summary["tickets"]
    assert count(session, SurveyCampaign) == summary["survey_campaigns"]
    assert count(session, SurveyResponse) == summary["survey_responses"]
    assert count(session, SurveyOptOut) == summary["survey_opt_outs"]
    assert count(session, Survey) == 4  # the seeded surveys stay


def test_red_health_accounts_wait_longer_for_a_resolution(session: Session) -> None:
    # Usage is what the default scorecard reads: 150 accounts keep its writing quick.
    generate_demo(
        session=session, actor=DEMO, seed=7, accounts=150, as_of=AS_OF, health_history=False
    )
    score_accounts(session=session, as_of=AS_OF)
    band = dict(
        session.execute(
            select(HealthScore.account_id, HealthScore.band).where(HealthScore.day == AS_OF)
        ).all()
    )
    hours: dict[str, list[float]] = defaultdict(list)
    since = datetime.combine(AS_OF - timedelta(days=90), time(), UTC)
    for account_id, created, solved in session.execute(
        select(Ticket.account_id, Ticket.created_at, Ticket.solved_at).where(
            Ticket.solved_at.is_not(None), Ticket.created_at >= since
        )
    ):
        if account_id in band:
            hours[band[account_id]].append((solved - created).total_seconds() / 3_600)
    assert len(hours["red"]) > 100 and len(hours["green"]) > 100
    assert np.median(hours["red"]) > 1.5 * np.median(hours["green"])


def test_the_demo_files_hold_tickets_and_answers_that_import(
    tmp_path: Path, session: Session
) -> None:
    report = write_demo_files(out_dir=tmp_path, seed=5, accounts=40, as_of=AS_OF)
    names = {Path(f).name for f in report.files}
    assert {"tickets.csv", "tickets.parquet", "survey_responses.csv"} <= names
    header = (tmp_path / "survey_responses.csv").read_text().splitlines()[0]
    assert header == "survey_type,account_id,contact_email,score,comment,responded_at,response_id"
    ensure_demo_team(session=session, actor=DEMO, accounts=40)
    for kind in ("accounts", "contacts", "tickets", "survey-responses"):
        path = tmp_path / f"{kind.replace('-', '_')}.csv"
        result = import_file(session=session, actor=DEMO, permissions=None, kind=kind, path=path)
        assert result.ok, result.errors[:3]
        assert result.format == "canonical"
    company = generate_company(seed=5, as_of=AS_OF, accounts=40)
    assert count(session, Ticket) == len(company.tickets)
    assert count(session, SurveyResponse) == len(company.surveys.responses)
    ids = set(session.scalars(select(SurveyResponse.external_id)))
    assert ids == set(company.surveys.responses.external_id)


# --- the generator ----------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_tickets_and_survey_answers() -> None:
    first = generate_company(seed=5, as_of=AS_OF, accounts=150)
    second = generate_company(seed=5, as_of=AS_OF, accounts=150)
    other = generate_company(seed=6, as_of=AS_OF, accounts=150)
    assert first.surveys.campaigns == second.surveys.campaigns
    for name in ("tickets", "surveys.invitations", "surveys.responses", "surveys.opt_outs"):
        a, b = first, second
        for part in name.split("."):
            a, b = getattr(a, part), getattr(b, part)
        for column in fields(a):
            left, right = getattr(a, column.name), getattr(b, column.name)
            assert left.dtype == right.dtype, (name, column.name)
            assert np.array_equal(left, right, equal_nan=left.dtype.kind in "fmM"), column.name
    assert len(other.tickets) != len(first.tickets)
    assert not np.array_equal(other.surveys.responses.score, first.surveys.responses.score)


def test_tickets_run_from_creation_to_reply_to_solve_to_close(company: DemoCompany) -> None:
    tickets = company.tickets
    created, replied = seconds(tickets.created_at), seconds(tickets.first_reply_at)
    solved, closed = seconds(tickets.solved_at), seconds(tickets.closed_at)
    has_reply, is_solved = ~np.isnat(tickets.first_reply_at), ~np.isnat(tickets.solved_at)
    assert np.all(np.diff(created) >= 0)  # demo:T1, T2 … in order of creation
    assert created.max() < day_number(AS_OF) * 86_400
    assert np.all(replied[has_reply] > created[has_reply])
    assert np.all(solved[is_solved] >= replied[is_solved])
    is_closed = ~np.isnat(tickets.closed_at)
    assert np.all(closed[is_closed] == solved[is_closed] + 4 * 86_400)
    status = tickets.status
    assert np.array_equal(is_closed, status == CLOSED)
    assert np.array_equal(is_solved, np.isin(status, [SOLVED, CLOSED]))
    assert np.array_equal(~has_reply, status == NEW)
    assert np.isin(status[has_reply & ~is_solved], [OPEN, PENDING, HOLD]).all()
    # Only recent tickets are still open, most of them from the last month.
    age = day_number(AS_OF) - created[~is_solved] / 86_400
    assert age.max() < 120 and np.mean(age < 30) > 0.8
    assert 10 <= (~is_solved).sum() < 0.05 * len(tickets)
    assert tickets.agent_replies.min() == 0 and tickets.agent_replies.max() <= 6
    assert tickets.agent_replies[has_reply].min() >= 1

    # Agents reply in business hours (Monday–Friday, 09:00–17:00 UTC), on call for urgent.
    routine = has_reply & (tickets.priority != URGENT)
    day, second = np.divmod(replied[routine], 86_400)
    in_hours = ((day + 3) % 7 < 5) & (second >= 9 * 3_600) & (second <= 17 * 3_600)
    assert in_hours.mean() > 0.99
    assert 0.01 < (tickets.priority == URGENT).mean() < 0.08
    # A rating on about 30 % of solved tickets, mostly good; none on open ones.
    rated = tickets.satisfaction >= 0
    assert not rated[~is_solved].any()
    assert 0.25 < rated[is_solved].mean() < 0.35
    assert 0.65 < (tickets.satisfaction[rated] == 1).mean() < 0.92
    # The requester is one of the account's contacts.
    assert np.array_equal(company.contacts.account[tickets.contact], tickets.account)


def test_high_touch_accounts_write_in_more_than_tech_touch_and_about_as_much_per_seat(
    company: DemoCompany,
) -> None:
    as_of_day = day_number(AS_OF)
    subs = company.subscriptions
    start = subs.start_date.astype(np.int64)
    end = np.where(np.isnat(subs.end_date), as_of_day, subs.end_date.astype(np.int64))
    paid = subs.plan != ADD_ON
    months = np.bincount(subs.account[paid], (end - start)[paid] / 30.44, len(company.accounts))
    seat_months = np.bincount(
        subs.account[paid], ((end - start) * subs.quantity)[paid] / 30.44, len(company.accounts)
    )
    tickets = np.bincount(company.tickets.account, minlength=len(company.accounts))
    segment = company.accounts.segment
    high, tech = segment == HIGH_TOUCH, segment == TECH_TOUCH
    per_account = {
        "high": tickets[high].sum() / months[high].sum(),
        "tech": tickets[tech].sum() / months[tech].sum(),
    }
    per_seat = {
        "high": tickets[high].sum() / seat_months[high].sum(),
        "tech": tickets[tech].sum() / seat_months[tech].sum(),
    }
    assert per_account["high"] > 8 * per_account["tech"]
    assert 1 / 3 < per_seat["high"] / per_seat["tech"] < 3


def test_accounts_that_churn_later_answer_nps_lower_than_those_that_stay(
    company: DemoCompany,
) -> None:
    surveys = company.surveys
    nps = surveys.survey_of_response() == "nps"
    account = surveys.invitations.account[surveys.responses.invitation]
    day = seconds(surveys.responses.responded_at) // 86_400
    churned = churn_day(company.lives, len(company.accounts))[account]
    later, stay = nps & (churned > day), nps & (churned < 0)
    assert later.sum() > 30 and stay.sum() > 300
    assert nps_of(surveys.responses.score[later]) < nps_of(surveys.responses.score[stay]) - 30
    # Engaged accounts that reached their first outcome are mostly promoters.
    engaged = (company.accounts.engagement[account] > 0.7) & company.early.outcome_reached[account]
    assert nps_of(surveys.responses.score[nps & engaged]) > 50


def test_about_a_third_answer_and_some_answers_carry_a_comment(company: DemoCompany) -> None:
    surveys = company.surveys
    sent = (~np.isnat(surveys.invitations.sent_at)).sum()
    assert 0.25 < len(surveys.responses) / sent < 0.4
    assert 0.2 < (surveys.responses.comment != "").mean() < 0.4
    kinds = surveys.survey_of_response()
    scores = surveys.responses.score
    assert 10 < nps_of(scores[kinds == "nps"]) < 60
    assert 0.75 < (scores[kinds == "csat"] >= 4).mean() < 0.95
    assert 4.5 < scores[kinds == "ces"].mean() < 6.2
    # A handful unsubscribe.
    assert 0 < len(surveys.opt_outs) < 0.03 * len(company.contacts)


def test_nobody_is_asked_within_the_throttle_and_the_unsubscribed_are_left_out(
    company: DemoCompany,
) -> None:
    surveys = company.surveys
    invitations = surveys.invitations
    throttle = np.array([c.throttle_days for c in surveys.campaigns])
    sent = ~np.isnat(invitations.sent_at)
    last: dict[int, int] = {}
    for contact, moment, campaign in zip(
        invitations.contact[sent].tolist(),
        seconds(invitations.sent_at[sent]).tolist(),
        invitations.campaign[sent].tolist(),
        strict=True,
    ):
        if contact in last:
            assert moment - last[contact] >= throttle[campaign] * 86_400
        last[contact] = moment
    opted = dict(
        zip(
            surveys.opt_outs.contact.tolist(),
            seconds(surveys.opt_outs.opted_out_at).tolist(),
            strict=True,
        )
    )
    for contact, moment, reason in zip(
        invitations.contact.tolist(),
        seconds(invitations.created_at).tolist(),
        invitations.skipped_reason.tolist(),
        strict=True,
    ):
        if contact in opted and moment >= opted[contact]:
            assert reason == UNSUBSCRIBED
    assert (invitations.skipped_reason == UNSUBSCRIBED).sum() > 0
    # Each ticket campaign holds a row for every ticket it considered, asked or left out.
    for index, campaign in enumerate(surveys.campaigns):
        if campaign.trigger == "ticket_solved":
            rows = invitations.ticket[invitations.campaign == index]
            assert len(rows) == len(set(rows.tolist())) > 50
