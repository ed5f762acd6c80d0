"""Import exchange rates: upsert by currency, quote currency and date; revenue metrics convert
every other currency into the reporting one with the latest rate on or before each month end."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from headway.config import get_settings
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.keyed import KeyedTableImport, refuse_unknown_columns
from headway.importers.rows import MISSING, Cells, ParsedRow
from headway.revenue.models import FxRate

# A rate outside this range is a typo (or a rate the other way round of a hyper-inflated one).
MAX_RATE = Decimal(10) ** 9


def rate_value(value: str) -> float:
    """Parse an exchange rate: a decimal number above zero."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number <= 0 or number > MAX_RATE:
        raise parse.BadValue("a decimal number above 0, e.g. 1.0834 (no thousands separators)")
    return float(number)


class FxRateImport(KeyedTableImport):
    """Exchange rates: `rate` units of quote_currency (default: the reporting currency) per 1
    unit of `currency`, on `date`."""

    kind = ImportKind.FX_RATES
    key_field = "currency"
    model = FxRate
    key_columns = ("currency", "quote_currency", "rate_date")
    value_column = "rate"
    audited_fields = ("currency", "quote_currency", "rate_date", "rate")
    entity_type = "fx_rate"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reporting_currency = get_settings().reporting_currency
        refuse_unknown_columns(self, ("currency", "date", "rate", "quote_currency"))

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        currency = self.take(row, cells, "currency", parse.currency, required=True)
        quote = self.take(row, cells, "quote_currency", parse.currency)
        if quote is None or quote is MISSING:
            # Absent or empty: the reporting currency (a bad value is an error already).
            quote = self.reporting_currency
        day = self.take(row, cells, "date", parse.iso_date, required=True)
        rate = self.take(row, cells, "rate", rate_value, required=True)
        if currency is not MISSING and currency == quote:
            self.error(
                row,
                "currency",
                cells.get("currency") or "",
                f"a currency other than the quote currency {quote} (its rate is always 1)",
            )
        if len(self.errors) > before:
            return None
        values = {"currency": currency, "quote_currency": quote, "rate_date": day, "rate": rate}
        return ParsedRow(row=row, key=f"{currency}/{quote} {day.isoformat()}", values=values)

    def key_label(self) -> str:
        return "currency, quote currency and date"
