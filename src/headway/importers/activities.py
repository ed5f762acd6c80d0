"""Import activities (outputs): upsert by external_id, or by a key derived from the row's content.

A row without an external_id is known by its account, type, time and subject: Headway stores a
key made of those as the activity's external id, so importing the same file again finds the
activities it created instead of adding them twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.activities.models import Activity, ActivityContact, ActivityType, ActivityUser
from headway.activities.service import ACTIVITY_FIELDS
from headway.contacts.models import Contact
from headway.core.audit import Actor, AuditEntry, changed, jsonable
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.keyed import refuse_unknown_columns
from headway.importers.rows import (
    CHUNK_ROWS,
    MISSING,
    Cells,
    KindImport,
    ParsedRow,
    chunked,
    insert_rows,
    lookup,
)
from headway.users.models import User

# Keys made from a row's content: "import:" and 40 hex digits of a SHA-256.
DERIVED_PREFIX = "import:"
MAX_MINUTES = 24 * 60 * 7  # as the API: one activity lasts at most a week
MAX_NOTES = 10_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)
_SEPARATOR = re.compile(r"\s*;\s*")
_AMBIGUOUS = -1


def moment(value: str) -> datetime:
    """Parse an ISO date (00:00 UTC) or date and time (UTC unless it gives an offset)."""
    if _ISO_DATE.fullmatch(value):
        return datetime.combine(parse.iso_date(value), time.min, UTC)
    if not _ISO_DATE_TIME.fullmatch(value):
        raise parse.BadValue(
            "an ISO date or date and time, e.g. 2025-01-31 or 2025-01-31T14:30 "
            "(UTC unless an offset is given, e.g. 2025-01-31T14:30+01:00)"
        )
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise parse.BadValue("an existing date and time, e.g. 2025-01-31T14:30") from None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def minutes(value: str) -> int:
    """Parse the minutes an activity took: a whole number from 0 to a week."""
    try:
        number = parse.count(value)
    except parse.BadValue:
        number = -1
    if not 0 <= number <= MAX_MINUTES:
        raise parse.BadValue(f"a whole number of minutes from 0 to {MAX_MINUTES} (a week)")
    return number


def emails(value: str) -> tuple[str, ...]:
    """Parse one email address or several separated by ';', in lower case and sorted."""
    return tuple(sorted({parse.email(part) for part in _SEPARATOR.split(value) if part}))


@dataclass(frozen=True)
class CatalogueType:
    """An activity type as a row needs it."""

    id: int
    key: str
    default_minutes: int


class TypeLookup:
    """Finds an activity type by key or by name, folded ('Business review' → business_review)."""

    def __init__(self, session: Session) -> None:
        self.by_id: dict[int, CatalogueType] = {}
        self.ids: dict[str, int] = {}
        active: list[str] = []
        # Retired types are still read: a file may hold the history of years.
        for row in session.scalars(select(ActivityType).order_by(ActivityType.position)):
            self.by_id[row.id] = CatalogueType(row.id, row.key, row.default_minutes)
            self.ids[parse.key_of(row.key)] = row.id
            self.ids.setdefault(parse.key_of(row.name), row.id)
            if row.active:
                active.append(row.key)
        self.expected = f"an activity type: {', '.join(active)}"

    def resolve(self, value: str) -> int:
        found = self.ids.get(parse.key_of(value))
        if found is None:
            raise parse.BadValue(self.expected)
        return found


class PeopleLookup:
    """Finds team members by email, or by full name as CRM exports write them.

    Every user counts, inactive ones too: a file may hold activities of people who have left.
    """

    def __init__(self, session: Session) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for user_id, email, name in session.execute(select(User.id, User.email, User.name)):
            self.by_email[email.lower()] = user_id
            folded = name.strip().casefold()
            self.by_name[folded] = _AMBIGUOUS if folded in self.by_name else user_id

    def resolve_many(self, value: str) -> tuple[int, ...]:
        parts = [part for part in _SEPARATOR.split(value) if part]
        return tuple(sorted({self._resolve(part, several=len(parts) > 1) for part in parts}))

    def _resolve(self, value: str, *, several: bool) -> int:
        user_id = (
            self.by_email.get(value.lower()) if "@" in value else self.by_name.get(value.casefold())
        )
        if user_id is None or user_id == _AMBIGUOUS:
            expected = "the email (or full name) of a Headway user, several separated by ';'"
            if user_id == _AMBIGUOUS:
                expected = "the email of a Headway user: several users have this name"
            raise parse.BadValue(f"{expected} ({value!r} is none)" if several else expected)
        return user_id


class ActivityImport(KindImport):
    """Activities of accounts already in Headway, with their team members and contacts."""

    kind = ImportKind.ACTIVITIES
    entity_type = "activity"
    key_field = "external_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_ids: dict[str, int] = dict(
            self.session.execute(select(Account.external_id, Account.id)).all()
        )
        self.types = TypeLookup(self.session)
        self.people = PeopleLookup(self.session)
        # (account, contact email) → rows naming it: checked against the database in batches.
        self.pending_contacts: dict[tuple[int, str], list[int]] = {}
        # Whether the row parsed last is known by its content rather than by an external_id.
        self.derived = False
        fmt = self.columns.format
        refuse_unknown_columns(self, (aliases[0] for aliases in fmt.fields.values()))

    def _account(self, value: str) -> int:
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue("the account_id of an account in Headway (import accounts first)")
        return account_id

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        self.derived = False
        external_id = self.take(row, cells, "external_id", lambda v: parse.text(v, max_length=128))
        account = self.take(row, cells, "account_id", self._account, required=True)
        type_id = self.take(row, cells, "type", self.types.resolve, required=True)
        occurred_at = self.take(row, cells, "occurred_at", moment, required=True)
        given_minutes = self.take(row, cells, "minutes", minutes)
        subject = self.take(row, cells, "subject", lambda v: parse.text(v, max_length=255))
        notes = self.take(row, cells, "notes", lambda v: parse.text(v, max_length=MAX_NOTES))
        user_ids = self.take(row, cells, "user_email", self.people.resolve_many)
        contact_emails = self.take(row, cells, "contact_email", emails)
        if len(self.errors) > before:
            return None
        values: dict[str, Any] = {
            "account_id": account,
            "type_id": type_id,
            "occurred_at": occurred_at,
        }
        # An empty cell is the type's usual duration; without the column, a new activity gets
        # it and a stored one keeps its minutes.
        if given_minutes is not MISSING:
            default = self.types.by_id[type_id].default_minutes
            values["minutes"] = default if given_minutes is None else given_minutes
        for name, value, empty in (
            ("subject", subject, ""),
            ("notes", notes, ""),
            ("user_ids", user_ids, ()),
            ("contact_emails", contact_emails, ()),
        ):
            if value is not MISSING:
                values[name] = empty if value is None else value
        if external_id:
            values["external_id"] = external_id
            key = external_id
        else:
            self.derived = True
            key = self._derived_key(
                cells.get("account_id") or "", type_id, occurred_at, values.get("subject", "")
            )
        return ParsedRow(row=row, key=key, values=values)

    def _derived_key(self, account: str, type_id: int, occurred_at: datetime, subject: str) -> str:
        content = "\x1f".join(
            [account, self.types.by_id[type_id].key, occurred_at.isoformat(), subject]
        )
        return DERIVED_PREFIX + hashlib.sha256(content.encode()).hexdigest()[:40]

    def key_value(self, parsed: ParsedRow) -> str:
        if "external_id" in parsed.values:
            return str(parsed.values["external_id"])
        if "subject" in self.columns.fields:
            return str(parsed.values["subject"])
        return str(parsed.values["occurred_at"].isoformat())

    def key_label(self) -> str:
        if self.derived:
            return "account_id, type, occurred_at and subject (and no external_id)"
        return self.columns.header_of("external_id")

    def error(self, row: int | None, name: str | None, value: str, expected: str) -> None:
        # A row without an external_id is known by its content: name the subject column.
        if name == "external_id" and self.derived:
            name = "subject" if "subject" in self.columns.fields else "occurred_at"
        super().error(row, name, value, expected)

    def note_references(self, row: int, cells: Cells) -> None:
        # Rows with other bad values too: every contact of a known account is checked.
        account_id = self.account_ids.get(cells.get("account_id") or "")
        try:
            given = emails(cells.get("contact_email") or "")
        except parse.BadValue:
            return  # reported already
        if account_id is None or not given:
            return
        for email in given:
            self.pending_contacts.setdefault((account_id, email), []).append(row)
        if len(self.pending_contacts) >= CHUNK_ROWS:
            self._check_contacts()

    def finish_checks(self) -> None:
        self._check_contacts()

    def _check_contacts(self) -> None:
        """Refuse contact emails that are not contacts of the row's account."""
        if not self.pending_contacts:
            return
        found = self._contact_ids(list(self.pending_contacts))
        for pair, rows in self.pending_contacts.items():
            if pair not in found:
                for row in rows:
                    self.error(
                        row,
                        "contact_email",
                        pair[1],
                        "the email of a contact of this account (import contacts first), "
                        "several separated by ';'",
                    )
        self.pending_contacts.clear()

    def _contact_ids(self, pairs: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
        if not pairs:
            return {}
        rows = lookup(
            self.session,
            select(Contact.account_id, Contact.email, Contact.id).where(
                tuple_(Contact.account_id, Contact.email).in_(pairs)
            ),
        )
        return {(account_id, email): contact_id for account_id, email, contact_id in rows}

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        fields = [getattr(Activity, name) for name in ACTIVITY_FIELDS]
        stored = {
            row.external_id: row
            for row in lookup(
                self.session,
                select(Activity.id, Activity.external_id, Activity.account_id, *fields).where(
                    Activity.external_id.in_([p.key for p in chunk])
                ),
            )
        }
        contact_ids = self._contact_ids(
            list(
                {
                    (p.values["account_id"], email)
                    for p in chunk
                    for email in p.values.get("contact_emails", ())
                }
            )
        )
        links = self._links([row.id for row in stored.values()])
        new_rows: list[dict[str, Any]] = []
        new_links: dict[str, dict[str, list[int]]] = {}
        updates: list[dict[str, Any]] = []
        relinked: dict[str, dict[int, list[int]]] = {"user_ids": {}, "contact_ids": {}}
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            given = parsed.values
            people = self._people(given, contact_ids)
            target = stored.get(parsed.key)
            if target is None:
                new_rows.append(self._new_activity(parsed, actor))
                new_links[parsed.key] = {"user_ids": [], "contact_ids": [], **people}
                continue
            if target.account_id != given["account_id"]:
                self._refuse_other_account(parsed, target.account_id)
                continue
            before = {name: jsonable(getattr(target, name)) for name in ACTIVITY_FIELDS}
            before |= links.get(target.id, {"user_ids": [], "contact_ids": []})
            after = dict(before)
            for name in ACTIVITY_FIELDS:
                if name in given:
                    after[name] = jsonable(given[name])
            after |= people
            old, new = changed(before, after)
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append(
                {
                    "id": target.id,
                    **{name: given.get(name, getattr(target, name)) for name in ACTIVITY_FIELDS},
                    "updated_at": self.now,
                }
            )
            for name in relinked:
                if name in new:
                    relinked[name][target.id] = after[name]
            audits.append(self.audit(actor, "update", target.id, target.account_id, old, new))
        if new_rows:
            insert_rows(self.session, Activity, new_rows)
            inserted = lookup(
                self.session,
                select(Activity.id, Activity.external_id).where(
                    Activity.external_id.in_([r["external_id"] for r in new_rows])
                ),
            )
            by_key = {r["external_id"]: r for r in new_rows}
            for activity_id, external_id in inserted:
                key = str(external_id)  # every imported activity has one
                values, people = by_key[key], new_links[key]
                for name in relinked:
                    relinked[name][activity_id] = people[name]
                snapshot = {name: jsonable(values[name]) for name in ACTIVITY_FIELDS}
                snapshot |= people | {"goal_ids": []}
                audits.append(
                    self.audit(actor, "create", activity_id, values["account_id"], None, snapshot)
                )
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Activity), updates)
        self._set_links(relinked)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _people(
        self, given: dict[str, Any], contact_ids: dict[tuple[int, str], int]
    ) -> dict[str, list[int]]:
        """The team members and contacts a row gives (only the columns the file has)."""
        people: dict[str, list[int]] = {}
        if "user_ids" in given:
            people["user_ids"] = list(given["user_ids"])
        if "contact_emails" in given:
            people["contact_ids"] = sorted(
                contact_ids[(given["account_id"], email)] for email in given["contact_emails"]
            )
        return people

    def _new_activity(self, parsed: ParsedRow, actor: Actor) -> dict[str, Any]:
        given = parsed.values
        default = self.types.by_id[given["type_id"]].default_minutes
        return {
            "external_id": parsed.key,
            "account_id": given["account_id"],
            "type_id": given["type_id"],
            "occurred_at": given["occurred_at"],
            "minutes": given.get("minutes", default),
            "subject": given.get("subject", ""),
            "notes": given.get("notes", ""),
            "logged_by": actor.label,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _refuse_other_account(self, parsed: ParsedRow, account_id: int) -> None:
        owners = {id_: external for external, id_ in self.account_ids.items()}
        self.derived = "external_id" not in parsed.values
        self.error(
            parsed.row,
            "external_id",
            self.key_value(parsed),
            f"an id no activity of another account has (it is an activity of account "
            f"{owners.get(account_id, account_id)})",
        )

    def _links(self, activity_ids: list[int]) -> dict[int, dict[str, list[int]]]:
        """The team members and contacts of stored activities, sorted by id."""
        found: dict[int, dict[str, list[int]]] = {
            i: {"user_ids": [], "contact_ids": []} for i in activity_ids
        }
        if not activity_ids:
            return found
        for model, column, name in (
            (ActivityUser, ActivityUser.user_id, "user_ids"),
            (ActivityContact, ActivityContact.contact_id, "contact_ids"),
        ):
            for activity_id, linked_id in lookup(
                self.session,
                select(model.activity_id, column)
                .where(model.activity_id.in_(activity_ids))
                .order_by(column),
            ):
                found[activity_id][name].append(linked_id)
        return found

    def _set_links(self, relinked: dict[str, dict[int, list[int]]]) -> None:
        """Replace the team members and contacts of the activities whose links changed."""
        for model, column, name in (
            (ActivityUser, "user_id", "user_ids"),
            (ActivityContact, "contact_id", "contact_ids"),
        ):
            changed_links = relinked[name]
            if not changed_links:
                continue
            self.session.execute(delete(model).where(model.activity_id.in_(list(changed_links))))
            insert_rows(
                self.session,
                model,
                [
                    {"activity_id": activity_id, column: linked_id}
                    for activity_id, linked_ids in changed_links.items()
                    for linked_id in linked_ids
                ],
            )
