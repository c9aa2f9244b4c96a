"""Storing object versions: put (append-only, idempotent) and the observable index.

Reads are in `kawan.store.versions`; deletion by tombstone in `kawan.store.deletions`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    Connection,
    delete,
    func,
    select,
    text,
    update,
)

from kawan.stix.markings import Tlp
from kawan.store import collections, index
from kawan.store.deletions import Deletions, delete_objects
from kawan.store.engine import Clock, insert_rows, one_of
from kawan.store.records import Incoming, IndexKey, PutResult, StoredVersion
from kawan.store.schema import objects, observables, refs
from kawan.store.versions import chunks, latest_of

CHUNK = 500  # ids per IN (...) query
T = TypeVar("T")
ANALYZE_AFTER = 1000  # PostgreSQL: changed rows before statistics are worth refreshing


class _Known(NamedTuple):
    date_added: int
    modified: int | None
    content_hash: str
    origin: str
    recorded: int | None
    is_latest: bool


def put_batch(conn: Connection, items: Sequence[Incoming]) -> list[PutResult]:
    """Store each new version; the same version again is `unchanged`.

    An SDO's version is its `modified`; a second, different object with the same id and
    `modified` is rejected (the creator must make a new version). An SCO has no
    `modified`: a version differing in content, origin or recorded marking is new.
    Call inside `writing()`; `date_added` values are taken from the node's clock.
    """
    Clock.hold(conn)
    _refresh_statistics(conn)
    known = _known_versions(conn, {item.meta.id for item in items})
    stored = set(known)  # ids with a version stored before this batch
    deletions = Deletions.of(conn, items)
    outcomes: list[PutResult | Incoming] = []
    fresh: list[Incoming] = []
    for item in items:
        decided = deletions.refusal(item) or _decide(item, known[item.meta.id])
        outcomes.append(item if decided is None else decided)
        if decided is None:
            fresh.append(item)
            known[item.meta.id].append(
                _Known(
                    -1,
                    item.meta.modified,
                    item.content_hash,
                    item.origin,
                    _tlp_int(item.recorded),
                    False,
                )
            )
    if not fresh:
        return [o for o in outcomes if isinstance(o, PutResult)]
    first = Clock.take(conn, len(fresh))
    stamps = {id(item): first + n for n, item in enumerate(fresh)}
    latest = _new_latest(fresh, known)
    _insert(conn, fresh, stamps, latest, stored)
    collections.enter(conn, [(stamps[id(i)], i.marking) for i in fresh])
    earliest: dict[str, int] = {}  # the first stamp of each object new to the node
    for item in fresh:
        earliest.setdefault(item.meta.id, stamps[id(item)])
    _reindex(conn, [i for i in fresh if id(i) in latest], stamps, stored, earliest)
    delete_objects(conn, deletions.targets_of(fresh))
    return [
        o if isinstance(o, PutResult) else PutResult(o.meta.id, "added", stamps[id(o)])
        for o in outcomes
    ]


def _refresh_statistics(conn: Connection) -> None:
    """PostgreSQL: ANALYZE the tables once they have grown by half since the last ANALYZE.

    A bulk load into a young node outruns autovacuum; without statistics the planner scans
    `objects` for every `id IN (...)` and ingest slows down with the table's size.
    """
    if conn.dialect.name != "postgresql":
        return
    stats = conn.execute(
        text("SELECT n_mod_since_analyze, n_live_tup FROM pg_stat_user_tables WHERE relname = :t"),
        {"t": objects.name},
    ).first()
    if stats is not None and stats[0] >= max(ANALYZE_AFTER, stats[1] // 2):
        conn.execute(text("ANALYZE objects, observables, refs"))


def _tlp_int(tlp: Tlp | None) -> int | None:
    return None if tlp is None else int(tlp)


def _known_versions(conn: Connection, ids: set[str]) -> defaultdict[str, list[_Known]]:
    known: defaultdict[str, list[_Known]] = defaultdict(list)
    cols = (
        objects.c.id,
        objects.c.date_added,
        objects.c.modified,
        objects.c.content_hash,
        objects.c.origin,
        objects.c.recorded_tlp,
        objects.c.is_latest,
    )
    if not ids:
        return known
    for row in conn.execute(select(*cols).where(one_of(conn, objects.c.id, sorted(ids)))):
        known[row.id].append(
            _Known(
                row.date_added,
                row.modified,
                row.content_hash,
                row.origin,
                row.recorded_tlp,
                row.is_latest,
            )
        )
    return known


def _decide(item: Incoming, versions: list[_Known]) -> PutResult | None:
    meta = item.meta
    if meta.modified is not None and not meta.is_sco:
        for v in versions:
            if v.modified == meta.modified:
                if v.content_hash == item.content_hash:
                    return PutResult(
                        meta.id, "unchanged", v.date_added if v.date_added > 0 else None
                    )
                return PutResult(
                    meta.id,
                    "rejected",
                    reason=(
                        f"a different version with modified {meta.modified_text} is already "
                        "stored; a change needs a later 'modified'"
                    ),
                )
        return None
    recorded = _tlp_int(item.recorded)
    for v in versions:
        if (v.content_hash, v.origin, v.recorded) == (item.content_hash, item.origin, recorded):
            return PutResult(meta.id, "unchanged", v.date_added if v.date_added > 0 else None)
    return None


def _new_latest(fresh: list[Incoming], known: dict[str, list[_Known]]) -> set[int]:
    """Which fresh items become their object's latest version (python ids of the items)."""
    best: dict[str, Incoming] = {}
    for item in fresh:
        current = best.get(item.meta.id)
        if current is None or _later(item, current):
            best[item.meta.id] = item
    latest: set[int] = set()
    for oid, item in best.items():
        stored = [v for v in known[oid] if v.date_added > 0]
        if item.meta.is_sco or item.meta.modified is None:
            latest.add(id(item))
        elif all(v.modified is None or v.modified < (item.meta.modified or 0) for v in stored):
            latest.add(id(item))
    return latest


