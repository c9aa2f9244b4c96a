"""Authentication, permissions, audit and rate limits through HTTP (both databases)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from kawan.accounts import service
from kawan.accounts.records import Principal
from kawan.api.auth import TOKEN_TTL, VerifiedTokens, forwarded_client, principal, token_of
from kawan.api.ratelimit import Bucket, Limiter, rate_limited, take
from kawan.app import create_app
from kawan.audit import trail
from kawan.audit.chain import Entry
from kawan.config import Settings
from kawan.node import Node
from kawan.sharing.policy import Viewer
from kawan.store.engine import reading, writing
from kawan.store.schema import audit, tokens


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(node: Node) -> FastAPI:
    the_app = create_app(node.settings, node)

    @the_app.get("/test/whoami")
    def whoami(caller: Annotated[Principal, Depends(principal)]) -> dict[str, Any]:
        return {"actor": caller.actor, "role": caller.role}

    @the_app.get("/test/check")
    def limited(
        caller: Annotated[Principal | None, Depends(rate_limited("check"))],
    ) -> dict[str, Any]:
        return {"actor": None if caller is None else caller.actor}

    return the_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as the_client:
        yield the_client


def _token(node: Node, name: str, role: str, **kw: Any) -> str:
    service.add_user(node.engine, name, role)
    return service.create_token(node.engine, user=name, label="test", **kw)[1]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _last(node: Node) -> Entry:
    return trail.newest(node.engine, limit=1)[0]


def _assert_401(response: Any, told: str) -> None:
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["error"]
    assert error["code"] == "unauthenticated" and told in error["message"]
    assert set(response.json()) == {"error"}


def test_a_valid_token_as_bearer_or_basic(client: TestClient, node: Node) -> None:
    token = _token(node, "alice", "analyst")
    assert client.get("/test/whoami", headers=_bearer(token)).json()["role"] == "analyst"
    basic = base64.b64encode(f"taxii:{token}".encode()).decode()
    answer = client.get("/test/whoami", headers={"Authorization": f"Basic {basic}"})
    assert answer.status_code == 200 and answer.json()["role"] == "analyst"


def test_missing_token_is_401_and_audited(client: TestClient, node: Node) -> None:
    _assert_401(client.get("/api/v1/users"), "no credentials")
    entry = _last(node)
    assert (entry.actor, entry.action, entry.outcome) == ("anon", "authenticate", "failed")
    assert entry.detail == {"reason": "missing", "request": "GET /api/v1/users"}
    assert entry.source == "testclient"


def test_revoked_token_is_401_and_audited(app: FastAPI, client: TestClient, node: Node) -> None:
    clock = FakeClock()
    app.state.verified_tokens = VerifiedTokens(clock=clock)
    token = _token(node, "bob", "admin")
    assert client.get("/api/v1/users", headers=_bearer(token)).status_code == 200
    token_id = token.split("_")[1]
    service.revoke_token(node.engine, token_id)
    clock.now += TOKEN_TTL - 0.1  # still trusted: a revocation takes up to TOKEN_TTL s
    assert client.get("/api/v1/users", headers=_bearer(token)).status_code == 200
    clock.now += 0.1
    _assert_401(client.get("/api/v1/users", headers=_bearer(token)), "revoked")
    entry = _last(node)
    assert entry.target == f"token:{token_id}" and entry.detail["reason"] == "revoked"


def test_a_disabled_owner_is_refused_after_the_ttl(
    app: FastAPI, client: TestClient, node: Node
) -> None:
    clock = FakeClock()
    app.state.verified_tokens = VerifiedTokens(clock=clock)
    token = _token(node, "dora", "analyst")
    assert client.get("/test/whoami", headers=_bearer(token)).status_code == 200
    service.set_user_disabled(node.engine, "dora", True)
    clock.now += TOKEN_TTL
    _assert_401(client.get("/test/whoami", headers=_bearer(token)), "disabled")


def test_a_remembered_token_still_expires_on_time(node: Node) -> None:
    clock = FakeClock()
    remembered = VerifiedTokens(clock=clock)
    caller = Principal("user:u", Viewer.home_user("u", "analyst"), "analyst", "t")
    remembered.put("kawan_a", caller, expires=2_000)
    assert remembered.get("kawan_a", 1_999) == caller
    assert remembered.get("kawan_a", 2_000) is None  # expired, though within the TTL
    assert remembered.get("kawan_b", 1_000) is None  # another token (or secret) is not


def test_remembered_tokens_are_bounded() -> None:
    remembered = VerifiedTokens(clock=FakeClock(), max_keys=2)
    caller = Principal("user:u", Viewer.home_user("u", "analyst"), "analyst", "t")
    for text in ("kawan_a", "kawan_b", "kawan_c"):
        remembered.put(text, caller, None)
    assert [remembered.get(t, 0) for t in ("kawan_a", "kawan_b", "kawan_c")] == [
        None,
        caller,
        caller,
    ]


def test_a_refused_token_is_not_remembered(app: FastAPI, client: TestClient, node: Node) -> None:
    token = _token(node, "ed", "analyst")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    _assert_401(client.get("/test/whoami", headers=_bearer(wrong)), "unknown token")
    assert client.get("/test/whoami", headers=_bearer(token)).status_code == 200
    _assert_401(client.get("/test/whoami", headers=_bearer(wrong)), "unknown token")


def test_expired_token_is_401_and_audited(client: TestClient, node: Node) -> None:
    token = _token(node, "carol", "admin", expires_days=30)
    with writing(node.engine) as conn:
        conn.execute(update(tokens).values(expires=1))
    _assert_401(client.get("/api/v1/tokens", headers=_bearer(token)), "expired")
    assert _last(node).detail["reason"] == "expired"


def test_an_unknown_token_says_no_more_than_unknown(client: TestClient, node: Node) -> None:
    token = _token(node, "dave", "admin")
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    _assert_401(client.get("/api/v1/users", headers=_bearer(forged)), "unknown token")
    assert _last(node).detail["reason"] == "wrong secret"
    nobody = "kawan_" + "0" * 16 + "_" + "a" * 43
    response = client.get("/api/v1/users", headers=_bearer(nobody))
    _assert_401(response, "unknown token")
    assert response.json()["error"]["message"] == "unknown token"


def test_a_role_without_the_right_is_403_and_audited(client: TestClient, node: Node) -> None:
    token = _token(node, "erin", "viewer")
    response = client.get("/api/v1/audit", headers=_bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    entry = _last(node)
    assert entry.action == "permission" and entry.outcome == "denied"
    assert entry.actor.startswith("user:") and entry.target == "GET /api/v1/audit"
    assert entry.detail == {"needs": "read_audit", "role": "viewer"}


def test_a_partner_may_read_but_not_list_users(client: TestClient, node: Node) -> None:
    agency_id = service.add_partner(node.engine, "KrCERT/CC", "KR")
    _, token = service.create_token(node.engine, agency=agency_id)
    assert client.get("/test/whoami", headers=_bearer(token)).json()["role"] is None
    response = client.get("/api/v1/partners", headers=_bearer(token))
    assert response.status_code == 403 and "partner agency" in response.json()["error"]["message"]
    assert _last(node).detail == {"needs": "list_partners", "role": "partner"}


def test_admin_routes_manage_users_tokens_partners(client: TestClient, node: Node) -> None:
    admin = _bearer(_token(node, "root.admin", "admin"))
    made = client.post("/api/v1/users", headers=admin, json={"name": "frank", "role": "analyst"})
    assert made.status_code == 201 and made.json()["role"] == "analyst"
    created = client.post("/api/v1/tokens", headers=admin, json={"user": "frank", "label": "ci"})
    assert created.status_code == 201
    secret_token = created.json()["token"]
    assert client.get("/test/whoami", headers=_bearer(secret_token)).json()["role"] == "analyst"
    listed = client.get("/api/v1/tokens", headers=admin).json()["tokens"]
    assert secret_token not in str(listed) and len(listed) == 2
    token_id = created.json()["token_id"]
    revoked = client.delete(f"/api/v1/tokens/{token_id}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert client.delete("/api/v1/tokens/ffffffffffffffff", headers=admin).status_code == 404
    partner = client.post("/api/v1/partners", headers=admin,
                          json={"name": "JPCERT/CC", "country": "JP", "token": True})  # fmt: skip
    assert partner.status_code == 201 and partner.json()["token"].startswith("kawan_")
    names = [p["name"] for p in client.get("/api/v1/partners", headers=admin).json()["partners"]]
    assert names == ["JPCERT/CC"]
    actions = [e.action for e in trail.newest(node.engine, limit=6)]
    assert actions[:5] == ["token.create", "partner.add", "token.revoke", "token.create",
                           "user.add"]  # fmt: skip
    assert _last(node).source == "testclient"


def test_audit_pages_newest_first(client: TestClient, node: Node) -> None:
    admin = _bearer(_token(node, "auditor", "admin"))
    for n in range(5):
        client.get("/api/v1/users", headers={"Authorization": f"Bearer nope{n}"})
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 3} | ({"before": cursor} if cursor else {})
        page = client.get("/api/v1/audit", headers=admin, params=params).json()
        seen.extend(e["seq"] for e in page["entries"])
        cursor = page["next"]
        if cursor is None:
            break
    with reading(node.engine) as conn:
        stored = conn.execute(select(func.count()).select_from(audit)).scalar_one()
    assert stored >= 7  # the admin, its token, five refusals (and whatever the app logs)
    assert seen == list(range(stored, 0, -1))
    bad = client.get("/api/v1/audit", headers=admin, params={"before": "x"})
    assert bad.status_code == 400


def test_tokens_in_the_database_are_hashes(client: TestClient, node: Node) -> None:
    token = _token(node, "gina", "viewer")
    with reading(node.engine) as conn:
        stored = conn.execute(select(tokens.c.secret_hash)).scalar_one()
    assert token.split("_", 2)[2] not in stored and len(stored) == 64


def test_rate_limit_429_with_retry_after_per_address(app: FastAPI, client: TestClient) -> None:
    clock = FakeClock()
    app.state.limiter = Limiter({"check": (2, 60)}, clock)
    assert [client.get("/test/check").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/test/check")
    assert refused.status_code == 429 and refused.headers["retry-after"] == "30"
    assert refused.json()["error"]["code"] == "rate_limited"
    clock.now += 30
    assert client.get("/test/check").status_code == 200


def test_rate_limit_per_token(app: FastAPI, client: TestClient, node: Node) -> None:
    limiter = Limiter({"check": (1, 10)}, FakeClock())
    app.state.limiter = limiter
    token = _token(node, "hank", "analyst")
    limiter.hit("check", f"token:{token.split('_')[1]}")  # the token's one request is used
    response = client.get("/test/check", headers=_bearer(token))  # the address has its own
    assert response.status_code == 429 and "token" in response.json()["error"]["message"]
    assert response.headers["retry-after"] == "10"


def test_the_bucket_refills_at_its_rate() -> None:
    bucket, wait = take(None, (3, 3), 0.0)
    assert wait is None and bucket.level == 2
    bucket = Bucket(0.0, 0.0)
    assert take(bucket, (3, 3), 0.5)[1] == 1
    assert take(bucket, (3, 3), 1.0)[1] is None
    assert take(Bucket(0, 0), (3, 3), 1000)[0].level == 2  # capped at capacity


def test_the_limiter_forgets_the_least_recent_beyond_its_bound() -> None:
    limiter = Limiter({"search": (1, 60)}, FakeClock(), max_keys=2)
    limiter.hit("search", "addr:a")
    limiter.hit("search", "addr:b")
    limiter.hit("search", "addr:c")
    limiter.hit("search", "addr:a")  # forgotten, so allowed again


@pytest.mark.parametrize(
    ("peer", "xff", "trusted", "client"),
    [
        ("203.0.113.5", "198.51.100.1", (), "203.0.113.5"),
        ("127.0.0.1", None, ("127.0.0.1",), "127.0.0.1"),
        ("127.0.0.1", "198.51.100.1", ("127.0.0.1",), "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "not-an-ip", ("10.0.0.0/8",), "10.0.0.2"),
        ("203.0.113.5", "198.51.100.1", ("10.0.0.0/8",), "203.0.113.5"),
        (None, None, (), "unknown"),
    ],
)
def test_forwarded_for_counts_only_from_trusted_proxies(
    peer: str | None, xff: str | None, trusted: tuple[str, ...], client: str
) -> None:
    assert forwarded_client(peer, xff, trusted) == client


@pytest.mark.parametrize(("trusted", "source"), [((), "10.1.2.3"),
                                                 (("10.0.0.0/8",), "198.51.100.23")])  # fmt: skip
def test_the_audit_source_honours_trusted_proxies(
    tmp_path: Any, node: Node, trusted: tuple[str, ...], source: str
) -> None:
    settings = Settings(home=tmp_path, database_url=node.settings.database_url,
                        trusted_proxies=trusted)  # fmt: skip
    behind_proxy = Node(settings)
    app = create_app(settings, behind_proxy)
    with TestClient(app, client=("10.1.2.3", 40000)) as client:
        client.get("/api/v1/users", headers={"X-Forwarded-For": "198.51.100.23"})
    behind_proxy.engine.dispose()
    assert _last(node).source == source


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("Basic " + base64.b64encode(b"u:kawan_x").decode(), "kawan_x"),
        ("Basic %%%", "%%%"),
        ("Digest x", "Digest x"),
    ],
)
def test_token_of_the_authorization_header(header: str | None, token: str | None) -> None:
    assert token_of(header) == token


def test_openapi_declares_the_security_schemes_and_models(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert {"token", "basic"} <= set(spec["components"]["securitySchemes"])
    schemas = spec["components"]["schemas"]
    assert {"UserOut", "TokenOut", "CreatedToken", "AuditPage", "PartnerList"} <= set(schemas)
