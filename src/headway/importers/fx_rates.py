"""Import exchange rates: upsert by currency, quote currency and date; revenue metrics convert
every other currency into the reporting one with the latest rate on or before each month end."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, tuple_, update

from headway.config import get_settings
from headway.core.audit import Actor, AuditEntry, audit_row, changed, jsonable
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.rows import (
    MISSING,
    Cells,
    KindImport,
    ParsedRow,
    RowError,
    chunked,
    insert_rows,
    lookup,
)
from headway.revenue.models import FxRate

# A rate outside this range is a typo (or a rate the other way round of a hyper-inflated one).
MAX_RATE = Decimal(10) ** 9
FX_RATE_FIELDS = ["currency", "quote_currency", "rate_date", "rate"]


def refuse_unknown_columns(importer: KindImport, known: Iterable[str]) -> None:
    """Record an error for each header Headway does not read: a lost value must not pass."""
    names = list(known)
    for _, name in importer.columns.traits:
        importer.errors.append(
            RowError(
                importer.file,
                1,
                name,
                name,
                f"only the columns {', '.join(names[:-1])} and {names[-1]} "
                "(remove or rename this column)",
            )
        )


def rate_value(value: str) -> float:
    """Parse an exchange rate: a decimal number above zero."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or number <= 0 or number > MAX_RATE:
        raise parse.BadValue("a decimal number above 0, e.g. 1.0834 (no thousands separators)")
    return float(number)


class FxRateImport(KindImport):
    """Exchange rates: `rate` units of quote_currency (default: the reporting currency) per 1
    unit of `currency`, on `date`."""

    kind = ImportKind.FX_RATES
    key_field = "currency"

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

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        key = tuple_(FxRate.currency, FxRate.quote_currency, FxRate.rate_date)
        wanted = [_key(p.values) for p in chunk]
        existing = {
            (row.currency, row.quote_currency, row.rate_date): row
            for row in lookup(
                self.session,
                select(
                    FxRate.id, FxRate.currency, FxRate.quote_currency, FxRate.rate_date, FxRate.rate
                ).where(key.in_(wanted)),
            )
        }
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            stored = existing.get(_key(parsed.values))
            if stored is None:
                new_rows.append({**parsed.values, "created_at": self.now, "updated_at": self.now})
                continue
            old, new = changed({"rate": stored.rate}, {"rate": parsed.values["rate"]})
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append({"id": stored.id, "rate": parsed.values["rate"], "updated_at": self.now})
            audits.append(self._audit(actor, "fx_rate.update", stored.id, old, new))
        if new_rows:
            insert_rows(self.session, FxRate, new_rows)
            inserted = lookup(
                self.session,
                select(FxRate.id, FxRate.currency, FxRate.quote_currency, FxRate.rate_date).where(
                    key.in_([_key(r) for r in new_rows])
                ),
            )
            by_key = {_key(r): r for r in new_rows}
            for rate_id, currency, quote, day in inserted:
                values = by_key[(currency, quote, day)]
                snapshot = {name: jsonable(values[name]) for name in FX_RATE_FIELDS}
                audits.append(self._audit(actor, "fx_rate.create", rate_id, None, snapshot))
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(FxRate), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _audit(
        self,
        actor: Actor,
        action: str,
        rate_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> dict[str, Any]:
        return audit_row(
            actor=actor,
            action=action,
            entity_type="fx_rate",
            entity_id=rate_id,
            account_id=None,
            before=before,
            after=after,
            at=self.now,
        )


def _key(values: dict[str, Any]) -> tuple[str, str, date]:
    return values["currency"], values["quote_currency"], values["rate_date"]
