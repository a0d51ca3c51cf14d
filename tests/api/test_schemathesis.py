"""Schemathesis against /api/v1/openapi.json with a read+write token: no server errors, and
every response (status, content type, body) conforms to the document.

Bounded: a few examples per operation (about 15 seconds per database on this machine). The
operations are driven one by one inside a single test (schemathesis.pytest.from_fixture does
not run under pytest 9).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 60


def _fuzz(operation, world):
    role = "coordinator" if "people" in operation.path else "chair"
    # The WSGI test transport hands schemathesis the raw body: ask for it uncompressed, as a
    # client without zstd or Brotli support would (compression itself is tested elsewhere).
    headers = {"Authorization": f"Bearer {world['secrets'][role]}", "Accept-Encoding": "identity"}

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


@pytest.mark.slow
def test_api_conforms_to_its_document(app, world):
    app.config["API_RATE_LIMIT"] = "100000 per minute"
    try:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20
        for operation in operations:
            _fuzz(operation, world)
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
