"""Object commands: ingest, show, search, export."""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path

import orjson
import typer
from rich.table import Table

from kawan.cli.output import (
    byte_progress,
    err,
    fail,
    guarded,
    open_node,
    out,
    print_json,
    print_json_line,
)
from kawan.errors import InvalidInput, NotFound
from kawan.fraud.check import search_values
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import Summary, ingest_stream
from kawan.ingest.stream import seekable
from kawan.node import Node
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.stix.bundle import write_bundle
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import format_us, parse_datetime_arg
from kawan.store import versions as stored_versions
from kawan.store.accounts import user_by_name
from kawan.store.engine import reading
from kawan.store.records import StoredVersion


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command()(show)
    app.command()(search)
    app.command()(export)


def _node() -> Node:
    return open_node()


def ingest(
    files: list[Path] = typer.Argument(
        ...,
        help="STIX bundles, TAXII envelopes, JSON arrays, "
        "single objects or JSON Lines; '-' reads stdin.",
    ),
    marking: str = typer.Option(
        None,
        "--marking",
        help="TLP recorded for objects that carry "
        "no marking: clear, green, amber, amber+strict, red.",
    ),
    source: str = typer.Option(
        None,
        "--source",
        help="The agency the objects came from "
        "(identity id or name held by this node); default: home.",
    ),
    owner: str = typer.Option(
        None,
        "--owner",
        help="The home user bringing the objects in: the one who may read those that are "
        "RED (with the users they name in --reader). Example: --owner linh",
    ),
    reader: list[str] = typer.Option(
        [], "--reader", help="Another home user who may read the RED objects; repeat."
    ),
    json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Store every object of the files; reject bad ones with a reason, keep the rest.

    Exit code 1 when anything was rejected. Example:
    kawan ingest feed.json --marking green --source "Thai CERT"
    """
    node = _node()
    home = guarded(node.require_home)
    recorded = guarded(lambda: Tlp.parse(marking or node.settings.default_marking))
    origin = guarded(lambda: _origin(node, source, home.id))
    owner_id, readers = guarded(lambda: _users(node, owner, reader))
    receipt = guarded(lambda: node.receipt(origin, recorded, brought_by=owner_id, readers=readers))
    total = Summary()
    for path in files:
        total.merge(guarded(partial(_ingest_one, node, path, receipt)))
    _report(total, json)
    if total.rejected:
        raise typer.Exit(1)


def _ingest_one(node: Node, path: Path, receipt: Receipt) -> Summary:
    if str(path) == "-":
        return ingest_stream(node.engine, seekable(sys.stdin.buffer), receipt, name="-")
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
    with handle, byte_progress(os.path.getsize(path), path.name) as progress:
        return ingest_stream(node.engine, handle, receipt, name=str(path), progress=progress)


def _users(node: Node, owner: str | None, readers: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """The user ids of --owner and --reader (a reader needs an owner)."""
    if readers and owner is None:
        raise InvalidInput(
            "--reader needs --owner: RED objects belong to someone", field="--reader"
        )
    with reading(node.engine) as conn:
        found = {name: user_by_name(conn, name) for name in [*([owner] if owner else []), *readers]}
    missing = [name for name, user in found.items() if user is None]
    if missing:
        raise InvalidInput(f"no home user {missing[0]!r} (kawan user list)", field="--owner")
    ids = {name: user.user_id for name, user in found.items() if user is not None}
    return (ids[owner] if owner else None), tuple(ids[r] for r in readers)


def _origin(node: Node, source: str | None, home_id: str) -> str:
    if not source:
        return home_id
    with reading(node.engine) as conn:
        found = stored_versions.find_agency(conn, source)
    if found is None:
        raise InvalidInput(
            f"no agency {source!r} on this node: give an identity id or the "
            "name of an identity the node holds",
            field="--source",
        )
    return found


def _report(summary: Summary, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "added": summary.added,
                "unchanged": summary.unchanged,
                "rejected": [
                    {
                        "source": r.source,
                        "number": r.number,
                        "line": r.line,
                        "id": r.object_id,
                        "reason": r.reason,
                    }
                    for r in summary.rejected
                ],
            }
        )
        return
    for rejection in summary.rejected:
        err.print(f"[red]rejected[/] {rejection.describe()}", highlight=False)
    err.print(
        f"{summary.added} added, {summary.unchanged} unchanged, {len(summary.rejected)} rejected"
    )


def show(
    object_id: str = typer.Argument(..., help="A STIX id, e.g. indicator--8e2e2d2b-…"),
    json: bool = typer.Option(False, "--json", help="Print the versions as a JSON array."),
) -> None:
    """Show every version of one object, oldest first. Example: kawan show identity--…"""
    node = _node()
    with reading(node.engine) as conn:
        found = stored_versions.versions(conn, object_id)
    if not found:
        fail(NotFound(f"no object {object_id} on this node", object_id=object_id))
    if json:
        print_json([_described(v) for v in found])
        return
    for v in found:
        table = Table(
            title=f"{v.id}  version {v.version_text or format_us(v.date_added)}",
            show_header=False,
            title_justify="left",
        )
        for key, value in _described(v).items():
            if key != "object":
                table.add_row(key, str(value))
        out.print(table)
        out.print_json(v.json)


def _described(v: StoredVersion) -> dict[str, object]:
    return {
        "date_added": format_us(v.date_added),
        "origin": v.origin,
        "creator": v.creator,
        "marking": v.marking.label,
        "groups": list(v.marking.groups),
        "marking_from_object": v.marking.from_object,
        "latest": v.is_latest,
        "revoked": v.revoked,
        "object": orjson.loads(v.json),
    }


def search(
    object_type: list[str] = typer.Option([], "--type", help="STIX type (repeatable)."),
    creator: str = typer.Option(None, "--creator", help="Creating agency: identity id."),
    since: str = typer.Option(None, "--since", help="Added after this date, e.g. 2026-11-01."),
    text: str = typer.Option(None, "--text", help="Words in name, value, pattern or description."),
    value: str = typer.Option(
        None,
        "--value",
        help="Search the observable index instead: "
        "identifier values starting with this, e.g. +8491234.",
    ),
    limit: int = typer.Option(50, "--limit", min=1, help="At most this many results."),
    json: bool = typer.Option(False, "--json", help="JSON lines, one result per line."),
) -> None:
    """Find objects (latest versions) or, with --value, identifiers in the index.

    Examples: kawan search --type indicator --text vcb; kawan search --value +849
    """
    node = _node()
    if value is not None:
        _search_index(node, value, object_type[0] if object_type else None, limit, json)
        return
    since_us = guarded(lambda: parse_datetime_arg(since, field="--since")) if since else None
    query = stored_versions.Query(
        types=tuple(object_type), creator=creator, since=since_us, text=text, limit=limit
    )
    with reading(node.engine) as conn:
        found = stored_versions.select_versions(conn, query)
    if json:
        for v in found:
            sys.stdout.write(v.json + "\n")
        return
    table = Table("type", "id", "label", "marking", "creator", "added")
    for v in found:
        obj = orjson.loads(v.json)
        label = str(obj.get("name") or obj.get("value") or obj.get("pattern") or "")[:60]
        table.add_row(
            v.type, v.id, label, v.marking.label, v.creator[:20] + "…", format_us(v.date_added)[:19]
        )
    out.print(table)
    err.print(f"{len(found)} shown")


def _search_index(node: Node, value: str, obs_type: str | None, limit: int, as_json: bool) -> None:
    rows = search_values(node.engine, value, obs_type, limit)
    if as_json:
        for r in rows:
            print_json_line(
                {
                    "type": r.obs_type,
                    "value": r.value,
                    "object_id": r.object_id,
                    "object_type": r.object_type,
                    "creator": r.creator,
                    "marking": r.marking.label,
                    "via": r.via,
                    "first_seen": format_us(r.first_seen),
                }
            )
        sys.stdout.flush()
        return
    table = Table("type", "value", "object", "marking", "via")
    for r in rows:
        table.add_row(r.obs_type, r.value, r.object_id, r.marking.label, r.via)
    out.print(table)
    err.print(f"{len(rows)} shown")


def export(
    out_file: Path = typer.Option(None, "--out", help="Write the bundle here (default stdout)."),
    for_partner: str = typer.Option(
        None,
        "--for",
        help="Export what this partner agency may see (its name or identity id), at the "
        "latest version it may see, instead of a backup. Example: --for ThaiCERT",
    ),
    all_versions: bool = typer.Option(
        True, "--all-versions/--latest", help="Every version (a backup) or the latest only."
    ),
) -> None:
    """Write a STIX 2.1 bundle: of everything the node holds (a backup by the node's
    admin, not a share), or with --for of what one partner may see (through the policy).

    Examples: kawan export --out backup.json; kawan export --for ThaiCERT --out th.json
    """
    node = _node()
    partner = guarded(lambda: _partner_viewer(node, for_partner)) if for_partner else None
    target = sys.stdout.buffer if out_file is None else out_file.open("wb")
    with target:
        if partner is not None:
            versions = Access(node.engine, partner).iterate(stored_versions.Query())
            count = write_bundle(target, (v.json for v in versions))
        else:
            with reading(node.engine) as conn:
                query = stored_versions.Query(latest_only=not all_versions)
                count = write_bundle(
                    target, (v.json for v in stored_versions.iter_versions(conn, query))
                )
    err.print(f"{count} objects exported")


def _partner_viewer(node: Node, name: str) -> Viewer:
    with reading(node.engine) as conn:
        found = stored_versions.find_agency(conn, name)
    home = node.require_home()
    if found is None or found == home.id:
        raise InvalidInput(
            f"no partner agency {name!r} on this node (kawan partner list)", field="--for"
        )
    return Viewer.partner(found)
