"""The accounts service (I/O): users, tokens, partners, authentication.

Every change is recorded in the audit trail in the same transaction as the change
itself; refused authentications are recorded too (the caller is told less than the
trail says: see `kawan.accounts.tokens.Refusal`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from kawan.accounts import passwords
from kawan.accounts import tokens as tk
from kawan.accounts.records import AgencyRow, Principal, TokenInfo, User
from kawan.accounts.roles import check_role
from kawan.agencies import check_country, identity
from kawan.audit.trail import Who, record_as
from kawan.errors import CannotRun, Conflict, InvalidInput, NotFound, Unauthenticated
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import store_items
from kawan.ingest.stream import Item
from kawan.node import HOME_KEY
from kawan.sharing.policy import Viewer
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store import accounts as repo
from kawan.store import node as node_table
from kawan.store.engine import reading, writing

DAY_US = 86_400 * 1_000_000
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,199}")
LOCAL = Who("cli:local", "local")


def check_user_name(name: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise InvalidInput(
            f"not a user name: {name!r} (letters, digits, . _ @ -; up to 200)", field="name"
        )
    return name


# ---- users ------------------------------------------------------------------------------


def add_user(
    engine: Engine, name: str, role: str, password: str | None = None, *, who: Who = LOCAL
) -> User:
    """Add a home user; Conflict when the name is taken."""
    with writing(engine) as conn:
        return _add_user(conn, name, role, password, who)


def _add_user(conn: Connection, name: str, role: str, password: str | None, who: Who) -> User:
    check_user_name(name)
    the_role = check_role(role)
    hashed = None if password is None else passwords.hash_password(password)
    if repo.user_by_name(conn, name) is not None:
        raise Conflict(f"there is a user named {name!r} already", field="name")
    user_id = secrets.token_hex(8)
    repo.insert_user(conn, user_id, name, the_role.value, hashed, now_us())
    record_as(conn, who, "user.add", f"user:{user_id}", detail={"name": name, "role": the_role})
    return _existing(repo.user_by_id(conn, user_id), name)


def list_users(engine: Engine) -> list[User]:
    with reading(engine) as conn:
        return repo.all_users(conn)


def set_user_disabled(engine: Engine, name: str, disabled: bool, *, who: Who = LOCAL) -> User:
    """Disable (or enable again) a user: their tokens stop working while disabled."""
    with writing(engine) as conn:
        user = _existing(repo.user_by_name(conn, name), name)
        repo.set_disabled(conn, user.user_id, disabled)
        action = "user.disable" if disabled else "user.enable"
        record_as(conn, who, action, f"user:{user.user_id}", detail={"name": name})
        return _existing(repo.user_by_id(conn, user.user_id), name)


def _existing(user: User | None, name: str) -> User:
    if user is None:
        raise NotFound(f"no user named {name!r}", field="name")
    return user


def bootstrap_admin(engine: Engine, name: str = "admin", *, who: Who = LOCAL) -> tuple[str, str]:
    """The node's first admin and a token for them (`kawan init`): (token id, token)."""
    check_user_name(name)
    with writing(engine) as conn:
        if repo.count_users(conn):
            raise Conflict("this node has users already: add more with `kawan user add`")
        user = _add_user(conn, name, "admin", None, who)
        return _create_token(conn, user.user_id, None, "first admin token", None, who)


# ---- tokens -----------------------------------------------------------------------------


def create_token(
    engine: Engine,
    *,
    user: str | None = None,
    agency: str | None = None,
    label: str = "",
    expires_days: int | None = None,
    who: Who = LOCAL,
) -> tuple[str, str]:
    """A new token for a home user (by name) or a partner agency (id or unique name):
    (token id, the token text). The text is shown once; only its hash is stored."""
    if (user is None) == (agency is None):
        raise InvalidInput("a token belongs to one user or one partner agency", field="owner")
    if expires_days is not None and not 0 < expires_days <= 3650:
        raise InvalidInput("must be between 1 and 3650 days", field="expires_days")
    with writing(engine) as conn:
        user_id = None if user is None else _existing(repo.user_by_name(conn, user), user).user_id
        agency_id = None if agency is None else _partner(conn, agency).agency_id
        return _create_token(conn, user_id, agency_id, label, expires_days, who)


