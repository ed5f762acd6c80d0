"""Column maps: which header names of which export (Headway, Salesforce, HubSpot) feed which field.

Headers are compared folded: case, spaces and punctuation are ignored, so "Account ID",
"account_id" and "ACCOUNTID" are one name. Every recognised field lists the header names that
feed it, best first; the first one present in the file wins, and any other becomes a trait.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class ImportKind(StrEnum):
    """What a file holds."""

    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    SUBSCRIPTIONS = "subscriptions"
    FX_RATES = "fx-rates"
    SPEND = "spend"
    ACTIVITIES = "activities"
    GOAL_EVIDENCE = "goal-evidence"
    TICKETS = "tickets"
    SURVEY_RESPONSES = "survey-responses"


@dataclass(frozen=True)
class ColumnFormat:
    """The header names one kind of export uses for each field."""

    name: str  # "canonical", "salesforce", "hubspot"
    label: str
    fields: dict[str, tuple[str, ...]]


ACCOUNT_FIELDS = (
    "account_id",
    "name",
    "domain",
    "segment",
    "stage",
    "owner_email",
    "industry",
    "employees",
    "parent_account_id",
)
CONTACT_FIELDS = ("account_id", "email", "contact_id", "name", "title", "persona")
SUBSCRIPTION_FIELDS = (
    "account_id",
    "subscription_id",
    "plan",
    "amount",
    "currency",
    "interval",
    "start_date",
    "end_date",
    "quantity",
)

FX_RATE_FIELDS = ("currency", "date", "rate", "quote_currency")
SPEND_FIELDS = ("month", "amount", "currency", "category")
ACTIVITY_FIELDS = (
    "account_id",
    "type",
    "occurred_at",
    "minutes",
    "subject",
    "notes",
    "user_email",
    "contact_email",
    "external_id",
)
# A goal is named by its goal_id, or by its account and its name (checked by the importer).
GOAL_EVIDENCE_FIELDS = ("goal_id", "account_id", "goal", "measured_on", "value", "note")
TICKET_FIELDS = (
    "ticket_id",
    "account_id",
    "requester_email",
    "subject",
    "channel",
    "type",
    "priority",
    "status",
    "created_at",
    "first_reply_at",
    "solved_at",
    "agent_replies",
    "reopens",
    "satisfaction",
    "closed_at",
    "tags",
)
# survey_type is nps, csat or ces; response_id, the survey tool's id of an answer, is optional.
SURVEY_RESPONSE_FIELDS = (
    "survey_type",
    "account_id",
    "contact_email",
    "score",
    "comment",
    "responded_at",
    "response_id",
)

REQUIRED: dict[ImportKind, tuple[str, ...]] = {
    ImportKind.ACCOUNTS: ("account_id", "name"),
    ImportKind.CONTACTS: ("account_id", "email"),
    ImportKind.SUBSCRIPTIONS: SUBSCRIPTION_FIELDS[:-1],
    ImportKind.FX_RATES: FX_RATE_FIELDS[:-1],
    ImportKind.SPEND: SPEND_FIELDS[:-1],
    ImportKind.ACTIVITIES: ACTIVITY_FIELDS[:3],
    ImportKind.GOAL_EVIDENCE: ("measured_on", "value"),
    ImportKind.TICKETS: ("ticket_id", "account_id", "status", "created_at"),
    ImportKind.SURVEY_RESPONSES: ("survey_type", "account_id", "score", "responded_at"),
}


def _canonical(names: tuple[str, ...]) -> ColumnFormat:
    return ColumnFormat("canonical", "Headway", {name: (name,) for name in names})


FORMATS: dict[ImportKind, tuple[ColumnFormat, ...]] = {
    ImportKind.ACCOUNTS: (
        _canonical(ACCOUNT_FIELDS),
        # Report exports use field labels, Data Loader exports use API names (Id, ParentId …).
        ColumnFormat(
            "salesforce",
            "Salesforce Account export",
            {
                "account_id": ("Account ID", "Id"),
                "name": ("Account Name", "Name"),
                "domain": ("Website",),
                "industry": ("Industry",),
                "employees": ("Employees", "NumberOfEmployees"),
                "parent_account_id": ("Parent Account ID", "ParentId"),
                "owner_email": (
                    "Account Owner Email",
                    "Owner Email",
                    "Owner.Email",
                    "Account Owner",
                ),
            },
        ),
        ColumnFormat(
            "hubspot",
            "HubSpot companies export",
            {
                "account_id": ("Record ID", "Company ID"),
                "name": ("Company name",),
                "domain": ("Company Domain Name", "Website URL"),
                "industry": ("Industry",),
                "employees": ("Number of Employees",),
                "parent_account_id": ("Parent Company ID", "Parent Company"),
                "owner_email": ("Company owner email", "Company owner"),
            },
        ),
    ),
    ImportKind.CONTACTS: (
        _canonical(CONTACT_FIELDS),
        ColumnFormat(
            "salesforce",
            "Salesforce Contact export",
            {
                "contact_id": ("Contact ID", "Id"),
                "account_id": ("Account ID", "AccountId"),
                "email": ("Email",),
                "name": ("Full Name", "Name"),
                "first_name": ("First Name", "FirstName"),
                "last_name": ("Last Name", "LastName"),
                "title": ("Title",),
            },
        ),
        ColumnFormat(
            "hubspot",
            "HubSpot contacts export",
            {
                "contact_id": ("Record ID", "Contact ID"),
                "account_id": (
                    "Associated Company IDs (Primary)",
                    "Associated Company ID",
                    "Associated Company IDs",
                    "Company ID",
                ),
                "email": ("Email",),
                "first_name": ("First Name",),
                "last_name": ("Last Name",),
                "title": ("Job Title",),
            },
        ),
    ),
    ImportKind.SUBSCRIPTIONS: (_canonical(SUBSCRIPTION_FIELDS),),
    ImportKind.FX_RATES: (_canonical(FX_RATE_FIELDS),),
    ImportKind.SPEND: (_canonical(SPEND_FIELDS),),
    ImportKind.ACTIVITIES: (
        _canonical(ACTIVITY_FIELDS),
        # Tasks and events: a report's labels or Data Loader's API names. "Assigned To" holds
        # a person's full name, which the importer matches to a Headway user.
        ColumnFormat(
            "salesforce",
            "Salesforce Task or Event export",
            {
                "external_id": ("Activity ID", "Id"),
                "account_id": ("Account ID", "AccountId"),
                "type": ("Type",),
                "occurred_at": ("Activity Date", "ActivityDateTime", "ActivityDate"),
                "minutes": ("Duration (Minutes)", "DurationInMinutes"),
                "subject": ("Subject",),
                "notes": ("Comments", "Description"),
                "user_email": ("Assigned To", "Assigned"),
            },
        ),
    ),
    ImportKind.GOAL_EVIDENCE: (_canonical(GOAL_EVIDENCE_FIELDS),),
    ImportKind.SURVEY_RESPONSES: (_canonical(SURVEY_RESPONSE_FIELDS),),
    # Helpdesk exports keep their own units: the importer reads Zendesk's minutes, HubSpot's
    # milliseconds and Intercom's Unix seconds by the format recognised here.
    ImportKind.TICKETS: (
        _canonical(TICKET_FIELDS),
        ColumnFormat(
            "zendesk",
            "Zendesk ticket export with ticket metrics",
            {
                "ticket_id": ("Id", "ID", "Ticket ID"),
                "account_id": (
                    "Organization external ID",
                    "Organization ID",
                    "Organization",
                    "Organization name",
                ),
                "requester_email": ("Requester email", "Requester"),
                "subject": ("Subject",),
                "channel": ("Via", "Channel"),
                "type": ("Type",),
                "priority": ("Priority",),
                "status": ("Status",),
                "created_at": ("Created at",),
                "first_reply_at": ("First reply at",),
                "solved_at": ("Solved at",),
                "closed_at": ("Closed at",),
                "agent_replies": ("Replies", "Agent replies"),
                "reopens": ("Reopens",),
                "satisfaction": ("Satisfaction Score", "Satisfaction"),
                "tags": ("Tags",),
                "first_reply_minutes_calendar": ("First reply time in minutes",),
                "first_reply_minutes_business": (
                    "First reply time in minutes within business hours",
                ),
                "resolution_minutes_calendar": ("Full resolution time in minutes",),
                "resolution_minutes_business": (
                    "Full resolution time in minutes within business hours",
                ),
            },
        ),
        ColumnFormat(
            "hubspot",
            "HubSpot tickets export",
            {
                "ticket_id": ("Ticket ID", "Record ID"),
                "account_id": (
                    "Associated Company ID",
                    "Associated Company IDs (Primary)",
                    "Associated Company IDs",
                    "Company ID",
                ),
                "requester_email": ("Associated Contact Email", "Contact email"),
                "subject": ("Ticket name",),
                "channel": ("Source",),
                "type": ("Category", "Ticket category"),
                "priority": ("Priority",),
                "status": ("Ticket status", "Pipeline stage"),
                "created_at": ("Create date",),
                "solved_at": ("Close date",),
                "first_reply_ms": ("Time to first agent reply",),
                "resolution_ms": ("Time to close",),
                "tags": ("Tags",),
            },
        ),
        ColumnFormat(
            "intercom",
            "Intercom conversations export",
            {
                "ticket_id": ("id", "conversation_id"),
                "account_id": ("company_id", "company.id", "company_external_id"),
                "requester_email": ("contact_email", "user_email", "source.author.email"),
                "subject": ("title", "source.subject"),
                "channel": ("source.delivered_as", "source.type", "channel"),
                "priority": ("priority",),
                "status": ("state",),
                "created_at": ("created_at",),
                "first_reply_at": (
                    "first_admin_reply_at",
                    "statistics.first_admin_reply_at",
                ),
                "solved_at": ("closed_at", "last_close_at", "statistics.last_close_at"),
                "reopens": ("count_reopens", "statistics.count_reopens"),
                "agent_replies": (
                    "count_admin_replies",
                    "admin_replies",
                    "count_conversation_parts",
                    "statistics.count_conversation_parts",
                ),
                "satisfaction": ("conversation_rating", "conversation_rating.rating", "rating"),
                "tags": ("tags",),
            },
        ),
    ),
}


def fold(name: str) -> str:
    """Fold a header name for comparison: 'Account ID' and 'account_id' both give 'accountid'."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def column_letter(index: int) -> str:
    """Spreadsheet letter of a 0-based column index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


@dataclass
class ColumnMap:
    """Where each recognised field and each trait is in a file's rows."""

    format: ColumnFormat
    header: list[str]
    fields: dict[str, int]
    traits: list[tuple[int, str]] = field(default_factory=list)
    unnamed: list[int] = field(default_factory=list)

    def header_of(self, name: str) -> str:
        """The file's own header for a field (what a spreadsheet user sees)."""
        index = self.fields.get(name)
        return self.header[index] if index is not None else name


