"""Recording and verifying the stored audit trail (I/O; the chain logic is `chain`)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from kawan.audit.chain import OUTCOMES, Broken, ChainCheck, Entry, sealed
from kawan.errors import InvalidInput
from kawan.stix.timestamps import now_us
from kawan.store import audit as repo
from kawan.store.engine import reading, writing

BATCH = 1000
MAX_TEXT = 2000


@dataclass(frozen=True)
class Who:
    """Who acts, from where: what every audited service call is given."""

    actor: str
    source: str = "local"

    @classmethod
    def cli(cls) -> Who:
        """The local operator: `cli:<login name>`."""
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
        return cls(f"cli:{name}", "local")


def record(
    db: Engine | Connection,
    *,
    actor: str,
    action: str,
    target: str,
    source: str,
    outcome: str = "ok",
    detail: dict[str, Any] | None = None,
    at: int | None = None,
) -> Entry:
    """Append one entry. Given a Connection, it must be a `writing` one: the entry then
    commits (or not) with the caller's own write. Given an Engine, it commits on its own."""
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}", field="outcome")
    draft = Entry(
        seq=0,
        at=now_us() if at is None else at,
        actor=actor[:300],
        action=action[:64],
        target=target[:MAX_TEXT],
        source=source[:100],
        outcome=outcome,
        detail=detail or {},
    )
    if isinstance(db, Engine):
        with writing(db) as conn:
            return _append(conn, draft)
    return _append(db, draft)


def _append(conn: Connection, draft: Entry) -> Entry:
    repo.hold_chain(conn)
    seq, prev_hash = repo.last_link(conn)
    entry = sealed(Entry(**{**draft.fields(), "seq": seq + 1}), prev_hash)
    repo.append(conn, entry)
    return entry


def record_as(db: Engine | Connection, who: Who, action: str, target: str, **kw: Any) -> Entry:
    """`record` for a `Who`."""
    return record(db, actor=who.actor, source=who.source, action=action, target=target, **kw)


@dataclass(frozen=True)
class Verdict:
    broken: Broken | None
    checked: int  # entries verified intact before the first broken one (or all)
    last_seq: int
    last_hash: str


def verify_stored(engine: Engine, batch: int = BATCH) -> Verdict:
    """Verify the whole stored trail, reading `batch` entries per transaction."""
    check = ChainCheck()
    while True:
        with reading(engine) as conn:
            entries = repo.after(conn, check.last_seq, batch)
        for entry in entries:
            broken = check.feed(entry)
            if broken is not None:
                return Verdict(broken, check.count, check.last_seq, check.last_hash)
        if len(entries) < batch:
            return Verdict(None, check.count, check.last_seq, check.last_hash)


def newest(engine: Engine, *, limit: int = 50, before: int | None = None) -> list[Entry]:
    """The newest `limit` entries before seq `before` (None: the very newest), newest first."""
    with reading(engine) as conn:
        return repo.newest(conn, before, limit)
