"""Bulk check for banks and telcos: a CSV of identifiers in, a CSV of answers out.

Input: one identifier per line, optionally with its kind and default country; a header
line naming `value` (and `type`, `country`) is recognised, else the columns are taken in
that order. Output, one line per input line, in order:

    line,input,kind,value,reports,countries,categories,first_seen,last_seen,loss,official,error

Lines are read in chunks of `CHUNK`: one index query, one policy pass and one summary
read per chunk, so 100,000 lines take seconds, not one check each. What each caller sees
goes through the one policy with that caller's viewer.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TextIO

from sqlalchemy import Engine

from kawan.errors import InvalidInput
from kawan.fraud.check import identify, report_summary
from kawan.fraud.details import Summary
from kawan.fraud.identifiers import Identifier
from kawan.sharing.policy import Viewer
from kawan.sharing.reads import Access
from kawan.store import allowlist, index
from kawan.store.allowlist import Official
from kawan.store.engine import reading
from kawan.store.index_many import rows_for_keys
from kawan.store.records import ObservableRow

CHUNK = 1000
MAX_LINES = 1_000_000
HEADER = (
    "line", "input", "kind", "value", "reports", "countries", "categories", "first_seen",
    "last_seen", "loss", "official", "error",
)  # fmt: skip


@dataclass(frozen=True)
class Wanted:
    line: int
    raw: str
    kind: str | None
    country: str | None


def wanted(reader: Iterable[list[str]]) -> Iterator[Wanted]:
    """The identifiers asked for, with their line numbers (pure); blank lines skipped."""
    columns = [0, 1, 2]
    for number, cells in enumerate(reader, start=1):
        cleaned = [c.strip() for c in cells]
        if number == 1 and "value" in (c.lower() for c in cleaned):
            lowered = [c.lower() for c in cleaned]
            columns = [_at(lowered, name) for name in ("value", "type", "country")]
            continue
        if number > MAX_LINES:
            raise InvalidInput(f"at most {MAX_LINES} lines per bulk check", line=number)
        raw = _cell(cleaned, columns[0])
        if raw:
            yield Wanted(number, raw, _cell(cleaned, columns[1]) or None,
                         _cell(cleaned, columns[2]) or None)  # fmt: skip


def _at(names: list[str], name: str) -> int:
    return names.index(name) if name in names else -1


def _cell(cells: list[str], at: int) -> str:
    return cells[at] if 0 <= at < len(cells) else ""


@dataclass
class Counts:
    lines: int = 0
    found: int = 0
    refused: int = 0


Progress = Callable[[int], None]  # lines done so far


def run_bulk(
    engine: Engine,
    source: TextIO,
    sink: TextIO,
    viewer: Viewer,
    progress: Progress | None = None,
) -> Counts:
    """Answer every line of `source` into `sink` as CSV; how many were found, refused."""
    access = Access(engine, viewer)
    out = csv.writer(sink, lineterminator="\n")
    out.writerow(HEADER)
    counts = Counts()
    asked = wanted(csv.reader(source))
    while chunk := list(islice(asked, CHUNK)):
        for row in answer_chunk(engine, access, chunk):
            out.writerow(row)
            counts.found += row[4] not in ("", "0")
            counts.refused += bool(row[-1])
        counts.lines += len(chunk)
        if progress is not None:
            progress(counts.lines)
    return counts


def answer_chunk(engine: Engine, access: Access, chunk: list[Wanted]) -> list[list[str]]:
    known: dict[int, Identifier] = {}
    errors: dict[int, str] = {}
    for one in chunk:
        try:
            known[one.line] = identify(one.raw, one.kind, one.country)
        except InvalidInput as exc:
            errors[one.line] = exc.message
    keys = {ident.key for ident in known.values()}
    with reading(engine) as conn:
        found = rows_for_keys(conn, keys)
        officials = allowlist.find(conn, keys)
    seen = _visible(access, found)
    docs = _docs(engine, seen)
    out = []
    for one in chunk:
        ident = known.get(one.line)
        if ident is None:
            out.append(_refused(one, errors[one.line]))
            continue
        summary = report_summary(seen.get(ident.key, []), docs)
        out.append(_line(one, ident, summary, officials.get(ident.key)))
    return out


def _visible(
    access: Access, found: dict[tuple[str, str], list[ObservableRow]]
) -> dict[tuple[str, str], list[ObservableRow]]:
    allowed = access.rows([r for rows in found.values() for r in rows])
    kept: dict[tuple[str, str], list[ObservableRow]] = {}
    for row in allowed:
        kept.setdefault((row.obs_type, row.value), []).append(row)
    return kept


def _docs(
    engine: Engine, seen: dict[tuple[str, str], list[ObservableRow]]
) -> dict[str, dict[str, object]]:
    rows = [r for rs in seen.values() for r in rs if r.object_type == "report"]
    if not rows:
        return {}
    with reading(engine) as conn:
        return index.summaries(conn, {r.object_id for r in rows} | {r.creator for r in rows})


def _refused(one: Wanted, why: str) -> list[str]:
    return [str(one.line), one.raw, one.kind or "", "", "", "", "", "", "", "", "", why]


def _line(one: Wanted, ident: Identifier, s: Summary, official: Official | None) -> list[str]:
    return [
        str(one.line),
        one.raw,
        ident.kind,
        ident.value,
        str(s.count),
        " ".join(f"{c}:{n}" for c, n in s.by_country.items()),
        " ".join(f"{c}:{n}" for c, n in s.categories.items()),
        s.first_seen or "",
        s.last_seen or "",
        " ".join(f"{amount} {currency}" for currency, amount in s.loss.items()),
        official.name if official is not None else "",
        "",
    ]
