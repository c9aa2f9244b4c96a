"""Every TAXII endpoint answers exactly what the policy allows: nothing more, nothing less.

Random objects (TLP 2.0, TLP 1.0, OpenCTI's AMBER+STRICT, group markings, unknown markings,
none), random origins and recorded markings, relationships between them, several versions;
viewers are partners inside and outside the groups. The expectation is computed here, from
the stored facts, with `kawan.sharing.policy.visible` and the collection each marking
puts a version in.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import orjson
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kawan.accounts import service
from kawan.sharing.groups import create_group, marking_id_for
from kawan.sharing.policy import Facts, Viewer, visible
from kawan.sharing.reads import facts_of, load_world
from kawan.stix.markings import OPENCTI_AMBER_STRICT, TLP1_IDS, TLP2_IDS, Tlp
from kawan.store import versions as stored_versions
from kawan.store.collections import collections_of
from kawan.store.engine import reading
from kawan.store.records import StoredVersion
from kawan.taxii.choose import rank, version_text
from tests.taxii.sites import BASE, Site, bearer, store

T1, T2 = "2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z"


def _marking_choices(site: Site, extra_groups: list[str]) -> list[list[str]]:
    groups = [site.group.marking_id, *(marking_id_for(g) for g in extra_groups)]
    levels = [[TLP2_IDS[t]] for t in Tlp] + [[TLP1_IDS[t]] for t in TLP1_IDS]
    grouped = [[g] for g in groups] + [[TLP2_IDS[Tlp.AMBER_STRICT], g] for g in groups]
    return [
        [],
        *levels,
        [OPENCTI_AMBER_STRICT, groups[0]],
        [f"marking-definition--{uuid.UUID(int=7)}"],  # unknown: fails closed
        *grouped,
        [groups[0], groups[1]],
        [TLP2_IDS[Tlp.GREEN], groups[1]],
    ]


def _indicator(oid: str, modified: str, refs: list[str]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": oid,
        "created": T1,
        "modified": modified,
        "pattern": "[ipv4-addr:value = '198.51.100.7']",
        "pattern_type": "stix",
        "valid_from": T1,
    }
    if refs:
        obj["object_marking_refs"] = refs
    return obj


def _relationship(oid: str, source: str, target: str, refs: list[str]) -> dict[str, Any]:
    obj = _indicator(oid, T1, refs)
    for key in ("pattern", "pattern_type", "valid_from"):
        del obj[key]
    return {
        **obj,
        "type": "relationship",
        "relationship_type": "indicates",
        "source_ref": source,
        "target_ref": target,
    }


def _sco(oid: str, refs: list[str]) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": oid,
        "value": "198.51.100.7",
    }
    if refs:
        obj["object_marking_refs"] = refs
    return obj


# ---- the expectation, from the stored facts -----------------------------------------------


def _expected(site: Site, viewer: Viewer) -> dict[str, list[StoredVersion]]:
    """Collection id -> the versions the viewer may see in it (every version)."""
    with reading(site.node.engine) as conn:
        stored = stored_versions.select_versions(conn, stored_versions.Query(latest_only=False))
        world = load_world(conn)
    by_id: defaultdict[str, list[Facts]] = defaultdict(list)
    for version in stored:
        by_id[version.id].append(facts_of(version))
    out: defaultdict[str, list[StoredVersion]] = defaultdict(list)
    for version in stored:
        if visible(viewer, facts_of(version), world, by_id):
            for cid in collections_of(version.marking):
                out[cid].append(version)
    return out


def _last(versions: list[StoredVersion]) -> list[StoredVersion]:
    best: dict[str, StoredVersion] = {}
    for v in versions:
        if v.id not in best or rank(v) > rank(best[v.id]):
            best[v.id] = v
    return list(best.values())


def _as_set(objects: list[Any]) -> set[bytes]:
    return {orjson.dumps(o, option=orjson.OPT_SORT_KEYS) for o in objects}


def _stored_set(versions: list[StoredVersion]) -> set[bytes]:
    return _as_set([orjson.loads(v.json) for v in versions])


# ---- the test -------------------------------------------------------------------------------


@st.composite
def batches(draw: st.DrawFn, site: Site, choices: list[list[str]], origins: list[str]) -> Any:
    count = draw(st.integers(1, 6))
    made: list[tuple[dict[str, Any], str, Tlp]] = []
    ids: list[str] = []
    for n in range(count):
        kind = draw(st.sampled_from(["indicator", "indicator", "sco", "relationship"]))
        kind = "indicator" if kind == "relationship" and not ids else kind
        oid = f"{'ipv4-addr' if kind == 'sco' else kind}--{uuid.uuid4()}"
        refs = draw(st.sampled_from(choices))
        origin = draw(st.sampled_from(origins))
        recorded = draw(st.sampled_from(list(Tlp)))
        if kind == "relationship":
            target = draw(st.sampled_from([*ids, f"malware--{uuid.UUID(int=n)}"]))
            obj = _relationship(oid, draw(st.sampled_from(ids)), target, refs)
        elif kind == "sco":
            obj = _sco(oid, refs)
        else:
            obj = _indicator(oid, T1, refs)
            if draw(st.booleans()):
                later = _indicator(oid, T2, draw(st.sampled_from(choices)))
                made.append((later, origin, recorded))
        made.append((obj, origin, recorded))
        ids.append(oid)
    return made


def _check_viewer(
    client: TestClient, site: Site, token: str, viewer: Viewer, ids: list[str]
) -> None:
    expected = _expected(site, viewer)
    listed = client.get(f"{BASE}collections/", headers=bearer(token)).json()["collections"]
    for collection in listed:
        cid = collection["id"]
        url = f"{BASE}collections/{cid}/"
        every = expected.get(cid, [])
        got = client.get(f"{url}objects/?match[version]=all", headers=bearer(token)).json()
        assert _as_set(got.get("objects", [])) == _stored_set(every)
        got = client.get(f"{url}objects/", headers=bearer(token)).json()
        assert _as_set(got.get("objects", [])) == _stored_set(_last(every))
        manifest = client.get(f"{url}manifest/?match[version]=all", headers=bearer(token))
        assert {(r["id"], r["version"]) for r in manifest.json().get("objects", [])} == {
            (v.id, version_text(v)) for v in every
        }
        for oid in ids:
            _check_object(client, token, url, oid, [v for v in every if v.id == oid])


def _check_object(
    client: TestClient, token: str, url: str, oid: str, mine: list[StoredVersion]
) -> None:
    one = client.get(f"{url}objects/{oid}/?match[version]=all", headers=bearer(token))
    versions = client.get(f"{url}objects/{oid}/versions/", headers=bearer(token))
    if not mine:
        assert one.status_code == versions.status_code == 404
        return
    assert _as_set(one.json()["objects"]) == _stored_set(mine)
    assert sorted(versions.json()["versions"]) == sorted(version_text(v) for v in mine)


def test_every_endpoint_answers_what_the_policy_allows(client: TestClient, site: Site) -> None:
    engine = site.node.engine
    third = service.add_partner(engine, "Lao CERT", "LA")
    third_token = service.create_token(engine, agency="Lao CERT", label="t")[1]
    wide = create_group(engine, "ASEAN+3", [site.partner, site.outsider], site.home)
    empty = create_group(engine, "nobody", [], site.home)
    choices = _marking_choices(site, [wide.group_id, empty.group_id])
    origins = [site.home, site.partner, site.outsider, third]
    viewers = [
        (site.partner_token, Viewer.partner(site.partner)),
        (site.outsider_token, Viewer.partner(site.outsider)),
        (third_token, Viewer.partner(third)),
    ]

    @settings(
        max_examples=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(batch=batches(site, choices, origins), who=st.sampled_from(viewers))
    def check(batch: list[tuple[dict[str, Any], str, Tlp]], who: tuple[str, Viewer]) -> None:
        for obj, origin, recorded in batch:
            store(site.node, [obj], origin=origin, recorded=recorded)
        ids = list(dict.fromkeys(obj["id"] for obj, _, _ in batch))
        _check_viewer(client, site, who[0], who[1], ids)

    check()
