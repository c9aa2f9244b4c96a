"""Fold free text into a scannable form, remembering where every character came from.

Scanners for identifiers work on ASCII punctuation and digits. People (and scammers
dodging filters) write the same identifier with full-width forms (`０８１`, `．`, `＠`),
other scripts' digits (Thai `๐๘๑`), Unicode dashes, zero-width characters, and analysts
write indicators *defanged* (`hxxps://evil[.]com`, `user[at]mail(dot)com`) so nobody
clicks them. `fold` turns all of these into their plain form and keeps, for each folded
character, the span of the original text it stands for, so a match in the folded text
maps back to exact offsets in what the user wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Top-level domains after which the spelled-out ` dot ` is taken as a defanged dot.
# Kept short on purpose: "meet at the dot to talk" must not become `the.to`.
_DOT_WORD_TLDS = (
    "com|net|org|info|biz|xyz|top|io|co|me|ly|app|site|online|shop|live|club|vip|cc|tk|"
    "th|vn|id|my|ph|sg|kh|la|mm|bn|tl|cn|jp|kr|hk|tw|asia|gov|edu|ru|uk|us"
)

# Multi-character forms, each folded to one replacement. Order matters: longest first.
_DEFANG = re.compile(
    r"(?P<scheme>(?i:h(?:xx|\*\*)p)(?=(?i:s)?(?::|\[:\]|\[://\])))"
    r"|(?P<colon_slashes>\[://\])"
    r"|(?P<colon>\[:\])"
    r"|(?P<dot>\s?[\[({]\s?(?i:\.|dot)\s?[\])}]\s?)"
    r"|(?P<at>\s?[\[({]\s?(?i:@|at)\s?[\])}]\s?)"
    r"|(?P<dotword>(?<=[A-Za-z0-9])\s+(?i:dot)\s+"
    rf"(?=(?:[A-Za-z0-9-]+\s+(?i:dot)\s+)*(?i:{_DOT_WORD_TLDS})(?![A-Za-z0-9])))"
)
_DEFANG_TO = {
    "scheme": "http",
    "colon_slashes": "://",
    "colon": ":",
    "dot": ".",
    "at": "@",
    "dotword": ".",
}

_DROP = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")
_DOTS = frozenset("\u3002\uff61\ufe52")
_SPACES = frozenset("\u00a0\u2007\u202f\u3000")


@dataclass(frozen=True)
class Folded:
    """Folded text; `starts[i]`/`ends[i]` are the original span of folded char `i`."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    defanged: tuple[bool, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of folded characters `[start, end)` (non-empty)."""
        return self.starts[start], self.ends[end - 1]

    def was_defanged(self, start: int, end: int) -> bool:
        return any(self.defanged[start:end])


def fold_char(char: str) -> str:
    """One character's plain form: ASCII for full-width, any script's digit, dashes."""
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - 0xFEE0)
    if char in _DROP:
        return ""
    if char in _DASHES:
        return "-"
    if char in _DOTS:
        return "."
    if char in _SPACES:
        return " "
    if not char.isascii() and unicodedata.category(char) == "Nd":
        return str(unicodedata.digit(char))
    return char


def fold(text: str) -> Folded:
    """Fold `text` (see the module docstring); never raises."""
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    defanged: list[bool] = []
    position = 0
    for match in _DEFANG.finditer(text):
        _fold_plain(text, position, match.start(), out, starts, ends, defanged)
        replacement = _DEFANG_TO[match.lastgroup or "dot"]
        for char in replacement:
            out.append(char)
            starts.append(match.start())
            ends.append(match.end())
            defanged.append(True)
        position = match.end()
    _fold_plain(text, position, len(text), out, starts, ends, defanged)
    return Folded("".join(out), tuple(starts), tuple(ends), tuple(defanged))


def _fold_plain(
    text: str,
    start: int,
    end: int,
    out: list[str],
    starts: list[int],
    ends: list[int],
    defanged: list[bool],
) -> None:
    for index in range(start, end):
        for char in fold_char(text[index]):
            out.append(char)
            starts.append(index)
            ends.append(index + 1)
            defanged.append(False)
