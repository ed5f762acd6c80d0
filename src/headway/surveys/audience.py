"""Who a campaign asks: its audience checked and stored, and each contact it selects judged.

An audience is lists of segment keys, lifecycle stage keys, personas and account ids; an
empty or missing list does not restrict. Churned accounts are left out unless their stage
is chosen. Each selected contact is then judged, in this order: without an email address,
unsubscribed, asked within the campaign's `throttle_days` (by any campaign), or the same
address reached through another account. Those are left out, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from headway.accounts.models import Account, LifecycleStage, Segment
from headway.accounts.service import list_segments, list_stages
from headway.contacts.models import Contact, Persona
from headway.core.chunks import chunked
from headway.core.errors import InvalidInput
from headway.support.metrics import SOLVED_STATUSES
from headway.support.models import Ticket
from headway.surveys.models import SurveyCampaign, SurveyInvitation
from headway.surveys.service import contact_by_email, opted_out

AUDIENCE_KEYS = ("segments", "stages", "personas", "account_ids")
CHURNED = "churned"
# Why a contact is left out, as counted in send reports (the stored reason says more).
SKIP_KINDS = ("no_email", "opted_out", "throttled", "duplicate", "refused")


@dataclass(frozen=True)
class Recipient:
    """A contact a campaign selects, and why they are left out (`skip` None: they are asked)."""

    account_id: int
    account_name: str
    contact_id: int | None
    email: str
    name: str = ""
    ticket_id: int | None = None
    skip: str | None = None  # one of SKIP_KINDS
    reason: str | None = None  # the words a person reads

    @property
    def asked(self) -> bool:
        return self.skip is None


# --- the audience --------------------------------------------------------------------------


def _as_list(key: str, value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [value]
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    raise InvalidInput(f"audience.{key}: expected a list, not {type(value).__name__}")


def _known(key: str, values: list[Any], known: Iterable[str], what: str) -> list[str]:
    allowed = list(known)
    for value in values:
        if not isinstance(value, str) or value not in allowed:
            raise InvalidInput(
                f"audience.{key}: unknown {what} {value!r}; expected one of {', '.join(allowed)}"
            )
    return sorted(set(values))


def _account_ids(session: Session, values: list[Any]) -> list[int]:
    ids: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidInput(f"audience.account_ids: expected account ids, not {value!r}")
        ids.add(value)
    found: set[int] = set()
    for chunk in chunked(sorted(ids), 1000):
        found.update(session.scalars(select(Account.id).where(Account.id.in_(chunk))))
    missing = sorted(ids - found)
    if missing:
        raise InvalidInput(
            f"audience.account_ids: no account has the id {', '.join(map(str, missing))}"
        )
    return sorted(ids)


def normalise_audience(*, session: Session, audience: Mapping[str, Any] | None) -> dict[str, Any]:
    """Check an audience and return it as stored: sorted lists, empty ones left out."""
    if not audience:
        return {}
    unknown = sorted(set(audience) - set(AUDIENCE_KEYS))
    if unknown:
        raise InvalidInput(
            f"audience: unknown key {', '.join(map(repr, unknown))}; "
            f"expected {', '.join(AUDIENCE_KEYS)}"
        )
    result: dict[str, Any] = {}
    segments = _as_list("segments", audience.get("segments"))
    if segments:
        keys = [s.key for s in list_segments(session=session)]
        result["segments"] = _known("segments", segments, keys, "segment")
    stages = _as_list("stages", audience.get("stages"))
    if stages:
        keys = [s.key for s in list_stages(session=session)]
        result["stages"] = _known("stages", stages, keys, "stage")
    personas = _as_list("personas", audience.get("personas"))
    if personas:
        result["personas"] = _known("personas", personas, [p.value for p in Persona], "persona")
    account_ids = _as_list("account_ids", audience.get("account_ids"))
    if account_ids:
        result["account_ids"] = _account_ids(session, account_ids)
    return result


def _account_conditions(audience: Mapping[str, Any]) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if audience.get("segments"):
        chosen = select(Segment.id).where(Segment.key.in_(audience["segments"]))
        conditions.append(Account.segment_id.in_(chosen))
    if audience.get("stages"):
        chosen = select(LifecycleStage.id).where(LifecycleStage.key.in_(audience["stages"]))
        conditions.append(Account.stage_id.in_(chosen))
    else:
        churned = select(LifecycleStage.id).where(LifecycleStage.key == CHURNED)
        conditions.append(or_(Account.stage_id.is_(None), Account.stage_id.not_in(churned)))
    if audience.get("account_ids"):
        conditions.append(Account.id.in_(audience["account_ids"]))
    return conditions


# --- judging each contact ------------------------------------------------------------------


def has_address(email: str | None) -> bool:
    """Whether an email can be sent to this address at all."""
    address = (email or "").strip()
    local, at, domain = address.partition("@")
    return bool(local and at and domain) and not any(c.isspace() for c in address)


def recently_asked(*, session: Session, since: datetime) -> dict[str, datetime]:
    """Addresses (lower case) invited since a moment, by any campaign, with the latest time.

    An invitation waiting to be sent counts from when it was made, so two campaigns going
    out in the same run do not both ask one person.
    """
    waiting = and_(
        SurveyInvitation.sent_at.is_(None),
        SurveyInvitation.skipped_reason.is_(None),
        SurveyInvitation.created_at >= since,
        SurveyCampaign.status != "cancelled",
    )
    asked_at = func.coalesce(SurveyInvitation.sent_at, SurveyInvitation.created_at)
    query = (
        select(SurveyInvitation.email, func.max(asked_at))
        .join(SurveyCampaign, SurveyCampaign.id == SurveyInvitation.campaign_id)
        .where(or_(SurveyInvitation.sent_at >= since, waiting))
        .group_by(SurveyInvitation.email)
    )
    return {email.lower(): at for email, at in session.execute(query)}


def judge(
    *,
    session: Session,
    candidates: list[Recipient],
    throttle_days: int,
    now: datetime,
    per_ticket: bool = False,
) -> list[Recipient]:
    """Give each candidate the reason they are left out, if any (see the module docstring).

    After a ticket (`per_ticket`), the same person may be asked once per ticket, so a
    second ticket of one person in the same run counts as asked within the throttle, and
    only when there is one.
    """
    opted = opted_out(session=session, emails=[c.email for c in candidates if c.email])
    asked = (
        recently_asked(session=session, since=now - timedelta(days=throttle_days))
        if throttle_days > 0
        else {}
    )
    seen: set[str] = set()
    judged = []
    for candidate in candidates:
        address = candidate.email.strip().lower()
        skip, reason = None, None
        if not has_address(address):
            skip, reason = "no_email", "no email address"
        elif address in opted:
            skip, reason = "opted_out", "unsubscribed from surveys"
        elif address in asked:
            skip = "throttled"
            reason = f"asked on {asked[address].date()}, within {throttle_days} days"
        elif address in seen and not per_ticket:
            skip, reason = "duplicate", "the same address is asked through another account"
        elif address in seen and throttle_days > 0:
            skip, reason = "throttled", f"asked about another ticket, within {throttle_days} days"
        if skip is None:
            seen.add(address)
        judged.append(replace(candidate, email=address, skip=skip, reason=reason))
    return judged


def audience_recipients(
    *, session: Session, campaign: SurveyCampaign, now: datetime
) -> list[Recipient]:
    """Every contact a campaign's audience selects, by account name, each judged."""
    audience = campaign.audience or {}
    query = (
        select(
            Contact.id,
            Contact.email,
            Contact.name,
            Account.id.label("account_id"),
            Account.name.label("account_name"),
        )
        .join(Account, Account.id == Contact.account_id)
        .where(*_account_conditions(audience))
        .order_by(Account.name, Account.id, Contact.email, Contact.id)
    )
    if audience.get("personas"):
        query = query.where(Contact.persona.in_(audience["personas"]))
    candidates = [
        Recipient(
            account_id=row.account_id,
            account_name=row.account_name,
            contact_id=row.id,
            email=row.email or "",
            name=row.name or "",
        )
        for row in session.execute(query)
    ]
    return judge(
        session=session, candidates=candidates, throttle_days=campaign.throttle_days, now=now
    )


