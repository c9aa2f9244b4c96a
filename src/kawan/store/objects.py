"""Storing object versions: put (append-only, idempotent) and the observable index.

Reads are in `kawan.store.versions`; deletion by tombstone in `kawan.store.deletions`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
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


class Rows(NamedTuple):
    """An incoming version's rows (its index rows less their stamps: first and last seen,
    `date_added`): made once per stored version by `rows_of`."""

    version: tuple[Any, ...]  # the `objects` row (VERSION_INSERT order)
    keys: tuple[tuple[Any, ...], ...]  # per own index key: the `observables` row's others
    targets: tuple[str, ...]  # the ids it references (sorted, once each)


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
    ids = {item.meta.id for item in items}
    known = _known_versions(conn, ids)
    stored = set(known)  # ids with a version stored before this batch
    repeats = len(ids) < len(items)  # else no item meets a version stored by the batch
    deletions = Deletions.of(conn, items)
    outcomes: list[PutResult | None] = []  # None: stored now
    fresh: list[Incoming] = []
    refusal = deletions.refusal if deletions.creators or deletions.dead else None
    for item in items:
        versions = known[item.meta.id]
        decided = refusal(item) if refusal is not None else None
        if decided is None and versions:  # nothing to decide against a first version
            decided = _decide(item, versions)
        outcomes.append(decided)
        if decided is None:
            fresh.append(item)
            if repeats:
                versions.append(_pending(item))
    if not fresh:
        return [o for o in outcomes if o is not None]
    first = Clock.take(conn, len(fresh))  # fresh[n] is stamped first + n
    latest = _new_latest(fresh, known)
    rows = [rows_of(item, first + n, latest[n]) for n, item in enumerate(fresh)]
    _insert(conn, fresh, latest, rows, stored)
    collections.enter(conn, [(first + n, item.marking) for n, item in enumerate(fresh)])
    earliest: dict[str, int] = {}  # the first stamp of each object new to the node
    for n, item in enumerate(fresh):
        earliest.setdefault(item.meta.id, first + n)
    now_latest = [(first + n, fresh[n], rows[n]) for n in range(len(fresh)) if latest[n]]
    _reindex(conn, now_latest, stored, earliest)
    delete_objects(conn, deletions.targets_of(fresh))
    added = (PutResult(item.meta.id, "added", first + n) for n, item in enumerate(fresh))
    return [o if o is not None else next(added) for o in outcomes]


def _pending(item: Incoming) -> _Known:
    """A version stored by this batch, as later items of the batch see it."""
    meta = item.meta
    return _Known(-1, meta.modified, item.content_hash, item.origin, _tlp_int(item.recorded), False)


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


def _new_latest(fresh: list[Incoming], known: dict[str, list[_Known]]) -> list[bool]:
    """Whether each fresh item becomes its object's latest version."""
    best: dict[str, int] = {}  # object id -> position in fresh
    for n, item in enumerate(fresh):
        current = best.get(item.meta.id)
        if current is None or _later(item, fresh[current]):
            best[item.meta.id] = n
    latest = [False] * len(fresh)
    for oid, n in best.items():
        meta = fresh[n].meta
        if meta.is_sco or meta.modified is None or not known[oid]:
            latest[n] = True
        else:
            stored = (v for v in known[oid] if v.date_added > 0)
            latest[n] = all(v.modified is None or v.modified < meta.modified for v in stored)
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
    "valid_from",
    "valid_until",
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
# The order ingest inserts in (`rows_of`): what the store decides first.
_DECIDED = ("date_added", "is_latest")
VERSION_INSERT = (*_DECIDED, *(c for c in OBJECT_COLUMNS if c not in _DECIDED))
_STAMPED = ("date_added", "first_seen", "last_seen")
KEY_INSERT = (*_STAMPED, *(c for c in INDEX_COLUMNS if c not in _STAMPED))


def rows_of(item: Incoming, date_added: int, is_latest: bool) -> Rows:
    """What `put_batch` inserts for the item, stamped `date_added`."""
    meta, marking = item.meta, item.marking
    tlp, groups = int(marking.tlp), " ".join(marking.groups)
    # Meta's first eight fields are the row's first eight columns (id … created_by_ref);
    # an SCO's row has no version (an SCO's `modified` is an optional property, not one).
    head = (*meta[:4], None, None, *meta[6:8]) if meta.is_sco else meta[:8]
    version = (
        date_added,
        is_latest,
        *head,
        item.origin,
        tlp,
        groups,
        marking.from_object,
        _tlp_int(item.recorded),
        item.brought_by,
        " ".join(item.readers),
        item.label,
        item.content_hash,
        item.canonical.decode("utf-8"),
        meta.valid_from,
        meta.valid_until,
    )
    keys = tuple([_key_row(item, key, tlp, groups) for key in _unique(item.keys)])
    return Rows(version, keys, tuple(_targets(item.obj)))


def _key_row(item: Incoming, key: IndexKey, tlp: int, groups: str) -> tuple[Any, ...]:
    """An `observables` row less its stamps (the KEY_INSERT order after _STAMPED)."""
    meta = item.meta
    creator = meta.created_by_ref or item.origin
    return (
        key.obs_type,
        key.value,
        meta.id,
        meta.type,
        tlp,
        groups,
        creator,
        item.origin,
        key.via,
        meta.revoked,
    )


