"""TAXII's errors: the protocol's own refusals, and the one mapping of every kawan error
to a status code and the TAXII error resource (`http_status` as a string), always sent
with the TAXII media type.

    KawanError
    ├── InvalidInput ── InvalidEnvelope   422: the POSTed body is not an envelope
    ├── NotAcceptable                     406: no TAXII 2.1 media type in Accept
    ├── UnsupportedMediaType              415: a POST that is not TAXII 2.1 JSON
    └── TooLarge                          413: above the API root's max_content_length
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from kawan.errors import (
    CannotRun,
    Conflict,
    InvalidInput,
    KawanError,
    NotFound,
    PeerError,
    PermissionDenied,
    RateLimited,
    Unauthenticated,
)
from kawan.taxii.media import MEDIA_TYPE

CHALLENGE = 'Basic realm="kawan TAXII", Bearer realm="kawan TAXII"'


class InvalidEnvelope(InvalidInput):
    code = "invalid_envelope"


class NotAcceptable(KawanError):
    code = "not_acceptable"


class UnsupportedMediaType(KawanError):
    code = "unsupported_media_type"


class TooLarge(KawanError):
    code = "too_large"


STATUS: dict[type[KawanError], int] = {
    InvalidEnvelope: 422,
    InvalidInput: 400,
    Unauthenticated: 401,
    PermissionDenied: 403,
    NotFound: 404,
    NotAcceptable: 406,
    Conflict: 409,
    TooLarge: 413,
    UnsupportedMediaType: 415,
    RateLimited: 429,
    PeerError: 502,
    CannotRun: 503,
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def status_of(exc: KawanError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def resource(status: int, description: str, code: str, details: dict[str, Any]) -> dict[str, Any]:
    """The TAXII error message resource."""
    body: dict[str, Any] = {
        "title": TITLES.get(status, "Error"),
        "description": description,
        "error_code": code,
        "http_status": str(status),
    }
    if details:
        body["details"] = details
    return body


def taxii_response(
    body: bytes | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return Response(content, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def from_kawan(exc: KawanError) -> Response:
    status = status_of(exc)
    details = {k: v for k, v in exc.as_dict().items() if k not in ("code", "message")}
    headers = {"WWW-Authenticate": CHALLENGE} if status == 401 else None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    return taxii_response(resource(status, exc.describe(), exc.code, details), status, headers)


async def on_kawan(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, KawanError)  # noqa: S101 - registered for KawanError only
    return from_kawan(exc)


async def on_http(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    status = exc.status_code
    body = resource(status, str(exc.detail), TITLES.get(status, "error").lower(), {})
    return taxii_response(body, status, dict(exc.headers or {}))


async def on_crash(_request: Request, _exc: Exception) -> Response:
    body = resource(500, "the server failed; the node's log says why", "internal_error", {})
    return taxii_response(body, 500)


HANDLERS = {KawanError: on_kawan, HTTPException: on_http, Exception: on_crash}
