"""A survey campaign's page, the new-campaign form, and the answer page on a phone, reached from
the email the campaign sent (docs/survey-campaign.png, docs/survey-answer.png)."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from playwright.sync_api import Page
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.config import Settings
from headway.contacts.models import Contact
from headway.core import clock
from headway.core.audit import Actor
from headway.surveys.campaigns import create_campaign, schedule_campaign, send_due
from headway.surveys.models import SurveyCampaign, SurveyInvitation
from headway.surveys.service import opt_out, record_response
from tests.e2e.seed import seed_portfolio
from tests.mailbox import Mailbox, text_of
from tests.screenshots.camera import SECRET, SETUP, Area, Shot, Values, create_people, top

MAIL_FROM = "Beacon Software <success@beacon.example>"
SENT_DAYS_AGO = 8
# The one-click answer links of an invitation's text: "  7: https://…/s/<token>?score=7".
LINK = re.compile(r"^[ \t]*\d+(?: \([^)]*\))?: (http\S+)", re.MULTILINE)


def _send_and_answer(session: Session, mailbox: Mailbox) -> SurveyCampaign:
    """An NPS campaign sent a week ago to the bigger customers, partly answered and reminded."""
    dave = create_people(session, "dave")["dave"]
    seed_portfolio(session, owners=[dave], today=clock.today(), accounts=30)
    sent = clock.now() - timedelta(days=SENT_DAYS_AGO)
    with time_machine.travel(sent - timedelta(days=2), tick=False):  # made before it went out
        campaign = create_campaign(
            session=session,
            actor=Actor(kind="user", label=dave.email, user_id=dave.id),
            survey_key="nps",
            name="Spring NPS — decision makers and champions",
            audience={"segments": ["high-touch", "mid-touch"]},
            subject="One question about your year with us",
            message="We are planning next year's roadmap and your view shapes it.",
        )
        schedule_campaign(session=session, actor=SETUP, campaign_id=campaign.id, send_at=sent)
    settings = Settings(
        database_url=session.get_bind().engine.url.render_as_string(hide_password=False),
        secret_key=SECRET,
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from=MAIL_FROM,
    )
    # One contact unsubscribed before, one address the mail server refuses.
    addresses = sorted(session.scalars(select(Contact.email)))
    opt_out(session=session, email=addresses[3], source="link")
    mailbox.refuse.add(addresses[7].lower())
    session.commit()
    send_due(session=session, settings=settings, now=sent)
    rng = random.Random(5)
    for invitation in session.scalars(
        select(SurveyInvitation).where(
            SurveyInvitation.campaign_id == campaign.id, SurveyInvitation.sent_at.is_not(None)
        )
    ):
        if rng.random() < 0.55:
            answered = sent + timedelta(hours=rng.randint(2, 24 * (SENT_DAYS_AGO - 1)))
            record_response(
                session=session,
                survey=campaign.survey,
                account_id=invitation.account_id,
                score=rng.choices(range(11), weights=[1, 1, 1, 2, 2, 3, 4, 8, 10, 12, 9])[0],
                responded_at=answered,
                source="link",
                contact_id=invitation.contact_id,
                contact_email=invitation.email,
                campaign_id=campaign.id,
                invitation_id=invitation.id,
            )
            invitation.answered_at = answered
    session.commit()
    send_due(session=session, settings=settings, now=sent + timedelta(days=3))
    return campaign


def _question_path(session: Session, mailbox: Mailbox, campaign: SurveyCampaign) -> str:
    """The question page of an unanswered invitation, as its email links to it."""
    unanswered = session.scalars(
        select(SurveyInvitation.email)
        .where(
            SurveyInvitation.campaign_id == campaign.id,
            SurveyInvitation.sent_at.is_not(None),
            SurveyInvitation.answered_at.is_(None),
        )
        .order_by(SurveyInvitation.id)
    ).first()
    if unanswered is None:
        raise RuntimeError("every invitation of the campaign was answered: no link left to open")
    received = mailbox.to(unanswered)
    if not received:
        raise RuntimeError(f"no email reached {unanswered}")
    links = LINK.findall(text_of(received[0]))
    if not links:
        raise RuntimeError(f"the email to {unanswered} has no answer link")
    return urlsplit(links[0]).path


def seed(session: Session) -> Values:
    """The portfolio and its campaign, sent through a local SMTP server; a link from an email."""
    mailbox = Mailbox()
    mailbox.start()
    try:
        campaign = _send_and_answer(session, mailbox)
        question = _question_path(session, mailbox, campaign)
    finally:
        mailbox.stop()
    return {"campaign": campaign.id, "question": question}


def answer_seven(page: Page) -> None:
    """One click on 7, as on the email."""
    page.get_by_role("link", name="7", exact=True).click()
    page.get_by_role("heading", level=1, name="Thank you for your answer").wait_for()


AREA = Area(
    key="campaigns",
    summary="a survey campaign, the new-campaign form, the answer page on a phone "
    "(docs/survey-campaign.png, docs/survey-answer.png)",
    seed=seed,
    # The answer page names the company as the email did.
    environment={"HEADWAY_MAIL_FROM": MAIL_FROM},
    shots=(
        Shot("campaign", "/surveys/campaigns/{campaign}", viewports=("laptop",)),
        # The counts, the email, the settings and the first recipients.
        Shot(
            "campaign-top",
            "/surveys/campaigns/{campaign}",
            viewports=("laptop",),
            region=top(1280),
            doc="survey-campaign.png",
        ),
        Shot("new", "/surveys/campaigns/new", viewports=("laptop",)),
        Shot(
            "answer", "{question}", viewports=("phone",), then=answer_seven, doc="survey-answer.png"
        ),
    ),
)
