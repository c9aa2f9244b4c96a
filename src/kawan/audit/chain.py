"""The hash chain of the audit trail (pure).

Each entry's `hash` is `sha256(prev_hash + canonical JSON of its fields)`, where the
fields are seq, at, actor, action, target, source, outcome and detail; `prev_hash` is the
previous entry's hash (`GENESIS` for the first). Changing, removing or reordering an
entry breaks the chain at that entry or the one after it; `verify` names the first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

GENESIS = "0" * 64
OUTCOMES = ("ok", "denied", "failed")


@dataclass(frozen=True)
class Entry:
    seq: int
    at: int  # microseconds since the epoch
    actor: str  # user:<id>, agency:<id>, cli:<os user>, anon
    action: str  # e.g. user.add, token.create, authenticate, permission
    target: str
    source: str  # client address, or "local" for the CLI
    outcome: str  # ok | denied | failed
    detail: dict[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def fields(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "source": self.source,
            "outcome": self.outcome,
            "detail": self.detail,
        }


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def entry_hash(prev_hash: str, entry: Entry) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(entry.fields())).hexdigest()


def sealed(entry: Entry, prev_hash: str) -> Entry:
    """The entry with its links filled in: what is appended after `prev_hash`."""
    return Entry(**{**entry.fields(), "prev_hash": prev_hash, "hash": entry_hash(prev_hash, entry)})


@dataclass(frozen=True)
class Broken:
    seq: int
    reason: str

    def describe(self) -> str:
        return f"audit entry seq {self.seq}: {self.reason}"


class ChainCheck:
    """Verifies a trail fed in order, in as many batches as the caller likes."""

    def __init__(self) -> None:
        self.last_seq = 0
        self.last_hash = GENESIS
        self.count = 0

    def feed(self, entry: Entry) -> Broken | None:
        problem = self._problem(entry)
        if problem is not None:
            return Broken(entry.seq, problem)
        self.last_seq, self.last_hash = entry.seq, entry.hash
        self.count += 1
        return None

    def _problem(self, entry: Entry) -> str | None:
        if entry.seq != self.last_seq + 1:
            return f"expected seq {self.last_seq + 1}: entries before it are missing or moved"
        if entry.prev_hash != self.last_hash:
            return "prev_hash is not the previous entry's hash (an entry was removed or altered)"
        if entry.hash != entry_hash(entry.prev_hash, entry):
            return "its hash does not match its content (the entry was altered)"
        return None


def verify(entries: Iterable[Entry]) -> Broken | None:
    """The first broken entry of a whole trail (from seq 1), or None when it is intact."""
    check = ChainCheck()
    for entry in entries:
        broken = check.feed(entry)
        if broken is not None:
            return broken
    return None
