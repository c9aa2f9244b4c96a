from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.stix.validate import check

EXAMPLES = Path(__file__).parents[1] / "data" / "oasis-stix21" / "examples"

INDICATOR: dict[str, Any] = {
    "type": "indicator",
    "spec_version": "2.1",
    "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
    "created": "2026-11-01T10:00:00.000Z",
    "modified": "2026-11-01T10:00:00.000Z",
    "pattern": "[domain-name:value = 'vcb-login.example']",
    "pattern_type": "stix",
    "valid_from": "2026-11-01T10:00:00Z",
}


def _objects(path: Path) -> list[Any]:
    data = orjson.loads(path.read_bytes())
    return data["objects"] if isinstance(data, dict) and "objects" in data else [data]


@pytest.mark.parametrize("path", sorted(EXAMPLES.rglob("*.json")), ids=lambda p: p.name)
def test_every_oasis_example_object_is_valid(path: Path) -> None:
    objects = _objects(path)
    assert objects
    for obj in objects:
        assert check(obj).id == obj["id"]


def test_meta_of_an_indicator() -> None:
    meta = check(INDICATOR)
    assert (meta.type, meta.is_sco, meta.revoked) == ("indicator", False, False)
    expected = int(datetime(2026, 11, 1, 10, tzinfo=UTC).timestamp()) * 1_000_000
    assert meta.modified == meta.created == expected
    assert meta.modified_text == "2026-11-01T10:00:00.000Z"


def test_an_sco_needs_no_spec_version_or_times() -> None:
    meta = check(
        {
            "type": "domain-name",
            "id": "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7",
            "value": "example.com",
        }
    )
    assert meta.is_sco and meta.modified is None and meta.spec_version == "2.1"


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"id": "indicator--not-a-uuid"}, "id", "malformed id"),
        ({"id": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}, "id", "differs from type"),
        ({"created": "2026-13-01T10:00:00Z"}, "created", "impossible date"),
        ({"modified": "yesterday"}, "modified", "not an RFC 3339"),
        ({"modified": "2026-10-01T10:00:00.000Z"}, "modified", "earlier than 'created'"),
        ({"pattern": None}, "pattern", "required property 'pattern'"),
        ({"spec_version": "2.0"}, "spec_version", "not supported"),
        (
            {"created_by_ref": "malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"},
            "created_by_ref",
            "must reference an identity",
        ),
        ({"object_marking_refs": ["tlp:green"]}, "object_marking_refs", "not a STIX id"),
        ({"valid_from": "2026-11-01 10:00"}, "valid_from", "not an RFC 3339"),
    ],
)
def test_bad_objects_are_refused_naming_the_property(
    change: dict[str, Any], field: str, words: str
) -> None:
    obj = {**copy.deepcopy(INDICATOR), **change}
    obj = {k: v for k, v in obj.items() if v is not None}
    with pytest.raises(InvalidInput) as caught:
        check(obj)
    assert caught.value.field == field
    assert words in caught.value.message
    assert caught.value.object_id == obj["id"]


def test_a_non_object_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must be a JSON object, not an array"):
        check([INDICATOR])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=5)
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from([*sorted(INDICATOR), "object_refs", "x_ref", "revoked"]),
        json_values,
        max_size=10,
    )
)
def test_check_raises_only_invalid_input(mess: dict[str, Any]) -> None:
    obj = {**INDICATOR, **mess}
    try:
        check(obj)
    except InvalidInput:
        pass
