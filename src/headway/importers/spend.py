"""Import sales and marketing spend per month: upsert by month, category and currency; CAC and
its payback divide it by the new accounts of a period."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.keyed import KeyedTableImport, refuse_unknown_columns
from headway.importers.rows import MISSING, Cells, ParsedRow
from headway.revenue.models import SalesMarketingSpend

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def month_value(value: str) -> date:
    """Parse a month, YYYY-MM (or a date YYYY-MM-DD of it), as its first day."""
    match = _MONTH.fullmatch(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1 <= month <= 12 and year >= 1:
            return date(year, month, 1)
        raise parse.BadValue("an existing month YYYY-MM, e.g. 2025-01")
    try:
        return parse.iso_date(value).replace(day=1)
    except parse.BadValue:
        raise parse.BadValue("a month YYYY-MM, e.g. 2025-01 (or a date of it)") from None


class SpendImport(KeyedTableImport):
    """Sales and marketing spend: an amount per month, optionally split by category."""

    kind = ImportKind.SPEND
    key_field = "month"
    model = SalesMarketingSpend
    key_columns = ("month", "category", "currency")
    value_column = "amount_minor"
    audited_fields = ("month", "category", "amount_minor", "currency")
    entity_type = "spend"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        refuse_unknown_columns(self, ("month", "amount", "currency", "category"))

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        month = self.take(row, cells, "month", month_value, required=True)
        currency = self.take(row, cells, "currency", parse.currency, required=True)
        if currency is MISSING:
            amount: Any = self.take(row, cells, "amount", parse.amount, required=True)
        else:
            amount = self.take(
                row, cells, "amount", lambda v: parse.amount_minor(v, currency), required=True
            )
        category = self.take(row, cells, "category", lambda v: parse.text(v, max_length=64))
        if len(self.errors) > before:
            return None
        category = "" if category is None or category is MISSING else category
        values = {
            "month": month,
            "category": category,
            "amount_minor": amount,
            "currency": currency,
        }
        return ParsedRow(row=row, key=f"{month:%Y-%m} {category} {currency}", values=values)

    def key_label(self) -> str:
        return "month, category and currency"
