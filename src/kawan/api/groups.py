"""/api/v1/groups: sharing groups (read: any home user; change: who may manage groups)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from kawan.accounts.records import Principal
from kawan.api.auth import require
from kawan.node import Node
from kawan.sharing import groups as sharing_groups

router = APIRouter(tags=["groups"])
Reader = Annotated[Principal, Depends(require("read"))]
Manager = Annotated[Principal, Depends(require("manage_groups"))]


class GroupIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["VN-TH bilateral"])
    members: list[str] = Field(default_factory=list, description="agency identity ids")


class MembersChange(BaseModel):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


@router.get("/groups")
def list_groups(request: Request, caller: Reader) -> dict[str, Any]:
    """The current version of every sharing group."""
    return {"groups": [g.as_dict() for g in sharing_groups.list_groups(_node(request).engine)]}


@router.post("/groups", status_code=201)
def create_group(request: Request, caller: Manager, body: GroupIn) -> dict[str, Any]:
    """Create a group; the home agency is always a member."""
    node = _node(request)
    home = node.require_home().id
    members = sorted({home, *body.members})
    return sharing_groups.create_group(node.engine, body.name, members, home).as_dict()


@router.patch("/groups/{group}")
def change_members(
    request: Request, caller: Manager, group: str, body: MembersChange
) -> dict[str, Any]:
    """Add and remove members: a new version of the group."""
    return sharing_groups.change_members(
        _node(request).engine, group, body.add, body.remove
    ).as_dict()
