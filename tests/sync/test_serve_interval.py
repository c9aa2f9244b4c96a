"""`kawan serve` syncs on its own every KAWAN_SYNC_INTERVAL seconds: an object made at the
partner after the server started reaches this node with no `kawan sync` run."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from kawan.store import sync as sync_store
from kawan.store.engine import reading
from tests.sync.nodes import GREEN, ids, indicator, make_pair
from tests.taxii.sites import stop_server, store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_syncs_on_its_interval(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    settings = pair.a.node.settings
    env = {
        **os.environ,
        "KAWAN_HOME": str(settings.home),
        "KAWAN_DATABASE_URL": settings.database_url,
        "KAWAN_PORT": str(free_port()),
        "KAWAN_SYNC_INTERVAL": "0.5",
    }
    kawan = str(Path(sys.executable).with_name("kawan"))
    log = tmp_path / "serve.log"
    try:
        with log.open("wb") as sink:
            server = subprocess.Popen([kawan, "serve"], env=env, stdout=sink, stderr=sink)
        try:
            late = indicator("th-late", GREEN, created_by_ref=pair.b.home)
            store(pair.b.node, [late])  # after serve started: only its interval sync brings it
            deadline = time.monotonic() + 60
            while late["id"] not in ids(pair.a.node) and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text()
                time.sleep(0.1)  # a poll interval, bounded by the deadline
            assert late["id"] in ids(pair.a.node), log.read_text()
            with reading(pair.a.node.engine) as conn:
                state = sync_store.state_of(conn, pair.b.home)
            assert state.last_success is not None and state.last_error is None
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        for side in (pair.a, pair.b):
            stop_server(side.running)
            side.node.engine.dispose()
