"""Exchange rates: the latest stored rate on or before a day, or an error naming what is missing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.core.errors import InvalidInput
from headway.core.money import minor_exponent
from headway.revenue.models import FxRate


@dataclass(frozen=True)
class ExchangeRates:
    """Rates into one reporting currency: per currency, its rate days (ordinals) and rates."""

    reporting_currency: str
    days: dict[str, np.ndarray] = field(default_factory=dict)
    rates: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_rows(
        cls, reporting_currency: str, rows: Iterable[tuple[str, date, float]]
    ) -> ExchangeRates:
        """Build from (currency, day, rate) rows: rate = reporting units per 1 unit."""
        by_currency: dict[str, list[tuple[int, float]]] = {}
        for currency, day, rate in rows:
            by_currency.setdefault(currency, []).append((day.toordinal(), float(rate)))
        days, rates = {}, {}
        for currency, pairs in by_currency.items():
            pairs.sort()
            days[currency] = np.array([d for d, _ in pairs], dtype=np.int64)
            rates[currency] = np.array([r for _, r in pairs], dtype=np.float64)
        return cls(reporting_currency, days, rates)

    def rates_on(self, currency: str, days: Sequence[date]) -> np.ndarray:
        """Return the latest rate on or before each day; fail naming the first day without one."""
        if currency == self.reporting_currency:
            return np.ones(len(days))
        wanted = np.array([d.toordinal() for d in days], dtype=np.int64)
        known = self.days.get(currency, np.empty(0, dtype=np.int64))
        position = np.searchsorted(known, wanted, side="right") - 1
        if (position < 0).any():
            day = days[int(np.argmax(position < 0))]
            raise InvalidInput(
                f"no exchange rate from {currency} to {self.reporting_currency} on or before "
                f"{day.isoformat()}: import one with `headway import fx-rates FILE` "
                f"(currency {currency}, a date on or before {day.isoformat()})"
            )
        found: np.ndarray = self.rates[currency][position]
        return found

    def minor_factors(self, currency: str, days: Sequence[date]) -> np.ndarray:
        """Return minor units of the reporting currency per minor unit of `currency`, per day."""
        scale = 10.0 ** (minor_exponent(self.reporting_currency) - minor_exponent(currency))
        factors: np.ndarray = self.rates_on(currency, days) * scale
        return factors


def load_exchange_rates(
    *, session: Session, reporting_currency: str, currencies: Iterable[str], until: date
) -> ExchangeRates:
    """Read the stored rates into the reporting currency of some currencies, up to a day."""
    wanted = sorted(set(currencies) - {reporting_currency})
    if not wanted:
        return ExchangeRates(reporting_currency)
    rows = session.execute(
        select(FxRate.currency, FxRate.rate_date, FxRate.rate).where(
            FxRate.quote_currency == reporting_currency,
            FxRate.currency.in_(wanted),
            FxRate.rate_date <= until,
        )
    )
    return ExchangeRates.from_rows(reporting_currency, ((c, d, r) for c, d, r in rows))
