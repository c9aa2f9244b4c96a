"""The allowlist of official numbers, sender ids, accounts and domains: an entry beats any
number of reports on the public check (*verified official*).

The node admin loads it from a CSV file (`kawan allowlist load FILE`), which replaces the
whole list in one transaction. Columns, with a header line:

    kind,value,name,country,demo
    phone,1900 545413,Vietcombank hotline,VN,no
    sender-id,DBS,DBS Bank SMS sender,SG,yes

`kind` is an identifier kind (docs/identifiers.md); `value` is written any way and
normalised with `country`; `demo` (yes/no, optional) marks demo data, which the public
page says. A bad line is reported with its number and loses nothing else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from kawan.errors import InvalidInput
from kawan.fraud.identifiers import normalise
from kawan.store import allowlist as table
from kawan.store.allowlist import Official
from kawan.store.engine import writing

COLUMNS = ("kind", "value", "name", "country", "demo")
YES, NO = ("yes", "y", "true", "1"), ("", "no", "n", "false", "0")


@dataclass
class Parsed:
    entries: list[Official] = field(default_factory=list)
    problems: list[InvalidInput] = field(default_factory=list)


def parse(text: str, *, source: str, loaded: int) -> Parsed:
    """The entries of a CSV allowlist and the lines refused, each naming its line (pure)."""
    rows = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS[:3] if c not in (rows.fieldnames or [])]
    if missing:
        raise InvalidInput(f"the header must name {', '.join(COLUMNS)}", field=missing[0], line=1)
    parsed = Parsed()
    seen: set[tuple[str, str]] = set()
    for row in rows:
        try:
            entry = _entry(row, source, loaded)
        except InvalidInput as exc:
            exc.line = rows.line_num
            parsed.problems.append(exc)
            continue
        if (entry.obs_type, entry.value) not in seen:
            seen.add((entry.obs_type, entry.value))
            parsed.entries.append(entry)
    return parsed


def _entry(row: dict[str, str | None], source: str, loaded: int) -> Official:
    kind, value, name = (str(row.get(c) or "").strip() for c in COLUMNS[:3])
    country = str(row.get("country") or "").strip().upper() or None
    if not name:
        raise InvalidInput("every entry names whose it is", field="name")
    identifier = normalise(kind, value, country=country)
    return Official(
        obs_type=identifier.stix_type,
        value=identifier.value,
        kind=identifier.kind,
        name=name,
        country=identifier.country or country,
        demo=_yes(str(row.get("demo") or "")),
        source=source,
        loaded=loaded,
    )


def _yes(text: str) -> bool:
    word = text.strip().lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise InvalidInput(f"demo must be yes or no, not {text!r}", field="demo")


def load(engine: Engine, path: Path, *, loaded: int) -> Parsed:
    """Replace the allowlist with the good entries of `path`; the parse says what was
    refused. Nothing is replaced when the file holds no good entry."""
    try:
        text = path.read_text("utf-8-sig")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}", field="file") from None
    parsed = parse(text, source=path.name, loaded=loaded)
    if not parsed.entries:
        raise InvalidInput(f"{path} holds no entry kawan could read", field="file")
    with writing(engine) as conn:
        table.replace_all(conn, parsed.entries)
    return parsed
