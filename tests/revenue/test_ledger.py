"""Revenue metrics from subscriptions in the database: each rule of issue 3 on a hand-built ledger.

Money in the results is in major units of the reporting currency (USD); expected values are
worked out by hand in the comments.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from headway.core import clock
from headway.core.errors import InvalidInput, NotFound
from headway.revenue.metrics import CohortMeasure, CohortPeriod
from headway.revenue.models import FxRate, SalesMarketingSpend
from headway.revenue.schemas import (
    Interval,
    account_movements_read,
    cohort_matrix_read,
    revenue_report_read,
)
from headway.revenue.service import (
    RevenueOptions,
    account_revenue_movements,
    cohort_retention_matrix,
    revenue_metrics,
)
from tests.helpers import make_account, subscribe

USD = RevenueOptions(reporting_currency="USD", gross_margin=0.8)


@pytest.fixture(autouse=True)
def _frozen_today():
    # The ledgers below end in 2024; "today" is in the month after.
    with time_machine.travel(datetime(2025, 1, 15, 12, tzinfo=UTC), tick=False):
        yield


def months(first: str, last: str) -> tuple[date, date]:
    return date.fromisoformat(f"{first}-01"), date.fromisoformat(f"{last}-01")


def metrics(session, first: str, last: str, options=USD, **filters):
    """The period's metrics as the API and the CLI show them."""
    start, end = months(first, last)
    report = revenue_metrics(
        session=session, options=options, first_month=start, last_month=end, **filters
    )
    return revenue_report_read(report)[0]


def by_month(session, first: str, last: str, options=USD):
    start, end = months(first, last)
    report = revenue_metrics(
        session=session, options=options, first_month=start, last_month=end, by_month=True
    )
    return {p.period.first_month: p for p in revenue_report_read(report)}


def movements(m) -> tuple[float, float, float, float, float]:
    return (m.new, m.expansion, m.contraction, m.churn, m.reactivation)


