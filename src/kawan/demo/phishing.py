"""Indicators from the ChongLuaDao Vietnamese phishing list (pure).

Most entries are domains; a few are URLs written without a scheme (`sites.google.com/…`,
`sn99.cc:100`), which become `url:value` patterns. Each indicator is created by one of the
region's agencies (mostly VNCERT/CC: the list is Vietnamese) under a mix of markings.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from kawan.demo.seeding import (
    Planned,
    demo_id,
    moment_us,
    origin_for,
    pick_markings,
    stamp,
    with_markings,
)
from kawan.errors import InvalidInput
from kawan.fraud.identifiers import Identifier, normalise
from kawan.stix.patterns import equality_pattern

WHAT = {"domain": "domain", "url": "URL", "ipv4": "IP address"}
PATHS = {"domain": "domain-name:value", "url": "url:value", "ipv4": "ipv4-addr:value"}
# (words in a domain, label): what the phishing site pretends to be.
THEMES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("vietcombank", "vcb", "techcombank", "tcb", "mbbank", "bidv", "agribank", "acb",
      "tpbank", "vpbank", "sacombank", "vietinbank", "shb", "hdbank", "ocb", "nganhang",
      "bank"), "vn-bank-impersonation"),
    (("momo", "zalopay", "viettelpay", "vnpay", "shopee", "lazada", "tiki"),
     "e-wallet-impersonation"),
    (("gov", "dichvucong", "congan", "bocongan", "thue", "baohiem", "evn"),
     "government-impersonation"),
    (("garena", "freefire", "lienquan", "quatang", "nhanqua", "trian"), "giveaway-scam"),
)  # fmt: skip
VN_WEIGHT = 8  # VNCERT/CC creates about eight in ten; the other agencies share the rest


def read_entry(raw: str) -> Identifier | None:
    """A list entry as a domain, else (a path or port) as a URL; None when neither."""
    kinds = ("url",) if "/" in raw or ":" in raw else ("domain", "url")
    for kind in kinds:
        try:
            return normalise(kind, raw)
        except InvalidInput:
            continue
    return None


def sample_entries(entries: list[str], rng: random.Random, limit: int | None) -> list[Identifier]:
    """`limit` distinct entries (all with None), normalised, in a seeded order."""
    chosen = entries if limit is None or limit >= len(entries) else rng.sample(entries, limit)
    seen: dict[tuple[str, str], Identifier] = {}
    for raw in chosen:
        found = read_entry(raw)
        if found is not None and found.key not in seen:
            seen[found.key] = found
    return list(seen.values())


def labels_for(value: str) -> list[str]:
    text = value.lower()
    themes = [label for words, label in THEMES if any(word in text for word in words)]
    return ["phishing", *themes[:1]]


def creator_of(rng: random.Random, agencies: Mapping[str, str]) -> str:
    countries = sorted(agencies)
    weights = [VN_WEIGHT * len(countries) if cc == "VN" else 1 for cc in countries]
    return agencies[rng.choices(countries, weights)[0]]


def indicator(found: Identifier, rng: random.Random, seed: int, creator: str) -> dict[str, Any]:
    created = stamp(moment_us(rng))
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": demo_id("indicator", seed, found.stix_type, found.value),
        "created": created,
        "modified": created,
        "created_by_ref": creator,
        "name": f"Phishing {WHAT[found.kind]} {found.value}",
        "description": "Listed on the ChongLuaDao community phishing blocklist (Viet Nam).",
        "indicator_types": ["malicious-activity"],
        "pattern": equality_pattern(PATHS[found.kind], found.value),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": created,
        "labels": labels_for(found.value),
    }


def indicators(
    entries: list[str],
    ips: list[str],
    agencies: Mapping[str, str],
    home: str,
    rng: random.Random,
    *,
    seed: int,
    limit: int | None,
) -> list[Planned]:
    """One indicator per distinct sampled entry and per IP, each with its origin."""
    values = sample_entries(entries, rng, limit)
    values += [normalise("ipv4", ip) for ip in ips]
    planned = []
    for found in values:
        creator = creator_of(rng, agencies)
        refs = pick_markings(rng)
        obj = with_markings(indicator(found, rng, seed, creator), refs)
        planned.append(Planned(obj, origin_for(rng, creator, home, refs)))
    return planned