def _later(a: Incoming, b: Incoming) -> bool:
    if a.meta.modified is None or b.meta.modified is None or a.meta.is_sco:
        return True  # SCOs: the later arrival wins
    return a.meta.modified > b.meta.modified


OBJECT_COLUMNS = (
    "date_added",
    "id",
    "type",
    "spec_version",
    "created",
    "modified",
    "version_text",
    "revoked",
    "created_by_ref",
    "origin",
    "tlp",
    "groups",
    "marking_from_object",
    "recorded_tlp",
    "brought_by",
    "readers",
    "is_latest",
    "label",
    "content_hash",
    "json",
)
INDEX_COLUMNS = (
    "obs_type",
    "value",
    "object_id",
    "object_type",
    "date_added",
    "tlp",
    "groups",
    "creator",
    "origin",
    "first_seen",
    "last_seen",
    "via",
    "revoked",
)


def _insert(
    conn: Connection,
    fresh: list[Incoming],
    stamps: dict[int, int],
    latest: set[int],
    stored: set[str],
) -> None:
    superseded = sorted({i.meta.id for i in fresh if id(i) in latest} & stored)
    for chunk in chunks(superseded):
        conn.execute(
            update(objects)
            .where(objects.c.id.in_(chunk), objects.c.is_latest.is_(True))
            .values(is_latest=False)
        )
    rows = [_row(i, stamps[id(i)], id(i) in latest) for i in fresh]
    insert_rows(conn, objects, OBJECT_COLUMNS, rows)


def _row(item: Incoming, date_added: int, is_latest: bool) -> tuple[Any, ...]:
    """An `objects` row, in OBJECT_COLUMNS order."""
    meta = item.meta
    marking = item.marking
    return (
        date_added,
        meta.id,
        meta.type,
        meta.spec_version,
        meta.created,
        None if meta.is_sco else meta.modified,
        None if meta.is_sco else meta.modified_text,
        meta.revoked,
        meta.created_by_ref,
        item.origin,
        int(marking.tlp),
        " ".join(marking.groups),
        marking.from_object,
        _tlp_int(item.recorded),
        item.brought_by,
        " ".join(item.readers),
        is_latest,
        item.label,
        item.content_hash,
        item.canonical.decode("utf-8"),
    )


def _reindex(
    conn: Connection,
    items: list[Incoming],
    stamps: dict[int, int],
    stored: set[str],
    earliest: dict[str, int],
) -> None:
    """Replace the index rows and references of objects whose latest version changed.

    Keys come from the object itself (an SCO's value, an indicator's comparisons) and from
    the SCOs it references (`via="ref"`); SCOs arriving after their referrers are indexed
    under those referrers too. Objects new to the node have no rows to replace.
    """
    ids = sorted({i.meta.id for i in items})
    replaced = [oid for oid in ids if oid in stored]
    first_seen = earliest | _first_seen(conn, replaced)
    targets = {i.meta.id: _targets(i.obj) for i in items}
    _replace_refs(conn, replaced, targets)
    own = {i.meta.id: _unique(i.keys) for i in items}
    sco_keys = _sco_keys(conn, {t for ts in targets.values() for t in ts}, own, items)
    rows_out: list[tuple[Any, ...]] = []
    for item in items:
        oid = item.meta.id
        stamp = stamps[id(item)]
        seen = first_seen[oid]
        keys = own[oid]
        if targets[oid]:
            keys = _unique(
                keys
                + [
                    IndexKey(k.obs_type, k.value, "ref")
                    for t in targets[oid]
                    for k in sco_keys.get(t, ())
                ]
            )
        rows_out.extend(_index_row(item, k, stamp, seen) for k in keys)
    rows_out.extend(_late_referrers(conn, items, own, set(ids)))
    insert_rows(conn, observables, INDEX_COLUMNS, rows_out)


