"""Policy-bound reads: the only way surfaces read objects for a viewer.

`Access(engine, viewer)` answers lists, gets, versions, index rows and exports with
exactly what `kawan.sharing.policy.visible` allows that viewer: each object appears at
the latest version the viewer may see (by version, then date_added), never at a version
it may not, and never at all when it may see none.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial

import orjson
from sqlalchemy import Connection, Engine

from kawan.errors import CannotRun
from kawan.sharing.policy import Facts, Viewer, World, visible
from kawan.store import groups as group_table
from kawan.store import versions as stored_versions
from kawan.store.engine import reading
from kawan.store.records import ObservableRow, StoredVersion

# object ids -> every version of each the node holds (oldest first)
VersionsOf = Callable[[set[str]], Mapping[str, list[StoredVersion]]]
END_PROPS = {"relationship": ("source_ref", "target_ref"), "sighting": ("sighting_of_ref",)}
SCAN = 2000


def load_world(conn: Connection) -> World:
    home = group_table.home_agency(conn)
    if home is None:
        raise CannotRun("this node has no home agency yet: run `kawan init` first")
    members = {g["group_id"]: frozenset(g["members"]) for g in group_table.current(conn)}
    return World(home, members, group_table.public_count_agencies(conn))


class WorldCache:
    """The policy's world for one app, read again at most every `ttl` seconds: a change
    of group membership or public-count consent reaches the reads that use it within
    that time. `clock` is monotonic seconds (tests pass a fake one)."""

    def __init__(self, ttl: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._held: tuple[float, World] | None = None
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> World:
        now = self.clock()
        with self._lock:
            held = self._held
        if held is not None and 0 <= now - held[0] < self.ttl:
            return held[1]
        with reading(engine) as conn:
            world = load_world(conn)
        with self._lock:
            self._held = (now, world)
        return world


def ends_of(version: StoredVersion) -> tuple[str, ...]:
    names = END_PROPS.get(version.type)
    if not names:
        return ()
    obj = orjson.loads(version.json)
    return tuple(str(obj[n]) for n in names if isinstance(obj.get(n), str))


def facts_of(version: StoredVersion) -> Facts:
    return Facts(
        tlp=version.marking.tlp,
        groups=version.marking.groups,
        origin=version.origin,
        creator=version.creator,
        brought_by=version.brought_by,
        readers=version.readers,
        ends=ends_of(version),
    )


@dataclass
class Access:
    """Reads for one viewer. Cheap to make; make one per request. The policy's world is
    `_world` when given, else `worlds`' (a per-app `WorldCache`), else read on first use."""

    engine: Engine
    viewer: Viewer
    _world: World | None = field(default=None, repr=False)
    worlds: WorldCache | None = field(default=None, repr=False)

    @property
    def world(self) -> World:
        if self._world is None:  # no lock: two threads reading it twice is harmless
            self._world = self.worlds.get(self.engine) if self.worlds else self._load_world()
        return self._world

    def _load_world(self) -> World:
        with reading(self.engine) as conn:
            return load_world(conn)

    # -- the one decision, with the ends a relationship or sighting needs ------------

    def allowed(self, conn: Connection, versions: list[StoredVersion]) -> list[StoredVersion]:
        return self.allowed_by(versions, partial(stored_versions.versions_of, conn))

    def allowed_by(
        self, versions: list[StoredVersion], versions_of: VersionsOf
    ) -> list[StoredVersion]:
        """`allowed`, reading the versions of relationship and sighting ends (when there
        are any) with `versions_of` (e.g. `kawan.store.index.Snapshot.versions_of`)."""
        facts = [facts_of(v) for v in versions]
        needed = {end for f in facts for end in f.ends}
        ends = _end_facts(versions_of, needed) if needed else {}
        return [
            v
            for v, f in zip(versions, facts, strict=True)
            if visible(self.viewer, f, self.world, ends)
        ]

    # -- objects ----------------------------------------------------------------------

    def versions(self, object_id: str) -> list[StoredVersion]:
        with reading(self.engine) as conn:
            return self.allowed(conn, stored_versions.versions(conn, object_id))

    def latest(self, object_id: str) -> StoredVersion | None:
        found = self.versions(object_id)
        return max(found, key=_rank) if found else None

    def page(
        self, query: stored_versions.Query, limit: int
    ) -> tuple[list[StoredVersion], int | None]:
        """Up to `limit` objects at their latest visible version, in date_added order,
        after `query.after`; and the cursor of the next page (None at the end)."""
        out: list[StoredVersion] = []
        after = query.after
        with reading(self.engine) as conn:
            while len(out) < limit:
                scan = stored_versions.select_versions(conn, _all_versions(query, after, SCAN))
                out.extend(self._best_of(conn, scan))
                if len(scan) < SCAN:
                    return out[:limit], (out[limit - 1].date_added if len(out) > limit else None)
                after = scan[-1].date_added
        return out[:limit], out[limit - 1].date_added

    def _best_of(self, conn: Connection, scan: list[StoredVersion]) -> list[StoredVersion]:
        """Those scanned versions that are their object's latest visible version."""
        candidates = self.allowed(conn, scan)
        ids = {v.id for v in candidates}
        best: dict[str, StoredVersion] = {}
        every = [v for vs in stored_versions.versions_of(conn, ids).values() for v in vs]
        for v in self.allowed(conn, every):
            if v.id not in best or _rank(v) > _rank(best[v.id]):
                best[v.id] = v
        return [v for v in candidates if best[v.id].date_added == v.date_added]

    def iterate(self, query: stored_versions.Query) -> Iterator[StoredVersion]:
        """Every object at its latest visible version (bounded memory)."""
        after = query.after
        while True:
            page, after = self.page(
                stored_versions.Query(
                    query.types, query.creator, query.since, query.text, True, after, None
                ),
                SCAN,
            )
            yield from page
            if after is None:
                return

    # -- the observable index -----------------------------------------------------------

    def rows(self, rows: list[ObservableRow]) -> list[ObservableRow]:
        """The index rows this viewer may see: those whose object version it may see."""
        if not rows:
            return []
        with reading(self.engine) as conn:
            return self.rows_in(conn, rows)

    def rows_in(
        self,
        conn: Connection,
        rows: list[ObservableRow],
        stored: Mapping[int, StoredVersion] | None = None,
    ) -> list[ObservableRow]:
        """`rows`, read in the caller's transaction. `stored`: the versions the rows index
        by date_added, when the caller read them with the rows
        (`kawan.store.index.versioned_rows_for`); a row whose version is missing is kept
        from the viewer."""
        if not rows:
            return []
        if stored is None:
            stored = stored_versions.versions_at(conn, {r.date_added for r in rows})
        return self.rows_by(rows, stored, partial(stored_versions.versions_of, conn))

    def rows_by(
        self,
        rows: list[ObservableRow],
        stored: Mapping[int, StoredVersion],
        versions_of: VersionsOf,
    ) -> list[ObservableRow]:
        """`rows_in`, for rows read with their versions in some other read (the checks'
        `kawan.store.index.Snapshot`), whose `versions_of` reads the ends."""
        if not rows:
            return []
        ok = {v.date_added for v in self.allowed_by(list(stored.values()), versions_of)}
        return [r for r in rows if r.date_added in ok]


def _end_facts(versions_of: VersionsOf, ids: set[str]) -> dict[str, list[Facts]]:
    found: dict[str, list[Facts]] = defaultdict(list)
    for oid, versions in versions_of(ids).items():
        found[oid].extend(facts_of(v) for v in versions)
    return found


def _rank(v: StoredVersion) -> tuple[int, int]:
    return (v.version, v.date_added)


def _all_versions(
    query: stored_versions.Query, after: int | None, limit: int
) -> stored_versions.Query:
    return stored_versions.Query(
        query.types, query.creator, query.since, query.text, False, after, limit
    )
