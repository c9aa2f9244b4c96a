"""The stored audit trail on SQLite and PostgreSQL: append, concurrent writers, tamper."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import orjson
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from kawan.audit import trail
from kawan.cli import app
from kawan.errors import InvalidInput
from kawan.node import Node
from kawan.store.engine import writing
from kawan.store.schema import audit


def _env(node: Node) -> dict[str, str]:
    return {"KAWAN_HOME": str(node.settings.home), "KAWAN_DATABASE_URL": node.settings.database_url}


def _fill(node: Node, count: int) -> None:
    for n in range(count):
        trail.record(node.engine, actor="cli:test", action="user.add", target=f"user:{n}",
                     source="local", detail={"n": n})  # fmt: skip


def test_entries_chain_and_commit_with_the_callers_write(node: Node) -> None:
    _fill(node, 3)
    with pytest.raises(RuntimeError), writing(node.engine) as conn:
        trail.record(conn, actor="a", action="b", target="c", source="d")
        raise RuntimeError("the caller's write fails")
    entries = trail.newest(node.engine, limit=10)
    assert [e.seq for e in entries] == [3, 2, 1]
    assert entries[0].prev_hash == entries[1].hash
    verdict = trail.verify_stored(node.engine, batch=2)
    assert verdict.broken is None and verdict.checked == 3 and verdict.last_seq == 3


def test_outcome_is_checked(node: Node) -> None:
    with pytest.raises(InvalidInput):
        trail.record(node.engine, actor="a", action="b", target="c", source="d", outcome="maybe")


def test_concurrent_writers_keep_one_chain(node: Node) -> None:
    def write(n: int) -> None:
        trail.record(node.engine, actor="anon", action="authenticate", target=str(n),
                     source="203.0.113.9", outcome="failed")  # fmt: skip

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(write, range(30)))
    verdict = trail.verify_stored(node.engine, batch=7)
    assert verdict.broken is None and verdict.checked == 30


def test_tampering_with_one_row_makes_verify_exit_1_and_name_it(node: Node) -> None:
    _fill(node, 6)
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify"], env=_env(node))
    assert intact.exit_code == 0, intact.output
    assert "intact: 6 entries" in intact.stdout
    with writing(node.engine) as conn:
        conn.execute(update(audit).where(audit.c.seq == 4).values(detail='{"n": 99}'))
    broken = runner.invoke(app, ["audit", "verify"], env=_env(node))
    assert broken.exit_code == 1
    assert "seq 4" in broken.stdout and "altered" in broken.stdout
    as_json = runner.invoke(app, ["audit", "verify", "--json"], env=_env(node))
    verdict = orjson.loads(as_json.stdout)
    assert as_json.exit_code == 1 and verdict["broken"]["seq"] == 4 and verdict["checked"] == 3


def test_a_deleted_row_is_named_by_the_next(node: Node) -> None:
    _fill(node, 4)
    with writing(node.engine) as conn:
        conn.execute(audit.delete().where(audit.c.seq == 2))
    verdict = trail.verify_stored(node.engine)
    assert verdict.broken is not None and verdict.broken.seq == 3


def test_detail_that_is_no_longer_json_is_reported_not_crashed_on(node: Node) -> None:
    _fill(node, 2)
    with writing(node.engine) as conn:
        conn.execute(update(audit).where(audit.c.seq == 1).values(detail="not json"))
    verdict = trail.verify_stored(node.engine)
    assert verdict.broken is not None and verdict.broken.seq == 1
