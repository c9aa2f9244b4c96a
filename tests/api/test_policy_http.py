"""The policy, through HTTP: for random worlds, every list, get, versions, check and
export answer holds exactly what `visible()` allows each viewer — no leak, no loss.

Expectations are computed from what the test generated (its own reading of the markings),
so the whole path is under test: marking classification, storage, reads, the API.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawan.accounts import service
from kawan.app import create_app
from kawan.config import Settings
from kawan.ingest.run import store_items
from kawan.ingest.stream import Item
from kawan.node import Node
from kawan.sharing import groups as sharing_groups
from kawan.sharing.policy import Facts, Viewer, World, visible
from kawan.stix.ids import sco_id
from kawan.stix.markings import TLP1_IDS, TLP2_IDS, Tlp
from kawan.stix.patterns import equality_pattern

UNKNOWN = "marking-definition--0d0d0d0d-0000-4000-8000-000000000000"
MARKINGS = [
    "clear",
    "green",
    "amber",
    "amber+strict",
    "red",
    "white1",
    "green1",
    "amber1",
    "red1",
    "none",
    "unknown",
    "g1",
    "g2",
    "g1-strict",
]
USERS = {"root": "admin", "ana": "analyst", "vic": "viewer"}


@dataclass
class Spec:
    kind: str  # indicator | domain | relationship
    marking: str
    recorded: Tlp
    origin: int  # 0 home, 1 P1, 2 P2
    owner: str | None
    readers: tuple[str, ...]
    second: str | None = None  # the marking of a second version (indicators)
    ends: tuple[int, int] = (0, 0)


specs = st.builds(
    Spec,
    kind=st.sampled_from(["indicator", "domain", "relationship"]),
    marking=st.sampled_from(MARKINGS),
    recorded=st.sampled_from(list(Tlp)),
    origin=st.integers(0, 2),
    owner=st.sampled_from([None, "ana", "root"]),
    readers=st.sampled_from([(), ("vic",)]),
    second=st.none() | st.sampled_from(MARKINGS),
    ends=st.tuples(st.integers(0, 9), st.integers(0, 9)),
)


@dataclass
class Made:
    """One generated object version and the facts the test expects for it."""

    obj: dict[str, Any]
    facts: Facts
    origin: str
    recorded: Tlp
    owner: str | None
    readers: tuple[str, ...]


@dataclass
class Scene:
    node: Node
    world: World
    client: TestClient
    headers: dict[str, dict[str, str]]  # viewer name -> Authorization header
    viewers: dict[str, Viewer]
    made: list[Made] = field(default_factory=list)


def _tlp_and_refs(
    choice: str, recorded: Tlp, g: dict[str, tuple[str, str]]
) -> tuple[Tlp, tuple[str, ...], list[str]]:
    """The test's own reading of a marking choice: (TLP, groups, object_marking_refs)."""
    tlp2 = {
        "clear": Tlp.CLEAR,
        "green": Tlp.GREEN,
        "amber": Tlp.AMBER,
        "amber+strict": Tlp.AMBER_STRICT,
        "red": Tlp.RED,
    }
    tlp1 = {"white1": Tlp.CLEAR, "green1": Tlp.GREEN, "amber1": Tlp.AMBER, "red1": Tlp.RED}
    if choice in tlp2:
        return tlp2[choice], (), [TLP2_IDS[tlp2[choice]]]
    if choice in tlp1:
        return tlp1[choice], (), [TLP1_IDS[tlp1[choice]]]
    if choice == "none":
        return recorded, (), []
    if choice == "unknown":
        return Tlp.RED, (), [UNKNOWN]
    if choice == "g1-strict":
        gid, marking = g["g1"]
        return Tlp.AMBER_STRICT, (gid,), [TLP2_IDS[Tlp.AMBER_STRICT], marking]
    gid, marking = g[choice]
    return Tlp.AMBER, (gid,), [marking]


