"""Import survey answers (NPS, CSAT, CES), each answer stored once however often it is imported.

Columns: `survey_type` (nps, csat, ces), `account_id`, `contact_email`, `score`, `comment`,
`responded_at`, and optionally `response_id`, the survey tool's id of the answer. A type goes
to its built-in survey; a CSAT score of good or bad goes to the good/bad survey as 1 or 0.
Without a response_id an answer is known by its survey, account, email and time, as an
answer sent through the API without an id is, so the two never count one answer twice.
The rules are `surveys.service.record_response`'s (the scale, no future answers, the key, the
contact by email, an answer never moves), applied to a chunk of rows at once: one answer at a
time through it was 100 times slower.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core.audit import Actor, AuditEntry, changed, jsonable
from headway.importers import values as parse
from headway.importers.activities import moment
from headway.importers.columns import SURVEY_RESPONSE_FIELDS, ImportKind
from headway.importers.keyed import refuse_unknown_columns
from headway.importers.rows import (
    MISSING,
    Cells,
    KindImport,
    ParsedRow,
    chunked,
    insert_rows,
    lookup,
)
from headway.surveys.models import SURVEY_TYPES, Survey, SurveyResponse
from headway.surveys.responses import AUDITED_FIELDS, LINK_ANSWER_PREFIX
from headway.surveys.schemas import read_score, typed_survey
from headway.surveys.scoring import scale_of
from headway.surveys.service import list_surveys, response_key

MAX_COMMENT = 10_000

# What a new answer holds when its file does not say.
NEW_RESPONSE: dict[str, Any] = {
    "contact_id": None,
    "contact_email": None,
    "comment": "",
    "source": "import",
    "campaign_id": None,
    "invitation_id": None,
    "ticket_id": None,
}


def survey_type(value: str) -> str:
    """Parse a survey type: nps, csat or ces (any case)."""
    folded = value.strip().lower()
    if folded not in SURVEY_TYPES:
        raise parse.BadValue(f"a survey type: {', '.join(SURVEY_TYPES)}")
    return folded


class SurveyResponseImport(KindImport):
    """Answers of accounts already in Headway to the built-in NPS, CSAT and CES surveys."""

    kind = ImportKind.SURVEY_RESPONSES
    entity_type = "survey_response"
    key_field = "response_id"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_ids: dict[str, int] = dict(
            self.session.execute(select(Account.external_id, Account.id)).all()
        )
        self.surveys: dict[str, Survey] = {s.key: s for s in list_surveys(session=self.session)}
        self.surveys_by_id = {s.id: s for s in self.surveys.values()}
        # Whether the row parsed last is known by its content rather than by a response_id.
        self.derived = False
        refuse_unknown_columns(self, SURVEY_RESPONSE_FIELDS)

    # --- checking ------------------------------------------------------------------------

    def _account(self, value: str) -> int:
        account_id = self.account_ids.get(value)
        if account_id is None:
            raise parse.BadValue("the account_id of an account in Headway (import accounts first)")
        return account_id

    def _response_id(self, value: str) -> str:
        found = parse.text(value, max_length=200)
        if found and found.startswith(LINK_ANSWER_PREFIX):
            raise parse.BadValue(
                f"a survey tool's id (ids starting with {LINK_ANSWER_PREFIX!r} are Headway's "
                "own, for answers through emailed links)"
            )
        return found

    def _answered_at(self, value: str) -> datetime:
        found = moment(value)
        if found > self.now:
            raise parse.BadValue("a time that has passed: an answer cannot come from the future")
        return found

    def _score(self, kind: str, value: str) -> tuple[Survey, int]:
        """The survey an answer of this type goes to and its score, checked on its scale."""
        key = typed_survey(kind, value)
        survey = self.surveys.get(key)
        if survey is None:
            raise parse.BadValue(f"a score of a survey Headway has (there is no survey {key!r})")
        low, high = survey.scale_min, survey.scale_max
        words = ", or good or bad" if kind == "csat" else ""
        score = read_score(value, survey.labels or {})
        if score is None:
            raise parse.BadValue(f"a whole number {low}–{high} for {kind}{words}")
        try:
            scale_of(survey).check(score)
        except ValueError:
            raise parse.BadValue(
                f"a score on the {kind} scale: {score} is outside {low}–{high} for {kind}{words}"
            ) from None
        return survey, score

    def parse(self, row: int, cells: Cells) -> ParsedRow | None:
        before = len(self.errors)
        self.derived = False
        take = self.take
        response_id = take(row, cells, "response_id", self._response_id)
        kind = take(row, cells, "survey_type", survey_type, required=True)
        account = take(row, cells, "account_id", self._account, required=True)
        email = take(row, cells, "contact_email", parse.email)
        answer = MISSING
        if kind is not MISSING:
            answer = take(row, cells, "score", lambda v: self._score(kind, v), required=True)
        comment = take(row, cells, "comment", lambda v: parse.text(v, max_length=MAX_COMMENT))
        responded_at = take(row, cells, "responded_at", self._answered_at, required=True)
        if len(self.errors) > before or answer is MISSING:
            return None
        survey, score = answer
        values: dict[str, Any] = {
            "survey_id": survey.id,
            "account_id": account,
            "score": score,
            "responded_at": responded_at,
        }
        # A column the file lacks leaves the stored value alone; an empty cell empties it.
        if email is not MISSING:
            values["contact_email"] = email
        if comment is not MISSING:
            values["comment"] = comment or ""
        if response_id:
            return ParsedRow(row=row, key=response_id, values=values)
        self.derived = True
        key = response_key(
            survey=survey,
            account_id=account,
            email=values.get("contact_email"),
            responded_at=responded_at,
        )
        return ParsedRow(row=row, key=key, values=values)

    def key_value(self, parsed: ParsedRow) -> str:
        if not self.derived:
            return parsed.key
        return str(parsed.values["responded_at"].isoformat())

    def key_label(self) -> str:
        if self.derived:
            return "survey_type, account_id, contact_email and responded_at (and no response_id)"
        return self.columns.header_of("response_id")

    def error(self, row: int | None, name: str | None, value: str, expected: str) -> None:
        # An answer without a response_id is known by its content: name its time.
        if name == "response_id" and self.derived:
            name = "responded_at"
        super().error(row, name, value, expected)

    # --- writing -------------------------------------------------------------------------

    def write(self, rows: Iterable[ParsedRow], *, actor: Actor) -> None:
        for chunk in chunked(rows):
            self._write_chunk(chunk, actor)

    def _contact_ids(self, chunk: list[ParsedRow]) -> dict[tuple[int, str], int]:
        pairs = list(
            {
                (p.values["account_id"], p.values["contact_email"])
                for p in chunk
                if p.values.get("contact_email")
            }
        )
        if not pairs:
            return {}
        rows = lookup(
            self.session,
            select(Contact.account_id, Contact.email, Contact.id)
            .where(tuple_(Contact.account_id, Contact.email).in_(pairs))
            .order_by(Contact.id.desc()),
        )
        # The lowest id wins, as `contact_by_email` picks it.
        return {(account_id, email): contact_id for account_id, email, contact_id in rows}

    def _write_chunk(self, chunk: list[ParsedRow], actor: Actor) -> None:
        columns = [getattr(SurveyResponse, name) for name in AUDITED_FIELDS]
        stored = {
            row.external_id: row
            for row in lookup(
                self.session,
                select(SurveyResponse.id, SurveyResponse.external_id, *columns).where(
                    SurveyResponse.external_id.in_([p.key for p in chunk])
                ),
            )
        }
        contacts = self._contact_ids(chunk)
        new_rows: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        audits: list[dict[str, Any]] = []
        for parsed in chunk:
            given = dict(parsed.values)
            target = stored.get(parsed.key)
            if target is not None and (
                target.survey_id != given["survey_id"] or target.account_id != given["account_id"]
            ):
                self._refuse_moving(parsed, target.survey_id, target.account_id)
                continue
            if "contact_email" in given:
                email = given["contact_email"]
                given["contact_id"] = contacts.get((given["account_id"], email)) if email else None
            if target is None:
                new_rows.append(
                    {
                        **NEW_RESPONSE,
                        **given,
                        "external_id": parsed.key,
                        "created_at": self.now,
                        "updated_at": self.now,
                    }
                )
                continue
            current = {name: getattr(target, name) for name in AUDITED_FIELDS}
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
            audits.append(self.audit(actor, "update", target.id, target.account_id, old, new))
        if new_rows:
            insert_rows(self.session, SurveyResponse, new_rows)
            by_key = {r["external_id"]: r for r in new_rows}
            inserted = lookup(
                self.session,
                select(SurveyResponse.id, SurveyResponse.external_id).where(
                    SurveyResponse.external_id.in_(list(by_key))
                ),
            )
            for response_id, external_id in inserted:
                values = by_key[external_id]
                snapshot = {name: jsonable(values[name]) for name in AUDITED_FIELDS}
                audits.append(
                    self.audit(actor, "create", response_id, values["account_id"], None, snapshot)
                )
            self.counts.created += len(new_rows)
        if updates:
            self.session.execute(update(SurveyResponse), updates)
        if audits:
            insert_rows(self.session, AuditEntry, audits)

    def _refuse_moving(self, parsed: ParsedRow, survey_id: int, account_id: int) -> None:
        owners = {id_: external for external, id_ in self.account_ids.items()}
        given = parsed.values
        self.derived = parsed.key == response_key(
            survey=self.surveys_by_id[given["survey_id"]],
            account_id=given["account_id"],
            email=given.get("contact_email"),
            responded_at=given["responded_at"],
        )
        survey = self.surveys_by_id.get(survey_id)
        owner = owners.get(account_id, account_id)
        self.error(
            parsed.row,
            "response_id",
            self.key_value(parsed),
            "an id no answer to another survey or of another account has (it is an answer "
            f"of account {owner} to {survey.key if survey else survey_id})",
        )
