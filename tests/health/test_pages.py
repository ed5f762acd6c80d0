"""Health pages: who may read and save, what the portfolio, editor and account cards show."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import time_machine

from headway.health.scorecards import export_yaml, get_scorecard, list_versions
from tests.health.company import NOW, HealthCompany, build_health_company
from tests.helpers import csrf_token, login


@pytest.fixture
def company(session, bob, erin) -> Iterator[HealthCompany]:
    # The app reads the clock the test froze: scores and usage are read as of TODAY.
    with time_machine.travel(NOW, tick=False):
        yield build_health_company(session, bob=bob, erin=erin)


def text_of(html: str) -> str:
    """The page's text, tags dropped and spaces squeezed, for reading figures."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def kpi(html: str, band: str) -> str:
    match = re.search(rf'id="band-{band}".*?class="kpi-value">([^<]*)<', html, re.S)
    assert match, f"no {band} figure"
    return match.group(1)


def charts(html: str) -> list[str]:
    return re.findall(r"data-chart='([^']*)'", html)


# --- who may see what --------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/health", "/health/scorecards", "/health/scorecards/default"])
def test_the_health_pages_send_a_visitor_to_the_login_page(client, path):
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_viewer_reads_the_portfolio_and_the_scorecards(client, carol, company):
    login(client, carol)
    assert client.get("/health").status_code == 200
    listing = client.get("/health/scorecards")
    assert listing.status_code == 200
    text = text_of(listing.text)
    assert "Default health default every segment without its own v2 4 31 Mar 2026" in text
    editor = client.get("/health/scorecards/default")
    assert editor.status_code == 200
    assert "readonly" in editor.text
    assert "Save as new version" not in editor.text


def test_an_unknown_scorecard_is_not_found_and_names_the_known_ones(client, carol):
    login(client, carol)
    response = client.get("/health/scorecards/nope")
    assert response.status_code == 404
    assert "default" in response.text


def test_health_is_in_the_main_navigation(client, carol):
    login(client, carol)
    page = client.get("/health").text
    assert re.search(r'<a href="/health" aria-current="page">Health</a>', page)


# --- the portfolio -------------------------------------------------------------------------


def test_the_portfolio_counts_customers_per_band_and_draws_both_distributions(
    client, carol, company
):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/health").text
    assert kpi(page, "red") != "0"  # Globex at least
    assert kpi(page, "none") == "1"  # Initech: nothing to score
    total = sum(int(kpi(page, band)) for band in ("green", "yellow", "red", "none"))
    assert total == 4
    drawn = charts(page)
    assert len(drawn) == 2
    assert '"palette": "band"' in drawn[0]
    assert "Bob Brown" in drawn[1] and "Erin Evans" in drawn[1]


