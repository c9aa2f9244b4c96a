"""Two kawan nodes on loopback for sync tests: VN CERT (node A) and TH CERT (node B), each
knowing the other as a partner under its real identity id, a shared group, tokens, links;
and a third agency, KR CERT, whose objects node A holds (origin KR)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from kawan.accounts import service
from kawan.audit.trail import Who
from kawan.config import Settings
from kawan.node import Node
from kawan.sharing.groups import Group, create_group, list_groups
from kawan.sharing.sync import Options, sync_all
from kawan.sharing.sync_client import Peer
from kawan.sharing.sync_link import LinkRequest, link_partner
from kawan.sharing.sync_secret import key_for
from kawan.store.engine import reading
from kawan.store.schema import objects
from tests.taxii.sites import Running, start_server, store

AMBER_STRICT = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
CLEAR = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
KR = "identity--0000c0de-0000-4000-8000-00000000004b"
FAST = Options(page_size=3, timeout=10, retries=1, backoff=0.0)


@dataclass
class Side:
    node: Node
    home: str
    running: Running
    key: bytes

    @property
    def url(self) -> str:
        return f"{self.running.url}/taxii2/"


@dataclass
class Pair:
    a: Side
    b: Side
    group: Group


def make_node(tmp: Path, name: str, country: str, url: str | None = None) -> Node:
    home = tmp / name
    node = Node(Settings(home=home, database_url=url or f"sqlite:///{home / 'kawan.db'}"))
    node.init(f"{name} CERT", country)
    return node


def make_pair(tmp: Path, url_a: str | None = None, url_b: str | None = None) -> Pair:
    node_a, node_b = make_node(tmp, "VN", "VN", url_a), make_node(tmp, "TH", "TH", url_b)
    home_a, home_b = node_a.require_home().id, node_b.require_home().id
    service.add_partner(node_a.engine, "TH CERT", "TH", agency_id=home_b)
    service.add_partner(node_b.engine, "VN CERT", "VN", agency_id=home_a)
    service.add_partner(node_a.engine, "KR CERT", "KR", agency_id=KR)
    group = create_group(node_a.engine, "VN-TH", [home_a, home_b, KR], home_a)
    a = Side(node_a, home_a, start_server(node_a), key_for(node_a.settings.home))
    b = Side(node_b, home_b, start_server(node_b), key_for(node_b.settings.home))
    link(a, b, "TH CERT")
    link(b, a, "VN CERT")
    [first] = sync_all(a.node, a.key, FAST)  # the group travels to B, its member's node
    assert first.error is None, first.error
    return Pair(a, b, group)


def link(here: Side, there: Side, name: str) -> None:
    """`here` links `there`'s node with a token `there` made for `here`'s agency."""
    here_name = here.node.require_home().name
    _id, token = service.create_token(there.node.engine, agency=here_name, label="sync")
    peer = Peer(there.url, token)
    try:
        link_partner(
            here.node.engine, here.key, peer, LinkRequest(name, there.url, token), Who.cli()
        )
    finally:
        peer.close()


def indicator(tag: str, marking: str | None, **extra: Any) -> dict[str, Any]:
    import uuid

    oid = f"indicator--{uuid.uuid5(uuid.NAMESPACE_URL, tag)}"
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": oid,
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": tag,
        "pattern": f"[domain-name:value = '{tag}.example']",
        "pattern_type": "stix",
        "valid_from": "2026-01-01T00:00:00Z",
        **extra,
    }
    if marking is not None:
        obj["object_marking_refs"] = [marking]
    return obj


def seed(side: Side, tag: str, group: Group) -> dict[str, dict[str, Any]]:
    """One object per marking, created by this side's home agency."""
    gm = group.marking_id
    made = {
        "clear": indicator(f"{tag}-clear", CLEAR),
        "green": indicator(f"{tag}-green", GREEN),
        "amber": indicator(f"{tag}-amber", None, object_marking_refs=[AMBER, gm]),
        "strict": indicator(f"{tag}-strict", None, object_marking_refs=[AMBER_STRICT, gm]),
        "red": indicator(f"{tag}-red", RED),
        "domain": {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": f"domain-name--{__import__('uuid').uuid5(__import__('uuid').NAMESPACE_DNS, tag)}",
            "value": f"{tag}.example",
            "object_marking_refs": [GREEN],
        },
    }
    for obj in made.values():
        if obj["type"] == "indicator":
            obj["created_by_ref"] = side.home
    store(side.node, list(made.values()))
    return made


def seed_third(side: Side, group: Group) -> dict[str, dict[str, Any]]:
    """KR CERT's objects, held by node A with KR as origin (as if pulled from KR)."""
    made = {
        "kr-green": indicator("kr-green", GREEN, created_by_ref=KR),
        "kr-strict": indicator(
            "kr-strict",
            None,
            created_by_ref=KR,
            object_marking_refs=[AMBER_STRICT, group.marking_id],
        ),
    }
    store(side.node, list(made.values()), origin=KR)
    return made


def ids(node: Node) -> set[str]:
    with reading(node.engine) as conn:
        return {r[0] for r in conn.execute(select(objects.c.id))}


def versions(node: Node) -> list[tuple[str, int | None, str]]:
    """Every version the node holds: (id, modified, content hash), sorted."""
    with reading(node.engine) as conn:
        rows = conn.execute(select(objects.c.id, objects.c.modified, objects.c.content_hash))
        return sorted((r[0], r[1], r[2]) for r in rows)


def count(node: Node) -> int:
    with reading(node.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(objects)).scalar_one())


def groups_of(node: Node) -> list[Group]:
    return list_groups(node.engine)
