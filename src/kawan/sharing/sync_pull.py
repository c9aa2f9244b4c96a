"""Pull one partner collection (I/O): fetch, validate and store overlapped, a committed
cursor per transaction.

Three things happen at once: a thread fetches the next pages (`sync_pipe.ahead`); worker
processes validate the pages fetched (`kawan ingest`'s `prepare_payload`, when a pool is
given); this thread stores the validated pages in order. Pages are stored together until a
transaction holds `COMMIT_EVERY` objects (each commit writes every index page it touched),
and the cursor moves to the last page's `X-TAXII-Date-Added-Last` in that same
transaction: killed at any point, the next run asks again from the last committed cursor,
and storing is idempotent, so nothing is lost and nothing is stored twice.

A `kawan-group` version from the group's owner that is accepted changes how AMBER objects
naming the group are recorded: the pages prepared ahead are dropped and the pull goes on
from the committed cursor with the node's new group markings.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, Protocol

import orjson
from sqlalchemy import Engine

from kawan.errors import PeerError
from kawan.ingest.prepare import Receipt, Wire, from_wire
from kawan.ingest.run import COMMIT_EVERY, Prepared, Rejection, prepare_batch, prepare_payload
from kawan.ingest.stream import Item
from kawan.sharing import sync_plan as plan
from kawan.sharing.groups import Group, accept, carried_markings
from kawan.sharing.sync_client import Peer, Remote
from kawan.sharing.sync_pipe import ahead
from kawan.stix.timestamps import now_us
from kawan.store import groups as group_table
from kawan.store import objects as repo
from kawan.store import sync as sync_store
from kawan.store.engine import checkpoint, reading, writing
from kawan.store.sync import PULL

SOURCE = "sync"
IN_FLIGHT = 4  # pages handed to the validation workers ahead of the one being stored
NOTED = 5  # refusals kept (with their reason) for the partner's status


class Counts(Protocol):
    """Where a pull counts what it did (sync.Outcome)."""

    agency_id: str
    pulled: int
    rejected: int
    refusals: list[str]  # why, for the first few


@dataclass(frozen=True)
class Pace:
    page_size: int = 1000
    ahead: int = 2  # pages fetched while the current one is stored (0: none)
    commit_every: int = COMMIT_EVERY  # objects stored per transaction (whole pages) …
    pages_per_commit: int = 10  # … or at most so many pages (small pages commit often)


@dataclass
class Page:
    """A fetched page, validated: what to store, and where the cursor goes after it."""

    position: str
    prepared: Prepared
    carried: bool  # holds a group version from its owner


def pull_collection(
    engine: Engine,
    peer: Peer,
    root: str,
    collection: Remote,
    receipt: Receipt,
    counts: Counts,
    pace: Pace,
    pool: ProcessPoolExecutor | None = None,
) -> None:
    """Pull one partner collection after its cursor, to its end."""
    while _pull(engine, peer, root, collection, receipt, counts, pace, pool):
        with reading(engine) as conn:  # a group arrived: AMBER naming it is its now
            receipt = replace(receipt, group_markings=group_table.group_markings(conn))


def _pull(
    engine: Engine,
    peer: Peer,
    root: str,
    collection: Remote,
    receipt: Receipt,
    counts: Counts,
    pace: Pace,
    pool: ProcessPoolExecutor | None,
) -> bool:
    """Pull from the committed cursor; True when stopped early because a group arrived."""
    with reading(engine) as conn:
        after = sync_store.cursor(conn, counts.agency_id, PULL, collection.id)
    fetched = ahead(remote_pages(peer, root, collection.id, after, pace.page_size), pace.ahead)
    stopped = False
    try:
        validated = _validated(fetched, receipt, pool)
        for pages in _transactions(validated, pace.commit_every, pace.pages_per_commit):
            if store_pages(engine, pages, collection.id, counts):
                stopped = True
                break
    finally:
        fetched.close()  # stops the fetching thread if we stop early
    checkpoint(engine)  # the bulk transactions left it to the end
    return stopped


def remote_pages(
    peer: Peer, root: str, cid: str, after: str | None, size: int
) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """The objects of each page of the partner collection after `after`, with the page's
    position (X-TAXII-Date-Added-Last), following `next`."""
    token: str | None = None
    while True:
        page = peer.page(root, cid, after, token, size)
        if page.objects:
            if page.last_added is None:
                raise PeerError(
                    f"{root}collections/{cid}/objects/ sent objects without "
                    "X-TAXII-Date-Added-Last: no cursor to resume from"
                )
            yield page.objects, page.last_added
        if not page.more or not page.objects:
            return
        token = page.next
        if token is None:  # a server that pages by added_after only
            after = page.last_added


# ---- validation ------------------------------------------------------------------------

Pending = tuple[list[dict[str, Any]], str, Receipt, "Future[list[Wire | str]] | None"]


def _validated(
    fetched: Iterator[tuple[list[dict[str, Any]], str]],
    receipt: Receipt,
    pool: ProcessPoolExecutor | None,
) -> Iterator[Page]:
    """Each page validated, in order: by the pool's workers, up to IN_FLIGHT pages ahead."""
    pending: deque[Pending] = deque()
    for objs, position in fetched:
        mine = _with_carried(receipt, objs)
        pending.append((objs, position, mine, _submit(pool, objs, mine)))
        if len(pending) > (IN_FLIGHT if pool is not None else 0):
            yield _received(*pending.popleft())
    while pending:
        yield _received(*pending.popleft())


