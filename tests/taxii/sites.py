"""TAXII test helpers: a node with users, partners, a sharing group and tokens; objects
stored and entered into their collections; a real server on a free loopback port."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
import uvicorn
from sqlalchemy import select

from kawan.accounts import service
from kawan.app import create_app
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.sharing.groups import Group, create_group, list_groups, marking_definition
from kawan.stix.markings import Marking, Tlp
from kawan.store import collections
from kawan.store.engine import reading, writing
from kawan.store.schema import collection_entries, objects
from kawan.taxii import intake

BASE = "/taxii2/api/"
MT = "application/taxii+json;version=2.1"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"


@dataclass
class Site:
    """A node and who may call it."""

    node: Node
    home: str
    admin: str  # token of a home admin
    viewer: str  # token of a home user with the viewer role
    partner: str  # agency id of a partner in the group
    partner_token: str
    outsider: str  # agency id of a partner outside the group
    outsider_token: str
    group: Group

    def collection_url(self, cid: str) -> str:
        return f"{BASE}collections/{cid}/"


def make_site(node: Node) -> Site:
    engine = node.engine
    home = node.require_home().id
    service.add_user(engine, "ana", "admin")
    service.add_user(engine, "vic", "viewer")
    partner = service.add_partner(engine, "Thai CERT", "TH")
    outsider = service.add_partner(engine, "Korea CERT", "KR")
    group = create_group(engine, "ASEAN", [partner], home)
    return Site(
        node,
        home,
        service.create_token(engine, user="ana", label="t")[1],
        service.create_token(engine, user="vic", label="t")[1],
        partner,
        service.create_token(engine, agency="Thai CERT", label="t")[1],
        outsider,
        service.create_token(engine, agency="Korea CERT", label="t")[1],
        group,
    )


def store(
    node: Node, objs: list[dict[str, Any]], origin: str | None = None, recorded: Tlp = Tlp.GREEN
) -> None:
    """Store objects as a node does, entering them into their collections."""
    groups = {g.marking_id: g.group_id for g in list_groups(node.engine)}
    receipt = Receipt(origin or node.require_home().id, recorded, groups)
    ready = [prepare(obj, receipt) for obj in objs]
    with writing(node.engine) as conn:
        intake.store(conn, ready)
        enter_everything(conn)


def enter_everything(conn: Any) -> None:
    """Enter the versions that are in no collection yet and belong in one: those stored by
    other paths (partners' identities, group markings) until the store enters every version
    itself. Idempotent."""
    entered = {r[0] for r in conn.execute(select(collection_entries.c.date_added))}
    rows = conn.execute(select(objects.c.date_added, objects.c.tlp, objects.c.groups))
    missing = [
        (r.date_added, Marking(Tlp(r.tlp), tuple(r.groups.split())))
        for r in rows
        if r.date_added not in entered
    ]
    collections.enter(conn, missing)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept": MT}


def indicator(
    n: int, marking: str | None = GREEN, modified: str | None = None, **extra: Any
) -> dict[str, Any]:
    stamp = modified or "2026-01-01T00:00:00.000Z"
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{n:08d}-0000-4000-8000-000000000000",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": stamp,
        "name": f"scam domain {n}",
        "pattern": f"[domain-name:value = 'scam-{n}.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }
    if marking is not None:
        obj["object_marking_refs"] = [marking]
    return obj


# ---- a real server ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Running:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


def start_server(node: Node, deadline_s: float = 20.0) -> Running:
    """uvicorn in a thread; ready when /healthz answers (polled, with a deadline)."""
    port = free_port()
    config = uvicorn.Config(
        create_app(node.settings, node),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return Running(url, server, thread)
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # a poll interval, bounded by the deadline
    server.should_exit = True
    raise RuntimeError(f"the test server did not answer /healthz within {deadline_s}s")


def stop_server(running: Running) -> None:
    running.server.should_exit = True
    running.thread.join(timeout=10)


def group_marking(site: Site) -> str:
    return marking_definition(site.group)["id"]


def entries_count(node: Node) -> int:
    with reading(node.engine) as conn:
        return len(conn.execute(select(collection_entries)).all())
