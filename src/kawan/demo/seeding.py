"""Deterministic ids, times and markings for generated demo data (pure).

Everything comes from one seeded `random.Random` and a fixed base date, so the same seed
gives the same objects on every machine. Never `uuid4` here.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kawan.stix.markings import TLP1_IDS, TLP2_IDS, Tlp
from kawan.stix.timestamps import format_ms

NAMESPACE = uuid.UUID("6b61e7a1-7761-4e5d-8a3f-64656d6f2021")  # kawan demo data
BASE_US = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp()) * 1_000_000
DAY_US = 86_400 * 1_000_000
SPAN_DAYS = 180  # generated objects are created in the half year before the base date

# (marking refs, weight): TLP 2.0, some TLP 1.0, and none (the recorded marking applies).
MARKINGS: tuple[tuple[tuple[str, ...], int], ...] = (
    ((TLP2_IDS[Tlp.CLEAR],), 12),
    ((TLP2_IDS[Tlp.GREEN],), 30),
    ((TLP2_IDS[Tlp.AMBER],), 12),
    ((TLP2_IDS[Tlp.AMBER_STRICT],), 5),
    ((TLP2_IDS[Tlp.RED],), 4),
    ((TLP1_IDS[Tlp.CLEAR],), 4),
    ((TLP1_IDS[Tlp.GREEN],), 8),
    ((TLP1_IDS[Tlp.AMBER],), 5),
    ((), 20),
)


@dataclass(frozen=True)
class Planned:
    """One generated object and the agency it is recorded as coming from (its origin)."""

    obj: dict[str, Any]
    origin: str


def demo_id(stix_type: str, seed: int, *parts: object) -> str:
    """A STIX id that depends only on the seed and what the object is about."""
    name = "/".join(str(p) for p in (stix_type, seed, *parts))
    return f"{stix_type}--{uuid.uuid5(NAMESPACE, name)}"


def moment_us(rng: random.Random) -> int:
    """A time in the half year before the base date, to the millisecond."""
    return BASE_US - rng.randrange(SPAN_DAYS * DAY_US // 1000) * 1000


def stamp(micros: int) -> str:
    return format_ms(micros)


def pick_markings(rng: random.Random) -> list[str]:
    """`object_marking_refs` for one object: a mix of TLP 2.0, TLP 1.0 and none."""
    refs = [refs for refs, _ in MARKINGS]
    weights = [weight for _, weight in MARKINGS]
    return list(rng.choices(refs, weights)[0])


def is_red(refs: list[str]) -> bool:
    return TLP2_IDS[Tlp.RED] in refs or TLP1_IDS[Tlp.RED] in refs


def origin_for(rng: random.Random, creator: str, home: str, markings: list[str]) -> str:
    """Where a partner-created object came from: its creator's node (as if received by
    sync) most of the time, else a local ingest. RED never leaves a node, so it is local."""
    if creator == home or is_red(markings) or rng.random() < 0.4:
        return home
    return creator


def with_markings(obj: dict[str, Any], refs: list[str]) -> dict[str, Any]:
    if refs:
        obj["object_marking_refs"] = refs
    return obj
