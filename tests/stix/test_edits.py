from __future__ import annotations

from typing import Any

import pytest

from kawan.errors import InvalidInput
from kawan.stix.edits import remarked, revoked, tombstone
from kawan.stix.markings import TLP2_IDS, Tlp
from kawan.stix.timestamps import parse_us
from kawan.stix.validate import check

HOME = "identity--00000000-0000-4000-8000-000000000001"
NOW = parse_us("2026-12-01T00:00:00.000Z")


def indicator(**extra: Any) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2026-11-01T10:00:00.000Z",
        "modified": "2026-11-01T10:00:00.000Z",
        "pattern": "[domain-name:value = 'x.example']",
        "pattern_type": "stix",
        "valid_from": "2026-11-01T10:00:00Z",
        "created_by_ref": HOME,
        **extra,
    }


def test_revocation_is_a_later_valid_version() -> None:
    new = revoked(indicator(), NOW)
    assert new["revoked"] is True
    assert check(new).modified == NOW  # later than the old one, at "now"
    assert indicator()["modified"] < new["modified"]


def test_a_version_from_the_future_still_gets_a_later_modified() -> None:
    future = indicator(modified="2030-01-01T00:00:00.000Z")
    assert revoked(future, NOW)["modified"] == "2030-01-01T00:00:00.001Z"


def test_observables_and_revoked_objects_cannot_be_revoked() -> None:
    with pytest.raises(InvalidInput, match="cannot be revoked"):
        revoked(
            {
                "type": "url",
                "id": "url--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
                "value": "http://x/",
            },
            NOW,
        )
    with pytest.raises(InvalidInput, match="already revoked"):
        revoked(indicator(revoked=True), NOW)


def test_remarking_replaces_the_markings() -> None:
    group = "marking-definition--1b2c3d4e-0000-4000-8000-000000000000"
    new = remarked(indicator(object_marking_refs=[TLP2_IDS[Tlp.RED]]), Tlp.AMBER, [group], NOW)
    assert new["object_marking_refs"] == [TLP2_IDS[Tlp.AMBER], group]
    check(new)
    with pytest.raises(InvalidInput, match="only AMBER"):
        remarked(indicator(), Tlp.GREEN, [group], NOW)


def test_a_tombstone_is_a_valid_object_naming_what_it_deletes() -> None:
    dead = tombstone(indicator(), HOME, NOW, reason="victim's number, shared by mistake")
    meta = check(dead)
    assert meta.type == "kawan-tombstone" and not meta.is_sco
    assert dead["object_ref"] == indicator()["id"] and dead["created_by_ref"] == HOME