def _insert(
    conn: Connection,
    fresh: list[Incoming],
    latest: list[bool],
    rows: list[Rows],
    stored: set[str],
) -> None:
    superseded = sorted({i.meta.id for n, i in enumerate(fresh) if latest[n]} & stored)
    for chunk in chunks(superseded):
        conn.execute(
            update(objects)
            .where(objects.c.id.in_(chunk), objects.c.is_latest.is_(True))
            .values(is_latest=False)
        )
    insert_rows(conn, objects, VERSION_INSERT, [r.version for r in rows])


def _reindex(
    conn: Connection,
    items: list[tuple[int, Incoming, Rows]],
    stored: set[str],
    earliest: dict[str, int],
) -> None:
    """Replace the index rows and references of objects whose latest version changed
    (given with their stamps and rows).

    Keys come from the object itself (an SCO's value, an indicator's comparisons) and from
    the SCOs it references (`via="ref"`); SCOs arriving after their referrers are indexed
    under those referrers too. Objects new to the node have no rows to replace.
    """
    targets: dict[str, tuple[str, ...]] = {}
    own: dict[str, list[IndexKey]] = {}  # the SCOs' own keys
    for _, item, rows in items:
        targets[item.meta.id] = rows.targets
        if item.meta.is_sco:
            own[item.meta.id] = _unique(item.keys)
    ids = targets.keys()
    replaced = sorted(ids & stored)
    first_seen = earliest | _first_seen(conn, replaced)
    _replace_refs(conn, replaced, targets)
    sco_keys = _sco_keys(conn, {t for ts in targets.values() for t in ts}, own)
    rows_out: list[tuple[Any, ...]] = []
    for stamp, item, rows in items:
        stamps = (stamp, first_seen[item.meta.id], stamp)
        for key in rows.keys:
            rows_out.append((*stamps, *key))
        if rows.targets:
            rows_out.extend((*stamps, *key) for key in _ref_rows(item, rows, sco_keys))
    rows_out.extend(_late_referrers(conn, own, ids))
    insert_rows(conn, observables, KEY_INSERT, rows_out)


def _ref_rows(
    item: Incoming, rows: Rows, sco_keys: dict[str, list[IndexKey]]
) -> list[tuple[Any, ...]]:
    """Rows (less stamps) for the keys of the SCOs an item references, but not for a key
    it carries itself or has from an earlier reference."""
    tlp, groups = int(item.marking.tlp), " ".join(item.marking.groups)
    seen = {(key[0], key[1]) for key in rows.keys}
    out = []
    for target in rows.targets:
        for k in sco_keys.get(target, ()):
            if (k.obs_type, k.value) not in seen:
                seen.add((k.obs_type, k.value))
                out.append(_key_row(item, IndexKey(k.obs_type, k.value, "ref"), tlp, groups))
    return out


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


def _replace_refs(
    conn: Connection, replaced: list[str], targets: dict[str, tuple[str, ...]]
) -> None:
    for chunk in chunks(replaced):
        conn.execute(delete(refs).where(refs.c.object_id.in_(chunk)))
    rows = [(oid, t) for oid, ts in targets.items() for t in ts]
    insert_rows(conn, refs, ("object_id", "target_id"), rows)


def _sco_keys(
    conn: Connection, targets: set[str], own: dict[str, list[IndexKey]]
) -> dict[str, list[IndexKey]]:
    """The own keys of each referenced SCO: from this batch (`own`), else from the index."""
    keys = {oid: own[oid] for oid in targets if oid in own}
    for chunk in chunks(sorted(targets - keys.keys())):
        stmt = select(observables.c.object_id, observables.c.obs_type, observables.c.value).where(
            observables.c.object_id.in_(chunk), observables.c.via == "sco"
        )
        for row in conn.execute(stmt):
            keys.setdefault(row.object_id, []).append(IndexKey(row.obs_type, row.value, "sco"))
    return keys


def _late_referrers(
    conn: Connection, own: dict[str, list[IndexKey]], done: AbstractSet[str]
) -> list[tuple[Any, ...]]:
    """Index rows (KEY_INSERT order) for stored objects that referenced an SCO of this
    batch (its own keys in `own`) before it arrived."""
    scos = {oid: keys for oid, keys in own.items() if keys}
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
    """An `observables` row (KEY_INSERT order) for a stored version."""
    return (
        version.date_added,
        version.date_added,
        version.date_added,
        key.obs_type,
        key.value,
        version.id,
        version.type,
        int(version.marking.tlp),
        " ".join(version.marking.groups),
        version.creator,
        version.origin,
        key.via,
        version.revoked,
    )


def _unique(keys: list[IndexKey]) -> list[IndexKey]:
    if len(keys) < 2:
        return keys  # most objects carry one key or none (callers do not change the list)
    seen: dict[tuple[str, str], IndexKey] = {}
    for key in keys:
        seen.setdefault((key.obs_type, key.value), key)
    return list(seen.values())
