"""The indicator index from the store, cached on disk and updated incrementally (I/O).

What is compiled: the latest version of every indicator the node holds that is not
revoked, has a simple pattern (one comparison or an OR of comparisons: the store indexes
those comparisons with `via="pattern"`), is valid now (valid_from <= now < valid_until)
and is visible to the home agency under the sharing policy
(`kawan.sharing.policy.visible` for a home viewer, through `kawan.sharing.reads`).

The cache (`$KAWAN_HOME/match-index/`: `.npy` arrays, memory-mapped, and a small JSON
header) keeps every candidate indicator with the metadata validity and visibility are
decided from, the lookup arrays derived from them (`index.Lookup`), and a cursor (the
highest `date_added` of the indicator versions and tombstones read). A later run reads
only the indicator versions added since the cursor, replacing or dropping the entries they
supersede, and drops the indicators tombstones added since then deleted; validity and
visibility are decided again on every run, so an expired indicator leaves the index
without a store write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine

from kawan.match import table as tables
from kawan.match.build import PREFIXES, Builder, give_back_memory
from kawan.match.complete import read_complete
from kawan.match.index import Index, Lookup
from kawan.match.table import Bools, Meta, Table
from kawan.sharing.policy import Kind, Viewer, World, visible
from kawan.sharing.reads import facts_of, load_world
from kawan.stix.markings import Marking, Tlp
from kawan.stix.timestamps import now_us
from kawan.store.engine import reading
from kawan.store.indicators import deleted_indicators, indicator_versions, pattern_keys
from kawan.store.records import StoredVersion

Visible = Callable[[StoredVersion], bool]
CACHE_NAME = "match-index"


@dataclass(frozen=True)
class Compiled:
    index: Index
    indicators: int  # indicators in the index
    read: int  # indicator versions read from the store this time
    cached: bool  # whether a cache was used
    digest: str  # content hash of the candidate indicator set


def home_visible(world: World) -> Visible:
    """The policy's answer for the home agency (a home viewer without a user id)."""
    viewer = Viewer(Kind.HOME)
    return lambda version: visible(viewer, facts_of(version), world)


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
    loaded = tables.load(path) if path is not None else None
    if loaded is not None and loaded[1].get("home") != home:
        loaded = None
    if loaded is None:
        complete = read_complete(engine)
        base, since = complete.table(), complete.cursor
        read = len(base.ids)
        give_back_memory()
    else:
        base, since, read = loaded[0], int(loaded[1]["cursor"]), 0
    with reading(engine) as conn:
        policy = visible or home_visible(load_world(conn))
        builder, cursor = _read_since(conn, since)
    if loaded is not None and cursor == since:  # nothing new: the cache as it is
        table, lookup, digest = loaded[0], Lookup(**loaded[2]), str(loaded[1]["digest"])
    else:
        table, lookup, digest = _updated(builder, base, path, {"home": home, "cursor": cursor})
        del base  # the table read: the one saved is memory-mapped from now on
        give_back_memory()
    usable = _usable(table, policy, now or now_us())
    index = Index(table, usable, lookup)
    return Compiled(index, int(usable.sum()), read + builder.read, loaded is not None, digest)


def _updated(
    builder: Builder, old: Table, path: Path | None, header: dict[str, Any]
) -> tuple[Table, Lookup, str]:
    """The old table with what the builder read, its lookup arrays and digest, saved to
    `path` (and then memory-mapped from there)."""
    ids, hashes = builder.read_ids()
    if builder.read or len(ids):
        old = tables.merge(old, builder.table(), ids, hashes)
        give_back_memory()
    lookup, digest = Lookup.of(old), old.digest()
    if path is None:
        return old, lookup, digest
    tables.save(path, old, {**header, "digest": digest}, lookup.arrays())
    saved = tables.load(path)
    return (old, lookup, digest) if saved is None else (saved[0], Lookup(**saved[2]), digest)


def _read_since(conn: Connection, since: int) -> tuple[Builder, int]:
    """The indicator versions and deletions added after the cursor, and the new cursor."""
    builder = Builder()
    for versions in indicator_versions(conn, since):
        builder.add_versions(versions)
    keys = pattern_keys(conn, PREFIXES, since)
    if keys is not None:
        builder.add_keys(keys)
    deleted, last = deleted_indicators(conn, since)
    builder.forget(deleted)
    return builder, max(since, builder.cursor, last)


def _usable(table: Table, visible: Visible, now: int) -> Bools:
    """Entries valid now and visible; the policy is asked once per distinct metadata."""
    allowed = np.array([visible(_version(meta)) for meta in table.metas] or [False])
    valid = (table.valid_from <= now) & (now < table.valid_until)
    return valid & allowed[table.meta] if len(table.meta) else valid


def _version(meta: Meta) -> StoredVersion:
    """The metadata of a version (without its JSON), for the visibility decision."""
    created_by_ref, origin, tlp, groups, from_object, recorded, brought_by, readers = meta
    marking = Marking(Tlp(tlp), tuple(groups.split()), from_object)
    return StoredVersion(0, "", "indicator", "2.1", None, None, None, False, created_by_ref,
                         origin, marking, None if recorded is None else Tlp(recorded), True,
                         "", brought_by, tuple(readers.split()))  # fmt: skip
