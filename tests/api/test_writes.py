"""The home agency writing through the API: post, revoke, re-mark, delete."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kawan.accounts import service
from kawan.app import create_app
from kawan.audit import trail
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.sharing import groups
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.store import objects as repo
from kawan.store import versions as stored_versions
from kawan.store.engine import reading, writing
from tests.conftest import user_headers

PARTNER = "identity--7d5e4f3c-2b1a-4c9d-8e7f-6a5b4c3d2e1f"


def indicator(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{n:08d}-0000-4000-8000-000000000000",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": f"scam site {n}",
        "pattern_type": "stix",
        "pattern": f"[domain-name:value = 'scam-{n}.example']",
        "valid_from": "2026-11-01T10:00:00Z",
        **extra,
    }


@pytest.fixture
def client(node: Node) -> TestClient:
    the_client = TestClient(create_app(node.settings, node))
    the_client.headers.update(user_headers(node, "ana", "analyst"))
    return the_client


def test_post_a_bundle_stores_the_good_and_names_the_bad(client: TestClient, node: Node) -> None:
    bad = {"type": "indicator", "spec_version": "2.1", "id": "indicator--nope"}
    body = {
        "type": "bundle",
        "id": "bundle--0e7c5b8f-3f2e-4a4b-9a4b-0c1d2e3f4a5b",
        "objects": [indicator(1), indicator(2), bad],
    }
    status = client.post("/api/v1/objects", json=body, params={"marking": "green"}).json()
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (3, 2, 1)
    assert status["failures"][0]["id"] == "indicator--nope"
    assert "malformed id" in status["failures"][0]["message"]
    stored = client.get(f"/api/v1/objects/{indicator(1)['id']}").json()
    assert stored["marking"] == "green" and stored["origin"] == node.require_home().id
    assert trail.newest(node.engine, limit=1)[0].action == "objects.post"


def test_a_new_version_of_a_partners_object_is_refused(client: TestClient, node: Node) -> None:
    receipt = Receipt(origin=PARTNER, recorded=Tlp.GREEN)
    with writing(node.engine) as conn:
        repo.put_batch(
            conn, [prepare(copy.deepcopy(indicator(3, created_by_ref=PARTNER)), receipt)]
        )
    newer = indicator(3, created_by_ref=PARTNER, modified="2026-11-02T10:00:00.000Z")
    status = client.post("/api/v1/objects", json={"objects": [newer]}).json()
    assert status["failure_count"] == 1
    assert "only its creator" in status["failures"][0]["message"]
    refused = client.post(f"/api/v1/objects/{indicator(3)['id']}/revoke")
    assert refused.status_code == 403


def test_revoke_remark_and_delete_own_objects(client: TestClient, node: Node) -> None:
    client.post("/api/v1/objects", json={"objects": [indicator(4)]})
    oid = indicator(4)["id"]
    revoked = client.post(f"/api/v1/objects/{oid}/revoke").json()
    assert revoked["object"]["revoked"] is True
    group = groups.create_group(
        node.engine, "VN-TH", [node.require_home().id, PARTNER], node.require_home().id
    )
    remarked = client.put(
        f"/api/v1/objects/{oid}/marking", json={"tlp": "amber", "groups": ["VN-TH"]}
    ).json()
    assert remarked["marking"] == "amber" and remarked["groups"] == [group.group_id]
    assert remarked["object"]["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER], group.marking_id]
    versions = client.get(f"/api/v1/objects/{oid}/versions").json()["versions"]
    assert len(versions) == 3
    tomb = client.request(
        "DELETE", f"/api/v1/objects/{oid}", json={"reason": "shared by mistake"}
    ).json()
    assert tomb["object"]["type"] == "kawan-tombstone"
    assert tomb["object"]["object_ref"] == oid
    assert client.get(f"/api/v1/objects/{oid}").status_code == 404
    with reading(node.engine) as conn:
        assert stored_versions.versions(conn, oid) == []


def test_a_viewer_may_not_write_and_a_partner_writes_through_taxii(
    client: TestClient, node: Node
) -> None:
    viewer = user_headers(node, "vic", "viewer")
    refused = client.post("/api/v1/objects", json={"objects": [indicator(5)]}, headers=viewer)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    agency = service.add_partner(node.engine, "Thai CERT", "TH")
    token = service.create_token(node.engine, agency=agency)[1]
    partner = client.post(
        "/api/v1/objects",
        json={"objects": [indicator(6)]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert partner.status_code == 403


def test_red_posted_by_a_user_is_theirs_alone(client: TestClient, node: Node) -> None:
    other = user_headers(node, "bob", "admin")
    red = indicator(7, object_marking_refs=[TLP2_IDS[Tlp.RED]])
    client.post("/api/v1/objects", json={"objects": [red]})
    assert client.get(f"/api/v1/objects/{red['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/objects/{red['id']}").status_code == 200
    entry = trail.newest(node.engine, limit=1)[0]
    assert entry.action == "object.read" and entry.target == red["id"]
