"""`kawan match` from the command line."""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.cli.conftest import Kawan, initialised, kawan  # noqa: F401

BUNDLE = {
    "type": "bundle",
    "id": "bundle--6f8a9c52-4d0e-4a41-9d4f-9ad1d3b1e0a1",
    "objects": [
        {
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--5d1c9a44-2f7e-4f2a-8d7e-5a1e8d1b2c3d",
            "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
            "pattern": "[domain-name:value = 'evil.com']", "pattern_type": "stix",
            "valid_from": "2026-01-01T00:00:00.000Z",
        }
    ],
}  # fmt: skip


def test_match_prints_hits_as_json_lines(initialised: Kawan, tmp_path: Path) -> None:  # noqa: F811
    bundle = tmp_path / "bundle.json"
    bundle.write_bytes(orjson.dumps(BUNDLE))
    assert initialised("ingest", bundle).exit_code == 0
    log = tmp_path / "access.log"
    log.write_text(
        "1767225600.123    45 10.0.0.1 TCP_MISS/200 512 CONNECT www.evil.com:443 - "
        "HIER_DIRECT/1.2.3.4 -\n1767225600.124    45 10.0.0.1 TCP_MISS/200 5 GET "
        "http://notevil.com/ - HIER_DIRECT/1.2.3.4 -\n"
    )
    result = initialised("match", "--json", "--processes", "1", log)
    assert result.exit_code == 0, result.output
    hits = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(h["line"], h["field"], h["value"]) for h in hits] == [(1, "url", "www.evil.com")]
    assert hits[0]["indicator"] == BUNDLE["objects"][0]["id"]  # type: ignore[index]


def test_usage_errors_exit_2(initialised: Kawan, tmp_path: Path) -> None:  # noqa: F811
    assert initialised("match", "--format", "nope", tmp_path).exit_code == 2
    assert initialised("match", tmp_path / "missing.log").exit_code == 2


def test_no_hits_is_success(initialised: Kawan, tmp_path: Path) -> None:  # noqa: F811
    log = tmp_path / "empty.log"
    log.write_text("nothing here\n")
    assert initialised("match", "--processes", "1", log).exit_code == 0
