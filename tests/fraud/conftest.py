"""Fixtures for fraud reports and checks: fixed ids, fixed clocks, reports by any agency."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date

import pytest

from kawan.fraud.identifiers import normalise
from kawan.fraud.reports import Cited, Draft, IdMaker, Victim, build, draft
from kawan.ingest.prepare import Receipt, prepare
from kawan.node import Node
from kawan.stix.markings import Tlp
from kawan.store import objects as repo
from kawan.store.engine import writing

NOW = 1_796_000_000_000_000  # 2026-11-30, a fixed clock
DAY = 86_400 * 1_000_000
PHONE = normalise("phone", "0912 345 678", country="VN")
ACCOUNT = normalise("bank-account", "Vietcombank 0011004123456", country="VN")
WALLET = normalise("crypto-wallet", "0x52908400098527886E0F7030069857D2E4169EE7")


def counter_ids() -> IdMaker:
    numbers = itertools.count(1)
    return lambda stix_type: f"{stix_type}--00000000-0000-4000-8000-{next(numbers):012d}"


@pytest.fixture
def new_id() -> IdMaker:
    return counter_ids()


def sample_draft(
    cited: Sequence[Cited] = (Cited(PHONE, "contact"), Cited(ACCOUNT, "payment")),
    *,
    country: str = "VN",
    occurred: date = date(2026, 10, 3),
    loss: str | None = "15000000",
    currency: str | None = "VND",
    victim: Victim | None = None,
    category: str = "police-impersonation",
) -> Draft:
    return draft(
        category=category, channel="Phone call", occurred=occurred, country=country,
        cited=cited, loss=loss, currency=currency,
        victim=victim or Victim("Nguyen Van A", "+84 90 111 2222", "They said I was under arrest"),
    )  # fmt: skip


Store = Callable[..., str]


@pytest.fixture
def store_report(node: Node, new_id: IdMaker) -> Store:
    """Store one report's STIX objects as created by `creator`, received from it."""

    def put(found: Draft, creator: str, tlp: Tlp, now: int = NOW) -> str:
        objs = build(found, creator=creator, now_us=now, new_id=new_id)
        items = [prepare(o, Receipt(origin=creator, recorded=tlp)) for o in objs]
        with writing(node.engine) as conn:
            repo.put_batch(conn, items)
        return str(objs[-1]["id"])

    return put
