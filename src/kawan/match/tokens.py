"""What one log value holds, as index keys (pure). The exact half of the matcher.

A key is a short kind letter and a normalised value, written `kind:value`:
`d` domain, `4` IPv4, `6` IPv6, `u` URL, `e` e-mail, `h` file hash, `p` phone (E.164).

Words are maximal runs of host characters (ASCII letters, digits, `.`, `-`, `_`, and any
non-ASCII character that is not white space); one trailing dot is dropped. A word is a
file hash (32/40/64/128 hex digits), an IPv4 address, or a host name. URLs are runs with
`scheme://` up to white space or ``"'<>|{}\\^` ``; e-mail addresses and phone numbers in
E.164 (`+84912345678`) are found by their own patterns; IPv6 addresses as runs of hex
digits, colons and dots with at least two colons.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable, Iterator

from kawan.errors import InvalidInput
from kawan.fraud.domains import hostname
from kawan.fraud.network import normalise_email
from kawan.fraud.phones import normalise_phone
from kawan.fraud.urls import normalise_url

HOST_WORD = re.compile(r"[^\x00-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\s]+")
URL_RUN = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>|{}\\^`]+")
EMAIL_RUN = re.compile(r"[A-Za-z0-9._%+\-]+@[^\x00-\x2c\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f\s]+")
PHONE_RUN = re.compile(r"(?<![\w+])\+[1-9][0-9]{6,14}(?![\w])")
IPV6_RUN = re.compile(r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")
_IPV4_SHAPE = re.compile(r"^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$")
_HEX = re.compile(r"^[0-9a-f]+$")
HASH_LENGTHS = frozenset({32, 40, 64, 128})


def value_keys(value: str) -> Iterator[tuple[str, str]]:
    """Every (key, text as written) a log value holds; a key may repeat."""
    if len(value) < 32 and "." not in value and ":" not in value and "+" not in value:
        return  # too short for a hash, and no dot, colon or plus: holds nothing
    for word in HOST_WORD.findall(value):
        for key in word_keys(word):
            yield key, word
    for pattern, reader, needs in _SPECIAL:
        if needs(value):
            for run in pattern.findall(value):
                found = reader(run)
                if found is not None:
                    yield found, run


@functools.lru_cache(maxsize=65536)
def word_keys(word: str) -> tuple[str, ...]:
    """The keys of one word: a hash, an IPv4 address, or a host name (one key each)."""
    text = word[:-1] if word.endswith(".") else word
    low = text.lower()
    if len(low) in HASH_LENGTHS and _HEX.match(low):
        return (f"h:{low}",)
    if _IPV4_SHAPE.match(low):
        return (f"4:{low}",) if _ipv4_canonical(low) else ()
    if "." not in text or text.endswith("."):
        return ()
    try:
        return (f"d:{hostname(text)}",)
    except InvalidInput:
        return _host_it_ends_with(text)


def _host_it_ends_with(text: str) -> tuple[str, ...]:
    """A word that is not a host name as a whole (`.evil.com`, `a..evil.com`,
    `a.-.evil.com`) still ends with one after a dot: the longest such name, whose
    parents are the shorter ones. A domain indicator matches the word exactly when the
    word ends with `.` and the indicator, as the reference in the tests defines it."""
    start = text.find(".")
    while start != -1:
        try:
            return (f"d:{hostname(text[start + 1 :])}",)
        except InvalidInput:
            start = text.find(".", start + 1)
    return ()


def _ipv4_canonical(shaped: str) -> bool:
    """Whether an IPv4-shaped text is an address as `ipaddress` writes it (its octets at
    most 255, none with a leading zero): then `str(IPv4Address(text)) == text`; otherwise
    `IPv4Address` refuses it."""
    for octet in shaped.split("."):
        if not (octet.isascii() and octet.isdigit()):
            return False
        if (octet.startswith("0") and octet != "0") or int(octet) > 255:
            return False
    return True


@functools.lru_cache(maxsize=16384)
def url_key(run: str) -> str | None:
    try:
        return f"u:{normalise_url(run).value}"
    except InvalidInput:
        return None


@functools.lru_cache(maxsize=16384)
def email_key(run: str) -> str | None:
    try:
        return f"e:{normalise_email(run).value}"
    except InvalidInput:
        return None


@functools.lru_cache(maxsize=16384)
def phone_key(run: str) -> str | None:
    try:
        return f"p:{normalise_phone(run).value}"
    except InvalidInput:
        return None


@functools.lru_cache(maxsize=16384)
def ipv6_key(run: str) -> str | None:
    try:
        return f"6:{ipaddress.IPv6Address(run)}"
    except ValueError:
        return None


_SPECIAL: tuple[tuple[re.Pattern[str], Callable[[str], str | None], Callable[[str], bool]], ...] = (
    # (pattern, its key, whether a value may hold a match: a cheap test, never wrong)
    (URL_RUN, url_key, lambda value: "://" in value),
    (EMAIL_RUN, email_key, lambda value: "@" in value),
    (PHONE_RUN, phone_key, lambda value: "+" in value),
    (IPV6_RUN, ipv6_key, lambda value: value.count(":") >= 2),
)


def parents(domain: str) -> Iterator[str]:
    """`a.b.c` → `a.b.c`, `b.c`, `c`: the name and every name it is under."""
    name = domain
    while True:
        yield name
        _, dot, rest = name.partition(".")
        if not dot:
            return
        name = rest
