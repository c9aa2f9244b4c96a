"""Hits aggregated into STIX 2.1 sightings, one per indicator (pure)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kawan.stix.timestamps import format_ms


@dataclass
class Tally:
    """What the matcher saw of one indicator."""

    creator: str
    count: int
    first_seen: int  # microseconds
    last_seen: int

    def add(self, when: int) -> None:
        self.count += 1
        self.first_seen = min(self.first_seen, when)
        self.last_seen = max(self.last_seen, when)


def sighting(
    indicator: str, tally: Tally, home: str, now: int, markings: list[str] | None = None
) -> dict[str, Any]:
    """The sighting of `indicator` by the home agency, with `markings` as its
    `object_marking_refs` (a shared sighting: AMBER and a sharing group's marking)."""
    stamp = format_ms(now)
    obj: dict[str, Any] = {
        "type": "sighting",
        "spec_version": "2.1",
        "id": f"sighting--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": home,
        "sighting_of_ref": indicator,
        "where_sighted_refs": [home],
        "count": min(tally.count, 999_999_999),
        "first_seen": format_ms(tally.first_seen),
        "last_seen": format_ms(max(tally.last_seen, tally.first_seen + 1000)),
    }
    if markings:
        obj["object_marking_refs"] = markings
    return obj
