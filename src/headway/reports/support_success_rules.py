"""Support load (reactive) beside CS work (proactive): plain functions over per-account facts.

For one period (and the previous period of equal length):
- support load: tickets created in the period and in the previous one; the median resolution
  time of tickets solved in the period; CSAT, the share of positive answers, each answer read
  on its own scale (ticket ratings 1–5 or good/bad, CSAT survey answers) by the survey
  scoring rules; effort, the mean CES answer and the share agreeing;
- CS work: activities logged (count, minutes), proactive touches (activities of every type but
  the reactive ones, escalations), accounts with a proactive touch, goals with new evidence,
  and required touches met now ÷ required touches that apply now (coverage).

An account **needs attention** when it had no proactive touch in the period and either
- **high effort**: its mean CES answer in the period is below HIGH_EFFORT_MEAN_BELOW (on the
  1–7 CES 2.0 scale: the customer did not agree it was easy), on at least one answer; or
- **rising ticket load**: at least RISING_MIN_TICKETS tickets in the period and at least
  RISING_FACTOR times as many as in the previous period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from headway.support.metrics import percentile, satisfaction_score
from headway.surveys.scoring import CES_2_0, Scale, Tally, pooled, tally

HIGH_EFFORT_MEAN_BELOW = 5.0
RISING_MIN_TICKETS = 3
RISING_FACTOR = 1.5
# Activity types that answer a problem rather than prevent one: not proactive touches.
REACTIVE_ACTIVITY_TYPES = frozenset({"escalation"})

HIGH_EFFORT = "high_effort"
RISING_TICKETS = "rising_tickets"

# How helpdesk satisfaction ratings read: the 1–5 and good/bad scales of the CSAT surveys.
TICKET_SCALES = {
    "1-5": Scale(minimum=1, maximum=5, positive_min=4, negative_max=2),
    "good_bad": Scale(minimum=0, maximum=1, positive_min=1, negative_max=0),
}

Answer = tuple[Scale, int]


def ticket_answer(value: str | None, scale: str | None) -> Answer | None:
    """A ticket's satisfaction rating as a score on its scale (`support.metrics` reads it);
    None when unanswered or unreadable."""
    found = satisfaction_score(value, scale)
    return None if found is None else (TICKET_SCALES[found[0]], found[1])


@dataclass(frozen=True)
class AccountFacts:
    """What the report knows of one account for a period."""

    account_id: int
    segment: str | None = None  # the account's segment key
    owner_id: int | None = None
    tickets: int = 0
    tickets_previous: int = 0
    resolution_minutes: tuple[float, ...] = ()  # of tickets solved in the period
    satisfaction: tuple[Answer, ...] = ()  # ticket ratings and CSAT survey answers
    effort: tuple[int, ...] = ()  # CES answers
    activities: int = 0
    activity_minutes: int = 0
    proactive_touches: int = 0
    last_proactive_touch: date | None = None  # up to the period's end, whenever
    goals_progressed: int = 0
    touches_required: int = 0
    touches_met: int = 0


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class SupportLoad:
    """The reactive side of a group of accounts."""

    tickets: int
    tickets_previous: int
    solved: int
    resolution_median_minutes: float | None
    csat: Tally
    effort: Tally

    @property
    def ticket_trend(self) -> float | None:
        """Tickets ÷ tickets of the previous period; None when there were none then."""
        return _ratio(self.tickets, self.tickets_previous)


@dataclass(frozen=True)
class CsWork:
    """The proactive side of a group of accounts."""

    accounts: int
    accounts_touched: int
    activities: int
    activity_minutes: int
    proactive_touches: int
    goals_progressed: int
    touches_required: int
    touches_met: int

    @property
    def coverage(self) -> float | None:
        """Required touches met ÷ required touches; None when none applies."""
        return _ratio(self.touches_met, self.touches_required)


def combined_tally(answers: Iterable[Answer]) -> Tally:
    """Answers on several scales, each tallied on its own, added up (the mean is left out)."""
    by_scale: dict[Scale, list[int]] = defaultdict(list)
    for scale, score in answers:
        by_scale[scale].append(score)
    return pooled(tally(scores, scale) for scale, scores in by_scale.items())


def support_load(facts: Sequence[AccountFacts], effort_scale: Scale = CES_2_0) -> SupportLoad:
    """The reactive side of a group: resolution and answers are pooled, not averaged."""
    minutes = [m for f in facts for m in f.resolution_minutes]
    return SupportLoad(
        tickets=sum(f.tickets for f in facts),
        tickets_previous=sum(f.tickets_previous for f in facts),
        solved=len(minutes),
        resolution_median_minutes=percentile(minutes, 0.5),
        csat=combined_tally(a for f in facts for a in f.satisfaction),
        effort=tally([s for f in facts for s in f.effort], effort_scale),
    )


def cs_work(facts: Sequence[AccountFacts]) -> CsWork:
    """The proactive side of a group."""
    return CsWork(
        accounts=len(facts),
        accounts_touched=sum(1 for f in facts if f.proactive_touches),
        activities=sum(f.activities for f in facts),
        activity_minutes=sum(f.activity_minutes for f in facts),
        proactive_touches=sum(f.proactive_touches for f in facts),
        goals_progressed=sum(f.goals_progressed for f in facts),
        touches_required=sum(f.touches_required for f in facts),
        touches_met=sum(f.touches_met for f in facts),
    )


def is_high_effort(effort: Tally) -> bool:
    """At least one CES answer, and their mean below the agreeing threshold."""
    return effort.mean is not None and effort.mean < HIGH_EFFORT_MEAN_BELOW


def is_rising(tickets: int, tickets_previous: int) -> bool:
    """Enough tickets, and RISING_FACTOR times the previous period's or more."""
    return tickets >= RISING_MIN_TICKETS and tickets >= RISING_FACTOR * tickets_previous


def attention_reasons(facts: AccountFacts, effort_scale: Scale = CES_2_0) -> tuple[str, ...]:
    """Why an account needs a proactive touch; empty when it does not (or had one)."""
    if facts.proactive_touches:
        return ()
    reasons = []
    if is_high_effort(tally(facts.effort, effort_scale)):
        reasons.append(HIGH_EFFORT)
    if is_rising(facts.tickets, facts.tickets_previous):
        reasons.append(RISING_TICKETS)
    return tuple(reasons)


def explain(facts: AccountFacts, reasons: Sequence[str], effort_scale: Scale = CES_2_0) -> str:
    """The reasons in words, with the figures behind them."""
    said = []
    if HIGH_EFFORT in reasons:
        effort = tally(facts.effort, effort_scale)
        answers = "1 answer" if effort.responses == 1 else f"{effort.responses} answers"
        mean = f"{effort.mean:.1f}"
        if float(mean) >= HIGH_EFFORT_MEAN_BELOW:  # 4.96 must not read "5.0 (below 5)"
            mean = f"{effort.mean:.2f}"
        said.append(
            f"effort {mean} of {effort_scale.maximum} on {answers} "
            f"(below {HIGH_EFFORT_MEAN_BELOW:g})"
        )
    if RISING_TICKETS in reasons:
        said.append(f"{facts.tickets} tickets, up from {facts.tickets_previous}")
    if said:
        said.append("no proactive touch in the period")
    return "; ".join(said)
