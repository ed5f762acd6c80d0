"""Schemathesis: every API operation, fed inputs its OpenAPI schema allows, answers per schema."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from headway.users.models import Scope
from tests.helpers import bearer, make_account, subscribe


@pytest.fixture
def api_schema(app, alice_headers):
    # The OpenAPI document, like everything but login and health, needs a login or a key.
    return schemathesis.openapi.from_asgi("/openapi.json", app, headers=alice_headers)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def alice_headers(session, alice):
    acme = make_account(session, "acme", "Acme", owner=alice, segment="high-touch")
    subscribe(session, acme, "sub-1", "100", date(2025, 1, 1))
    return bearer(session, alice, Scope.READ, Scope.WRITE)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_every_input_its_schema_allows_without_a_server_error(case, alice_headers):
    # Segment and stage keys, account ids and the like are data: a schema-valid key that names
    # nothing is rightly refused with 422, so the "schema-valid request accepted" check is off.
    case.call_and_validate(headers=alice_headers, excluded_checks=[positive_data_acceptance])
