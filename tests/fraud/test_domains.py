"""Domain names and registrable domains, offline."""

from __future__ import annotations

import socket

import pytest

from kawan.errors import InvalidInput
from kawan.fraud import domains
from kawan.fraud.domains import normalise_domain, registrable_domain


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("Evil.COM.", "evil.com"),
        ("bücher.de", "xn--bcher-kva.de"),
        ("BÜCHER.DE", "xn--bcher-kva.de"),
        ("ｅｘａｍｐｌｅ．ｃｏｍ", "example.com"),
        ("例え。テスト.jp", "xn--r8jz45g.xn--zckzah.jp"),
        ("shop.xn--bcher-kva.de", "shop.xn--bcher-kva.de"),
        ("ngân-hàng.vn", "xn--ngn-hng-dwao.vn"),
        ("ab--cd.example.com", "ab--cd.example.com"),
        ("_dmarc.example.com", "_dmarc.example.com"),
    ],
)
def test_domains(raw: str, want: str) -> None:
    found = normalise_domain(raw)
    assert (found.value, found.stix_type) == (want, "domain-name")


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("localhost", "no public suffix"),
        ("co.th", "is a public suffix"),
        ("a..com", "empty label"),
        ("-bad.com", "not a valid domain label"),
        ("xn--zz.com", "not valid punycode"),
        ("exa mple.com", "not a valid"),
        ("a" * 64 + ".com", "not a valid domain label"),
    ],
)
def test_bad_domains_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_domain(raw)


@pytest.mark.parametrize(
    ("raw", "want"),
    [("a.b.example.co.th", "example.co.th"), ("www.gov.sg", "www.gov.sg"),
     ("x.Example.COM", "example.com"), ("mail.bücher.de", "xn--bcher-kva.de")],
)  # fmt: skip
def test_registrable_domain(raw: str, want: str) -> None:
    assert registrable_domain(raw) == want


def test_the_suffix_list_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network used")

    domains._extractor.cache_clear()
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert registrable_domain("a.b.example.com.vn") == "example.com.vn"
