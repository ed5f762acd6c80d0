"""The people and campaigns the campaign tests share: Acme, Globex and Initech and their
contacts, a frozen clock, settings pointing at the test mail server, small helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import select

from headway.config import Settings
from headway.core.audit import Actor
from headway.surveys.campaigns import create_campaign, schedule_campaign
from headway.surveys.models import SurveyInvitation
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import make_account, make_contact
from tests.mailbox import Mailbox

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ADMIN = Actor.system("test")
LINK = re.compile(r"^ +(\d+)(?: \(([^)]*)\))?: (\S+)\r?$", re.MULTILINE)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def settings(database_url, mailbox):
    return Settings(
        database_url=database_url,
        secret_key=TEST_SECRET_KEY,
        public_url="https://cs.example.com/",
        smtp_host="127.0.0.1",
        smtp_port=mailbox.port,
        mail_from="Acme Cloud <success@acmecloud.example>",
    )


def contact(session, account, email, name="", persona=None):
    person = make_contact(session, account, email, name)
    person.persona = persona
    session.commit()
    return person


@pytest.fixture
def people(session, clock):
    """Ana and Ben at Acme (high-touch, adoption), Gus at Globex (mid-touch, onboarding),
    Ivy at Initech (high-touch, churned)."""
    acme = make_account(session, "acme", "Acme", segment="high-touch", stage="adoption")
    globex = make_account(session, "globex", "Globex", segment="mid-touch", stage="onboarding")
    initech = make_account(session, "initech", "Initech", segment="high-touch", stage="churned")
    return {
        "acme": acme,
        "globex": globex,
        "initech": initech,
        "ana": contact(session, acme, "ana@acme.example", "Ana Lima", "champion"),
        "ben": contact(session, acme, "ben@acme.example", "Ben Ode", "end_user"),
        "gus": contact(session, globex, "gus@globex.example", "Gus Grant", "decision_maker"),
        "ivy": contact(session, initech, "ivy@initech.example", "Ivy Moss", "champion"),
    }


def scheduled(session, audience=None, survey="nps", **options):
    campaign = create_campaign(
        session=session,
        actor=ADMIN,
        survey_key=survey,
        name=options.pop("name", "Spring NPS"),
        audience=audience,
        **options,
    )
    return schedule_campaign(session=session, actor=ADMIN, campaign_id=campaign.id)


def invitations(session, campaign):
    query = select(SurveyInvitation).where(SurveyInvitation.campaign_id == campaign.id)
    return {inv.email: inv for inv in session.scalars(query.order_by(SurveyInvitation.email))}


def recipients(mailbox: Mailbox) -> list[str]:
    return sorted(str(m["To"]).split("<")[-1].rstrip(">") for m in mailbox.messages)
