"""The node's tables, in one MetaData. Times are integers: microseconds since the epoch.

`objects` keeps every version of every STIX object the node holds. Its primary key,
`date_added`, comes from one strictly increasing clock (`clock`), allocated under a
writers' lock and committed in order, so a reader's cursor never skips a version.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

node = Table(
    "node",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

clock = Table(
    "clock",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last", BigInteger, nullable=False),
)

objects = Table(
    "objects",
    metadata,
    Column("date_added", BigInteger, primary_key=True, autoincrement=False),
    Column("id", String(300), nullable=False),
    Column("type", String(250), nullable=False),
    Column("spec_version", String(8), nullable=False),
    Column("created", BigInteger),
    Column("modified", BigInteger),  # the version: modified, else created; NULL for SCOs
    Column("version_text", String(40)),  # the version as the object writes it
    Column("revoked", Boolean, nullable=False),
    Column("created_by_ref", String(300)),
    Column("origin", String(300), nullable=False),  # agency identity id it came from
    Column("tlp", SmallInteger, nullable=False),  # effective marking (kawan.stix.markings.Tlp)
    Column("groups", Text, nullable=False),  # sharing-group ids named, space-separated
    Column("marking_from_object", Boolean, nullable=False),
    Column("recorded_tlp", SmallInteger),  # the marking recorded on receipt, if any
    Column("is_latest", Boolean, nullable=False),
    Column("label", Text, nullable=False),  # name / value / pattern: what text search reads
    Column("content_hash", String(32), nullable=False),
    Column("json", Text, nullable=False),
)
Index("ix_objects_id_version", objects.c.id, objects.c.modified)
Index("ix_objects_latest_type", objects.c.is_latest, objects.c.type, objects.c.date_added)
Index("ix_objects_creator", objects.c.created_by_ref)

observables = Table(
    "observables",
    metadata,
    Column(
        "row", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("obs_type", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("object_id", String(300), nullable=False),
    Column("object_type", String(250), nullable=False),
    Column("date_added", BigInteger, nullable=False),  # the object version indexed
    Column("tlp", SmallInteger, nullable=False),
    Column("groups", Text, nullable=False),
    Column("creator", String(300), nullable=False),
    Column("origin", String(300), nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("via", String(16), nullable=False),  # sco | ref | pattern
    Column("revoked", Boolean, nullable=False),
)
Index("ix_observables_key", observables.c.obs_type, observables.c.value)
Index("ix_observables_object", observables.c.object_id)

refs = Table(
    "refs",
    metadata,
    Column("object_id", String(300), nullable=False),  # the latest version's references
    Column("target_id", String(300), nullable=False),
)
Index("ix_refs_object", refs.c.object_id)
Index("ix_refs_target", refs.c.target_id)
