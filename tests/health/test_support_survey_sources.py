"""Support and survey measure sources: hand-computed values, read as of a day, in batches."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from sqlalchemy.orm import Session

from headway.core.chunks import chunked
from headway.core.errors import InvalidInput
from headway.health import support_survey_sources
from headway.health.sources import get_measure_source, measure_sources
from headway.support.reports import support_metrics
from headway.support.schemas import TicketCreate
from headway.support.service import upsert_ticket
from headway.surveys.service import get_survey, record_response
from tests.helpers import SETUP, make_account, make_contact

TODAY = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
MAR_31 = date(2026, 3, 31)
TICKET_SOURCES = (
    "support.tickets_per_month",
    "support.open_tickets",
    "support.csat",
    "support.resolution_hours",
)
SURVEY_SOURCES = ("surveys.nps", "surveys.csat", "surveys.ces")


@pytest.fixture(autouse=True)
def _frozen_clock() -> Iterator[None]:
    with time_machine.travel(TODAY, tick=False):
        yield


def read(session: Session, key: str, ids: list[int], as_of: date, **params: Any) -> dict:
    return get_measure_source(key).read(session, ids, as_of, params)


def at(month: int, day: int, hour: int = 0, year: int = 2026) -> str:
    return datetime(year, month, day, hour, tzinfo=UTC).isoformat()


def ticket(session: Session, external_id: str, created_at: str, **values: Any) -> None:
    data = TicketCreate(account_id="acme", created_at=created_at, **{"status": "open", **values})
    upsert_ticket(session=session, actor=SETUP, external_id=external_id, data=data)


def answer(session: Session, account, key: str, score: int, when: str, email: str | None = None):
    record_response(
        session=session,
        survey=get_survey(session=session, key=key),
        account_id=account.id,
        score=score,
        responded_at=datetime.fromisoformat(when),
        source="api",
        contact_email=email,
    )


@pytest.fixture
def accounts(session: Session):
    acme = make_account(session, "acme", "Acme")
    globex = make_account(session, "globex", "Globex")
    make_contact(session, acme, "jane@acme.com", "Jane Roe")
    return acme, globex


@pytest.fixture
def tickets(session: Session, accounts):
    """Acme's tickets around the 90 days up to 31 March (1 January to 31 March)."""
    # Created before the window, solved in it: 16 days = 384 hours.
    ticket(session, "T1", at(12, 20, year=2025), status="solved", solved_at=at(1, 5))
    ticket(
        session,
        "T2",
        at(1, 10, 10),
        status="solved",
        solved_at=at(1, 10, 14),  # 4 hours
        satisfaction="good",
        satisfaction_scale="good_bad",
    )
    ticket(
        session,
        "T3",
        at(2, 1, 9),
        status="closed",
        solved_at=at(2, 2, 9),
        resolution_minutes_calendar=1500,  # the helpdesk's 25 hours, not the 24 of the times
        satisfaction="2",
        satisfaction_scale="1-5",
    )
    ticket(session, "T4", at(3, 30, 9))  # still open
    ticket(session, "T5", at(3, 31, 9), status="solved", solved_at=at(4, 1, 8))  # after the day
    ticket(session, "T6", at(4, 1, 8), satisfaction="bad", satisfaction_scale="good_bad")
    session.commit()
    return accounts


