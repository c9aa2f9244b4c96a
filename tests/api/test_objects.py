from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kawan.app import create_app
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.store import objects as repo
from kawan.store.engine import writing
from tests.conftest import user_headers


def _domain(n: int) -> dict[str, Any]:
    return {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--00000000-0000-4000-8000-{n:012d}",
        "value": f"d{n}.example",
    }


@pytest.fixture
def client(node: Node) -> TestClient:
    receipt = Receipt(origin=node.require_home().id, recorded=Tlp.GREEN)
    with writing(node.engine) as conn:
        repo.put_batch(conn, [prepare(copy.deepcopy(_domain(n)), receipt) for n in range(25)])
    the_client = TestClient(create_app(node.settings, node))
    the_client.headers.update(user_headers(node, "ana", "analyst"))
    return the_client


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_pages_cover_every_object_once(client: TestClient) -> None:
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"type": "domain-name", "limit": 10}
        if cursor:
            params["after"] = cursor
        page = client.get("/api/v1/objects", params=params).json()
        seen.extend(item["object"]["id"] for item in page["objects"])
        cursor = page["next"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(_domain(n)["id"] for n in range(25))


def test_get_one_object_with_what_the_node_knows(client: TestClient, node: Node) -> None:
    body = client.get(f"/api/v1/objects/{_domain(3)['id']}").json()
    assert body["object"] == _domain(3)
    assert body["marking"] == "green" and body["origin"] == node.require_home().id
    versions = client.get(f"/api/v1/objects/{_domain(3)['id']}/versions").json()
    assert len(versions["versions"]) == 1


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/objects/indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f", 404, "not_found"),
        ("/api/v1/objects?limit=0", 422, "invalid_input"),
        ("/api/v1/objects?after=xyz", 400, "invalid_input"),
        ("/api/v1/objects?since=not-a-date", 400, "invalid_input"),
        ("/api/v1/nothing-here", 404, "not_found"),
    ],
)
def test_one_error_shape(client: TestClient, path: str, status: int, code: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert set(error) <= {"code", "message", "object_id", "field", "line", "details"}


def test_openapi_document_is_served(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/objects/{object_id}" in spec["paths"]
