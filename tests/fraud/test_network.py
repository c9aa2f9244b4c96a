"""IP addresses and networks, e-mail addresses, file hashes."""

from __future__ import annotations

import pytest

from kawan.errors import InvalidInput
from kawan.fraud.network import normalise_email, normalise_hash, normalise_ip


@pytest.mark.parametrize(
    ("raw", "version", "want"),
    [
        ("192.0.2.1", 4, "192.0.2.1"),
        (" 192.0.2.1 ", 4, "192.0.2.1"),
        ("192.0.2.1/32", 4, "192.0.2.1"),
        ("10.0.0.5/24", 4, "10.0.0.0/24"),
        ("10.0.0.0/8", 4, "10.0.0.0/8"),
        ("2001:DB8:0:0::1", 6, "2001:db8::1"),
        ("2001:db8::/32", 6, "2001:db8::/32"),
        ("2001:db8::1/128", 6, "2001:db8::1"),
    ],
)
def test_addresses_and_networks(raw: str, version: int, want: str) -> None:
    found = normalise_ip(raw, version)
    assert (found.value, found.stix_type) == (want, f"ipv{version}-addr")


@pytest.mark.parametrize(
    ("raw", "version", "why"),
    [
        ("256.1.1.1", 4, "not an IP"),
        ("010.1.1.1", 4, "not an IP"),
        ("10.0.0.0/33", 4, "not an IP"),
        ("2001:db8::1", 4, "IPv6 address, not IPv4"),
        ("192.0.2.1", 6, "IPv4 address, not IPv6"),
    ],
)
def test_bad_addresses_are_refused(raw: str, version: int, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_ip(raw, version)


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("Someone@Example.COM", "someone@example.com"),
        ("mailto:a.b+tag@Bücher.de", "a.b+tag@xn--bcher-kva.de"),
        ("<x@example.co.th.>", "x@example.co.th"),
    ],
)
def test_emails(raw: str, want: str) -> None:
    assert normalise_email(raw).value == want


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("no-at-sign", "needs a local part"),
        ("@example.com", "needs a local part"),
        ("a b@example.com", "local part"),
        ("a..b@example.com", "misplaced dot"),
        ("a@localhost", "no public suffix"),
    ],
)
def test_bad_emails_are_refused(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput, match=why):
        normalise_email(raw)


@pytest.mark.parametrize(
    ("raw", "name"),
    [("D41D8CD98F00B204E9800998ECF8427E", "MD5"), ("a" * 40, "SHA-1"),
     ("b" * 64, "SHA-256"), ("c" * 128, "SHA-512")],
)  # fmt: skip
def test_hashes(raw: str, name: str) -> None:
    found = normalise_hash(raw)
    assert found.value == raw.lower()
    assert (found.stix_type, found.properties) == ("file", {"hashes": {name: raw.lower()}})


@pytest.mark.parametrize("raw", ["abc", "g" * 32, "a" * 48])
def test_bad_hashes_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput, match="hex digest"):
        normalise_hash(raw)
