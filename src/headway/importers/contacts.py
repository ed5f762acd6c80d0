"""Import contacts: upsert by contact_id when given, else by (account, email)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select, update

from headway.accounts.models import Account
from headway.contacts.models import Contact, Persona
from headway.contacts.service import CONTACT_FIELDS
from headway.core.audit import Actor, AuditEntry, changed
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
    merge_traits,
)

_PERSONAS = {parse.key_of(p.value): p.value for p in Persona}
_PERSONA_NAMES = ", ".join(p.value.replace("_", " ") for p in Persona)
_COLUMNS = [Contact.id, *(getattr(Contact, name) for name in CONTACT_FIELDS)]


def persona(value: str) -> str:
    """Parse a persona, written as a key or as words in any case ('Decision maker')."""
    found = _PERSONAS.get(parse.key_of(value))
    if found is None:
        raise parse.BadValue(f"a persona: {_PERSONA_NAMES}")
    return found


class ContactImport(KindImport):
    """Contacts of accounts already in Headway."""

    kind = ImportKind.CONTACTS
    entity_type = "contact"
    key_field = "contact_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_ids: dict[str, int] = dict(
            self.session.execute(select(Account.external_id, Account.id)).all()
        )
        # (account, email) → the id of the row that claims it, for rows that carry a contact_id.
        self.pair_keys: dict[str, str] = {}

    def _account(self, value: str) -> int:
        if ";" in value:
            raise parse.BadValue(
                "one company id (this contact has several: export the column "
                "'Associated Company IDs (Primary)')"
            )
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue("the account_id of an account in Headway (import accounts first)")
        return account_id

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        account = self.take(row, cells, "account_id", self._account, required=True)
        email = self.take(row, cells, "email", parse.email, required=True)
        contact_id = self.take(row, cells, "contact_id", lambda v: parse.text(v, max_length=128))
        values: dict[str, Any] = {
            "account_id": account,
            "email": email,
            "name": self._name(row, cells),
            "title": self.take(row, cells, "title", lambda v: parse.text(v, max_length=255)),
            "persona": self.take(row, cells, "persona", persona),
        }
        if len(self.errors) > before:
            return None
        if contact_id:
            values["external_id"] = contact_id
        key = contact_id if contact_id else _pair(account, email)
        present = {name: value for name, value in values.items() if value is not MISSING}
        return ParsedRow(row=row, key=key, values=present, traits=cells.traits())

    def key_value(self, parsed: ParsedRow) -> str:
        return str(parsed.values.get("external_id") or parsed.values["email"])

    def key_label(self) -> str:
        if "contact_id" in self.columns.fields:
            return self.columns.header_of("contact_id")
        return "account and email"

    def error(self, row: int | None, name: str | None, value: str, expected: str) -> None:
        # Without a contact_id column, a contact is known by its email: name that column.
        if name == "contact_id" and "contact_id" not in self.columns.fields:
            name = "email"
        super().error(row, name, value, expected)

    def _name(self, row: int, cells: Cells) -> Any:
        if cells.get("name") is not None:
            return self.take(row, cells, "name", lambda v: parse.text(v, max_length=255)) or ""
        parts = [cells.get("first_name"), cells.get("last_name")]
        if all(part is None for part in parts):
            return MISSING
        try:
            return parse.text(" ".join(p for p in parts if p), max_length=255)
        except parse.BadValue as problem:
            self.error(row, "first_name", " ".join(p for p in parts if p), str(problem))
            return MISSING

    def remember(self, parsed: ParsedRow) -> None:
        pair = _pair(parsed.values["account_id"], parsed.values["email"])
        has_id = "external_id" in parsed.values
        other = self.pair_keys.get(pair)
        if other is None and has_id and pair in self.first_rows:
            other = pair
        if other is not None and other != parsed.key:
            self.error(
                parsed.row,
                "email",
                parsed.values["email"],
                "an email no other row gives to this account "
                f"(row {self.first_rows[other][1]} has it already)",
            )
        if has_id:
            self.pair_keys[pair] = parsed.key

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        ids = [p.values["external_id"] for p in chunk if "external_id" in p.values]
        emails = list({p.values["email"] for p in chunk})
        by_id: dict[str, dict[str, Any]] = {}
        by_pair: dict[str, dict[str, Any]] = {}
        condition: Any = Contact.email.in_(emails)
        if ids:
            condition = or_(condition, Contact.external_id.in_(ids))
        for row in lookup(self.session, select(*_COLUMNS).where(condition)):
            contact = dict(row._mapping)
            if contact["external_id"] is not None:
                by_id[contact["external_id"]] = contact
            by_pair[_pair(contact["account_id"], contact["email"])] = contact
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            target = self._target(parsed, by_id, by_pair)
            if target is MISSING:
                continue
            if target is None:
                new_rows.append(self._new_contact(parsed))
                continue
            before = {name: target[name] for name in CONTACT_FIELDS}
            after = self._changed_contact(parsed, before)
            old, new = changed(before, after)
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            # Keep the lookup current for later rows of this chunk.
            by_pair.pop(_pair(before["account_id"], before["email"]), None)
            by_pair[_pair(after["account_id"], after["email"])] = {**target, **after}
            updates.append({"id": target["id"], **after, "updated_at": self.now})
            audits.append(self.audit(actor, "update", target["id"], after["account_id"], old, new))
        if new_rows:
            insert_rows(self.session, Contact, new_rows)
            by_new_pair = {_pair(r["account_id"], r["email"]): r for r in new_rows}
            stored = lookup(
                self.session,
                select(Contact.id, Contact.account_id, Contact.email).where(
                    Contact.email.in_({r["email"] for r in new_rows})
                ),
            )
            for contact_id, account_id, email in stored:
                values = by_new_pair.get(_pair(account_id, email))
                if values is None:
                    continue  # the same email at another account
                snapshot = {name: values[name] for name in CONTACT_FIELDS}
                audits.append(self.audit(actor, "create", contact_id, account_id, None, snapshot))
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Contact), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _target(
        self,
        parsed: ParsedRow,
        by_id: dict[str, dict[str, Any]],
        by_pair: dict[str, dict[str, Any]],
    ) -> Any:
        """The stored contact a row updates, None for a new one, MISSING after an error."""
        given = parsed.values
        pair = _pair(given["account_id"], given["email"])
        holder = by_pair.get(pair)
        external_id = given.get("external_id")
        if external_id is None:
            return holder
        target = by_id.get(external_id)
        if target is None and holder is not None:
            if holder["external_id"] is None:
                return holder  # a contact added by hand gets its CRM id
            self.error(
                parsed.row,
                "contact_id",
                external_id,
                f"the id Headway already has for {given['email']} at this account "
                f"({holder['external_id']})",
            )
            return MISSING
        if target is not None and holder is not None and holder["id"] != target["id"]:
            self.error(
                parsed.row,
                "email",
                given["email"],
                "an email no other contact of this account has "
                f"({holder['external_id'] or 'a contact added by hand'} has it)",
            )
            return MISSING
        return target

    def _new_contact(self, parsed: ParsedRow) -> dict[str, Any]:
        given = parsed.values
        return {
            "external_id": given.get("external_id"),
            "account_id": given["account_id"],
            "email": given["email"],
            "name": given.get("name") or "",
            "title": given.get("title"),
            "persona": given.get("persona"),
            "traits": merge_traits({}, parsed.traits),
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _changed_contact(self, parsed: ParsedRow, before: dict[str, Any]) -> dict[str, Any]:
        after = dict(before)
        for name in ("external_id", "account_id", "email", "title", "persona"):
            if name in parsed.values:
                after[name] = parsed.values[name]
        if "name" in parsed.values:
            after["name"] = parsed.values["name"] or ""
        after["traits"] = merge_traits(before["traits"], parsed.traits)
        return after


def _pair(account_id: int, email: str) -> str:
    return f"{account_id}\x1f{email}"
