"""Fraud reports as STIX, their details read back, and what a check sums up (pure)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.fraud.details import Details, details_of, summarise
from kawan.fraud.observables import extension_definitions, to_sco
from kawan.fraud.reports import EXTENSION, Cited, Victim, build, category_of, money
from kawan.stix.validate import check
from tests.fraud.conftest import ACCOUNT, NOW, PHONE, WALLET, counter_ids, sample_draft

HOME = "identity--3a0b3c6e-0d1f-4f55-9e77-3b7c1d2e4f50"


def test_a_report_is_scos_relationships_and_a_report_citing_them() -> None:
    objs = build(sample_draft(), creator=HOME, now_us=NOW, new_id=counter_ids())
    assert [o["type"] for o in objs] == ["phone-number", "kawan-bank-account", "relationship",
                                          "report"]  # fmt: skip
    for obj in objs:
        check(obj)
    report, link = objs[-1], objs[2]
    assert report["object_refs"] == [o["id"] for o in objs[:-1]]
    assert (link["source_ref"], link["target_ref"]) == (to_sco(PHONE)["id"], to_sco(ACCOUNT)["id"])
    ext = report["extensions"][EXTENSION]
    assert ext["loss"] == {"amount": "15000000", "currency": "VND"}
    assert ext["identifiers"][1] == {"ref": to_sco(ACCOUNT)["id"], "role": "payment"}
    assert report["labels"] == ["police-impersonation"]


def test_the_extension_follows_its_published_schema() -> None:
    definition = next(o for o in extension_definitions() if o["id"] == EXTENSION)
    assert definition["name"] == "kawan-fraud-report"
    report = build(sample_draft(), creator=HOME, now_us=NOW, new_id=counter_ids())[-1]
    jsonschema.validate(report["extensions"][EXTENSION], json.loads(definition["schema"]))


@given(st.text(alphabet="αβγδεζηθικλμ ", min_size=4, max_size=40).filter(str.strip))
def test_the_victims_words_never_reach_a_stix_object(secret: str) -> None:
    found = sample_draft(victim=Victim(secret, secret, secret))
    text = orjson.dumps(build(found, creator=HOME, now_us=NOW, new_id=counter_ids())).decode()
    assert secret.strip() not in text


def test_categories_are_known_by_label_and_short_name() -> None:
    assert category_of("investment") == "investment-scam"
    assert category_of("Job/Task") == "job-task-scam"
    assert category_of("police") == "police-impersonation"
    with pytest.raises(InvalidInput, match="unknown category"):
        category_of("lottery")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("1,500,000", "vnd", (Decimal("1500000"), "VND")),
        ("12.345", "USD", (Decimal("12.35"), "USD")),
        (None, None, (None, None)),
    ],
)
def test_money(amount: str | None, currency: str | None, expected: tuple[object, object]) -> None:
    assert money(amount, currency) == expected


@pytest.mark.parametrize(("amount", "currency"), [("-5", "USD"), ("ten", "USD"), ("5", "")])
def test_bad_money_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(InvalidInput):
        money(amount, currency)


def test_a_report_cites_something() -> None:
    with pytest.raises(InvalidInput, match="at least one identifier"):
        sample_draft(cited=())


def test_details_read_back_and_summed() -> None:
    first = build(sample_draft(), creator=HOME, now_us=NOW, new_id=counter_ids())[-1]
    second = build(
        sample_draft([Cited(PHONE, "contact"), Cited(WALLET, "payment")], country="KH",
                     occurred=date(2026, 11, 20), loss="250", currency="USD",
                     category="crypto"),
        creator=HOME, now_us=NOW, new_id=lambda t: f"{t}--00000000-0000-4000-8000-0000000000aa",
    )[-1]  # fmt: skip
    third = {**first, "id": "report--00000000-0000-4000-8000-00000000beef"}
    summary = summarise([details_of(r, "VN") for r in (first, second, third, first)])
    assert summary.count == 3
    assert summary.by_country == {"VN": 2, "KH": 1}
    assert summary.by_month == {"2026-10": 2, "2026-11": 1}
    assert summary.categories == {"police-impersonation": 2, "crypto-scam": 1}
    assert (summary.first_seen, summary.last_seen) == ("2026-10-03", "2026-11-20")
    assert summary.loss == {"USD": "250", "VND": "30000000"}


def test_a_report_from_elsewhere_still_gives_its_category_and_date() -> None:
    plain = {"id": "report--x", "labels": ["phishing"], "published": "2026-09-01T00:00:00Z"}
    assert details_of(plain, "TH") == Details("report--x", "phishing", None, "2026-09-01", "TH")
