"""Domain names: IDNA 2008 to punycode, lower case, no trailing dot, a public suffix.

The public suffix comes from tldextract's bundled snapshot of the Public Suffix List; the
extractor is built with no suffix-list URLs and no cache directory, so it never touches the
network or the disk beyond its own package data.

Ingest normalises every domain it indexes, so the common case has fast paths that give the
general path's answer or step aside: a plain-ASCII name is checked by one regular expression
(`_ascii_hostname`), and the suffix lookup is cached on the few last labels that decide it
(`_ending`, `_suffix_of`).
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import idna

from kawan.fraud.kinds import Identifier, make, refuse

if TYPE_CHECKING:
    import tldextract

_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LDH = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")
_ASCII_NAME = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
)
MAX_LENGTH = 253
SUFFIX_CACHE = 1 << 16  # distinct name endings remembered


@functools.cache
def _extractor() -> tldextract.TLDExtract:
    import tldextract  # here: with `requests`, a tenth of every command's start

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


def hostname(raw: str, kind: str = "domain") -> str:
    """`raw` as an ASCII host name (punycode, lower case, no trailing dot); no suffix check."""
    name = _ascii_hostname(raw)
    return general_hostname(raw, kind) if name is None else name


def _ascii_hostname(raw: str) -> str | None:
    """`hostname(raw)` of a plain-ASCII name without punycode; None for the general path."""
    if not raw.isascii():
        return None
    text = raw.strip().lower()
    if text.endswith("."):
        text = text[:-1]
    if len(text) > MAX_LENGTH or "xn--" in text or _ASCII_NAME.fullmatch(text) is None:
        return None
    return text


def general_hostname(raw: str, kind: str = "domain") -> str:
    """`hostname` label by label, IDNA included: any input, and every refusal."""
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
    return registrable_of(hostname(domain))


def registrable_of(name: str) -> str:
    """`registrable_domain` of a name `hostname` has already normalised."""
    domain, suffix = _suffix_of(_ending(name))
    if not suffix:
        refuse("domain", f"{name!r} has no public suffix (not a domain on the internet)")
    if not domain:
        refuse("domain", f"{name!r} is a public suffix, not a domain")
    return f"{domain}.{suffix}"


def _ending(name: str) -> str:
    """The last labels of `name` that decide its suffix and registrable domain: the
    shortest ending no suffix rule extends, and the label before it."""
    if "xn--" in name:
        return name  # the suffix list matches punycode labels decoded; no shortcut
    labels = name.split(".")
    count = 1
    while count < len(labels) and ".".join(labels[-count:]) in _extendable():
        count += 1
    return ".".join(labels[-count - 1 :])


@functools.lru_cache(maxsize=SUFFIX_CACHE)
def _suffix_of(ending: str) -> tuple[str, str]:
    """(domain label, public suffix) of a name ending in `ending`, as tldextract says."""
    parts = _extractor()(ending)
    return (parts.domain, parts.suffix)


@functools.cache
def _extendable() -> frozenset[str]:
    """Every ending of a suffix rule that a longer rule continues (`jp`, `kawasaki.jp` of
    `*.kawasaki.jp`): where tldextract's lookup may look at one label more."""
    endings: set[str] = set()
    for rule in _extractor()._get_tld_extractor().tlds():
        labels = rule.lstrip("!").split(".")
        endings.update(".".join(labels[-n:]) for n in range(1, len(labels)))
    return frozenset(endings)


def normalise_domain(raw: str) -> Identifier:
    """A domain name: punycode, lower case, no trailing dot, under a public suffix."""
    name = hostname(raw)
    registrable_of(name)
    return make("domain", name)
