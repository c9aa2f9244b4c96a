"""Roles and what each may do (pure). The matrix is documented in docs/accounts.md.

Home users have one of four roles. Partner agencies have no role: they may only `read`
(and the policy decides what they see). Unknown roles may do nothing; an unknown action is
a programming error and raises `InvalidInput`, so a typo fails at the first call.
"""

from __future__ import annotations

from enum import StrEnum

from kawan.errors import InvalidInput


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    INVESTIGATOR = "investigator"
    VIEWER = "viewer"


class Action(StrEnum):
    READ = "read"  # objects, versions, search, check, extract (as the policy allows)
    LIST_PARTNERS = "list_partners"  # the partner agencies this node knows
    WRITE_OBJECTS = "write_objects"  # ingest, new versions, revoke, delete, set markings
    MANAGE_CASES = "manage_cases"  # cases, requests for assistance, evidence
    MANAGE_GROUPS = "manage_groups"  # create sharing groups, add and remove members
    MANAGE_PARTNERS = "manage_partners"  # add partners, their tokens, public-count consent
    MANAGE_USERS = "manage_users"  # add users, create and revoke tokens
    READ_AUDIT = "read_audit"  # the audit trail


_EVERYONE = frozenset(Role)
MATRIX: dict[Action, frozenset[Role]] = {
    Action.READ: _EVERYONE,
    Action.LIST_PARTNERS: _EVERYONE,
    Action.WRITE_OBJECTS: frozenset({Role.ADMIN, Role.ANALYST, Role.INVESTIGATOR}),
    Action.MANAGE_CASES: frozenset({Role.ADMIN, Role.INVESTIGATOR}),
    Action.MANAGE_GROUPS: frozenset({Role.ADMIN}),
    Action.MANAGE_PARTNERS: frozenset({Role.ADMIN}),
    Action.MANAGE_USERS: frozenset({Role.ADMIN}),
    Action.READ_AUDIT: frozenset({Role.ADMIN}),
}
PARTNER_ACTIONS = frozenset({Action.READ})


def check_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        names = ", ".join(Role)
        raise InvalidInput(f"no role {text!r}: one of {names}", field="role") from None


def check_action(text: str) -> Action:
    try:
        return Action(text)
    except ValueError:
        raise InvalidInput(f"no action {text!r}", field="action") from None


def may(role: str | None, action: str) -> bool:
    """May a caller with `role` (None: a partner agency) do `action`?"""
    wanted = check_action(action)
    if role is None:
        return wanted in PARTNER_ACTIONS
    try:
        return Role(role) in MATRIX[wanted]
    except ValueError:
        return False  # an unknown role may do nothing
