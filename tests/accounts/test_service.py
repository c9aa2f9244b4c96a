"""The accounts service on SQLite and PostgreSQL (the `node` fixture)."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import select, update

from kawan.accounts import service
from kawan.accounts.tokens import parse
from kawan.audit import trail
from kawan.audit.trail import Who
from kawan.errors import CannotRun, Conflict, InvalidInput, NotFound, Unauthenticated
from kawan.node import Node
from kawan.sharing.policy import Kind, Viewer
from kawan.stix.timestamps import now_us
from kawan.store import objects as objects_repo
from kawan.store.engine import reading, writing
from kawan.store.schema import agencies, tokens

DAY = 86_400_000_000
ADMIN = Who("user:test", "192.0.2.1")


def test_tokens_are_stored_hashed_never_in_clear(node: Node) -> None:
    service.add_user(node.engine, "alice", "analyst")
    token_id, text = service.create_token(node.engine, user="alice", label="laptop")
    secret = parse(text).secret
    with reading(node.engine) as conn:
        rows = [tuple(str(v) for v in row) for row in conn.execute(select(tokens))]
    assert len(rows) == 1 and rows[0][0] == token_id
    assert not any(secret in value or text in value for value in rows[0])
    listed = service.list_tokens(node.engine)
    assert [t.token_id for t in listed] == [token_id] and listed[0].owner == "alice"
    assert not any(secret in repr(t) for t in listed)


def test_a_user_token_authenticates_as_that_user(node: Node) -> None:
    user = service.add_user(node.engine, "bob", "investigator")
    token_id, text = service.create_token(node.engine, user="bob", label="x")
    found = service.authenticate(node.engine, text, now_us())
    assert found.actor == f"user:{user.user_id}" and found.role == "investigator"
    assert found.viewer == Viewer.home_user(user.user_id, "investigator")
    assert found.token_id == token_id
    assert service.token_info(node.engine, token_id).last_used is not None


def _reason_of_last_failure(node: Node) -> dict[str, object]:
    entry = trail.newest(node.engine, limit=1)[0]
    assert entry.actor == "anon" and entry.action == "authenticate"
    assert entry.outcome == "failed"
    return entry.detail


@pytest.mark.parametrize("case", ["missing", "malformed", "unknown", "wrong", "revoked",
                                  "expired", "disabled"])  # fmt: skip
def test_each_refusal_is_unauthenticated_and_audited(node: Node, case: str) -> None:
    service.add_user(node.engine, "carol", "viewer")
    token_id, text = service.create_token(node.engine, user="carol", expires_days=1)
    now = now_us()
    candidates = {
        "missing": (None, "missing", "no credentials"),
        "malformed": ("garbage", "malformed", "malformed"),
        "unknown": ("kawan_" + "0" * 16 + "_" + "a" * 43, "unknown token id", "unknown token"),
        "wrong": (text[:-3] + "AAA", "wrong secret", "unknown token"),
        "revoked": (text, "revoked", "revoked"),
        "expired": (text, "expired", "expired"),
        "disabled": (text, "owner disabled", "disabled"),
    }
    given, reason, told = candidates[case]
    if case == "revoked":
        service.revoke_token(node.engine, token_id)
    if case == "expired":
        now += 2 * DAY
    if case == "disabled":
        service.set_user_disabled(node.engine, "carol", True)
    with pytest.raises(Unauthenticated, match=told) as caught:
        service.authenticate(node.engine, given, now, source="198.51.100.7",
                             context={"request": "GET /x"})  # fmt: skip
    assert "details" not in caught.value.as_dict()
    detail = _reason_of_last_failure(node)
    assert detail == {"reason": reason, "request": "GET /x"}
    assert trail.newest(node.engine, limit=1)[0].source == "198.51.100.7"


def test_revoking_twice_changes_nothing_and_unknown_is_not_found(node: Node) -> None:
    service.add_user(node.engine, "dave", "viewer")
    token_id, _ = service.create_token(node.engine, user="dave")
    assert service.revoke_token(node.engine, token_id, who=ADMIN) is True
    assert service.revoke_token(node.engine, token_id, who=ADMIN) is False
    assert service.token_info(node.engine, token_id).status(now_us()) == "revoked"
    with pytest.raises(NotFound):
        service.revoke_token(node.engine, "f" * 16)
    revokes = [e for e in trail.newest(node.engine) if e.action == "token.revoke"]
    assert len(revokes) == 1 and revokes[0].actor == "user:test"


def test_users_are_unique_and_checked(node: Node) -> None:
    service.add_user(node.engine, "erin", "admin", password="a long enough password")
    with pytest.raises(Conflict):
        service.add_user(node.engine, "erin", "viewer")
    with pytest.raises(InvalidInput, match="role"):
        service.add_user(node.engine, "frank", "root")
    with pytest.raises(InvalidInput, match="user name"):
        service.add_user(node.engine, "no spaces please", "viewer")
    [erin] = service.list_users(node.engine)
    assert erin.has_password and erin.role == "admin"


def test_a_token_needs_exactly_one_owner(node: Node) -> None:
    with pytest.raises(InvalidInput):
        service.create_token(node.engine, label="none")
    with pytest.raises(NotFound):
        service.create_token(node.engine, user="nobody")
    with pytest.raises(NotFound):
        service.create_token(node.engine, agency="No Such CERT")


def test_init_made_the_home_agency_row(node: Node) -> None:
    home = node.require_home()
    with reading(node.engine) as conn:
        row = conn.execute(select(agencies).where(agencies.c.agency_id == home.id)).one()
    assert row.is_home and not row.is_partner and row.country == "VN"


def test_a_partner_gets_an_identity_a_row_and_a_token(node: Node) -> None:
    agency_id = service.add_partner(node.engine, "KrCERT/CC", "kr", "https://kr.example/taxii2/")
    [partner] = service.list_partners(node.engine)
    assert (partner.agency_id, partner.country, partner.is_partner) == (agency_id, "KR", True)
    with reading(node.engine) as conn:
        stored = objects_repo.latest_of(conn, [agency_id])[agency_id]
    assert orjson.loads(stored.json)["name"] == "KrCERT/CC"
    assert stored.origin == node.require_home().id
    _, text = service.create_token(node.engine, agency="krcert/cc", label="sync")
    found = service.authenticate(node.engine, text, now_us())
    assert found.role is None and found.viewer.kind is Kind.PARTNER
    assert found.actor == f"agency:{agency_id}"
    with pytest.raises(Conflict):
        service.add_partner(node.engine, "KrCERT/CC", "KR")


def test_a_partner_no_longer_a_partner_cannot_authenticate(node: Node) -> None:
    agency_id = service.add_partner(node.engine, "JPCERT/CC", "JP")
    _, text = service.create_token(node.engine, agency=agency_id)
    with writing(node.engine) as conn:
        conn.execute(update(agencies).where(agencies.c.agency_id == agency_id)
                     .values(is_partner=False))  # fmt: skip
    with pytest.raises(Unauthenticated, match="disabled"):
        service.authenticate(node.engine, text, now_us())


def test_public_counts_consent(node: Node) -> None:
    agency_id = service.add_partner(node.engine, "ThaiCERT", "TH")
    service.set_public_counts(node.engine, "ThaiCERT", True)
    [partner] = service.list_partners(node.engine)
    assert partner.agency_id == agency_id and partner.public_counts


def test_bootstrap_makes_the_first_admin_once(node: Node) -> None:
    token_id, text = service.bootstrap_admin(node.engine, "root.admin")
    assert service.authenticate(node.engine, text, now_us()).role == "admin"
    assert parse(text).token_id == token_id
    with pytest.raises(Conflict):
        service.bootstrap_admin(node.engine)


def test_a_partner_needs_a_home_agency(sqlite_settings: object) -> None:
    from kawan.config import Settings

    assert isinstance(sqlite_settings, Settings)
    bare = Node(sqlite_settings)
    bare.ensure_schema()
    with pytest.raises(CannotRun):
        service.add_partner(bare.engine, "Nobody", "SG")
    bare.engine.dispose()
