"""Fraud reports: STIX `report` objects citing the SCOs of the identifiers scammers used
(pure).

A *scheme* is one scam operation: a category, a home country and the identifiers it uses
(a way to contact victims, one or two to take the money). Victims in its country report
it, often more than once; about one scheme in twenty is also reported in 1–3 other
countries, so the same phone number, account or wallet appears across borders.

Reports carry their fraud details (category, channel, date, the victim's country, the loss
in local currency, each identifier's role) in kawan's `kawan-fraud-report` extension,
exactly as `kawan report` writes them (`kawan.fraud.reports.extension`). The demo's
allowlist of official identifiers is `data/allowlist.csv`, every entry marked demo data.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from kawan.agencies import REGION
from kawan.demo.clues import Clue, make_clue
from kawan.demo.seeding import (
    Planned,
    demo_id,
    moment_us,
    origin_for,
    pick_markings,
    stamp,
    with_markings,
)
from kawan.fraud.observables import to_sco
from kawan.fraud.reports import EXTENSION, Cited, Draft, extension, role_of

CROSS_BORDER = 0.05
# Local currency and about how many units make one US dollar (demo losses only).
CURRENCIES: dict[str, tuple[str, int]] = {
    "BN": ("BND", 1), "KH": ("KHR", 4100), "ID": ("IDR", 16000), "LA": ("LAK", 21000),
    "MY": ("MYR", 5), "MM": ("MMK", 2100), "PH": ("PHP", 57), "SG": ("SGD", 1),
    "TH": ("THB", 35), "TL": ("USD", 1), "VN": ("VND", 25000), "CN": ("CNY", 7),
    "JP": ("JPY", 150), "KR": ("KRW", 1350),
}  # fmt: skip


@dataclass(frozen=True)
class Category:
    label: str
    title: str
    contact: tuple[str, ...]  # kinds scammers reach victims with
    payment: tuple[str, ...]  # kinds the money goes to


CATEGORIES = (
    Category("investment-scam", "investment scam", ("messenger", "url"),
             ("crypto-wallet", "bank-account")),
    Category("romance-scam", "romance scam", ("messenger",),
             ("bank-account", "e-wallet", "crypto-wallet")),
    Category("job-task-scam", "job/task scam", ("messenger",), ("bank-account", "e-wallet")),
    Category("police-impersonation", "police impersonation", ("phone",), ("bank-account",)),
    Category("bank-impersonation", "bank impersonation", ("phone", "url"), ("bank-account",)),
    Category("courier-impersonation", "courier impersonation", ("phone", "url"),
             ("e-wallet", "bank-account")),
    Category("phishing", "phishing", ("url",), ("bank-account", "e-wallet")),
    Category("loan-app-scam", "loan app scam", ("url", "phone"), ("e-wallet", "bank-account")),
    Category("sextortion", "sextortion", ("messenger",), ("crypto-wallet", "e-wallet")),
    Category("online-shopping-scam", "online shopping scam", ("url", "messenger"),
             ("e-wallet", "bank-account")),
    Category("crypto-scam", "crypto scam", ("url", "messenger"), ("crypto-wallet",)),
)  # fmt: skip
CHANNELS = {"phone": "phone call", "url": "website"}


@dataclass(frozen=True)
class Scheme:
    number: int
    category: Category
    countries: tuple[str, ...]  # the home country first
    clues: tuple[Clue, ...]  # the contact first


def scheme(rng: random.Random, number: int, countries: tuple[str, ...]) -> Scheme | None:
    """A scheme based in countries[0]; None when no contact or no payment clue was made."""
    category = rng.choice(CATEGORIES)
    home = countries[0]
    contact = make_clue(rng, rng.choice(category.contact), home)
    payments = [
        make_clue(rng, kind, home)
        for kind in rng.sample(category.payment, min(len(category.payment), rng.choice((1, 2))))
    ]
    paid = [p for p in payments if p is not None]
    if contact is None or not paid:
        return None
    return Scheme(number, category, countries, (contact, *paid))


def scheme_countries(rng: random.Random) -> tuple[str, ...]:
    home = rng.choice(sorted(REGION))
    if rng.random() >= CROSS_BORDER:
        return (home,)
    others = rng.sample(sorted(set(REGION) - {home}), rng.randint(1, 3))
    return (home, *others)


def schemes(rng: random.Random, count: int) -> list[Scheme]:
    """`count` schemes; the first is Vietnamese police impersonation, also reported in
    Cambodia, so the demo always holds a cross-border Vietnamese phone number."""
    made: list[Scheme] = []
    first = _first_scheme(rng)
    if first is not None:
        made.append(first)
    while len(made) < count:
        found = scheme(rng, len(made), scheme_countries(rng))
        if found is not None:
            made.append(found)
    return made


def _first_scheme(rng: random.Random) -> Scheme | None:
    contact = make_clue(rng, "phone", "VN")
    account = make_clue(rng, "bank-account", "VN")
    if contact is None or account is None:
        return None
    return Scheme(0, CATEGORIES[3], ("VN", "KH"), (contact, account))


def channel(clue: Clue) -> str:
    identifier = clue.identifier
    if identifier.kind == "messenger":
        return str(identifier.properties.get("platform", "messenger")).capitalize()
    return CHANNELS.get(identifier.kind, identifier.kind)


def description(found: Scheme, cited: tuple[Clue, ...], country: str, rng: random.Random) -> str:
    title = found.category.title
    article = "an" if title[0] in "aeiou" else "a"
    lines = [f"A victim in {REGION[country]} reported {article} {title}."]
    for clue in cited:
        role = "Contacted through" if clue is found.clues[0] else "Money sent to"
        lines.append(f"{role}: {clue.written(rng, country)}")
    return "\n".join(lines)


def report(
    found: Scheme, country: str, cited: tuple[Clue, ...], rng: random.Random, seed: int, n: int,
    creator: str,
) -> dict[str, Any]:  # fmt: skip
    moment = moment_us(rng)
    created = stamp(moment)
    return {
        "type": "report",
        "spec_version": "2.1",
        "id": demo_id("report", seed, "fraud", n),
        "created": created,
        "modified": created,
        "created_by_ref": creator,
        "name": f"Fraud report: {found.category.title} via {channel(found.clues[0])}",
        "description": description(found, cited, country, rng),
        "report_types": ["threat-report"],
        "labels": [found.category.label],
        "published": created,
        "object_refs": [to_sco(clue.identifier)["id"] for clue in cited],
        "extensions": {EXTENSION: _details(found, cited, country, moment, seed, n)},
    }


def _details(
    found: Scheme, cited: tuple[Clue, ...], country: str, moment: int, seed: int, n: int
) -> dict[str, Any]:
    """The report's `kawan-fraud-report` extension, with a loss in local currency (from its
    own seeded generator, so the rest of the demo does not change with it)."""
    rng = random.Random(f"{seed}-loss-{n}")  # noqa: S311 - seeded demo data
    currency, per_dollar = CURRENCIES[country]
    dollars = round(rng.lognormvariate(6.0, 1.2))
    details = Draft(
        category=found.category.label,
        channel=channel(found.clues[0]).lower(),
        occurred=datetime.fromtimestamp(moment / 1_000_000, UTC).date(),
        country=country,
        cited=tuple(_cited(clue, found) for clue in cited),
        loss=Decimal(max(1, dollars) * per_dollar),
        currency=currency,
    )
    return extension(details, [to_sco(clue.identifier) for clue in cited])


def _cited(clue: Clue, found: Scheme) -> Cited:
    role = "contact" if clue is found.clues[0] else "payment"
    return Cited(clue.identifier, role_of(clue.identifier, role))


def allowlist_file() -> Path:
    """The demo's allowlist (`kawan allowlist load --demo` loads it); all demo data."""
    return Path(str(resources.files("kawan.demo").joinpath("data/allowlist.csv")))


