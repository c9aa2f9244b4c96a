"""Fraud reports as STIX 2.1 (pure): a `report` citing the SCOs of the identifiers the
scammer used, `related-to` relationships between them, and the fraud details in kawan's
`kawan-fraud-report` property extension.

The victim's personal data (name, contact, their account in their own words) is not part
of any STIX object: `Draft.victim` travels beside the objects and is stored on the node
only (`kawan.fraud.reporting`). The report's `description` is written here from the typed
details alone, so nothing the victim wrote can reach a partner or a check.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from kawan.agencies import REGION, check_country
from kawan.errors import InvalidInput
from kawan.fraud.identifiers import Identifier
from kawan.fraud.observables import to_sco
from kawan.stix.timestamps import format_ms

EXTENSION = "extension-definition--1b318352-eaeb-48d8-811b-3278eade412c"

# label -> plain title; the labels are those OpenCTI users and the demo already use
CATEGORIES: dict[str, str] = {
    "investment-scam": "investment scam",
    "romance-scam": "romance scam",
    "job-task-scam": "job/task scam",
    "police-impersonation": "impersonation of police",
    "bank-impersonation": "impersonation of a bank",
    "courier-impersonation": "impersonation of a courier",
    "phishing": "phishing",
    "loan-app-scam": "loan app scam",
    "sextortion": "sextortion",
    "online-shopping-scam": "online shopping scam",
    "crypto-scam": "crypto scam",
}
ROLES = ("contact", "payment")
PAYMENT_KINDS = frozenset({"bank-account", "e-wallet", "crypto-wallet"})
_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_TEXT = 200


@dataclass(frozen=True)
class Victim:
    """Personal data: kept on the node only, never shared, never in a check."""

    name: str = ""
    contact: str = ""
    statement: str = ""  # the victim's account of what happened, in their words

    @property
    def empty(self) -> bool:
        return not (self.name or self.contact or self.statement)


@dataclass(frozen=True)
class Cited:
    identifier: Identifier
    role: str  # contact | payment


@dataclass(frozen=True)
class Draft:
    """What an officer enters for one report."""

    category: str
    channel: str
    occurred: date
    country: str  # where the victim is
    cited: tuple[Cited, ...]
    loss: Decimal | None = None
    currency: str | None = None
    victim: Victim = field(default_factory=Victim)


def category_of(text: str) -> str:
    """A category label from its label or short name (`investment` -> `investment-scam`)."""
    wanted = text.strip().lower().replace(" ", "-").replace("/", "-")
    for label in CATEGORIES:
        if wanted in (label, label.removesuffix("-scam"), label.removesuffix("-impersonation")):
            return label
    raise InvalidInput(
        f"unknown category {text!r}; one of {', '.join(CATEGORIES)}", field="category"
    )


def role_of(identifier: Identifier, role: str | None = None) -> str:
    """The role given, else `payment` for accounts and wallets, `contact` for the rest."""
    if role is not None:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}", field="role")
        return role
    return "payment" if identifier.kind in PAYMENT_KINDS else "contact"


def money(amount: str | None, currency: str | None) -> tuple[Decimal | None, str | None]:
    """A loss amount (not negative, at most two decimals kept) and its ISO 4217 currency."""
    if amount is None or not amount.strip():
        return None, None
    try:
        value = Decimal(amount.strip().replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise InvalidInput(f"not an amount: {amount!r}", field="loss") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(f"not an amount: {amount!r}", field="loss")
    code = (currency or "").strip().upper()
    if not _CURRENCY.match(code):
        raise InvalidInput(
            "a loss needs its ISO 4217 currency, e.g. VND, THB, USD", field="currency"
        )
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP), code


def draft(
    *,
    category: str,
    channel: str,
    occurred: date,
    country: str,
    cited: Sequence[Cited],
    loss: str | None = None,
    currency: str | None = None,
    victim: Victim | None = None,
) -> Draft:
    """A checked Draft; InvalidInput names the field that is wrong."""
    if not cited:
        raise InvalidInput("a report cites at least one identifier", field="identifiers")
    amount, code = money(loss, currency)
    return Draft(
        category=category_of(category),
        channel=_short(channel, "channel").lower(),
        occurred=occurred,
        country=check_country(country),
        cited=tuple(_unique(cited)),
        loss=amount,
        currency=code,
        victim=victim or Victim(),
    )


def _short(text: str, name: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > MAX_TEXT:
        raise InvalidInput(f"{name} must be 1 to {MAX_TEXT} characters", field=name)
    return value


def _unique(cited: Sequence[Cited]) -> list[Cited]:
    seen: dict[tuple[str, str], Cited] = {}
    for one in cited:
        seen.setdefault(one.identifier.key, one)
    return list(seen.values())


IdMaker = Callable[[str], str]  # STIX type -> a new id of that type


def build(found: Draft, *, creator: str, now_us: int, new_id: IdMaker) -> list[dict[str, Any]]:
    """The STIX objects of one report: SCOs, relationships, then the report citing both."""
    stamp = format_ms(now_us)
    scos = [to_sco(c.identifier) for c in found.cited]
    links = [
        _relationship(new_id("relationship"), source, target, creator, stamp)
        for source, target in _pairs(found.cited, scos)
    ]
    report = _report(found, new_id("report"), creator, stamp, scos, links)
    return [*scos, *links, report]


def _pairs(
    cited: Sequence[Cited], scos: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each contact with each payment; without both roles, the first with the rest."""
    contacts = [s for c, s in zip(cited, scos, strict=True) if c.role == "contact"]
    payments = [s for c, s in zip(cited, scos, strict=True) if c.role == "payment"]
    if contacts and payments:
        return [(c, p) for c in contacts for p in payments]
    return [(scos[0], other) for other in scos[1:]]


