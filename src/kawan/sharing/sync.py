"""Sync with partner nodes (I/O): pull each partner collection, push what the policy lets
the partner see, record the outcome per partner.

Pull: pages of `match[version]=all` after the stored `added_after` cursor; each page is
stored and the cursor moved past it in one transaction, so a run killed at any point
resumes from the last committed page with nothing lost and nothing stored twice. Objects
keep the partner as origin and their own markings.

Push: the local collections the partner reads, walked after a push cursor; every version
goes through `Access(engine, Viewer.partner(agency)).allowed` (the one policy) before it
is sent, so RED never leaves, AMBER reaches only members of its groups and AMBER+STRICT
only leaves its origin. A page sent twice (killed before its cursor was saved) is
harmless: the partner holds those versions already.

Corrections travel the same way: a revocation is a new version and a tombstone carries its
target's markings, so both enter the collections the target was in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from kawan.accounts.records import AgencyRow
from kawan.accounts.service import list_partners
from kawan.errors import KawanError, NotFound, PeerError
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import prepare_batch
from kawan.ingest.stream import Item
from kawan.node import Node
from kawan.sharing import sync_plan as plan
from kawan.sharing.groups import list_groups
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.sharing.sync_client import Peer, Remote
from kawan.sharing.sync_secret import unseal
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import collections
from kawan.store import objects as repo
from kawan.store import sync as sync_store
from kawan.store.engine import reading, writing
from kawan.store.sync import PULL, PUSH, Link

SOURCE = "sync"
RECORDED = Tlp.GREEN  # the marking recorded for unmarked objects a partner sends


@dataclass(frozen=True)
class Options:
    page_size: int = 1000
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    interval_us: int = 300 * 1_000_000  # for the retry schedule of a failing partner
    verify: bool | str = True


@dataclass
class Outcome:
    """One partner's run."""

    agency_id: str
    name: str
    pulled: int = 0
    pushed: int = 0
    rejected: int = 0
    error: str | None = None
    notes: list[str] = field(default_factory=list)


Report = Callable[[Outcome], None]


def peer_for(link: Link, key: bytes, options: Options) -> Peer:
    return Peer(
        link.url,
        unseal(key, link.sealed_token),
        link.auth_user,
        timeout=options.timeout,
        retries=options.retries,
        backoff=options.backoff,
        verify=options.verify,
    )


def linked_partners(engine: Engine, name: str | None = None) -> list[tuple[AgencyRow, Link]]:
    """Partners with a link, or the one named (NotFound if it has no link)."""
    with reading(engine) as conn:
        by_id = {link.agency_id: link for link in sync_store.links(conn)}
    found = [(p, by_id[p.agency_id]) for p in list_partners(engine) if p.agency_id in by_id]
    if name is None:
        return found
    wanted = [(p, link) for p, link in found if name.casefold() in (p.name.casefold(), p.agency_id)]
    if not wanted:
        raise NotFound(
            f"no linked partner {name!r}: link it with `kawan partner add NAME --url URL "
            "--token T`",
            field="partner",
        )
    return wanted


def sync_all(
    node: Node,
    key: bytes,
    options: Options,
    name: str | None = None,
    *,
    only_due: bool = False,
    report: Report | None = None,
) -> list[Outcome]:
    """Sync every linked partner (or the one named), one after another; a partner that
    fails is recorded as failed and does not stop the others."""
    outcomes = []
    for partner, link in linked_partners(node.engine, name):
        if only_due and not _due(node.engine, partner.agency_id):
            continue
        outcome = sync_partner(node, partner, link, key, options)
        outcomes.append(outcome)
        if report is not None:
            report(outcome)
    return outcomes


def _due(engine: Engine, agency_id: str) -> bool:
    with reading(engine) as conn:
        return plan.due(sync_store.state_of(conn, agency_id).next_attempt, now_us())


def sync_partner(
    node: Node, partner: AgencyRow, link: Link, key: bytes, options: Options
) -> Outcome:
    outcome = Outcome(partner.agency_id, partner.name)
    with writing(node.engine) as conn:
        sync_store.record_attempt(conn, partner.agency_id, now_us())
    peer = peer_for(link, key, options)
    try:
        _exchange(node, peer, link, outcome, options)
    except Exception as exc:  # one partner failing must not stop the others
        outcome.error = exc.describe() if isinstance(exc, KawanError) else f"{exc!r}"
        _failed(node.engine, partner.agency_id, outcome.error, options)
    else:
        with writing(node.engine) as conn:
            sync_store.record_success(conn, partner.agency_id, now_us())
    finally:
        peer.close()
    return outcome


