"""Table rows as the store's dataclasses: the one place that knows both shapes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from kawan.stix.markings import Marking, Tlp
from kawan.store.records import ObservableRow, StoredVersion


def version_of(row: Row[Any], prefix: str = "") -> StoredVersion:
    """An `objects` row; `prefix` names the columns of a joined row (`v_date_added`)."""
    m = row._mapping
    groups, readers = m[prefix + "groups"], m[prefix + "readers"]
    recorded = m[prefix + "recorded_tlp"]
    return StoredVersion(
        date_added=m[prefix + "date_added"],
        id=m[prefix + "id"],
        type=m[prefix + "type"],
        spec_version=m[prefix + "spec_version"],
        created=m[prefix + "created"],
        modified=m[prefix + "modified"],
        version_text=m[prefix + "version_text"],
        revoked=m[prefix + "revoked"],
        created_by_ref=m[prefix + "created_by_ref"],
        origin=m[prefix + "origin"],
        marking=Marking(
            Tlp(m[prefix + "tlp"]),
            tuple(groups.split()) if groups else (),
            m[prefix + "marking_from_object"],
        ),
        recorded=None if recorded is None else Tlp(recorded),
        is_latest=m[prefix + "is_latest"],
        json=m[prefix + "json"],
        brought_by=m[prefix + "brought_by"],
        readers=tuple(readers.split()) if readers else (),
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
