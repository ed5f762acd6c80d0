from hypothesis import HealthCheck, settings
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance
from tests.api.test_openapi_conformance import alice_headers, api_schema  # noqa: F401

schema = schemathesis.pytest.from_fixture("api_schema")


@schema.include(path_regex="support-success").parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_support_success_conformance(case, alice_headers):
    case.call_and_validate(headers=alice_headers, excluded_checks=[positive_data_acceptance])
