"""Import subscriptions: upsert by subscription_id; amounts in major units become minor units."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update

from headway.accounts.models import Account
from headway.core.audit import Actor, AuditEntry, changed, jsonable
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.rows import (
    MISSING,
    Cells,
    KindImport,
    ParsedRow,
    chunked,
    insert_rows,
    lookup,
)
from headway.revenue.models import Subscription
from headway.revenue.service import SUBSCRIPTION_FIELDS

_COLUMNS = [Subscription.id, *(getattr(Subscription, name) for name in SUBSCRIPTION_FIELDS)]


class SubscriptionImport(KindImport):
    """Subscriptions of accounts already in Headway; every column is known, none is a trait."""

    kind = ImportKind.SUBSCRIPTIONS
    entity_type = "subscription"
    key_field = "subscription_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_ids: dict[str, int] = dict(
            self.session.execute(select(Account.external_id, Account.id)).all()
        )

    def _account(self, value: str) -> int:
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue("the account_id of an account in Headway (import accounts first)")
        return account_id

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        subscription_id = self.take(
            row, cells, "subscription_id", lambda v: parse.text(v, max_length=128), required=True
        )
        currency = self.take(row, cells, "currency", parse.currency, required=True)
        if currency is MISSING:
            # Without a currency the decimals cannot be checked, but the number can.
            amount: Any = self.take(row, cells, "amount", parse.amount, required=True)
        else:
            amount = self.take(
                row, cells, "amount", lambda v: parse.amount_minor(v, currency), required=True
            )
        values: dict[str, Any] = {
            "account_id": self.take(row, cells, "account_id", self._account, required=True),
            "plan": self.take(
                row, cells, "plan", lambda v: parse.text(v, max_length=255), required=True
            ),
            "amount_minor": amount,
            "currency": currency,
            "interval": self.take(row, cells, "interval", parse.interval, required=True),
            "quantity": self.take(row, cells, "quantity", parse.count),
            "start_date": self.take(row, cells, "start_date", parse.iso_date, required=True),
            "end_date": self.take(row, cells, "end_date", parse.iso_date),
        }
        start, end = values["start_date"], values["end_date"]
        if start is not MISSING and end not in (MISSING, None) and end < start:
            self.error(
                row,
                "end_date",
                cells.get("end_date") or "",
                f"a date on or after start_date {start.isoformat()} (end dates are exclusive)",
            )
        if len(self.errors) > before:
            return None
        if values["quantity"] is None:
            values["quantity"] = 1  # an empty cell is the default
        present = {name: value for name, value in values.items() if value is not MISSING}
        return ParsedRow(row=row, key=subscription_id, values=present)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        existing = {
            row.external_id: row
            for row in lookup(
                self.session,
                select(*_COLUMNS).where(Subscription.external_id.in_([p.key for p in chunk])),
            )
        }
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            stored = existing.get(parsed.key)
            if stored is None:
                new_rows.append(
                    {
                        "external_id": parsed.key,
                        "quantity": 1,
                        **parsed.values,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            before = {name: getattr(stored, name) for name in SUBSCRIPTION_FIELDS}
            after = {**before, **parsed.values}
            old, new = changed(before, after)
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append({"id": stored.id, **after, "updated_at": self.now})
            audits.append(
                self.audit(actor, "update", stored.id, after["account_id"], _json(old), _json(new))
            )
        if new_rows:
            insert_rows(self.session, Subscription, new_rows)
            inserted = lookup(
                self.session,
                select(Subscription.id, Subscription.external_id).where(
                    Subscription.external_id.in_([r["external_id"] for r in new_rows])
                ),
            )
            by_key = {r["external_id"]: r for r in new_rows}
            for subscription_id, external_id in inserted:
                values = by_key[external_id]
                snapshot = _json({name: values[name] for name in SUBSCRIPTION_FIELDS})
                audits.append(
                    self.audit(
                        actor, "create", subscription_id, values["account_id"], None, snapshot
                    )
                )
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Subscription), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {name: jsonable(value) for name, value in values.items()}
