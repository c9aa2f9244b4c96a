"""The normalisers' fast paths agree with the general paths they stand in for."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.fraud import domains, observables, urls
from kawan.fraud.identifiers import normalise

# Labels that exercise the suffix list: wildcards (`*.kawasaki.jp`, `*.ck`), exceptions
# (`!city.kitakyushu.jp`, `!www.ck`), multi-label suffixes, digits (IPv4-like names).
SUFFIX_PIECES = [
    "com", "net", "vn", "com.vn", "co.th", "go.th", "uk", "co.uk", "jp", "kawasaki.jp",
    "city.kitakyushu.jp", "kitakyushu.jp", "ck", "www.ck", "sg", "gov.sg", "k12.ma.us",
    "example", "1", "23", "255", "xn--bcher-kva", "localhost",
]  # fmt: skip
ASCII_LABEL = st.text("abcxyzABZ019_-", min_size=0, max_size=8)
ASCII_NAME = st.lists(ASCII_LABEL, min_size=1, max_size=5).map(".".join)
ASCII_RAW = st.tuples(
    st.sampled_from(["", " ", "\t"]), ASCII_NAME, st.sampled_from(["", ".", "..", " "])
).map("".join)
SUFFIX_NAME = st.lists(
    st.one_of(st.sampled_from(SUFFIX_PIECES), st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True)),
    min_size=1,
    max_size=6,
).map(".".join)


def outcome(function: object, *args: object) -> tuple[str, object]:
    try:
        return ("ok", function(*args))  # type: ignore[operator]
    except InvalidInput as exc:
        return ("refused", exc.message)


@settings(max_examples=400, deadline=None)
@given(raw=st.one_of(ASCII_RAW, st.text(max_size=20), st.sampled_from(["a" * 64 + ".com"])))
def test_the_ascii_hostname_path_agrees_with_the_general_path(raw: str) -> None:
    assert outcome(domains.hostname, raw) == outcome(domains.general_hostname, raw)


@settings(max_examples=300, deadline=None)
@given(raw=ASCII_RAW)
def test_the_ascii_path_takes_plain_names(raw: str) -> None:
    fast = domains._ascii_hostname(raw)
    if fast is not None:
        assert fast == domains.general_hostname(raw)


def _tldextract_registrable(name: str) -> str | None:
    parts = domains._extractor()(name)
    return f"{parts.domain}.{parts.suffix}" if parts.domain and parts.suffix else None


@settings(max_examples=500, deadline=None)
@given(name=SUFFIX_NAME)
def test_the_cached_suffix_lookup_agrees_with_tldextract(name: str) -> None:
    try:
        found: str | None = domains.registrable_of(name)
    except InvalidInput:
        found = None
    assert found == _tldextract_registrable(name)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=30))
def test_the_plain_percent_path_agrees_with_the_general_path(text: str) -> None:
    assert urls.percent_normalised(text) == urls.general_percent_normalised(text)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=10))
def test_the_white_space_test_is_str_isspace(text: str) -> None:
    assert (urls._SPACE.search(text) is not None) == any(ch.isspace() for ch in text)


KEY_VALUES = st.one_of(st.text(max_size=20), SUFFIX_NAME, ASCII_RAW)
KEY_KINDS = st.sampled_from([("domain", "domain-name"), ("url", "url"), ("ipv4", "ipv4-addr"),
                             ("email", "email-addr"), ("hash", "file")])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(kind=KEY_KINDS, value=KEY_VALUES)
def test_cached_keys_are_the_keys_normalising_gives(kind: tuple[str, str], value: str) -> None:
    name, stix_type = kind
    key = observables._key(name, value, stix_type)
    try:
        found = normalise(name, value)
    except InvalidInput:
        assert key == observables._fallback(stix_type, value)
        return
    if found.stix_type == stix_type:
        assert key == (found.stix_type, found.value)
    else:
        assert key == observables._fallback(stix_type, value)
    assert observables._key(name, value, stix_type) == key  # from the cache, the same


def test_the_ascii_name_pattern_has_no_newline_loophole() -> None:
    assert domains._ascii_hostname("a\n.com") is None
    assert re.fullmatch(r"\s", "\n")
