"""Revenue metrics over hand-built month-end MRR matrices: the pure functions, no database."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from headway.revenue.metrics import (
    NEVER,
    CohortMeasure,
    CohortPeriod,
    Movement,
    MrrMatrix,
    account_months,
    classify_movements,
    cohort_retention,
    month_end,
    month_end_days,
    month_label,
    month_number,
    month_start,
    period_metrics,
    quarter_label,
    ratio,
    revenue_definitions,
    total_movements,
)

JAN_2024 = month_number(date(2024, 1, 1))
DEC_2023 = JAN_2024 - 1


def metrics_of(mrr, first_month, *, first, last, margin=0.8, spend=None, window=None, **kw):
    matrix = MrrMatrix.without_history(mrr, first_month, **kw)
    movements = classify_movements(matrix, reactivation_window_days=window)
    totals = total_movements(matrix, movements)
    return period_metrics(
        matrix,
        movements,
        totals,
        first_month=first,
        last_month=last,
        gross_margin=margin,
        spend=spend,
    )


def kinds(mrr, first_month=DEC_2023, window=None):
    matrix = mrr if isinstance(mrr, MrrMatrix) else MrrMatrix.without_history(mrr, first_month)
    return [
        [Movement(int(k)).name.lower() for k in row]
        for row in classify_movements(matrix, reactivation_window_days=window).kind
    ]


# --- months --------------------------------------------------------------------------------


def test_months_are_numbered_consecutively_across_years():
    assert month_number(date(2024, 1, 31)) - month_number(date(2023, 12, 1)) == 1
    assert month_start(JAN_2024) == date(2024, 1, 1)
    assert month_end(JAN_2024 + 1) == date(2024, 2, 29)  # a leap year
    assert month_end(DEC_2023) == date(2023, 12, 31)
    assert (month_label(JAN_2024 + 9), quarter_label(JAN_2024 + 9)) == ("2024-10", "2024-Q4")


def test_month_end_days_agree_with_calendar_dates():
    numbers = np.array([DEC_2023, JAN_2024, JAN_2024 + 1])
    expected = [(month_end(n) - date(1970, 1, 1)).days for n in numbers]
    assert month_end_days(numbers).tolist() == expected


def test_a_ratio_with_a_zero_denominator_is_undefined_not_zero_or_infinity():
    assert ratio(5, 0) is None
    assert ratio(0, 5) == 0.0


# --- movements -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ([0, 100, 100], ["new", "none"]),
        ([100, 150, 120], ["expansion", "contraction"]),
        ([100, 0, 0], ["churn", "none"]),
        ([100, 0, 80], ["churn", "reactivation"]),
        ([0, 0, 0], ["none", "none"]),
    ],
)
def test_each_month_compares_the_previous_month_end_with_this_one(row, expected):
    assert kinds([row]) == [expected]


def test_movement_amounts_are_the_size_of_the_change():
    matrix = MrrMatrix.without_history([[0, 100, 150, 120, 0, 80]], DEC_2023)
    movements = classify_movements(matrix)
    # new 100, expansion 150 − 100, contraction 150 − 120, churn 120, reactivation 80
    assert movements.amount[0].tolist() == [100, 50, 30, 120, 80]


def test_a_return_is_new_when_the_account_never_paid_before_the_matrix_either():
    history = MrrMatrix(
        account_ids=np.array([1, 2]),
        first_month=JAN_2024,
        mrr=np.array([[0.0, 100.0], [0.0, 100.0]]),
        # Account 1 paid in 2022, before the matrix; account 2 never did.
        first_paid=np.array([JAN_2024 - 24, JAN_2024 + 1]),
        last_paid_before=np.array([JAN_2024 - 20, -(10**9)]),
    )
    assert kinds(history) == [["reactivation"], ["new"]]


def test_a_reactivation_window_makes_a_late_return_new():
    # Paid at the end of Jan, not at the end of Feb (churned on Feb 29), back at the end of
    # Apr: 61 days after churning (Feb 29 → Apr 30).
    mrr = [[100, 0, 0, 100]]
    first = JAN_2024
    assert kinds(mrr, first) == [["churn", "none", "reactivation"]]
    assert kinds(mrr, first, window=61) == [["churn", "none", "reactivation"]]
    assert kinds(mrr, first, window=60) == [["churn", "none", "new"]]


def test_the_reactivation_window_counts_from_a_churn_before_the_matrix():
    # Last paid at the end of Oct 2023, so churned on Nov 30 2023; returns at the end of Feb
    # 2024: Nov 30 → Feb 29 is 91 days.
    matrix = MrrMatrix(
        account_ids=np.array([1]),
        first_month=JAN_2024,
        mrr=np.array([[0.0, 100.0]]),
        first_paid=np.array([JAN_2024 - 10]),
        last_paid_before=np.array([JAN_2024 - 3]),
    )
    assert kinds(matrix, window=91) == [["reactivation"]]
    assert kinds(matrix, window=90) == [["new"]]


# --- a period ------------------------------------------------------------------------------

# Five accounts from Dec 2023 (the start column) to Jun 2024, MRR at each month end:
#        Dec  Jan  Feb  Mar  Apr  May  Jun
LEDGER = [
    [100, 100, 100, 150, 150, 150, 150],  # A: expansion 50 in Mar
    [200, 200, 0, 0, 0, 0, 0],  # B: churn 200 in Feb
    [300, 300, 300, 300, 300, 200, 200],  # C: contraction 100 in May
    [0, 0, 0, 0, 300, 300, 300],  # D: new 300 in Apr
    [0, 0, 100, 100, 100, 100, 100],  # E: paid before the matrix, reactivation 100 in Feb
]


def company():
    matrix = MrrMatrix.without_history(LEDGER, DEC_2023)
    # E paid in 2022: its return in Feb is a reactivation.
    first_paid = matrix.first_paid.copy()
    first_paid[4] = DEC_2023 - 23
    last_paid_before = matrix.last_paid_before.copy()
    last_paid_before[4] = DEC_2023 - 10
    return MrrMatrix(matrix.account_ids, DEC_2023, matrix.mrr, first_paid, last_paid_before)


def company_metrics(**kw):
    matrix = company()
    movements = classify_movements(matrix)
    totals = total_movements(matrix, movements)
    return period_metrics(
        matrix,
        movements,
        totals,
        first_month=kw.pop("first", JAN_2024),
        last_month=kw.pop("last", JAN_2024 + 5),
        gross_margin=kw.pop("margin", 0.8),
        **kw,
    )


def test_the_movements_of_a_period_add_up_from_its_start_to_its_end():
    m = company_metrics()
    # S = 100 + 200 + 300 = 600; end = 150 + 200 + 300 + 100 = 750
    assert (m.mrr_start, m.mrr_end) == (600, 750)
    assert (m.new, m.expansion, m.contraction, m.churn, m.reactivation) == (300, 50, 100, 200, 100)
    # 600 + 300 + 50 + 100 − 100 − 200 = 750
    assert m.net_new == 150 == m.mrr_end - m.mrr_start


def test_the_rates_of_a_period_follow_their_definitions():
    m = company_metrics()
    assert m.gross_mrr_churn_rate == pytest.approx(0.5)  # (200 + 100) / 600
    assert m.net_mrr_churn_rate == pytest.approx(0.25)  # (200 + 100 − 50 − 100) / 600
    assert m.grr == pytest.approx(0.5)  # (600 − 200 − 100) / 600
    assert m.nrr == pytest.approx(0.75)  # (600 + 50 + 100 − 200 − 100) / 600
    assert m.expansion_rate == pytest.approx(50 / 600)
    assert m.quick_ratio == pytest.approx(350 / 300)  # (300 + 50) / (200 + 100)
    assert m.quick_ratio_with_reactivation == pytest.approx(1.5)  # (300 + 50 + 100) / 300
    assert m.arpa == pytest.approx(187.5)  # 750 / 4 paying accounts


def test_logo_churn_counts_accounts_paying_at_the_start_and_not_at_the_end():
    m = company_metrics()
    # Paying on Dec 31: A, B, C; on Jun 30: A, C, D, E. Lost: B → 1 / 3.
    assert (m.accounts_start, m.accounts_end, m.lost_accounts) == (3, 4, 1)
    assert m.logo_churn_rate == pytest.approx(1 / 3)
    # Stripe-style: D and E joined; of A, B, C, D, E only B is gone → 1 / (3 + 2).
    assert m.logo_churn_rate_stripe == pytest.approx(0.2)
    assert (m.new_accounts, m.reactivated_accounts, m.churned_accounts) == (1, 1, 1)


def test_an_account_joining_and_leaving_inside_the_period_is_not_logo_churn():
    #        Dec  Jan  Feb  Mar
    mrr = [[100, 100, 100, 100], [0, 50, 0, 0]]
    m = metrics_of(mrr, DEC_2023, first=JAN_2024, last=JAN_2024 + 2)
    assert m.logo_churn_rate == 0.0  # 0 of the 1 paying at the start
    assert m.logo_churn_rate_stripe == pytest.approx(0.5)  # the joiner left: 1 / (1 + 1)
    assert (m.new, m.churn) == (50, 50)


def test_ltv_divides_arpa_times_margin_by_the_average_monthly_logo_churn():
    m = company_metrics()
    # Monthly logo churn Jan…Jun: 0/3, 1/3 (B of A, B, C), 0/3, 0/3, 0/4, 0/4 → mean 1/18.
    assert m.trailing_logo_churn_rate == pytest.approx(1 / 18)
    assert m.ltv == pytest.approx(187.5 * 0.8 * 18)  # 2700
    assert m.ltv_without_margin == pytest.approx(187.5 * 18)  # 3375


def test_cac_divides_the_period_spend_by_its_new_accounts():
    m = company_metrics(spend=6600)
    assert m.cac == 6600  # one new account (D)
    # payback: CAC ÷ (new MRR per new account 300 × margin 0.8) = 6600 / 240
    assert m.cac_payback_months == pytest.approx(27.5)
    assert m.ltv_to_cac == pytest.approx(2700 / 6600)


def test_without_spend_cac_and_what_uses_it_are_undefined():
    m = company_metrics(spend=None)
    assert (m.cac, m.cac_payback_months, m.ltv_to_cac) == (None, None, None)


def test_without_new_accounts_cac_is_undefined_not_infinite():
    m = company_metrics(first=JAN_2024, last=JAN_2024 + 2, spend=1000)
    assert m.new_accounts == 0
    assert (m.cac, m.cac_payback_months) == (None, None)


def test_no_churn_makes_ltv_undefined():
    mrr = [[100] * 7]
    m = metrics_of(mrr, DEC_2023, first=JAN_2024, last=JAN_2024 + 5)
    assert m.trailing_logo_churn_rate == 0.0
    assert m.ltv is None


def test_an_empty_period_has_zero_money_and_undefined_rates():
    m = metrics_of(np.zeros((0, 14)), DEC_2023 - 12, first=JAN_2024, last=JAN_2024)
    assert (m.mrr_start, m.mrr_end, m.new, m.churn, m.net_new) == (0, 0, 0, 0, 0)
    for name in (
        "gross_mrr_churn_rate",
        "net_mrr_churn_rate",
        "grr",
        "nrr",
        "logo_churn_rate",
        "logo_churn_rate_stripe",
        "expansion_rate",
        "quick_ratio",
        "arpa",
        "nrr_cohort",
        "grr_cohort",
        "ltv",
        "cac",
    ):
        assert getattr(m, name) is None, name


def test_quick_ratio_is_undefined_without_churn_or_contraction():
    m = metrics_of([[0, 100, 200]], DEC_2023, first=JAN_2024, last=JAN_2024 + 1)
    assert (m.new, m.expansion, m.quick_ratio) == (100, 100, None)


# --- trailing twelve months ----------------------------------------------------------------


def test_cohort_nrr_and_grr_follow_the_accounts_paying_twelve_months_before():
    # Columns Jun 2023 … Jun 2024 (13 month ends); the period is Jun 2024.
    jun_2023 = JAN_2024 - 7
    mrr = [
        [100] + [100] * 11 + [150],  # A: 100 → 150
        [200] + [200] * 11 + [0],  # B: 200 → churned
        [0] + [300] * 12,  # C: started after Jun 2023, excluded
    ]
    m = metrics_of(mrr, jun_2023, first=jun_2023 + 12, last=jun_2023 + 12)
    assert m.nrr_cohort == pytest.approx(150 / 300)  # (150 + 0) / (100 + 200)
    assert m.grr_cohort == pytest.approx(100 / 300)  # (min(150, 100) + min(0, 200)) / 300


def test_cohort_nrr_is_undefined_when_nobody_paid_twelve_months_before():
    mrr = [[0] * 12 + [100]]
    m = metrics_of(mrr, DEC_2023 - 12, first=JAN_2024 - 1, last=JAN_2024 - 1)
    assert (m.nrr_cohort, m.grr_cohort) == (None, None)


# --- cohorts -------------------------------------------------------------------------------


def test_monthly_logo_cohorts_share_of_accounts_still_paying():
    #        Jan  Feb  Mar  Apr
    mrr = [
        [100, 100, 0, 0],  # Jan cohort, churns in Mar
        [50, 50, 50, 50],  # Jan cohort
        [0, 80, 80, 0],  # Feb cohort, churns in Apr
        [0, 0, 0, 0],  # never paid: in no cohort
    ]
    matrix = MrrMatrix.without_history(mrr, JAN_2024)
    rows = cohort_retention(
        matrix,
        by=CohortPeriod.MONTH,
        measure=CohortMeasure.LOGOS,
        first_cohort=JAN_2024,
        last_cohort=JAN_2024 + 3,
    )
    assert [(month_label(r.first_month), r.accounts) for r in rows] == [
        ("2024-01", 2),
        ("2024-02", 1),
        ("2024-03", 0),
        ("2024-04", 0),
    ]
    assert rows[0].retention == [1.0, 1.0, 0.5, 0.5]
    assert rows[1].retention == [1.0, 1.0, 0.0]
    assert rows[2].retention == [None, None]  # an empty cohort has nothing to retain
    assert rows[3].retention == [None]


def test_mrr_cohorts_include_expansion_of_the_retained_accounts():
    #        Jan  Feb  Mar
    mrr = [[100, 150, 150], [100, 0, 0]]
    matrix = MrrMatrix.without_history(mrr, JAN_2024)
    [jan, *_] = cohort_retention(
        matrix,
        by=CohortPeriod.MONTH,
        measure=CohortMeasure.MRR,
        first_cohort=JAN_2024,
        last_cohort=JAN_2024 + 2,
    )
    assert jan.starting_mrr == 200
    assert jan.retention == [1.0, 0.75, 0.75]  # 150 / 200


def test_quarterly_cohorts_measure_at_each_quarter_end():
    # Jan 2024 … Jun 2024: one account joins in Feb and leaves in May, one joins in Mar.
    mrr = [[0, 10, 10, 10, 0, 0], [0, 0, 10, 10, 10, 10]]
    matrix = MrrMatrix.without_history(mrr, JAN_2024)
    [q1, q2] = cohort_retention(
        matrix,
        by=CohortPeriod.QUARTER,
        measure=CohortMeasure.LOGOS,
        first_cohort=JAN_2024 + 1,  # aligned to the quarter's first month
        last_cohort=JAN_2024 + 5,
    )
    assert (quarter_label(q1.first_month), q1.accounts) == ("2024-Q1", 2)
    assert q1.retention == [1.0, 0.5]  # both paying on Mar 31, one on Jun 30
    assert (quarter_label(q2.first_month), q2.accounts, q2.retention) == ("2024-Q2", 0, [None])


# --- one account and the definitions -------------------------------------------------------


def test_an_accounts_months_list_its_mrr_and_movement():
    matrix = MrrMatrix.without_history([[0, 100, 100, 0]], DEC_2023)
    months = account_months(matrix, classify_movements(matrix), 0)
    assert [(month_label(m.month), m.mrr_end, m.movement, m.amount) for m in months] == [
        ("2024-01", 100, Movement.NEW, 100),
        ("2024-02", 100, Movement.NONE, 0),
        ("2024-03", 0, Movement.CHURN, 100),
    ]


def test_definitions_name_the_variant_in_use():
    default = revenue_definitions(reactivation_window_days=None, gross_margin=0.8)
    windowed = revenue_definitions(reactivation_window_days=90, gross_margin=0.7)
    assert default["movements"][0] == "reactivation-any-time"
    assert windowed["movements"][0] == "reactivation-window-90-days"
    assert default["logo_churn_rate"][0] == "chartmogul"
    assert default["quick_ratio"][0] == "without-reactivation"
    assert "0.7" in windowed["ltv"][1]


def test_an_account_that_never_paid_has_no_first_paying_month():
    matrix = MrrMatrix.without_history([[0, 0], [0, 5]], JAN_2024)
    assert matrix.first_paid.tolist() == [NEVER, JAN_2024 + 1]
