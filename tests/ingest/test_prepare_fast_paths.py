"""Ingest's fast paths agree with the general paths they stand in for: the one-comparison
pattern, the plain IPv4 address, the plain http(s) URL."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.fraud import network, urls
from kawan.ingest import prepare

PATHS = [
    "domain-name:value", "url:value", "ipv4-addr:value", "ipv6-addr:value", "email-addr:value",
    "file:hashes.MD5", "file:hashes.'SHA-256'", "file:name", "network-traffic:dst_ref.value",
    "phone-number:value", "x-custom:value", "Domain-name:value", "domain-name:Value",
    "email-message:to_refs[*].value", "domain_name:value",
]  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(
        [
            "evil.example.com",
            "10.0.0.1",
            "http://a.example/x",
            "a@b.example",
            "d41d8cd98f00b204e9800998ecf8427e",
            "+84 912 345 678",
            "it\\'s",
            "back\\\\slash",
            "",
            "x'y",
            "a\\",
        ]
    ),
    st.text(max_size=12),
)
SPACE = st.sampled_from(["", " ", "  ", "\t", "\n", "\u00a0"])
OPERATOR = st.sampled_from(["=", "==", "!=", "IN", ">"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    """Mostly one comparison, with the spacing, quoting and operators patterns may have."""
    gap = [draw(SPACE) for _ in range(6)]
    literal = "'" + draw(VALUES) + draw(st.sampled_from(["'", "", "''"]))
    one = f"{gap[0]}[{gap[1]}{draw(st.sampled_from(PATHS))}{gap[2]}{draw(OPERATOR)}{gap[3]}"
    one += f"{literal}{gap[4]}]{gap[5]}"
    tail = draw(st.sampled_from(["", " OR [url:value = 'http://b.example/']", " AND [x:y = 'z']"]))
    return one + tail


@settings(max_examples=600, deadline=None)
@given(pattern=st.one_of(patterns(), st.text(max_size=40)))
def test_the_one_comparison_path_agrees_with_patterns_read(pattern: str) -> None:
    assert prepare._pattern_keys(pattern) == prepare.read_pattern_keys(pattern)


def test_the_one_comparison_path_takes_the_usual_pattern() -> None:
    assert prepare._ONE_COMPARISON.fullmatch("[domain-name:value = 'Evil.Example.COM']")
    keys = prepare._pattern_keys("[domain-name:value = 'Evil.Example.COM']")
    assert [(k.obs_type, k.value, k.via) for k in keys] == [
        ("domain-name", "evil.example.com", "pattern")
    ]


def _by_ipaddress(text: str) -> tuple[str, tuple[str, int]] | tuple[str, str]:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return ("refused", "")
    return ("ok", (str(address), address.version))


OCTET = st.one_of(
    st.integers(0, 300).map(str), st.sampled_from(["00", "01", "010", "0x1", "٣", "1 ", ""])
)


@settings(max_examples=600, deadline=None)
@given(quad=st.lists(OCTET, min_size=3, max_size=5).map(".".join), pad=SPACE)
def test_the_plain_ipv4_path_agrees_with_ipaddress(quad: str, pad: str) -> None:
    text = pad + quad + pad
    if network._PLAIN_IPV4.fullmatch(text.strip()):
        assert ("ok", network.ip_text(text, "ipv4")) == _by_ipaddress(text)
    try:
        found: tuple[str, object] = ("ok", network.ip_text(text, "ipv4"))
    except InvalidInput:
        found = ("refused", "")
    if "/" not in text:
        assert found == _by_ipaddress(text)


def _outcome(function: object, text: str) -> tuple[str, object]:
    try:
        return ("ok", function(text).value)  # type: ignore[operator]
    except InvalidInput as exc:
        return ("refused", exc.message)


URL_PIECES = st.sampled_from(
    ["http", "https", "HTTP", "ftp", "://", "/", "//", "a", "Example", "example.com", ".", "-",
     "_", "10", "255.1.1.1", "..", ":", ":80", "?", "#", "@", "%41", "%7e", "~", "x;y", "'",
     "[", "]", "é", " ", "co.th", "xn--bcher-kva", "*", "login"]
)  # fmt: skip


@settings(max_examples=800, deadline=None)
@given(text=st.one_of(st.lists(URL_PIECES, max_size=10).map("".join), st.text(max_size=30)))
def test_the_plain_url_path_agrees_with_the_general_path(text: str) -> None:
    text = text.strip()
    assert _outcome(urls.normalise_url, text) == _outcome(urls.general_url, text)


def test_the_plain_url_path_takes_the_usual_url() -> None:
    assert urls._plain_url("http://scam1.example.com/login") == "http://scam1.example.com/login"
    assert urls._plain_url("https://a.example.com") == "https://a.example.com/"
    assert urls._plain_url("http://10.0.0.1/") is None  # an address: the general path
