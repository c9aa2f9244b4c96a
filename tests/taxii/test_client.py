"""The OASIS client (taxii2-client 2.3.0) against a real kawan server on a loopback port."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, Status, as_pages

from kawan.config import Settings
from kawan.node import Node
from kawan.store.collections import COMMUNITY, group_collection_id
from tests.taxii.sites import (
    BASE,
    Running,
    Site,
    group_marking,
    indicator,
    make_site,
    start_server,
    stop_server,
    store,
)

T1, T2, T3 = "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def partner_auth(site: Site) -> dict[str, Any]:
    return {"user": "Thai CERT", "password": site.partner_token}


def community(server: Running, site: Site, **auth: Any) -> Collection:
    url = f"{server.url}{BASE}collections/{COMMUNITY}/"
    return Collection(url, **(auth or partner_auth(site)))


def ids(envelope: dict[str, Any]) -> list[str]:
    return [o["id"] for o in envelope.get("objects", [])]


@pytest.fixture
def stocked(site: Site) -> Site:
    """Indicator 1 in three versions; 2 and 3 GREEN; 4 a malware; 5 AMBER for the group."""
    store(site.node, [indicator(1, modified=T1), indicator(2), indicator(3)])
    store(site.node, [indicator(1, modified=T2)])
    store(site.node, [indicator(1, modified=T3), indicator(5, group_marking(site))])
    malware = {
        "type": "malware",
        "spec_version": "2.1",
        "id": "malware--00000004-0000-4000-8000-000000000000",
        "created": T1,
        "modified": T1,
        "name": "SMS stealer",
        "is_family": True,
        "object_marking_refs": [indicator(1)["object_marking_refs"][0]],
    }
    store(site.node, [malware])
    return site


def test_discovery_and_api_root(server: Running, site: Site) -> None:
    taxii = Server(f"{server.url}/taxii2/", **partner_auth(site))
    assert taxii.title == "kawan TAXII server"
    root_url = f"{server.url}{BASE}"
    assert taxii.default is not None and taxii.default.url == root_url
    assert [r.url for r in taxii.api_roots] == [root_url]
    root = ApiRoot(root_url, auth=Bearer(site.partner_token))
    assert "application/taxii+json;version=2.1" in root.versions
    assert root.max_content_length > 0
    found = {c.id: c for c in root.collections}
    group = group_collection_id(site.group.group_id)
    assert set(found) == {COMMUNITY, group}
    assert found[group].title == "ASEAN" and found[group].can_read and found[group].can_write


def test_get_objects_with_each_filter(server: Running, stocked: Site) -> None:
    coll = community(server, stocked)
    one, two, three = (indicator(n)["id"] for n in (1, 2, 3))
    malware = "malware--00000004-0000-4000-8000-000000000000"
    everything = coll.get_objects()
    assert {one, two, three, malware} <= set(ids(everything))
    assert indicator(5)["id"] not in ids(everything)  # AMBER: the group's collection only
    assert ids(coll.get_objects(type="malware")) == [malware]
    assert sorted(ids(coll.get_objects(type=["malware", "indicator"]))) == sorted(
        [one, two, three, malware]
    )
    assert ids(coll.get_objects(id=[two, three])) == [two, three]
    assert ids(coll.get_objects(id=[two, malware], type="indicator")) == [two]  # AND
    latest = coll.get_objects(id=one)["objects"]
    assert [o["modified"] for o in latest] == [T3]
    first = coll.get_objects(id=one, version="first")["objects"]
    assert [o["modified"] for o in first] == [T1]
    every = coll.get_objects(id=one, version="all")["objects"]
    assert [o["modified"] for o in every] == [T1, T2, T3]
    exact = coll.get_objects(id=one, version=[T2, "first"])["objects"]
    assert [o["modified"] for o in exact] == [T1, T2]
    assert ids(coll.get_objects(id=one, spec_version="2.1")) == [one]
    assert ids(coll.get_objects(id=one, spec_version="2.0")) == []


def test_added_after_is_strictly_later(server: Running, stocked: Site) -> None:
    coll = community(server, stocked)
    manifest = coll.get_manifest(type="indicator", version="all")["objects"]
    assert len(manifest) == 5
    middle = manifest[2]["date_added"]
    later = coll.get_manifest(type="indicator", version="all", added_after=middle)["objects"]
    assert later == manifest[3:]
    assert coll.get_objects(added_after=manifest[-1]["date_added"], type="indicator") == {
        "more": False,
        "objects": [],
    }


def test_limit_and_next(server: Running, stocked: Site) -> None:
    coll = community(server, stocked)
    first = coll.get_objects(type="indicator", limit=2)
    assert first["more"] is True and len(first["objects"]) == 2
    rest = coll.get_objects(type="indicator", limit=2, next=first["next"])
    assert rest["more"] is False and "next" not in rest
    assert len(ids(first) + ids(rest)) == 3


def test_manifest_versions_and_one_object(server: Running, stocked: Site) -> None:
    coll = community(server, stocked)
    one = indicator(1)["id"]
    records = coll.get_manifest(id=one, version="all")["objects"]
    assert [r["version"] for r in records] == [T1, T2, T3]
    assert all(r["media_type"] == "application/stix+json;version=2.1" for r in records)
    assert coll.object_versions(one) == {"more": False, "versions": [T1, T2, T3]}
    assert [o["modified"] for o in coll.get_object(one)["objects"]] == [T3]
    assert [o["modified"] for o in coll.get_object(one, version="all")["objects"]] == [T1, T2, T3]


def test_the_group_collection_for_a_member(server: Running, stocked: Site) -> None:
    url = f"{server.url}{BASE}collections/{group_collection_id(stocked.group.group_id)}/"
    coll = Collection(url, **partner_auth(stocked))
    assert ids(coll.get_objects(type="indicator")) == [indicator(5)["id"]]


def test_add_objects_status_and_delete(server: Running, site: Site) -> None:
    coll = community(server, site, user="ana", password=site.admin)
    sco = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "value": "203.0.113.9",
        "id": "ipv4-addr--6e8d5b2c-4b4f-5d2b-9a4c-2a6d1c2b3e4f",
        "object_marking_refs": [indicator(1)["object_marking_refs"][0]],
    }
    envelope = {"objects": [indicator(7), sco]}
    status = coll.add_objects(
        json.dumps(envelope), wait_for_completion=True, poll_interval=1, timeout=10
    )
    assert status.status == "complete" and status.success_count == 2
    assert status.total_count == status.success_count + status.failure_count + status.pending_count
    again = Status(f"{server.url}{BASE}status/{status.id}/", user="ana", password=site.admin)
    assert again.status == "complete" and again.success_count == 2
    got = coll.get_objects(id=sco["id"])["objects"]
    assert [o["value"] for o in got] == ["203.0.113.9"]
    sco_version = coll.get_manifest(id=sco["id"])["objects"][0]
    assert sco_version["version"] == sco_version["date_added"]  # an SCO's version
    coll.delete_object(indicator(7)["id"])
    assert coll.get_objects(id=indicator(7)["id"]) == {"more": False, "objects": []}


def test_as_pages_over_ten_thousand_objects(tmp_path: Path) -> None:
    node = Node(Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'kawan.db'}"))
    node.init("Test CERT", "VN")
    site = make_site(node)
    store(node, [indicator(n) for n in range(10_000)])
    running = start_server(node)
    try:
        coll = community(running, site)
        seen: list[str] = []
        pages = 0
        for page in as_pages(coll.get_objects, per_request=100, type="indicator"):
            pages += 1
            seen += ids(page)
        assert pages == 100
        assert seen == [indicator(n)["id"] for n in range(10_000)]
    finally:
        stop_server(running)
        node.engine.dispose()
