"""The dataclasses the store takes and returns (no SQLAlchemy here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kawan.stix.markings import Marking, Tlp
from kawan.stix.validate import Meta


class IndexKey(NamedTuple):  # a named tuple: ingest makes one or more per object
    obs_type: str
    value: str
    via: str  # "sco" (the observable itself) | "ref" (referenced) | "pattern"


@dataclass(slots=True)
class Incoming:
    """One validated object version on its way into the store."""

    obj: dict[str, Any]
    meta: Meta
    marking: Marking
    origin: str
    recorded: Tlp | None
    canonical: bytes
    content_hash: str
    label: str
    keys: list[IndexKey] = field(default_factory=list)
    brought_by: str | None = None  # the home user who brought it in (RED readers)
    readers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """One object version as the node holds it."""

    date_added: int
    id: str
    type: str
    spec_version: str
    created: int | None
    modified: int | None
    version_text: str | None
    revoked: bool
    created_by_ref: str | None
    origin: str
    marking: Marking
    recorded: Tlp | None
    is_latest: bool
    json: str
    brought_by: str | None = None  # the home user who brought it in
    readers: tuple[str, ...] = ()  # RED: the home users they named

    @property
    def creator(self) -> str:
        """`created_by_ref` when present, else the origin (DESIGN.md)."""
        return self.created_by_ref or self.origin

    @property
    def version(self) -> int:
        """TAXII's version: modified, else created, else date_added."""
        return self.modified if self.modified is not None else self.date_added


class PutResult(NamedTuple):
    """What happened to one incoming version: `added`, `unchanged` or `rejected`.

    A named tuple: a store makes one per version it adds (a frozen dataclass costs twice).
    """

    id: str
    outcome: str
    date_added: int | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class ObservableRow:
    obs_type: str
    value: str
    object_id: str
    object_type: str
    date_added: int
    marking: Marking
    creator: str
    origin: str
    first_seen: int
    last_seen: int
    via: str
    revoked: bool