def test_the_biggest_drops_link_to_the_account_with_both_scores(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/health").text
    movers = page[page.index('id="health-movers"') :]
    first = movers[: movers.index("</tr>", movers.index("<tbody>"))]
    assert f'href="/accounts/{company.globex.id}"' in first
    assert "Erin Evans" in first
    assert re.search(r">\s*90\s*<", first) and re.search(r">\s*40\s*<", first)
    assert "-51" in first


def test_an_htmx_filter_gets_only_the_results_fragment(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/health", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<div") or 'id="health-results"' in response.text
    assert "<html" not in response.text
    assert "HX-Request" in response.headers["vary"]


def test_a_bad_csm_filter_is_said_on_the_page(client, carol):
    login(client, carol)
    response = client.get("/health?owner=abc")
    assert response.status_code == 200
    assert "CSM must be a user id" in response.text


# --- the account 360 cards --------------------------------------------------------------------


def test_the_health_card_explains_what_pulled_the_score_down(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/accounts/{company.globex.id}").text
    card = page[
        page.index('id="account-health"') : page.index(
            "</section>", page.index('id="account-health"')
        )
    ]
    assert 'class="health-value">40<' in card
    assert "band-solid-red" in card
    assert "trend-down" in card
    seats = card[card.index('id="measure-seat_utilisation"') :]
    seats = seats[: seats.index("</tr>")]
    assert "20 %" in seats and "pulled it down" in seats and "−24.5" in seats
    reports = card[card.index('id="measure-key_events"') :]
    reports = reports[: reports.index("</tr>")]
    assert "0.5 per week" in reports and "pulled it down" in reports and "−17.9" in reports
    seen = card[card.index('id="measure-last_seen"') :]
    seen = seen[: seen.index("</tr>")]
    assert "10 days" in seen and "pulled it down" not in seen
    assert 'id="measure-goals_on_track"' not in card  # version 2 has no Outcomes group
    assert 'class="health-history"' in card  # five daily scores: a sparkline


def test_health_comes_right_after_the_outcome_cards_on_the_account_page(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/accounts/{company.acme.id}").text
    order = [
        page.index(f'id="account-{name}"')
        for name in ("desired-outcome", "success-plan", "health", "outputs", "usage", "revenue")
    ]
    assert order == sorted(order)


def test_an_account_without_a_score_says_so(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/accounts/{company.initech.id}").text
    assert "No health score yet" in page
    assert "No product usage received for this account yet" in page


def test_the_usage_card_shows_active_users_seats_and_events_per_day(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/accounts/{company.acme.id}").text
    card = page[page.index('id="account-usage"') :]
    card = card[: card.index("</section>")]
    text = text_of(card)
    assert "DAU 8 WAU 8 MAU 8" in text
    assert "Seat utilisation 80 %" in text and "8 of 10 seats" in text
    assert "Last seen today" in text
    assert "last 90 days, 420 in all" in text  # 60 days × 7 events
    assert "Dashboard Viewed 360 60" in text and "Report Created 60 60" in text
    assert '"kind": "daily-bars"' in card


# --- the scorecard editor ---------------------------------------------------------------------


def changed_yaml(session) -> str:
    """The default scorecard with seat utilisation counted full from 20 % instead of 80 %."""
    text = export_yaml(session=session, keys=["default"])
    assert "best: 0.8" in text
    return text.replace("best: 0.8", "best: 0.2", 1)


def test_the_editor_shows_the_definition_as_a_table_and_as_yaml(client, dave, company):
    login(client, dave)
    page = client.get("/health/scorecards/default").text
    table = page[
        page.index('class="definition"') : page.index("</table>", page.index('class="definition"'))
    ]
    text = text_of(table)
    assert "Adoption 71 %" in text  # 50 of the 70 group weight of version 2
    assert "Monthly active users ÷ licensed seats" in text
    assert "0 at 10 % or less, 100 at 80 % or more, straight between" in text
    assert "below 3 days → 100" in text
    assert "weights renormalised 40 % 29 %" in text  # seat utilisation: 40 % of Adoption's 71 %
    assert "scorecards:" in page and 'name="yaml"' in page
    assert 'hx-get="/health/scorecards/default/backtest"' in page


def test_the_backtest_fragment_gives_the_auc_of_each_version(client, carol, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        fragment = client.get("/health/scorecards/default/backtest").text
    assert 'id="backtest-v1"' in fragment
    assert "How to read AUC" in fragment
    assert "<html" not in fragment


def test_a_preview_shows_band_changes_without_saving(client, session, dave, company):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            "/health/scorecards/default/preview",
            data={"yaml": changed_yaml(session), "csrf_token": token},
        )
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Saving makes version 3" in text
    assert re.search(r"Of the 4 accounts it scores, \d+ would change band", text)
    assert f'href="/accounts/{company.globex.id}"' in response.text  # 20 % seats: full marks
    session.expire_all()
    assert get_scorecard(session=session, key="default").current_version == 2


def test_a_preview_of_broken_yaml_names_the_problem(client, dave, company):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    response = client.post(
        "/health/scorecards/default/preview",
        data={"yaml": "scorecards:\n  - key: default\n    name: [", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "This YAML cannot be saved" in response.text
    assert "line 3" in response.text


def test_the_editor_refuses_yaml_of_another_scorecard(client, session, dave, company):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    text = changed_yaml(session).replace("key: default", "key: other", 1)
    response = client.post(
        "/health/scorecards/default/preview", data={"yaml": text, "csrf_token": token}
    )
    assert "saves the scorecard &#39;default&#39; alone" in response.text


def test_a_manager_saves_a_new_version_with_a_note(client, session, dave, company):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    response = client.post(
        "/health/scorecards/default/versions",
        data={"yaml": changed_yaml(session), "note": "Seats: 20 % is enough", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/health/scorecards/default?saved=3"
    session.expire_all()
    card = get_scorecard(session=session, key="default")
    assert card.current_version == 3
    saved = list_versions(session=session, scorecard=card)[-1]
    assert (saved.note, saved.created_by) == ("Seats: 20 % is enough", "dave@example.com")
    page = client.get(response.headers["location"]).text
    assert "Version 3 saved" in page and "Seats: 20 % is enough" in page


def test_an_admin_may_save_too(client, session, alice, company):
    login(client, alice)
    token = csrf_token(client, "/health/scorecards/default")
    response = client.post(
        "/health/scorecards/default/versions",
        data={"yaml": changed_yaml(session), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_a_csm_cannot_save_a_version(client, session, bob, company):
    login(client, bob)
    token = csrf_token(client, "/health/scorecards/default")
    response = client.post(
        "/health/scorecards/default/versions",
        data={"yaml": changed_yaml(session), "csrf_token": token},
    )
    assert response.status_code == 403
    assert "only admins and managers edit health scorecards" in response.text
    session.expire_all()
    assert get_scorecard(session=session, key="default").current_version == 2


def test_saving_without_the_csrf_token_is_refused(client, session, dave, company):
    login(client, dave)
    response = client.post(
        "/health/scorecards/default/versions", data={"yaml": changed_yaml(session)}
    )
    assert response.status_code == 403
    session.expire_all()
    assert get_scorecard(session=session, key="default").current_version == 2


def test_a_save_with_an_error_keeps_the_text_and_says_what_is_wrong(client, session, dave):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    text = export_yaml(session=session, keys=["default"]).replace("weight: 40", "weight: -1", 1)
    response = client.post(
        "/health/scorecards/default/versions", data={"yaml": text, "csrf_token": token}
    )
    assert response.status_code == 422
    assert "Not saved:" in response.text
    assert "weight: -1" in response.text
    assert "greater than 0" in response.text


def test_saving_the_same_definition_keeps_the_version(client, session, dave):
    login(client, dave)
    token = csrf_token(client, "/health/scorecards/default")
    response = client.post(
        "/health/scorecards/default/versions",
        data={"yaml": export_yaml(session=session, keys=["default"]), "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/health/scorecards/default"
    session.expire_all()
    assert get_scorecard(session=session, key="default").current_version == 1


def test_the_portfolio_narrows_to_a_csm_and_to_a_segment(client, carol, erin, company):
    login(client, carol)
    with time_machine.travel(NOW, tick=False):
        erins = client.get(f"/health?owner={erin.id}").text
        high_touch = client.get("/health?segment=high-touch").text
    # Erin owns Globex (red) and Umbrella; Bob's Acme and Initech are left out.
    assert sum(int(kpi(erins, band)) for band in ("green", "yellow", "red", "none")) == 2
    assert kpi(erins, "none") == "0"
    assert "Bob Brown" not in charts(erins)[1]
    assert f'href="/accounts/{company.globex.id}"' in erins
    assert sum(int(kpi(high_touch, band)) for band in ("green", "yellow", "red", "none")) == 1
    assert f'href="/accounts/{company.globex.id}"' not in high_touch
    assert f'<option value="{erin.id}" selected>' in erins
