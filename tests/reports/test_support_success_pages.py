"""The support & success page and its card on the account 360 page, with the figures of
tests/reports/support_company.py."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.helpers import login
from tests.reports.support_company import SupportCompany, build_support_company

pytestmark = pytest.mark.usefixtures("frozen_today")

_FIGURE = re.compile(r'id="figure-(\w+)"[^>]*>.*?class="kpi-value">([^<]*)<', re.DOTALL)
_CHART = re.compile(r"data-chart='([^']*)'")


@pytest.fixture
def company(session, bob, erin) -> SupportCompany:
    return build_support_company(session, bob=bob, erin=erin)


def figures(page: str) -> dict[str, str]:
    return {key: html.unescape(value.strip()) for key, value in _FIGURE.findall(page)}


def section(page: str, start: str, end: str) -> str:
    return page[page.index(start) : page.index(end)]


def text_rows(part: str) -> list[str]:
    rows = re.findall(r"<tr>(.*?)</tr>", part, re.DOTALL)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def test_someone_logged_out_is_sent_to_the_login_page(client):
    response = client.get("/reports/support", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/reports/support")


def test_a_viewer_reads_both_sides_of_the_portfolio(client, carol, company):
    login(client, carol)
    response = client.get("/reports/support")
    assert response.status_code == 200
    page = response.text
    assert figures(page) == {
        "tickets": "8",
        "resolution": "12.0 h",
        "csat": "67 %",
        "effort": "3.8",
        "activities": "3",
        "accounts_touched": "1",
        "goals_progressed": "1",
        "coverage": "17 %",
    }
    assert "3 the 90 days before · ×2.67" in page
    assert "1 of 6 required touches met" in page
    assert 'href="/reports/support" aria-current="page">Support</a>' in page
    (chart,) = [json.loads(html.unescape(raw)) for raw in _CHART.findall(page)]
    assert chart["kind"] == "monthly-counts"
    assert chart["labels"][-3:] == ["2026-01", "2026-02", "2026-03"]
    assert [d["data"][-4:] for d in chart["datasets"]] == [[2, 1, 2, 5], [1, 0, 0, 2]]


def test_the_attention_list_links_to_the_accounts_and_says_why(client, carol, company):
    login(client, carol)
    page = client.get("/reports/support").text
    attention = section(page, 'id="support-attention"', 'id="support-groups"')
    assert f'<a href="/accounts/{company.globex.id}">Globex</a>' in attention
    assert f'<a href="/accounts/{company.initech.id}">Initech</a>' in attention
    assert "Acme" not in attention  # rising tickets, but touched
    assert text_rows(attention)[1:] == [
        "Globex High-touch Bob Brown High effort Rising tickets effort 2.0 of 7 on 1 answer "
        "(below 5); 3 tickets, up from 0; no proactive touch in the period 3 (0) 2.0 15 Dec 2025",
        "Initech Tech-touch Erin Evans High effort effort 3.5 of 7 on 2 answers (below 5); "
        "no proactive touch in the period 1 (1) 3.5 never",
    ]


def test_segment_and_csm_rows_show_the_two_sides(client, carol, company):
    login(client, carol)
    page = client.get("/reports/support").text
    groups = section(page, 'id="support-groups"', 'class="card definitions"')
    assert text_rows(groups)[1:] == [
        "High-touch 2 7 (2) 30.0 h 60 % 4.0 3 1 1 25 %",
        "Tech-touch 2 1 (1) 2.0 h 100 % 3.5 0 0 0 0 %",
        "Bob Brown 3 7 (2) 30.0 h 60 % 4.0 3 1 1 20 %",
        "Erin Evans 1 1 (1) 2.0 h 100 % 3.5 0 0 0 0 %",
    ]


def test_the_filters_narrow_the_page_and_a_bad_period_is_explained(client, carol, company, erin):
    login(client, carol)
    tech = client.get("/reports/support?segment=tech-touch")
    assert figures(tech.text)["tickets"] == "1"
    assert 'value="tech-touch" selected' in tech.text
    erins = client.get(f"/reports/support?owner={erin.id}&from=2026-01&to=2026-03")
    assert figures(erins.text)["tickets"] == "1"
    backwards = client.get("/reports/support?from=2026-03-01&to=2026-02-01")
    assert backwards.status_code == 200
    assert "starts on 2026-03-01 after it ends on 2026-02-01" in backwards.text
    garbled = client.get("/reports/support?from=yesterday")
    assert "expected YYYY-MM-DD or YYYY-MM" in garbled.text


def test_the_account_page_shows_support_beside_success_after_the_success_plan(
    client, carol, company
):
    login(client, carol)
    page = client.get(f"/accounts/{company.acme.id}").text
    assert (
        page.index('id="account-success-plan"')
        < page.index('id="account-support-success"')
        < page.index('id="account-health"')
    )
    card = section(page, 'id="account-support-success"', 'id="account-health"')
    assert 'id="account-tickets">4 <span class="muted">(2 before)' in card
    assert "30.0 h" in card and "60 %" in card and "6.0 of 7" in card
    assert "Needs a proactive touch" not in card
    tickets = text_rows(section(card, "<tbody>", "</tbody>"))
    assert tickets == [
        "Ticket a4 solved normal 20 Mar 2026 12.0 h",
        "Export times out open normal 5 Mar 2026 not solved",
        "Ticket a2 solved high 1 Feb 2026 48.0 h",
        "Ticket a1 solved normal 10 Jan 2026 6.0 h",
        "Ticket a6 solved normal 30 Dec 2025 72.0 h",
    ]


def test_an_account_needing_a_touch_says_why_and_a_quiet_one_has_no_tickets(client, carol, company):
    login(client, carol)
    globex = client.get(f"/accounts/{company.globex.id}").text
    assert "Needs a proactive touch:</strong> effort 2.0 of 7 on 1 answer" in globex
    umbrella = client.get(f"/accounts/{company.umbrella.id}").text
    card = section(umbrella, 'id="account-support-success"', 'id="account-health"')
    assert "No tickets." in card
    assert "never" in card  # no proactive touch ever
