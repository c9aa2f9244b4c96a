"""Linking a partner's node (I/O): check it over TAXII, record the link with its token
sealed, say what each side will share; and the per-partner sync status.

The check reads discovery, the API root's collections and — when the partner serves it —
its home agency's identity (kawan's discovery names the home agency as `contact`; its
identity is in the community collection). The identity's id becomes the partner's agency
id here, so the partner's objects, tombstones and AMBER+STRICT origin are recognised.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Engine, func, select

from kawan.accounts import service
from kawan.accounts.records import AgencyRow
from kawan.audit.trail import Who, record_as
from kawan.errors import Conflict, InvalidInput
from kawan.sharing import sync_plan as plan
from kawan.sharing.groups import list_groups
from kawan.sharing.sync_client import Peer, Remote
from kawan.sharing.sync_secret import seal
from kawan.stix.timestamps import now_us
from kawan.store import accounts as accounts_repo
from kawan.store import sync as sync_store
from kawan.store.collections import COMMUNITY
from kawan.store.engine import reading, writing
from kawan.store.schema import collection_entries
from kawan.store.sync import Link, State


@dataclass(frozen=True)
class Checked:
    """What the partner's node told us."""

    title: str
    api_root: str
    collections: list[Remote]
    identity: dict[str, Any] | None  # its home agency's identity, when it serves it


@dataclass(frozen=True)
class Linked:
    agency: AgencyRow
    checked: Checked
    we_send: list[tuple[plan.Outbound, int]]  # collection, entries it holds now
    we_receive: list[Remote]


def check(peer: Peer) -> Checked:
    found = peer.discovery()
    root = peer.api_root()
    remote = peer.collections(root)
    contact = found.get("contact")
    ident = _home_identity(peer, root, remote, contact) if isinstance(contact, str) else None
    return Checked(str(found.get("title", "")), root, remote, ident)


def _home_identity(peer: Peer, root: str, remote: list[Remote], name: str) -> dict[str, Any] | None:
    readable = {r.id for r in remote if r.can_read}
    if COMMUNITY not in readable:
        return None
    page = peer.page(root, COMMUNITY, None, None, 1000, types="identity")
    for obj in page.objects:
        if obj.get("name") == name and obj.get("identity_class") == "organization":
            return obj
    return None


@dataclass(frozen=True)
class LinkRequest:
    name: str
    url: str
    token: str
    user: str | None = None
    country: str | None = None
    agency_id: str | None = None
    push_to: str | None = None


def link_partner(engine: Engine, key: bytes, peer: Peer, request: LinkRequest, who: Who) -> Linked:
    """Check the partner's node, then record (or replace) the link."""
    checked = check(peer)
    agency = _agency(engine, request, checked, who)
    link = Link(
        agency.agency_id,
        request.url,
        request.user,
        seal(key, request.token),
        request.push_to,
        now_us(),
    )
    with writing(engine) as conn:
        sync_store.put_link(conn, link)
        accounts_repo.put_agency(conn, replace(agency, url=request.url))
        detail = {"url": request.url, "push_to": request.push_to, "title": checked.title}
        record_as(conn, who, "partner.link", f"agency:{agency.agency_id}", detail=detail)
    return Linked(agency, checked, _we_send(engine, agency, checked, request), _readable(checked))


def _agency(engine: Engine, request: LinkRequest, checked: Checked, who: Who) -> AgencyRow:
    """The partner's row: existing (its id must match what its node serves), or new."""
    served = None if checked.identity is None else str(checked.identity["id"])
    wanted = request.agency_id or served
    if request.agency_id and served and request.agency_id != served:
        raise Conflict(
            f"the node at {request.url} serves its home agency as {served}, not "
            f"{request.agency_id}",
            field="id",
        )
    with reading(engine) as conn:
        known = [a for a in accounts_repo.find_agency(conn, request.name) if a.is_partner]
    if known:
        if wanted and known[0].agency_id != wanted:
            raise Conflict(
                f"this node knows {request.name} as {known[0].agency_id}, but its node "
                f"serves {wanted}: the partner must be recorded under its own identity id",
                field="id",
            )
        return known[0]
    country = request.country or _country(checked.identity)
    if country is None:
        raise InvalidInput("give --country: the partner's node does not say", field="country")
    made = service.add_partner(
        engine, request.name, country, request.url, agency_id=wanted, who=who
    )
    return _row(engine, made)


def _country(identity: dict[str, Any] | None) -> str | None:
    value = None if identity is None else identity.get("x_kawan_country")
    return value if isinstance(value, str) else None


def _row(engine: Engine, agency_id: str) -> AgencyRow:
    with reading(engine) as conn:
        return accounts_repo.find_agency(conn, agency_id)[0]


def _we_send(
    engine: Engine, agency: AgencyRow, checked: Checked, request: LinkRequest
) -> list[tuple[plan.Outbound, int]]:
    local = plan.readable_by(list_groups(engine), agency.agency_id)
    targets = plan.outbound(local, checked.collections, request.push_to)
    with reading(engine) as conn:
        return [(t, _entries(conn, t.local)) for t in targets]


def _entries(conn: Any, cid: str) -> int:
    stmt = select(func.count()).select_from(collection_entries)
    return int(conn.execute(stmt.where(collection_entries.c.collection_id == cid)).scalar_one())


def _readable(checked: Checked) -> list[Remote]:
    return plan.inbound(checked.collections)


# ---- status ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    agency: AgencyRow
    link: Link | None
    state: State
    now: int

    @property
    def lag_us(self) -> int | None:
        """Since the last successful sync (None: never)."""
        last = self.state.last_success
        return None if last is None else max(0, self.now - last)

    @property
    def link_state(self) -> str:
        if self.link is None:
            return "not linked"
        if self.state.last_error and (
            self.state.last_success is None
            or (self.state.last_attempt or 0) > self.state.last_success
        ):
            return "failing"
        return "ok" if self.state.last_success else "linked, never synced"


def status(engine: Engine) -> list[Status]:
    partners = service.list_partners(engine)
    with reading(engine) as conn:
        by_id = {link.agency_id: link for link in sync_store.links(conn)}
        states = sync_store.states(conn)
    now = now_us()
    return [
        Status(p, by_id.get(p.agency_id), states.get(p.agency_id, State(p.agency_id)), now)
        for p in partners
    ]
