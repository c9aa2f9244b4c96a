"""Check and index search, through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kawan.agencies import identity
from kawan.app import create_app
from kawan.errors import InvalidInput
from kawan.fraud.check import run_check, search_values
from kawan.fraud.identifiers import normalise
from kawan.fraud.observables import to_sco
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.store import objects as repo
from kawan.store.engine import writing
from tests.conftest import user_headers

THAI = identity(
    "ThaiCERT", "TH", 1_780_000_000_000_000, "identity--3a0b3c6e-0d1f-4f55-9e77-3b7c1d2e4f50"
)
PHONE = to_sco(normalise("phone", "+84 912-345-678"))
ACCOUNT = to_sco(normalise("bank-account", "Vietcombank 0011004123456", country="VN"))
WALLET = to_sco(normalise("crypto-wallet", "0x52908400098527886E0F7030069857D2E4169EE7"))


def report(n: int, refs: list[str], creator: str) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": f"report--00000000-0000-4000-8000-{n:012d}",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "name": f"Fraud report {n}",
        "published": "2026-11-01T10:00:00Z",
        "object_refs": refs,
        "created_by_ref": creator,
    }


@pytest.fixture
def held(node: Node) -> Node:
    home = node.require_home().id
    objs = [
        THAI,
        PHONE,
        ACCOUNT,
        WALLET,
        report(1, [PHONE["id"], ACCOUNT["id"]], home),
        report(2, [PHONE["id"], WALLET["id"]], THAI["id"]),
        report(3, [ACCOUNT["id"]], THAI["id"]),
    ]
    receipt = Receipt(origin=home, recorded=Tlp.GREEN)
    with writing(node.engine) as conn:
        repo.put_batch(conn, [prepare(copy.deepcopy(o), receipt) for o in objs])
    return node


@pytest.mark.parametrize(
    "written",
    ["+84 912-345-678", "0912345678", "0912.345.678", "(+84) 912 345 678", "０９１２３４５６７８"],
)
def test_check_finds_a_number_however_it_is_written(held: Node, written: str) -> None:
    result = run_check(held.engine, written, country="VN")
    assert result.identifier.value == "+84912345678"
    mentioning = {m.object_id for m in result.mentions}
    assert mentioning == {PHONE["id"], report(1, [], "")["id"], report(2, [], "")["id"]}
    assert result.countries == ["TH", "VN"]
    linked = {link.value: link.shared_objects for link in result.linked}
    assert linked == {ACCOUNT["value"]: 1, WALLET["value"]: 1}


def test_an_unseen_identifier_is_not_found(held: Node) -> None:
    result = run_check(held.engine, "+66 81 234 5678")
    assert result.mentions == [] and result.linked == []


def test_a_value_that_is_no_identifier_is_refused(held: Node) -> None:
    with pytest.raises(InvalidInput, match="not an identifier"):
        run_check(held.engine, "hello world")


def test_a_row_filter_hides_rows_and_their_links(held: Node) -> None:
    thai_only = run_check(
        held.engine,
        "0912345678",
        country="VN",
        visible=lambda rows: [r for r in rows if r.creator == THAI["id"]],
    )
    assert {m.object_id for m in thai_only.mentions} == {report(2, [], "")["id"]}
    assert {link.value for link in thai_only.linked} == {WALLET["value"]}


def test_search_by_prefix_and_by_whole_identifier(held: Node) -> None:
    by_prefix = search_values(held.engine, "+849123")
    assert {r.value for r in by_prefix} == {"+84912345678"}
    whole = search_values(held.engine, WALLET["value"].lower())
    assert {r.object_id for r in whole} == {WALLET["id"], report(2, [], "")["id"]}


def test_api_check_search_and_extract(held: Node) -> None:
    client = TestClient(create_app(held.settings, held))
    client.headers.update(user_headers(held, "ana", "analyst"))
    body = client.get("/api/v1/check", params={"value": "0912 345 678", "country": "VN"}).json()
    assert body["identifier"]["value"] == "+84912345678" and body["found"] == 3
    refused = client.get("/api/v1/check", params={"value": "hello world"})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_input"
    found = client.get("/api/v1/search", params={"value": "+8491"}).json()["results"]
    assert {r["value"] for r in found} == {"+84912345678"}
    text = "Chuyen tien vao STK 0011004123456 Vietcombank, lien he 0912.345.678"
    extracted = client.post("/api/v1/extract", json={"text": text, "country": "VN"}).json()
    kinds = {(i["kind"], i["value"]) for i in extracted["identifiers"]}
    assert ("phone", "+84912345678") in kinds
    assert ("bank-account", ACCOUNT["value"]) in kinds


def test_a_mention_is_named_by_the_latest_version_of_its_object(held: Node) -> None:
    newer = {
        **report(2, [PHONE["id"], WALLET["id"]], THAI["id"]),
        "modified": "2026-11-02T10:00:00.000Z",
        "name": "Fraud report 2, corrected",
    }
    receipt = Receipt(origin=held.require_home().id, recorded=Tlp.GREEN)
    with writing(held.engine) as conn:
        repo.put_batch(conn, [prepare(newer, receipt)])
    result = run_check(held.engine, "0912345678", country="VN")
    names = {m.object_id: m.name for m in result.mentions}
    assert names[newer["id"]] == "Fraud report 2, corrected"
    assert names[report(1, [], "")["id"]] == "Fraud report 1"
