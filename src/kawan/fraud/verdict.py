"""The public check's graded verdict (pure).

    verified official   the identifier is on the allowlist: it beats any reports
    reported as scam    at least the threshold of reports (never fewer than 2)
    unverified reports  some reports, fewer than the threshold
    no reports          none the public may count

The counts come only from index rows the policy lets the public viewer count; nothing
else about the reports (text, names, dates, who reported) is part of the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    OFFICIAL = "verified-official"
    SCAM = "reported-as-scam"
    UNVERIFIED = "unverified-reports"
    NONE = "no-reports"


MIN_THRESHOLD = 2  # one report alone never makes "reported as scam"


@dataclass(frozen=True)
class Official:
    name: str
    demo: bool


@dataclass(frozen=True)
class PublicAnswer:
    kind: str
    value: str
    verdict: Verdict
    reports: int
    countries: int
    threshold: int
    official: Official | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "identifier": {"kind": self.kind, "value": self.value},
            "verdict": self.verdict.value,
            "reports": self.reports,
            "countries": self.countries,
            "threshold": self.threshold,
        }
        if self.official is not None:
            out["official"] = {"name": self.official.name, "demo": self.official.demo}
        return out


def grade(reports: int, threshold: int, official: Official | None) -> Verdict:
    if official is not None:
        return Verdict.OFFICIAL
    if reports >= max(threshold, MIN_THRESHOLD):
        return Verdict.SCAM
    return Verdict.UNVERIFIED if reports else Verdict.NONE
