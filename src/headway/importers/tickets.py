"""Import support tickets from Headway's CSV or a helpdesk's own export, upserted by external id.

A helpdesk's ids are stored prefixed by its name ("zendesk:123", "hubspot:123",
"intercom:123") so two helpdesks' ticket 123 stay two tickets; Headway's own file keeps its
ticket_id as written. Columns Headway does not read are ignored (exports carry dozens).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, tuple_, update

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core.audit import Actor, AuditEntry, changed, jsonable
from headway.importers import ticket_values as tv
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
from headway.support.models import Ticket
from headway.support.service import TICKET_FIELDS

# Defaults of a new ticket for what its file does not say.
NEW_TICKET: dict[str, Any] = {
    "requester_contact_id": None,
    "requester_email": None,
    "subject": "",
    "channel": None,
    "type": None,
    "priority": "normal",
    "first_reply_at": None,
    "solved_at": None,
    "closed_at": None,
    "reopens": 0,
    "agent_replies": None,
    "satisfaction": None,
    "satisfaction_scale": None,
    "tags": [],
    "first_reply_minutes_calendar": None,
    "first_reply_minutes_business": None,
    "resolution_minutes_calendar": None,
    "resolution_minutes_business": None,
}
SOURCES = {"canonical": "headway", "zendesk": "zendesk", "hubspot": "hubspot"}


class TicketImport(KindImport):
    """Tickets of accounts already in Headway; the file's company id is the account_id."""

    kind = ImportKind.TICKETS
    entity_type = "ticket"
    key_field = "ticket_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_ids: dict[str, int] = dict(
            self.session.execute(select(Account.external_id, Account.id)).all()
        )
        fmt = self.columns.format.name
        self.source = SOURCES.get(fmt, fmt)
        self.prefix = "" if fmt == "canonical" else f"{fmt}:"
        self.moment = tv.time_parser(fmt)
        self.status = tv.one_of(tv.STATUSES[fmt], "ticket status")
        self.priority = tv.one_of(tv.PRIORITIES[fmt], "ticket priority")

    def _account(self, value: str) -> int:
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue(
                "the external id (account_id) of an account in Headway (import accounts first)"
            )
        return account_id

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        take = self.take
        ticket_id = take(
            row, cells, "ticket_id", lambda v: parse.text(v, max_length=100), required=True
        )
        account = take(row, cells, "account_id", self._account, required=True)
        status = take(row, cells, "status", self.status, required=True)
        created_at = take(row, cells, "created_at", self.moment, required=True)
        found: dict[str, Any] = {
            "requester_email": take(row, cells, "requester_email", parse.email),
            "subject": take(row, cells, "subject", lambda v: parse.text(v, max_length=10_000)),
            "channel": take(row, cells, "channel", tv.channel),
            "type": take(row, cells, "type", lambda v: parse.text(parse.key_of(v), max_length=32)),
            "priority": take(row, cells, "priority", self.priority),
            "first_reply_at": take(row, cells, "first_reply_at", self.moment),
            "solved_at": take(row, cells, "solved_at", self.moment),
            "closed_at": take(row, cells, "closed_at", self.moment),
            "reopens": take(row, cells, "reopens", parse.count),
            "agent_replies": take(row, cells, "agent_replies", parse.count),
            "satisfaction": take(row, cells, "satisfaction", tv.satisfaction),
            "tags": take(row, cells, "tags", tv.tags),
        }
        for name in (
            "first_reply_minutes_calendar",
            "first_reply_minutes_business",
            "resolution_minutes_calendar",
            "resolution_minutes_business",
        ):
            found[name] = take(row, cells, name, tv.minutes)
        first_reply_ms = take(row, cells, "first_reply_ms", tv.milliseconds)
        resolution_ms = take(row, cells, "resolution_ms", tv.milliseconds)
        if len(self.errors) > before:
            return None
        values: dict[str, Any] = {
            "source": self.source,
            "account_id": account,
            "status": status,
            "created_at": created_at,
        }
        for name, value in found.items():
            if value is not MISSING:
                values[name] = value
        # Empty cells: no priority is normal, no reopens is none, no tags is an empty list.
        for name, empty in (("priority", "normal"), ("reopens", 0), ("subject", ""), ("tags", ())):
            if values.get(name, MISSING) is None:
                values[name] = empty
        rating = values.pop("satisfaction", MISSING)
        if rating is not MISSING:
            values["satisfaction"], values["satisfaction_scale"] = rating or (None, None)
        self._derive_times(values, first_reply_ms, resolution_ms)
        return ParsedRow(row=row, key=self.prefix + ticket_id, values=values)

    def _derive_times(
        self, values: dict[str, Any], first_reply_ms: Any, resolution_ms: Any
    ) -> None:
        """Fill what a helpdesk gives only as a duration: times from minutes or milliseconds."""
        created = values["created_at"]
        if first_reply_ms not in (MISSING, None):
            values["first_reply_minutes_calendar"] = tv.ms_to_minutes(first_reply_ms)
            values.setdefault("first_reply_at", tv.after(created, ms=first_reply_ms))
        if resolution_ms not in (MISSING, None):
            values["resolution_minutes_calendar"] = tv.ms_to_minutes(resolution_ms)
            if not values.get("solved_at"):
                values["solved_at"] = tv.after(created, ms=resolution_ms)
        minutes = values.get("first_reply_minutes_calendar")
        if minutes is not None and not values.get("first_reply_at"):
            values["first_reply_at"] = tv.after(created, minutes=minutes)
        if self.source == "hubspot" and values["status"] == "closed":
            values.setdefault("closed_at", values.get("solved_at"))

    def key_value(self, parsed: ParsedRow) -> str:
        return parsed.key.removeprefix(self.prefix)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _contact_ids(self, chunk: list[ParsedRow]) -> dict[tuple[int, str], int]:
        pairs = list(
            {
                (p.values["account_id"], p.values["requester_email"])
                for p in chunk
                if p.values.get("requester_email")
            }
        )
        if not pairs:
            return {}
        rows = lookup(
            self.session,
            select(Contact.account_id, Contact.email, Contact.id).where(
                tuple_(Contact.account_id, Contact.email).in_(pairs)
            ),
        )
        return {(account_id, email): contact_id for account_id, email, contact_id in rows}

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        columns = [getattr(Ticket, name) for name in TICKET_FIELDS]
        stored = {
            row.external_id: row
            for row in lookup(
                self.session,
                select(Ticket.id, Ticket.external_id, *columns).where(
                    Ticket.external_id.in_([p.key for p in chunk])
                ),
            )
        }
        contacts = self._contact_ids(chunk)
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            given = dict(parsed.values)
            if "tags" in given:
                given["tags"] = list(given["tags"])
            if "requester_email" in given:
                pair = (given["account_id"], given["requester_email"])
                given["requester_contact_id"] = contacts.get(pair)
            target = stored.get(parsed.key)
            if target is None:
                new_rows.append(
                    {**NEW_TICKET, **given, "external_id": parsed.key, "updated_at": self.now}
                )
                continue
            current = {name: getattr(target, name) for name in TICKET_FIELDS}
            merged = current | given
            old, new = changed(
                {k: jsonable(v) for k, v in current.items()},
                {k: jsonable(v) for k, v in merged.items()},
            )
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append({"id": target.id, **merged, "updated_at": self.now})
            audits.append(self.audit(actor, "update", target.id, merged["account_id"], old, new))
        if new_rows:
            insert_rows(self.session, Ticket, new_rows)
            by_key = {r["external_id"]: r for r in new_rows}
            inserted = lookup(
                self.session,
                select(Ticket.id, Ticket.external_id).where(Ticket.external_id.in_(list(by_key))),
            )
            for ticket_id, external_id in inserted:
                values = by_key[external_id]
                snapshot = {name: jsonable(values[name]) for name in TICKET_FIELDS}
                audits.append(
                    self.audit(actor, "create", ticket_id, values["account_id"], None, snapshot)
                )
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Ticket), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)
