"""The allowlist file: normalised entries, bad lines named, the demo's own list."""

from __future__ import annotations

from pathlib import Path

import pytest

from kawan.demo.fraud import allowlist_file
from kawan.errors import InvalidInput
from kawan.fraud.allowlist import load, parse
from kawan.node import Node
from kawan.store import allowlist as table
from kawan.store.engine import reading

GOOD = """kind,value,name,country,demo
phone,024 3000 0000,Demo Bank hotline,VN,yes
sender-id,dbs,DBS Bank SMS,,no
phone,not a phone,Broken,VN,no
domain,example.com,,,
"""


def test_entries_are_normalised_and_bad_lines_named() -> None:
    parsed = parse(GOOD, source="official.csv", loaded=1)
    assert [(e.kind, e.value, e.demo) for e in parsed.entries] == [
        ("phone", "+842430000000", True), ("sender-id", "DBS", False),
    ]  # fmt: skip
    assert [p.line for p in parsed.problems] == [4, 5]
    assert "names whose it is" in parsed.problems[1].message


def test_a_file_without_the_header_is_refused() -> None:
    with pytest.raises(InvalidInput, match="header"):
        parse("phone,0912345678,x\n", source="x", loaded=1)


def test_the_demo_allowlist_is_all_demo_data() -> None:
    parsed = parse(allowlist_file().read_text("utf-8"), source="demo", loaded=1)
    assert parsed.entries and not parsed.problems
    assert all(e.demo for e in parsed.entries)


def test_loading_replaces_the_list(node: Node, tmp_path: Path) -> None:
    first = tmp_path / "a.csv"
    first.write_text(GOOD, "utf-8")
    load(node.engine, first, loaded=1)
    load(node.engine, allowlist_file(), loaded=2)
    with reading(node.engine) as conn:
        held = table.every(conn)
    assert {e.source for e in held} == {"allowlist.csv"}
    with pytest.raises(InvalidInput, match="no entry"):
        (tmp_path / "empty.csv").write_text("kind,value,name\n", "utf-8")
        load(node.engine, tmp_path / "empty.csv", loaded=3)
