"""The one error tree of kawan.

Domain code raises these; each surface (CLI, REST API, TAXII, pages) has one small
module that turns them into its own format. No error here knows about HTTP.

    KawanError
    ├── InvalidInput (also ValueError)   bad data or arguments: names what and where
    ├── NotFound                         no such object, agency, token ...
    ├── Unauthenticated                  no, unknown, revoked or expired credentials
    ├── PermissionDenied                 known caller, not allowed
    ├── Conflict                         contradicts what is stored
    ├── RateLimited                      too many requests; says when to come back
    ├── PeerError                        a partner node failed or answered garbage
    └── CannotRun                        the node cannot work: no database, not initialised
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass(eq=False)
class KawanError(Exception):
    """Base of every error kawan raises on purpose.

    `code` is a stable machine-readable identifier; `message` is for people.
    `object_id`, `field` and `line` say where the problem is, when known.
    """

    message: str
    object_id: str | None = None
    field: str | None = None
    line: int | None = None
    details: dict[str, Any] = dataclasses.field(default_factory=dict)

    code = "error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.describe()

    def where(self) -> str:
        """Where the problem is, as `line 3, object x, field y` (empty when unknown)."""
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.object_id:
            parts.append(self.object_id)
        if self.field:
            parts.append(f"field {self.field!r}")
        return ", ".join(parts)

    def describe_without_id(self) -> str:
        """As `describe`, leaving out the object id (for reports that print it already)."""
        where = ", ".join(p for p in self.where().split(", ") if p and p != self.object_id)
        return f"{where}: {self.message}" if where else self.message

    def describe(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        """The structured form every surface starts from."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        for key in ("object_id", "field", "line"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.details:
            out["details"] = self.details
        return out


class InvalidInput(KawanError, ValueError):
    code = "invalid_input"


class NotFound(KawanError):
    code = "not_found"


class Unauthenticated(KawanError):
    code = "unauthenticated"


class PermissionDenied(KawanError):
    code = "permission_denied"


class Conflict(KawanError):
    code = "conflict"


@dataclass(eq=False)
class RateLimited(KawanError):
    retry_after: int = 1

    code = "rate_limited"


class PeerError(KawanError):
    code = "peer_error"


class CannotRun(KawanError):
    code = "cannot_run"
