from __future__ import annotations

import pytest

from kawan.accounts.roles import MATRIX, Action, Role, check_role, may
from kawan.errors import InvalidInput


def test_the_matrix_as_documented() -> None:
    granted = {(r.value, a.value) for a in Action for r in Role if may(r, a)}
    admin = {("admin", a.value) for a in Action}
    everyone = {(r.value, a) for r in Role for a in ("read", "list_partners")}
    writers = {(r, "write_objects") for r in ("analyst", "investigator")}
    assert granted == admin | everyone | writers | {("investigator", "manage_cases")}


def test_partners_may_only_read() -> None:
    assert [a for a in Action if may(None, a)] == [Action.READ]


def test_unknown_role_may_do_nothing_and_unknown_action_raises() -> None:
    assert not any(may("root", a) for a in Action)
    with pytest.raises(InvalidInput):
        may("admin", "delete_everything")


def test_roles_parse_case_insensitively() -> None:
    assert check_role(" Analyst ") is Role.ANALYST
    with pytest.raises(InvalidInput, match="one of admin"):
        check_role("superuser")


def test_every_action_is_in_the_matrix_and_admin_may_all() -> None:
    assert set(MATRIX) == set(Action)
    assert all(Role.ADMIN in roles for roles in MATRIX.values())
