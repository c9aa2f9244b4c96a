"""`kawan sync` killed with SIGKILL after its first committed page, then run again, ends
in the state of an uninterrupted sync: nothing lost, nothing stored twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from kawan.sharing.sync import sync_all
from kawan.store.engine import reading
from kawan.store.schema import sync_state
from tests.sync.nodes import FAST, indicator, make_pair, versions
from tests.taxii.sites import stop_server, store

GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def objects_in(engine: object) -> int:
    with reading(engine) as conn:  # type: ignore[arg-type]
        row = conn.execute(select(sync_state.c.objects_in)).first()
    return 0 if row is None else int(row[0])


def test_killed_mid_way_then_run_again(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    try:
        many = [indicator(f"th-{n}", GREEN) for n in range(400)]
        store(pair.b.node, many)
        settings = pair.a.node.settings
        env = {
            **os.environ,
            "KAWAN_HOME": str(settings.home),
            "KAWAN_DATABASE_URL": settings.database_url,
        }
        before = objects_in(pair.a.node.engine)  # what linking the pair pulled already
        kawan = str(Path(sys.executable).with_name("kawan"))
        cmd = [kawan, "sync", "--page-size", "1"]
        log = tmp_path / "sync.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(cmd, env=env, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while objects_in(pair.a.node.engine) == before and time.monotonic() < deadline:
            assert proc.poll() is None, log.read_text()
            time.sleep(0.01)  # a poll interval, bounded by the deadline
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL
        half = objects_in(pair.a.node.engine)
        assert 0 < half - before < len(many)  # killed mid-way; what it counted it committed
        assert len(versions(pair.a.node)) == len(set(versions(pair.a.node)))

        [outcome] = sync_all(pair.a.node, pair.a.key, FAST)
        assert outcome.error is None, outcome.error
        held = versions(pair.a.node)
        assert {o["id"] for o in many} <= {v[0] for v in held}
        assert len(held) == len(set(held)) == len({(v[0], v[1]) for v in held})
        assert objects_in(pair.a.node.engine) == half + outcome.pulled
        [again] = sync_all(pair.a.node, pair.a.key, FAST)
        assert (again.pulled, versions(pair.a.node)) == (0, held)
    finally:
        for side in (pair.a, pair.b):
            stop_server(side.running)
            side.node.engine.dispose()
