"""The public check page over HTTP: languages, verdicts, refusals, the dispute form."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kawan.accounts import service
from kawan.api.public import PublicLimits
from kawan.api.ratelimit import Limiter
from kawan.app import create_app
from kawan.demo.fraud import allowlist_file
from kawan.fraud.allowlist import load
from kawan.fraud.disputes import review_queue
from kawan.fraud.quota import DailyQuota
from kawan.node import Node
from kawan.stix.markings import Tlp
from tests.fraud.conftest import NOW, Store, sample_draft


class FakeClock:
    now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def app(node: Node, store_report: Store) -> FastAPI:
    thai = service.add_partner(node.engine, "ThaiCERT", "TH")
    for _ in range(3):
        store_report(sample_draft(), thai, Tlp.CLEAR)
    load(node.engine, allowlist_file(), loaded=NOW)
    the_app = create_app(node.settings, node)
    clock = FakeClock()
    limiter = Limiter({"public-check": (3, 60), "public-dispute": (1, 3600)}, clock)
    the_app.state.public_limits = PublicLimits(limiter, DailyQuota(100, clock))
    return the_app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as the_client:
        yield the_client


@pytest.mark.parametrize(
    ("lang", "headline"),
    [("en", "Reported as scam"), ("vi", "Đã bị báo cáo lừa đảo"),
     ("th", "ถูกแจ้งว่าเป็นมิจฉาชีพ"), ("id", "Dilaporkan sebagai penipuan")],
)  # fmt: skip
def test_the_verdict_in_each_language(client: TestClient, lang: str, headline: str) -> None:
    page = client.get("/check", params={"value": "0912 345 678", "country": "VN", "lang": lang})
    assert page.status_code == 200 and page.headers["content-language"] == lang
    assert headline in page.text and f'<html lang="{lang}">' in page.text
    assert "Nguyen" not in page.text and "report--" not in page.text


def test_the_language_follows_the_browser(client: TestClient) -> None:
    page = client.get("/check", headers={"Accept-Language": "th-TH,th;q=0.9"})
    assert "ตรวจสอบก่อนโอน" in page.text


def test_verified_official_is_marked_as_demo_data(client: TestClient) -> None:
    page = client.get("/check", params={"value": "DEMOBANK"})
    assert "Verified official" in page.text and "Demo data" in page.text


def test_refusals_say_when_to_come_back(client: TestClient) -> None:
    for _ in range(3):
        client.get("/check", params={"value": "x.com", "lang": "id"})
    refused = client.get("/check", params={"value": "x.com", "lang": "id"})
    assert refused.status_code == 429 and "Silakan kembali dalam" in refused.text
    assert int(refused.headers["Retry-After"]) >= 1


def test_a_value_that_is_no_identifier(client: TestClient) -> None:
    page = client.get("/check", params={"value": "hello world"})
    assert page.status_code == 400 and "does not look like" in page.text


def test_the_dispute_form(client: TestClient, node: Node) -> None:
    form = client.get("/check/dispute", params={"value": "0912345678", "country": "VN"})
    assert 'name="explanation"' in form.text
    sent = client.post(
        "/check/dispute?lang=en",
        content="value=0912345678&country=VN&explanation=My+shop&contact=shop%40example.com",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert sent.status_code == 201 and "An officer will review" in sent.text
    assert [d.explanation for d in review_queue(node.engine)] == ["My shop"]


def test_the_stylesheet(client: TestClient) -> None:
    css = client.get("/check/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
