"""URL normalisation."""

from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.urls import normalise_url, percent_normalised


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("HTTP://Example.COM", "http://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("http://example.com/a#frag", "http://example.com/a"),
        ("example.com/path", "http://example.com/path"),
        ("example.com", "http://example.com/"),
        ("http://example.com/%7euser/%2f%41", "http://example.com/~user/%2FA"),
        ("http://example.com/ä?q=ü", "http://example.com/%C3%A4?q=%C3%BC"),
        ("http://example.com/100%", "http://example.com/100%25"),
        ("http://Bücher.example/x", "http://xn--bcher-kva.example/x"),
        ("http://192.0.2.1:80/", "http://192.0.2.1/"),
        ("http://[2001:DB8::1]:8080/x", "http://[2001:db8::1]:8080/x"),
        ("http://User:Pw@Example.com/", "http://User:Pw@example.com/"),
        ("http://example.com/?", "http://example.com/?"),
        ("https://login.example.com.vn/a/../b?x=1&y=2", "https://login.example.com.vn/a/../b?x=1&y=2"),
    ],
)  # fmt: skip
def test_urls(raw: str, want: str) -> None:
    found = normalise_url(raw)
    assert (found.value, found.stix_type) == (want, "url")
    assert normalise_url(found.value).value == want


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("http://exa mple.com/", "white space"),
        ("http:///path", "needs a host"),
        ("http://example.com:99999/", "cannot parse"),
        ("someone@example.com", "e-mail address"),
        ("http://-bad-.com/", "not a valid domain label"),
    ],
)
def test_bad_urls_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_url(raw)


def test_percent_normalisation_is_idempotent_on_odd_input() -> None:
    for text in ["%", "%4", "%zz", "%%41", "a%2fb%7E"]:
        once = percent_normalised(text)
        assert percent_normalised(once) == once