def _create_token(
    conn: Connection,
    user_id: str | None,
    agency_id: str | None,
    label: str,
    expires_days: int | None,
    who: Who,
) -> tuple[str, str]:
    token, now = tk.new_token(), now_us()
    expires = None if expires_days is None else now + expires_days * DAY_US
    repo.insert_token(
        conn,
        token_id=token.token_id,
        secret_hash=tk.hash_secret(token.secret),
        user_id=user_id,
        agency_id=agency_id,
        label=label[:200],
        now=now,
        expires=expires,
    )
    owner = f"user:{user_id}" if user_id else f"agency:{agency_id}"
    detail = {"owner": owner, "label": label[:200], "expires": expires}
    record_as(conn, who, "token.create", f"token:{token.token_id}", detail=detail)
    return token.token_id, str(token)


def revoke_token(engine: Engine, token_id: str, *, who: Who = LOCAL) -> bool:
    """Revoke a token; False when it was revoked already. NotFound when unknown."""
    with writing(engine) as conn:
        owner = repo.token_owner(conn, token_id)
        if owner is None:
            raise NotFound(f"no token {token_id!r}", field="token_id")
        changed = repo.revoke(conn, token_id, now_us())
        if changed:
            record_as(conn, who, "token.revoke", f"token:{token_id}")
        return changed


def list_tokens(engine: Engine) -> list[TokenInfo]:
    """Every token, oldest first: ids, owners and times, never a secret."""
    with reading(engine) as conn:
        return repo.all_tokens(conn)


def token_info(engine: Engine, token_id: str) -> TokenInfo:
    with reading(engine) as conn:
        found = repo.token_info(conn, token_id)
    if found is None:
        raise NotFound(f"no token {token_id!r}", field="token_id")
    return found


# ---- authentication ---------------------------------------------------------------------


def authenticate(
    engine: Engine,
    token_text: str | None,
    now: int,
    *,
    source: str = "local",
    context: Mapping[str, str] | None = None,
) -> Principal:
    """The caller a token names, or `Unauthenticated` (missing, malformed, unknown,
    revoked, expired, owner disabled), which is recorded in the audit trail with `source`
    and `context` (e.g. the request line)."""
    return verify(engine, token_text, now, source=source, context=context).principal


@dataclass(frozen=True)
class Verified:
    """A token found good at the time of asking: its caller, and when it expires."""

    principal: Principal
    expires: int | None  # microseconds since the epoch; None: never


def verify(
    engine: Engine,
    token_text: str | None,
    now: int,
    *,
    source: str = "local",
    context: Mapping[str, str] | None = None,
) -> Verified:
    """`authenticate`, with the token's expiry (for callers that keep the answer awhile)."""
    try:
        token = tk.parse(token_text)
    except Unauthenticated:
        bad = tk.Refusal.MISSING if not token_text else tk.Refusal.MALFORMED
        raise _refused(engine, bad, None, source, context) from None
    with reading(engine) as conn:
        state = repo.token_state(conn, token.token_id)
        why = tk.refusal(state, token.secret, now)
        found = None if why is not None else _principal(conn, token.token_id)
        touch = found is not None and tk.needs_touch(repo.last_used(conn, token.token_id), now)
    if found is None or state is None:
        raise _refused(engine, why or tk.Refusal.DISABLED, token.token_id, source, context)
    if touch:
        with writing(engine) as conn:
            repo.touch(conn, token.token_id, now)
    return Verified(found, state.expires)


def _refused(
    engine: Engine,
    why: tk.Refusal,
    token_id: str | None,
    source: str,
    context: Mapping[str, str] | None,
) -> Unauthenticated:
    target = f"token:{token_id}" if token_id else ""
    detail = {"reason": why.value, **(context or {})}
    record_as(engine, Who("anon", source), "authenticate", target, outcome="failed", detail=detail)
    return Unauthenticated(why.public)