def _failed(engine: Engine, agency_id: str, error: str, options: Options) -> None:
    with writing(engine) as conn:
        failures = sync_store.state_of(conn, agency_id).failures + 1
        later = plan.retry_at(now_us(), failures, options.interval_us)
        sync_store.record_failure(conn, agency_id, error, later)


def _exchange(node: Node, peer: Peer, link: Link, outcome: Outcome, options: Options) -> None:
    root = peer.api_root()
    remote = peer.collections(root)
    receipt = node.receipt(outcome.agency_id, RECORDED)
    for collection in plan.inbound(remote):
        pull_collection(node.engine, peer, root, collection, receipt, outcome, options)
    local = plan.readable_by(list_groups(node.engine), outcome.agency_id)
    access = Access(node.engine, Viewer.partner(outcome.agency_id))
    for target in plan.outbound(local, remote, link.push_to):
        if target.remote is None:
            outcome.notes.append(f"the partner has no writable collection for {target.title}")
            continue
        push_collection(access, peer, root, target, outcome, options)


# ---- pull ------------------------------------------------------------------------------


def pull_collection(
    engine: Engine,
    peer: Peer,
    root: str,
    collection: Remote,
    receipt: Receipt,
    outcome: Outcome,
    options: Options,
) -> None:
    """Pull one partner collection after its cursor, a committed page at a time."""
    with reading(engine) as conn:
        after = sync_store.cursor(conn, outcome.agency_id, PULL, collection.id)
    token: str | None = None
    while True:
        page = peer.page(root, collection.id, after, token, options.page_size)
        if page.objects:
            if page.last_added is None:
                raise PeerError(
                    f"{root}collections/{collection.id}/objects/ sent objects without "
                    "X-TAXII-Date-Added-Last: no cursor to resume from"
                )
            store_page(engine, page.objects, receipt, collection.id, page.last_added, outcome)
        if not page.more or not page.objects:
            return
        token = page.next
        if token is None:  # a server that pages by added_after only
            after = page.last_added


def store_page(
    engine: Engine,
    objs: list[dict[str, Any]],
    receipt: Receipt,
    collection_id: str,
    position: str,
    outcome: Outcome,
) -> None:
    """Store a page and move the cursor past it, in one transaction."""
    prepared = prepare_batch([Item(n, o) for n, o in enumerate(objs, 1)], receipt, SOURCE)
    ready = [incoming for _, incoming in prepared.ready]
    with writing(engine) as conn:
        fresh = plan.unseen(ready, sync_store.held(conn, {i.meta.id for i in ready}))
        results = repo.put_batch(conn, fresh)
        added = sum(1 for r in results if r.outcome == "added")
        sync_store.advance(conn, outcome.agency_id, PULL, collection_id, position, added, now_us())
    outcome.pulled += added
    outcome.rejected += len(prepared.summary.rejected) + sum(
        1 for r in results if r.outcome == "rejected"
    )


# ---- push ------------------------------------------------------------------------------


def push_collection(
    access: Access,
    peer: Peer,
    root: str,
    target: plan.Outbound,
    outcome: Outcome,
    options: Options,
) -> None:
    """Send what the policy lets the partner see of one local collection, after the push
    cursor; the cursor moves once the partner has answered for a page."""
    engine, partner = access.engine, outcome.agency_id
    with reading(engine) as conn:
        saved = sync_store.cursor(conn, partner, PUSH, target.local)
    after = None if saved is None else int(saved)
    while True:
        with reading(engine) as conn:
            scan = collections.scan(
                conn, collections.Scan(target.local, after=after, limit=options.page_size)
            )
            allowed = access.allowed(conn, [e.version for e in scan])
        if not scan:
            return
        send = plan.outgoing(allowed, partner)
        accepted = 0
        if send and target.remote is not None:
            posted = peer.post(root, target.remote, [v.json.encode() for v in send])
            accepted = posted.success
            outcome.rejected += posted.failure
        after = scan[-1].entered
        with writing(engine) as conn:
            sync_store.advance(conn, partner, PUSH, target.local, str(after), accepted, now_us())
        outcome.pushed += accepted
        if len(scan) < options.page_size:
            return
