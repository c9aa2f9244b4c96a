"""The indicator table built from store rows: its columns agree with their definitions."""

from __future__ import annotations

import ipaddress
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.errors import CannotRun
from kawan.match import _prefilter, fast
from kawan.match.build import PREFIXES, Builder, EntriesBuilder, part_of
from kawan.match.fast import hash_keys
from kawan.match.table import KINDS, NO_END, Strings, fast_key, network, rows_of
from kawan.stix.timestamps import parse_us
from kawan.store import indicators
from kawan.store.indicators import EntryBatch, KeyBatch, VersionBatch

OCTETS = st.sampled_from(["0", "1", "10", "99", "255", "256", "01", "007", "1000", "x", ""])
LENGTHS = st.sampled_from(["0", "8", "16", "24", "32", "33", "08", "", "a"])
CIDRS = st.builds(lambda o, n: ".".join(o) + "/" + n, st.lists(OCTETS, min_size=3, max_size=5),
                  LENGTHS)  # fmt: skip
KEYS = st.sampled_from([
    "d:evil.com", "d:xn--bcher-kva.de", "4:10.0.0.1", "4:10.0.0.0/8", "4:0.0.0.0/0",
    "6:2001:db8::1", "6:2001:db8::/32", "u:http://evil.com/a", "u:http://[2001:db8::1]/x",
    "u:http://bücher.de/", "u:not a url", "e:a@evil.com", "p:+84912345678",
    "h:d41d8cd98f00b204e9800998ecf8427e", "d:",
])  # fmt: skip


def reference_network(key: str) -> tuple[int, int] | str:
    try:
        net = ipaddress.ip_network(key[2:], strict=False)
    except ValueError:
        return "error"
    if net.version == 6:
        return 1000 + net.prefixlen, 0
    return net.prefixlen, int(net.network_address) >> (32 - net.prefixlen)


@given(CIDRS)
def test_ipv4_networks_are_read_as_ipaddress_reads_them(text: str) -> None:
    try:
        found: tuple[int, int] | str = network("4:" + text)
    except ValueError:
        found = "error"
    assert found == reference_network("4:" + text)


_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}/(3[0-2]|[12]?[0-9])")


@given(st.lists(CIDRS, max_size=8))
def test_native_ipv4_networks_read_exactly_the_canonical_ones(texts: list[str]) -> None:
    strings = Strings.of([t.encode() for t in texts])
    found = fast.ipv4_networks(strings.data, strings.offsets[:-1], strings.offsets[1:])
    for text, value in zip(texts, found.tolist(), strict=True):
        if CANONICAL.fullmatch(text):
            assert (value >> 32, value & 0xFFFFFFFF) == reference_network("4:" + text)
        else:
            assert value == -1


@settings(deadline=None)  # the first call computes the hash tables
@given(st.lists(st.one_of(KEYS, CIDRS.filter(CANONICAL.fullmatch).map("4:".__add__)), max_size=12))
def test_row_columns_follow_their_definitions(keys: list[str]) -> None:
    rows = rows_of(Strings.of([k.encode() for k in keys]), np.zeros(len(keys), np.int32))
    assert rows["key_hash"].tolist() == hash_keys(k.encode() for k in keys).tolist()
    for n, key in enumerate(keys):
        word = fast_key(key)
        assert bool(rows["has_fast"][n]) == (word is not None)
        if word is not None:
            assert int(rows["fast_hash"][n]) == int(hash_keys([word.encode()])[0])
        if key[0] in "46" and "/" in key:
            found = (int(rows["net_bits"][n]), int(rows["net_value"][n]))
            assert found == reference_network(key)
        else:
            assert int(rows["net_bits"][n]) == -1


@settings(deadline=None)
@given(st.integers(1, 3000), st.sampled_from([1, 7, 64]))
def test_powers_are_the_running_product(size: int, block: int) -> None:
    expected, power = [], 1
    for _ in range(size):
        expected.append(power)
        power = power * fast.BASE % (1 << 64)
    assert fast._geometric(fast.BASE, size, block).tolist() == expected


def versions(*rows: tuple[int, str, bool, str | None]) -> VersionBatch:
    """(date_added, id, revoked, valid_until) rows, as the store sends them (ids without
    their `indicator--` prefix); the rest of the metadata fixed."""
    n, unit = len(rows), indicators.UNIT
    ids = [r[1].removeprefix("indicator--") for r in rows]
    until = [indicators.NO_STAMP if r[3] is None else parse_us(r[3]) for r in rows]
    return VersionBatch(
        n, max(r[0] for r in rows), ",".join(str(r[0]) for r in rows), "".join(ids),
        ",".join(str(len(i)) for i in ids), "".join("1" if r[2] else "0" for r in rows),
        ",".join(["1767225600000000"] * n), ",".join(map(str, until)), ",".join(["100"] * n),
        unit.join([""] * n), unit.join(["identity--a"] * n), unit.join([""] * n),
    )  # fmt: skip


def keys(*rows: tuple[int, str, str]) -> KeyBatch:
    """(date_added, observable type, value) rows, as the store sends them."""
    texts = [PREFIXES[r[1]] + r[2] for r in rows if r[1] in PREFIXES]
    stamps = [str(r[0]) for r in rows if r[1] in PREFIXES]
    return KeyBatch(len(texts), ",".join(stamps), "".join(texts),
                    ",".join(str(len(t.encode())) for t in texts))  # fmt: skip


