"""The public pages behind the links in survey emails, used without a login."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from headway.surveys import links
from headway.surveys.mail import answer_token, unsubscribe_url
from headway.surveys.models import SurveyInvitation, SurveyOptOut, SurveyResponse
from tests.helpers import make_account, make_contact
from tests.surveys.test_answers import NOW, SENT, invite

COMMENT_TOKEN = re.compile(r'name="c" value="([^"]+)"')


@pytest.fixture
def acme(session):
    return make_account(session, "crm-acme", "Acme Analytics")


@pytest.fixture
def ana(session, acme):
    return make_contact(session, acme, "ana@acme.example", "Ana Silva")


@pytest.fixture
def settings(app):
    return app.state.settings


def answer_path(settings, invitation, score=None) -> str:
    path = f"/s/{answer_token(settings, invitation.id)}"
    return path if score is None else f"{path}?score={score}"


def stored(session) -> list[SurveyResponse]:
    session.expire_all()
    return list(session.scalars(select(SurveyResponse).order_by(SurveyResponse.id)))


def chosen(page: str) -> list[str]:
    """The scale points the page marks as the answer given."""
    return re.findall(r'class="point chosen" aria-current="true">.*?class="label">([^<]+)<', page)


def test_one_click_records_the_score_and_thanks_with_it_highlighted_without_a_login(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        link = answer_path(settings, invitation)
        page = client.get(f"{link}?score=9", follow_redirects=False)
    assert page.status_code == 200
    assert "Thank you for your answer" in page.text
    assert "How likely is it that you would recommend Headway to a friend or colleague?" in (
        page.text
    )
    assert chosen(page.text) == ["9"]
    assert f'action="{link}/comment"' in page.text
    assert "Log out" not in page.text and 'href="/accounts"' not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "set-cookie" not in page.headers
    [response] = stored(session)
    assert (response.score, response.source, response.responded_at) == (9, "link", NOW)


def test_a_used_link_is_refused_as_already_answered_and_the_answer_stays(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        client.get(answer_path(settings, invitation, 9))
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        again = client.get(answer_path(settings, invitation, 9))
        other = client.get(answer_path(settings, invitation, 3))
        bare = client.get(answer_path(settings, invitation))
    for page in (again, other, bare):
        assert page.status_code == 409
        assert "You already answered this survey" in page.text
        assert chosen(page.text) == ["9"]
    [response] = stored(session)
    assert (response.score, response.responded_at) == (9, NOW)


def test_a_tampered_or_borrowed_token_is_refused_as_not_valid(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    token = answer_token(settings, invitation.id)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    other_purpose = links.sign({"i": invitation.id}, secret=settings.secret_key, purpose="x")
    other_secret = links.sign({"i": invitation.id}, secret="someone-else", purpose=links.ANSWER)
    not_an_invitation = links.sign({"e": "x"}, secret=settings.secret_key, purpose=links.ANSWER)
    for bad in (tampered, other_purpose, other_secret, not_an_invitation, "garbage"):
        page = client.get(f"/s/{bad}?score=10")
        assert page.status_code == 400, bad
        assert "This link is not valid" in page.text
        assert "Traceback" not in page.text
    assert stored(session) == []


def test_a_comment_or_unsubscribe_token_cannot_answer_and_an_answer_token_cannot_comment(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        action, comment_token = comment_form(client, settings, invitation, 8)
        leave = unsubscribe_path(settings, "ana@acme.example").removeprefix("/s/unsubscribe/")
        other = invite(session, acme, ana, "csat", email="ana.silva@acme.example")
        pages = [client.get(f"/s/{token}?score=1") for token in (comment_token, leave)]
        answer = answer_token(settings, other.id)
        pages.append(client.post(action, data={"comment": "Hello", "c": answer}))
    assert [p.status_code for p in pages] == [400, 400, 400]
    assert all("This link is not valid" in p.text for p in pages)
    assert [(r.invitation_id, r.score, r.comment) for r in stored(session)] == [
        (invitation.id, 8, "")
    ]


def test_a_comment_is_shown_as_written_never_as_markup(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        action, token = comment_form(client, settings, invitation, 3)
        page = client.post(action, data={"comment": "<script>alert(1)</script>", "c": token})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_an_expired_invitation_is_refused_as_expired(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "nps", expires_after=timedelta(days=14))
    with time_machine.travel(SENT + timedelta(days=15), tick=False):
        page = client.get(answer_path(settings, invitation, 10))
    assert page.status_code == 410
    assert "This survey link has expired" in page.text
    assert "It closed on 17 March 2025." in page.text
    assert stored(session) == []


def test_a_withdrawn_survey_is_refused_as_no_longer_available(client, session, settings, acme):
    invitation = invite(session, acme, None, "nps", email="lee@acme.example")
    path = answer_path(settings, invitation, 8)
    session.delete(session.get(SurveyInvitation, invitation.id))
    session.commit()
    page = client.get(path)
    assert page.status_code == 404
    assert "This survey is no longer available" in page.text


@pytest.mark.parametrize("score", ["11", "-1", "nine", "", "9.5"])
def test_a_score_off_the_scale_shows_the_question_again_and_records_nothing(
    client, session, settings, acme, ana, score
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        page = client.get(answer_path(settings, invitation) + f"?score={score}")
    assert page.status_code == 400
    assert "Choose one answer from 0 to 10." in page.text
    assert page.text.count("?score=") == 11
    assert stored(session) == []


def test_without_a_score_the_link_asks_the_question_with_the_scale_as_buttons(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "ces")
    path = answer_path(settings, invitation)
    with time_machine.travel(NOW, tick=False):
        page = client.get(path)
    assert page.status_code == 200
    assert "Headway made it easy for me to handle my issue." in page.text
    for score, label in [(1, "Strongly disagree"), (4, "Neither agree nor disagree")]:
        assert f'href="{path}?score={score}">' in page.text
        assert label in page.text
    assert stored(session) == []


def test_a_good_or_bad_survey_shows_the_words_as_its_answers(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "csat_good_bad")
    path = answer_path(settings, invitation)
    with time_machine.travel(NOW, tick=False):
        page = client.get(path)
        thanks = client.get(f"{path}?score=1")
    assert re.search(rf'href="{re.escape(path)}\?score=0"><span class="label">Bad<', page.text)
    assert re.search(rf'href="{re.escape(path)}\?score=1"><span class="label">Good<', page.text)
    assert "How would you rate Headway?" in page.text
    assert chosen(thanks.text) == ["Good"]


def comment_form(client, settings, invitation, score) -> tuple[str, str]:
    """Answer through the link; return the comment form's address and its token."""
    page = client.get(answer_path(settings, invitation, score))
    match = COMMENT_TOKEN.search(page.text)
    assert match, "the thank-you page has no comment form"
    return answer_path(settings, invitation) + "/comment", match.group(1)


