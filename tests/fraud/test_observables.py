"""STIX observables of identifiers, index keys of any SCO, keys of pattern comparisons."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.fraud.identifiers import normalise
from kawan.fraud.observables import (
    EXTENSIONS,
    KAWAN_IDENTITY,
    extension_definitions,
    index_keys,
    key_for_path,
    opencti_bank_account,
    to_sco,
)
from kawan.stix.ids import ID_CONTRIBUTING, is_valid_id

KAWAN_SAMPLES = [
    ("sender-id", "VCB"),
    ("bank-account", "VCB 0011004123456"),
    ("bank-account", "TL380080012345678910157"),
    ("e-wallet", "momo:0912345678"),
    ("messenger", "t.me/scam_support"),
    ("ussd", "*123#"),
]


def test_sco_of_a_phone_number() -> None:
    sco = to_sco(normalise("phone", "0912345678", country="VN"))
    assert sco == {
        "type": "phone-number",
        "spec_version": "2.1",
        "id": sco["id"],
        "value": "+84912345678",
    }
    assert is_valid_id(sco["id"], "phone-number")
    assert sco["id"] == to_sco(normalise("phone", "+84 912-345-678"))["id"]


def test_sco_of_a_hash_is_a_file() -> None:
    sco = to_sco(normalise("hash", "D41D8CD98F00B204E9800998ECF8427E"))
    assert sco["type"] == "file"
    assert sco["hashes"] == {"MD5": "d41d8cd98f00b204e9800998ecf8427e"}
    assert sco["id"] == "file--" + sco["id"].split("--")[1]


@pytest.mark.parametrize(("kind", "raw"), KAWAN_SAMPLES)
def test_kawan_scos_name_their_extension_and_follow_its_schema(kind: str, raw: str) -> None:
    sco = to_sco(normalise(kind, raw, country="VN"))
    extension = EXTENSIONS[sco["type"]]
    assert sco["extensions"] == {extension: {"extension_type": "new-sco"}}
    assert ID_CONTRIBUTING[sco["type"]] == ("value",)
    definition = next(o for o in extension_definitions() if o["id"] == extension)
    jsonschema.validate(sco, json.loads(definition["schema"]))


def test_extension_definitions_are_fixed_and_complete() -> None:
    objects = extension_definitions()
    identity = objects[0]
    assert (identity["type"], identity["id"]) == ("identity", KAWAN_IDENTITY)
    definitions = {o["name"]: o for o in objects[1:]}
    new_scos = {n: o for n, o in definitions.items() if o["extension_types"] == ["new-sco"]}
    assert {name: o["id"] for name, o in new_scos.items()} == EXTENSIONS
    assert set(definitions) - set(new_scos) == {"kawan-fraud-report"}
    assert definitions["kawan-fraud-report"]["extension_types"] == ["property-extension"]
    for definition in definitions.values():
        assert definition["created_by_ref"] == KAWAN_IDENTITY
        assert definition["created"] == definition["modified"]
        assert is_valid_id(definition["id"], "extension-definition")


def test_opencti_bank_account_only_for_an_iban() -> None:
    with_iban = normalise("bank-account", "TL38 0080 0123 4567 8910 157")
    sco = opencti_bank_account(with_iban)
    assert sco is not None
    assert (sco["type"], sco["iban"], sco["value"]) == ("bank-account", *[with_iban.value] * 2)
    assert is_valid_id(sco["id"], "bank-account")
    assert index_keys(sco) == [with_iban.key]
    assert opencti_bank_account(normalise("bank-account", "VCB 0011004123456")) is None
    assert opencti_bank_account(normalise("phone", "+84912345678")) is None


@pytest.mark.parametrize(
    ("sco", "keys"),
    [
        ({"type": "domain-name", "value": "Evil.COM."}, [("domain-name", "evil.com")]),
        ({"type": "phone-number", "value": "+84 912 345 678"},
         [("phone-number", "+84912345678")]),
        ({"type": "phone-number", "value": " 0912345678 "}, [("phone-number", "0912345678")]),
        ({"type": "file", "hashes": {"MD5": "AA" * 16, "SHA-256": "BB" * 32, "x": 1}},
         [("file", "aa" * 16), ("file", "bb" * 32)]),
        ({"type": "file", "hashes": {"SSDEEP": " 3:AXGBicFlgVNhBGcL6wCrFQEv:AXGHsNhxLsr2C "}},
         [("file", "3:axgbicflgvnhbgcl6wcrfqev:axghsnhxlsr2c")]),
        ({"type": "file", "name": "a.exe"}, []),
        ({"type": "ipv4-addr", "value": "2001:db8::1"}, [("ipv4-addr", "2001:db8::1")]),
        ({"type": "hostname", "value": " Mail.Evil.COM "}, [("hostname", "mail.evil.com")]),
        ({"type": "user-agent", "value": " Mozilla/5.0 "}, [("user-agent", "Mozilla/5.0")]),
        ({"type": "kawan-e-wallet", "value": "MoMo 0912 345 678"},
         [("kawan-e-wallet", "momo:+84912345678")]),
        ({"type": "user-account", "user_id": "1"}, []),
        ({"value": "x"}, []),
        ({"type": "url", "value": 5}, []),
    ],
)  # fmt: skip
def test_index_keys(sco: dict[str, Any], keys: list[tuple[str, str]]) -> None:
    assert index_keys(sco) == keys


@settings(max_examples=60, deadline=None)
@given(
    sco=st.dictionaries(
        st.sampled_from(["type", "value", "hashes", "iban"]),
        st.text(max_size=20)
        | st.sampled_from(["file", "url", "bank-account", "phone-number", "domain-name"])
        | st.dictionaries(st.text(max_size=5), st.text(max_size=70), max_size=2)
        | st.integers(),
    )
)
def test_index_keys_never_raise(sco: dict[str, Any]) -> None:
    for stix_type, value in index_keys(sco):
        assert isinstance(stix_type, str) and isinstance(value, str)


@pytest.mark.parametrize(
    ("path", "value", "key"),
    [
        ("domain-name:value", "Evil.COM.", ("domain-name", "evil.com")),
        ("file:hashes.'SHA-256'", "BB" * 32, ("file", "bb" * 32)),
        ("file:hashes.MD5", "AA" * 16, ("file", "aa" * 16)),
        ("url:value", "HTTP://Evil.com", ("url", "http://evil.com/")),
        ("email-addr:value", "A@Evil.com", ("email-addr", "a@evil.com")),
        ("email-message:from_ref.value", "A@Evil.com", ("email-addr", "a@evil.com")),
        ("ipv4-addr:value", "10.0.0.5/24", ("ipv4-addr", "10.0.0.0/24")),
        ("ipv6-addr:value", "2001:DB8::1", ("ipv6-addr", "2001:db8::1")),
        ("network-traffic:dst_ref.value", "2001:DB8::1", ("ipv6-addr", "2001:db8::1")),
        ("phone-number:value", "+84 912 345 678", ("phone-number", "+84912345678")),
        ("cryptocurrency-wallet:value", "BC1SW50QGDZ25J",
         ("cryptocurrency-wallet", "bc1sw50qgdz25j")),
        ("kawan-sender-id:value", "vcb", ("kawan-sender-id", "VCB")),
        ("domain-name:value", "not a domain", ("domain-name", "not a domain")),
        ("file:name", "a.exe", None),
        ("network-traffic:dst_port", "443", None),
    ],
)  # fmt: skip
def test_key_for_path(path: str, value: str, key: tuple[str, str] | None) -> None:
    assert key_for_path(path, value) == key
