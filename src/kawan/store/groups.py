"""Sharing groups: every version kept; the current one is the highest version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import Connection, Row, func, select

from kawan.store.schema import agencies, groups, objects
from kawan.store.schema import node as node_table


def current(conn: Connection, include_deleted: bool = False) -> list[dict[str, Any]]:
    """The current version of every group."""
    latest = (
        select(groups.c.group_id, func.max(groups.c.version).label("version"))
        .group_by(groups.c.group_id)
        .subquery()
    )
    stmt = (
        select(groups)
        .join(
            latest,
            (groups.c.group_id == latest.c.group_id) & (groups.c.version == latest.c.version),
        )
        .order_by(groups.c.name)
    )
    rows = [_group(r) for r in conn.execute(stmt)]
    return rows if include_deleted else [g for g in rows if not g["deleted"]]


def history(conn: Connection, group_id: str) -> list[dict[str, Any]]:
    stmt = select(groups).where(groups.c.group_id == group_id).order_by(groups.c.version)
    return [_group(r) for r in conn.execute(stmt)]


def latest(conn: Connection, group_id: str) -> dict[str, Any] | None:
    """The group's highest version (deleted or not), or None if the node has none."""
    stmt = (
        select(groups)
        .where(groups.c.group_id == group_id)
        .order_by(groups.c.version.desc())
        .limit(1)
    )
    row = conn.execute(stmt).first()
    return None if row is None else _group(row)


def first_modified(conn: Connection, group_id: str) -> int:
    """When the node's first version of the group was made."""
    stmt = select(func.min(groups.c.modified)).where(groups.c.group_id == group_id)
    return int(conn.execute(stmt).scalar_one())


def put_version(conn: Connection, group: dict[str, Any]) -> None:
    """Insert a version; `owner` None (or absent) is the home agency."""
    conn.execute(
        groups.insert().values(
            group_id=group["group_id"],
            version=group["version"],
            name=group["name"],
            members=" ".join(group["members"]),
            marking_id=group["marking_id"],
            modified=group["modified"],
            deleted=group["deleted"],
            owner=group.get("owner"),
        )
    )


def _group(row: Row[Any]) -> dict[str, Any]:
    return {
        "group_id": row.group_id,
        "version": row.version,
        "name": row.name,
        "members": tuple(row.members.split()),
        "marking_id": row.marking_id,
        "modified": row.modified,
        "deleted": row.deleted,
        "owner": row.owner,
    }


def public_count_agencies(conn: Connection) -> frozenset[str]:
    stmt = select(agencies.c.agency_id).where(agencies.c.public_counts.is_(True))
    return frozenset(r[0] for r in conn.execute(stmt))


def home_agency(conn: Connection) -> str | None:
    row = conn.execute(select(node_table.c.value).where(node_table.c.key == "home_agency")).first()
    return None if row is None else str(row[0])


def group_markings(conn: Connection) -> dict[str, str]:
    """marking-definition id -> group id, for every group the node knows."""
    stmt = select(groups.c.marking_id, groups.c.group_id).distinct()
    return {r.marking_id: r.group_id for r in conn.execute(stmt)}


def statement_markings(conn: Connection, ids: Iterable[str] | None = None) -> frozenset[str]:
    """The marking-definitions the node holds that are plain statements (restrict
    nothing); of `ids` only, when given."""
    stmt = select(objects.c.id, objects.c.json).where(
        objects.c.type == "marking-definition", objects.c.is_latest.is_(True)
    )
    if ids is not None:
        stmt = stmt.where(objects.c.id.in_(sorted(set(ids))))
    return frozenset(
        r.id
        for r in conn.execute(stmt)
        if orjson.loads(r.json).get("definition_type") == "statement"
    )
