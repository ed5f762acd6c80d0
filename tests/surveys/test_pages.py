"""The survey overview and the account 360's voice card: who may read, what they show."""

from __future__ import annotations

import json
import re

import pytest
import time_machine

from tests.helpers import login, make_account
from tests.surveys.test_metrics import NOW, answer, build_voices, utc
from tests.surveys.test_reports import build_comments

NOVEMBER = "/surveys?from=2026-11-01&to=2026-11-30"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def voices(session):
    return build_voices(session)


def text_of(html: str) -> str:
    """The page's text, tags dropped and spaces squeezed, for reading figures."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def kpi(html: str, key: str) -> str:
    match = re.search(rf'id="figure-{key}".*?class="kpi-value">(.*?)</span>\s*<', html, re.S)
    assert match, f"no {key} figure"
    return text_of(match.group(1)).strip()


def row(html: str, row_id: str) -> str:
    match = re.search(rf'<tr id="{row_id}">(.*?)</tr>', html, re.S)
    assert match, f"no row {row_id}"
    return text_of(match.group(1)).strip()


def test_the_overview_sends_a_visitor_to_the_login_page(client):
    response = client.get("/surveys", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_the_overview_shows_the_figures_of_the_period(client, carol, voices):
    login(client, carol)
    page = client.get(NOVEMBER)

    assert page.status_code == 200
    html = page.text
    assert kpi(html, "nps") == "+30"
    assert kpi(html, "csat") == "57 %"
    assert kpi(html, "ces") == "5.2 / 7"
    assert kpi(html, "response_rate") == "75 %"
    text = text_of(html)
    assert "5 promoters · 3 passives · 2 detractors" in text
    assert "75 % found it easy, of 4 answers" in text and "3 of 4 invitations answered" in text
    widths = re.findall(r'class="nps-part nps-(\w+)" style="width: ([\d.]+)%"', html)
    assert widths == [("promoters", "50.0"), ("passives", "30.0"), ("detractors", "20.0")]
    assert row(html, "segment-high-touch") == "High-touch 11 +40 50 % 6.5 75 %"
    assert row(html, "segment-tech-touch") == "Tech-touch 10 +20 67 % 4.0 —"
    assert row(html, "survey-csat_good_bad") == "Customer satisfaction (good or bad) 3 2 0 1 67 %"


def test_the_trend_chart_has_a_point_per_month(client, carol, voices):
    login(client, carol)
    html = client.get("/surveys?from=2026-10-15&to=2026-11-30").text

    (spec,) = [json.loads(c) for c in re.findall(r"data-chart='([^']*)'", html)]
    assert spec == {
        "kind": "survey-trend",
        "labels": ["2026-10", "2026-11"],
        "nps": [-100.0, 30.0],
        "csat": [None, 57.1],
        "ces": [None, 5.25],
        "responses": [1, 21],
    }


def test_the_default_period_is_twelve_calendar_months(client, carol, voices):
    login(client, carol)
    html = client.get("/surveys").text

    assert 'name="from" value="2026-01-01"' in html and 'name="to" value="2026-12-01"' in html
    assert re.search(r'<a href="[^"]*from=2026-01-01[^"]*" aria-current="true">12 months</a>', html)
    # October's detractor and December's first one join November's ten: (5 − 4) / 12.
    assert kpi(html, "nps") == "+8"


def test_a_segment_narrows_the_overview(client, carol, voices):
    login(client, carol)
    html = client.get(NOVEMBER + "&segment=tech-touch").text

    assert kpi(html, "nps") == "+20"
    assert 'id="segment-high-touch"' not in html
    assert '<option value="tech-touch" selected>' in html


def test_filters_that_cannot_be_read_are_said_beside_the_form(client, carol):
    login(client, carol)
    html = client.get("/surveys?from=2026-11-30&to=2026-11-01").text
    unknown = client.get("/surveys?segment=vip").text

    assert "These filters cannot be applied" in html and "after it ends on 2026-11-01" in html
    assert "unknown segment &#39;vip&#39;" in unknown


def test_an_empty_period_says_so(client, carol):
    login(client, carol)
    html = client.get(NOVEMBER).text

    assert kpi(html, "nps") == "—" and kpi(html, "csat") == "—"
    assert "no NPS answer in the period" in html and "No answer in this period." in html
    assert "No answer with a comment in this period." in html


def test_the_verbatims_are_listed_and_their_filters_swap_the_list_alone(client, carol, session):
    build_comments(session)
    login(client, carol)
    html = client.get(NOVEMBER).text
    fragment = client.get(NOVEMBER + "&polarity=negative&q=slow", headers={"HX-Request": "true"})

    assert re.findall(r"<blockquote>([^<]*)</blockquote>", html) == [
        "Quick and kind",
        "Slow replies",
        "The agent was polite",
        "Too slow to load",
        "Reports save us a day a week",
    ]
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<div class="results survey-comments"')
    assert re.findall(r"<blockquote>([^<]*)</blockquote>", fragment.text) == [
        "Slow replies",
        "Too slow to load",
    ]
    assert "HX-Request" in fragment.headers["vary"]


def test_comments_are_paged_twenty_at_a_time(client, carol, session):
    acme = make_account(session, "acme")
    for n in range(23):
        answer(session, acme, "nps", 9, utc(2026, 11, 1 + n), comment=f"comment {n}")
    login(client, carol)

    first = client.get(NOVEMBER).text
    second = client.get(NOVEMBER + "&page=2", headers={"HX-Request": "true"}).text

    assert first.count("<blockquote>") == 20 and "23 comments · page 1 of 2" in first
    assert re.findall(r"<blockquote>([^<]*)</blockquote>", second) == [
        "comment 2",
        "comment 1",
        "comment 0",
    ]


def test_the_page_links_to_campaigns_and_is_in_the_navigation(client, carol):
    login(client, carol)
    html = client.get("/surveys").text

    assert '<a class="button secondary" href="/surveys/campaigns">Campaigns</a>' in html
    assert re.search(r'<a href="/surveys" aria-current="page">Surveys</a>', html)


def test_the_account_card_shows_a_years_voice_and_the_latest_comments(client, carol, session):
    acme, _ = build_comments(session)
    answer(session, acme, "nps", 9, utc(2025, 12, 2), comment="Last year: counted")
    answer(session, acme, "nps", 0, utc(2025, 12, 1, 23), comment="Too old")
    login(client, carol)

    html = client.get(f"/accounts/{acme.id}").text
    card = html[html.index('id="account-voice"') :]
    card = card[: card.index("</section>")]

    text = text_of(card)
    # NPS 10, 3 and 9 over the 365 days ending December 1: 2 promoters, 1 detractor.
    assert "NPS +33 2 promoters · 0 passives · 1 detractor" in text
    assert "CSAT 0 % of 1 answer" in text and "Effort 6.0 / 7 · 100 % found it easy" in text
    assert re.findall(r"<blockquote>([^<]*)</blockquote>", card) == [
        "The agent was polite",
        "Too slow to load",
        "Reports save us a day a week",
    ]
    assert "1 earlier comment in the year." in text


def test_an_account_without_answers_says_so(client, carol, session):
    quiet = make_account(session, "quiet")
    login(client, carol)

    html = client.get(f"/accounts/{quiet.id}").text

    assert "No survey answer from this account in the last 365 days." in html


def test_an_unknown_comment_filter_is_said_in_the_list(client, carol):
    login(client, carol)
    fragment = client.get("/surveys?polarity=angry", headers={"HX-Request": "true"}).text

    assert "These filters cannot be applied" in fragment
    assert "unknown polarity &#39;angry&#39;; expected positive, neutral, negative" in fragment
