"""Authentication and permission as FastAPI dependencies.

    caller: Annotated[Principal, Depends(principal)]                 any valid token
    caller: Annotated[Principal, Depends(require("write_objects"))]  and the right
    caller: Annotated[Principal | None, Depends(optional_principal)] public routes

Tokens come as `Authorization: Bearer <token>`, or as HTTP Basic with any user name and
the token as password (TAXII clients speak Basic). A refusal raises `Unauthenticated`
(401) or `PermissionDenied` (403) and is recorded in the audit trail with the client
address, which honours `X-Forwarded-For` only from `KAWAN_TRUSTED_PROXIES`.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBasic, HTTPBearer
from sqlalchemy import Engine

from kawan.accounts.records import Principal
from kawan.accounts.roles import check_action, may
from kawan.accounts.service import authenticate
from kawan.audit.trail import Who, record_as
from kawan.errors import PermissionDenied
from kawan.node import Node
from kawan.stix.timestamps import now_us

_STATE_KEY = "kawan_principal"

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


def principal(
    request: Request,
    _token: Annotated[None, Depends(_bearer)] = None,
    _basic_auth: Annotated[None, Depends(_basic)] = None,
) -> Principal:
    """The authenticated caller; `Unauthenticated` (recorded) when there is none."""
    cached: Principal | None = getattr(request.state, _STATE_KEY, None)
    if cached is not None:
        return cached
    found = authenticate(
        _engine(request),
        token_of(request.headers.get("authorization")),
        now_us(),
        source=client_address(request),
        context={"request": _request_line(request)},
    )
    setattr(request.state, _STATE_KEY, found)
    return found


def optional_principal(request: Request) -> Principal | None:
    """The caller when credentials were sent (and valid), None when none were sent."""
    if not request.headers.get("authorization"):
        return None
    return principal(request)


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
        raise PermissionDenied(f"{as_whom} may not {action.replace('_', ' ')}")

    return dependency
