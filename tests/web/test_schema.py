"""Schemathesis against the OpenAPI document of a real server: generated requests
(with a valid CSRF token, so unsafe methods reach their handlers) never get a 500,
and answers match their documented schemas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.web.conftest import LiveServer


@pytest.fixture(scope="module")
def session(live: LiveServer) -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.headers["X-CSRF-Token"] = s.get(f"{live.url}/api/session").json()["csrf"]
        yield s


def test_the_api_never_answers_500(live: LiveServer, session: requests.Session) -> None:
    schema = schemathesis.openapi.from_url(f"{live.url}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {o.label for o in operations}
    assert {"GET /api/parks", "GET /api/me", "GET /api/inbox", "POST /api/inbox/read", "POST /api/game-ticket",
            "GET /api/directory", "PATCH /api/bookings/{booking_id}"} <= labels
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=live.url, session=session,
                                   checks=[not_a_server_error, response_schema_conformance])

        check()