@dataclass(frozen=True)
class HeaderProblem:
    """What is wrong with a header row: the columns concerned and what was expected."""

    column: str
    value: str
    expected: str


def resolve_columns(kind: ImportKind, header: list[str]) -> ColumnMap | list[HeaderProblem]:
    """Recognise a header row: the best-matching export format, or what is wrong with the header."""
    problems = _header_problems(header)
    if problems:
        return problems
    folded = {fold(name): index for index, name in enumerate(header) if name}
    candidates: list[tuple[tuple[int, int, int], ColumnMap]] = []
    canonical_missing: list[str] = []
    for order, fmt in enumerate(FORMATS[kind]):
        found = _match(fmt, folded)
        missing = [name for name in REQUIRED[kind] if name not in found]
        if order == 0:
            canonical_missing = missing
        if missing:
            continue
        used = set(found.values())
        traits = [(i, name) for i, name in enumerate(header) if name and i not in used]
        unnamed = [i for i, name in enumerate(header) if not name]
        # Prefer the format that recognises the most columns, then the one whose names the
        # file uses as written ("Account ID" is Salesforce's), then the canonical one.
        exact = sum(
            header[index].casefold() in {alias.casefold() for alias in fmt.fields[name]}
            for name, index in found.items()
        )
        score = (len(found), exact, -order)
        candidates.append((score, ColumnMap(fmt, header, found, traits, unnamed)))
    if candidates:
        return max(candidates, key=lambda c: c[0])[1]
    # Name the missing columns by their Headway names, with the exports' names beside them.
    return [
        HeaderProblem(
            column=", ".join(canonical_missing),
            value=", ".join(name for name in header if name)[:200],
            expected=_expected_columns(kind, canonical_missing),
        )
    ]


