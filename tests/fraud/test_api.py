"""Reports, victims' data, bulk check and the public API over HTTP (both databases)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kawan.accounts import service
from kawan.api.public import PublicLimits
from kawan.api.ratelimit import Limiter
from kawan.app import create_app
from kawan.fraud.quota import DAY, DailyQuota
from kawan.node import Node
from kawan.stix.markings import Tlp
from tests.fraud.conftest import Store, sample_draft

REPORT = {
    "category": "bank-impersonation",
    "channel": "SMS",
    "date": "2026-11-02",
    "loss": "2500000",
    "currency": "VND",
    "contacts": ["0912 345 678"],
    "payments": ["bank-account:Vietcombank 0011004123456"],
    "text": "Tai khoan bi khoa, bam vao vcb-secure-login.top de mo",
    "marking": "clear",
    "victim": {"name": "Tran Thi B", "contact": "b@example.com", "statement": "I clicked"},
}


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(node: Node) -> FastAPI:
    the_app = create_app(node.settings, node)
    clock = FakeClock(100 * DAY + 3600)
    limiter = Limiter({"public-check": (5, 60), "public-dispute": (2, 3600)}, clock)
    the_app.state.public_limits = PublicLimits(limiter, DailyQuota(8, clock))
    the_app.state.clock = clock
    return the_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as the_client:
        yield the_client


def _auth(node: Node, name: str, role: str) -> dict[str, str]:
    service.add_user(node.engine, name, role)
    token = service.create_token(node.engine, user=name, label="test")[1]
    return {"Authorization": f"Bearer {token}"}


def test_file_a_report_then_export_and_delete_the_victims_data(
    node: Node, client: TestClient
) -> None:
    analyst = _auth(node, "ana", "analyst")
    filed = client.post("/api/v1/reports", json=REPORT, headers=analyst)
    assert filed.status_code == 201, filed.text
    report_id = filed.json()["report_id"]
    assert filed.json()["victim_kept"] is True
    assert client.get(f"/api/v1/reports/{report_id}/victim", headers=analyst).status_code == 403
    investigator = _auth(node, "ivy", "investigator")
    exported = client.get(f"/api/v1/reports/{report_id}/victim", headers=investigator)
    assert exported.json()["name"] == "Tran Thi B"
    gone = client.delete(f"/api/v1/reports/{report_id}/victim", headers=investigator)
    assert gone.status_code == 204
    again = client.get(f"/api/v1/reports/{report_id}/victim", headers=investigator)
    assert again.status_code == 404 and again.json()["error"]["code"] == "not_found"


def test_a_bad_report_names_the_field(node: Node, client: TestClient) -> None:
    analyst = _auth(node, "ana", "analyst")
    bad = client.post("/api/v1/reports", json={**REPORT, "currency": "??"}, headers=analyst)
    assert bad.status_code in (400, 422)
    refused = client.post(
        "/api/v1/reports", json={**REPORT, "contacts": ["hello world"]}, headers=analyst
    )
    assert refused.status_code == 400 and "hello world" in refused.json()["error"]["message"]
    assert client.post("/api/v1/reports", json=REPORT).status_code == 401


def test_bulk_check_csv_in_csv_out(node: Node, client: TestClient) -> None:
    analyst = _auth(node, "ana", "analyst")
    client.post("/api/v1/reports", json=REPORT, headers=analyst)
    body = "value,type,country\n0912 345 678,,VN\nhello world,,\n+66 81 234 5678,,\n"
    answered = client.post("/api/v1/check/bulk", content=body, headers=analyst)
    assert answered.status_code == 200 and answered.headers["content-type"].startswith("text/csv")
    lines = answered.text.splitlines()
    assert lines[0].startswith("line,input,kind,value,reports")
    assert lines[1].split(",")[:5] == ["2", "0912 345 678", "phone", "+84912345678", "1"]
    assert lines[2].endswith("not an identifier kawan knows; tried " + lines[2].split("tried ")[1])
    assert lines[3].split(",")[4] == "0"


def test_public_check_no_login_and_limits_that_say_when(
    node: Node, app: FastAPI, client: TestClient, store_report: Store
) -> None:
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    for _ in range(3):
        store_report(sample_draft(), thai, Tlp.CLEAR)
    got = client.get("/public/v1/check", params={"value": "0912345678", "country": "VN",
                                                 "lang": "vi"})  # fmt: skip
    body = got.json()
    assert body["verdict"] == "reported-as-scam" and body["reports"] == 3
    assert body["headline"] == "Đã bị báo cáo lừa đảo" and body["counts"].startswith("3 ")
    assert "Nguyen" not in got.text and "report--" not in got.text
    for _ in range(4):
        client.get("/public/v1/check", params={"value": "0912345678", "country": "VN"})
    refused = client.get("/public/v1/check", params={"value": "0912345678", "country": "VN"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "try again in" in refused.json()["error"]["message"]
    app.state.clock.now += 60
    for _ in range(3):
        assert client.get("/public/v1/check", params={"value": "x.com"}).status_code == 200
    daily = client.get("/public/v1/check", params={"value": "x.com"})
    assert daily.status_code == 429 and "00:00 UTC" in daily.json()["error"]["message"]
    assert int(daily.headers["Retry-After"]) == DAY - 3600 - 60


def test_disputes_are_stored_as_opinions_and_listed(node: Node, client: TestClient) -> None:
    filed = client.post("/public/v1/disputes", json={
        "value": "0912 345 678", "country": "VN", "explanation": "This is my shop's number",
        "contact": "shop@example.com"})  # fmt: skip
    assert filed.status_code == 201
    analyst = _auth(node, "ana", "analyst")
    listed = client.get("/api/v1/disputes", headers=analyst).json()["disputes"]
    assert [(d["value"], d["explanation"], d["status"]) for d in listed] == [
        ("+84912345678", "This is my shop's number", "open")
    ]
    assert listed[0]["dispute_id"].startswith("opinion--")
    assert "shop@example.com" == listed[0]["contact"]