def _scene(tmp: Path, members: tuple[bool, bool]) -> Scene:
    node = Node(Settings(home=tmp, database_url=f"sqlite:///{tmp / 'kawan.db'}"))
    home = node.init("Home CERT", "VN").id
    p1 = service.add_partner(node.engine, "Partner One", "TH")
    p2 = service.add_partner(node.engine, "Partner Two", "KR")
    g1 = sharing_groups.create_group(node.engine, "G1", [home, *([p1] if members[0] else [])], home)
    g2 = sharing_groups.create_group(node.engine, "G2", [home, *([p2] if members[1] else [])], home)
    world = World(home, {g1.group_id: frozenset(g1.members), g2.group_id: frozenset(g2.members)})
    headers: dict[str, dict[str, str]] = {}
    viewers: dict[str, Viewer] = {}
    for name, role in USERS.items():
        user = service.add_user(node.engine, name, role)
        headers[name] = _bearer(service.create_token(node.engine, user=name)[1])
        viewers[name] = Viewer.home_user(user.user_id, role)
    for name, agency in (("P1", p1), ("P2", p2)):
        headers[name] = _bearer(service.create_token(node.engine, agency=agency)[1])
        viewers[name] = Viewer.partner(agency)
    client = TestClient(create_app(node.settings, node))
    scene = Scene(node, world, client, headers, viewers)
    scene.made = []
    scene.groups = {
        "g1": (g1.group_id, g1.marking_id),  # type: ignore[attr-defined]
        "g2": (g2.group_id, g2.marking_id),
    }
    scene.agencies = [home, p1, p2]  # type: ignore[attr-defined]
    return scene


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _populate(scene: Scene, drawn: list[Spec]) -> None:
    user_ids = {n: v.user_id for n, v in scene.viewers.items() if v.user_id}
    groups = scene.groups  # type: ignore[attr-defined]
    agencies = scene.agencies  # type: ignore[attr-defined]
    domains = [f"d{n}.example.com" for n in range(len(drawn))]
    ids: list[str] = []
    for n, spec in enumerate(drawn):
        versions = [spec.marking] + (
            [spec.second] if spec.second and spec.kind == "indicator" else []
        )
        if spec.kind == "relationship" and (spec.ends[0] >= n or spec.ends[1] >= n):
            spec.kind = "domain"  # ends must exist before; keep the draw simple
        for v, choice in enumerate(versions):
            tlp, gids, refs = _tlp_and_refs(choice, spec.recorded, groups)
            obj = _object(spec, n, v, domains, ids, refs)
            owner = user_ids.get(spec.owner) if spec.owner else None
            readers = tuple(user_ids[r] for r in spec.readers) if owner else ()
            origin = agencies[spec.origin]
            receipt = scene.node.receipt(origin, spec.recorded, brought_by=owner, readers=readers)
            summary = store_items(scene.node.engine, [Item(1, obj)], receipt, "test")
            assert summary.added == 1, summary.rejected
            ends = (ids[spec.ends[0]], ids[spec.ends[1]]) if spec.kind == "relationship" else ()
            scene.made.append(
                Made(
                    obj,
                    Facts(tlp, gids, origin, origin, owner, readers, ends),
                    origin,
                    spec.recorded,
                    owner,
                    readers,
                )
            )
        ids.append(obj["id"])


def _object(
    spec: Spec, n: int, v: int, domains: list[str], ids: list[str], refs: list[str]
) -> dict[str, Any]:
    marks = {"object_marking_refs": refs} if refs else {}
    stamp = f"2026-11-{1 + v:02d}T10:00:00.000Z"
    if spec.kind == "domain":
        return {
            "type": "domain-name",
            "spec_version": "2.1",
            "id": sco_id("domain-name", {"value": domains[n]}),
            "value": domains[n],
            **marks,
        }
    oid = str(uuid.UUID(int=n + 1, version=4))
    if spec.kind == "relationship":
        return {
            "type": "relationship",
            "spec_version": "2.1",
            "id": f"relationship--{oid}",
            "created": "2026-11-01T10:00:00.000Z",
            "modified": stamp,
            "relationship_type": "related-to",
            "source_ref": ids[spec.ends[0]],
            "target_ref": ids[spec.ends[1]],
            **marks,
        }
    target = domains[(n * 7) % len(domains)]
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{oid}",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": stamp,
        "pattern_type": "stix",
        "pattern": equality_pattern("domain-name:value", target),
        "valid_from": "2026-11-01T10:00:00Z",
        **marks,
    }


