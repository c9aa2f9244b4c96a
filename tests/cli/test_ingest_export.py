from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import orjson
import pytest
from stix2validator import ValidationOptions, validate_file

from tests.cli.conftest import Kawan
from tests.conftest import DATA

EXAMPLES = sorted((DATA / "oasis-stix21" / "examples").rglob("*.json"))


def _objects(path: Path) -> list[dict[str, Any]]:
    data = orjson.loads(path.read_bytes())
    return list(data["objects"])


def test_every_oasis_example_ingests_with_no_rejection(initialised: Kawan) -> None:
    result = initialised("ingest", "--json", *EXAMPLES)
    assert result.exit_code == 0, result.output
    summary = orjson.loads(result.stdout)
    assert summary["rejected"] == []
    assert summary["added"] >= 250


def test_export_ingest_export_round_trips_and_validates(
    initialised: Kawan, tmp_path: Path, kawan_second: Kawan
) -> None:
    assert initialised("ingest", *EXAMPLES).exit_code == 0
    first = tmp_path / "first.json"
    assert initialised("export", "--out", first).exit_code == 0
    assert kawan_second("ingest", first).exit_code == 0
    second = tmp_path / "second.json"
    assert kawan_second("export", "--out", second).exit_code == 0
    ours = {o["id"]: o for o in _objects(first)}
    theirs = {o["id"]: o for o in _objects(second)}
    assert len(ours) > 250
    extra = set(theirs) - set(ours)  # the second node's own home identity, nothing else
    assert len(extra) == 1 and next(iter(extra)).startswith("identity--")
    assert {k: v for k, v in theirs.items() if k in ours} == ours
    report = validate_file(str(second), ValidationOptions(version="2.1"))
    errors = [(r.object_id, str(e)) for r in report.object_results for e in r.errors]
    assert report.is_valid, errors


@pytest.fixture
def kawan_second(tmp_path: Path) -> Kawan:
    """A second node on SQLite, initialised with another home agency."""
    from typer.testing import CliRunner

    from kawan.cli import app

    env = {
        "KAWAN_HOME": str(tmp_path / "second"),
        "KAWAN_DATABASE_URL": f"sqlite:///{tmp_path / 'second.db'}",
    }
    runner = CliRunner()

    def run(*args: str | Path) -> Any:
        return runner.invoke(app, [str(a) for a in args], env=env)

    assert run("init", "--agency", "Second CERT", "--country", "TH").exit_code == 0
    return run


def _good(n: int) -> dict[str, Any]:
    return {
        "type": "domain-name",
        "spec_version": "2.1",
        "id": f"domain-name--00000000-0000-4000-8000-{n:012d}",
        "value": f"scam-{n}.example",
    }


def test_1000_good_and_3_broken_store_the_1000_and_name_the_3(
    initialised: Kawan, tmp_path: Path
) -> None:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "pattern_type": "stix",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "valid_from": "2026-11-01T10:00:00Z",
        "pattern": "[url:value = 'http://x.example/']",
    }
    bad_id = {**copy.deepcopy(indicator), "id": "indicator--not-a-uuid"}
    bad_time = {
        **copy.deepcopy(indicator),
        "id": "indicator--11111111-1111-4111-8111-111111111111",
        "modified": "2026-11-31T10:00:00.000Z",
    }
    missing = {**copy.deepcopy(indicator), "id": "indicator--22222222-2222-4222-8222-222222222222"}
    del missing["pattern"]
    objects = [_good(n) for n in range(1000)]
    for at, bad in ((10, bad_id), (500, bad_time), (999, missing)):
        objects.insert(at, bad)
    bundle = tmp_path / "mixed.json"
    bundle.write_bytes(
        orjson.dumps(
            {
                "type": "bundle",
                "id": "bundle--0e7c5b8f-3f2e-4a4b-9a4b-0c1d2e3f4a5b",
                "objects": objects,
            }
        )
    )
    result = initialised("ingest", "--json", bundle)
    assert result.exit_code == 1
    summary = orjson.loads(result.stdout)
    assert summary["added"] == 1000
    reasons = {r["id"]: r["reason"] for r in summary["rejected"]}
    assert set(reasons) == {bad_id["id"], bad_time["id"], missing["id"]}
    assert "malformed id" in reasons[bad_id["id"]]
    assert "modified" in reasons[bad_time["id"]]
    assert "'pattern'" in reasons[missing["id"]]
    human = initialised("ingest", bundle)
    assert human.exit_code == 1
    assert "indicator--22222222-2222-4222-8222-222222222222" in human.stderr
    assert "0 added, 1000 unchanged, 3 rejected" in human.stderr


def test_show_lists_every_version(initialised: Kawan, tmp_path: Path) -> None:
    obj = _objects(EXAMPLES[0])[0]
    newer = {**obj, "modified": "2030-01-01T00:00:00.000Z"}
    for n, version in enumerate((obj, newer)):
        path = tmp_path / f"v{n}.json"
        path.write_bytes(orjson.dumps(version))
        assert initialised("ingest", path).exit_code == 0
    result = initialised("show", "--json", obj["id"])
    assert result.exit_code == 0
    shown = orjson.loads(result.stdout)
    assert [v["object"]["modified"] for v in shown][-1] == "2030-01-01T00:00:00.000Z"
    assert [v["latest"] for v in shown] == [False, True]


def test_show_an_unknown_id_exits_1(initialised: Kawan) -> None:
    result = initialised("show", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")
    assert result.exit_code == 1
    assert "no object indicator--8e2e2d2b" in result.stderr


def test_ingest_before_init_cannot_run(kawan: Kawan) -> None:
    result = kawan("ingest", EXAMPLES[0])
    assert result.exit_code == 3
    assert "kawan init" in result.stderr


def test_unknown_marking_is_a_usage_error(initialised: Kawan) -> None:
    result = initialised("ingest", "--marking", "purple", EXAMPLES[0])
    assert result.exit_code == 2
    assert "unknown TLP" in result.stderr


def test_not_json_is_rejected_with_its_position(initialised: Kawan, tmp_path: Path) -> None:
    lines = tmp_path / "feed.jsonl"
    lines.write_text(
        orjson.dumps(_good(1)).decode() + "\n{oops\n" + orjson.dumps(_good(2)).decode() + "\n"
    )
    result = initialised("ingest", "--json", lines)
    assert result.exit_code == 1
    summary = orjson.loads(result.stdout)
    assert summary["added"] == 2
    assert [r["line"] for r in summary["rejected"]] == [2]


def test_search_by_type_and_text(initialised: Kawan) -> None:
    initialised("ingest", *EXAMPLES)
    result = initialised("search", "--json", "--type", "malware", "--text", "poison")
    assert result.exit_code == 0
    found = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert found and all(o["type"] == "malware" for o in found)
    assert any("poison" in o["name"].lower() for o in found)
