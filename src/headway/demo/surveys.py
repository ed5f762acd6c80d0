"""Survey campaigns of the demo company and the answers its customers gave.

A quarterly relationship NPS goes to the decision makers, champions and admins of every
customer over the last two years; an always-on CSAT asks the requester of each ticket solved
in the last year, and a CES pilot asks high-touch requesters over the last four months instead.
Nobody is asked again within a campaign's throttle days of their last invitation (any
campaign), and a contact who unsubscribed is skipped from then on, as Headway's sending does.

About a third answer, engaged customers and champions more often, within a few days or after
the reminder. NPS scores follow the account's standing: engaged accounts that reached their
first outcome are promoters, and accounts slide towards detractors in the months before they
churn. CSAT and CES follow how the ticket was handled (tickets.py's experience). Some answers
carry a comment, detractors' more often.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from headway.demo.contacts import ADMIN, CHAMPION, DECISION_MAKER, PERSONAS, DemoContacts
from headway.demo.segments import HIGH_TOUCH, SEGMENT_KEYS
from headway.demo.strain import Drivers
from headway.demo.support_words import COMMENTS
from headway.demo.tickets import DemoTickets

NPS_CAMPAIGNS, NPS_EVERY_DAYS, TUESDAY = 8, 91, 1
NPS_PERSONAS = (DECISION_MAKER, CHAMPION, ADMIN)
SEND_HOUR, SENT_AFTER_SOLVED_SECONDS = 14, 3_600
CSAT_DAYS, CES_DAYS = 365, 120
UNSUBSCRIBED = "unsubscribed"
# Chance to answer: logistic(intercept + engagement × w + persona shift).
ANSWER_INTERCEPT = {"nps": -1.05, "csat": -0.5, "ces": -0.75}
ANSWER_ENGAGEMENT = 0.45
ANSWER_PERSONA = np.array([-0.15, 0.4, 0.0, 0.0])  # decision maker, champion, admin, end user
BEFORE_REMINDER_SHARE = 0.65  # of answers, those that come before any reminder
ANSWER_DELAY_DAYS, AFTER_REMINDER_DAYS = 0.6, 0.8  # exponential means
OPT_OUT_SHARE = 0.004  # of invitations left unanswered
# NPS sentiment = engagement × w + success × w + outcome ± … − churn approach × w + noise.
NPS_ENGAGEMENT, NPS_SUCCESS, NPS_OUTCOME, NPS_WAITING = 0.5, 0.4, 0.4, 0.35
NPS_BEFORE_CHURN = 1.9
NPS_CHURN_WINDOW_DAYS = (120, 300)
NPS_PERSONA = np.array([-0.1, 0.3, 0.0, 0.0])
NPS_ACCOUNT_SPREAD, NPS_NOISE = 0.35, 0.7
NPS_CENTER, NPS_SCALE = 7.7, 1.8
# Ticket answers: quality = experience × w + engagement × w + noise, cut into the scale.
TICKET_EXPERIENCE, TICKET_ENGAGEMENT, TICKET_NOISE = 0.8, 0.3, 0.5
CSAT_CUTS = np.array([-2.0, -1.4, -0.8, 0.0])  # below the first: 1 … above the last: 5
CES_CUTS = np.array([-2.0, -1.5, -1.0, -0.5, 0.2, 0.9])  # 1 … 7
# Per survey key: (positive from, negative up to) and the comment bank its answers draw on.
POLARITY = {"nps": ((9, 6), "relationship"), "csat": ((4, 2), "ticket"), "ces": ((5, 3), "ticket")}
COMMENT_SHARE = {"positive": 0.27, "neutral": 0.3, "negative": 0.5}


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


@dataclass(frozen=True)
class DemoInvitations:
    """Invitations, in the order they were made (arrays, one entry per invitation)."""

    campaign: np.ndarray  # index into DemoSurveys.campaigns
    account: np.ndarray
    contact: np.ndarray  # index into DemoContacts
    ticket: np.ndarray  # index into DemoTickets; -1 = none
    created_at: np.ndarray  # datetime64[s]
    sent_at: np.ndarray  # NaT = skipped (the contact unsubscribed)
    reminded_at: np.ndarray  # NaT = no reminder
    expires_at: np.ndarray  # NaT = skipped
    answered_at: np.ndarray  # NaT = no answer

    def __len__(self) -> int:
        return len(self.campaign)


@dataclass(frozen=True)
class DemoResponses:
    """Answers through the emailed links, by invitation."""

    invitation: np.ndarray
    score: np.ndarray
    comment: np.ndarray  # object (str), "" = none
    responded_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.invitation)


@dataclass(frozen=True)
class DemoOptOuts:
    """Contacts who unsubscribed from surveys."""

    contact: np.ndarray
    opted_out_at: np.ndarray  # datetime64[s]

    def __len__(self) -> int:
        return len(self.contact)


@dataclass(frozen=True)
class DemoSurveys:
    """Campaigns, invitations, answers and opt-outs of the demo company."""

    campaigns: tuple[DemoCampaign, ...]
    invitations: DemoInvitations
    responses: DemoResponses
    opt_outs: DemoOptOuts

    def survey_of_response(self) -> np.ndarray:
        """The survey key of each response."""
        keys = np.array([c.survey for c in self.campaigns], dtype=object)
        return keys[self.invitations.campaign[self.responses.invitation]]


def _moment(day: int, hour: int) -> np.datetime64:
    return np.datetime64(day * 86_400 + hour * 3_600, "s")


def plan_campaigns(as_of_day: int) -> tuple[DemoCampaign, ...]:
    """The quarterly NPS campaigns of the last two years, then the two ticket campaigns."""
    last = as_of_day - 10
    last -= (last + 3 - TUESDAY) % 7  # the Tuesday on or before
    campaigns = []
    for k in range(NPS_CAMPAIGNS - 1, -1, -1):
        day = last - k * NPS_EVERY_DAYS
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
    for key, name, days, audience in (
        ("csat", "Satisfaction after a solved ticket", CSAT_DAYS, {}),
        (
            "ces",
            "Effort after a solved ticket (high-touch pilot)",
            CES_DAYS,
            {"segments": [SEGMENT_KEYS[HIGH_TOUCH]]},
        ),
    ):
        campaigns.append(
            DemoCampaign(
                survey=key,
                name=name,
                trigger="ticket_solved",
                audience=audience,
                status="active",
                created_at=_moment(as_of_day - days - 1, 10),
                started_at=_moment(as_of_day - days, 9),
                send_at=None,
                throttle_days=14,
                reminder_after_days=2 if key == "csat" else None,
                expires_after_days=7,
                subject="How did we do?" if key == "csat" else "Was it easy?",
                message="Your ticket was solved. Tell us how it went, in one click.",
            )
        )
    return tuple(campaigns)


@dataclass(frozen=True)
class _Candidates:
    """Everyone a campaign would ask, before throttling and opt-outs, in sending order."""

    campaign: np.ndarray
    contact: np.ndarray
    ticket: np.ndarray  # -1 = none
    moment: np.ndarray  # seconds since 1970

    def take(self, keep: np.ndarray) -> _Candidates:
        return _Candidates(
            self.campaign[keep], self.contact[keep], self.ticket[keep], self.moment[keep]
        )


def _candidates(
    campaigns: tuple[DemoCampaign, ...],
    drivers: Drivers,
    contacts: DemoContacts,
    tickets: DemoTickets,
    segment: np.ndarray,
) -> _Candidates:
    cutoff = drivers.as_of_day * 86_400
    parts = []
    solved = tickets.solved_at.astype("datetime64[s]").astype(np.int64)
    done = ~np.isnat(tickets.solved_at)
    for index, campaign in enumerate(campaigns):
        if campaign.send_at is not None:
            moment = int(campaign.send_at.astype(np.int64))
            day = np.full(len(contacts), moment // 86_400)
            chosen = np.flatnonzero(
                np.isin(contacts.persona, NPS_PERSONAS)
                & (contacts.created_at.astype(np.int64) <= moment)
                & (drivers.period_of(contacts.account, day) >= 0)
            )
            ticket = np.full(len(chosen), -1)
            moments = np.full(len(chosen), moment)
            who = chosen
        else:
            moments_all = solved + SENT_AFTER_SOLVED_SECONDS
            started = int(campaign.started_at.astype(np.int64))
            allowed = [SEGMENT_KEYS.index(s) for s in campaign.audience.get("segments", [])]
            in_audience = np.isin(segment[tickets.account], allowed) if allowed else True
            ticket = np.flatnonzero(
                done & (solved >= started) & (moments_all < cutoff) & in_audience
            )
            moments = moments_all[ticket]
            who = tickets.contact[ticket]
        parts.append((np.full(len(who), index), who, ticket, moments))
    campaign_of, contact, ticket, moment = (np.concatenate(p) for p in zip(*parts, strict=True))
    # By time; at the same moment the later campaign (the pilot) asks first.
    order = np.lexsort((-campaign_of, moment))
    return _Candidates(campaign_of, contact, ticket, moment).take(order)


def _throttle(
    candidates: _Candidates,
    campaigns: tuple[DemoCampaign, ...],
    opts_out: np.ndarray,
    opt_out_delay: np.ndarray,
    cutoff: int,
) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    """Who is invited, who is skipped as unsubscribed, and when contacts unsubscribed."""
    throttle = np.array([c.throttle_days * 86_400 for c in campaigns])[candidates.campaign]
    invited = np.zeros(len(candidates.campaign), dtype=bool)
    skipped = np.zeros(len(candidates.campaign), dtype=bool)
    last_asked: dict[int, int] = {}
    opted_out: dict[int, int] = {}
    for i, (contact, moment, wait) in enumerate(
        zip(candidates.contact.tolist(), candidates.moment.tolist(), throttle.tolist(), strict=True)
    ):
        if opted_out.get(contact, cutoff) <= moment:
            skipped[i] = True
            continue
        if moment - last_asked.get(contact, -(10**12)) < wait:
            continue
        invited[i] = True
        last_asked[contact] = moment
        if opts_out[i] and moment + opt_out_delay[i] < cutoff:
            opted_out[contact] = moment + int(opt_out_delay[i])
    return invited, skipped, opted_out


def _logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def draw_surveys(
    rng: np.random.Generator,
    *,
    drivers: Drivers,
    contacts: DemoContacts,
    tickets: DemoTickets,
    segment: np.ndarray,
) -> DemoSurveys:
    """Draw the campaigns, who they asked, who answered what, and who unsubscribed."""
    campaigns = plan_campaigns(drivers.as_of_day)
    cutoff = drivers.as_of_day * 86_400
    mood = rng.normal(0, NPS_ACCOUNT_SPREAD, len(segment))
    window = rng.integers(*NPS_CHURN_WINDOW_DAYS, len(drivers.period_account), endpoint=True)
    found = _candidates(campaigns, drivers, contacts, tickets, segment)
    n = len(found.campaign)
    # Everything is drawn for every candidate first, so the draws never depend on throttling.
    account, persona = contacts.account[found.contact], contacts.persona[found.contact]
    intercept = np.array([ANSWER_INTERCEPT[c.survey] for c in campaigns])[found.campaign]
    chance = _logistic(
        intercept + ANSWER_ENGAGEMENT * drivers.engagement_z[account] + ANSWER_PERSONA[persona]
    )
    answers = rng.random(n) < chance
    opts_out = ~answers & (rng.random(n) < OPT_OUT_SHARE)
    opt_out_delay = rng.uniform(0.2, 5.0, n) * 86_400
    before_reminder = rng.random(n) < BEFORE_REMINDER_SHARE
    first_delay = rng.exponential(ANSWER_DELAY_DAYS, n)
    late_delay = rng.exponential(AFTER_REMINDER_DAYS, n)
    score = _scores(rng, found, campaigns, drivers, tickets, account, persona, mood, window)
    comment_draw, phrase_draw = rng.random(n), rng.integers(0, 1_000, n)

    invited, skipped, opted_out = _throttle(found, campaigns, opts_out, opt_out_delay, cutoff)
    remind = np.array(
        [np.nan if c.reminder_after_days is None else c.reminder_after_days for c in campaigns]
    )[found.campaign]
    expires = np.array([c.expires_after_days for c in campaigns])[found.campaign]
    no_reminder = np.isnan(remind)
    delay = np.where(
        no_reminder,
        np.minimum(first_delay, expires - 0.05),
        np.where(
            before_reminder,
            np.minimum(first_delay, remind - 0.05),
            remind + np.minimum(late_delay, expires - remind - 0.05),
        ),
    )
    responded = found.moment + np.round(delay * 86_400).astype(np.int64)
    answered = invited & answers & (responded < cutoff)
    reminder_at = found.moment + np.round(np.nan_to_num(remind) * 86_400).astype(np.int64)
    reminded = invited & ~no_reminder & (reminder_at < cutoff) & ~(answered & (delay < remind))

    rows = np.flatnonzero(invited | skipped)
    never = np.datetime64("NaT")
    seconds = found.moment.astype("datetime64[s]")
    invitations = DemoInvitations(
        campaign=found.campaign[rows],
        account=account[rows],
        contact=found.contact[rows],
        ticket=found.ticket[rows],
        created_at=seconds[rows],
        sent_at=np.where(invited, seconds, never)[rows],
        reminded_at=np.where(reminded, reminder_at.astype("datetime64[s]"), never)[rows],
        expires_at=np.where(invited, seconds + expires * 86_400, never)[rows].astype(
            "datetime64[s]"
        ),
        answered_at=np.where(answered, responded.astype("datetime64[s]"), never)[rows],
    )
    position = np.full(n, -1)
    position[rows] = np.arange(len(rows))
    chosen = np.flatnonzero(answered)
    keys = np.array([c.survey for c in campaigns], dtype=object)[found.campaign[chosen]]
    responses = DemoResponses(
        invitation=position[chosen],
        score=score[chosen],
        comment=_comments(keys, score[chosen], comment_draw[chosen], phrase_draw[chosen]),
        responded_at=responded[chosen].astype("datetime64[s]"),
    )
    out = sorted(opted_out.items(), key=lambda item: (item[1], item[0]))
    return DemoSurveys(
        campaigns=campaigns,
        invitations=invitations,
        responses=responses,
        opt_outs=DemoOptOuts(
            contact=np.array([c for c, _ in out], dtype=np.int64),
            opted_out_at=np.array([m for _, m in out], dtype=np.int64).astype("datetime64[s]"),
        ),
    )


def _scores(
    rng: np.random.Generator,
    found: _Candidates,
    campaigns: tuple[DemoCampaign, ...],
    drivers: Drivers,
    tickets: DemoTickets,
    account: np.ndarray,
    persona: np.ndarray,
    mood: np.ndarray,
    window: np.ndarray,
) -> np.ndarray:
    """The score each candidate gives if it answers, on its survey's scale."""
    n = len(found.campaign)
    survey = np.array([c.survey for c in campaigns], dtype=object)[found.campaign]
    day = found.moment // 86_400
    period = np.maximum(drivers.period_of(account, day), 0)
    waiting = drivers.waiting_for_value(account, day) & (drivers.tenure(period, day) > 60)
    sentiment = (
        NPS_ENGAGEMENT * drivers.engagement_z[account]
        + NPS_SUCCESS * drivers.success_z[account]
        + NPS_OUTCOME * drivers.outcome_standing(account, day)
        - NPS_WAITING * waiting
        - NPS_BEFORE_CHURN * drivers.churn_approach(period, day, window[period])
        + NPS_PERSONA[persona]
        + mood[account]
        + NPS_NOISE * rng.standard_normal(n)
    )
    nps = np.clip(np.round(NPS_CENTER + NPS_SCALE * sentiment), 0, 10).astype(np.int64)
    experience = np.where(found.ticket >= 0, tickets.experience[np.maximum(found.ticket, 0)], 0.0)
    quality = (
        TICKET_EXPERIENCE * experience
        + TICKET_ENGAGEMENT * drivers.engagement_z[account]
        + TICKET_NOISE * rng.standard_normal(n)
    )
    csat = 1 + np.searchsorted(CSAT_CUTS, quality)
    ces = 1 + np.searchsorted(CES_CUTS, quality)
    return np.select([survey == "nps", survey == "csat"], [nps, csat], ces).astype(np.int64)


def _comments(
    survey: np.ndarray, score: np.ndarray, draw: np.ndarray, phrase: np.ndarray
) -> np.ndarray:
    """A comment from the bank of the answer's polarity on some answers; "" on the others."""
    comments = np.full(len(score), "", dtype=object)
    for i, (key, value, chance, pick) in enumerate(
        zip(survey.tolist(), score.tolist(), draw.tolist(), phrase.tolist(), strict=True)
    ):
        (positive, negative), bank = POLARITY[key]
        polarity = (
            "positive" if value >= positive else "negative" if value <= negative else "neutral"
        )
        if chance < COMMENT_SHARE[polarity]:
            phrases = COMMENTS[bank][polarity]
            comments[i] = phrases[pick % len(phrases)]
    return comments
