"""Public-count consent: recorded by the admin (CLI and API), audited, read by the policy."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
from fastapi.testclient import TestClient

from kawan.accounts import service
from kawan.app import create_app
from kawan.audit import trail
from kawan.node import Node
from kawan.sharing.reads import load_world
from kawan.store.engine import reading
from tests.cli.conftest import Kawan
from tests.conftest import user_headers

BASE = "/api/v1/agencies"


@pytest.fixture
def client(node: Node) -> Iterator[TestClient]:
    with TestClient(create_app(node.settings, node)) as the_client:
        yield the_client


def _counted(node: Node) -> frozenset[str]:
    with reading(node.engine) as conn:
        return load_world(conn).public_counts


def test_the_admin_sets_consent_through_the_api(client: TestClient, node: Node) -> None:
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    admin = user_headers(node, "root", "admin")
    home = node.home()
    assert home is not None
    listed = client.get(BASE, headers=admin).json()["agencies"]
    assert {(a["name"], a["is_home"], a["is_partner"], a["public_counts"]) for a in listed} == {
        (home.name, True, False, False), ("ThaiCERT", False, True, False)}  # fmt: skip
    assert thai not in _counted(node)

    answer = client.put(f"{BASE}/{thai}/public-counts", json={"allowed": True}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["public_counts"] is True and thai in _counted(node)
    [entry] = [e for e in trail.newest(node.engine) if e.action == "agency.public_counts"]
    assert entry.target == f"agency:{thai}" and entry.detail == {"allowed": True}

    withdrawn = client.put(f"{BASE}/{thai}/public-counts", json={"allowed": False}, headers=admin)
    assert withdrawn.json()["public_counts"] is False and thai not in _counted(node)


def test_only_an_admin_may_set_consent(client: TestClient, node: Node) -> None:
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    analyst = user_headers(node, "ana", "analyst")
    assert client.get(BASE, headers=analyst).status_code == 200
    refused = client.put(f"{BASE}/{thai}/public-counts", json={"allowed": True}, headers=analyst)
    assert refused.status_code == 403 and thai not in _counted(node)
    assert client.put(f"{BASE}/{thai}/public-counts", json={"allowed": True}).status_code == 401


def test_unknown_agencies_and_bad_bodies_are_named(client: TestClient, node: Node) -> None:
    admin = user_headers(node, "root", "admin")
    missing = "identity--00000000-0000-4000-8000-000000000000"
    gone = client.put(f"{BASE}/{missing}/public-counts", json={"allowed": True}, headers=admin)
    assert gone.status_code == 404 and "agency" in gone.text
    bad = client.put(f"{BASE}/ThaiCERT/public-counts", json={"allowed": True}, headers=admin)
    assert bad.status_code == 400 and "agency_id" in bad.text
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    typo = client.put(f"{BASE}/{thai}/public-counts", json={"allow": True}, headers=admin)
    assert typo.status_code in (400, 422) and "allowed" in typo.text


def test_the_cli_sets_and_lists_consent(initialised: Kawan) -> None:
    thai = initialised("partner", "add", "ThaiCERT", "--country", "TH").stdout.strip()
    assert initialised("agency", "public-counts", "thaicert", "--allow").exit_code == 0
    listed = orjson.loads(initialised("agency", "list", "--json").stdout)
    assert {a["agency_id"]: a["public_counts"] for a in listed if not a["is_home"]} == {thai: True}
    assert initialised("agency", "public-counts", thai, "--deny").exit_code == 0
    listed = orjson.loads(initialised("agency", "list", "--json").stdout)
    assert not any(a["public_counts"] for a in listed)
    unknown = initialised("agency", "public-counts", "NoSuchCERT", "--allow")
    assert unknown.exit_code == 1 and "NoSuchCERT" in unknown.stderr
    assert initialised("agency", "list").exit_code == 0
