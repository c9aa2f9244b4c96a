"""The entry point: every kind is idempotent, raises only InvalidInput, guesses its kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.fraud import identifiers
from kawan.fraud.identifiers import KINDS, Identifier, guess, normalise
from kawan.fraud.kinds import cleaned
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


def exhaustive_guess(raw: str, country: str | None) -> Identifier:
    """`guess` as it was: every candidate kind tried in order, none skipped."""
    text = cleaned(raw, "value")
    reasons: list[str] = []
    for kind in identifiers._candidates(text):
        try:
            return normalise(kind, text, country=country)
        except InvalidInput as exc:
            reasons.append(f"{kind}: {exc.message}")
    raise InvalidInput("not an identifier kawan knows; tried " + "; ".join(reasons), field="value")


def outcome(find: Callable[[], Identifier]) -> tuple[object, ...]:
    try:
        found = find()
    except InvalidInput as exc:
        return ("refused", exc.message, exc.field)
    return (found.kind, found.value, found.stix_type, found.properties, found.country)


PHONE_LIKE = st.builds(
    lambda a, b: f"{a}{b}",
    st.sampled_from(["", "+", "00", "0", "1", "3", "*", "#", "(", "tel:"]),
    st.text(alphabet="0123456789 +-.()/:@#*", max_size=24),
)
VALID = st.one_of(
    st.ip_addresses().map(str),
    st.sampled_from([32, 40, 64, 128]).flatmap(
        lambda n: st.text("0123456789abcdefABCDEF", min_size=n, max_size=n)
    ),
    st.sampled_from([raw for raws in EXAMPLES.values() for raw in raws]),
)
ANY_TEXT = st.one_of(st.text(max_size=40), SHAPED, PHONE_LIKE, VALID)


@pytest.mark.parametrize(("kind", "raw"), CASES)
def test_no_example_is_ruled_out_of_its_own_kind(kind: str, raw: str) -> None:
    rule = identifiers._RULED_OUT.get(kind)
    assert rule is None or not rule(cleaned(raw, "value"))


@settings(max_examples=400, deadline=None)
@given(raw=ANY_TEXT, country=COUNTRY)
def test_guess_answers_as_the_exhaustive_guess(raw: str, country: str | None) -> None:
    assert outcome(lambda: guess(raw, country=country)) == outcome(
        lambda: exhaustive_guess(raw, country)
    )


@settings(max_examples=400, deadline=None)
@given(kind=st.sampled_from(sorted(identifiers._RULED_OUT)), raw=ANY_TEXT, country=COUNTRY)
def test_a_ruled_out_kind_is_refused_by_its_normaliser(
    kind: str, raw: str, country: str | None
) -> None:
    try:
        text = cleaned(raw, "value")
    except InvalidInput:
        return
    if identifiers._RULED_OUT[kind](text):
        with pytest.raises(InvalidInput):
            normalise(kind, text, country=country)


@pytest.mark.parametrize(
    "raw", ["0910001234", "+84 91 000 1234", "1234567890123456789012345678901234", "12.3.4.5"]
)
def test_guess_of_numbers_answers_as_the_exhaustive_guess(raw: str) -> None:
    assert outcome(lambda: guess(raw, country="VN")) == outcome(lambda: exhaustive_guess(raw, "VN"))
