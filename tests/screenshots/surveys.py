"""The survey overview and an account's voice card (docs/surveys.png)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.contacts.models import Contact
from headway.core import clock
from headway.surveys.models import Survey, SurveyCampaign, SurveyInvitation, SurveyResponse
from tests.e2e.seed import seed_portfolio
from tests.screenshots.camera import Area, Shot, Values, around, create_people, top_down_to

ACCOUNTS = 40
MONTHS = 12
MOODS = [("delighted", 0.3), ("content", 0.35), ("lukewarm", 0.2), ("unhappy", 0.15)]
# Scores each mood gives, from its least to its most likely on a 0–10 scale (mapped per survey).
LEANING = {"delighted": 0.88, "content": 0.72, "lukewarm": 0.55, "unhappy": 0.32}
SAYINGS = {
    "positive": [
        "The weekly report saves our finance team a full day.",
        "Onboarding was quick and our CSM knew our goals from day one.",
        "Support answered within the hour and fixed it for good.",
        "Exactly what we needed to stop chasing spreadsheets.",
        "The new dashboards made our board meeting easy.",
    ],
    "neutral": [
        "Does the job; the export could be faster.",
        "Fine overall, but we still miss a Salesforce sync.",
        "Good product, pricing is hard to justify for small teams.",
    ],
    "negative": [
        "Three tickets about the same sync error in a month.",
        "Pages take ages to load on Monday mornings.",
        "We never heard from anyone after the kickoff.",
        "Too hard to find where to change permissions.",
    ],
}


def _score(survey: Survey, mood: str, rng: random.Random) -> int:
    """A score on the survey's scale around its mood's leaning."""
    share = min(1.0, max(0.0, rng.gauss(LEANING[mood], 0.17)))
    return round(survey.scale_min + share * (survey.scale_max - survey.scale_min))


def _polarity(survey: Survey, score: int) -> str:
    if score >= survey.positive_min:
        return "positive"
    if survey.negative_max is not None and score <= survey.negative_max:
        return "negative"
    return "neutral"


def add_voices(session: Session, accounts: list[Account], today: date, seed: int = 5) -> None:
    """A year of monthly invitations per account, answered more often by the happier."""
    rng = random.Random(seed)
    ids = count(1)
    surveys = {s.key: s for s in session.scalars(select(Survey))}
    started = datetime.combine(today - timedelta(days=31 * MONTHS), time(9), tzinfo=UTC)
    campaigns = {}
    for key in ("nps", "csat", "csat_good_bad", "ces"):
        campaign = SurveyCampaign(
            survey_id=surveys[key].id,
            name=f"{surveys[key].name}, monthly",
            status="active",
            created_at=started,
            started_at=started,
        )
        session.add(campaign)
        campaigns[key] = campaign
    session.flush()
    for account in accounts:
        mood = rng.choices([m for m, _ in MOODS], weights=[w for _, w in MOODS])[0]
        contacts = list(session.scalars(select(Contact).where(Contact.account_id == account.id)))
        if not contacts:
            continue
        for back in range(MONTHS * 30, 0, -rng.randint(20, 40)):
            day = today - timedelta(days=back)
            key = rng.choices(["nps", "csat", "csat_good_bad", "ces"], weights=[4, 3, 1, 2])[0]
            contact = rng.choice(contacts)
            sent_at = datetime.combine(day, time(rng.randint(8, 17)), tzinfo=UTC)
            answered = rng.random() < {"unhappy": 0.3}.get(mood, 0.5)
            answered_at = sent_at + timedelta(hours=rng.randint(1, 72))
            if answered_at.date() > today:
                answered = False
            invitation = SurveyInvitation(
                key=f"{campaigns[key].id}:{contact.id}:{next(ids)}",
                campaign_id=campaigns[key].id,
                account_id=account.id,
                contact_id=contact.id,
                email=contact.email,
                created_at=sent_at,
                sent_at=sent_at,
                expires_at=sent_at + timedelta(days=14),
                answered_at=answered_at if answered else None,
            )
            session.add(invitation)
            if not answered:
                continue
            session.flush()
            survey = surveys[key]
            score = _score(survey, mood, rng)
            comment = ""
            if rng.random() < 0.35:
                comment = rng.choice(SAYINGS[_polarity(survey, score)])
            session.add(
                SurveyResponse(
                    external_id=f"screens-{invitation.id}",
                    survey_id=survey.id,
                    campaign_id=campaigns[key].id,
                    invitation_id=invitation.id,
                    account_id=account.id,
                    contact_id=contact.id,
                    contact_email=contact.email,
                    score=score,
                    comment=comment,
                    responded_at=answered_at,
                    source="link",
                    created_at=answered_at,
                    updated_at=answered_at,
                )
            )
    session.commit()


def seed(session: Session) -> Values:
    """The portfolio; each customer a mood and a year of NPS, CSAT and CES answers that suit it."""
    people = create_people(session, "dave", "bob", "erin")
    today = clock.today()
    seeded = seed_portfolio(
        session, owners=[people["bob"], people["erin"]], today=today, accounts=ACCOUNTS
    )
    add_voices(session, seeded.accounts, today)
    return {"showcase": seeded.showcase.id}


AREA = Area(
    key="surveys",
    summary="survey overview and an account's voice card (docs/surveys.png)",
    seed=seed,
    shots=(
        Shot("overview", "/surveys"),
        Shot(
            "overview-top",
            "/surveys",
            viewports=("laptop",),
            # The figures and a taste of the words: down to the fifth comment.
            region=top_down_to("#survey-comments li.comment >> nth=4"),
            doc="surveys.png",
        ),
        Shot("account", "/accounts/{showcase}"),
        Shot("voice-card", "/accounts/{showcase}", region=around("#account-voice")),
    ),
)
