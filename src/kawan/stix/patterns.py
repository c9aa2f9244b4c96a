"""STIX patterns, the part kawan reads itself: equality comparisons and whether a pattern
is *simple* (one comparison, or comparisons joined by OR), which the observable index and
the matcher can use directly. Other patterns are kept and searchable by their values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<lp>\[) | (?P<rp>\]) | (?P<lpar>\() | (?P<rpar>\)) | (?P<comma>,)
  | (?P<op>!=|<=|>=|=|<|>)
  | (?P<word>[A-Za-z_][\w-]*(?::[\w.'\[\]*-]+)?)
  | (?P<other>\S)
""",
    re.VERBOSE,
)
_PATH = re.compile(r"^[a-z0-9][a-z0-9-]*:[\w.'\-\[\]*]+$")


@dataclass(frozen=True)
class Comparison:
    path: str  # `domain-name:value`, `file:hashes.'SHA-256'`
    value: str


@dataclass(frozen=True)
class Reading:
    simple: bool  # one comparison or an OR of equality comparisons, nothing else
    comparisons: tuple[Comparison, ...]  # every `path = 'value'` (and IN) in the pattern


def read(pattern: str) -> Reading:
    """Read the equality comparisons of a STIX pattern; never raises."""
    tokens = [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(pattern)]
    found: list[Comparison] = []
    simple = bool(tokens)
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "word" and _PATH.match(text):
            step, comparisons, ok = _comparison(tokens, i)
            found.extend(comparisons)
            simple = simple and ok
            i += step
            continue
        if kind in ("lp", "rp") or (kind == "word" and text == "OR"):
            i += 1
            continue
        simple = False
        i += 1
    return Reading(simple and bool(found), tuple(found))


def _comparison(tokens: list[tuple[str, str]], i: int) -> tuple[int, list[Comparison], bool]:
    path = tokens[i][1]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
    if nxt == ("op", "=") and i + 2 < len(tokens) and tokens[i + 2][0] == "str":
        return 3, [Comparison(path, _unquote(tokens[i + 2][1]))], True
    if nxt == ("word", "IN") and i + 2 < len(tokens) and tokens[i + 2][0] == "lpar":
        values, j = [], i + 3
        while j < len(tokens) and tokens[j][0] in ("str", "comma"):
            if tokens[j][0] == "str":
                values.append(Comparison(path, _unquote(tokens[j][1])))
            j += 1
        closed = j < len(tokens) and tokens[j][0] == "rpar"
        return j + 1 - i, values, closed
    return 1, [], False


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


def equality_pattern(path: str, value: str) -> str:
    """`[path = 'value']` with the value quoted as STIX patterns require."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"[{path} = '{escaped}']"
