"""One chunk of a log: the prefilter proposes lines, the exact matcher decides (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from kawan.fraud.identifiers import Identifier
from kawan.ingest.extract import extract
from kawan.match._prefilter import newlines
from kawan.match.formats import Layout, fields
from kawan.match.index import Index
from kawan.match.tokens import value_keys, word_keys

_KIND_LETTERS = {"domain": "d", "url": "u", "email": "e", "ipv4": "4", "ipv6": "6",
                 "hash": "h", "phone": "p"}  # fmt: skip


class Hit(NamedTuple):  # a tuple: the workers send thousands per chunk, and a dataclass
    # is rebuilt field by field when unpickled (a few microseconds each)
    line: int  # 1-based
    field: str
    value: str
    row: int  # the index row (indicator comparison) matched


def line_count(chunk: bytes) -> int:
    return newlines(chunk) + (1 if chunk and not chunk.endswith(b"\n") else 0)


def scan_chunk(
    index: Index,
    lay: Layout,
    chunk: bytes,
    at_start: bool,
    country: str | None = None,
    base: int = 0,
) -> list[Hit]:
    """Every hit in `chunk` (whole lines), numbered from `base` + 1."""
    if lay.name == "text":
        lines: Iterable[tuple[int, bytes]] = enumerate(chunk.split(b"\n"))
    else:
        spans = index.fast.candidate_spans(chunk).tolist()
        lines = ((n, chunk[start:end]) for n, start, end in spans)
    seen: list[Seen] = []
    for n, line in lines:
        text = line.decode("utf-8", "replace").rstrip("\r")
        seen.extend(line_keys(lay, text, base + n + 1, at_start and n == 0, country))
    return hits_of(index, seen)


Seen = tuple[int, str, str, str]  # line number, field, value as written, key


def line_keys(
    lay: Layout, text: str, number: int, header: bool, country: str | None
) -> Iterator[Seen]:
    for field, value in fields(lay, text, header):
        for key, written in _keys(lay, value, country):
            yield number, field, written, key


def hits_of(index: Index, seen: list[Seen]) -> list[Hit]:
    """The hits of the keys seen: at most one per line and index row, the first place."""
    distinct = list(dict.fromkeys(key for *_, key in seen))
    rows = dict(zip(distinct, index.lookup_many(distinct), strict=True))
    hits: dict[tuple[int, int], Hit] = {}
    for number, field, written, key in seen:
        for row in rows[key]:
            if (number, row) not in hits:
                hits[number, row] = Hit(number, field, written, row)
    return list(hits.values())


def match_line(
    index: Index, lay: Layout, text: str, number: int, header: bool, country: str | None
) -> list[Hit]:
    """The hits of one line: at most one per index row, the first place it is seen."""
    return hits_of(index, list(line_keys(lay, text, number, header, country)))


def _keys(lay: Layout, value: str, country: str | None) -> Iterator[tuple[str, str]]:
    yield from value_keys(value)
    if lay.name == "text":
        for found in extract(value, country=country):
            for key in identifier_keys(found.identifier):
                yield key, found.raw


def identifier_keys(identifier: Identifier) -> list[str]:
    """The keys of an identifier found in free text (a URL gives its host's keys too)."""
    letter = _KIND_LETTERS.get(identifier.kind)
    if letter is None:
        return []
    keys = [f"{letter}:{identifier.value}"]
    if letter == "u":
        host = identifier.value.split("://", 1)[-1].split("/", 1)[0].rpartition("@")[2]
        keys.extend(word_keys(host.rsplit(":", 1)[0] if host.count(":") == 1 else host))
    elif letter == "e":
        keys.append(f"d:{identifier.value.rpartition('@')[2]}")
    return keys
