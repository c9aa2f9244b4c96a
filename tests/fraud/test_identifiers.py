"""The entry point: every kind is idempotent, raises only InvalidInput, guesses its kind."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.fraud.identifiers import KINDS, guess, normalise
from kawan.fraud.observables import index_keys, to_sco

EXAMPLES = {
    "ipv4": ["10.0.0.5/24", "192.0.2.1"],
    "ipv6": ["2001:DB8::1", "2001:db8::/48"],
    "domain": ["Evil.COM.", "bücher.de"],
    "url": ["example.com/a%7e", "HTTPS://Bücher.de:443/ä?x#y"],
    "email": ["Someone@Example.COM"],
    "hash": ["D41D8CD98F00B204E9800998ECF8427E"],
    "phone": ["+84 912-345-678", "+66 (0)81 234 5678"],
    "sender-id": ["dbs-sg"],
    "bank-account": ["VCB-0011 0041 23456", "TL38 0080 0123 4567 8910 157"],
    "e-wallet": ["MoMo 0912 345 678", "alipay:A@Example.com", "PromptPay 1101700230708"],
    "messenger": ["https://t.me/Scam_Support", "kakaotalk:open/sAbC123", "line:@Shop"],
    "crypto-wallet": ["0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "BC1SW50QGDZ25J"],
    "ussd": ["* 123 * 456 #"],
}
CASES = [(kind, raw) for kind, raws in EXAMPLES.items() for raw in raws]


def test_every_kind_has_examples() -> None:
    assert set(EXAMPLES) == set(KINDS)


@pytest.mark.parametrize(("kind", "raw"), CASES)
def test_idempotent_and_round_trips(kind: str, raw: str) -> None:
    once = normalise(kind, raw)
    assert (once.kind, once.stix_type) == (kind, KINDS[kind])
    assert normalise(kind, once.value) == once
    assert index_keys(to_sco(once)) == [(once.stix_type, once.value)]


@pytest.mark.parametrize(("kind", "raw"), CASES)
def test_guess_finds_the_kind(kind: str, raw: str) -> None:
    if kind in ("ipv4", "ipv6") or raw.startswith("alipay"):
        assert guess(raw).kind == kind
    else:
        assert guess(raw, country="VN").value == normalise(kind, raw).value


@pytest.mark.parametrize(
    ("raw", "country", "kind"),
    [("0912345678", "VN", "phone"), ("VCB", None, "sender-id"), ("Shopee", "SG", "sender-id"),
     ("example.com", None, "domain"), ("https://example.com", None, "url"),
     ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", None, "crypto-wallet"), ("#123#", None, "ussd")],
)  # fmt: skip
def test_guess(raw: str, country: str | None, kind: str) -> None:
    assert guess(raw, country=country).kind == kind


def test_guess_names_the_kinds_tried() -> None:
    with pytest.raises(InvalidInput, match="tried") as caught:
        guess("what is this?!")
    assert "phone:" in caught.value.message and "domain:" in caught.value.message


def test_unknown_kind_and_non_text_are_refused() -> None:
    with pytest.raises(InvalidInput, match="unknown identifier kind"):
        normalise("fax", "123")
    with pytest.raises(InvalidInput, match="expected text"):
        normalise("domain", 42)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="empty"):
        normalise("domain", "   ")


def test_one_phone_number_one_id() -> None:
    ids = {
        to_sco(normalise("phone", raw, country=country))["id"]
        for raw, country in [("+84 912-345-678", None), ("0912345678", "VN"),
                             ("０９１２３４５６７８", "VN"), ("84912345678", "VN"),
                             ("0084 912 345 678", None)]
    }  # fmt: skip
    assert len(ids) == 1
    with pytest.raises(InvalidInput, match="needs a country"):
        normalise("phone", "84912345678")


TEXT = st.text(max_size=40) | st.sampled_from([raw for _, raw in CASES])
COUNTRY = st.none() | st.sampled_from(["VN", "TH", "KR", "MY", "xx"])


@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), raw=TEXT, country=COUNTRY)
def test_normalise_raises_only_invalid_input_and_is_idempotent(
    kind: str, raw: str, country: str | None
) -> None:
    try:
        found = normalise(kind, raw, country=country)
    except InvalidInput:
        return
    assert normalise(kind, found.value, country=found.country).value == found.value
    assert index_keys(to_sco(found)) == [(found.stix_type, found.value)]


@settings(max_examples=60, deadline=None)
@given(raw=st.text(max_size=40), country=COUNTRY)
def test_guess_raises_only_invalid_input(raw: str, country: str | None) -> None:
    try:
        found = guess(raw, country=country)
    except InvalidInput:
        return
    assert found.stix_type == KINDS[found.kind]


# Shaped text, to reach beyond the first checks of each normaliser.
SHAPED = st.builds(
    lambda a, b, c: f"{a}{b}{c}",
    st.sampled_from(["", "+", "00", "0", "http://", "telegram:", "momo:", "VCB ", "0x", "bc1",
                     "*", "1", "T", "a@", "xn--"]),
    st.text(alphabet="0123456789abcdefxyzAZ.-_ /@:%#*+()", max_size=30),
    st.sampled_from(["", ".com", "#", ".vn", "/path"]),
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(sorted(KINDS)), raw=SHAPED, country=COUNTRY)
def test_shaped_text_is_idempotent(kind: str, raw: str, country: str | None) -> None:
    test_normalise_raises_only_invalid_input_and_is_idempotent.hypothesis.inner_test(  # type: ignore[attr-defined]
        kind, raw, country
    )