def _expected(scene: Scene, viewer: Viewer) -> dict[str, list[str | None]]:
    """id -> the versions (modified, or None for SCOs) the viewer may see, oldest first."""
    by_id: dict[str, list[Made]] = {}
    for m in scene.made:
        by_id.setdefault(m.obj["id"], []).append(m)
    ends = {oid: [m.facts for m in made] for oid, made in by_id.items()}
    out: dict[str, list[str | None]] = {}
    for oid, made in by_id.items():
        seen = [m.obj.get("modified") for m in made if visible(viewer, m.facts, scene.world, ends)]
        if seen:
            out[oid] = seen
    return out


def _listed(scene: Scene, who: str) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 7} | ({"after": cursor} if cursor else {})
        page = scene.client.get("/api/v1/objects", params=params, headers=scene.headers[who])
        assert page.status_code == 200, page.text
        body = page.json()
        for item in body["objects"]:
            assert item["object"]["id"] not in found, "an object listed twice"
            found[item["object"]["id"]] = item["object"].get("modified")
        cursor = body["next"]
        if cursor is None:
            return found


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(specs, min_size=1, max_size=10), st.tuples(st.booleans(), st.booleans()))
def test_every_answer_holds_exactly_what_the_policy_allows(
    drawn: list[Spec], members: tuple[bool, bool]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        scene = _scene(Path(tmp), members)
        try:
            _populate(scene, drawn)
            for who, viewer in scene.viewers.items():
                _check_viewer(scene, who, viewer)
        finally:
            scene.client.close()
            scene.node.engine.dispose()


def _check_viewer(scene: Scene, who: str, viewer: Viewer) -> None:
    expected = _expected(scene, viewer)
    generated = {m.obj["id"] for m in scene.made}
    latest = {oid: versions[-1] for oid, versions in expected.items()}
    listed = {k: v for k, v in _listed(scene, who).items() if k in generated}
    assert listed == latest, f"list for {who}"
    for oid in generated:
        got = scene.client.get(f"/api/v1/objects/{oid}", headers=scene.headers[who])
        versions = scene.client.get(f"/api/v1/objects/{oid}/versions", headers=scene.headers[who])
        if oid in expected:
            assert got.json()["object"].get("modified") == latest[oid], f"get {oid} for {who}"
            assert [e["object"].get("modified") for e in versions.json()["versions"]] == expected[
                oid
            ], f"versions of {oid} for {who}"
        else:
            assert got.status_code == versions.status_code == 404, f"{oid} leaked to {who}"
    exported = scene.client.get("/api/v1/export", headers=scene.headers[who])
    bundle = {
        o["id"]: o.get("modified") for o in exported.json()["objects"] if o["id"] in generated
    }
    assert bundle == latest, f"export for {who}"
    _check_checks(scene, who, viewer)


def _check_checks(scene: Scene, who: str, viewer: Viewer) -> None:
    """check shows an object when its latest version mentions the value and is visible."""
    latest: dict[str, Made] = {}
    for m in scene.made:
        latest[m.obj["id"]] = m
    ends = {oid: [x.facts for x in scene.made if x.obj["id"] == oid] for oid in latest}
    for value in sorted({m.obj["value"] for m in scene.made if "value" in m.obj}):
        expect = {
            oid
            for oid, m in latest.items()
            if _mentions(m.obj, value) and visible(viewer, m.facts, scene.world, ends)
        }
        answer = scene.client.get(
            "/api/v1/check", params={"value": value, "type": "domain"}, headers=scene.headers[who]
        ).json()
        assert {x["object_id"] for x in answer["mentions"]} == expect, f"check {value} {who}"


def _mentions(obj: dict[str, Any], value: str) -> bool:
    """The object is the value's SCO, tests it in its pattern, or relates to its SCO."""
    sco = sco_id("domain-name", {"value": value})
    return (
        obj.get("value") == value
        or f"'{value}'" in str(obj.get("pattern", ""))
        or sco in (obj.get("source_ref"), obj.get("target_ref"))
    )
