"""Who answered the demo company's surveys, with what score and comment, and who unsubscribed.

About a third of those asked answer, engaged customers and champions more often, within a
day or so or after the reminder. NPS scores follow the account's standing: engaged accounts
that reached their first outcome are promoters, and accounts slide towards detractors in the
months before they churn. CSAT and CES follow how the ticket was handled (tickets.py's
experience). Some answers carry a comment, detractors' more often. A few of those who leave
an invitation unanswered unsubscribe. Campaigns and whom they ask: survey_campaigns.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from headway.demo.contacts import DemoContacts
from headway.demo.strain import Drivers
from headway.demo.support_words import COMMENTS
from headway.demo.survey_campaigns import (
    Candidates,
    DemoCampaign,
    plan_campaigns,
    select_candidates,
    throttle,
)
from headway.demo.tickets import DemoTickets

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
class DemoInvitations:
    """Invitations, in the order they were made (arrays, one entry per invitation)."""

    campaign: np.ndarray  # index into DemoSurveys.campaigns
    account: np.ndarray
    contact: np.ndarray  # index into DemoContacts
    ticket: np.ndarray  # index into DemoTickets; -1 = none
    created_at: np.ndarray  # datetime64[s]
    sent_at: np.ndarray  # NaT = left out
    reminded_at: np.ndarray  # NaT = no reminder
    expires_at: np.ndarray  # NaT = left out
    answered_at: np.ndarray  # NaT = no answer
    skipped_reason: np.ndarray  # object (str): why the contact was left out; None = sent

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

    @property
    def external_id(self) -> np.ndarray:
        """demo:R1, demo:R2 … in the order the invitations were made."""
        return np.array([f"demo:R{i + 1}" for i in range(len(self))], dtype=object)


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
    """Draw the campaigns, whom they asked, who answered what, and who unsubscribed."""
    campaigns = plan_campaigns(drivers.as_of_day)
    cutoff = drivers.as_of_day * 86_400
    mood = rng.normal(0, NPS_ACCOUNT_SPREAD, len(segment))
    window = rng.integers(*NPS_CHURN_WINDOW_DAYS, len(drivers.period_account), endpoint=True)
    found = select_candidates(campaigns, drivers, contacts, tickets, segment)
    n = len(found)
    # Everything is drawn for every candidate first, so no draw depends on who was left out.
    account, persona = contacts.account[found.contact], contacts.persona[found.contact]
    intercept = np.array([ANSWER_INTERCEPT[c.survey] for c in campaigns])[found.campaign]
    chance = _logistic(
        intercept + ANSWER_ENGAGEMENT * drivers.engagement_z[account] + ANSWER_PERSONA[persona]
    )
    answers = rng.random(n) < chance
    opts_out = ~answers & (rng.random(n) < OPT_OUT_SHARE)
    opt_out_after = rng.uniform(0.2, 5.0, n) * 86_400
    before_reminder = rng.random(n) < BEFORE_REMINDER_SHARE
    first_delay = rng.exponential(ANSWER_DELAY_DAYS, n)
    late_delay = rng.exponential(AFTER_REMINDER_DAYS, n)
    score = _scores(rng, found, campaigns, drivers, tickets, account, persona, mood, window)
    comment_draw, phrase_draw = rng.random(n), rng.integers(0, 1_000, n)

    reasons, opted_out = throttle(found, campaigns, opts_out, opt_out_after, cutoff)
    invited = np.array([reason is None for reason in reasons.tolist()], dtype=bool)
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
    # Reminded: sent, a reminder due before as_of, and no answer by then.
    reminded = invited & ~no_reminder & (reminder_at < cutoff) & ~(answered & (delay < remind))

    never = np.datetime64("NaT", "s")
    moment = found.moment.astype("datetime64[s]")
    invitations = DemoInvitations(
        campaign=found.campaign,
        account=account,
        contact=found.contact,
        ticket=found.ticket,
        created_at=moment,
        sent_at=np.where(invited, moment, never),
        reminded_at=np.where(reminded, reminder_at.astype("datetime64[s]"), never),
        expires_at=np.where(invited, moment + (expires * 86_400).astype("timedelta64[s]"), never),
        answered_at=np.where(answered, responded.astype("datetime64[s]"), never),
        skipped_reason=reasons,
    )
    chosen = np.flatnonzero(answered)
    keys = np.array([c.survey for c in campaigns], dtype=object)[found.campaign[chosen]]
    responses = DemoResponses(
        invitation=chosen,
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
    found: Candidates,
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
