"""The API keeps its published contract: a bounded schemathesis run against the OpenAPI schema.

Every operation of the schema is called with generated data, as a coach and as a relationship manager,
through the WSGI application in this process (the test database, no server): no answer may be a server
error, and every answer must be one the schema documents (status code, content type, body).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import checks

from crm.choices import Stage
from crm.models import EmployerStageChange
from tests.crm.factories import EmployerFactory
from tests.placements.factories import ClientFactory, PlacementFactory

# What the contract promises: no server error, and only answers the schema documents. (Schemathesis's
# "positive data acceptance" is left out on purpose: a schema-valid id may name a row that does not exist
# or that this reader may not see, and the API rightly answers 400 or 404.)
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
# Generated requests per operation and reader: enough to try each parameter's edge values, bounded so the
# run stays under a minute on two cores.
EXAMPLES = 4


def _token(user: Any) -> dict[str, str]:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


@pytest.fixture
def _connection_kept() -> Any:
    """Keep the test's database connection across WSGI requests, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db: None, _connection_kept: None, alice: Any, rita: Any) -> Any:
    """The schema as the API serves it to a signed-in reader, with a little data to find."""
    employer = EmployerFactory.create(owner=rita)
    # An employer's first stage has no stage before it: from_stage is blank.
    EmployerStageChange.objects.create(employer=employer, from_stage="", to_stage=Stage.PROSPECT, changed_by=rita)
    PlacementFactory.create(client=ClientFactory.create(coach=alice), employer=employer, coach=alice)
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=_token(alice))


@pytest.fixture
def readers(alice: Any, rita: Any) -> list[dict[str, str]]:
    """A coach's and a relationship manager's token."""
    return [_token(alice), _token(rita)]


def test_every_operation_keeps_the_contract(api_schema: Any, readers: list[dict[str, str]]) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20  # the whole API, not an empty schema

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            for headers in readers:
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            check()
        except (Exception, BaseExceptionGroup) as failure:  # every operation is tried, every failure reported
            failures.append(f"{operation.label}: {failure}")

    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("size", ["0", "-3", "201", "null", "ten", "1.5"])
def test_a_page_size_outside_its_bounds_is_refused_not_ignored(client: Any, alice: Any, size: str) -> None:
    client.force_login(alice)

    response = client.get("/api/v1/ladder-steps/", {"page_size": size})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Ask for a whole number of rows from 1 to 200."]}


def test_a_page_size_within_its_bounds_is_used(client: Any, alice: Any) -> None:
    client.force_login(alice)

    response = client.get("/api/v1/ladder-steps/", {"page_size": "2"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
