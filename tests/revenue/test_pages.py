"""The revenue dashboard page: figures of a hand-built ledger, filters, access, missing rates."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.revenue.pages import router
from tests.helpers import login, make_account, subscribe

_FIGURE = re.compile(r'id="figure-(\w+)">.*?class="kpi-value">([^<]*)<', re.DOTALL)
_CHART = re.compile(r"data-chart='([^']*)'")


@pytest.fixture(autouse=True)
def _frozen_today():
    # The default period is then January to December 2024.
    with time_machine.travel(datetime(2025, 1, 15, 12, tzinfo=UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _dashboard_mounted(app):
    # main.py mounts the router once the lead wires it in; until then the tests do.
    if not any(getattr(route, "path", None) == "/revenue" for route in app.routes):
        app.include_router(router)


@pytest.fixture
def ledger(session, bob):
    """Acme (high-touch) pays 100 a month from Dec 2023 and adds 50 from March 2024; Globex
    (tech-touch, Bob's) pays 200 a month from Nov 2023 until 1 June 2024, so churns in June."""
    acme = make_account(session, "acme", segment="high-touch")
    globex = make_account(session, "globex", owner=bob, segment="tech-touch")
    subscribe(session, acme, "a1", "100", date(2023, 12, 1))
    subscribe(session, acme, "a2", "50", date(2024, 3, 1))
    subscribe(session, globex, "g1", "200", date(2023, 11, 1), date(2024, 6, 1))


def figures(page: str) -> dict[str, str]:
    return {key: html.unescape(value.strip()) for key, value in _FIGURE.findall(page)}


def charts(page: str) -> dict[str, dict]:
    specs = [json.loads(html.unescape(raw)) for raw in _CHART.findall(page)]
    return {spec["kind"]: spec for spec in specs}


def test_a_viewer_sees_the_dashboard_with_undefined_figures_as_dashes(client, carol):
    login(client, carol)
    response = client.get("/revenue")
    assert response.status_code == 200
    assert "MRR movements by month" in response.text and "Cohorts" in response.text
    shown = figures(response.text)
    # Nobody pays: money is 0, every ratio has a zero denominator.
    assert shown["mrr_start"] == "USD 0" and shown["mrr_end"] == "USD 0"
    for key in ("grr", "nrr", "logo_churn_rate", "quick_ratio", "arpa", "nrr_cohort", "grr_cohort"):
        assert shown[key] == "—", key
    assert 'value="2024-01"' in response.text and 'value="2024-12"' in response.text


def test_the_figures_match_the_hand_built_ledger(client, carol, ledger):
    login(client, carol)
    page = client.get("/revenue").text
    shown = figures(page)
    # Start (31 Dec 2023): 100 + 200 = 300. Expansion 50 in March, churn 200 in June; end 150.
    assert shown == {
        "mrr_start": "USD 300",
        "mrr_end": "USD 150",
        "net_new": "USD -150",
        "grr": "33.3 %",  # (300 − 200) ÷ 300
        "nrr": "50.0 %",  # (300 + 50 − 200) ÷ 300
        "logo_churn_rate": "50.0 %",  # Globex of the two paying at the start
        "quick_ratio": "0.25",  # (0 + 50) ÷ 200
        "arpa": "USD 150",  # 150 ÷ one paying account
        "nrr_cohort": "50.0 %",  # both paid 12 months before: (150 + 0) ÷ (100 + 200)
        "grr_cohort": "33.3 %",  # (min(150, 100) + min(0, 200)) ÷ 300
    }
    # Each figure carries its definition as a tooltip and as a footnote.
    text = html.unescape(page)
    assert 'title="(mrr_start − churn − contraction) ÷ mrr_start (variant: period)"' in text
    assert 'id="def-nrr"' in page
    movements = charts(page)["mrr-movements"]
    assert movements["labels"][0] == "2024-01" and movements["labels"][-1] == "2024-12"
    data = {set_["key"]: set_["data"] for set_ in movements["datasets"]}
    assert data["expansion"][2] == 50 and sum(data["expansion"]) == 50
    assert data["churn"][5] == -200 and sum(data["churn"]) == -200
    assert movements["line"]["data"][:6] == [300, 300, 350, 350, 350, 150]
    retention = {s["key"]: s["data"] for s in charts(page)["rate-lines"]["datasets"]}
    assert retention["nrr"][5] == 42.86  # June: 150 ÷ 350, in percent to 2 places
    assert retention["logo-churn"][5] == 50.0 and retention["logo-churn"][0] == 0.0


def test_filters_narrow_the_figures_by_segment_and_by_owner(client, carol, bob, ledger):
    login(client, carol)
    high_touch = figures(client.get("/revenue?segment=high-touch").text)
    assert high_touch["mrr_start"] == "USD 100" and high_touch["mrr_end"] == "USD 150"
    assert high_touch["nrr"] == "150.0 %" and high_touch["logo_churn_rate"] == "0.0 %"
    bobs = figures(client.get(f"/revenue?owner={bob.id}").text)
    assert bobs["mrr_start"] == "USD 200" and bobs["mrr_end"] == "USD 0"
    assert bobs["arpa"] == "—"
    # A shorter period: March alone holds only the expansion.
    march = figures(client.get("/revenue?from=2024-03&to=2024-03").text)
    assert march["mrr_start"] == "USD 300" and march["net_new"] == "+USD 50"


def test_the_cohort_heat_map_shades_cells_by_retention(client, carol, session):
    # Two accounts first pay in February 2024; one leaves at the end of April.
    stays, leaves = make_account(session, "stays"), make_account(session, "leaves")
    subscribe(session, stays, "s1", "100", date(2024, 2, 1))
    subscribe(session, leaves, "l1", "100", date(2024, 2, 1), date(2024, 5, 1))
    login(client, carol)
    page = client.get("/revenue").text
    row = re.search(r'<th scope="row">2024-02</th>(.*?)</tr>', page, re.DOTALL)
    assert row, "no February cohort"
    cells = re.findall(r'class="num heat heat-(\d+)"[^>]*>([^<]*)<', row.group(1))
    assert cells[:4] == [("10", "100 %"), ("10", "100 %"), ("10", "100 %"), ("5", "50 %")]
    quarterly = client.get("/revenue?cohorts=quarter&measure=mrr").text
    assert '<th scope="row">2024-Q1</th>' in quarterly and "Start MRR" in quarterly


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get("/revenue", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_a_missing_exchange_rate_is_explained_on_the_page(client, carol, session):
    euro = make_account(session, "euro")
    subscribe(session, euro, "e1", "100", date(2024, 6, 1), currency="EUR")
    login(client, carol)
    response = client.get("/revenue")
    assert response.status_code == 200
    text = html.unescape(response.text)
    assert "These figures cannot be computed" in text
    assert "no exchange rate from EUR to USD on or before 2024-06-30" in text
    assert "headway import fx-rates" in text
    # The filters stay, so the period can be changed.
    assert 'name="from"' in text


def test_a_period_in_the_future_is_explained_not_an_error_page(client, carol):
    login(client, carol)
    response = client.get("/revenue?from=2025-01&to=2025-03")
    assert response.status_code == 200
    assert "is after the current month" in html.unescape(response.text)
