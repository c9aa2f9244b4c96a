"""TAXII filters, `limit` and the stateless `next` (pure).

`match[id]`, `match[type]`, `match[version]` and `match[spec_version]` take comma lists
(OR within a field); fields combine with AND; `added_after` keeps what entered the
collection strictly later. Unknown parameters and `match[...]` fields are ignored.

`next` encodes the position (the `date_added` in the collection of the last record sent)
and a hash of the request's filters: nothing is held in server memory, and a `next` sent
with other filters is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from kawan.errors import InvalidInput
from kawan.stix.timestamps import parse_us

KEYWORDS = frozenset({"last", "first", "all"})
MAX_PAGE = 1000
NEXT_PREFIX = "k1"


@dataclass(frozen=True)
class VersionMatch:
    """`match[version]`: keywords (last, first, all) and exact versions (microseconds)."""

    keywords: frozenset[str] = frozenset({"last"})
    stamps: frozenset[int] = frozenset()

    @property
    def everything(self) -> bool:
        return "all" in self.keywords


ALL_VERSIONS = VersionMatch(frozenset({"all"}))


@dataclass(frozen=True)
class Filters:
    added_after: int | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: VersionMatch = VersionMatch()
    spec_versions: tuple[str, ...] = ()

    def digest(self, scope: str) -> str:
        """A short hash of these filters and where they apply (endpoint, collection)."""
        text = repr(
            (
                scope,
                self.added_after,
                sorted(self.ids),
                sorted(self.types),
                sorted(self.versions.keywords),
                sorted(self.versions.stamps),
                sorted(self.spec_versions),
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Paging:
    limit: int
    position: int | None  # from `next`: continue after this date_added


def filters(params: Mapping[str, str], default_versions: VersionMatch = VersionMatch()) -> Filters:
    """The filters of a query string (only the parameters present are read)."""
    after = params.get("added_after")
    version_text = params.get("match[version]")
    return Filters(
        added_after=None if after is None else parse_us(after, field="added_after"),
        ids=_list(params.get("match[id]")),
        types=_list(params.get("match[type]")),
        versions=default_versions if version_text is None else version_match(version_text),
        spec_versions=_list(params.get("match[spec_version]")),
    )


def version_match(text: str) -> VersionMatch:
    words = _list(text)
    if not words:
        raise InvalidInput("match[version] is empty", field="match[version]")
    keywords = frozenset(w for w in words if w in KEYWORDS)
    stamps = frozenset(parse_us(w, field="match[version]") for w in words if w not in KEYWORDS)
    return VersionMatch(keywords, stamps)


def _list(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ()
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def paging(params: Mapping[str, str], digest: str) -> Paging:
    return Paging(_limit(params.get("limit")), _position(params.get("next"), digest))


def _limit(text: str | None) -> int:
    if text is None:
        return MAX_PAGE
    if not text.strip().isdigit() or int(text) < 1:
        raise InvalidInput(f"limit must be a positive integer, not {text!r}", field="limit")
    return min(int(text), MAX_PAGE)


def next_token(position: int, digest: str) -> str:
    raw = f"{NEXT_PREFIX}.{position}.{digest}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(token: str | None, digest: str) -> int | None:
    if token is None:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    prefix, _, rest = raw.partition(".")
    position, _, made_for = rest.partition(".")
    if prefix != NEXT_PREFIX or not position.isdigit():
        raise InvalidInput("not a 'next' value this server gave", field="next")
    if made_for != digest:
        raise InvalidInput(
            "this 'next' was given for other filters: repeat the request with the same "
            "filters, or start again without 'next'",
            field="next",
        )
    return int(position)
