"""The indicator index from the store, cached on disk and updated incrementally (I/O).

What is compiled: the latest version of every indicator the node holds that is not
revoked, has a simple pattern (one comparison or an OR of comparisons: the store indexes
those comparisons with `via="pattern"`), is valid now (valid_from <= now < valid_until)
and is visible to the home agency.

The cache (`$KAWAN_HOME/match-index.json`) keeps every candidate indicator with the
metadata validity and visibility are decided from, plus a cursor (the highest
`date_added` read). A later run reads only the indicator versions added since the cursor
and replaces or drops the entries they supersede; validity and visibility are decided
again on every run, so an expired indicator leaves the index without a store write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine

from kawan.match.index import Index, Rows, row_key
from kawan.stix.markings import Marking, Tlp
from kawan.stix.timestamps import now_us, parse_us
from kawan.store import objects as repo
from kawan.store.engine import reading
from kawan.store.records import StoredVersion

Visible = Callable[[StoredVersion], bool]
CACHE_NAME = "match-index.json"
FORMAT = 1
BATCH = 500


def placeholder_visible(home: str) -> Visible:
    """Until `kawan.sharing.policy` is wired in: everything but RED from other agencies.

    This placeholder is replaced by the one policy function (DESIGN.md).
    """

    def visible(version: StoredVersion) -> bool:
        return version.marking.tlp != Tlp.RED or version.origin == home

    return visible


@dataclass
class Entry:
    """One candidate indicator as the cache keeps it."""

    id: str
    date_added: int
    created_by_ref: str | None
    origin: str
    tlp: int
    groups: tuple[str, ...]
    from_object: bool
    recorded: int | None
    valid_from: int
    valid_until: int | None
    keys: list[str]

    def version(self) -> StoredVersion:
        """The version's metadata (without its JSON), for the visibility decision."""
        recorded = None if self.recorded is None else Tlp(self.recorded)
        marking = Marking(Tlp(self.tlp), self.groups, self.from_object)
        return StoredVersion(self.date_added, self.id, "indicator", "2.1", None, None, None,
                             False, self.created_by_ref, self.origin, marking, recorded,
                             True, "")  # fmt: skip

    def decided_by(self) -> tuple[object, ...]:
        """What visibility is decided from (the metadata `version()` carries)."""
        return (self.created_by_ref, self.origin, self.tlp, self.groups, self.from_object,
                self.recorded)  # fmt: skip


@dataclass(frozen=True)
class Compiled:
    index: Index
    indicators: int  # indicators in the index
    read: int  # indicator versions read from the store this time
    cached: bool  # whether a cache was used
    digest: str  # content hash of the candidate indicator set


def compile_index(
    engine: Engine,
    home: str,
    *,
    visible: Visible | None = None,
    now: int | None = None,
    cache_dir: Path | None = None,
) -> Compiled:
    """The index of what the home agency may match now; see the module docstring."""
    path = None if cache_dir is None else cache_dir / CACHE_NAME
    entries, cursor, digest = _load(path, home)
    cached = cursor is not None
    fresh = _read_since(engine, cursor)
    for entry in fresh:
        entries.pop(entry.id, None)
        if entry.keys:
            entries[entry.id] = entry
    cursor = max([cursor or 0, *(e.date_added for e in fresh)])
    if path is not None and (fresh or not cached):
        digest = _digest(entries.values())
        _save(path, home, cursor, digest, entries.values())
    chosen = _usable(entries.values(), visible or placeholder_visible(home), now or now_us())
    del entries
    return Compiled(Index(_rows(chosen)), len(chosen), len(fresh), cached, digest)


def _rows(chosen: list[Entry]) -> Rows:
    labels = {int(t): t.label for t in Tlp}
    rows = Rows([], [], [], [])
    for e in chosen:
        creator = e.created_by_ref or e.origin
        for key in e.keys:
            rows.indicators.append(e.id)
            rows.creators.append(creator)
            rows.markings.append(labels[e.tlp])
            rows.keys.append(key)
    return rows


