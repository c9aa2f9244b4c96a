"""Extract identifiers from free text: SMS, chat messages, e-mail, in any of the region's
languages.

    extract("โทร0812345678ด่วน คลิกbit.ly/3abcแล้ว", country="TH")
    -> [Found(phone +66812345678, 3..13), Found(url http://bit.ly/3abc, 22..33)]

Three steps, all pure:

1. `extract_fold.fold` turns full-width forms, other scripts' digits, Unicode dashes and
   defanged writings (`hxxps`, `[.]`, `(dot)`, `[at]`, `[:]`) into plain ASCII and keeps,
   per folded character, its span in the original text.
2. `extract_scan.scan` (URLs, domains, e-mail, IPs, hashes, wallets, USSD, handles) and
   `extract_numbers.scan_numbers` (phones, bank accounts, e-wallets) propose candidate
   spans of the folded text, each with its readings (kind, text) best first.
3. The longest candidates are tried first; a candidate is read as the first of its
   readings that `kawan.fraud.identifiers.normalise` accepts, and kept unless it overlaps
   one already kept. So a URL's host is not reported again as a domain, nor a phone
   number inside a URL.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from kawan.errors import InvalidInput
from kawan.fraud.identifiers import Identifier, normalise
from kawan.ingest.extract_fold import Folded, fold
from kawan.ingest.extract_numbers import scan_numbers
from kawan.ingest.extract_scan import SHORTENERS, Candidate, host_of, scan

__all__ = ["SHORTENERS", "Found", "extract", "is_short_link"]


@dataclass(frozen=True)
class Found:
    """One identifier found in a text, with where it was written."""

    identifier: Identifier
    start: int  # offsets into the original text
    end: int
    raw: str  # text[start:end]
    defanged: bool  # it was written in a defanged form (`hxxp`, `[.]`, `[at]` ...)


def extract(text: str, *, country: str | None = None) -> list[Found]:
    """Every identifier in `text`, ordered by position, spans not overlapping.

    `country` is the default country (ISO 3166 alpha-2) for numbers written in national
    form, such as `081-234-5678` in Thailand. The same identifier written twice is
    reported twice; callers dedupe by `identifier.value`.
    """
    folded = fold(text)
    candidates = [*scan(folded.text), *scan_numbers(folded.text, country)]
    kept = _resolve(candidates, country)
    return sorted((_found(text, folded, c, ident) for c, ident in kept), key=_position)


def is_short_link(found: Found) -> bool:
    """Whether `found` is a URL on a known link shortener (`bit.ly`, `cutt.ly`, ...)."""
    if found.identifier.kind != "url":
        return False
    host = host_of(found.identifier.value).removeprefix("www.")
    return host in SHORTENERS


def _position(found: Found) -> tuple[int, int]:
    return found.start, found.end


def _resolve(
    candidates: Iterable[Candidate], country: str | None
) -> list[tuple[Candidate, Identifier]]:
    """Longest (then most specific) first; keep those that read and don't overlap."""
    kept: list[tuple[Candidate, Identifier]] = []
    starts: list[int] = []  # of the kept spans, sorted; kept spans never overlap
    ends: list[int] = []
    for candidate in sorted(candidates, key=_priority):
        at = bisect.bisect_right(starts, candidate.start)
        if (at and ends[at - 1] > candidate.start) or (
            at < len(starts) and starts[at] < candidate.end
        ):
            continue
        identifier = _read(candidate, country)
        if identifier is not None:
            kept.append((candidate, identifier))
            starts.insert(at, candidate.start)
            ends.insert(at, candidate.end)
    return kept


def _priority(candidate: Candidate) -> tuple[int, int, int]:
    return candidate.start - candidate.end, candidate.rank, candidate.start


def _read(candidate: Candidate, country: str | None) -> Identifier | None:
    if candidate.host is not None and _read_as("domain", candidate.host, country) is None:
        return None
    for kind, value in candidate.tries:
        identifier = _read_as(kind, value, country)
        if identifier is not None:
            return identifier
    return None


def _read_as(kind: str, value: str, country: str | None) -> Identifier | None:
    try:
        return normalise(kind, value, country=country)
    except InvalidInput:
        return None


def _found(text: str, folded: Folded, candidate: Candidate, identifier: Identifier) -> Found:
    start, end = folded.span(candidate.start, candidate.end)
    defanged = folded.was_defanged(candidate.start, candidate.end)
    return Found(identifier, start, end, text[start:end], defanged)
