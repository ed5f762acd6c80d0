"""Account pages: the portfolio home, the account list and the account 360, by role."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from html import unescape

import pytest
import time_machine
from fastapi.testclient import TestClient

from headway.accounts.schemas import AccountUpdate
from headway.accounts.service import get_account, list_stage_changes, update_account
from headway.config import Settings
from headway.contacts.models import Persona
from headway.contacts.schemas import ContactCreate
from headway.contacts.service import create_contact
from headway.core import clock
from headway.main import create_app
from headway.revenue.schemas import Interval
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import SETUP, csrf_token, login, make_account, subscribe

_ROW_NAME = re.compile(r'<td class="account-name">\s*<a href="/accounts/\d+">([^<]+)</a>')


def names_in_list(html: str) -> list[str]:
    """The account names of a list page or fragment, in the order shown."""
    return [unescape(name) for name in _ROW_NAME.findall(html)]


def htmx_headers(client: TestClient, page: str) -> dict[str, str]:
    """What htmx sends on a write from a page: its marker and the session's CSRF token."""
    return {"HX-Request": "true", "X-CSRF-Token": csrf_token(client, page)}


@pytest.fixture
def book(session, bob, erin):
    """Five accounts with known owners, segments, stages and MRR (USD, per month, today):

    Acme Analytics   bob    high-touch  adoption    12,000
    Globex Health    erin   mid-touch   onboarding   2,500
    Hooli Media      erin   mid-touch   loyal        4,000 (plus EUR 900, not in USD figures)
    Initech Labs     —      tech-touch  onboarding     300 (3,600 a year)
    Umbrella Retail  bob    tech-touch  churned          — (its subscription ended)
    """
    today = clock.today()
    long_ago = today - timedelta(days=400)
    acme = make_account(
        session, "crm-acme", "Acme Analytics", owner=bob, segment="high-touch", stage="adoption"
    )
    globex = make_account(session, "crm-globex", "Globex Health", owner=erin, segment="mid-touch")
    hooli = make_account(
        session, "crm-hooli", "Hooli Media", owner=erin, segment="mid-touch", stage="loyal"
    )
    initech = make_account(session, "crm-initech", "Initech Labs", segment="tech-touch")
    umbrella = make_account(
        session, "crm-umbrella", "Umbrella Retail", owner=bob, segment="tech-touch", stage="churned"
    )
    update_account(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=globex.id,
        changes=AccountUpdate(domain="globex.example"),
    )
    subscribe(session, acme, "sub-acme-1", "10000", long_ago)
    subscribe(session, acme, "sub-acme-2", "2000", today - timedelta(days=30))
    subscribe(session, globex, "sub-globex", "2500", long_ago)
    subscribe(session, hooli, "sub-hooli", "4000", long_ago)
    subscribe(session, hooli, "sub-hooli-eu", "900", long_ago, currency="EUR")
    subscribe(session, initech, "sub-initech", "3600", long_ago, interval=Interval.YEAR)
    subscribe(session, umbrella, "sub-umbrella", "800", long_ago, today - timedelta(days=10))
    return {
        "acme": acme,
        "globex": globex,
        "hooli": hooli,
        "initech": initech,
        "umbrella": umbrella,
    }


