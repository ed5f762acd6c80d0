"""Import sales and marketing spend per month: upsert by month, category and currency; CAC and
its payback divide it by the new accounts of a period."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select, tuple_, update

from headway.core.audit import Actor, AuditEntry, audit_row, changed, jsonable
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.fx_rates import refuse_unknown_columns
from headway.importers.rows import (
    MISSING,
    Cells,
    KindImport,
    ParsedRow,
    chunked,
    insert_rows,
    lookup,
)
from headway.revenue.models import SalesMarketingSpend

_MONTH = re.compile(r"(\d{4})-(\d{2})")
SPEND_FIELDS = ["month", "category", "amount_minor", "currency"]


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


class SpendImport(KindImport):
    """Sales and marketing spend: an amount per month, optionally split by category."""

    kind = ImportKind.SPEND
    key_field = "month"

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

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        table = SalesMarketingSpend
        key = tuple_(table.month, table.category, table.currency)
        existing = {
            (row.month, row.category, row.currency): row
            for row in lookup(
                self.session,
                select(
                    table.id, table.month, table.category, table.currency, table.amount_minor
                ).where(key.in_([_key(p.values) for p in chunk])),
            )
        }
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            stored = existing.get(_key(parsed.values))
            amount = parsed.values["amount_minor"]
            if stored is None:
                new_rows.append({**parsed.values, "created_at": self.now, "updated_at": self.now})
                continue
            old, new = changed({"amount_minor": stored.amount_minor}, {"amount_minor": amount})
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append({"id": stored.id, "amount_minor": amount, "updated_at": self.now})
            audits.append(self._audit(actor, "spend.update", stored.id, old, new))
        if new_rows:
            insert_rows(self.session, table, new_rows)
            inserted = lookup(
                self.session,
                select(table.id, table.month, table.category, table.currency).where(
                    key.in_([_key(r) for r in new_rows])
                ),
            )
            by_key = {_key(r): r for r in new_rows}
            for spend_id, month, category, currency in inserted:
                values = by_key[(month, category, currency)]
                snapshot = {name: jsonable(values[name]) for name in SPEND_FIELDS}
                audits.append(self._audit(actor, "spend.create", spend_id, None, snapshot))
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(table), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _audit(
        self,
        actor: Actor,
        action: str,
        spend_id: int,
        before: dict[str, Any] | None,
        after: dict[str, Any],
    ) -> dict[str, Any]:
        return audit_row(
            actor=actor,
            action=action,
            entity_type="spend",
            entity_id=spend_id,
            account_id=None,
            before=before,
            after=after,
            at=self.now,
        )


def _key(values: dict[str, Any]) -> tuple[date, str, str]:
    return values["month"], values["category"], values["currency"]
