"""The native prefilter proposes exactly the lines the numpy prefilter (its oracle) does."""

from __future__ import annotations

import ipaddress
import random

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.match import _prefilter, fast
from kawan.match.fast import BITMAP_BITS, FastFilter, NativeCidr, _bitmap, hash_keys

LABELS = st.sampled_from(["evil", "EVIL", "notevil", "a", "shop", "x-1", "e_v", "é", ""])
TLDS = st.sampled_from(["com", "com.au", "net", "vn", "co.th", "Com", "c"])
DOMAINS = st.builds(
    lambda ls, t: ".".join([*ls, t]), st.lists(LABELS, min_size=0, max_size=3), TLDS
)
OCTETS = st.sampled_from(["1", "2", "4", "11", "45", "10", "255", "256", "0", "00", "001", "1234"])
IPS = st.builds(".".join, st.lists(OCTETS, min_size=3, max_size=5))
SEPARATORS = st.sampled_from(
    [" ", "\t", ",", "/", ":", "=", '"', "[", ".", "..", "-", "1", "x", "\\", "\r", "\n", "\n\n"]
)
CHUNKS = st.lists(st.one_of(DOMAINS, IPS, SEPARATORS), max_size=40).map("".join)
KEYS = st.lists(st.one_of(DOMAINS, IPS), max_size=6)
NETWORKS = st.lists(
    st.builds(
        lambda o, bits: ipaddress.ip_network(f"{'.'.join(map(str, o))}/{bits}", strict=False),
        st.lists(st.sampled_from([1, 2, 4, 11, 45, 10, 255, 0]), min_size=4, max_size=4),
        st.sampled_from([0, 8, 16, 24, 30, 32]),
    ),
    max_size=4,
)


def _filter(keys: list[str], networks: list[ipaddress.IPv4Network], full: bool) -> FastFilter:
    """`full`: every bitmap bit set, so every word goes on to the sorted hashes."""
    cidr4: dict[int, set[int]] = {}
    for net in networks:
        cidr4.setdefault(net.prefixlen, set()).add(int(net.network_address) >> (32 - net.prefixlen))
    built = FastFilter.build([k.lower().encode() for k in keys], cidr4, None)
    if not full:
        return built
    everything = np.full(1 << (BITMAP_BITS - 3), 255, dtype=np.uint8)
    return FastFilter(built.hashes, everything, built.cidr4, None)


@settings(max_examples=300, deadline=None)
@given(keys=KEYS, networks=NETWORKS, chunk=CHUNKS, full=st.booleans())
def test_native_and_numpy_propose_the_same_lines(
    keys: list[str], networks: list[ipaddress.IPv4Network], chunk: str, full: bool
) -> None:
    fast = _filter(keys, networks, full)
    data = chunk.encode()
    assert fast.candidate_lines(data) == fast.candidate_lines_numpy(data)
    lines = data.split(b"\n")
    assert all(data[s:e] == lines[n] for n, s, e in fast.candidate_spans(data).tolist())


@settings(max_examples=100, deadline=None)
@given(keys=st.lists(st.one_of(DOMAINS, IPS), min_size=1, max_size=6), data=st.data())
def test_every_line_naming_a_key_is_proposed(keys: list[str], data: st.DataObject) -> None:
    fast = _filter(keys, [], False)
    lines = [
        " ".join(data.draw(st.lists(st.one_of(st.sampled_from(keys), SEPARATORS), max_size=5)))
        .replace("\n", " ")
        .replace("\r", " ")
        for _ in range(5)
    ]
    named = {n for n, line in enumerate(lines) if any(f" {k} " in f" {line} " for k in keys)}
    assert named <= set(fast.candidate_lines("\n".join(lines).encode()))


def test_words_parts_after_a_dot_and_cidrs() -> None:
    fast = _filter(["evil.com", "1.2.3.4"], [ipaddress.IPv4Network("10.1.0.0/16")], False)
    log = (
        b"nothing here\n"  # 0
        b"x a.b.EVIL.COM. y\n"  # 1: a part after a dot, upper case, a trailing dot
        b"notevil.com evil.com.au 11.2.3.45 1.2.3.45\n"  # 2: near misses
        b"1.2.3.4\n"  # 3
        b"10.1.200.7:443\n"  # 4: in the CIDR
        b"10.2.0.1 10.1.2 10.1.2.3.5 10.1.2.256\n"  # 5: not IPv4 in it
        b"caf\xc3\xa9\n"  # 6: non-ASCII: always exact
        b"a\\x2ecom\n"  # 7: a backslash: always exact
        b"evil.com"  # 8: no newline at the end
    )
    assert fast.candidate_lines(log) == [1, 3, 4, 6, 7, 8]
    assert fast.candidate_lines_numpy(log) == [1, 3, 4, 6, 7, 8]
    lines = log.split(b"\n")
    for n, start, end in fast.candidate_spans(log).tolist():
        assert log[start:end] == lines[n]
    assert fast.candidate_lines(b"") == []


def _spans(
    chunk: bytes,
    bitmap: npt.NDArray[np.uint8],
    bits: int,
    hashes: npt.NDArray[np.uint64],
    cidr: NativeCidr,
) -> list[list[int]]:
    found = _prefilter.candidate_spans(chunk, bitmap, bits, hashes, cidr)
    spans: list[list[int]] = np.frombuffer(found, dtype=np.intp).reshape(-1, 3).tolist()
    return spans


