"""New versions a creator makes of its own objects (pure): revocation, new markings,
and the tombstone that records a deletion and travels to every partner.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from kawan.errors import InvalidInput
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.stix.timestamps import format_ms, parse_us

TOMBSTONE = "kawan-tombstone"
TOMBSTONE_EXTENSION = "extension-definition--6e274212-c828-4644-a116-895b2a89711a"


def next_modified(obj: dict[str, Any], now_us: int) -> str:
    """A `modified` later than the object's, at millisecond precision."""
    current = obj.get("modified") or obj.get("created")
    floor = parse_us(current, field="modified") + 1000 if current else now_us
    return format_ms(max(now_us, floor))


def revoked(obj: dict[str, Any], now_us: int) -> dict[str, Any]:
    """The next version of an SDO or SRO, revoked. SCOs are deleted, never revoked."""
    if "created" not in obj:
        raise InvalidInput(
            "an observable (SCO) cannot be revoked; delete it instead",
            object_id=obj.get("id"),
            field="revoked",
        )
    if obj.get("revoked") is True:
        raise InvalidInput("already revoked", object_id=obj.get("id"), field="revoked")
    new = copy.deepcopy(obj)
    new["revoked"] = True
    new["modified"] = next_modified(obj, now_us)
    return new


def remarked(
    obj: dict[str, Any], tlp: Tlp, group_markings: list[str], now_us: int
) -> dict[str, Any]:
    """The next version carrying TLP `tlp` and the marking-definitions of its groups."""
    if group_markings and tlp not in (Tlp.AMBER, Tlp.AMBER_STRICT):
        raise InvalidInput(
            "only AMBER and AMBER+STRICT objects name sharing groups",
            object_id=obj.get("id"),
            field="groups",
        )
    new = copy.deepcopy(obj)
    new["object_marking_refs"] = [TLP2_IDS[tlp], *sorted(set(group_markings))]
    if "created" in obj:
        new["modified"] = next_modified(obj, now_us)
    return new


def tombstone(
    target: dict[str, Any], creator: str, now_us: int, reason: str = ""
) -> dict[str, Any]:
    """The record of a deletion: a kawan-tombstone SDO naming the deleted object."""
    stamp = format_ms(now_us)
    out: dict[str, Any] = {
        "type": TOMBSTONE,
        "spec_version": "2.1",
        "id": f"{TOMBSTONE}--{uuid.uuid4()}",
        "created": stamp,
        "modified": stamp,
        "created_by_ref": creator,
        "object_ref": target["id"],
        "object_type": target["type"],
        "extensions": {TOMBSTONE_EXTENSION: {"extension_type": "new-sdo"}},
    }
    if reason:
        out["reason"] = reason
    if target.get("object_marking_refs"):
        out["object_marking_refs"] = list(target["object_marking_refs"])
    return out


def tombstone_definition() -> dict[str, Any]:
    """The extension-definition of kawan's tombstone type."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": TOMBSTONE_EXTENSION,
        "created": "2026-12-01T00:00:00.000Z",
        "modified": "2026-12-01T00:00:00.000Z",
        "created_by_ref": "identity--bcd06648-778d-42e3-afc4-910123bc833a",
        "name": "kawan tombstone",
        "description": "Records that the creator deleted an object; nodes that hold the "
        "object delete it when they receive the tombstone.",
        "schema": "https://kawan.invalid/schemas/kawan-tombstone.json",
        "version": "1.0.0",
        "extension_types": ["new-sdo"],
    }