def _principal(conn: Connection, token_id: str) -> Principal | None:
    owner = repo.token_owner(conn, token_id)
    user_id, agency_id = owner if owner else (None, None)
    if agency_id is not None:
        return Principal(f"agency:{agency_id}", Viewer.partner(agency_id), None, token_id)
    user = None if user_id is None else repo.user_by_id(conn, user_id)
    if user is None:
        return None
    viewer = Viewer.home_user(user.user_id, user.role)
    return Principal(f"user:{user.user_id}", viewer, user.role, token_id)


# ---- agencies ---------------------------------------------------------------------------


def home_agency_id(conn: Connection) -> str:
    found = node_table.get(conn, HOME_KEY)
    if found is None:
        raise CannotRun("this node has no home agency yet: run `kawan init` first")
    return found


def add_partner(
    engine: Engine,
    name: str,
    country: str,
    url: str | None = None,
    *,
    agency_id: str | None = None,
    who: Who = LOCAL,
) -> str:
    """A partner agency: its STIX identity (stored with the home agency as origin) and its
    `agencies` row. Returns its identity id; Conflict when an agency has that name.
    `agency_id`: the identity id the partner's own node uses for it (so that its objects,
    tombstones and AMBER+STRICT origin are recognised); a new id when not given."""
    cc = check_country(country)
    if agency_id is not None and not agency_id.startswith("identity--"):
        raise InvalidInput(f"not an identity id: {agency_id!r}", field="id")
    with reading(engine) as conn:
        home = home_agency_id(conn)
        if repo.find_agency(conn, name) or (agency_id and repo.find_agency(conn, agency_id)):
            raise Conflict(f"there is an agency named {name!r} already", field="name")
    obj = identity(name, cc, now_us(), agency_id)
    summary = store_items(engine, [Item(1, obj)], Receipt(home, Tlp.GREEN), "partner add")
    if summary.rejected:
        raise InvalidInput(summary.rejected[0].reason, object_id=obj["id"])
    row = AgencyRow(obj["id"], obj["name"], cc, False, True, _url(url), False, now_us())
    with writing(engine) as conn:
        repo.put_agency(conn, row)
        detail = {"name": row.name, "country": cc, "url": row.url}
        record_as(conn, who, "partner.add", f"agency:{row.agency_id}", detail=detail)
    return row.agency_id


def _url(url: str | None) -> str | None:
    if url is None or not url.strip():
        return None
    if not url.startswith(("https://", "http://")):
        raise InvalidInput(f"not an http(s) URL: {url!r}", field="url")
    return url.strip()


def list_partners(engine: Engine) -> list[AgencyRow]:
    with reading(engine) as conn:
        return repo.all_agencies(conn, partners_only=True)


def list_agencies(engine: Engine) -> list[AgencyRow]:
    with reading(engine) as conn:
        return repo.all_agencies(conn)


def _partner(conn: Connection, ref: str) -> AgencyRow:
    found = [a for a in repo.find_agency(conn, ref) if a.is_partner]
    if not found:
        raise NotFound(f"no partner agency {ref!r}", field="partner")
    if len(found) > 1:
        raise InvalidInput(f"{ref!r} names {len(found)} partners: use the id", field="partner")
    return found[0]


def set_public_counts(engine: Engine, agency: str, allowed: bool, *, who: Who = LOCAL) -> None:
    """Whether `agency`'s objects count in the public check (an input of the policy)."""
    with writing(engine) as conn:
        found = repo.find_agency(conn, agency)
        if len(found) != 1:
            raise NotFound(f"no single agency {agency!r}", field="agency")
        repo.set_public_counts(conn, found[0].agency_id, allowed)
        detail = {"allowed": allowed}
        record_as(conn, who, "agency.public_counts", f"agency:{found[0].agency_id}", detail=detail)