@pytest.fixture
def answers(session: Session, accounts):
    acme, _ = accounts
    # NPS over the 365 days up to 31 March: Jane's latest answer, Sam, Kim, two anonymous.
    answer(session, acme, "nps", 3, at(6, 1, year=2025), "jane@acme.com")
    answer(session, acme, "nps", 10, at(2, 1), "jane@acme.com")  # Jane's latest: promoter
    answer(session, acme, "nps", 8, at(3, 1), "sam@acme.com")  # passive
    answer(session, acme, "nps", 5, at(3, 10), "kim@acme.com")  # detractor
    answer(session, acme, "nps", 9, at(3, 15))  # anonymous promoter
    answer(session, acme, "nps", 10, at(3, 16))  # another anonymous promoter
    answer(session, acme, "nps", 10, at(3, 1, year=2025), "lee@acme.com")  # over a year before
    answer(session, acme, "nps", 0, at(4, 1, 8), "jane@acme.com")  # after the day
    # CSAT over the 90 days: 5, 4, 2 of 1–5 and good, bad: 3 positive of 5.
    for key, score, when in [
        ("csat", 5, at(1, 5)),
        ("csat", 4, at(2, 5)),
        ("csat", 2, at(3, 5)),
        ("csat_good_bad", 1, at(3, 6)),
        ("csat_good_bad", 0, at(3, 7)),
        ("csat", 1, at(12, 15, year=2025)),  # before the window
        ("ces", 7, at(1, 20)),
        ("ces", 5, at(2, 20)),
        ("ces", 3, at(3, 20)),
        ("ces", 1, at(4, 1, 8)),  # after the day
    ]:
        answer(session, acme, key, score, when, "jane@acme.com")
    session.commit()
    return accounts


def test_every_support_and_survey_source_is_registered_with_its_meaning() -> None:
    sources = {s.key: s for s in measure_sources()}

    for key in TICKET_SOURCES + SURVEY_SOURCES:
        assert sources[key].label and sources[key].description and sources[key].unit
    assert sources["surveys.nps"].params == {
        "days": "how many days up to the day to read (default 365)"
    }
    assert sources["support.open_tickets"].params is None


def test_ticket_sources_read_the_90_days_up_to_the_day(session: Session, tickets) -> None:
    acme, globex = tickets
    ids = [acme.id, globex.id]

    # Created 1 January – 31 March: T2, T3, T4, T5 in 90 days, 90 ÷ 30.4375 months.
    assert read(session, "support.tickets_per_month", ids, MAR_31) == pytest.approx(
        {acme.id: 4 * 30.4375 / 90, globex.id: 0.0}
    )
    # T4 is open, T5 was solved only the next morning.
    assert read(session, "support.open_tickets", ids, MAR_31) == {acme.id: 2.0, globex.id: 0.0}
    # Ratings of T2 (good) and T3 (2 of 5); T6's comes after the day.
    assert read(session, "support.csat", ids, MAR_31) == {acme.id: 0.5}
    # Solved 1 January – 31 March: T1 384 h, T2 4 h, T3 25 h (the helpdesk's minutes).
    assert read(session, "support.resolution_hours", ids, MAR_31) == {acme.id: 25.0}


def test_tickets_per_month_is_the_support_metrics_figure(session: Session, tickets) -> None:
    acme, _ = tickets
    report = support_metrics(
        session=session, first=date(2026, 1, 1), last=MAR_31, account_id=acme.id
    )
    health = read(session, "support.tickets_per_month", [acme.id], MAR_31)[acme.id]
    assert round(health, 4) == report["tickets_per_account_month"] == 1.3528


def test_ticket_sources_take_their_days(session: Session, tickets) -> None:
    acme, _ = tickets

    # 2 – 31 March: T4 and T5.
    assert read(session, "support.tickets_per_month", [acme.id], MAR_31, days=30) == pytest.approx(
        {acme.id: 2 * 30.4375 / 30}
    )
    # Solved 2 February – 31 March: T3 only.
    assert read(session, "support.resolution_hours", [acme.id], MAR_31, days=58) == {acme.id: 25.0}
    assert read(session, "support.csat", [acme.id], MAR_31, days=30) == {}