def _usable(entries: Iterable[Entry], visible: Visible, now: int) -> list[Entry]:
    """Valid now and visible; the policy is asked once per distinct metadata."""
    decided: dict[tuple[object, ...], bool] = {}
    out = []
    for e in entries:
        if e.valid_from > now or (e.valid_until is not None and now >= e.valid_until):
            continue
        key = e.decided_by()
        if key not in decided:
            decided[key] = visible(e.version())
        if decided[key]:
            out.append(e)
    return out


def _read_since(engine: Engine, cursor: int | None) -> list[Entry]:
    """Indicator versions that became the latest after `cursor` (every one without)."""
    query = repo.Query(types=("indicator",), since=cursor)
    out: list[Entry] = []
    with reading(engine) as conn:
        batch: list[StoredVersion] = []
        for version in repo.iter_versions(conn, query):
            batch.append(version)
            if len(batch) >= BATCH:
                out.extend(_entries(conn, batch))
                batch = []
        out.extend(_entries(conn, batch))
    return out


def _entries(conn: Any, batch: list[StoredVersion]) -> list[Entry]:
    if not batch:
        return []
    keys: dict[str, list[str]] = {}
    for row in repo.observables_of(conn, [v.id for v in batch]):
        key = row_key(row.obs_type, row.value) if row.via == "pattern" else None
        if key is not None:
            keys.setdefault(row.object_id, []).append(key)
    return [_entry(v, [] if v.revoked else sorted(keys.get(v.id, []))) for v in batch]


def _entry(version: StoredVersion, keys: list[str]) -> Entry:
    obj = orjson.loads(version.json)
    valid_from = _time(obj.get("valid_from"), version.id) or 0
    until = _time(obj.get("valid_until"), version.id)
    return Entry(
        version.id, version.date_added, version.created_by_ref, version.origin,
        int(version.marking.tlp), version.marking.groups, version.marking.from_object,
        None if version.recorded is None else int(version.recorded), valid_from, until,
        keys if obj.get("pattern_type") == "stix" else [],
    )  # fmt: skip


def _time(value: object, object_id: str) -> int | None:
    if value is None:
        return None
    return parse_us(value, field="valid_until", object_id=object_id)


def _digest(entries: Iterable[Entry]) -> str:
    h = hashlib.blake2b(digest_size=16)
    for entry in sorted(entries, key=lambda e: e.id):
        h.update(f"{entry.id} {entry.date_added}\n".encode())
    return h.hexdigest()


COLUMNS = ("id", "date_added", "created_by_ref", "origin", "tlp", "groups", "from_object",
           "recorded", "valid_from", "valid_until", "keys")  # fmt: skip


def _save(path: Path, home: str, cursor: int, digest: str, entries: Iterable[Entry]) -> None:
    rows = list(entries)
    columns: dict[str, list[Any]] = {name: [getattr(e, name) for e in rows] for name in COLUMNS}
    document = {"format": FORMAT, "home": home, "cursor": cursor, "digest": digest,
                "columns": columns}  # fmt: skip
    temporary = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary.write_bytes(orjson.dumps(document))
    temporary.replace(path)


def _load(path: Path | None, home: str) -> tuple[dict[str, Entry], int | None, str]:
    """The cached entries, cursor and digest; nothing (a full read) when absent or not ours."""
    if path is None or not path.exists():
        return {}, None, ""
    try:
        document = orjson.loads(path.read_bytes())
        if document.get("format") != FORMAT or document.get("home") != home:
            return {}, None, ""
        columns = document["columns"]
        entries = [
            Entry(*values) for values in zip(*(columns[name] for name in COLUMNS), strict=True)
        ]
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return {}, None, ""
    for entry in entries:
        entry.groups = tuple(entry.groups)
    return {e.id: e for e in entries}, int(document["cursor"]), str(document.get("digest"))
