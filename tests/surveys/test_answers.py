"""Answers through the emailed link: once, before the invitation expires, on the scale; comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from headway.accounts.models import Account
from headway.config import Settings
from headway.contacts.models import Contact
from headway.core.errors import InvalidInput
from headway.support.models import Ticket
from headway.surveys.answers import (
    AlreadyAnswered,
    AlreadyCommented,
    InvitationExpired,
    add_comment,
    answer_invitation,
    open_invitation,
    unsubscribe,
)
from headway.surveys.models import (
    SurveyCampaign,
    SurveyInvitation,
    SurveyOptOut,
    SurveyResponse,
)
from headway.surveys.service import get_survey, opted_out
from tests.helpers import make_account, make_contact

SENT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
NOW = datetime(2025, 3, 5, 14, 30, tzinfo=UTC)
BEACON = Settings(mail_from="Beacon <success@beacon.example>")


def invite(
    session: Session,
    account: Account,
    contact: Contact | None,
    survey: str = "nps",
    *,
    email: str | None = None,
    sent_at: datetime = SENT,
    expires_after: timedelta | None = timedelta(days=14),
    ticket: Ticket | None = None,
) -> SurveyInvitation:
    """An invitation of a one-contact campaign, sent at `sent_at`, as sending leaves it."""
    campaign = SurveyCampaign(
        survey_id=get_survey(session=session, key=survey).id,
        name=f"{survey} for {account.name}",
        audience={"account_ids": [account.id]},
        status="sent",
        send_at=sent_at,
        created_at=sent_at,
        started_at=sent_at,
    )
    session.add(campaign)
    session.flush()
    address = email or (contact.email if contact else None) or "nobody@example.com"
    invitation = SurveyInvitation(
        key=f"{campaign.id}:{contact.id if contact else address}",
        campaign_id=campaign.id,
        account_id=account.id,
        contact_id=contact.id if contact else None,
        email=address,
        ticket_id=ticket.id if ticket else None,
        created_at=sent_at,
        sent_at=sent_at,
        expires_at=sent_at + expires_after if expires_after else None,
    )
    session.add(invitation)
    session.commit()
    return invitation


@pytest.fixture
def acme(session):
    return make_account(session, "crm-acme", "Acme Analytics")


@pytest.fixture
def ana(session, acme):
    return make_contact(session, acme, "ana@acme.example", "Ana Silva")


def responses(session: Session) -> list[SurveyResponse]:
    session.expire_all()
    return list(session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))


def test_an_answer_through_a_link_is_recorded_with_who_gave_it_and_what_it_answers(
    session, acme, ana
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        response = answer_invitation(session=session, invitation_id=invitation.id, score=9)
    [stored] = responses(session)
    assert stored.id == response.id
    assert (stored.score, stored.comment, stored.source) == (9, "", "link")
    assert stored.external_id == f"invitation:{invitation.id}"
    assert stored.survey.key == "nps"
    assert (stored.campaign_id, stored.invitation_id) == (invitation.campaign_id, invitation.id)
    assert (stored.account_id, stored.contact_id) == (acme.id, ana.id)
    assert stored.contact_email == "ana@acme.example"
    assert stored.responded_at == NOW
    session.refresh(invitation)
    assert invitation.answered_at == NOW


def test_a_used_link_cannot_answer_again_and_the_first_answer_stays(session, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        answer_invitation(session=session, invitation_id=invitation.id, score=9)
    with (
        time_machine.travel(NOW + timedelta(minutes=5), tick=False),
        pytest.raises(AlreadyAnswered, match="already answered"),
    ):
        answer_invitation(session=session, invitation_id=invitation.id, score=2)
    [stored] = responses(session)
    assert (stored.score, stored.responded_at, stored.updated_at) == (9, NOW, NOW)


def test_an_invitation_answers_until_the_moment_it_expires(session, acme, ana):
    invitation = invite(session, acme, ana, "csat", expires_after=timedelta(days=14))
    expiry = SENT + timedelta(days=14)
    with (
        time_machine.travel(expiry, tick=False),
        pytest.raises(InvitationExpired, match="closed on 2025-03-17"),
    ):
        answer_invitation(session=session, invitation_id=invitation.id, score=5)
    assert responses(session) == []
    with time_machine.travel(expiry - timedelta(seconds=1), tick=False):
        answer_invitation(session=session, invitation_id=invitation.id, score=5)
    assert [r.score for r in responses(session)] == [5]


def test_an_invitation_without_an_expiry_answers_months_later(session, acme, ana):
    invitation = invite(session, acme, ana, "nps", expires_after=None)
    with time_machine.travel(SENT + timedelta(days=400), tick=False):
        answer_invitation(session=session, invitation_id=invitation.id, score=7)
    assert [r.score for r in responses(session)] == [7]


@pytest.mark.parametrize(
    ("survey", "score", "scale"),
    [("nps", 11, "0–10"), ("nps", -1, "0–10"), ("csat", 0, "1–5"), ("ces", 8, "1–7")],
)
def test_a_score_off_the_scale_is_refused_naming_the_scale(
    session, acme, ana, survey, score, scale
):
    invitation = invite(session, acme, ana, survey)
    with (
        time_machine.travel(NOW, tick=False),
        pytest.raises(InvalidInput, match=f"outside the scale {scale}"),
    ):
        answer_invitation(session=session, invitation_id=invitation.id, score=score)
    assert responses(session) == []
    session.refresh(invitation)
    assert invitation.answered_at is None


def test_an_answer_after_a_solved_ticket_carries_the_ticket_and_names_it(session, acme, ana):
    ticket = Ticket(
        external_id="zendesk:42",
        account_id=acme.id,
        requester_contact_id=ana.id,
        requester_email=ana.email,
        subject="Export to CSV fails",
        status="solved",
        created_at=SENT - timedelta(days=2),
        solved_at=SENT - timedelta(days=1),
        updated_at=SENT,
    )
    session.add(ticket)
    session.flush()
    invitation = invite(session, acme, ana, "csat", ticket=ticket)
    with time_machine.travel(NOW, tick=False):
        asked = open_invitation(session=session, invitation_id=invitation.id, settings=BEACON)
        answer_invitation(session=session, invitation_id=invitation.id, score=4)
    assert (
        asked.question == "How satisfied are you with your support request “Export to CSV fails”?"
    )
    assert [(p.value, p.label) for p in asked.points][::4] == [
        (1, "Very unsatisfied"),
        (5, "Very satisfied"),
    ]
    assert asked.every_point_labelled and asked.shows_values
    [stored] = responses(session)
    assert stored.ticket_id == ticket.id


def test_an_invitation_reads_as_its_page_shows_it(session, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        asked = open_invitation(session=session, invitation_id=invitation.id, settings=BEACON)
    assert asked.question == (
        "How likely is it that you would recommend Beacon to a friend or colleague?"
    )
    assert [p.value for p in asked.points] == list(range(11))
    assert (asked.low_label, asked.high_label) == ("Not at all likely", "Extremely likely")
    assert not asked.every_point_labelled
    assert (asked.expired, asked.response) == (False, None)
    good_bad = invite(session, acme, ana, "csat_good_bad", email="ana+2@acme.example")
    with time_machine.travel(SENT + timedelta(days=15), tick=False):
        asked = open_invitation(session=session, invitation_id=good_bad.id, settings=BEACON)
    assert [p.label for p in asked.points] == ["Bad", "Good"]
    assert not asked.shows_values
    assert asked.expired


def test_a_comment_is_added_once_and_kept_as_written(session, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        response = answer_invitation(session=session, invitation_id=invitation.id, score=6)
    later = NOW + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        add_comment(session=session, response_id=response.id, comment="  Exports are slow.\n")
        with pytest.raises(AlreadyCommented):
            add_comment(session=session, response_id=response.id, comment="Second thoughts")
    [stored] = responses(session)
    assert (stored.score, stored.comment, stored.updated_at) == (6, "Exports are slow.", later)


@pytest.mark.parametrize(
    ("comment", "message"), [("   ", "the comment is empty"), ("x" * 5001, "5001 characters")]
)
def test_an_empty_or_overlong_comment_is_refused(session, acme, ana, comment, message):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        response = answer_invitation(session=session, invitation_id=invitation.id, score=10)
        with pytest.raises(InvalidInput, match=message):
            add_comment(session=session, response_id=response.id, comment=comment)
    assert responses(session)[0].comment == ""


def test_a_comment_after_the_invitation_expired_is_refused(session, acme, ana):
    invitation = invite(session, acme, ana, "ces", expires_after=timedelta(days=3))
    with time_machine.travel(SENT + timedelta(days=2), tick=False):
        response = answer_invitation(session=session, invitation_id=invitation.id, score=6)
    with (
        time_machine.travel(SENT + timedelta(days=3), tick=False),
        pytest.raises(InvitationExpired),
    ):
        add_comment(session=session, response_id=response.id, comment="Late thought")
    assert responses(session)[0].comment == ""


def test_unsubscribing_keeps_the_address_once_in_lower_case(session):
    with time_machine.travel(NOW, tick=False):
        unsubscribe(session=session, email="Ana@Acme.example")
        unsubscribe(session=session, email="ana@acme.example")
    session.expire_all()
    [row] = session.scalars(select(SurveyOptOut))
    assert (row.email, row.source, row.opted_out_at) == ("ana@acme.example", "link", NOW)
    assert opted_out(session=session, emails=["ANA@acme.example"]) == {"ana@acme.example"}