# --- who may see and do what -------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, book):
    for path in ["/", "/accounts?segment=mid-touch", f"/accounts/{book['acme'].id}"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=/")
    # htmx cannot follow a redirect to a whole page: it is told where to go instead.
    response = client.get("/accounts", headers={"HX-Request": "true"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_carol_the_viewer_sees_an_account_but_cannot_change_its_stage(client, session, carol, book):
    acme = book["acme"]
    login(client, carol)
    page = client.get(f"/accounts/{acme.id}")
    assert page.status_code == 200
    assert "Acme Analytics" in page.text
    assert "Change stage" not in page.text
    assert "Assign owner" not in page.text
    assert "Set segment" not in page.text
    response = client.post(
        f"/accounts/{acme.id}/stage",
        data={"stage": "loyal", "reason": "I wish"},
        headers=htmx_headers(client, f"/accounts/{acme.id}"),
    )
    assert response.status_code == 403
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).stage.key == "adoption"


def test_bob_moves_his_own_account_to_another_stage_with_a_reason(client, session, bob, book):
    acme = book["acme"]
    login(client, bob)
    page = client.get(f"/accounts/{acme.id}")
    assert "Change stage" in page.text
    assert "Set segment" in page.text
    assert "Assign owner" not in page.text  # CSMs do not assign owners
    response = client.post(
        f"/accounts/{acme.id}/stage",
        data={"stage": "loyal", "reason": "Renewed early"},
        headers=htmx_headers(client, f"/accounts/{acme.id}"),
    )
    assert response.status_code == 200
    # htmx gets the refreshed 360 content, not a whole page.
    assert "<html" not in response.text
    assert 'id="account-360"' in response.text
    assert "Moved to Loyal." in response.text
    assert "Stage Adoption → Loyal" in response.text
    session.expire_all()
    changes = list_stage_changes(session=session, account_id=acme.id)
    assert [(c.to_stage.key, c.changed_by, c.reason) for c in changes][-1] == (
        "loyal",
        "bob@example.com",
        "Renewed early",
    )


def test_a_plain_form_post_changes_the_stage_and_comes_back_to_the_account(
    client, session, bob, book
):
    acme = book["acme"]
    login(client, bob)
    token = csrf_token(client, f"/accounts/{acme.id}")
    response = client.post(
        f"/accounts/{acme.id}/stage",
        data={"stage": "loyal", "reason": "", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/accounts/{acme.id}"
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).stage.key == "loyal"


def test_bob_cannot_change_the_stage_of_erins_account(client, session, bob, book):
    globex = book["globex"]
    login(client, bob)
    page = client.get(f"/accounts/{globex.id}")
    assert page.status_code == 200
    assert "Change stage" not in page.text
    response = client.post(
        f"/accounts/{globex.id}/stage",
        data={"stage": "adoption"},
        headers=htmx_headers(client, f"/accounts/{globex.id}"),
    )
    assert response.status_code == 403
    assert "you may edit only the accounts you own" in response.text
    session.expire_all()
    assert get_account(session=session, account_id=globex.id).stage.key == "onboarding"


def test_dave_the_manager_assigns_an_owner_and_can_leave_an_account_unowned(
    client, session, dave, bob, book
):
    initech = book["initech"]
    login(client, dave)
    page = client.get(f"/accounts/{initech.id}")
    assert "Assign owner" in page.text
    response = client.post(
        f"/accounts/{initech.id}/owner",
        data={"owner": str(bob.id)},
        headers=htmx_headers(client, f"/accounts/{initech.id}"),
    )
    assert response.status_code == 200
    assert "Owner assigned." in response.text
    session.expire_all()
    assert get_account(session=session, account_id=initech.id).owner_id == bob.id
    response = client.post(
        f"/accounts/{initech.id}/owner",
        data={"owner": ""},
        headers=htmx_headers(client, f"/accounts/{initech.id}"),
    )
    assert response.status_code == 200
    session.expire_all()
    assert get_account(session=session, account_id=initech.id).owner_id is None


def test_bob_cannot_assign_an_owner_even_to_his_own_account(client, session, bob, erin, book):
    acme = book["acme"]
    login(client, bob)
    response = client.post(
        f"/accounts/{acme.id}/owner",
        data={"owner": str(erin.id)},
        headers=htmx_headers(client, f"/accounts/{acme.id}"),
    )
    assert response.status_code == 403
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).owner_id == bob.id


def test_bob_cannot_set_the_segment_even_of_his_own_account(client, session, bob, book):
    acme = book["acme"]
    login(client, bob)
    headers = htmx_headers(client, f"/accounts/{acme.id}")
    response = client.post(
        f"/accounts/{acme.id}/segment", data={"segment": "mid-touch"}, headers=headers
    )
    assert response.status_code == 403
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).segment.key == "high-touch"


def test_dave_sets_the_segment_by_hand_and_hands_it_back_to_the_rule(client, session, dave, book):
    acme = book["acme"]
    login(client, dave)
    headers = htmx_headers(client, f"/accounts/{acme.id}")
    response = client.post(
        f"/accounts/{acme.id}/segment", data={"segment": "mid-touch"}, headers=headers
    )
    assert response.status_code == 200
    assert "Segment set to Mid-touch by hand." in response.text
    session.expire_all()
    account = get_account(session=session, account_id=acme.id)
    assert (account.segment.key, account.segment_locked) == ("mid-touch", True)
    response = client.post(
        f"/accounts/{acme.id}/segment", data={"segment": "rule"}, headers=headers
    )
    assert response.status_code == 200
    # USD 12,000 MRR is USD 144,000 ARR: the rule puts Acme in high-touch at once.
    assert "The ARR rule puts the account in High-touch." in response.text
    session.expire_all()
    account = get_account(session=session, account_id=acme.id)
    assert (account.segment.key, account.segment_locked) == ("high-touch", False)


def test_a_write_without_the_csrf_token_is_refused(client, session, bob, book):
    acme = book["acme"]
    login(client, bob)
    response = client.post(
        f"/accounts/{acme.id}/stage", data={"stage": "loyal"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    response = client.post(
        f"/accounts/{acme.id}/stage",
        data={"stage": "loyal"},
        headers={"X-CSRF-Token": "forged"},
    )
    assert response.status_code == 403
    session.expire_all()
    assert get_account(session=session, account_id=acme.id).stage.key == "adoption"


def test_an_unknown_stage_or_account_gets_a_clear_error_page(client, bob, book):
    login(client, bob)
    acme = book["acme"]
    response = client.post(
        f"/accounts/{acme.id}/stage",
        data={"stage": "ecstatic"},
        headers=htmx_headers(client, f"/accounts/{acme.id}"),
    )
    assert response.status_code == 422
    assert "unknown lifecycle stage &#39;ecstatic&#39;" in response.text
    assert client.get("/accounts/999999").status_code == 404


# --- the account list --------------------------------------------------------------------


def test_the_list_searches_names_and_domains(client, carol, book):
    login(client, carol)
    assert names_in_list(client.get("/accounts?q=HEALTH").text) == ["Globex Health"]
    assert names_in_list(client.get("/accounts?q=globex.example").text) == ["Globex Health"]
    assert names_in_list(client.get("/accounts?q=crm-initech").text) == ["Initech Labs"]
    page = client.get("/accounts?q=nothing-like-this")
    assert names_in_list(page.text) == []
    assert "No account matches these filters." in page.text


def test_the_list_filters_by_segment_stage_and_owner(client, carol, bob, book):
    login(client, carol)

    def names(query: str) -> list[str]:
        response = client.get(f"/accounts?{query}")
        assert response.status_code == 200, response.text
        return names_in_list(response.text)

    assert names("segment=mid-touch") == ["Globex Health", "Hooli Media"]
    assert names("stage=onboarding") == ["Globex Health", "Initech Labs"]
    assert names(f"owner={bob.id}") == ["Acme Analytics", "Umbrella Retail"]
    assert names("owner=unowned") == ["Initech Labs"]
    assert names("segment=tech-touch&stage=churned") == ["Umbrella Retail"]
    # Empty fields, as a form without JavaScript sends them, mean "any".
    assert len(names("q=&segment=&stage=&owner=")) == 5
    assert client.get("/accounts?owner=somebody").status_code == 422
    assert client.get("/accounts?segment=platinum").status_code == 422


def test_the_list_sorts_by_mrr_and_shows_a_dash_where_there_is_none(client, carol, book):
    login(client, carol)
    largest_first = client.get("/accounts?sort=-mrr").text
    assert names_in_list(largest_first) == [
        "Acme Analytics",
        "Hooli Media",
        "Globex Health",
        "Initech Labs",
        "Umbrella Retail",
    ]
    # USD only: Hooli's EUR 900 is not added to its USD 4,000.
    for shown in ["USD 12,000", "USD 4,000", "USD 2,500", "USD 300"]:
        assert shown in largest_first
    assert 'title="no active subscription in USD">—</span>' in largest_first
    assert names_in_list(client.get("/accounts?sort=mrr").text)[:2] == [
        "Umbrella Retail",
        "Initech Labs",
    ]
    assert names_in_list(client.get("/accounts?sort=-name").text)[0] == "Umbrella Retail"


def test_sort_headers_keep_the_filters_and_flip_the_direction(client, carol, book):
    login(client, carol)
    page = client.get("/accounts?segment=mid-touch&sort=-mrr").text
    assert 'href="/accounts?segment=mid-touch&amp;sort=mrr"' in page  # MRR again: smallest first
    assert 'href="/accounts?segment=mid-touch"' in page  # by name, the default sort
    assert 'aria-sort="descending"' in page


def test_htmx_gets_only_the_results_and_the_url_stays_shareable(client, carol, book):
    login(client, carol)
    response = client.get("/accounts?segment=mid-touch", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<section class="card results" id="account-results"')
    assert names_in_list(response.text) == ["Globex Health", "Hooli Media"]
    assert "HX-Request" in response.headers["Vary"]
    # The same URL opened in a new tab is a whole page with the filter chosen.
    page = client.get("/accounts?segment=mid-touch")
    assert "<html" in page.text
    assert '<option value="mid-touch" selected>' in page.text
    # A history restore after htmx's cache missed needs the whole page too.
    restored = client.get(
        "/accounts?segment=mid-touch",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restored.text


@pytest.fixture
def client_with_pages_of_five(database_url):
    app = create_app(Settings(database_url=database_url, secret_key=TEST_SECRET_KEY, page_size=5))
    with TestClient(app) as test_client:
        yield test_client


def test_pages_of_the_list_count_every_account(client_with_pages_of_five, session, carol):
    client = client_with_pages_of_five
    for number in range(1, 13):
        make_account(session, f"crm-{number:02d}", f"Account {number:02d}")
    login(client, carol)
    first = client.get("/accounts").text
    assert "12 accounts" in first
    assert "showing 1–5 · page 1 of 3" in first
    assert names_in_list(first) == [f"Account {n:02d}" for n in range(1, 6)]
    last = client.get("/accounts?page=3").text
    assert names_in_list(last) == ["Account 11", "Account 12"]
    assert "showing 11–12 · page 3 of 3" in last
    assert 'href="/accounts?page=2"' in last and 'rel="prev"' in last
    filtered = client.get("/accounts?q=account 1&page=1").text  # 10, 11, 12
    assert "3 accounts" in filtered and "page 1 of" not in filtered
    beyond = client.get("/accounts?page=9").text
    assert "Page 9 is past the last page." in beyond


# --- the portfolio home and the account 360 ---------------------------------------------


def test_the_portfolio_shows_accounts_and_mrr_by_segment_and_stage(client, carol, book):
    login(client, carol)
    page = client.get("/").text
    # 12,000 + 2,500 + 4,000 + 300 = 18,800 USD from 4 paying accounts of 5.
    assert "USD 18,800" in page
    assert "ARR USD 225,600" in page
    assert "of 5 accounts" in page
    assert "USD 4,700" in page  # ARPA: 18,800 ÷ 4
    assert "Subscriptions charged in EUR are not counted" in page
    assert 'href="/accounts?segment=mid-touch&amp;stage=loyal"' in page
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", page).group(1)))
    assert chart["labels"] == ["High-touch", "Mid-touch", "Tech-touch"]
    by_stage = {d["key"]: d["data"] for d in chart["datasets"]}
    assert by_stage == {
        "onboarding": [0, 2500, 300],
        "adoption": [12000, 0, 0],
        "loyal": [0, 4000, 0],
    }


def test_an_empty_portfolio_shows_dashes_not_zeros(client, carol):
    login(client, carol)
    page = client.get("/").text
    assert "No paying accounts yet" in page
    assert "USD 0" not in page
    assert page.count('<span class="kpi-value">—</span>') >= 3


def test_the_account_360_shows_profile_revenue_contacts_and_timeline(client, session, bob, book):
    hooli = book["hooli"]
    child = make_account(session, "crm-hooli-xyz", "Hooli XYZ", parent=hooli)
    update_account(
        session=session,
        actor=SETUP,
        permissions=None,
        account_id=hooli.id,
        changes=AccountUpdate(industry="Media", employees=1200, traits={"region": "EMEA"}),
    )
    create_contact(
        session=session,
        actor=SETUP,
        permissions=None,
        data=ContactCreate(
            account_id=hooli.id,
            email="gavin@hooli.example",
            name="Gavin Belson",
            title="CEO",
            persona=Persona.DECISION_MAKER,
        ),
    )
    login(client, bob)
    page = client.get(f"/accounts/{hooli.id}").text
    for shown in [
        "crm-hooli",
        "1,200",
        "EMEA",
        f'<a href="/accounts/{child.id}">Hooli XYZ</a>',
        "Erin Evans",  # the owner
        "every 90 days",  # mid-touch meetings: its Appropriate Experience
        "standard",  # mid-touch support level
        "Gavin Belson",
        "decision maker",
        "USD 4,000",
        "EUR 900",
        "Entered stage Loyal",
        "Subscription Pro started",
    ]:
        assert shown in page, shown
    chart = json.loads(unescape(re.search(r"data-chart='([^']+)'", page).group(1)))
    assert [d["label"] for d in chart["datasets"]] == ["EUR", "USD"]
    assert chart["datasets"][1]["data"][-1] == 4000
    assert len(chart["labels"]) in (14, 15)  # month ends over the 400 days since the start


def test_an_account_without_subscriptions_shows_no_chart_and_no_mrr(client, carol, session):
    account = make_account(session, "crm-new", "Newco")
    login(client, carol)
    page = client.get(f"/accounts/{account.id}").text
    assert "No subscriptions yet, so no MRR to draw." in page
    assert "data-chart" not in page
    assert re.search(r'<dt>MRR</dt>\s*<dd class="big">—</dd>', page)


def movement_rows(page: str) -> list[tuple[str, str, str, str]]:
    """The rows of the revenue movements table: month, MRR at month end, movement, amount."""
    section = page.split('<div id="account-movements">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(
        r"<tr class=\"movement-\w+\">\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>\s*"
        r"<td><span[^>]*>([^<]*)</span></td>\s*<td[^>]*>([^<]*)</td>",
        section,
    )
    return [(month, mrr, kind, amount) for month, mrr, kind, amount in cells]


def test_the_account_360_lists_the_months_in_which_its_mrr_moved(client, session, carol):
    with time_machine.travel(date(2024, 10, 15), tick=False):
        account = make_account(session, "crm-moves", "Moving Parts")
        subscribe(session, account, "sub-moves-1", "100", date(2024, 1, 1), date(2024, 3, 10))
        subscribe(session, account, "sub-moves-2", "150", date(2024, 3, 10), date(2024, 6, 1))
        subscribe(session, account, "sub-moves-3", "80", date(2024, 9, 1))
        login(client, carol)
        page = client.get(f"/accounts/{account.id}").text
    # MRR at each month end: Jan 100 (0 → 100, new), Feb 100; Mar 31 only the second
    # subscription runs: 150 (100 → 150, expansion +50); Apr, May 150; Jun 30 nothing runs
    # (150 → 0, churn −150); Jul, Aug 0; Sep 30 the third: 80 (0 → 80 after paying before,
    # reactivation +80); Oct 80, no move. Months without a move are left out, newest first.
    assert "Revenue movements" in page
    assert movement_rows(page) == [
        ("2024-09", "USD 80", "Reactivation", "+80"),
        ("2024-06", "USD 0", "Churn", "−150"),
        ("2024-03", "USD 150", "Expansion", "+50"),
        ("2024-01", "USD 100", "New", "+100"),
    ]


def test_a_missing_exchange_rate_shows_a_message_instead_of_movements(client, session, carol):
    account = make_account(session, "crm-euro", "Euro Only")
    subscribe(
        session, account, "sub-euro", "900", clock.today() - timedelta(days=60), currency="EUR"
    )
    login(client, carol)
    response = client.get(f"/accounts/{account.id}")
    assert response.status_code == 200
    page = unescape(response.text)
    section = page.split('<div id="account-movements">', 1)[1].split("</div>", 1)[0]
    assert "Movements cannot be computed: no exchange rate from EUR to USD" in section
    assert "<table" not in section
    assert "EUR 900" in page  # the rest of the account still shows
