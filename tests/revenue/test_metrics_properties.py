"""Properties of the movements over random month-end MRR matrices (pure functions, fast)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from headway.revenue.metrics import (
    NO_MONTH,
    Movement,
    MrrMatrix,
    classify_movements,
    period_metrics,
    total_movements,
)

FIRST_MONTH = 2023 * 12  # Jan 2023


@st.composite
def matrices(draw: st.DrawFn) -> MrrMatrix:
    """Random accounts × months of whole-number MRR (often zero), some with a paying past."""
    accounts = draw(st.integers(0, 8))
    width = draw(st.integers(2, 16))
    cell = st.one_of(st.just(0), st.integers(1, 5), st.integers(1, 100_000))
    mrr = np.array(
        draw(
            st.lists(
                st.lists(cell, min_size=width, max_size=width), min_size=accounts, max_size=accounts
            )
        ),
        dtype=np.float64,
    ).reshape(accounts, width)
    matrix = MrrMatrix.without_history(mrr, FIRST_MONTH)
    paid_earlier = np.array(
        draw(st.lists(st.booleans(), min_size=accounts, max_size=accounts)), dtype=bool
    )
    gap = draw(st.integers(1, 30))
    first_paid = np.where(paid_earlier, FIRST_MONTH - 40, matrix.first_paid)
    last_paid_before = np.where(paid_earlier, FIRST_MONTH - gap, NO_MONTH)
    return MrrMatrix(matrix.account_ids, FIRST_MONTH, mrr, first_paid, last_paid_before)


@settings(max_examples=200, deadline=None)
@given(
    matrix=matrices(),
    window=st.one_of(st.none(), st.integers(0, 400)),
    bounds=st.tuples(st.integers(1, 15), st.integers(1, 15)),
)
def test_start_plus_movements_is_the_end_for_any_ledger_and_period(matrix, window, bounds):
    width = matrix.mrr.shape[1]
    first, last = sorted(min(b, width - 1) for b in bounds)
    movements = classify_movements(matrix, reactivation_window_days=window)
    totals = total_movements(matrix, movements)
    m = period_metrics(
        matrix,
        movements,
        totals,
        first_month=FIRST_MONTH + first,
        last_month=FIRST_MONTH + last,
        gross_margin=0.8,
    )
    # Whole-number MRR keeps every sum exact: the identity holds to the cent.
    assert m.mrr_start + m.new + m.expansion + m.reactivation - m.contraction - m.churn == m.mrr_end
    assert m.net_new == m.mrr_end - m.mrr_start
    months = [
        period_metrics(
            matrix,
            movements,
            totals,
            first_month=FIRST_MONTH + month,
            last_month=FIRST_MONTH + month,
            gross_margin=0.8,
        )
        for month in range(first, last + 1)
    ]
    # A period's movements are the sums of its months'.
    for name in ("new", "expansion", "contraction", "churn", "reactivation"):
        assert sum(getattr(p, name) for p in months) == getattr(m, name)
    for name in ("grr", "logo_churn_rate", "logo_churn_rate_stripe", "grr_cohort"):
        value = getattr(m, name)
        assert value is None or value <= 1
    assert m.logo_churn_rate is None or m.logo_churn_rate >= 0


@settings(max_examples=200, deadline=None)
@given(matrix=matrices(), window=st.one_of(st.none(), st.integers(0, 400)))
def test_every_account_month_has_exactly_the_movement_its_two_month_ends_imply(matrix, window):
    movements = classify_movements(matrix, reactivation_window_days=window)
    before, after = matrix.mrr[:, :-1], matrix.mrr[:, 1:]
    kind = movements.kind
    assert ((kind == Movement.NONE) == (before == after)).all()
    assert ((kind == Movement.CHURN) == ((before > 0) & (after == 0))).all()
    starts = (kind == Movement.NEW) | (kind == Movement.REACTIVATION)
    assert (starts == ((before == 0) & (after > 0))).all()
    assert (movements.amount == np.abs(after - before)).all()
    # Without history, nobody's first payment is a reactivation.
    never_paid_before = matrix.first_paid[:, None] >= matrix.months[None, 1:]
    assert not ((kind == Movement.REACTIVATION) & never_paid_before).any()