def _relationship(
    rid: str, source: dict[str, Any], target: dict[str, Any], creator: str, stamp: str
) -> dict[str, Any]:
    return {
        "type": "relationship",
        "spec_version": "2.1",
        "id": rid,
        "created": stamp,
        "modified": stamp,
        "created_by_ref": creator,
        "relationship_type": "related-to",
        "source_ref": source["id"],
        "target_ref": target["id"],
        "description": "Used together in one fraud, as a victim reported it.",
    }


def _report(
    found: Draft,
    rid: str,
    creator: str,
    stamp: str,
    scos: list[dict[str, Any]],
    links: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": rid,
        "created": stamp,
        "modified": stamp,
        "created_by_ref": creator,
        "name": f"Fraud report: {CATEGORIES[found.category]} via {found.channel}",
        "description": describe(found),
        "report_types": ["threat-report"],
        "labels": [found.category],
        "published": stamp,
        "object_refs": [o["id"] for o in (*scos, *links)],
        "extensions": {EXTENSION: extension(found, scos)},
    }


def extension(found: Draft, scos: list[dict[str, Any]]) -> dict[str, Any]:
    """The `kawan-fraud-report` property extension of a report."""
    ext: dict[str, Any] = {
        "extension_type": "property-extension",
        "category": found.category,
        "channel": found.channel,
        "occurred": found.occurred.isoformat(),
        "country": found.country,
        "identifiers": [
            {"ref": sco["id"], "role": c.role} for c, sco in zip(found.cited, scos, strict=True)
        ],
    }
    if found.loss is not None:
        ext["loss"] = {"amount": plain(found.loss), "currency": found.currency}
    return ext


def describe(found: Draft) -> str:
    """The shareable description: typed details only, never the victim's words."""
    title = CATEGORIES[found.category]
    where = REGION.get(found.country, found.country)
    lines = [f"A victim in {where} reported {_article(title)} {title} on {found.occurred}."]
    for c in found.cited:
        role = "Contacted through" if c.role == "contact" else "Money sent to"
        lines.append(f"{role}: {c.identifier.kind} {c.identifier.value}")
    if found.loss is not None:
        lines.append(f"Reported loss: {plain(found.loss)} {found.currency}")
    return "\n".join(lines)


def plain(amount: Decimal) -> str:
    """`1500000.00` -> `1500000`, `12.50` -> `12.50`: no exponent, cents when there are."""
    text = format(amount.quantize(Decimal("0.01"), ROUND_HALF_UP), "f")
    return text.removesuffix(".00")


def _article(title: str) -> str:
    return "an" if title[0] in "aeiou" else "a"
