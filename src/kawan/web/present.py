"""A public check answer in words, in one language (pure): what the page and the
public API's `headline` and `advice` say."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kawan.fraud.verdict import PublicAnswer, Verdict
from kawan.web.i18n import words


@dataclass(frozen=True)
class Presented:
    verdict: str
    headline: str
    counts: str  # "3 reports in 2 countries", or "" when there is nothing to count
    advice: str
    demo: str  # the demo-data note, or ""

    def as_dict(self) -> dict[str, str]:
        return vars(self).copy()


def present(answer: PublicAnswer, lang: str) -> Presented:
    w = words(lang)
    verdict = answer.verdict.value
    name = answer.official.name if answer.official is not None else ""
    return Presented(
        verdict=verdict,
        headline=w[verdict],
        counts=_counts(answer, w),
        advice=w[f"advice_{verdict}"].format(name=name),
        demo=w["demo"] if answer.official is not None and answer.official.demo else "",
    )


def _counts(answer: PublicAnswer, w: Mapping[str, str]) -> str:
    if answer.verdict in (Verdict.OFFICIAL, Verdict.NONE) or not answer.reports:
        return ""
    if answer.reports == 1:
        return w["counts_one"]
    return w["counts"].format(n=answer.reports, m=answer.countries)