def ticket_recipients(
    *, session: Session, campaign: SurveyCampaign, now: datetime
) -> list[Recipient]:
    """The requesters of tickets solved since a ticket campaign started and not yet asked about.

    The requester is the ticket's contact, else the account's contact with the requester's
    email, else that email alone. A persona in the audience needs the ticket's contact.
    """
    if campaign.started_at is None:
        return []
    audience = campaign.audience or {}
    already = exists().where(
        SurveyInvitation.campaign_id == campaign.id, SurveyInvitation.ticket_id == Ticket.id
    )
    query = (
        select(
            Ticket.id,
            Ticket.requester_contact_id,
            Ticket.requester_email,
            Account.id.label("account_id"),
            Account.name.label("account_name"),
        )
        .join(Account, Account.id == Ticket.account_id)
        .where(
            Ticket.solved_at.is_not(None),
            Ticket.solved_at >= campaign.started_at,
            Ticket.solved_at <= now,
            Ticket.status.in_(SOLVED_STATUSES),
            ~already,
            *_account_conditions(audience),
        )
        .order_by(Ticket.solved_at, Ticket.id)
    )
    if audience.get("personas"):
        query = query.join(Contact, Contact.id == Ticket.requester_contact_id).where(
            Contact.persona.in_(audience["personas"])
        )
    rows = list(session.execute(query))
    contact_ids = {row.requester_contact_id for row in rows if row.requester_contact_id}
    contacts = {
        c.id: c
        for chunk in chunked(sorted(contact_ids), 1000)
        for c in session.scalars(select(Contact).where(Contact.id.in_(chunk)))
    }
    candidates = []
    for row in rows:
        contact = contacts.get(row.requester_contact_id) if row.requester_contact_id else None
        if contact is None and row.requester_email:
            found = contact_by_email(
                session=session, account_id=row.account_id, email=row.requester_email
            )
            contact = session.get(Contact, found) if found is not None else None
        candidates.append(
            Recipient(
                account_id=row.account_id,
                account_name=row.account_name,
                contact_id=contact.id if contact else None,
                email=(contact.email if contact else row.requester_email) or "",
                name=contact.name if contact else "",
                ticket_id=row.id,
            )
        )
    return judge(
        session=session,
        candidates=candidates,
        throttle_days=campaign.throttle_days,
        now=now,
        per_ticket=True,
    )
