"""Authentication and permission as FastAPI dependencies.

    caller: Annotated[Principal, Depends(principal)]                 any valid token
    caller: Annotated[Principal, Depends(require("write_objects"))]  and the right
    caller: Annotated[Principal | None, Depends(optional_principal)] public routes

Tokens come as `Authorization: Bearer <token>`, or as HTTP Basic with any user name and
the token as password (TAXII clients speak Basic). A refusal raises `Unauthenticated`
(401) or `PermissionDenied` (403) and is recorded in the audit trail with the client
address, which honours `X-Forwarded-For` only from `KAWAN_TRUSTED_PROXIES`.

A token found good is trusted again, without reading the database, for `TOKEN_TTL`
seconds in this process (`VerifiedTokens`, keyed by the sha256 of the whole token, never
past the token's expiry): a revocation, or a disabled owner, takes effect within
`TOKEN_TTL` seconds. A refused token is never remembered.

These dependencies run on the event loop (no thread hop); only a token not remembered is
verified, in a worker thread.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPBasic, HTTPBearer
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from kawan.accounts.records import Principal
from kawan.accounts.roles import check_action, may
from kawan.accounts.service import verify
from kawan.audit.trail import Who, record_as
from kawan.errors import PermissionDenied
from kawan.node import Node
from kawan.stix.timestamps import now_us

_STATE_KEY = "kawan_principal"
TOKEN_TTL = 5.0  # seconds a verified token is trusted again without reading the database
MAX_TOKENS = 10_000

# ---- the client's address ----------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def _within(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def forwarded_client(peer: str | None, forwarded_for: str | None, trusted: Sequence[str]) -> str:
    """The client's address (pure): the peer, unless the peer is a trusted proxy; then the
    right-most `X-Forwarded-For` hop that is not itself a trusted proxy."""
    if peer is None:
        return "unknown"
    networks = _networks(tuple(trusted))
    if not forwarded_for or not _within(peer, networks):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _within(hop, networks):
            return hop if _within(hop, _ANY) else peer
    return hops[0] if hops else peer


_ANY = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))


def client_address(request: Request) -> str:
    """Who is calling, as the audit trail and the rate limits see it."""
    peer = request.client.host if request.client else None
    trusted = _node(request).settings.trusted_proxies
    return forwarded_client(peer, request.headers.get("x-forwarded-for"), trusted)


# ---- credentials -------------------------------------------------------------------------


def token_of(authorization: str | None) -> str | None:
    """The token in an Authorization header (pure): Bearer, or Basic's password. Anything
    else is handed on as it is, to be refused as malformed."""
    if not authorization:
        return None
    scheme, _, param = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return param.strip()
    if scheme.lower() == "basic":
        return _basic_password(param.strip())
    return authorization


def _basic_password(param: str) -> str:
    try:
        decoded = base64.b64decode(param, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return param
    return decoded.partition(":")[2]


class _BearerDoc(HTTPBearer):
    """Declares Bearer in the OpenAPI document; `principal` reads the header itself."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


class _BasicDoc(HTTPBasic):
    """Declares Basic (password = token) in the OpenAPI document."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        return None


_bearer = _BearerDoc(scheme_name="token", description="Authorization: Bearer kawan_<id>_<secret>")
_basic = _BasicDoc(
    scheme_name="basic", description="HTTP Basic: any user name, the token as password"
)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _engine(request: Request) -> Engine:
    return _node(request).engine


def _request_line(request: Request) -> str:
    return f"{request.method} {request.url.path}"


class VerifiedTokens:
    """Tokens found good lately, by the sha256 of the token text. `clock` is monotonic
    seconds (tests pass a fake one); the least recently verified are forgotten beyond
    `max_keys`."""

    def __init__(
        self,
        ttl: float = TOKEN_TTL,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = MAX_TOKENS,
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_keys = max_keys
        self._held: OrderedDict[str, tuple[float, int | None, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, now_us: int) -> Principal | None:
        """The caller, when the token was verified less than `ttl` seconds ago and has
        not expired since."""
        with self._lock:
            held = self._held.get(_key(token))
        if held is None:
            return None
        at, expires, caller = held
        fresh = 0 <= self.clock() - at < self.ttl
        return caller if fresh and (expires is None or now_us < expires) else None

    def put(self, token: str, caller: Principal, expires: int | None) -> None:
        key = _key(token)
        with self._lock:
            self._held.pop(key, None)
            self._held[key] = (self.clock(), expires, caller)
            while len(self._held) > self.max_keys:
                self._held.popitem(last=False)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_CREATE = threading.Lock()


def verified_tokens(app: FastAPI) -> VerifiedTokens:
    """The app's remembered tokens, made on first use (tests set
    `app.state.verified_tokens` beforehand to give it a fake clock)."""
    with _CREATE:
        found: VerifiedTokens | None = getattr(app.state, "verified_tokens", None)
        if found is None:
            found = VerifiedTokens()
            app.state.verified_tokens = found
        return found


async def principal(
    request: Request,
    _token: Annotated[None, Depends(_bearer)] = None,
    _basic_auth: Annotated[None, Depends(_basic)] = None,
) -> Principal:
    """The authenticated caller; `Unauthenticated` (recorded) when there is none."""
    cached: Principal | None = getattr(request.state, _STATE_KEY, None)
    if cached is not None:
        return cached
    token = token_of(request.headers.get("authorization"))
    now = now_us()
    remembered = verified_tokens(request.app)
    found = remembered.get(token, now) if token else None
    if found is None:
        verified = await run_in_threadpool(
            verify,
            _engine(request),
            token,
            now,
            source=client_address(request),
            context={"request": _request_line(request)},
        )
        remembered.put(token or "", verified.principal, verified.expires)
        found = verified.principal
    setattr(request.state, _STATE_KEY, found)
    return found


async def optional_principal(request: Request) -> Principal | None:
    """The caller when credentials were sent (and valid), None when none were sent."""
    if not request.headers.get("authorization"):
        return None
    return await principal(request)


def allowed(caller: Principal, action: str) -> bool:
    """Home users by role; partner agencies (no role) may only `read`."""
    return may(caller.role, action)


def who(caller: Principal, request: Request) -> Who:
    """The audit trail's actor and source for a request."""
    return Who(caller.actor, client_address(request))


def require(action: str) -> Callable[[Request, Principal], Principal]:
    """A dependency: the caller, who must be allowed `action`; else `PermissionDenied`,
    recorded in the audit trail."""
    check_action(action)  # a typo fails when the route is defined

    def dependency(request: Request, caller: Annotated[Principal, Depends(principal)]) -> Principal:
        if allowed(caller, action):
            return caller
        raise _denied(request, caller, action)

    return dependency


def require_in_loop(action: str) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """`require`, run on the event loop (a refusal is recorded in a worker thread)."""
    check_action(action)

    async def dependency(
        request: Request, caller: Annotated[Principal, Depends(principal)]
    ) -> Principal:
        if allowed(caller, action):
            return caller
        raise await run_in_threadpool(_denied, request, caller, action)

    return dependency


def _denied(request: Request, caller: Principal, action: str) -> PermissionDenied:
    """Record the refusal; the error to raise."""
    detail = {"needs": action, "role": caller.role or "partner"}
    record_as(
        _engine(request),
        who(caller, request),
        "permission",
        _request_line(request),
        outcome="denied",
        detail=detail,
    )
    as_whom = f"the {caller.role} role" if caller.role else "a partner agency"
    return PermissionDenied(f"{as_whom} may not {action.replace('_', ' ')}")
