"""Table rows as the store's dataclasses: the one place that knows both shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from kawan.stix.markings import Marking, Tlp
from kawan.store.records import ObservableRow, StoredVersion


def version_of(row: Row[Any]) -> StoredVersion:
    """An `objects` row."""
    groups = tuple(row.groups.split()) if row.groups else ()
    return StoredVersion(
        date_added=row.date_added,
        id=row.id,
        type=row.type,
        spec_version=row.spec_version,
        created=row.created,
        modified=row.modified,
        version_text=row.version_text,
        revoked=row.revoked,
        created_by_ref=row.created_by_ref,
        origin=row.origin,
        marking=Marking(Tlp(row.tlp), groups, row.marking_from_object),
        recorded=None if row.recorded_tlp is None else Tlp(row.recorded_tlp),
        is_latest=row.is_latest,
        json=row.json,
        brought_by=row.brought_by,
        readers=tuple(row.readers.split()) if row.readers else (),
    )


def observable_of(row: Row[Any]) -> ObservableRow:
    """An `observables` row."""
    return ObservableRow(
        obs_type=row.obs_type,
        value=row.value,
        object_id=row.object_id,
        object_type=row.object_type,
        date_added=row.date_added,
        marking=Marking(Tlp(row.tlp), tuple(row.groups.split()) if row.groups else ()),
        creator=row.creator,
        origin=row.origin,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        via=row.via,
        revoked=row.revoked,
    )