def test_the_builder_joins_versions_and_their_comparisons() -> None:
    builder = Builder()
    builder.add_versions(
        versions((1, "indicator--1", False, None), (2, "indicator--2", True, None))
    )
    builder.add_versions(versions((4, "indicator--4", False, "2027-01-01T00:00:00Z"),
                                  (5, "indicator--5", False, None)))  # fmt: skip
    builder.add_keys(keys((4, "domain-name", "b.com"), (1, "ipv4-addr", "10.0.0.0/8"),
                          (2, "domain-name", "x.com"), (3, "domain-name", "y.com")))  # fmt: skip
    builder.add_keys(keys((1, "url", "http://a.com/x"), (4, "user-account", "bob")))
    table = builder.table()
    entries = ["indicator--" + table.ids[int(e)] for e in table.entry]
    assert sorted(zip(entries, [table.keys[n] for n in range(len(table.keys))], strict=True)) == [
        ("indicator--1", "4:10.0.0.0/8"), ("indicator--1", "u:http://a.com/x"),
        ("indicator--4", "d:b.com"),
    ]  # fmt: skip
    assert [table.ids[n] for n in range(len(table.ids))] == ["1", "4"]  # the prefix left out
    assert table.valid_until.tolist() == [NO_END, 1798761600000000]
    assert table.id_hash.tolist() == hash_keys([b"1", b"4"]).tolist()
    assert (builder.read, builder.cursor) == (4, 5)
    read, hashes = builder.read_ids()
    assert [read[n] for n in range(len(read))] == [str(n) for n in (1, 2, 4, 5)]
    assert hashes.tolist() == hash_keys(read.raw(n) for n in range(len(read))).tolist()


TYPES = {kind: name for name, kind in KINDS.items()}  # a key's kind letter: its type


def entries(*rows: tuple[int, int, str]) -> EntryBatch:
    """(date_added, id number, key) rows, as a complete read sends them; the version's
    other columns follow from its id number (creator "c<number % 2>")."""
    n, unit = len(rows), indicators.UNIT
    ids = [f"indicator--00000000-0000-4000-8000-{r[1]:012d}" for r in rows]
    values = [r[2][2:] for r in rows]  # separated, or joined with their lengths when n is even
    texts = (unit.join(values), None) if n % 2 else (
        "".join(values), ",".join(str(len(v.encode())) for v in values))  # fmt: skip
    types = unit.join(TYPES[r[2][0]] for r in rows)
    return EntryBatch(
        n, ",".join(str(r[0]) for r in rows), "".join(ids), *texts, types,
        ",".join(str(r[1]) for r in rows),
        ",".join(str(indicators.NO_STAMP) for _ in rows), ",".join(["100"] * n),
        unit.join(f"c{r[1] % 2}" for r in rows), unit.join(["identity--a"] * n),
        unit.join([""] * n),
    )  # fmt: skip


def test_a_comparison_of_a_type_the_matcher_does_not_know_stops_the_read() -> None:
    batch = entries((10, 1, "d:a.com"), (20, 2, "d:b.com"))
    strange = batch.types.replace("domain-name", "user-account", 1)
    with pytest.raises(CannotRun, match="'user-account'"):
        part_of(EntryBatch(**{**batch.__dict__, "types": strange}))


@given(st.permutations(range(6)), st.integers(1, 5))
def test_a_complete_read_in_any_order_and_any_batches_gives_one_table(
    order: list[int], size: int
) -> None:
    # versions 10, 20, 30 of ids 1, 2, 3 with 1, 3 and 2 comparisons; the rows in any
    # order, cut into batches of `size` (a version's rows need not be side by side)
    rows = [(10, 1, "d:a.com"), (20, 2, "d:b.com"), (20, 2, "4:10.0.0.0/8"),
            (20, 2, "u:http://b.com/x"), (30, 3, "d:c.com"), (30, 3, "d:c.org")]  # fmt: skip
    shuffled = [rows[n] for n in order]
    builder = EntriesBuilder(cursor=30)
    for start in range(0, len(shuffled), size):
        builder.add(entries(*shuffled[start : start + size]))
    table = builder.table()
    assert table.date_added.tolist() == [10, 20, 30]
    assert [table.ids[n][-1] for n in range(3)] == ["1", "2", "3"]
    assert table.valid_from.tolist() == [1, 2, 3]
    assert table.valid_until.tolist() == [NO_END] * 3
    assert [table.metas[m][0] for m in table.meta.tolist()] == ["c1", "c0", "c1"]
    got = sorted((int(table.entry[n]), table.keys[n]) for n in range(len(table.keys)))
    assert got == sorted(({10: 0, 20: 1, 30: 2}[r[0]], r[2]) for r in rows)
    assert table.id_hash.tolist() == hash_keys(table.ids.raw(n) for n in range(3)).tolist()


@given(st.lists(st.binary(max_size=6), max_size=8).flatmap(
    lambda items: st.tuples(st.just(items), st.permutations(range(len(items))))))  # fmt: skip
def test_strings_taken_in_an_order_are_those_strings_in_that_order(
    case: tuple[list[bytes], list[int]],
) -> None:
    items, order = case
    taken = Strings.of(items).take(np.array(order, dtype=np.intp))
    assert [taken.raw(n) for n in range(len(taken))] == [items[n] for n in order]


@pytest.mark.parametrize(("name", "dtype"), [("hash_spans", np.uint64),
                                             ("span_codes", np.int32),
                                             ("ipv4_networks", np.int64)])  # fmt: skip
@pytest.mark.parametrize(("start", "end"), [(-1, 2), (2, 1), (0, 4)])
def test_a_span_outside_the_data_is_refused_by_the_native_functions(
    name: str, dtype: type[np.generic], start: int, end: int
) -> None:
    data = np.frombuffer(b"1.2", np.uint8)
    out = np.zeros(2, dtype)
    native = getattr(_prefilter, name)
    with pytest.raises(ValueError, match="outside the data"):
        native(data, np.array([0, start], np.int64), np.array([1, end], np.int64), out)
    assert not out.any()  # refused before any span was read
