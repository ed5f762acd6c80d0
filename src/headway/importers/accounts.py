"""Import accounts: check every row, then upsert by account_id with stages, parents, audit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from headway.accounts.models import Account, StageChange
from headway.accounts.service import ACCOUNT_FIELDS, list_segments, list_stages
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
from headway.users.models import User
from headway.users.service import may_own_accounts

DEFAULT_STAGE = "onboarding"
_FIELD_COLUMNS = [getattr(Account, name) for name in ACCOUNT_FIELDS]
_AMBIGUOUS = -1


class OwnerLookup:
    """Finds the Headway user a file names as owner: by email, or by full name (CRM exports)."""

    def __init__(self, session: Session) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        # Only people who may own accounts: an inactive user or a viewer never works a book.
        owners = (u for u in session.scalars(select(User)) if may_own_accounts(u))
        for user_id, email, name in ((u.id, u.email, u.name) for u in owners):
            self.by_email[email.lower()] = user_id
            folded = name.strip().casefold()
            self.by_name[folded] = _AMBIGUOUS if folded in self.by_name else user_id

    def resolve(self, value: str) -> int:
        if "@" in value:
            user_id = self.by_email.get(value.strip().lower())
            if user_id is None:
                raise parse.BadValue(
                    "the email of an active Headway user who may own accounts (not a viewer)"
                )
            return user_id
        user_id = self.by_name.get(value.strip().casefold())
        if user_id is None:
            raise parse.BadValue("the email (or full name) of a Headway user")
        if user_id == _AMBIGUOUS:
            raise parse.BadValue("the email of a Headway user: several users have this name")
        return user_id


class KeyLookup:
    """Finds a segment or a stage by key or by name, folded ('High touch' → high-touch)."""

    def __init__(self, what: str, rows: Iterable[Any]) -> None:
        self.what = what
        self.ids: dict[str, int] = {}
        self.keys: list[str] = []
        for row in rows:
            self.keys.append(row.key)
            self.ids[parse.key_of(row.key)] = row.id
            self.ids.setdefault(parse.key_of(row.name), row.id)

    def resolve(self, value: str) -> int:
        found = self.ids.get(parse.key_of(value))
        if found is None:
            raise parse.BadValue(f"a {self.what} key: {', '.join(self.keys)}")
        return found


class AccountImport(KindImport):
    """Accounts by account_id; parents may be in Headway or anywhere in the same file."""

    kind = ImportKind.ACCOUNTS
    entity_type = "account"
    key_field = "account_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        session = self.session
        # external id → database id of every account: the reference map for parents.
        self.account_ids: dict[str, int] = dict(
            session.execute(select(Account.external_id, Account.id)).all()
        )
        self.owners = OwnerLookup(session)
        self.segments = KeyLookup("segment", list_segments(session=session))
        self.stages = KeyLookup("lifecycle stage", list_stages(session=session))
        self.default_stage_id = self.stages.resolve(DEFAULT_STAGE)
        self.file_parents: dict[str, str] = {}
        self.pending_parents: list[tuple[int, str]] = []
        # Rows whose parent is created further down: written once every account exists.
        self.deferred: list[dict[str, Any]] = []
        self.actor = Actor.system("import")  # set by write()

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        account_id = self.take(
            row, cells, "account_id", lambda v: parse.text(v, max_length=128), required=True
        )
        values: dict[str, Any] = {
            "name": self.take(
                row, cells, "name", lambda v: parse.text(v, max_length=255), required=True
            ),
            "domain": self.take(row, cells, "domain", parse.domain),
            "segment_id": self.take(row, cells, "segment", self.segments.resolve),
            "stage_id": self.take(row, cells, "stage", self.stages.resolve),
            "owner_id": self.take(row, cells, "owner_email", self.owners.resolve),
            "industry": self.take(row, cells, "industry", lambda v: parse.text(v, max_length=120)),
            "employees": self.take(row, cells, "employees", parse.count),
            "parent": self.take(row, cells, "parent_account_id"),
        }
        if values["parent"] and values["parent"] == account_id:
            self.error(row, "parent_account_id", account_id, "another account's id (not its own)")
        if len(self.errors) > before:
            return None
        # An empty segment or stage cell means "not given": it never unlocks or resets anything.
        for name in ("segment_id", "stage_id"):
            if values[name] is None:
                values[name] = MISSING
        present = {name: value for name, value in values.items() if value is not MISSING}
        return ParsedRow(row=row, key=account_id, values=present, traits=cells.traits())

    def remember(self, parsed: ParsedRow) -> None:
        parent = parsed.values.get("parent")
        if parent:
            self.file_parents[parsed.key] = parent

    def note_references(self, row: int, cells: Cells) -> None:
        parent = cells.get("parent_account_id")
        if (
            parent
            and parent != cells.get("account_id")
            and parent not in self.account_ids
            and parent not in self.first_rows
        ):
            self.pending_parents.append((row, parent))

    def finish_checks(self) -> None:
        for row, parent in self.pending_parents:
            if parent not in self.first_rows and parent not in self.bad_keys:
                self.error(
                    row,
                    "parent_account_id",
                    parent,
                    "the account_id of an account in Headway or in this file",
                )
        self.pending_parents.clear()
        if self.file_parents:
            self._check_cycles()

    def _check_cycles(self) -> None:
        child, parent = aliased(Account), aliased(Account)
        stored = dict(
            self.session.execute(
                select(child.external_id, parent.external_id).join(
                    parent, child.parent_id == parent.id
                )
            ).all()
        )
        has_parent_column = "parent_account_id" in self.columns.fields

        def parent_of(account: str) -> str | None:
            if has_parent_column and account in self.first_rows:
                return self.file_parents.get(account)
            return stored.get(account)

        acyclic: set[str] = set()
        for start in self.file_parents:
            path: list[str] = []
            current: str | None = start
            while current is not None and current not in acyclic:
                if current in path:
                    if current == start:
                        self.error(
                            self.first_rows[start][1],
                            "parent_account_id",
                            self.file_parents[start],
                            "an account that is not its own ancestor: "
                            + " → ".join([*path, start]),
                        )
                    break
                path.append(current)
                current = parent_of(current)
            else:
                acyclic.update(path)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        self.actor = actor
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)
        self._write_deferred(actor)

    def _parent_id(self, parsed: ParsedRow, current: int | None) -> tuple[int | None, bool]:
        """The parent's database id, and whether it must wait for an account further down."""
        if "parent" not in parsed.values:
            return current, False
        parent = parsed.values["parent"]
        if parent is None:
            return None, False
        parent_id = self.account_ids.get(parent)
        return parent_id, parent_id is None

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        # Plain rows, not ORM objects: nothing stale is left in the session after bulk updates.
        existing = {
            row.external_id: row
            for row in lookup(
                self.session,
                select(Account.id, Account.stage_entered_at, *_FIELD_COLUMNS).where(
                    Account.external_id.in_([p.key for p in chunk])
                ),
            )
        }
        new_rows: list[dict[str, Any]] = []
        new_deferred: dict[str, str] = {}
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        stage_changes: list[dict[str, Any]] = []
        for parsed in chunk:
            account = existing.get(parsed.key)
            if account is None:
                parent_id, wait = self._parent_id(parsed, None)
                new_rows.append(self._new_account(parsed, parent_id))
                if wait:
                    new_deferred[parsed.key] = parsed.values["parent"]
                continue
            before = {name: getattr(account, name) for name in ACCOUNT_FIELDS}
            after = self._changed_account(parsed, before)
            parent_id, wait = self._parent_id(parsed, account.parent_id)
            after["parent_id"] = parent_id
            entered = account.stage_entered_at
            if after["stage_id"] != before["stage_id"]:
                entered = self.now
                stage_changes.append(self._stage_change(account.id, before["stage_id"], after))
            if wait:
                # The parent is new and comes later in the file: so this is a change.
                self.counts.updated += 1
                self.deferred.append(
                    {
                        "id": account.id,
                        "before": before,
                        "after": after,
                        "entered": entered,
                        "parent": parsed.values["parent"],
                    }
                )
                continue
            old, new = changed(before, after)
            if not new:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            updates.append(self._update_values(account.id, after, entered))
            audits.append(self.audit(actor, "update", account.id, account.id, old, new))
        if new_rows:
            insert_rows(self.session, Account, new_rows)
            inserted = lookup(
                self.session,
                select(Account.id, Account.external_id).where(
                    Account.external_id.in_([r["external_id"] for r in new_rows])
                ),
            )
            for account_id, external_id in inserted:
                self.account_ids[external_id] = account_id
            by_key = {r["external_id"]: r for r in new_rows}
            for account_id, external_id in inserted:
                values = by_key[external_id]
                stage_changes.append(self._stage_change(account_id, None, values))
                snapshot = {name: values[name] for name in ACCOUNT_FIELDS}
                if external_id in new_deferred:
                    self.deferred.append(
                        {"id": account_id, "after": snapshot, "parent": new_deferred[external_id]}
                    )
                else:
                    audits.append(
                        self.audit(actor, "create", account_id, account_id, None, snapshot)
                    )
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Account), updates)
        self._insert_history(stage_changes, audits)

    def _new_account(self, parsed: ParsedRow, parent_id: int | None) -> dict[str, Any]:
        given = parsed.values
        return {
            "external_id": parsed.key,
            "name": given["name"],
            "domain": given.get("domain"),
            "parent_id": parent_id,
            "owner_id": given.get("owner_id"),
            "segment_id": given.get("segment_id"),
            "segment_locked": "segment_id" in given,
            "stage_id": given.get("stage_id", self.default_stage_id),
            "stage_entered_at": self.now,
            "industry": given.get("industry"),
            "employees": given.get("employees"),
            "traits": merge_traits({}, parsed.traits),
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _changed_account(self, parsed: ParsedRow, before: dict[str, Any]) -> dict[str, Any]:
        given = parsed.values
        after = dict(before)
        for name in ("name", "domain", "owner_id", "industry", "employees", "stage_id"):
            if name in given:
                after[name] = given[name]
        if "segment_id" in given:
            after["segment_id"], after["segment_locked"] = given["segment_id"], True
        after["traits"] = merge_traits(before["traits"], parsed.traits)
        return after

    def _update_values(
        self, account_id: int, after: dict[str, Any], entered: Any
    ) -> dict[str, Any]:
        values = {name: after[name] for name in ACCOUNT_FIELDS if name != "external_id"}
        return {"id": account_id, **values, "stage_entered_at": entered, "updated_at": self.now}

    def _stage_change(
        self, account_id: int, from_stage: int | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "account_id": account_id,
            "from_stage_id": from_stage,
            "to_stage_id": values["stage_id"],
            "changed_at": self.now,
            "changed_by": self.actor.label,
            "reason": f"import #{self.actor.import_id}",
        }

    def _insert_history(
        self, stage_changes: list[dict[str, Any]], audits: list[dict[str, Any]]
    ) -> None:
        if stage_changes:
            insert_rows(self.session, StageChange, stage_changes)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _write_deferred(self, actor: Actor) -> None:
        for chunk in chunked(self.deferred):
            created: list[dict[str, Any]] = []
            updates: list[dict[str, Any]] = []
            audits: list[dict[str, Any]] = []
            for item in chunk:
                parent_id = self.account_ids[item["parent"]]
                after = {**item["after"], "parent_id": parent_id}
                if "before" in item:
                    old, new = changed(item["before"], after)
                    updates.append(self._update_values(item["id"], after, item["entered"]))
                    audits.append(self.audit(actor, "update", item["id"], item["id"], old, new))
                else:
                    created.append({"id": item["id"], "parent_id": parent_id})
                    audits.append(self.audit(actor, "create", item["id"], item["id"], None, after))
            for values in (created, updates):
                if values:
                    self.session.execute(update(Account), values)
            self._insert_history([], audits)
        self.deferred.clear()
