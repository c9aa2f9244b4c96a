"""The node's tables, in one MetaData. Times are integers: microseconds since the epoch.

`objects` keeps every version of every STIX object the node holds. Its primary key,
`date_added`, comes from one strictly increasing clock (`clock`), allocated under a
writers' lock and committed in order, so a reader's cursor never skips a version. On
SQLite it is the rowid (`INTEGER PRIMARY KEY`): one B-tree fewer to fill on insert.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
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
    Column(
        "date_added",
        BigInteger().with_variant(Integer, "sqlite"),  # SQLite: the rowid (migration 0008)
        primary_key=True,
        autoincrement=False,
    ),
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
    Column("brought_by", String(64)),  # the home user who brought it in (RED: who may read)
    Column("readers", Text, nullable=False, server_default=""),  # RED: users they named
    Column("is_latest", Boolean, nullable=False),
    Column("label", Text, nullable=False),  # name / value / pattern: what text search reads
    Column("content_hash", String(32), nullable=False),
    Column("json", Text, nullable=False),
    # an indicator's valid_from / valid_until (microseconds; NULL for other types and when
    # absent): what the matcher decides validity from without reading the JSON (0009)
    Column("valid_from", BigInteger),
    Column("valid_until", BigInteger),
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

# ---- who may see what (accounts, partners, groups, audit) ------------------------------

agencies = Table(
    "agencies",
    metadata,
    Column("agency_id", String(300), primary_key=True),  # the agency's STIX identity id
    Column("name", String(300), nullable=False),
    Column("country", String(2)),
    Column("is_home", Boolean, nullable=False),
    Column("is_partner", Boolean, nullable=False),
    Column("url", Text),  # a partner node's TAXII discovery URL, for sync
    Column("public_counts", Boolean, nullable=False),  # its objects count in public checks
    Column("created", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("role", String(20), nullable=False),  # admin | analyst | investigator | viewer
    Column("password_hash", Text),  # argon2id; NULL: token access only
    Column("created", BigInteger, nullable=False),
    Column("disabled", Boolean, nullable=False),
)

tokens = Table(
    "tokens",
    metadata,
    Column("token_id", String(32), primary_key=True),  # the public half of the token
    Column("secret_hash", String(128), nullable=False),  # sha256 of the secret half
    Column("user_id", String(64)),  # a home user's token …
    Column("agency_id", String(300)),  # … or a partner agency's
    Column("label", String(200), nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("expires", BigInteger),
    Column("revoked", BigInteger),
    Column("last_used", BigInteger),
)
Index("ix_tokens_user", tokens.c.user_id)
Index("ix_tokens_agency", tokens.c.agency_id)

groups = Table(
    "groups",
    metadata,
    Column("group_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("members", Text, nullable=False),  # agency identity ids, space-separated
    Column("marking_id", String(300), nullable=False),  # the marking-definition naming it
    Column("modified", BigInteger, nullable=False),
    Column("deleted", Boolean, nullable=False),
    Column("owner", String(300), nullable=True),  # its owner's agency id (NULL: the home's)
    PrimaryKeyConstraint("group_id", "version"),
)
Index("ix_groups_marking", groups.c.marking_id)

audit = Table(
    "audit",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(300), nullable=False),  # user:<id>, agency:<id>, cli:<name>, anon
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False),
    Column("source", String(100), nullable=False),  # client address
    Column("outcome", String(20), nullable=False),  # ok | denied | failed
    Column("detail", Text, nullable=False),  # JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

# ---- TAXII: collections as views, and the status of each POST ---------------------------

collection_entries = Table(
    "collection_entries",
    metadata,
    Column("collection_id", String(64), nullable=False),  # the TAXII collection id
    Column("entered", BigInteger, nullable=False),  # its date_added in this collection
    Column("date_added", BigInteger, nullable=False),  # the version (objects.date_added)
    # The version first: it finds a version's entries (deletion) and one collection's entry
    # of a version alike. SQLite stores the table in this key (migration 0008).
    PrimaryKeyConstraint("date_added", "collection_id"),
    sqlite_with_rowid=False,
)
Index(
    "ix_entries_collection_entered",
    collection_entries.c.collection_id,
    collection_entries.c.entered,
    unique=True,
)

taxii_status = Table(
    "taxii_status",
    metadata,
    Column("status_id", String(64), primary_key=True),
    Column("owner", String(300), nullable=False),  # the actor who posted (user:… / agency:…)
    Column("request_timestamp", BigInteger, nullable=False),
    Column("total_count", Integer, nullable=False),
    Column("success_count", Integer, nullable=False),
    Column("failure_count", Integer, nullable=False),
    Column("pending_count", Integer, nullable=False),
    Column("details", Text, nullable=False),  # JSON: successes, failures, pendings
)

# ---- fraud reports: personal data kept on the node only, disputes, the allowlist --------

victims = Table(
    "victims",
    metadata,
    Column("report_id", String(300), primary_key=True),  # the STIX report it belongs to
    Column("name", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("statement", Text, nullable=False),  # the victim's account, in their words
    Column("recorded", BigInteger, nullable=False),  # retention counts from here
)
Index("ix_victims_recorded", victims.c.recorded)

disputes = Table(
    "disputes",
    metadata,
    Column("dispute_id", String(300), primary_key=True),  # the STIX opinion's id
    Column("obs_type", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("contact", Text, nullable=False),  # how to reach who disputes (personal data)
    Column("filed", BigInteger, nullable=False),
    Column("status", String(16), nullable=False),  # open | upheld | rejected
)
Index("ix_disputes_status_filed", disputes.c.status, disputes.c.filed)

allowlist = Table(
    "allowlist",
    metadata,
    Column("obs_type", String(64), nullable=False),
    Column("value", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),  # whose official number, sender id, account …
    Column("country", String(2)),
    Column("demo", Boolean, nullable=False),  # demo data: the page says so
    Column("source", Text, nullable=False),  # the file it was loaded from
    Column("loaded", BigInteger, nullable=False),
    PrimaryKeyConstraint("obs_type", "value"),
)

# ---- sync with partner nodes: links, cursors, state ---------------------------------------

sync_links = Table(
    "sync_links",
    metadata,
    Column("agency_id", String(300), primary_key=True),  # the partner agency
    Column("url", Text, nullable=False),  # its TAXII discovery URL
    Column("auth_user", String(300)),  # HTTP Basic user name; NULL: Bearer
    Column("token", Text, nullable=False),  # the token we use there, encrypted (Fernet)
    Column("push_to", String(64)),  # one remote collection to push into (non-kawan servers)
    Column("created", BigInteger, nullable=False),
)

sync_cursors = Table(
    "sync_cursors",
    metadata,
    Column("agency_id", String(300), nullable=False),
    Column("direction", String(4), nullable=False),  # pull | push
    Column("collection_id", String(64), nullable=False),
    Column("position", Text, nullable=False),  # pull: the partner's date_added; push: ours
    Column("updated", BigInteger, nullable=False),
    PrimaryKeyConstraint("agency_id", "direction", "collection_id"),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("agency_id", String(300), primary_key=True),
    Column("last_attempt", BigInteger),
    Column("last_success", BigInteger),
    Column("last_error", Text),
    Column("failures", Integer, nullable=False),  # consecutive failed runs
    Column("next_attempt", BigInteger),  # backoff: the interval sync waits until then
    Column("objects_in", BigInteger, nullable=False),
    Column("objects_out", BigInteger, nullable=False),
)
