"""Import goal evidence: KPI values measured outside Headway, one per goal and day.

Each value is stored with the source "import", so importing the same goal and day again updates
it. After the values are written, the goals they belong to settle their achievement through the
goals service, as if every value had been recorded one by one in the order of their days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import selectinload

from headway.accounts.models import Account
from headway.core.audit import Actor, AuditEntry
from headway.importers import values as parse
from headway.importers.columns import ImportKind
from headway.importers.keyed import refuse_unknown_columns
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
from headway.outcomes.goals import settle_achievement
from headway.outcomes.models import Evidence, Goal
from headway.outcomes.schemas import EvidenceSource, KpiSource

MAX_VALUE = Decimal(10) ** 15  # as the API's KPI values
MAX_NOTE = 500
SOURCE = EvidenceSource.IMPORT.value
# Goals measured by Headway itself: their evidence is sampled every day, never imported.
_MEASURED_BY_HEADWAY = {KpiSource.MRR.value: "MRR", KpiSource.SEATS.value: "seats"}
_AMBIGUOUS = -1
_SETTLE_BATCH = 500


def kpi_value(value: str) -> float:
    """Parse a KPI value: a plain decimal number, negative allowed."""
    try:
        number = Decimal(value) if "_" not in value else Decimal("NaN")
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) > MAX_VALUE:
        raise parse.BadValue(
            "a number, e.g. 1250 or -3.5 (a point for decimals; no thousands separators, "
            "units or % sign)"
        )
    return float(number)


def _folded(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class GoalRef:
    """A goal as a row needs it."""

    id: int
    account_id: int
    name: str
    source: str


@dataclass(frozen=True)
class Proof:
    """An imported measurement that proved its goal achieved: kept as it is."""

    value: float
    note: str


class GoalEvidenceImport(KindImport):
    """Measurements of goals already in Headway, named by goal_id or by account and goal name."""

    kind = ImportKind.GOAL_EVIDENCE
    entity_type = "evidence"
    key_field = "measured_on"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        session = self.session
        self.goals: dict[int, GoalRef] = {}
        self.by_name: dict[tuple[int, str], int] = {}
        for row in session.execute(select(Goal.id, Goal.account_id, Goal.name, Goal.source)):
            goal = GoalRef(row.id, row.account_id, row.name, row.source)
            self.goals[goal.id] = goal
            name = (goal.account_id, _folded(goal.name))
            self.by_name[name] = _AMBIGUOUS if name in self.by_name else goal.id
        self.account_ids: dict[str, int] = {}
        if "account_id" in self.columns.fields:
            self.account_ids = dict(session.execute(select(Account.external_id, Account.id)).all())
        self.proofs: dict[tuple[int, date], Proof] = {
            (goal_id, day): Proof(value, note)
            for goal_id, day, value, note in session.execute(
                select(Evidence.goal_id, Evidence.measured_on, Evidence.value, Evidence.note)
                .join(Goal, Goal.achieved_evidence_id == Evidence.id)
                .where(Evidence.source == SOURCE)
            )
        }
        self.touched_goals: set[int] = set()
        self.names_by_account: dict[int, list[str]] | None = None
        self.names_goals = "account_id" in self.columns.fields and "goal" in self.columns.fields
        self.has_goal_columns = "goal_id" in self.columns.fields or self.names_goals
        if not self.has_goal_columns:
            self.errors.append(
                RowError(
                    self.file,
                    1,
                    "goal_id",
                    ", ".join(name for name in self.columns.header if name)[:200],
                    "the column goal_id, or the columns account_id and goal",
                )
            )
        refuse_unknown_columns(
            self, (aliases[0] for aliases in self.columns.format.fields.values())
        )

    # --- checking ------------------------------------------------------------------------

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        goal = self._goal(row, cells)
        day = self.take(row, cells, "measured_on", self._measured_on, required=True)
        value = self.take(row, cells, "value", kpi_value, required=True)
        note = self.take(row, cells, "note", lambda v: parse.text(v, max_length=MAX_NOTE))
        if len(self.errors) > before or goal is None:
            return None
        values: dict[str, Any] = {"goal_id": goal.id, "measured_on": day, "value": value}
        if note is not MISSING:
            values["note"] = note or ""
        proof = self.proofs.get((goal.id, day))
        if proof is not None and (
            proof.value != value or values.get("note", proof.note) != proof.note
        ):
            column = "note" if proof.value == value else "value"
            recorded = repr(proof.note) if column == "note" else f"{proof.value:g}"
            self.error(
                row,
                column,
                cells.get(column) or "",
                f"{recorded} as recorded: this measurement proved the goal achieved and is kept "
                "as it is (record a new measurement on another day instead)",
            )
            return None
        return ParsedRow(row=row, key=f"{goal.id} {day.isoformat()}", values=values)

    def key_value(self, parsed: ParsedRow) -> str:
        return str(parsed.values["measured_on"].isoformat())

    def key_label(self) -> str:
        return "goal and measured_on"

    def _measured_on(self, value: str) -> date:
        day = parse.iso_date(value)
        # Evidence is what was measured, not a forecast: a future value would settle achievement.
        if day > self.now.date():
            raise parse.BadValue(f"a day not after today, {self.now.date().isoformat()}")
        return day

    def _goal_by_id(self, value: str) -> GoalRef:
        goal = self.goals.get(parse.count(value)) if value.isdigit() else None
        if goal is None:
            raise parse.BadValue("the goal_id of a goal in Headway (the number on its page)")
        return goal

    def _account(self, value: str) -> int:
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue("the account_id of an account in Headway")
        return account_id

    def _goal(self, row: int, cells: Cells) -> GoalRef | None:
        """The goal a row measures, named by goal_id or by account and name (errors recorded)."""
        by_id = self.take(row, cells, "goal_id", self._goal_by_id)
        account = self.take(row, cells, "account_id", self._account)
        name = self.take(row, cells, "goal", lambda v: parse.text(v, max_length=255))
        given = [(by_id, "goal_id"), (account, "account_id"), (name, "goal")]
        if not self.has_goal_columns or any(v is MISSING and cells.get(c) for v, c in given):
            return None  # the header or a bad value is reported already
        if by_id:
            goal: GoalRef = by_id
            if account and account != goal.account_id:
                self.error(
                    row,
                    "account_id",
                    cells.get("account_id") or "",
                    f"the account of goal {goal.id}: {self._external_id(goal.account_id)} "
                    "(or an empty cell)",
                )
            if name and _folded(name) != _folded(goal.name):
                self.error(
                    row,
                    "goal",
                    name,
                    f"the name of goal {goal.id}: {goal.name!r} (or an empty cell)",
                )
            return self._measurable(row, goal, "goal_id")
        if account and name:
            return self._goal_by_name(row, account, name)
        if account or name:
            self.error(
                row,
                "goal" if account else "account_id",
                "",
                "a value: a goal is named by its goal_id, or by its account_id and goal name",
            )
        elif not self.names_goals:
            self.error(row, "goal_id", "", "a value: this column is required")
        else:
            column = "goal_id" if "goal_id" in self.columns.fields else "account_id"
            self.error(row, column, "", "a goal_id, or an account_id and a goal name")
        return None

    def _goal_by_name(self, row: int, account: int, name: str) -> GoalRef | None:
        goal_id = self.by_name.get((account, _folded(name)))
        if goal_id is None:
            names = self._names_of(account)
            self.error(
                row,
                "goal",
                name,
                f"the name of a goal of this account: {', '.join(repr(n) for n in names)}"
                if names
                else "the name of a goal of this account (it has no goals yet)",
            )
            return None
        if goal_id == _AMBIGUOUS:
            self.error(
                row,
                "goal",
                name,
                "a goal name this account uses once (several of its goals have this name: "
                "give the goal_id instead)",
            )
            return None
        return self._measurable(row, self.goals[goal_id], "goal")

    def _measurable(self, row: int, goal: GoalRef, column: str) -> GoalRef | None:
        metric = _MEASURED_BY_HEADWAY.get(goal.source)
        if metric is None:
            return goal
        self.error(
            row,
            column,
            str(goal.id) if column == "goal_id" else goal.name,
            f"a goal measured by hand or by import (goal {goal.id} is measured by Headway "
            f"from {metric} every day)",
        )
        return None

    def _external_id(self, account_id: int) -> str:
        for external_id, id_ in self.account_ids.items():
            if id_ == account_id:
                return external_id
        return str(account_id)

    def _names_of(self, account_id: int) -> list[str]:
        if self.names_by_account is None:
            self.names_by_account = {}
            for goal in self.goals.values():
                self.names_by_account.setdefault(goal.account_id, []).append(goal.name)
        return sorted(self.names_by_account.get(account_id, []))[:10]

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)
        self._settle_goals(actor)

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        wanted = [(p.values["goal_id"], p.values["measured_on"]) for p in chunk]
        existing = {
            (row.goal_id, row.measured_on): row
            for row in lookup(
                self.session,
                select(
                    Evidence.id,
                    Evidence.goal_id,
                    Evidence.measured_on,
                    Evidence.value,
                    Evidence.note,
                ).where(
                    Evidence.source == SOURCE,
                    tuple_(Evidence.goal_id, Evidence.measured_on).in_(wanted),
                ),
            )
        }
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            given = parsed.values
            goal = self.goals[given["goal_id"]]
            stored = existing.get((goal.id, given["measured_on"]))
            if stored is None:
                new_rows.append(
                    {
                        "goal_id": goal.id,
                        "value": given["value"],
                        "measured_on": given["measured_on"],
                        "source": SOURCE,
                        "recorded_by": actor.label,
                        "note": given.get("note", ""),
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            note = given.get("note", stored.note)
            if stored.value == given["value"] and stored.note == note:
                self.counts.unchanged += 1
                continue
            self.counts.updated += 1
            self.touched_goals.add(goal.id)
            updates.append(
                {
                    "id": stored.id,
                    "value": given["value"],
                    "note": note,
                    "recorded_by": actor.label,
                    "updated_at": self.now,
                }
            )
            before = {"value": stored.value, "note": stored.note}
            after = self._audited(goal, given, note)
            audits.append(self.audit(actor, "update", stored.id, goal.account_id, before, after))
        if new_rows:
            insert_rows(self.session, Evidence, new_rows)
            inserted = lookup(
                self.session,
                select(Evidence.id, Evidence.goal_id, Evidence.measured_on).where(
                    Evidence.source == SOURCE,
                    tuple_(Evidence.goal_id, Evidence.measured_on).in_(
                        [(r["goal_id"], r["measured_on"]) for r in new_rows]
                    ),
                ),
            )
            by_key = {(r["goal_id"], r["measured_on"]): r for r in new_rows}
            for evidence_id, goal_id, day in inserted:
                values = by_key[(goal_id, day)]
                goal = self.goals[goal_id]
                after = self._audited(goal, values, values["note"])
                audits.append(
                    self.audit(actor, "record", evidence_id, goal.account_id, None, after)
                )
                self.touched_goals.add(goal_id)
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(Evidence), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _audited(self, goal: GoalRef, values: dict[str, Any], note: str) -> dict[str, Any]:
        """What the audit log keeps of a measurement (as the goals service writes it)."""
        return {
            "goal_id": goal.id,
            "goal": goal.name,
            "value": values["value"],
            "measured_on": values["measured_on"].isoformat(),
            "source": SOURCE,
            "note": note,
        }

    def _settle_goals(self, actor: Actor) -> None:
        """Let every goal with new or changed values settle its achievement, once."""
        for batch in chunked(sorted(self.touched_goals), _SETTLE_BATCH):
            goals = self.session.scalars(
                select(Goal)
                .where(Goal.id.in_(batch), Goal.achieved_on.is_(None))
                .options(selectinload(Goal.evidence))
                .execution_options(populate_existing=True)
            )
            for goal in goals:
                settle_achievement(session=self.session, actor=actor, goal=goal)
        self.touched_goals.clear()
