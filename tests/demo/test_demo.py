"""The demo data set: builds cleanly, deterministically, only on an empty node."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from kawan.agencies import REGION, country_of
from kawan.config import Settings
from kawan.demo import build_demo, is_empty
from kawan.demo.phishing import indicators
from kawan.errors import Conflict
from kawan.fraud.check import run_check
from kawan.fraud.identifiers import normalise
from kawan.fraud.reports import EXTENSION
from kawan.node import Node
from kawan.stix.markings import TLP1_IDS, TLP2_IDS
from kawan.store.engine import reading
from kawan.store.index import rows_for
from kawan.store.versions import Query, select_versions

INDICATORS, REPORTS = 120, 150  # small: the default demo is 3,000 of each


def _node(home: Path) -> Node:
    home.mkdir()
    return Node(Settings(home=home, database_url=f"sqlite:///{home / 'kawan.db'}"))


@pytest.fixture
def built(sqlite_settings: Settings) -> Iterator[tuple[Node, dict[str, Any]]]:
    node = Node(sqlite_settings)
    result = build_demo(node, seed=7, indicators=INDICATORS, reports=REPORTS)
    yield node, result
    node.engine.dispose()


def _objects(node: Node, *types: str) -> list[dict[str, Any]]:
    with reading(node.engine) as conn:
        found = select_versions(conn, Query(types=types))
    return [orjson.loads(v.json) for v in found]


def test_builds_with_no_rejections(built: tuple[Node, dict[str, Any]]) -> None:
    node, result = built
    assert result["rejected"] == 0, result.get("rejections")
    assert result["agencies"] == 14
    assert result["fraud_reports"] == REPORTS
    assert result["indicators"] >= INDICATORS - 5  # a few entries normalise alike
    assert result["sms_reports"] > 100
    assert result["oasis_objects"] > 100
    home = node.require_home()
    assert (home.name, home.country) == ("VNCERT/CC", "VN")
    assert home.id in result["home_agency"]


def test_example_is_held_and_each_writing_finds_it(built: tuple[Node, dict[str, Any]]) -> None:
    node, result = built
    example = result["example"]
    assert len(set(example["written"])) == 3
    for text in example["written"]:
        assert normalise("phone", text, country="VN").value == example["value"]
    with reading(node.engine) as conn:
        assert rows_for(conn, "phone-number", example["value"])


def test_same_seed_gives_the_same_ids(tmp_path: Path) -> None:
    first, second = _node(tmp_path / "a"), _node(tmp_path / "b")
    build_demo(first, seed=11, indicators=INDICATORS, reports=REPORTS)
    build_demo(second, seed=11, indicators=INDICATORS, reports=REPORTS)
    homes = {first.require_home().id, second.require_home().id}  # made by `kawan init`
    ids = [{o["id"] for o in _objects(n)} - homes for n in (first, second)]
    assert ids[0] == ids[1]
    assert len(ids[0]) > 1000


def test_a_second_build_is_refused(built: tuple[Node, dict[str, Any]]) -> None:
    node, _ = built
    assert not is_empty(node)
    with pytest.raises(Conflict, match="empty node"):
        build_demo(node, seed=7, indicators=INDICATORS, reports=REPORTS)


def test_an_existing_home_agency_stands_for_its_country(sqlite_settings: Settings) -> None:
    node = Node(sqlite_settings)
    home = node.init("Thai CERT (test)", "TH")
    assert is_empty(node)
    result = build_demo(node, seed=3, indicators=INDICATORS, reports=REPORTS)
    assert result["rejected"] == 0
    assert "already there" in result["home_agency"]
    agencies = [o for o in _objects(node, "identity") if country_of(o) == "TH"]
    assert [a["id"] for a in agencies] == [home.id]
    sms = [o for o in _objects(node, "report") if o.get("labels") == ["sms-scam"]]
    assert {o["created_by_ref"] for o in sms} == {home.id}


def test_fourteen_agencies_of_fourteen_countries(built: tuple[Node, dict[str, Any]]) -> None:
    node, _ = built
    countries = [country_of(o) for o in _objects(node, "identity")]
    regional = [c for c in countries if c is not None]
    assert sorted(regional) == sorted(REGION)


def test_indicators_have_several_creators_and_markings(
    built: tuple[Node, dict[str, Any]],
) -> None:
    node, _ = built
    ours = [o for o in _objects(node, "indicator") if "phishing" in o.get("labels", [])]
    creators = {o["created_by_ref"] for o in ours}
    markings = {tuple(o.get("object_marking_refs", ())) for o in ours}
    assert len(creators) >= 5
    assert len(markings) >= 6
    assert () in markings
    assert markings & {(ref,) for ref in TLP1_IDS.values()}
    assert markings & {(ref,) for ref in TLP2_IDS.values()}


def test_some_identifier_is_reported_in_two_countries(
    built: tuple[Node, dict[str, Any]],
) -> None:
    node, _ = built
    country = {o["id"]: country_of(o) for o in _objects(node, "identity")}
    scos = [o for o in _objects(node) if "value" in o and "created" not in o]
    with reading(node.engine) as conn:
        spread = [
            {country[r.creator] for r in rows_for(conn, sco["type"], sco["value"])
             if r.object_type == "report"}
            for sco in scos
        ]  # fmt: skip
    assert max(len(countries) for countries in spread) >= 2


def test_list_entries_with_a_path_or_port_become_url_patterns() -> None:
    made = indicators(
        ["sites.google.com/view/lidh/index", "sn99.cc:100", "Vant6.com", "not a domain"],
        ["3.84.109.91"],
        {"VN": "identity--00000000-0000-4000-8000-000000000001"},
        "identity--00000000-0000-4000-8000-000000000001",
        random.Random(1),
        seed=1,
        limit=None,
    )
    patterns = sorted(p.obj["pattern"] for p in made)
    assert patterns == [
        "[domain-name:value = 'vant6.com']",
        "[ipv4-addr:value = '3.84.109.91']",
        "[url:value = 'http://sites.google.com/view/lidh/index']",
        "[url:value = 'http://sn99.cc:100/']",
    ]


def test_fraud_reports_carry_their_details_as_kawan_report_does(
    built: tuple[Node, dict[str, Any]],
) -> None:
    node, result = built
    fraud = [o for o in _objects(node, "report") if o.get("labels") != ["sms-scam"]]
    fraud = [o for o in fraud if EXTENSION in o.get("extensions", {})]
    assert len(fraud) == REPORTS
    for report in fraud:
        ext = report["extensions"][EXTENSION]
        assert ext["category"] == report["labels"][0] and ext["country"] in REGION
        assert {i["ref"] for i in ext["identifiers"]} == set(report["object_refs"])
        assert float(ext["loss"]["amount"]) > 0
    summary = run_check(node.engine, result["example"]["value"]).reports
    assert summary.count >= 1 and summary.loss and summary.first_seen
