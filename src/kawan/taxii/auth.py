"""Who is calling TAXII: HTTP Basic (user name = the partner agency's or home user's name,
password = their token) or Bearer (the token alone). Refusals raise `Unauthenticated`,
which the TAXII errors turn into 401 with a `WWW-Authenticate` challenge."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sqlalchemy import Engine
from starlette.requests import Request

from kawan.accounts.records import Principal
from kawan.accounts.service import authenticate, token_info
from kawan.api.auth import client_address
from kawan.audit.trail import Who, record_as
from kawan.errors import Unauthenticated
from kawan.stix.timestamps import now_us


@dataclass(frozen=True)
class Credentials:
    token: str | None
    user: str | None = None  # HTTP Basic's user name; None for Bearer


def credentials(authorization: str | None) -> Credentials:
    """The token (and Basic's user name) in an Authorization header (pure)."""
    if not authorization or not authorization.strip():
        return Credentials(None)
    scheme, _, param = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        return Credentials(param.strip())
    if scheme.lower() == "basic":
        return _basic(param.strip())
    raise Unauthenticated(f"unsupported authorization scheme {scheme!r}: use Basic or Bearer")


def _basic(param: str) -> Credentials:
    try:
        decoded = base64.b64decode(param, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthenticated("malformed HTTP Basic credentials") from None
    user, sep, password = decoded.partition(":")
    if not sep:
        raise Unauthenticated("malformed HTTP Basic credentials")
    return Credentials(password, user)


def caller(request: Request, engine: Engine) -> Principal:
    """The authenticated caller; `Unauthenticated` when there is none."""
    given = credentials(request.headers.get("authorization"))
    source = client_address(request)
    line = {"request": f"{request.method} {request.url.path}"}
    found = authenticate(engine, given.token, now_us(), source=source, context=line)
    if given.user is not None and not _owns(engine, found, given.user):
        detail = {"reason": "user name does not own the token", **line}
        record_as(
            engine,
            Who("anonymous", source),
            "auth",
            f"token:{found.token_id}",
            outcome="denied",
            detail=detail,
        )
        raise Unauthenticated("the user name and the token do not belong together")
    return found


def _owns(engine: Engine, found: Principal, user: str) -> bool:
    info = token_info(engine, found.token_id)
    names = {
        info.owner.casefold(),
        (info.agency_id or "").casefold(),
        (info.user_id or "").casefold(),
    }
    return user.casefold() in names - {""}