def test_ticket_sources_read_nothing_after_the_day(session: Session, tickets) -> None:
    acme, _ = tickets
    jan_31 = date(2026, 1, 31)

    # 3 November – 31 January: T1 and T2; T3 (1 February) is not there yet.
    assert read(session, "support.tickets_per_month", [acme.id], jan_31) == pytest.approx(
        {acme.id: 2 * 30.4375 / 90}
    )
    assert read(session, "support.open_tickets", [acme.id], jan_31) == {acme.id: 0.0}
    assert read(session, "support.csat", [acme.id], jan_31) == {acme.id: 1.0}
    # T1 (384 h) and T2 (4 h): the median of two is their mean.
    assert read(session, "support.resolution_hours", [acme.id], jan_31) == {acme.id: 194.0}
    # On 5 January T1 had been open since 20 December; nothing else existed.
    assert read(session, "support.open_tickets", [acme.id], date(2026, 1, 4)) == {acme.id: 1.0}


def test_without_any_ticket_in_headway_ticket_counts_have_no_data(
    session: Session, accounts
) -> None:
    acme, globex = accounts

    for key in TICKET_SOURCES:
        assert read(session, key, [acme.id, globex.id], MAR_31) == {}


def test_survey_sources_read_each_survey_on_its_scale(session: Session, answers) -> None:
    acme, globex = answers
    ids = [acme.id, globex.id]

    # Jane 10 (her latest), Sam 8, Kim 5, two anonymous 9 and 10: (3 − 1) ÷ 5 = +40.
    assert read(session, "surveys.nps", ids, MAR_31) == {acme.id: 40.0}
    # 5, 4 and good are positive; 2 and bad are not.
    assert read(session, "surveys.csat", ids, MAR_31) == {acme.id: 0.6}
    # (7 + 5 + 3) ÷ 3.
    assert read(session, "surveys.ces", ids, MAR_31) == {acme.id: 5.0}


def test_survey_sources_take_their_days(session: Session, answers) -> None:
    acme, _ = answers

    # 1 – 31 March: Sam 8, Kim 5, the two anonymous promoters: (2 − 1) ÷ 4.
    assert read(session, "surveys.nps", [acme.id], MAR_31, days=31) == {acme.id: 25.0}
    # 2 (5 March), good, bad.
    assert read(session, "surveys.csat", [acme.id], MAR_31, days=31) == pytest.approx(
        {acme.id: 1 / 3}
    )
    assert read(session, "surveys.ces", [acme.id], MAR_31, days=31) == {acme.id: 3.0}


def test_an_answer_after_the_day_is_not_read(session: Session, answers) -> None:
    acme, _ = answers

    # On 1 April Jane answered 0: her latest answer, a detractor, from then on.
    assert read(session, "surveys.nps", [acme.id], date(2026, 4, 1)) == {acme.id: 0.0}
    assert read(session, "surveys.ces", [acme.id], date(2026, 4, 1)) == {acme.id: 4.0}
    # On 31 January Jane's 10 of February is not there yet: her 3 of June and Lee's 10.
    assert read(session, "surveys.nps", [acme.id], date(2026, 1, 31)) == {acme.id: 0.0}


def test_readers_read_accounts_in_batches(session: Session, tickets, answers, monkeypatch) -> None:
    acme, globex = answers
    monkeypatch.setattr(support_survey_sources, "id_chunks", lambda ids: chunked(ids, 1))
    ids = [globex.id, acme.id]

    assert read(session, "support.open_tickets", ids, MAR_31) == {acme.id: 2.0, globex.id: 0.0}
    assert read(session, "support.resolution_hours", ids, MAR_31) == {acme.id: 25.0}
    assert read(session, "surveys.nps", ids, MAR_31) == {acme.id: 40.0}


@pytest.mark.parametrize("key", ["support.tickets_per_month", "surveys.nps", "surveys.ces"])
def test_a_days_parameter_below_one_is_refused(session: Session, accounts, key) -> None:
    acme, _ = accounts

    with pytest.raises(InvalidInput, match=f"parameter 'days' of source '{key}'"):
        read(session, key, [acme.id], MAR_31, days=0)
