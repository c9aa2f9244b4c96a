"""Fill an empty node with the demo data set (the I/O half of `kawan.demo`)."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from kawan.agencies import Agency
from kawan.demo import sources
from kawan.demo.agencies import DEMO_HOME, regional
from kawan.demo.fraud import FraudSet, allowlist_file, fraud_reports
from kawan.demo.phishing import indicators as phishing_indicators
from kawan.demo.seeding import Planned
from kawan.demo.thai_sms import sms_reports
from kawan.errors import Conflict
from kawan.fraud import allowlist
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import BATCH, Summary, store_items
from kawan.ingest.stream import Item, from_bytes
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.stix.timestamps import now_us
from kawan.store.engine import reading
from kawan.store.versions import count_versions

INDICATORS = 3000  # domains sampled from the phishing list by default (the IPs come too)
REPORTS = 3000  # fraud reports by default


@dataclass(frozen=True)
class Plan:
    """Everything generated, in the order it is stored (referenced objects first)."""

    identities: list[Planned]
    scos: list[Planned]
    objects: list[Planned]
    counts: dict[str, int]
    example: dict[str, Any] | None


def is_empty(node: Node) -> bool:
    """Whether the node holds nothing but (at most) its home agency's identity."""
    node.ensure_schema()
    with reading(node.engine) as conn:
        held = count_versions(conn)
    return held <= (0 if node.home() is None else 1)


def build_demo(
    node: Node,
    *,
    seed: int,
    full: bool = False,
    indicators: int = INDICATORS,
    reports: int = REPORTS,
) -> dict[str, Any]:
    """Fill an empty node with the regional demo data set; what was made, as a dict.

    `full` takes the whole phishing list (34k domains) instead of `indicators` of it.
    Raises Conflict when the node already holds more than its home identity.
    """
    if not is_empty(node):
        raise Conflict("the demo needs an empty node: this node already holds data")
    home, created = _home(node)
    plan = make_plan(home, seed=seed, indicators=None if full else indicators, reports=reports)
    summary = _store_plan(node.engine, plan, home.id)
    officials = allowlist.load(node.engine, allowlist_file(), loaded=now_us())
    return {**_result(home, created, plan, summary), "allowlist": len(officials.entries)}


def _home(node: Node) -> tuple[Agency, bool]:
    home = node.home()
    if home is not None:
        return home, False
    return node.init(*DEMO_HOME), True


def make_plan(home: Agency, *, seed: int, indicators: int | None, reports: int) -> Plan:
    """Generate every object (no I/O but reading the package data)."""
    rng = random.Random(seed)  # noqa: S311 - seeded demo data, not secrets
    agencies, identities = regional(home)
    phishing = phishing_indicators(
        sources.chongluadao_domains(), sources.chongluadao_ips(), agencies, home.id, rng,
        seed=seed, limit=indicators,
    )  # fmt: skip
    fraud = fraud_reports(agencies, home.id, rng, seed=seed, count=reports)
    thaicert = agencies["TH"]
    sms, sms_scos = sms_reports(sources.thai_scam_messages(), thaicert, thaicert, seed=seed)
    scos = _unique([*fraud.scos, *sms_scos])
    counts = {
        "agencies": len(agencies),
        "indicators": len(phishing),
        "fraud_reports": len(fraud.reports),
        "sms_reports": len(sms),
        "identifiers": len(scos),
    }
    identity_plan = [Planned(obj, obj["id"]) for obj in identities]
    return Plan(identity_plan, scos, [*phishing, *fraud.reports, *sms], counts, _example(fraud))


def _unique(planned: list[Planned]) -> list[Planned]:
    seen: dict[str, Planned] = {}
    for one in planned:
        seen.setdefault(one.obj["id"], one)
    return list(seen.values())


def _example(fraud: FraudSet) -> dict[str, Any] | None:
    clue = fraud.example
    if clue is None:
        return None
    return {"value": clue.identifier.value, "written": list(clue.writings[:3])}


def _store_plan(engine: Engine, plan: Plan, home: str) -> Summary:
    summary = Summary()
    for part in (plan.identities, plan.scos, plan.objects):
        summary.merge(store_planned(engine, part, home))
    summary.merge(_store_oasis(engine, home))
    return summary


def store_planned(engine: Engine, planned: list[Planned], home: str) -> Summary:
    """Store generated objects grouped by origin (the home agency first), in batches;
    each origin's objects as if received from it, recorded TLP:GREEN where unmarked."""
    summary = Summary()
    for origin, objs in _by_origin(planned, home):
        receipt = Receipt(origin=origin, recorded=Tlp.GREEN)
        numbered = [Item(n, obj) for n, obj in enumerate(objs, start=1)]
        for batch in _batches(numbered):
            summary.merge(store_items(engine, batch, receipt, "demo"))
    return summary


def _by_origin(planned: Iterable[Planned], home: str) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {home: []}
    for one in planned:
        groups.setdefault(one.origin, []).append(one.obj)
    return [(origin, objs) for origin, objs in groups.items() if objs]


def _batches(numbered: list[Item]) -> Iterator[list[Item]]:
    for start in range(0, len(numbered), BATCH):
        yield numbered[start : start + BATCH]


def _store_oasis(engine: Engine, home: str) -> Summary:
    """The OASIS example bundles as they are, ingested locally (recorded TLP:CLEAR)."""
    summary = Summary()
    receipt = Receipt(origin=home, recorded=Tlp.CLEAR)
    for name, data in sources.oasis_files():
        summary.merge(store_items(engine, list(from_bytes(data, name)), receipt, f"demo/{name}"))
    return summary


def _result(home: Agency, created: bool, plan: Plan, summary: Summary) -> dict[str, Any]:
    made = "created by the demo" if created else "already there"
    generated = len(plan.identities) + len(plan.scos) + len(plan.objects)
    result: dict[str, Any] = {
        "home_agency": f"{home.name} ({home.country}) {home.id}, {made}",
        **plan.counts,
        "oasis_objects": summary.seen - generated,
        "stored": summary.added,
        "unchanged": summary.unchanged,
        "rejected": len(summary.rejected),
    }
    if summary.rejected:
        result["rejections"] = [r.describe() for r in summary.rejected[:10]]
    if plan.example is not None:
        result["example"] = plan.example
    return result
