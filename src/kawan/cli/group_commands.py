"""Sharing-group commands: create, add, remove, list, show."""

from __future__ import annotations

import typer
from rich.table import Table

from kawan.cli.output import err, guarded, open_node, out, print_json
from kawan.errors import InvalidInput
from kawan.node import Node
from kawan.sharing import groups as sharing_groups
from kawan.store.engine import reading
from kawan.store.versions import find_agency

group_app = typer.Typer(
    help="Sharing groups: named sets of agencies that AMBER objects name.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(group_app, name="group")


def _node() -> Node:
    return open_node()


def _agency_ids(node: Node, names: list[str]) -> list[str]:
    return guarded(lambda: _resolve(node, names))


def _resolve(node: Node, names: list[str]) -> list[str]:
    ids = []
    with reading(node.engine) as conn:
        for name in names:
            found = find_agency(conn, name)
            if found is None:
                raise InvalidInput(
                    f"no agency {name!r} on this node: give an identity id or "
                    "the name of an agency it holds",
                    field="--member",
                )
            ids.append(found)
    return ids


@group_app.command("create")
def create(
    name: str = typer.Argument(..., help="The group's name, e.g. 'VN-TH bilateral'."),
    member: list[str] = typer.Option(
        [],
        "--member",
        help="A member agency (identity id or name); repeat. The home agency is always a member.",
    ),
    json: bool = typer.Option(False, "--json", help="Print the group as JSON."),
) -> None:
    """Create a sharing group. Example: kawan group create "ASEAN+3" --member ThaiCERT"""
    node = _node()
    home = guarded(node.require_home)
    members = [home.id, *_agency_ids(node, member)]
    group = guarded(lambda: sharing_groups.create_group(node.engine, name, members, home.id))
    _show(group, json)


@group_app.command("add")
def add(
    group: str = typer.Argument(..., help="Group name or id."),
    members: list[str] = typer.Argument(..., help="Agencies to add (identity id or name)."),
    json: bool = typer.Option(False, "--json", help="Print the new version as JSON."),
) -> None:
    """Add members (a new version of the group). Example: kawan group add ASEAN+3 MyCERT"""
    node = _node()
    ids = _agency_ids(node, members)
    _show(guarded(lambda: sharing_groups.change_members(node.engine, group, ids, [])), json)


@group_app.command("remove")
def remove(
    group: str = typer.Argument(..., help="Group name or id."),
    members: list[str] = typer.Argument(..., help="Agencies to remove."),
    json: bool = typer.Option(False, "--json", help="Print the new version as JSON."),
) -> None:
    """Remove members (a new version). Example: kawan group remove ASEAN+3 MyCERT"""
    node = _node()
    ids = _agency_ids(node, members)
    _show(guarded(lambda: sharing_groups.change_members(node.engine, group, [], ids)), json)


@group_app.command("list")
def list_groups(json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The current version of every group, with its owner (groups made by a partner
    arrive through sync). Example: kawan group list"""
    node = _node()
    found = guarded(lambda: sharing_groups.list_groups(node.engine))
    if json:
        print_json([g.as_dict() for g in found])
        return
    table = Table("name", "id", "version", "members", "owner", "marking-definition")
    for g in found:
        owner = g.owner or "this node"  # another agency's group arrived through sync
        row = (g.name, g.group_id, str(g.version), str(len(g.members)), owner, g.marking_id)
        table.add_row(*row)
    out.print(table)


def _show(group: sharing_groups.Group, as_json: bool) -> None:
    if as_json:
        print_json(group.as_dict())
        return
    err.print(
        f"{group.name} ({group.group_id}) version {group.version}: "
        f"{len(group.members)} members; objects name it with {group.marking_id}"
    )