def test_a_comment_is_added_once_after_the_answer(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        action, token = comment_form(client, settings, invitation, 6)
        sent = client.post(action, data={"comment": " Exports are slow. ", "c": token})
        again = client.post(action, data={"comment": "Changed my mind", "c": token})
    assert sent.status_code == 200
    assert "Thank you for your comment" in sent.text and "Exports are slow." in sent.text
    assert again.status_code == 409
    assert "Exports are slow." in again.text and 'name="comment"' not in again.text
    [response] = stored(session)
    assert (response.score, response.comment) == (6, "Exports are slow.")


def test_a_reopened_link_offers_the_comment_form_until_a_comment_is_sent(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "nps")
    with time_machine.travel(NOW, tick=False):
        client.get(answer_path(settings, invitation, 10))
        reopened = client.get(answer_path(settings, invitation, 10))
    assert reopened.status_code == 409
    assert COMMENT_TOKEN.search(reopened.text)


def test_an_empty_comment_keeps_the_form_with_a_message(client, session, settings, acme, ana):
    invitation = invite(session, acme, ana, "csat")
    with time_machine.travel(NOW, tick=False):
        action, token = comment_form(client, settings, invitation, 2)
        page = client.post(action, data={"comment": "   ", "c": token})
    assert page.status_code == 400
    assert "The comment is empty" in page.text
    assert COMMENT_TOKEN.search(page.text)
    assert stored(session)[0].comment == ""


def test_a_comment_needs_the_token_of_this_answer(client, session, settings, acme, ana):
    first = invite(session, acme, ana, "nps")
    second = invite(session, acme, ana, "csat", email="ana.silva@acme.example")
    with time_machine.travel(NOW, tick=False):
        action, _ = comment_form(client, settings, first, 8)
        _, other_token = comment_form(client, settings, second, 5)
        borrowed = client.post(action, data={"comment": "Hello", "c": other_token})
        missing = client.post(action, data={"comment": "Hello"})
        no_answer = invite(session, acme, ana, "ces", email="a@acme.example")
        unanswered = client.post(
            answer_path(settings, no_answer) + "/comment",
            data={"comment": "Hello", "c": other_token},
        )
    assert [p.status_code for p in (borrowed, missing, unanswered)] == [400, 400, 400]
    assert all(r.comment == "" for r in stored(session))


def test_a_comment_form_left_open_past_a_day_or_the_expiry_is_refused(
    client, session, settings, acme, ana
):
    invitation = invite(session, acme, ana, "nps", expires_after=timedelta(days=14))
    with time_machine.travel(NOW, tick=False):
        action, token = comment_form(client, settings, invitation, 7)
    with time_machine.travel(NOW + timedelta(days=1, minutes=1), tick=False):
        stale = client.post(action, data={"comment": "Late", "c": token})
    assert stale.status_code == 410
    with time_machine.travel(SENT + timedelta(days=14), tick=False):
        fresh = links.sign(
            {"r": stored(session)[0].id}, secret=settings.secret_key, purpose=links.COMMENT
        )
        closed = client.post(action, data={"comment": "Late", "c": fresh})
    assert closed.status_code == 410
    assert stored(session)[0].comment == ""


def unsubscribe_path(settings, email: str) -> str:
    return unsubscribe_url(settings, email).removeprefix(settings.public_url.rstrip("/"))


def test_unsubscribing_asks_to_confirm_then_stops_surveys_to_the_address(client, session, settings):
    path = unsubscribe_path(settings, "Ana@Acme.example")
    with time_machine.travel(NOW, tick=False):
        asked = client.get(path)
        assert session.scalars(select(SurveyOptOut)).all() == []
        done = client.post(path)
    assert asked.status_code == 200
    assert "ana@acme.example" in asked.text and f'action="{path}"' in asked.text
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    session.expire_all()
    [row] = session.scalars(select(SurveyOptOut))
    assert (row.email, row.source, row.opted_out_at) == ("ana@acme.example", "link", NOW)


def test_a_mail_clients_one_click_unsubscribe_post_is_accepted(client, session, settings):
    path = unsubscribe_path(settings, "omar@acme.example")
    for _ in range(2):  # a client may send it twice
        page = client.post(
            path,
            content="List-Unsubscribe=One-Click",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert page.status_code == 200
    assert [r.email for r in session.scalars(select(SurveyOptOut))] == ["omar@acme.example"]


def test_a_tampered_unsubscribe_link_is_refused(client, session, settings, acme, ana):
    path = unsubscribe_path(settings, "ana@acme.example")
    invitation = invite(session, acme, ana, "nps")
    answer_link = answer_path(settings, invitation).removeprefix("/s/")
    for bad in (path[:-2] + "zz", f"/s/unsubscribe/{answer_link}"):
        assert client.get(bad).status_code == 400
        assert client.post(bad).status_code == 400
    assert session.scalars(select(SurveyOptOut)).all() == []
