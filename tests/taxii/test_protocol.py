"""The pure parts: media types, filters, `next`, version choice, collection membership."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawan.errors import InvalidInput
from kawan.stix.markings import Marking, Tlp
from kawan.store.collections import COMMUNITY, collections_of, group_collection_id
from kawan.store.records import StoredVersion
from kawan.taxii import media, query
from kawan.taxii.choose import chosen
from kawan.taxii.query import Filters, VersionMatch


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("application/taxii+json;version=2.1", True),
        ("application/taxii+json", True),
        ("Application/TAXII+json ; Version = 2.1", True),
        ("application/json, */*;q=0.1", True),
        ("application/taxii+json;version=2.0", False),
        ("application/stix+json;version=2.1", False),
        ("*/*;q=0", False),
    ],
)
def test_acceptable(accept: str | None, ok: bool) -> None:
    assert media.acceptable(accept) is ok


def test_filters_parse_lists_and_defaults() -> None:
    got = query.filters(
        {
            "match[type]": "indicator, malware",
            "match[id]": "a,a,b",
            "added_after": "2026-01-01T00:00:00Z",
        }
    )
    assert got.types == ("indicator", "malware") and got.ids == ("a", "b")
    assert got.versions == VersionMatch() and got.added_after == 1767225600000000
    version = query.filters({"match[version]": "first,2026-01-01T00:00:00.5Z"}).versions
    assert version.keywords == {"first"} and version.stamps == {1767225600500000}


@given(st.integers(0, 2**62), st.text(max_size=20))
def test_next_round_trips_and_is_bound_to_its_filters(position: int, scope: str) -> None:
    digest = Filters(ids=("x",)).digest(scope)
    token = query.next_token(position, digest)
    assert query.paging({"next": token}, digest).position == position
    with pytest.raises(InvalidInput):
        query.paging({"next": token}, Filters(ids=("y",)).digest(scope))


@given(st.text(max_size=40))
def test_a_made_up_next_raises_only_invalid_input(token: str) -> None:
    try:
        query.paging({"next": token}, "0" * 16)
    except InvalidInput:
        pass


def _v(stamp: int, oid: str = "indicator--1", modified: int | None = None) -> StoredVersion:
    return StoredVersion(
        stamp,
        oid,
        "indicator",
        "2.1",
        None,
        modified,
        None,
        False,
        None,
        "identity--h",
        Marking(Tlp.GREEN),
        None,
        False,
        "{}",
    )


def test_chosen_versions() -> None:
    versions = [_v(10, modified=300), _v(11, modified=100), _v(12, modified=200), _v(13, "x--2")]
    assert chosen(versions, VersionMatch()) == {10, 13}
    assert chosen(versions, VersionMatch(frozenset({"first"}))) == {11, 13}
    assert chosen(versions, query.ALL_VERSIONS) == {10, 11, 12, 13}
    assert chosen(versions, VersionMatch(frozenset(), frozenset({200, 13}))) == {12, 13}


def test_collections_of_markings() -> None:
    assert collections_of(Marking(Tlp.CLEAR)) == (COMMUNITY,)
    assert collections_of(Marking(Tlp.GREEN, ("g",))) == (COMMUNITY,)
    assert collections_of(Marking(Tlp.AMBER)) == ()
    assert collections_of(Marking(Tlp.AMBER_STRICT, ("g", "h"))) == (
        group_collection_id("g"),
        group_collection_id("h"),
    )
    assert collections_of(Marking(Tlp.RED, ("g",))) == ()
