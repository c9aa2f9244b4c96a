"""A partner answering garbage: each kind is retried (transport errors, 5xx) or refused at
once, named in the partner's status, and a failing partner waits longer before the next
try; the other partner is synced as usual, in the same run."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kawan.accounts import service
from kawan.errors import PeerError
from kawan.node import Node
from kawan.sharing.sync import Options, Outcome, linked_partners, sync_all
from kawan.sharing.sync_client import MT, Peer
from kawan.sharing.sync_link import status
from kawan.sharing.sync_secret import seal
from kawan.store import sync as sync_store
from kawan.store.engine import writing
from kawan.store.sync import Link
from tests.sync.nodes import FAST, GREEN, Pair, ids, indicator, make_pair
from tests.taxii.sites import stop_server, store

GARBLED = "identity--0000c0de-0000-4000-8000-0000000000ff"
CID = "2f1f4a57-0b4f-4a61-9a4b-2a7d6a3e0c11"


@dataclass
class Garbage:
    """A TAXII-looking server whose objects endpoint answers `mode`."""

    mode: str
    hits: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/taxii2/"

    def answer(self, path: str) -> tuple[int, str, bytes]:
        self.hits.append(path)
        if path == "/taxii2/":
            return 200, MT, json.dumps({"title": "t", "default": "/api/"}).encode()
        if path == "/api/collections/":
            listed = {"id": CID, "title": "c", "can_read": True, "can_write": False}
            return 200, MT, json.dumps({"collections": [listed]}).encode()
        return ANSWERS[self.mode]


ANSWERS: dict[str, tuple[int, str, bytes]] = {
    "not-json": (200, MT, b"<html>Service temporarily unavailable</html>"),
    "wrong-type": (200, "text/html", b'{"objects": []}'),
    "http-500": (500, MT, b'{"title": "boom"}'),
    "broken-envelope": (200, MT, b'{"more": false, "objects": [1, "two"]}'),
}


@contextmanager
def serving(garbage: Garbage) -> Iterator[Garbage]:
    serve(garbage)
    assert garbage.server is not None
    try:
        yield garbage
    finally:
        garbage.server.shutdown()
        garbage.server.server_close()


def serve(garbage: Garbage) -> None:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            code, kind, body = garbage.answer(self.path.split("?")[0])
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-TAXII-Date-Added-Last", "2026-12-01T00:00:00.000000Z")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    garbage.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=garbage.server.serve_forever, daemon=True).start()


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    made = make_pair(tmp_path)
    yield made
    for side in (made.a, made.b):
        stop_server(side.running)
        side.node.engine.dispose()


def link_garbage(pair: Pair, garbage: Garbage) -> None:
    engine = pair.a.node.engine
    service.add_partner(engine, "Garbled CERT", "KH", agency_id=GARBLED)
    sealed = seal(pair.a.key, "token")
    with writing(engine) as conn:
        sync_store.put_link(conn, Link(GARBLED, garbage.url, None, sealed, None, 0))


EXPECTED = {
    "not-json": "is not JSON",
    "wrong-type": "answered text/html, not TAXII JSON",
    "http-500": "HTTP 500 (after 2 attempts)",
    "broken-envelope": "'objects' is not a list of objects",
}


@pytest.mark.parametrize("mode", sorted(ANSWERS))
def test_garbage_is_a_clear_error_and_the_other_partner_syncs(pair: Pair, mode: str) -> None:
    th = indicator("th-after-garbage", GREEN, created_by_ref=pair.b.home)
    store(pair.b.node, [th])
    with serving(Garbage(mode)) as garbage:
        link_garbage(pair, garbage)
        outcomes = {o.agency_id: o for o in sync_all(pair.a.node, pair.a.key, FAST)}
        first = status(pair.a.node.engine)
        tries = garbage.hits.count(f"/api/collections/{CID}/objects/")
        sync_all(pair.a.node, pair.a.key, FAST, "Garbled CERT")

    bad, good = outcomes[GARBLED], outcomes[pair.b.home]
    assert bad.error is not None and EXPECTED[mode] in bad.error
    assert good.error is None and th["id"] in ids(pair.a.node)
    assert tries == (FAST.retries + 1 if mode == "http-500" else 1)  # only 5xx is retried
    [row] = [s for s in first if s.agency.agency_id == GARBLED]
    assert (row.link_state, row.state.last_error, row.state.failures) == (
        "failing",
        bad.error,
        1,
    )
    first_wait, first_attempt = row.state.next_attempt, row.state.last_attempt
    assert first_wait is not None and first_attempt is not None
    [row] = [s for s in status(pair.a.node.engine) if s.agency.agency_id == GARBLED]
    assert row.state.failures == 2 and row.state.next_attempt is not None
    second_wait = row.state.next_attempt - (row.state.last_attempt or 0)
    assert second_wait > 1.5 * (first_wait - first_attempt)  # the wait doubles per failure


def test_retries_back_off_exponentially() -> None:
    waits: list[float] = []
    with serving(Garbage("http-500")) as garbage:
        peer = Peer(garbage.url, "t", retries=3, backoff=0.5, wait=waits.append)
        root = garbage.url.replace("/taxii2/", "/api/")
        try:
            with pytest.raises(PeerError, match=r"HTTP 500 \(after 4 attempts\)"):
                peer.page(root, CID, None, None, 10)
        finally:
            peer.close()
    assert waits == [0.5, 1.0, 2.0]
    assert len(garbage.hits) == 4


def test_broken_objects_are_refused_named_in_the_status_and_the_rest_stored(
    pair: Pair,
) -> None:
    good = indicator("kh-good", GREEN, created_by_ref=GARBLED)
    broken = {**indicator("kh-broken", GREEN, created_by_ref=GARBLED)}
    del broken["pattern"]
    page = json.dumps({"more": False, "objects": [good, broken]}).encode()
    ANSWERS["broken-objects"] = (200, MT, page)
    try:
        with serving(Garbage("broken-objects")) as garbage:
            link_garbage(pair, garbage)
            outcomes = {o.agency_id: o for o in sync_all(pair.a.node, pair.a.key, FAST)}
    finally:
        del ANSWERS["broken-objects"]
    outcome = outcomes[GARBLED]
    assert (outcome.error, outcome.pulled, outcome.rejected) == (None, 1, 1)
    assert good["id"] in ids(pair.a.node) and broken["id"] not in ids(pair.a.node)
    [row] = [s for s in status(pair.a.node.engine) if s.agency.agency_id == GARBLED]
    assert row.link_state == "ok"
    assert row.state.last_error is not None
    assert row.state.last_error.startswith("1 objects refused: ")
    assert broken["id"] in row.state.last_error and "pattern" in row.state.last_error


def test_a_slow_partner_delays_no_other(pair: Pair) -> None:
    """The slow partner answers only once the other partner's sync has succeeded: synced
    one after another (slow first), this run could never end."""
    release = threading.Event()
    slow = Garbage("slow")
    ANSWERS["slow"] = (200, MT, b'{"more": false, "objects": []}')
    original = slow.answer

    def held_back(path: str) -> tuple[int, str, bytes]:
        release.wait(60)
        return original(path)

    slow.answer = held_back  # type: ignore[method-assign]
    th = indicator("th-while-slow", GREEN, created_by_ref=pair.b.home)
    store(pair.b.node, [th])
    try:
        with serving(slow):
            link_garbage(pair, slow)
            order = [p.agency_id for p, _ in linked_partners(pair.a.node.engine)]
            assert order.index(GARBLED) < order.index(pair.b.home)  # the slow one first
            found: list[list[Outcome]] = []
            run = threading.Thread(target=lambda: found.append(sync_all(*a_run(pair))))
            run.start()
            deadline = time.monotonic() + 30
            while th["id"] not in ids(pair.a.node) and time.monotonic() < deadline:
                time.sleep(0.05)  # a poll interval, bounded by the deadline
            synced_meanwhile = th["id"] in ids(pair.a.node)
            release.set()
            run.join(60)
    finally:
        del ANSWERS["slow"]
    assert synced_meanwhile
    assert [o.error for o in found[0]] == [None, None]


def a_run(pair: Pair) -> tuple[Node, bytes, Options]:
    return pair.a.node, pair.a.key, replace(FAST, parallel=2, timeout=90)