def _with_carried(receipt: Receipt, objs: list[dict[str, Any]]) -> Receipt:
    carried = carried_markings(objs, receipt.origin)
    if not carried:
        return receipt
    return replace(receipt, group_markings={**carried, **receipt.group_markings})


def _submit(
    pool: ProcessPoolExecutor | None, objs: list[dict[str, Any]], receipt: Receipt
) -> Future[list[Wire | str]] | None:
    if pool is None:
        return None
    try:
        payload = orjson.dumps(objs)
    except orjson.JSONEncodeError:
        return None  # e.g. an integer beyond 64 bits: validated here, where it fails the same
    return pool.submit(prepare_payload, payload, receipt)


def _received(
    objs: list[dict[str, Any]],
    position: str,
    receipt: Receipt,
    future: Future[list[Wire | str]] | None,
) -> Page:
    items = [Item(n, obj) for n, obj in enumerate(objs, 1)]
    carried = bool(carried_markings(objs, receipt.origin))
    if future is None:
        return Page(position, prepare_batch(items, receipt, SOURCE), carried)
    prepared = Prepared()
    for item, answer in zip(items, future.result(), strict=True):
        if isinstance(answer, str):
            oid = item.obj.get("id") if isinstance(item.obj.get("id"), str) else None
            prepared.summary.rejected.append(Rejection(SOURCE, item.number, oid, answer))
        else:
            prepared.ready.append((item, from_wire(item.obj, receipt, answer)))
    return Page(position, prepared, carried)


# ---- storing ---------------------------------------------------------------------------


def _transactions(pages: Iterator[Page], size: int, most: int) -> Iterator[list[Page]]:
    """Whole pages, joined until they hold `size` objects or are `most` pages; a page
    holding a group version ends its transaction (what follows may be recorded
    differently)."""
    group: list[Page] = []
    held = 0
    for page in pages:
        group.append(page)
        held += len(page.prepared.ready)
        if held >= size or len(group) >= most or page.carried:
            yield group
            group, held = [], 0
    if group:
        yield group


def store_pages(
    engine: Engine, pages: list[Page], collection_id: str, counts: Counts
) -> list[Group]:
    """Store pages and move the cursor past the last, in one transaction; apply the
    sharing-group versions among them that came from their owner (returned)."""
    ready = [incoming for page in pages for _, incoming in page.prepared.ready]
    with writing(engine, bulk=True) as conn:  # checkpointed at the end of the pull
        fresh = plan.unseen(ready, sync_store.held(conn, {i.meta.id for i in ready}))
        results = repo.put_batch(conn, fresh)
        added = [i for i, r in zip(fresh, results, strict=True) if r.outcome == "added"]
        applied = accept(conn, ready) if any(p.carried for p in pages) else []
        position = pages[-1].position
        sync_store.advance(
            conn, counts.agency_id, PULL, collection_id, position, len(added), now_us()
        )
    counts.pulled += len(added)
    refused = [r.describe() for p in pages for r in p.prepared.summary.rejected]
    refused += [f"{r.id}: {r.reason}" for r in results if r.outcome == "rejected"]
    counts.rejected += len(refused)
    counts.refusals.extend(refused[: max(0, NOTED - len(counts.refusals))])
    return applied
