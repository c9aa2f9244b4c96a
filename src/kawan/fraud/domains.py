"""Domain names: IDNA 2008 to punycode, lower case, no trailing dot, a public suffix.

The public suffix comes from tldextract's bundled snapshot of the Public Suffix List; the
extractor is built with no suffix-list URLs and no cache directory, so it never touches the
network or the disk beyond its own package data.
"""

from __future__ import annotations

import functools
import re

import idna
import tldextract

from kawan.fraud.kinds import Identifier, make, refuse

_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LDH = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
MAX_LENGTH = 253


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def hostname(raw: str, kind: str = "domain") -> str:
    """`raw` as an ASCII host name (punycode, lower case, no trailing dot); no suffix check."""
    text = raw.strip().translate(_DOTS)
    if text.endswith("."):
        text = text[:-1]
    if not text:
        refuse(kind, "empty domain name")
    labels = [_label(label, kind) for label in text.split(".")]
    name = ".".join(labels)
    if len(name) > MAX_LENGTH:
        refuse(kind, f"domain name longer than {MAX_LENGTH} characters")
    return name


def _label(label: str, kind: str) -> str:
    if not label:
        refuse(kind, "empty label in domain name (two dots in a row?)")
    if label.isascii():
        ascii_label = label.lower()
    else:
        ascii_label = _to_punycode(label, kind)
    if not _LDH.match(ascii_label):
        refuse(kind, f"{label!r} is not a valid domain label (letters, digits, hyphens)")
    if ascii_label.startswith("xn--"):
        _check_punycode(ascii_label, kind)
    return ascii_label


def _to_punycode(label: str, kind: str) -> str:
    try:
        return idna.encode(label, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        refuse(kind, f"{label!r} is not a valid internationalised label: {exc}")


def _check_punycode(label: str, kind: str) -> None:
    try:
        idna.decode(label)
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        refuse(kind, f"{label!r} is not valid punycode: {exc}")


def registrable_domain(domain: str) -> str:
    """The registrable domain (public suffix plus one label): `a.b.example.co.th` → `example.co.th`.

    Raises InvalidInput when `domain` is not a domain under a public suffix.
    """
    name = hostname(domain)
    parts = _extractor()(name)
    if not parts.suffix:
        refuse("domain", f"{name!r} has no public suffix (not a domain on the internet)")
    if not parts.domain:
        refuse("domain", f"{name!r} is a public suffix, not a domain")
    return f"{parts.domain}.{parts.suffix}"


def normalise_domain(raw: str) -> Identifier:
    """A domain name: punycode, lower case, no trailing dot, under a public suffix."""
    name = hostname(raw)
    registrable_domain(name)
    return make("domain", name)
