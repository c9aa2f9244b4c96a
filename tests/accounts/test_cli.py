"""`kawan init`, `kawan user|token|partner|audit` (on both databases)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from kawan.accounts import service
from kawan.config import Settings
from kawan.node import Node
from kawan.stix.timestamps import now_us
from tests.cli.conftest import Kawan

ANY = "0.0.0.0"  # noqa: S104 - what serve must refuse without TLS
TOKEN = re.compile(r"kawan_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


def _who(settings: Settings, token: str) -> str | None:
    node = Node(settings)
    try:
        return service.authenticate(node.engine, token, now_us()).role
    finally:
        node.engine.dispose()


def test_init_prints_the_admin_token_alone_on_stdout(kawan: Kawan, settings: Settings) -> None:
    result = kawan("init", "--agency", "Test CERT", "--country", "VN", "--admin", "ops")
    assert result.exit_code == 0, result.output
    assert TOKEN.fullmatch(result.stdout.strip()) and result.stdout.count("\n") == 1
    assert "home agency: Test CERT" in result.stderr and "ops" in result.stderr
    assert _who(settings, result.stdout.strip()) == "admin"
    again = kawan("init", "--agency", "Other", "--country", "TH")
    assert again.exit_code == 1 and again.stdout == ""


def test_init_refuses_a_bad_admin_name_before_doing_anything(kawan: Kawan) -> None:
    result = kawan("init", "--agency", "Test CERT", "--country", "VN", "--admin", "a b")
    assert result.exit_code == 2 and result.stdout == ""
    assert kawan("init", "--agency", "Test CERT", "--country", "VN").exit_code == 0


def test_init_json_holds_the_token(kawan: Kawan) -> None:
    result = kawan("init", "--agency", "Test CERT", "--country", "VN", "--json")
    shown = orjson.loads(result.stdout)
    assert shown["admin"] == "admin" and TOKEN.fullmatch(shown["token"])


def test_users_and_tokens(initialised: Kawan, settings: Settings) -> None:
    added = initialised("user", "add", "alice", "--role", "analyst", "--password-stdin",
                        input="a long enough password\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    assert initialised("user", "add", "bob", "--role", "root").exit_code == 2
    users = orjson.loads(initialised("user", "list", "--json").stdout)
    assert {(u["name"], u["role"], u["has_password"]) for u in users} == {
        ("admin", "admin", False), ("alice", "analyst", True)}  # fmt: skip
    created = initialised("token", "create", "--user", "alice", "--label", "laptop",
                          "--expires-days", "30")  # fmt: skip
    token = created.stdout.strip()
    assert created.exit_code == 0 and TOKEN.fullmatch(token)
    assert _who(settings, token) == "analyst"
    listed = initialised("token", "list", "--json")
    assert token.split("_", 2)[2] not in listed.stdout
    token_id = token.split("_")[1]
    row = next(t for t in orjson.loads(listed.stdout) if t["token_id"] == token_id)
    assert row["status"] == "active" and row["label"] == "laptop" and row["expires"]
    assert initialised("token", "revoke", token_id).exit_code == 0
    assert initialised("token", "revoke", "f" * 16).exit_code == 1
    assert initialised("token", "create", "--label", "orphan").exit_code == 2


def test_partners(initialised: Kawan, settings: Settings) -> None:
    plain = initialised("partner", "add", "JPCERT/CC", "--country", "JP")
    assert plain.exit_code == 0 and plain.stdout.strip().startswith("identity--")
    url = "https://kawan.example.kr/taxii2/"
    with_token = initialised(
        "partner", "add", "KrCERT/CC", "--country", "KR", "--url", url, "--token-stdout"
    )
    assert with_token.exit_code == 0 and TOKEN.fullmatch(with_token.stdout.strip())
    assert _who(settings, with_token.stdout.strip()) is None  # a partner: no role
    partners = orjson.loads(initialised("partner", "list", "--json").stdout)
    assert [p["name"] for p in partners] == ["JPCERT/CC", "KrCERT/CC"]
    again = initialised("token", "create", "--partner", "jpcert/cc")
    assert again.exit_code == 0 and TOKEN.fullmatch(again.stdout.strip())
    assert initialised("partner", "add", "X", "--country", "XYZ").exit_code == 2


def test_audit_list_shows_the_cli_writes(initialised: Kawan) -> None:
    initialised("user", "add", "carol", "--role", "viewer")
    entries = orjson.loads(initialised("audit", "list", "--json").stdout)
    assert [e["action"] for e in entries] == ["user.add", "token.create", "user.add"]
    assert all(e["actor"].startswith("cli:") and e["source"] == "local" for e in entries)
    assert initialised("audit", "list", "--limit", "1").exit_code == 0
    assert initialised("audit", "verify").exit_code == 0


def test_serve_refuses_a_public_address_without_tls(initialised: Kawan) -> None:
    result = initialised("serve", "--host", ANY)
    assert result.exit_code == 2 and "TLS" in result.stderr
    half = initialised("serve", "--host", ANY, "--cert", "c.pem")
    assert half.exit_code == 2 and "--key" in half.stderr


def test_serve_with_tls_hands_uvicorn_the_certificate(
    initialised: Kawan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kw: seen.update(kw))
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("cert")
    key.write_text("key")
    result = initialised("serve", "--host", ANY, "--port", "8443",
                         "--cert", cert, "--key", key)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen["ssl_certfile"] == str(cert) and seen["ssl_keyfile"] == str(key)
    assert seen["host"] == ANY and f"https://{ANY}:8443/" in result.stderr
