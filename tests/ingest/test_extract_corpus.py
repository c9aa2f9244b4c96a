"""`extract` measured on real Thai scam SMS (tests/data/thai-sms/scam.txt, MIT licence).

Each line is `LABEL|message`. The checks below are independent of the extractor: plain
substring tests and simple regexes say what a message visibly holds, and `extract` must
find it, except for the misses listed here by line number, each with its reason.

Print the counts: `PYTHONPATH=src .venv/bin/python tests/ingest/test_extract_corpus.py`
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

from kawan.ingest.extract import SHORTENERS, Found, extract, is_short_link

SCAM = Path(__file__).parent.parent / "data" / "thai-sms" / "scam.txt"

# Messages that visibly hold a link but yield no URL: line number -> why.
URL_MISSES = {
    212: "`www.lottocom`: no dot before the suffix, not a host name",
    222: "`www.scbcc/`: no public suffix, not a host name",
}
# Thai phone-looking digit runs (0 + 8 or 9 digits) that yield no phone: line -> why.
PHONE_MISSES: dict[int, str] = {}
_PHONE_LOOKING = re.compile(r"(?<![\d/=.])0\d{1,2}[- ]?\d{3}[- ]?\d{3,4}(?!\d)")
_USSD_LOOKING = re.compile(r"[*#]\d+(?:\*\d+)*#")
_NUMBER_KINDS = {"phone", "bank-account", "e-wallet", "messenger"}


@cache
def corpus() -> tuple[tuple[int, str, tuple[Found, ...]], ...]:
    """(line number, message, what extract found) for every message of scam.txt."""
    out = []
    for number, line in enumerate(SCAM.read_text(encoding="utf-8").splitlines(), 1):
        label, _, message = line.partition("|")
        assert label == "scam"
        out.append((number, message, tuple(extract(message, country="TH"))))
    return tuple(out)


def _has_link(message: str) -> bool:
    lower = message.lower()
    return "http" in lower or "www" in lower or any(host in lower for host in SHORTENERS)


def _covered(found: tuple[Found, ...], start: int, end: int, kinds: set[str]) -> bool:
    return any(f.identifier.kind in kinds and f.start <= start and end <= f.end for f in found)


def counts() -> Counter[str]:
    total: Counter[str] = Counter()
    for _, _, found in corpus():
        total["messages"] += 1
        total["messages with something found"] += bool(found)
        for f in found:
            total[f.identifier.kind] += 1
            total["short links"] += is_short_link(f)
            total["defanged"] += f.defanged
    return total


def test_every_message_with_a_link_yields_a_url() -> None:
    missed = {
        number
        for number, message, found in corpus()
        if _has_link(message) and not any(f.identifier.kind in {"url", "messenger"} for f in found)
    }
    assert missed == set(URL_MISSES)


def test_phone_looking_runs_yield_phones() -> None:
    missed = set()
    for number, message, found in corpus():
        for match in _PHONE_LOOKING.finditer(message):
            if not _covered(found, match.start(), match.end(), _NUMBER_KINDS):
                missed.add(number)
    assert missed == set(PHONE_MISSES)


def test_ussd_codes_are_found() -> None:
    for _, message, found in corpus():
        for match in _USSD_LOOKING.finditer(message):
            assert _covered(found, match.start(), match.end(), {"ussd"}), message


def test_counts() -> None:
    total = counts()
    assert total["messages"] == 459
    assert total["url"] >= 326
    assert total["short links"] >= 158
    assert total["phone"] >= 24
    assert total["ussd"] >= 16
    assert total["bank-account"] >= 6
    assert total["messenger"] >= 59


def test_no_false_phones_from_money_and_ranges() -> None:
    for _, message, found in corpus():
        for f in found:
            if f.identifier.kind == "phone":
                digits = re.sub(r"\D", "", f.raw)
                assert digits.startswith(("0", "66")), (f.raw, message)


if __name__ == "__main__":
    for name, value in sorted(counts().items()):
        print(f"{name:32} {value}")