def _first_seen(conn: Connection, ids: list[str]) -> dict[str, int]:
    first_seen: dict[str, int] = {}
    for chunk in chunks(ids):
        rows = conn.execute(
            select(objects.c.id, func.min(objects.c.date_added))
            .where(objects.c.id.in_(chunk))
            .group_by(objects.c.id)
        )
        first_seen.update({r[0]: r[1] for r in rows})
        conn.execute(delete(observables).where(observables.c.object_id.in_(chunk)))
    return first_seen


REF_PROPS = (
    "object_ref",  # a tombstone's (and a language-content's) object
    "object_refs",
    "source_ref",
    "target_ref",
    "sample_refs",
    "sample_ref",
    "analysis_sco_refs",
    "observed_data_refs",
)


_REF_NAMES = frozenset(REF_PROPS)


def _targets(obj: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for name in _REF_NAMES.intersection(obj):  # most objects have none: one pass over keys
        value = obj[name]
        if value is None:
            continue
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list):
            found.extend(v for v in value if isinstance(v, str))
    return sorted(set(found)) if found else found


def _replace_refs(conn: Connection, replaced: list[str], targets: dict[str, list[str]]) -> None:
    for chunk in chunks(replaced):
        conn.execute(delete(refs).where(refs.c.object_id.in_(chunk)))
    rows = [(oid, t) for oid, ts in targets.items() for t in ts]
    insert_rows(conn, refs, ("object_id", "target_id"), rows)


def _sco_keys(
    conn: Connection, targets: set[str], own: dict[str, list[IndexKey]], items: list[Incoming]
) -> dict[str, list[IndexKey]]:
    """The own keys of each referenced SCO: from this batch, else from the index."""
    keys: dict[str, list[IndexKey]] = {
        i.meta.id: own[i.meta.id] for i in items if i.meta.is_sco and i.meta.id in targets
    }
    for chunk in chunks(sorted(targets - keys.keys())):
        stmt = select(observables.c.object_id, observables.c.obs_type, observables.c.value).where(
            observables.c.object_id.in_(chunk), observables.c.via == "sco"
        )
        for row in conn.execute(stmt):
            keys.setdefault(row.object_id, []).append(IndexKey(row.obs_type, row.value, "sco"))
    return keys


def _late_referrers(
    conn: Connection, items: list[Incoming], own: dict[str, list[IndexKey]], done: set[str]
) -> list[tuple[Any, ...]]:
    """Index rows for stored objects that referenced an SCO before it arrived."""
    scos = {i.meta.id: own[i.meta.id] for i in items if i.meta.is_sco and own[i.meta.id]}
    if not scos:
        return []
    stmt = select(refs.c.object_id, refs.c.target_id).where(
        one_of(conn, refs.c.target_id, sorted(scos))
    )
    pairs = [(r.object_id, r.target_id) for r in conn.execute(stmt) if r.object_id not in done]
    if not pairs:
        return []
    referrers = latest_of(conn, {p[0] for p in pairs})
    present = {(r.object_id, r.obs_type, r.value) for r in index.rows_of_objects(conn, referrers)}
    rows = []
    for oid, target in pairs:
        version = referrers.get(oid)
        if version is None:
            continue
        for key in scos[target]:
            if (oid, key.obs_type, key.value) in present:
                continue
            present.add((oid, key.obs_type, key.value))
            rows.append(_stored_index_row(version, IndexKey(key.obs_type, key.value, "ref")))
    return rows


def _stored_index_row(version: StoredVersion, key: IndexKey) -> tuple[Any, ...]:
    """An `observables` row (INDEX_COLUMNS order) for a stored version."""
    return (
        key.obs_type,
        key.value,
        version.id,
        version.type,
        version.date_added,
        int(version.marking.tlp),
        " ".join(version.marking.groups),
        version.creator,
        version.origin,
        version.date_added,
        version.date_added,
        key.via,
        version.revoked,
    )


def _unique(keys: list[IndexKey]) -> list[IndexKey]:
    if len(keys) < 2:
        return list(keys)  # most objects carry one key or none
    seen: dict[tuple[str, str], IndexKey] = {}
    for key in keys:
        seen.setdefault((key.obs_type, key.value), key)
    return list(seen.values())


def _index_row(item: Incoming, key: IndexKey, date_added: int, first_seen: int) -> tuple[Any, ...]:
    """An `observables` row (INDEX_COLUMNS order) for an incoming version."""
    meta = item.meta
    return (
        key.obs_type,
        key.value,
        meta.id,
        meta.type,
        date_added,
        int(item.marking.tlp),
        " ".join(item.marking.groups),
        meta.created_by_ref or item.origin,
        item.origin,
        first_seen,
        date_added,
        key.via,
        meta.revoked,
    )
