"""kawan ↔ medallion 3.0.0 (the OASIS reference TAXII server), started as a subprocess:
kawan pulls from one of its collections and pushes into its writable one."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kawan.audit.trail import Who
from kawan.sharing.sync import sync_all
from kawan.sharing.sync_client import Peer
from kawan.sharing.sync_link import LinkRequest, link_partner
from kawan.sharing.sync_secret import key_for
from kawan.store import versions as stored_versions
from kawan.store.engine import reading
from tests.sync.nodes import FAST, GREEN, RED, ids, indicator, make_node
from tests.taxii.sites import free_port, store

FEED = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"
WRITABLE = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
MT = "application/taxii+json;version=2.1"
AUTH = ("admin", "Password0")


def _feed_object(n: int) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{n:08d}-e032-476c-926f-cb970a5a1ade",
        "created": "2024-05-08T09:00:00.000Z",
        "modified": "2024-05-08T09:00:00.000Z",
        "name": f"Scam site {n}",
        "pattern": f"[domain-name:value = 'scam-{n}.example']",
        "pattern_type": "stix",
        "valid_from": "2024-05-08T09:00:00Z",
    }


def _data(url: str) -> dict[str, Any]:
    feed = [_feed_object(n) for n in range(5)]
    manifest = [
        {
            "id": o["id"],
            "date_added": f"2024-05-0{n + 1}T03:04:05.000000Z",
            "version": o["modified"],
            "media_type": "application/stix+json;version=2.1",
        }
        for n, o in enumerate(feed)
    ]
    info = {"title": "Trust group", "versions": [MT], "max_content_length": 9765625}

    def collection(cid: str, objs: list[Any], man: list[Any], title: str) -> dict[str, Any]:
        return {
            "id": cid,
            "title": title,
            "can_read": True,
            "can_write": True,
            "media_types": ["application/stix+json;version=2.1"],
            "objects": objs,
            "manifest": man,
        }

    return {
        "/discovery": {
            "title": "medallion",
            "default": f"{url}/trustgroup1/",
            "api_roots": [f"{url}/trustgroup1/"],
        },
        "trustgroup1": {
            "information": info,
            "status": [],
            "collections": [
                collection(FEED, feed, manifest, "Feed"),
                collection(WRITABLE, [], [], "Inbox"),
            ],
        },
    }


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "data.json").write_text(json.dumps(_data(url)))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(tmp_path / "data.json"),
        },
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": 2},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    exe = str(Path(sys.executable).with_name("medallion"))
    with (tmp_path / "medallion.log").open("wb") as log:
        proc = subprocess.Popen(
            [exe, "--host", "127.0.0.1", "--port", str(port), str(tmp_path / "config.json")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 30.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, "medallion exited"
        try:
            if httpx.get(f"{url}/taxii2/", auth=AUTH, headers={"Accept": MT}).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # a poll interval, bounded by the deadline
    raise RuntimeError("medallion did not answer within the deadline")


def test_pull_from_and_push_to_medallion(tmp_path: Path, medallion: str) -> None:
    node = make_node(tmp_path, "VN", "VN")
    key = key_for(node.settings.home)
    home = node.require_home().id
    green = indicator("vn-green", GREEN, created_by_ref=home)
    red = indicator("vn-red", RED, created_by_ref=home)
    store(node, [green, red])
    url = f"{medallion}/taxii2/"
    request = LinkRequest("OASIS", url, "Password0", "admin", "JP", None, WRITABLE)
    peer = Peer(url, "Password0", "admin")
    try:
        linked = link_partner(node.engine, key, peer, request, Who.cli())
    finally:
        peer.close()
    assert linked.checked.identity is None and len(linked.we_receive) == 2

    [outcome] = sync_all(node, key, FAST)
    assert outcome.error is None, outcome.error
    feed = {_feed_object(n)["id"] for n in range(5)}
    assert feed <= ids(node)  # pulled, in pages of 2 (medallion's max page size)
    with reading(node.engine) as conn:
        version = stored_versions.latest_of(conn, [next(iter(feed))])
    assert next(iter(version.values())).origin == linked.agency.agency_id

    inbox = httpx.get(
        f"{medallion}/trustgroup1/collections/{WRITABLE}/objects/",
        auth=AUTH,
        headers={"Accept": MT},
    ).json()
    pushed = {o["id"] for o in inbox.get("objects", [])}
    assert green["id"] in pushed and home in pushed
    assert red["id"] not in pushed

    [again] = sync_all(node, key, FAST)
    assert (again.error, again.pulled) == (None, 0)
