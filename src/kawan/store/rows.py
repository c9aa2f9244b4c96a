"""Table rows as the store's dataclasses: the one place that knows both shapes.

`version_from` / `observable_from` take a row's values in the order of `VERSION_FIELDS` /
`OBSERVABLE_FIELDS` (the checks' raw reads select them so); `version_of` / `observable_of`
take a SQLAlchemy row and read the same fields by name."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row

from kawan.stix.markings import Marking, Tlp
from kawan.store.records import ObservableRow, StoredVersion

VERSION_FIELDS = (
    "date_added", "id", "type", "spec_version", "created", "modified", "version_text",
    "revoked", "created_by_ref", "origin", "tlp", "groups", "marking_from_object",
    "recorded_tlp", "brought_by", "readers", "is_latest", "json",
)  # fmt: skip
OBSERVABLE_FIELDS = (
    "obs_type", "value", "object_id", "object_type", "date_added", "tlp", "groups", "creator",
    "origin", "first_seen", "last_seen", "via", "revoked",
)  # fmt: skip


def version_from(values: Sequence[Any]) -> StoredVersion:
    """An `objects` row from its values in `VERSION_FIELDS` order."""
    (date_added, oid, type_, spec_version, created, modified, version_text, revoked,
     created_by_ref, origin, tlp, groups, from_object, recorded, brought_by, readers,
     is_latest, json) = values  # fmt: skip
    return StoredVersion(
        date_added, oid, type_, spec_version, created, modified, version_text, bool(revoked),
        created_by_ref, origin, marking_of(tlp, groups, bool(from_object)),
        None if recorded is None else _TLPS[recorded], bool(is_latest), json, brought_by,
        tuple(readers.split()) if readers else (),
    )  # fmt: skip


_TLPS = {int(t): t for t in Tlp}


@functools.lru_cache(maxsize=1024)
def marking_of(tlp: int, groups: str, from_object: bool = True) -> Marking:
    """The Marking of stored columns (a read has few distinct ones; Marking is immutable,
    so one instance serves every row)."""
    return Marking(_TLPS[tlp], tuple(groups.split()) if groups else (), from_object)


def observable_from(values: Sequence[Any]) -> ObservableRow:
    """An `observables` row from its values in `OBSERVABLE_FIELDS` order."""
    (obs_type, value, object_id, object_type, date_added, tlp, groups, creator, origin,
     first_seen, last_seen, via, revoked) = values  # fmt: skip
    return ObservableRow(
        obs_type=obs_type,
        value=value,
        object_id=object_id,
        object_type=object_type,
        date_added=date_added,
        marking=marking_of(tlp, groups),
        creator=creator,
        origin=origin,
        first_seen=first_seen,
        last_seen=last_seen,
        via=via,
        revoked=bool(revoked),
    )


def version_of(row: Row[Any], prefix: str = "") -> StoredVersion:
    """An `objects` row; `prefix` names the columns of a joined row (`v_date_added`)."""
    m = row._mapping
    return version_from([m[prefix + name] for name in VERSION_FIELDS])


def observable_of(row: Row[Any]) -> ObservableRow:
    """An `observables` row."""
    m = row._mapping
    return observable_from([m[name] for name in OBSERVABLE_FIELDS])
