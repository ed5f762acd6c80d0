"""The demo company's survey campaigns, and whom each asked, as Headway's sending would have.

A quarterly relationship NPS goes to the decision makers, champions and admins of every
customer over the last two years. Two campaigns ask after a solved ticket: a CES pilot for
high-touch requesters over the last four months (created first, so it asks first, as the
sender takes campaigns in the order they were made) and an always-on CSAT for everyone over
the last year. Everyone a campaign selects gets an invitation row; those left out keep the
reason, in the sender's words: unsubscribed, or asked within the campaign's throttle days by
any campaign. A ticket campaign thus holds a row for every ticket it considered, so sending
after the demo only picks up the tickets solved since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from headway.demo.contacts import ADMIN, CHAMPION, DECISION_MAKER, PERSONAS, DemoContacts
from headway.demo.segments import HIGH_TOUCH, SEGMENT_KEYS
from headway.demo.strain import Drivers
from headway.demo.tickets import DemoTickets

NPS_CAMPAIGNS, NPS_EVERY_DAYS, TUESDAY = 8, 91, 1
NPS_PERSONAS = (DECISION_MAKER, CHAMPION, ADMIN)
SEND_HOUR, SENT_AFTER_SOLVED_SECONDS = 14, 3_600
CSAT_DAYS, CES_DAYS = 365, 120
UNSUBSCRIBED = "unsubscribed from surveys"


@dataclass(frozen=True)
class DemoCampaign:
    """One campaign: the survey it asks (by key) and how it is sent."""

    survey: str
    name: str
    trigger: str
    audience: dict[str, Any]
    status: str
    created_at: np.datetime64
    started_at: np.datetime64
    send_at: np.datetime64 | None
    throttle_days: int
    reminder_after_days: int | None
    expires_after_days: int
    subject: str
    message: str


def _moment(day: int, hour: int) -> np.datetime64:
    return np.datetime64(day * 86_400 + hour * 3_600, "s")


def plan_campaigns(as_of_day: int) -> tuple[DemoCampaign, ...]:
    """The quarterly NPS campaigns of the last two years, then the two ticket campaigns."""
    last = as_of_day - 10
    last -= (last + 3 - TUESDAY) % 7  # the Tuesday on or before (1970-01-01 was a Thursday)
    campaigns = []
    for k in range(NPS_CAMPAIGNS - 1, -1, -1):
        day = last - k * NPS_EVERY_DAYS  # 13 weeks apart: just past the 90 days' throttle
        month = (date(1970, 1, 1) + timedelta(days=day)).strftime("%B %Y")
        campaigns.append(
            DemoCampaign(
                survey="nps",
                name=f"Quarterly NPS, {month}",
                trigger="scheduled",
                audience={"personas": [PERSONAS[p] for p in NPS_PERSONAS]},
                status="sent",
                created_at=_moment(day - 6, 10),
                started_at=_moment(day, SEND_HOUR),
                send_at=_moment(day, SEND_HOUR),
                throttle_days=90,
                reminder_after_days=4,
                expires_after_days=14,
                subject="How likely are you to recommend us?",
                message="One question, two minutes: it helps us serve your team better.",
            )
        )
    ticket_campaigns = (
        ("ces", "Effort after a solved ticket (high-touch pilot)", CES_DAYS, None, "Was it easy?"),
        ("csat", "Satisfaction after a solved ticket", CSAT_DAYS, 2, "How did we do?"),
    )
    for key, name, days, reminder, subject in ticket_campaigns:
        campaigns.append(
            DemoCampaign(
                survey=key,
                name=name,
                trigger="ticket_solved",
                audience={"segments": [SEGMENT_KEYS[HIGH_TOUCH]]} if key == "ces" else {},
                status="active",
                created_at=_moment(as_of_day - CSAT_DAYS - 1, 10),
                started_at=_moment(as_of_day - days, 9),
                send_at=None,
                throttle_days=14,
                reminder_after_days=reminder,
                expires_after_days=7,
                subject=subject,
                message="Your ticket was solved. Tell us how it went, in one click.",
            )
        )
    return tuple(campaigns)


@dataclass(frozen=True)
class Candidates:
    """Everyone a campaign selects, before throttling and opt-outs, in sending order."""

    campaign: np.ndarray  # index into the campaigns
    contact: np.ndarray  # index into DemoContacts
    ticket: np.ndarray  # index into DemoTickets; -1 = none
    moment: np.ndarray  # seconds since 1970

    def __len__(self) -> int:
        return len(self.campaign)


def select_candidates(
    campaigns: tuple[DemoCampaign, ...],
    drivers: Drivers,
    contacts: DemoContacts,
    tickets: DemoTickets,
    segment: np.ndarray,
) -> Candidates:
    """Whom each campaign selects, and when: a scheduled one the audience's contacts known
    and customers on its day, a ticket one each requester an hour after the ticket is solved."""
    cutoff = drivers.as_of_day * 86_400
    solved = tickets.solved_at.astype(np.int64)
    done = ~np.isnat(tickets.solved_at)
    parts = []
    for index, campaign in enumerate(campaigns):
        if campaign.send_at is not None:
            send = int(campaign.send_at.astype(np.int64))
            day = np.full(len(contacts), send // 86_400)
            personas = [PERSONAS.index(p) for p in campaign.audience["personas"]]
            who = np.flatnonzero(
                np.isin(contacts.persona, personas)
                & (contacts.created_at.astype(np.int64) <= send)
                & (drivers.period_of(contacts.account, day) >= 0)
            )
            ticket = np.full(len(who), -1)
            moments = np.full(len(who), send)
        else:
            sent = solved + SENT_AFTER_SOLVED_SECONDS
            allowed = [SEGMENT_KEYS.index(s) for s in campaign.audience.get("segments", [])]
            in_audience = np.isin(segment[tickets.account], allowed) if allowed else True
            started = int(campaign.started_at.astype(np.int64))
            ticket = np.flatnonzero(done & (solved >= started) & (sent < cutoff) & in_audience)
            moments, who = sent[ticket], tickets.contact[ticket]
        parts.append((np.full(len(who), index), who, ticket, moments))
    campaign_of, contact, ticket, moment = (np.concatenate(p) for p in zip(*parts, strict=True))
    # By time; at one moment the campaign made first asks first.
    order = np.lexsort((campaign_of, moment))
    return Candidates(campaign_of[order], contact[order], ticket[order], moment[order])


def throttle(
    candidates: Candidates,
    campaigns: tuple[DemoCampaign, ...],
    opts_out: np.ndarray,
    opt_out_after: np.ndarray,
    cutoff: int,
) -> tuple[np.ndarray, dict[int, int]]:
    """Why each candidate was left out (None: invited), and when contacts unsubscribed.

    `opts_out` marks the invitations whose contact unsubscribes `opt_out_after` seconds after
    receiving them; from then on the contact is left out.
    """
    days = np.array([c.throttle_days for c in campaigns])[candidates.campaign]
    reasons = np.full(len(candidates), None, dtype=object)
    last_asked: dict[int, int] = {}
    opted_out: dict[int, int] = {}
    for i, (contact, moment, wait) in enumerate(
        zip(candidates.contact.tolist(), candidates.moment.tolist(), days.tolist(), strict=True)
    ):
        asked = last_asked.get(contact)
        if opted_out.get(contact, cutoff) <= moment:
            reasons[i] = UNSUBSCRIBED
        elif asked is not None and moment - asked < wait * 86_400:
            on = datetime.fromtimestamp(asked, UTC).date()
            reasons[i] = f"asked on {on}, within {wait} days"
        else:
            last_asked[contact] = moment
            if opts_out[i] and moment + opt_out_after[i] < cutoff:
                opted_out[contact] = moment + int(opt_out_after[i])
    return reasons, opted_out