def add_rate(session, currency: str, day: date, rate: float, quote: str = "USD") -> None:
    now = clock.now()
    session.add(
        FxRate(
            currency=currency,
            quote_currency=quote,
            rate_date=day,
            rate=rate,
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()


def add_spend(session, month: date, amount_minor: int, currency: str = "USD") -> None:
    now = clock.now()
    session.add(
        SalesMarketingSpend(
            month=month,
            category="",
            amount_minor=amount_minor,
            currency=currency,
            created_at=now,
            updated_at=now,
        )
    )
    session.commit()


# --- the rules, one ledger each ------------------------------------------------------------


def test_an_upgrade_in_the_middle_of_a_month_is_expansion_at_that_month_end(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "basic", "100", date(2024, 1, 1), date(2024, 3, 15))
    subscribe(session, acme, "pro", "250", date(2024, 3, 15))
    months_ = by_month(session, "2024-01", "2024-04")
    # Jan 31: 100 (new); Feb 29: 100; Mar 31: the upgrade is in place, 250 (+150); Apr: 250.
    assert movements(months_["2024-01"]) == (100, 0, 0, 0, 0)
    assert movements(months_["2024-03"]) == (0, 150, 0, 0, 0)
    assert months_["2024-03"].mrr_end == 250
    assert metrics(session, "2024-01", "2024-04").churn == 0


def test_cancelling_one_of_two_subscriptions_is_contraction_not_churn(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "seats", "100", date(2024, 1, 1))
    subscribe(session, acme, "add-on", "50", date(2024, 1, 1), date(2024, 4, 1))
    m = metrics(session, "2024-02", "2024-06")
    # Jan 31: 150; Apr 30: 100 → contraction 50; the account still pays.
    assert (m.mrr_start, m.mrr_end) == (150, 100)
    assert movements(m) == (0, 0, 50, 0, 0)
    assert (m.logo_churn_rate, m.lost_accounts, m.churned_accounts) == (0, 0, 0)
    assert m.grr == pytest.approx(100 / 150)


def test_yearly_plans_count_a_twelfth_per_month_times_the_quantity(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "y1", "1200", date(2024, 1, 10), interval=Interval.YEAR, quantity=3)
    subscribe(session, acme, "y2", "1000", date(2024, 1, 10), interval=Interval.YEAR)
    m = metrics(session, "2024-01", "2024-01")
    # 1200 ÷ 12 × 3 = 300, plus 1000 ÷ 12 = 83.33…: 383.33 in cents.
    assert m.new == m.mrr_end == 383.33
    assert m.arpa == 383.33


def test_joining_and_leaving_inside_one_month_is_invisible(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "trial-month", "500", date(2024, 5, 3), date(2024, 5, 28))
    subscribe(session, acme, "real", "100", date(2024, 7, 1))
    months_ = by_month(session, "2024-05", "2024-07")
    assert movements(months_["2024-05"]) == (0, 0, 0, 0, 0)
    # May's subscription was never seen at a month end: July is the account's first payment.
    assert movements(months_["2024-07"]) == (100, 0, 0, 0, 0)
    assert months_["2024-07"].new_accounts == 1


def test_churn_then_reactivation_inside_one_period(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "first", "100", date(2024, 1, 1), date(2024, 4, 1))
    subscribe(session, acme, "again", "120", date(2024, 6, 5))
    m = metrics(session, "2024-02", "2024-12")
    # Jan 31: 100; Apr 30: 0 (churn 100); Jun 30: 120 (reactivation); Dec 31: 120.
    assert (m.mrr_start, m.mrr_end) == (100, 120)
    assert movements(m) == (0, 0, 0, 100, 120)
    # 100 + 0 + 0 + 120 − 0 − 100 = 120
    assert m.net_new == 20
    # Paying at both ends of the period: no logo lost.
    assert (m.logo_churn_rate, m.lost_accounts, m.churned_accounts) == (0, 0, 1)
    assert m.nrr == pytest.approx((100 + 120 - 100) / 100)
    assert m.quick_ratio == 0  # (0 + 0) / (100 + 0)
    assert m.variants.quick_ratio_with_reactivation == pytest.approx(1.2)


def test_a_reactivation_window_turns_a_late_return_into_new(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "first", "100", date(2024, 1, 1), date(2024, 4, 1))
    subscribe(session, acme, "again", "120", date(2024, 6, 5))
    # Churned on Apr 30 (the first month end without payment), back on Jun 30: 61 days.
    within = RevenueOptions("USD", reactivation_window_days=61)
    late = RevenueOptions("USD", reactivation_window_days=60)
    assert movements(metrics(session, "2024-02", "2024-12", within)) == (0, 0, 0, 100, 120)
    windowed = metrics(session, "2024-02", "2024-12", late)
    assert movements(windowed) == (120, 0, 0, 100, 0)
    assert windowed.definitions["movements"].variant == "reactivation-window-60-days"


def test_a_free_trial_before_paying_makes_the_first_payment_new(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "trial", "0", date(2024, 1, 1), date(2024, 2, 1))
    subscribe(session, acme, "free-seats", "40", date(2024, 1, 1), quantity=0)
    subscribe(session, acme, "paid", "90", date(2024, 2, 1))
    months_ = by_month(session, "2024-01", "2024-02")
    # The trial and zero seats make no MRR: on Jan 31 the account is not paying.
    assert (months_["2024-01"].accounts_end, months_["2024-01"].mrr_end) == (0, 0)
    assert movements(months_["2024-02"]) == (90, 0, 0, 0, 0)
    assert months_["2024-02"].new_accounts == 1


def test_an_end_date_on_the_first_of_a_month_still_counts_the_month_before(session):
    acme = make_account(session, "acme")
    globex = make_account(session, "globex")
    subscribe(session, acme, "a", "100", date(2024, 1, 1), date(2024, 4, 1))
    subscribe(session, globex, "g", "100", date(2024, 1, 1), date(2024, 3, 31))
    months_ = by_month(session, "2024-03", "2024-04")
    # Acme ends Apr 1 (exclusive): paying on Mar 31, churn in April. Globex ends Mar 31: not
    # paying on Mar 31 itself, churn in March.
    assert months_["2024-03"].churn == 100
    assert months_["2024-04"].churn == 100
    assert months_["2024-03"].mrr_end == 100


def test_other_currencies_convert_at_the_latest_rate_on_or_before_each_month_end(session):
    acme = make_account(session, "acme")
    kyoto = make_account(session, "kyoto")
    subscribe(session, acme, "eur", "100", date(2024, 1, 1), currency="EUR")
    subscribe(session, kyoto, "jpy", "12000", date(2024, 1, 1), currency="JPY")
    add_rate(session, "EUR", date(2024, 1, 31), 1.10)
    add_rate(session, "EUR", date(2024, 2, 15), 1.20)
    add_rate(session, "EUR", date(2024, 3, 31), 1.25)
    add_rate(session, "JPY", date(2023, 12, 29), 0.0067)
    months_ = by_month(session, "2024-01", "2024-03")
    # EUR 100 × 1.10 = 110 on Jan 31, × 1.20 (Feb 15, the latest by Feb 29) = 120, × 1.25 = 125.
    # JPY 12 000 (no minor units) × 0.0067 = 80.40 every month.
    assert [months_[m].mrr_end for m in ("2024-01", "2024-02", "2024-03")] == [
        190.40,
        200.40,
        205.40,
    ]
    # The rate moved: the EUR account shows expansion (120 − 110).
    assert movements(months_["2024-02"]) == (0, 10, 0, 0, 0)
    assert months_["2024-01"].converted_currencies == ["EUR", "JPY"]


def test_a_missing_rate_fails_naming_the_currency_and_the_month_end(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "gbp", "100", date(2024, 1, 1), currency="GBP")
    add_rate(session, "GBP", date(2024, 2, 10), 1.27)  # after Jan 31: no help for January
    add_rate(session, "GBP", date(2024, 1, 5), 1.27, quote="EUR")  # another reporting currency
    with pytest.raises(InvalidInput, match=r"GBP to USD on or before 2024-01-31"):
        metrics(session, "2024-01", "2024-03")


def test_a_rate_is_needed_only_where_the_currency_has_mrr(session):
    acme = make_account(session, "acme")
    subscribe(session, acme, "eur", "100", date(2024, 3, 1), currency="EUR")
    add_rate(session, "EUR", date(2024, 3, 31), 1.1)
    # The period looks back to Jan 2023 for cohort NRR, but EUR has MRR only from March 2024.
    assert metrics(session, "2024-01", "2024-03").mrr_end == 110


def test_an_empty_period_has_zero_money_and_null_rates(session):
    m = metrics(session, "2024-01", "2024-12")
    assert (m.mrr_start, m.mrr_end, m.net_new, m.accounts_end) == (0, 0, 0, 0)
    data = m.model_dump(mode="json")
    for key in (
        "gross_mrr_churn_rate",
        "net_mrr_churn_rate",
        "grr",
        "nrr",
        "logo_churn_rate",
        "expansion_rate",
        "quick_ratio",
        "arpa",
        "nrr_cohort",
        "grr_cohort",
        "ltv",
        "cac",
        "cac_payback_months",
        "ltv_to_cac",
    ):
        assert data[key] is None, key


# --- a small company, every metric ---------------------------------------------------------


def small_company(session):
    """Five accounts whose MRR at each month end of 2024 H1 is:

        Dec  Jan  Feb  Mar  Apr  May  Jun     (2023-12-31 … 2024-06-30)
    A   100  100  100  150  150  150  150     expansion 50 in Mar
    B   200  200    0    0    0    0    0     churn 200 in Feb
    C   300  300  300  300  300  200  200     contraction 100 in May
    D     0    0    0    0  300  300  300     new 300 in Apr
    E     0    0  100  100  100  100  100     paid in 2022: reactivation 100 in Feb
    """
    a, b, c, d, e = (make_account(session, name) for name in ("a", "b", "c", "d", "e"))
    subscribe(session, a, "a1", "100", date(2023, 1, 1))
    subscribe(session, a, "a2", "50", date(2024, 3, 1))
    subscribe(session, b, "b1", "200", date(2023, 6, 1), date(2024, 2, 1))
    subscribe(session, c, "c1", "2400", date(2023, 7, 1), interval=Interval.YEAR)
    subscribe(session, c, "c2", "100", date(2023, 7, 1), date(2024, 5, 1))
    subscribe(session, d, "d1", "300", date(2024, 4, 10))
    subscribe(session, e, "e1", "100", date(2022, 1, 1), date(2023, 3, 1))
    subscribe(session, e, "e2", "100", date(2024, 2, 1))
    return a, b, c, d, e


def test_every_metric_of_a_small_company(session):
    small_company(session)
    for month in range(1, 7):
        add_spend(session, date(2024, month, 1), 100_000)  # 1 000.00 USD a month
    add_spend(session, date(2024, 4, 1), 50_000, "EUR")  # 500.00 EUR
    add_rate(session, "EUR", date(2024, 4, 30), 1.2)
    m = metrics(session, "2024-01", "2024-06")
    assert (m.mrr_start, m.mrr_end) == (600, 750)
    assert movements(m) == (300, 50, 100, 200, 100)
    assert m.net_new == 150  # 300 + 50 + 100 − 100 − 200
    assert m.gross_mrr_churn_rate == 0.5  # (200 + 100) / 600
    assert m.net_mrr_churn_rate == 0.25  # (200 + 100 − 50 − 100) / 600
    assert (m.grr, m.nrr) == (0.5, 0.75)  # 300 / 600, 450 / 600
    assert m.logo_churn_rate == pytest.approx(1 / 3, abs=1e-6)  # B of A, B, C
    assert m.variants.logo_churn_rate_stripe == 0.2  # B of A, B, C + D, E
    assert m.expansion_rate == pytest.approx(50 / 600, abs=1e-6)
    assert m.quick_ratio == pytest.approx(350 / 300, abs=1e-6)
    assert m.arpa == 187.5  # 750 / 4
    # 12 months before (Jun 30 2023) A paid 100 and B 200; now A 150, B 0.
    assert m.nrr_cohort == 0.5  # 150 / 300
    assert m.grr_cohort == pytest.approx(1 / 3, abs=1e-6)  # (100 + 0) / 300
    # Monthly logo churn Jan…Jun: 0, 1/3, 0, 0, 0, 0 → 1/18; LTV = 187.5 × 0.8 × 18.
    assert m.ltv == 2700
    assert m.variants.ltv_without_margin == 3375
    # Spend: 6 × 1 000 + 500 EUR × 1.2 = 6 600 for one new account (D).
    assert (m.spend, m.cac) == (6600, 6600)
    assert m.cac_payback_months == 27.5  # 6 600 / (300 × 0.8)
    assert m.ltv_to_cac == pytest.approx(2700 / 6600, abs=1e-6)
    assert (m.accounts_start, m.accounts_end, m.new_accounts, m.reactivated_accounts) == (
        3,
        4,
        1,
        1,
    )
    assert m.converted_currencies == ["EUR"]
    assert m.definitions["logo_churn_rate"].variant == "chartmogul"
    assert m.period.start_date == date(2023, 12, 31)
    assert m.period.end_date == date(2024, 6, 30)


def test_a_month_without_recorded_spend_leaves_cac_undefined(session):
    small_company(session)
    add_spend(session, date(2024, 4, 1), 100_000)
    assert metrics(session, "2024-04", "2024-04").cac == 1000
    assert metrics(session, "2024-03", "2024-04").cac is None  # nothing recorded for March


def test_by_month_gives_each_months_own_metrics(session):
    small_company(session)
    months_ = by_month(session, "2024-01", "2024-06")
    assert list(months_) == [f"2024-0{m}" for m in range(1, 7)]
    feb = months_["2024-02"]
    assert (feb.mrr_start, feb.churn, feb.reactivation, feb.mrr_end) == (600, 200, 100, 500)
    assert feb.logo_churn_rate == pytest.approx(1 / 3, abs=1e-6)
    assert feb.nrr == pytest.approx(500 / 600, abs=1e-6)
    total = metrics(session, "2024-01", "2024-06")
    for name in ("new", "expansion", "contraction", "churn", "reactivation"):
        assert sum(getattr(p, name) for p in months_.values()) == getattr(total, name)


def test_segment_and_owner_filters_keep_their_accounts_only(session, bob, erin):
    acme = make_account(session, "acme", owner=bob, segment="high-touch")
    globex = make_account(session, "globex", owner=erin, segment="tech-touch")
    subscribe(session, acme, "a", "1000", date(2024, 1, 1))
    subscribe(session, globex, "g", "10", date(2024, 1, 1))
    add_spend(session, date(2024, 1, 1), 100_000)
    assert metrics(session, "2024-01", "2024-01", segment="high-touch").mrr_end == 1000
    by_erin = metrics(session, "2024-01", "2024-01", owner_id=erin.id)
    assert by_erin.mrr_end == 10
    assert by_erin.filters.owner_id == erin.id
    # Spend is company-wide: no CAC for a slice of the accounts.
    assert by_erin.cac is None
    assert metrics(session, "2024-01", "2024-01").cac == 500  # 1 000 / 2 new accounts


def test_unknown_filters_and_periods_are_refused_with_the_reason(session):
    with pytest.raises(InvalidInput, match="unknown segment 'vip'"):
        metrics(session, "2024-01", "2024-02", segment="vip")
    with pytest.raises(NotFound):
        metrics(session, "2024-01", "2024-02", owner_id=999_999)
    with pytest.raises(InvalidInput, match="2024-05 is after the last month 2024-02"):
        metrics(session, "2024-05", "2024-02")
    with pytest.raises(InvalidInput, match="after the current month 2025-01"):
        metrics(session, "2024-05", "2025-02")
    with pytest.raises(InvalidInput, match="at most 120"):
        metrics(session, "2010-01", "2024-12")


def test_the_default_period_is_the_twelve_months_ending_with_the_last_complete_one(session):
    report = revenue_metrics(session=session, options=USD)
    [period] = revenue_report_read(report)
    assert (period.period.first_month, period.period.last_month) == ("2024-01", "2024-12")


# --- cohorts and one account ---------------------------------------------------------------


def test_cohorts_group_accounts_by_their_first_paying_month(session):
    small_company(session)
    report = cohort_retention_matrix(
        session=session,
        options=USD,
        by=CohortPeriod.MONTH,
        measure=CohortMeasure.LOGOS,
        first_month=date(2023, 6, 1),
        last_month=date(2023, 9, 1),
    )
    cohorts = {c.cohort: c for c in cohort_matrix_read(report).cohorts}
    # B first paid in June 2023; C in July; A and E earlier (outside the range).
    assert cohorts["2023-06"].accounts == 1
    assert cohorts["2023-06"].retention == [1.0, 1.0, 1.0, 1.0]
    assert cohorts["2023-07"].retention == [1.0, 1.0, 1.0]
    assert cohorts["2023-08"].retention == [None, None]


def test_quarterly_mrr_cohorts_measure_retained_mrr_at_quarter_ends(session):
    small_company(session)
    report = cohort_retention_matrix(
        session=session,
        options=USD,
        by=CohortPeriod.QUARTER,
        measure=CohortMeasure.MRR,
        first_month=date(2023, 4, 1),
        last_month=date(2024, 6, 1),
    )
    matrix = cohort_matrix_read(report)
    q2 = next(c for c in matrix.cohorts if c.cohort == "2023-Q2")
    # B started in June 2023 at 200: retained 200 on Jun 30 and on Sep 30 and Dec 31 2023,
    # gone by Mar 31 2024.
    assert (q2.accounts, q2.starting_mrr) == (1, 200)
    assert q2.retention == [1.0, 1.0, 1.0, 0.0, 0.0]
    q3 = next(c for c in matrix.cohorts if c.cohort == "2023-Q3")
    # C: 300 from July; 300 at each quarter end until its contraction to 200 in May 2024.
    assert q3.retention == [1.0, 1.0, 1.0, pytest.approx(200 / 300, abs=1e-6)]


def test_an_accounts_own_movements_month_by_month(session):
    _, _, _, _, e = small_company(session)
    revenue = account_revenue_movements(
        session=session, account_id=e.id, options=USD, until=date(2024, 3, 10)
    )
    rows = [(r.month, r.mrr_end, r.movement) for r in account_movements_read(revenue)]
    assert rows[0] == ("2022-01", 100, "new")
    assert ("2023-03", 0, "churn") in rows
    assert ("2024-02", 100, "reactivation") in rows
    assert rows[-1] == ("2024-03", 100, None)


def test_movements_of_an_account_without_subscriptions_are_empty_and_of_none_not_found(session):
    acme = make_account(session, "acme")
    assert account_revenue_movements(session=session, account_id=acme.id, options=USD).months == []
    with pytest.raises(NotFound):
        account_revenue_movements(session=session, account_id=999_999, options=USD)
