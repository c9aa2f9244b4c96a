"""Log formats: one line → its fields, as (name, value) pairs (pure).

zeek (TSV with a `#fields` header), zeek-json and jsonl (one JSON object a line, nested
names joined with dots), squid (native access.log), combined (Apache/nginx), csv (with a
header line), syslog (RFC 3164/5424 header, then the message), text (the whole line).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson

from kawan.errors import InvalidInput

FORMATS = ("zeek", "zeek-json", "squid", "combined", "csv", "jsonl", "syslog", "text")
Fields = list[tuple[str, str]]
SQUID_FIELDS = (
    "time", "elapsed", "client", "result", "bytes", "method", "url", "user", "hierarchy",
    "content_type",
)  # fmt: skip
_COMBINED = re.compile(
    r'^(?P<client>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]*)\] "(?P<request>[^"]*)" '
    r'(?P<status>\S+) (?P<bytes>\S+)(?: "(?P<referer>[^"]*)" "(?P<user_agent>[^"]*)")?'
)
_SYSLOG = re.compile(
    r"^(?:<\d{1,3}>\d?\s*)?"
    r"(?P<time>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+)\s+"
    r"(?P<host>\S+)\s+(?P<program>[^\s:\[]+)(?:\[\d+\])?:?\s(?P<message>.*)$"
)
_SQUID = re.compile(r"^\d{9,10}\.\d{3}\s+-?\d+\s+\S+\s+[A-Z_]+/\d{3}\s")
_UNSET = frozenset({"-", "(empty)", ""})


@dataclass(frozen=True)
class Layout:
    """A format with what its header said (zeek field names, csv column names)."""

    name: str
    names: tuple[str, ...] = ()
    separator: str = "\t"


def check_format(name: str) -> str:
    if name != "auto" and name not in FORMATS:
        raise InvalidInput(
            f"unknown log format {name!r}; use auto or one of {', '.join(FORMATS)}",
            field="--format",
        )
    return name


def detect(head: list[str]) -> str:
    """The format of a log from its first lines."""
    lines = [line for line in head if line.strip()]
    if not lines:
        return "text"
    first = lines[0]
    if first.startswith(("#separator", "#fields")):
        return "zeek"
    if first.lstrip().startswith("{"):
        return "zeek-json" if '"uid"' in first and '"ts"' in first else "jsonl"
    if _SQUID.match(first):
        return "squid"
    if _COMBINED.match(first):
        return "combined"
    if _SYSLOG.match(first):
        return "syslog"
    if first.count(",") >= 1 and len(lines) > 1 and first.count(",") == lines[1].count(","):
        return "csv"
    return "text"


def layout(name: str, head: list[str]) -> Layout:
    """The layout of a log of format `name` from its first lines (header lines)."""
    if name == "zeek":
        return _zeek_layout(head)
    if name == "csv" and head:
        return Layout("csv", tuple(next(csv.reader([head[0]]), [])))
    return Layout(name)


def _zeek_layout(head: list[str]) -> Layout:
    separator = "\t"
    names: tuple[str, ...] = ()
    for line in head:
        if line.startswith("#separator"):
            raw = line.split(None, 1)[1].strip() if " " in line else "\\x09"
            separator = raw.encode("ascii", "replace").decode("unicode_escape")
        elif line.startswith("#fields"):
            names = tuple(line.rstrip("\r\n").split(separator)[1:])
    return Layout("zeek", names, separator)


def fields(lay: Layout, line: str, header: bool = False) -> Fields:
    """The fields of one line (without its newline); a line that does not parse as the
    format is read as text, so nothing is lost. `header`: the first line of a file."""
    name = lay.name
    if name == "zeek":
        return [] if line.startswith("#") else _named(lay.names, line.split(lay.separator))
    if name in ("zeek-json", "jsonl"):
        return _json_fields(line)
    if name == "squid":
        return _named(SQUID_FIELDS, line.split())
    if name == "csv":
        return [] if header else _named(lay.names, next(csv.reader([line]), []))
    if name in ("combined", "syslog"):
        found = (_COMBINED if name == "combined" else _SYSLOG).match(line)
        if found is not None:
            return [(k, v) for k, v in found.groupdict().items() if v and v not in _UNSET]
    return [("text", line)] if line else []


def _named(names: tuple[str, ...], values: list[str]) -> Fields:
    out = []
    for i, value in enumerate(values):
        if value not in _UNSET:
            out.append((names[i] if i < len(names) else f"field{i + 1}", value))
    return out


def _json_fields(line: str) -> Fields:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return [("text", line)] if line.strip() else []
    return list(_flatten("", value))


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _flatten(prefix, inner)
    elif isinstance(value, str | int | float) and not isinstance(value, bool):
        yield (prefix or "value", str(value))