def assignments(rng: random.Random, made: list[Scheme], count: int) -> list[tuple[Scheme, str]]:
    """Who reports which scheme: every scheme in each of its countries, then repeats."""
    pairs = [(s, country) for s in made for country in s.countries]
    while len(pairs) < count:
        again = rng.choice(made)
        pairs.append((again, rng.choice(again.countries)))
    return pairs[:count]


def cited_clues(rng: random.Random, found: Scheme, first: bool) -> tuple[Clue, ...]:
    """All the scheme's clues in a first report, else those this victim knew."""
    if first or len(found.clues) == 1:
        return found.clues
    keep = rng.sample(found.clues, rng.randint(1, len(found.clues)))
    return tuple(c for c in found.clues if c in keep)


@dataclass(frozen=True)
class FraudSet:
    reports: list[Planned]
    scos: list[Planned]  # each SCO once, with the origin of the first report citing it
    example: Clue | None  # a Vietnamese phone number the demo holds


def fraud_reports(
    agencies: Mapping[str, str], home: str, rng: random.Random, *, seed: int, count: int
) -> FraudSet:
    made = schemes(rng, max(1, count * 2 // 3))
    reported: set[tuple[int, str]] = set()
    reports: list[Planned] = []
    scos: dict[str, Planned] = {}
    for n, (found, country) in enumerate(assignments(rng, made, count)):
        cited = cited_clues(rng, found, (found.number, country) not in reported)
        reported.add((found.number, country))
        creator = agencies[country]
        refs = pick_markings(rng)
        obj = with_markings(report(found, country, cited, rng, seed, n, creator), refs)
        origin = origin_for(rng, creator, home, refs)
        reports.append(Planned(obj, origin))
        for clue in cited:
            sco = to_sco(clue.identifier)
            scos.setdefault(sco["id"], Planned(sco, origin))
    return FraudSet(reports, list(scos.values()), _example(made))


def _example(made: list[Scheme]) -> Clue | None:
    for found in made:
        for clue in found.clues:
            if clue.identifier.kind == "phone" and clue.country == "VN":
                return clue
    return None