def _match(fmt: ColumnFormat, folded: dict[str, int]) -> dict[str, int]:
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name, aliases in fmt.fields.items():
        for alias in aliases:
            index = folded.get(fold(alias))
            if index is not None and index not in taken:
                found[name] = index
                taken.add(index)
                break
    return found


def _header_problems(header: list[str]) -> list[HeaderProblem]:
    if not any(header):
        return [HeaderProblem("", "", "a header row naming the columns (row 1)")]
    problems = []
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if not name:
            continue
        key = fold(name) or name
        if key in seen:
            first = seen[key]
            problems.append(
                HeaderProblem(
                    column=name,
                    value=f"columns {column_letter(first)} and {column_letter(index)}",
                    expected="each column name once (names are compared ignoring case and spaces)",
                )
            )
        else:
            seen[key] = index
    return problems


def _expected_columns(kind: ImportKind, missing: list[str]) -> str:
    parts = [f"the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"]
    for fmt in FORMATS[kind][1:]:
        names = [fmt.fields[name][0] for name in missing if name in fmt.fields]
        if names:
            parts.append(f"or in a {fmt.label}: {', '.join(repr(n) for n in names)}")
    return "; ".join(parts)


def accepted_headers(kind: ImportKind) -> dict[str, dict[str, tuple[str, ...]]]:
    """Every header name recognised for a kind, by format and field (for docs and pages)."""
    return {fmt.name: dict(fmt.fields) for fmt in FORMATS[kind]}
