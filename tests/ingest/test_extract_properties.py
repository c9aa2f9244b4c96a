"""Properties of `extract` on arbitrary text (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.ingest.extract import Found, extract
from kawan.ingest.extract_fold import fold

# Characters identifiers are made of, their full-width and defanged forms, and Thai.
IDENTIFIER_ALPHABET = st.sampled_from(
    [
        *"0123456789abcdefxT.:/@-_+*#()[] \n",
        *("hxxp", "https://", "www.", ".com", "bit.ly/", "[.]", "(dot)", "[at]", "０", "８"),
        *("．", "＠", "๐", "๘", "\u200b", "โทร", "บัญชี", "กสิกรไทย", "Vietcombank", "LINE ID:"),
        "t.me/",
    ]
)
THAI_WORDS = ["โทร", "ด่วน", "คลิก", "แล้ว", "รับ", "ฟรี", "สมัคร", "ติดต่อ", "ที่นี่", "เลย"]
VIETNAMESE_WORDS = ["Gọi", "ngay", "để", "nhận", "quà", "liên", "hệ", "tại", "chúng", "tôi"]
# (written, kind, normalised value) with country TH
KNOWN = [
    ("0812345678", "phone", "+66812345678"),
    ("+84 912 345 678", "phone", "+84912345678"),
    ("bit.ly/3abc", "url", "http://bit.ly/3abc"),
    ("https://shopee-th.xyz/a?b=1", "url", "https://shopee-th.xyz/a?b=1"),
    ("scam.er@gmail.com", "email", "scam.er@gmail.com"),
    ("45.77.12.9", "ipv4", "45.77.12.9"),
    ("*123*45#", "ussd", "*123*45#"),
    ("t.me/scam_help", "messenger", "telegram:@scam_help"),
    ("hxxps://evil[.]com/x", "url", "https://evil.com/x"),
    ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "crypto-wallet", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
]


def check_spans(text: str, result: list[Found]) -> None:
    previous_end = 0
    for found in result:
        assert 0 <= found.start < found.end <= len(text)
        assert text[found.start : found.end] == found.raw
        assert found.start >= previous_end  # ordered, not overlapping
        previous_end = found.end


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from([None, "TH", "VN", "ID", "CN", "JP", "KR"]))
def test_never_raises_on_any_text(text: str, country: str | None) -> None:
    check_spans(text, extract(text, country=country))


@settings(max_examples=300, deadline=None)
@given(st.lists(IDENTIFIER_ALPHABET, max_size=40).map("".join))
def test_never_raises_on_identifier_like_text(text: str) -> None:
    check_spans(text, extract(text, country="TH"))


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_fold_maps_every_character_back(text: str) -> None:
    folded = fold(text)
    assert len(folded.text) == len(folded.starts) == len(folded.ends)
    for start, end in zip(folded.starts, folded.ends, strict=True):
        assert 0 <= start < end <= len(text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(KNOWN),
    st.lists(st.sampled_from(THAI_WORDS), max_size=4),
    st.lists(st.sampled_from(THAI_WORDS), max_size=4),
)
def test_found_between_thai_words(
    known: tuple[str, str, str], before: list[str], after: list[str]
) -> None:
    written, kind, value = known
    prefix = "".join(before)  # Thai writes no spaces between words
    text = prefix + written + "".join(after)
    result = extract(text, country="TH")
    assert [(f.identifier.kind, f.identifier.value) for f in result] == [(kind, value)]
    assert (result[0].start, result[0].raw) == (len(prefix), written)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(KNOWN),
    st.lists(st.sampled_from(VIETNAMESE_WORDS), max_size=4),
    st.lists(st.sampled_from(VIETNAMESE_WORDS), max_size=4),
)
def test_found_between_vietnamese_words(
    known: tuple[str, str, str], before: list[str], after: list[str]
) -> None:
    written, kind, value = known
    text = " ".join([*before, written, *after])
    result = extract(text, country="TH")
    assert [(f.identifier.kind, f.identifier.value) for f in result] == [(kind, value)]
    assert result[0].raw == written
