"""Sync with partner nodes (I/O): pull each partner collection, push what the policy lets
the partner see, record the outcome per partner.

Pull: pages of `match[version]=all` after the stored `added_after` cursor; each page is
stored and the cursor moved past it in one transaction, so a run killed at any point
resumes from the last committed page with nothing lost and nothing stored twice. Objects
keep the partner as origin and their own markings.

Pages are fetched ahead by a thread (`sync_pipe.ahead`) while the current one is stored;
partners are synced at the same time (`Options.parallel`, each on its own connection), so
one slow partner delays no other.

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
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field

from sqlalchemy import Engine

from kawan.accounts.records import AgencyRow
from kawan.accounts.service import list_partners
from kawan.errors import KawanError, NotFound
from kawan.node import Node
from kawan.sharing import sync_plan as plan
from kawan.sharing.groups import Group, group_object_id, list_groups
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.sharing.sync_client import Peer
from kawan.sharing.sync_pull import NOTED, Pace, pull_collection
from kawan.sharing.sync_secret import unseal
from kawan.sharing.sync_workers import validation_pool
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import collections
from kawan.store import sync as sync_store
from kawan.store.collections import COMMUNITY
from kawan.store.engine import reading, writing
from kawan.store.sync import PUSH, Link
from kawan.store.versions import latest_of

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
    parallel: int = 4  # partners synced at the same time
    ahead: int = 2  # pages fetched while the current ones are validated and stored
    workers: int = 0  # processes validating pulled pages (0: this process)

    @property
    def pace(self) -> Pace:
        return Pace(self.page_size, self.ahead)


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
    refusals: list[str] = field(default_factory=list)  # the first few objects refused, why

    def refused_note(self) -> str | None:
        """For the status: how many objects were refused, and why the first were."""
        if not self.rejected:
            return None
        return f"{self.rejected} objects refused: " + "; ".join(self.refusals[:NOTED])


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
    """Sync every linked partner (or the one named), up to `options.parallel` at a time;
    a partner that fails is recorded as failed and does not stop or delay the others.
    Outcomes come back in the partners' order; `report` sees each as it ends."""
    chosen = [
        (partner, link)
        for partner, link in linked_partners(node.engine, name)
        if not only_due or _due(node.engine, partner.agency_id)
    ]
    with validation_pool(options.workers if chosen else 0) as pool:
        if len(chosen) <= 1 or options.parallel <= 1:
            return [
                _reported(sync_partner(node, p, link, key, options, pool), report)
                for p, link in chosen
            ]
        with ThreadPoolExecutor(min(options.parallel, len(chosen)), "kawan-sync") as threads:
            futures = [
                threads.submit(sync_partner, node, p, link, key, options, pool)
                for p, link in chosen
            ]
            for done in as_completed(futures):
                _reported(done.result(), report)
            return [f.result() for f in futures]


def _reported(outcome: Outcome, report: Report | None) -> Outcome:
    if report is not None:
        report(outcome)
    return outcome


def _due(engine: Engine, agency_id: str) -> bool:
    with reading(engine) as conn:
        return plan.due(sync_store.state_of(conn, agency_id).next_attempt, now_us())


def sync_partner(
    node: Node,
    partner: AgencyRow,
    link: Link,
    key: bytes,
    options: Options,
    pool: ProcessPoolExecutor | None = None,
) -> Outcome:
    outcome = Outcome(partner.agency_id, partner.name)
    with writing(node.engine) as conn:
        sync_store.record_attempt(conn, partner.agency_id, now_us())
    peer = peer_for(link, key, options)
    try:
        _exchange(node, peer, link, outcome, options, pool)
    except Exception as exc:  # one partner failing must not stop the others
        outcome.error = exc.describe() if isinstance(exc, KawanError) else f"{exc!r}"
        _failed(node.engine, partner.agency_id, outcome.error, options)
    else:
        with writing(node.engine) as conn:
            note = outcome.refused_note()
            sync_store.record_success(conn, partner.agency_id, now_us(), note)
    finally:
        peer.close()
    return outcome


def _failed(engine: Engine, agency_id: str, error: str, options: Options) -> None:
    with writing(engine) as conn:
        failures = sync_store.state_of(conn, agency_id).failures + 1
        later = plan.retry_at(now_us(), failures, options.interval_us)
        sync_store.record_failure(conn, agency_id, error, later)


def _exchange(
    node: Node,
    peer: Peer,
    link: Link,
    outcome: Outcome,
    options: Options,
    pool: ProcessPoolExecutor | None,
) -> None:
    root = peer.api_root()
    remote = peer.collections(root)
    receipt = node.receipt(outcome.agency_id, RECORDED)
    for collection in plan.inbound(remote):
        pull_collection(node.engine, peer, root, collection, receipt, outcome, options.pace, pool)
    groups = list_groups(node.engine)
    local = plan.readable_by(groups, outcome.agency_id)
    access = Access(node.engine, Viewer.partner(outcome.agency_id))
    unknown = plan.unknown_groups(groups, local, remote)
    if unknown and announce_groups(access, peer, root, unknown, outcome):
        remote = peer.collections(root)  # the partner's node now has their collections
    for target in plan.outbound(local, remote, link.push_to):
        if target.remote is None:
            outcome.notes.append(f"the partner has no writable collection for {target.title}")
            continue
        push_collection(access, peer, root, target, outcome, options)


def announce_groups(
    access: Access, peer: Peer, root: str, unknown: list[Group], outcome: Outcome
) -> bool:
    """Send the current version of groups the partner's (kawan) node does not have yet
    through its community collection, so that it makes their collections; only what
    the policy lets the partner see (the versions this node owns, if it is a member)."""
    ids = [group_object_id(g.group_id) for g in unknown]
    with reading(access.engine) as conn:
        allowed = access.allowed(conn, list(latest_of(conn, ids).values()))
    if not allowed:
        return False
    posted = peer.post(root, COMMUNITY, [v.json.encode() for v in allowed])
    outcome.pushed += posted.success
    outcome.rejected += posted.failure
    return posted.success > 0


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
            scan = collections.scan(conn, _after(target.local, after, partner, options))
            allowed = access.allowed(conn, [e.version for e in scan])
        if not scan:
            return
        send = plan.outgoing(allowed, partner)
        accepted = 0
        if send and target.remote is not None:
            posted = peer.post(root, target.remote, [v.json.encode() for v in send])
            accepted = posted.success
            outcome.rejected += posted.failure
            outcome.refusals.extend(f"by the partner: {m}" for m in posted.failures[:NOTED])
        after = scan[-1].entered
        with writing(engine) as conn:
            sync_store.advance(conn, partner, PUSH, target.local, str(after), accepted, now_us())
        outcome.pushed += accepted
        if len(scan) < options.page_size:
            return


def _after(local: str, after: int | None, partner: str, options: Options) -> collections.Scan:
    """The next page of a local collection worth sending: versions whose origin is the
    partner itself are left out in the query (`plan.outgoing` would drop them anyway)."""
    return collections.Scan(local, after=after, limit=options.page_size, not_origin=partner)
