"""People and passwords."""

from __future__ import annotations

import pytest

from headway.core.errors import Conflict, InvalidInput
from headway.users.models import Role
from headway.users.service import authenticate, create_user
from tests.helpers import SETUP


def test_a_person_logs_in_with_their_password_and_email_in_any_case(session, alice):
    assert (
        authenticate(session=session, email="ALICE@example.com ", password="alice-password")
        == alice
    )
    assert authenticate(session=session, email="alice@example.com", password="wrong") is None
    assert authenticate(session=session, email="nobody@example.com", password="x") is None


def test_passwords_are_stored_as_argon2_hashes(alice):
    assert alice.password_hash.startswith("$argon2id$")
    assert "alice-password" not in alice.password_hash


def test_a_deactivated_person_cannot_log_in(session, carol):
    carol.active = False
    session.commit()
    assert authenticate(session=session, email=carol.email, password="carol-password") is None


def test_two_people_cannot_share_an_email(session, alice):
    with pytest.raises(Conflict):
        create_user(
            session=session,
            actor=SETUP,
            email="Alice@Example.com",
            name="A2",
            role=Role.VIEWER,
            password="another-password",
        )


def test_a_short_password_is_refused(session):
    with pytest.raises(InvalidInput, match="8 characters"):
        create_user(
            session=session,
            actor=SETUP,
            email="x@example.com",
            name="X",
            role=Role.VIEWER,
            password="short",
        )
