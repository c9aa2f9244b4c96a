"""The fraud details of stored reports, read back, and what an officer's check sums up
from them (pure).

A report made by kawan carries its details in the `kawan-fraud-report` extension; a
report from elsewhere (OpenCTI, an older node) still gives its category (a known label)
and its date (`published`, else `created`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from kawan.fraud.reports import CATEGORIES, EXTENSION, plain


@dataclass(frozen=True)
class Details:
    report_id: str
    category: str | None
    channel: str | None
    occurred: str | None  # YYYY-MM-DD
    country: str | None  # the victim's, else the reporting agency's
    loss: Decimal | None = None
    currency: str | None = None


def details_of(report: Mapping[str, Any], agency_country: str | None) -> Details:
    """The details of one report's JSON; missing parts are None, never an error."""
    ext = _extension(report)
    loss, currency = _loss(ext.get("loss"))
    return Details(
        report_id=str(report.get("id", "")),
        category=_text(ext.get("category")) or _category_label(report.get("labels")),
        channel=_text(ext.get("channel")),
        occurred=_date(ext.get("occurred"))
        or _date(report.get("published"))
        or _date(report.get("created")),
        country=_country(ext.get("country")) or agency_country,
        loss=loss,
        currency=currency,
    )


def _extension(report: Mapping[str, Any]) -> Mapping[str, Any]:
    extensions = report.get("extensions")
    found = extensions.get(EXTENSION) if isinstance(extensions, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _category_label(labels: object) -> str | None:
    if not isinstance(labels, list):
        return None
    return next((label for label in labels if label in CATEGORIES), None)


def _date(value: object) -> str | None:
    text = value if isinstance(value, str) else ""
    return text[:10] if len(text) >= 10 and text[4] == "-" and text[7] == "-" else None


def _country(value: object) -> str | None:
    return value.upper() if isinstance(value, str) and len(value) == 2 else None


def _loss(value: object) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, Mapping):
        return None, None
    amount, currency = value.get("amount"), value.get("currency")
    if not isinstance(amount, str) or not isinstance(currency, str):
        return None, None
    try:
        number = Decimal(amount)
    except InvalidOperation:
        return None, None
    return (number, currency.upper()) if number.is_finite() and number >= 0 else (None, None)


@dataclass(frozen=True)
class Summary:
    """What the reports an officer may see say about one identifier."""

    count: int = 0
    by_country: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    categories: dict[str, int] = field(default_factory=dict)
    first_seen: str | None = None  # the earliest report's date
    last_seen: str | None = None
    loss: dict[str, str] = field(default_factory=dict)  # currency -> total

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "by_country": self.by_country,
            "by_month": self.by_month,
            "categories": self.categories,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "loss": self.loss,
        }


def summarise(found: Iterable[Details]) -> Summary:
    reports = {d.report_id: d for d in found}.values()
    dates = sorted(d.occurred for d in reports if d.occurred)
    totals: defaultdict[str, Decimal] = defaultdict(Decimal)
    for d in reports:
        if d.loss is not None and d.currency:
            totals[d.currency] += d.loss
    return Summary(
        count=len(reports),
        by_country=_counted(d.country for d in reports),
        by_month=dict(sorted(Counter(d.occurred[:7] for d in reports if d.occurred).items())),
        categories=_counted(d.category for d in reports),
        first_seen=dates[0] if dates else None,
        last_seen=dates[-1] if dates else None,
        loss={c: plain(t) for c, t in sorted(totals.items())},
    )


def _counted(values: Iterable[str | None]) -> dict[str, int]:
    return dict(Counter(v for v in values if v).most_common())