def test_the_hash_is_the_one_the_index_keys_use() -> None:
    hashes = np.unique(hash_keys([b"evil.com"]))
    bits = np.zeros(1 << BITMAP_BITS, dtype=np.bool_)
    bits[hashes >> np.uint64(64 - BITMAP_BITS)] = True
    bitmap = np.packbits(bits, bitorder="little")
    assert _spans(b"a\nx.evil.com\n", bitmap, BITMAP_BITS, hashes, ()) == [[1, 2, 12]]
    assert _spans(b"evil.co\n", bitmap, BITMAP_BITS, hashes, ()) == []


def test_cidr_bitmaps_and_sorted_networks_agree() -> None:
    nets = np.array([0x0A01, 0x0A03], dtype=np.uint64)  # 10.1.0.0/16, 10.3.0.0/16
    flags = np.zeros(1 << 16, dtype=np.bool_)
    flags[nets] = True
    bitmap = np.packbits(flags, bitorder="little")
    log = b"10.1.2.3\n10.2.0.1\nx 10.3.255.255 y\n"
    empty, none = np.zeros(1, np.uint8), np.zeros(0, np.uint64)
    for table in (nets, np.zeros(0, np.uint64)):
        with_bitmap = _spans(log, empty, 3, none, ((16, table, bitmap),))
        assert with_bitmap == [[0, 0, 8], [2, 18, 34]]
    assert _spans(log, empty, 3, none, ((16, nets, None),)) == [[0, 0, 8], [2, 18, 34]]


def test_bad_arguments_are_refused() -> None:
    hashes = np.zeros(1, dtype=np.uint64)
    one = np.zeros(1, np.uint8)
    with pytest.raises(ValueError, match="bitmap"):
        _spans(b"x", np.zeros(8, np.uint8), BITMAP_BITS, hashes, ())
    with pytest.raises(ValueError, match="64-bit"):
        _spans(b"x", one, 3, np.zeros(3, np.uint8), ())
    with pytest.raises(ValueError, match="prefix length"):
        _spans(b"x", one, 3, hashes, ((33, hashes, None),))
    with pytest.raises(ValueError, match="2\\^length"):
        _spans(b"x", one, 3, hashes, ((16, hashes, one),))


def test_ipv6_candidates_are_added_in_order() -> None:
    fast = FastFilter.build([b"evil.com"], {}, lambda text: text == "2001:db8::1")
    log = b"2001:DB8::1\nevil.com\n2001:db8::2\nx 2001:db8::1\n"
    assert fast.candidate_lines(log) == [0, 1, 3]
    assert fast.candidate_lines_numpy(log) == [0, 1, 3]
    assert fast.candidate_spans(log).tolist() == [[0, 0, 11], [1, 12, 20], [3, 33, 46]]


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(0, (1 << 12) - 1), max_size=50), bits=st.sampled_from([3, 12]))
def test_bitmaps_set_exactly_the_bits_of_the_values(values: list[int], bits: int) -> None:
    wanted = np.array([v % (1 << bits) for v in values], dtype=np.uint64)
    flags = np.zeros(1 << bits, dtype=np.bool_)
    flags[wanted] = True
    assert _bitmap(wanted, bits).tolist() == np.packbits(flags, bitorder="little").tolist()


@given(chunk=st.binary(max_size=300_000) | CHUNKS.map(str.encode))
def test_newlines_counts_as_bytes_count(chunk: bytes) -> None:
    assert _prefilter.newlines(chunk) == chunk.count(b"\n")


@given(st.lists(st.binary(max_size=40), max_size=30), st.integers(0, 3))
def test_native_span_hashes_are_the_numpy_ones(words: list[bytes], skip: int) -> None:
    data = np.frombuffer(b"".join(words), dtype=np.uint8)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    starts, ends = starts[lengths >= skip], ends[lengths >= skip]
    native = fast.hash_spans(data, starts, ends, skip)
    oracle = fast.hash_spans_numpy(data, starts, ends, skip)
    assert [a.tolist() for a in native] == [b.tolist() for b in oracle]


def test_native_span_hashes_refuse_a_span_outside_the_data() -> None:
    data = np.frombuffer(b"abc", dtype=np.uint8)
    with pytest.raises(ValueError, match="outside"):
        fast.hash_spans(data, np.array([1], np.int64), np.array([4], np.int64), 0)


WORDS = st.sampled_from([b"", b"a", b"ab", b"ba", b"identity--1", b"identity--2", "é".encode()])


@settings(max_examples=200, deadline=None)
@given(st.lists(WORDS | st.binary(max_size=4), max_size=60), st.randoms(use_true_random=False))
def test_native_span_codes_agree_with_a_dict(words: list[bytes], rng: random.Random) -> None:
    data = np.frombuffer(b"".join(words), dtype=np.uint8)
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    order = np.array(rng.sample(range(len(words)), len(words)), dtype=np.int64)
    native = fast.span_codes(data, starts[order], ends[order])
    oracle = fast.span_codes_python(data, starts[order], ends[order])
    assert native[0].tolist() == oracle[0].tolist() and native[1] == oracle[1]


def test_native_span_codes_refuse_a_span_outside_the_data() -> None:
    data = np.frombuffer(b"abc", dtype=np.uint8)
    with pytest.raises(ValueError, match="outside"):
        fast.span_codes(data, np.array([1], np.int64), np.array([4], np.int64))


def test_native_spans_refuse_arrays_of_other_lengths() -> None:
    data, one, two = b"abc", np.zeros(1, np.int64), np.ones(2, np.int64)
    with pytest.raises(ValueError, match="one item per span"):
        _prefilter.span_codes(data, one, two, np.zeros(2, np.int32))
    with pytest.raises(ValueError, match="one item per span"):
        _prefilter.hash_spans(data, two, two, np.zeros(3, np.uint64))
