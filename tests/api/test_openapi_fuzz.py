"""schemathesis against the node's OpenAPI document: no 5xx, every response matches the
schema the document declares (status codes, content types, bodies)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from kawan.accounts import service
from kawan.app import create_app
from kawan.config import Settings
from kawan.demo import build_demo
from kawan.node import Node

HEADERS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home: Path = tmp_path_factory.mktemp("fuzz")
    node = Node(Settings(home=home, database_url=f"sqlite:///{home / 'kawan.db'}"))
    build_demo(node, seed=3, indicators=40, reports=40)
    service.add_user(node.engine, "fuzzer", "admin")
    HEADERS["Authorization"] = "Bearer " + service.create_token(node.engine, user="fuzzer")[1]
    app = create_app(node.settings, node)
    yield schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    node.engine.dispose()


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_keeps_its_openapi_promises(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    for operation in operations:
        _fuzz(operation)


def _fuzz(operation: schemathesis.APIOperation) -> None:
    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy())
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=HEADERS, checks=CHECKS)

    run()
