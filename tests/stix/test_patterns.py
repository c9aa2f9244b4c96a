from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.stix.patterns import Comparison, equality_pattern, read


@pytest.mark.parametrize(
    ("pattern", "simple", "values"),
    [
        ("[domain-name:value = 'evil.com']", True, ["evil.com"]),
        (
            "[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.0/24']",
            True,
            ["1.2.3.4", "5.6.7.0/24"],
        ),
        ("[url:value = 'http://a/'] OR [file:hashes.'SHA-256' = 'ab']", True, ["http://a/", "ab"]),
        ("[ipv4-addr:value IN ('1.1.1.1', '2.2.2.2')]", True, ["1.1.1.1", "2.2.2.2"]),
        ("[file:hashes.MD5 = 'x' AND file:name = 'a.exe']", False, ["x", "a.exe"]),
        ("[domain-name:value = 'a'] FOLLOWEDBY [domain-name:value = 'b']", False, ["a", "b"]),
        ("[domain-name:value = 'a'] REPEATS 5 TIMES", False, ["a"]),
        ("[email-message:subject MATCHES 'urgent.*']", False, []),
        ("[domain-name:value != 'a']", False, []),
    ],
)
def test_read(pattern: str, simple: bool, values: list[str]) -> None:
    reading = read(pattern)
    assert reading.simple is simple
    assert [c.value for c in reading.comparisons] == values


@given(st.text(max_size=30))
def test_quoting_round_trips(value: str) -> None:
    reading = read(equality_pattern("url:value", value))
    assert reading.simple
    assert reading.comparisons == (Comparison("url:value", value),)


@given(st.text(max_size=60))
def test_read_never_raises(pattern: str) -> None:
    read(pattern)
