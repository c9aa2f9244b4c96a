"""The prefilter: which lines of a chunk of bytes may hold an indicator (pure).

It must never miss a line the exact matcher (`tokens.py`) would match; it may propose
lines the exact matcher then rejects. The scan is native (`_prefilter.c`, one pass over
the bytes, the GIL released); the numpy version here is its specification and test
oracle (`candidate_lines_numpy`), over the whole chunk at once:

1. lower-case ASCII, find words (runs of `[a-z0-9._-]` and bytes >= 0x80);
2. a polynomial hash (mod 2^64) of every word and of every part of a word after a dot
   (`a.evil.com` → `a.evil.com`, `evil.com`, `com`), from one prefix-sum array;
3. look the hashes up in a bitmap, then in the sorted array of indicator hashes;
4. IPv4-shaped words are parsed to integers and tested against the CIDR tables;
5. lines with bytes >= 0x80 or a backslash (escapes, IDN) always go to the exact matcher,
   and IPv6 candidates are found by a regular expression when the index has any.

The index keys are hashed here with numpy (`hash_keys`, `hash_spans`), the same function.
A hash collision only costs an exact check of one more line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kawan.match import _prefilter

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
BASE = 0x100000001B3
BITMAP_BITS = 27  # 16 MB: measured faster than 8 MB (fewer hash searches) and 32 MB at 1M keys
CIDR_BITMAP_MAX = 24  # CIDR tables of prefixes up to /24 also as bitmaps (2 MB at most)
MIN_TABLE_BITS = 23  # one table for chunks up to 8 MB (the numpy oracle's)
_LOWER = bytes((c + 32 if 65 <= c <= 90 else c) for c in range(256))
_HOSTCHARS = b"abcdefghijklmnopqrstuvwxyz0123456789._-"
_HOSTMASK = bytes((1 if (c in _HOSTCHARS or c >= 128) else 0) for c in range(256))
_VALUES = np.arange(1, 257, dtype=np.uint64)
_DIGITS = np.array([c - 48 if 48 <= c <= 57 else 0 for c in range(256)], dtype=np.uint64)
NativeCidr = tuple[tuple[int, U64, npt.NDArray[np.uint8] | None], ...]
_IPV6 = re.compile(rb"[0-9a-f:.]*:[0-9a-f:.]*:[0-9a-f:.]*")


@functools.cache
def _powers(size: int) -> tuple[U64, U64]:
    """BASE^i and BASE^-i (mod 2^64) for i < size."""
    return _geometric(BASE, size), _geometric(pow(BASE, -1, 1 << 64), size)


def _geometric(ratio: int, size: int, block: int = 4096) -> U64:
    """ratio^i (mod 2^64) for i < size: one block by a running product, then every block
    as that block times ratio^(block * j) (an outer product, not a sequential scan)."""
    rows = -(-size // block)
    with np.errstate(over="ignore"):
        first = np.cumprod(np.full(block, ratio, dtype=np.uint64))
        steps = np.cumprod(np.full(rows, pow(ratio, block, 1 << 64), dtype=np.uint64))
    one = np.ones(1, dtype=np.uint64)
    first, steps = np.concatenate((one, first[:-1])), np.concatenate((one, steps[:-1]))
    with np.errstate(over="ignore"):
        result: U64 = np.multiply.outer(steps, first).ravel()[:size]
    return result


def _tables(n: int) -> tuple[U64, U64]:
    size = 1 << max(MIN_TABLE_BITS, (n + 1).bit_length())
    return _powers(size)


def _prefix_hashes(data: npt.NDArray[np.uint8]) -> U64:
    up, _ = _tables(len(data))
    out = np.zeros(len(data) + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        np.cumsum(_VALUES[data] * up[: len(data)], out=out[1:])
    return out


def _span_hashes(prefix: U64, starts: I64, ends: I64) -> U64:
    _, down = _tables(len(prefix))
    with np.errstate(over="ignore"):
        result: U64 = (prefix[ends] - prefix[starts]) * down[starts]
    return result


def hash_lines(blob: bytes) -> U64:
    """The hash of every newline-separated line of `blob` (as the scan hashes words)."""
    data = np.frombuffer(blob, dtype=np.uint8)
    newlines = np.flatnonzero(data == 10)
    starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
    ends = np.concatenate((newlines, [len(data)])).astype(np.int64)
    return _native_spans(data, starts, ends)


def hash_spans(data: npt.NDArray[np.uint8], starts: I64, ends: I64, skip: int) -> tuple[U64, U64]:
    """The hashes of the spans `data[starts:ends]` and of the same spans without their
    first `skip` bytes (spans at least that long), computed natively."""
    return _native_spans(data, starts, ends), _native_spans(data, starts + skip, ends)


def hash_spans_numpy(
    data: npt.NDArray[np.uint8], starts: I64, ends: I64, skip: int
) -> tuple[U64, U64]:
    """`hash_spans` from one prefix-sum array: its specification and test oracle."""
    prefix = _prefix_hashes(data)
    return _span_hashes(prefix, starts, ends), _span_hashes(prefix, starts + skip, ends)


def span_codes(data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> tuple[I32, int]:
    """A code per span `data[starts:ends]`: equal bytes, equal code, numbered from 0 in
    the order of first occurrence (native; exact, not a hash); and how many there are."""
    out = np.empty(len(starts), dtype=np.int32)
    first, last = (np.ascontiguousarray(a, np.int64) for a in (starts, ends))
    count = _prefilter.span_codes(np.ascontiguousarray(data), first, last, out)
    return out, count


def span_codes_python(data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> tuple[I32, int]:
    """`span_codes` with a dict: its specification and test oracle."""
    raw = data.tobytes()
    codes: dict[bytes, int] = {}
    found = [
        codes.setdefault(raw[s:e], len(codes))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    return np.array(found, dtype=np.int32), len(codes)


def ipv4_networks(data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> I64:
    """Each span's IPv4 network in canonical form (`a.b.c.d/n`: decimal, no leading
    zeros) as `n << 32 | (address >> (32 - n))`, -1 where the span is not one (native;
    `table.network` is its specification)."""
    out = np.empty(len(starts), dtype=np.int64)
    first, last = (np.ascontiguousarray(a, np.int64) for a in (starts, ends))
    _prefilter.ipv4_networks(np.ascontiguousarray(data), first, last, out)
    return out


def _native_spans(data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> U64:
    out = np.empty(len(starts), dtype=np.uint64)
    _prefilter.hash_spans(np.ascontiguousarray(data), np.ascontiguousarray(starts, np.int64),
                          np.ascontiguousarray(ends, np.int64), out)  # fmt: skip
    return out


def hash_keys(keys: Iterable[bytes], batch: int = 1 << 20) -> U64:
    """Hashes of many byte strings (none contains a newline), in batches of bytes."""
    parts: list[U64] = []
    pending: list[bytes] = []
    size = 0
    for key in keys:
        pending.append(key)
        size += len(key) + 1
        if size >= batch:
            parts.append(hash_lines(b"\n".join(pending)))
            pending, size = [], 0
    if pending:
        parts.append(hash_lines(b"\n".join(pending)))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


@dataclass(frozen=True)
class FastFilter:
    hashes: U64  # sorted
    bitmap: npt.NDArray[np.uint8]  # 2^BITMAP_BITS bits: `h >> (64 - bits)`, little bit order
    cidr4: tuple[tuple[int, npt.NDArray[np.uint64]], ...]  # (prefix length, sorted networks)
    ipv6: Callable[[str], bool] | None  # whether an IPv6 text may hit; None: no IPv6 keys
    native_cidr4: NativeCidr = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        native = tuple(
            (length, nets, _bitmap(nets, length) if 3 <= length <= CIDR_BITMAP_MAX else None)
            for length, nets in self.cidr4
        )
        object.__setattr__(self, "native_cidr4", native)

    @classmethod
    def build(
        cls,
        keys: Iterable[bytes],
        cidr4: Mapping[int, Iterable[int]],
        ipv6: Callable[[str], bool] | None,
    ) -> FastFilter:
        tables = tuple(
            (length, np.unique(np.fromiter(nets, dtype=np.uint64)))
            for length, nets in sorted(cidr4.items())
        )
        return cls.from_sorted(np.unique(hash_keys(keys)), tables, ipv6)

    @classmethod
    def from_sorted(
        cls,
        hashes: U64,
        cidr4: tuple[tuple[int, npt.NDArray[np.uint64]], ...],
        ipv6: Callable[[str], bool] | None,
    ) -> FastFilter:
        """From the distinct hashes of the keys, sorted (see `index.Lookup`)."""
        hashes = np.ascontiguousarray(hashes, dtype=np.uint64)
        tables = tuple(
            (length, np.ascontiguousarray(nets, dtype=np.uint64)) for length, nets in cidr4
        )
        return cls(
            hashes, _bitmap(hashes >> np.uint64(64 - BITMAP_BITS), BITMAP_BITS), tables, ipv6
        )

    def candidate_spans(self, chunk: bytes) -> npt.NDArray[np.intp]:
        """The lines of `chunk` that may hold an indicator, ascending: rows of (0-based
        line number, start, end without the newline)."""
        found = _prefilter.candidate_spans(
            chunk, self.bitmap, BITMAP_BITS, self.hashes, self.native_cidr4
        )
        spans = np.frombuffer(found, dtype=np.intp).reshape(-1, 3)
        if self.ipv6 is None:
            return spans
        text = chunk.translate(_LOWER)
        at = self._ipv6_hits(text)
        if not len(at):
            return spans
        newlines = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 10)
        lines = np.union1d(spans[:, 0], np.searchsorted(newlines, at, side="left"))
        bounds = np.concatenate(([-1], newlines, [len(text)]))
        result: npt.NDArray[np.intp] = np.stack(
            (lines, bounds[lines] + 1, bounds[lines + 1]), axis=1
        ).astype(np.intp)
        return result

    def candidate_lines(self, chunk: bytes) -> list[int]:
        """0-based numbers of the lines of `chunk` that may hold an indicator, ascending."""
        return [int(n) for n in self.candidate_spans(chunk)[:, 0]]

    def candidate_lines_numpy(self, chunk: bytes) -> list[int]:
        """The same as `candidate_lines`, in numpy over the whole chunk: the oracle."""
        text = chunk.translate(_LOWER)
        data = np.frombuffer(text, dtype=np.uint8)
        if len(data) == 0:
            return []
        starts, ends = _words(text, data)
        positions = [self._word_hits(data, starts, ends), _always_exact(data)]
        if self.cidr4:
            positions.append(self._cidr_hits(data, starts, ends))
        if self.ipv6 is not None:
            positions.append(self._ipv6_hits(text))
        found = np.concatenate(positions)
        newlines = np.flatnonzero(data == 10)
        lines = np.unique(np.searchsorted(newlines, found, side="left"))
        return [int(n) for n in lines]

    def _word_hits(self, data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> I64:
        dots = np.flatnonzero(data == 46)
        owner = np.searchsorted(starts, dots, side="right") - 1
        dot_ends = ends[owner]
        inside = dots + 1 < dot_ends
        q_starts = np.concatenate((starts, dots[inside] + 1))
        q_ends = np.concatenate((ends, dot_ends[inside]))
        hashed = _span_hashes(_prefix_hashes(data), q_starts, q_ends)
        at = hashed >> np.uint64(64 - BITMAP_BITS)
        maybe = ((self.bitmap[at >> np.uint64(3)] >> (at & np.uint64(7)).astype(np.uint8)) & 1) == 1
        wanted = hashed[maybe]
        at = np.searchsorted(self.hashes, wanted)
        at[at >= len(self.hashes)] = 0
        hit = self.hashes[at] == wanted if len(self.hashes) else np.zeros(0, bool)
        result: I64 = q_starts[maybe][hit]
        return result

    def _cidr_hits(self, data: npt.NDArray[np.uint8], starts: I64, ends: I64) -> I64:
        addresses, where = _ipv4_words(data, starts, ends)
        hit = np.zeros(len(addresses), dtype=np.bool_)
        for length, networks in self.cidr4:
            nets = addresses >> np.uint64(32 - length)
            at = np.searchsorted(networks, nets)
            at[at >= len(networks)] = 0
            hit |= networks[at] == nets
        result: I64 = where[hit]
        return result

    def _ipv6_hits(self, text: bytes) -> I64:
        wanted = self.ipv6 or (lambda _text: False)
        found = [
            m.start()
            for m in _IPV6.finditer(text)
            if m.group().count(b":") >= 2 and wanted(m.group().decode("ascii"))
        ]
        return np.array(found, dtype=np.int64)


def _bitmap(values: U64, bits: int) -> npt.NDArray[np.uint8]:
    """2^bits bits, bit v set for each of `values` (< 2^bits): bit v & 7 of byte v >> 3."""
    bitmap = np.zeros(max(1, (1 << bits) // 8), dtype=np.uint8)
    at = np.sort(values)  # the bits of one byte side by side
    if not len(at):
        return bitmap
    at = at[np.concatenate(([True], at[1:] != at[:-1]))]  # once each: their sum is their or
    byte = at >> np.uint64(3)
    first = np.flatnonzero(np.concatenate(([True], byte[1:] != byte[:-1])))
    ones = np.left_shift(1, at & np.uint64(7)).astype(np.uint8)
    bitmap[byte[first]] = np.add.reduceat(ones, first, dtype=np.uint8)
    return bitmap


def _words(text: bytes, data: npt.NDArray[np.uint8]) -> tuple[I64, I64]:
    """Starts and ends of the words; one trailing dot is not part of a word."""
    host = np.frombuffer(text.translate(_HOSTMASK), dtype=np.bool_)
    before = np.concatenate(([False], host[:-1]))
    after = np.concatenate((host[1:], [False]))
    starts = np.flatnonzero(host & ~before)
    ends = np.flatnonzero(host & ~after) + 1
    ends = ends - ((data[ends - 1] == 46) & (ends - starts > 1))
    return starts, ends


def _always_exact(data: npt.NDArray[np.uint8]) -> I64:
    result: I64 = np.flatnonzero((data >= 128) | (data == 92))
    return result


def _ipv4_words(
    data: npt.NDArray[np.uint8], starts: I64, ends: I64
) -> tuple[npt.NDArray[np.uint64], I64]:
    """The IPv4-shaped words (four dotted runs of 1-3 digits) as integers, and where."""
    length = ends - starts
    sized = (length >= 7) & (length <= 15)
    s, e = starts[sized], ends[sized]
    if not len(s):
        return np.zeros(0, dtype=np.uint64), s
    is_dot = data == 46
    is_digit = (data >= 48) & (data <= 57)
    dots, digits = _sums(is_dot, s, e), _sums(is_digit, s, e)
    shaped = (dots == 3) & (digits == (e - s) - 3)
    s, e = s[shaped], e[shaped]
    if not len(s):
        return np.zeros(0, dtype=np.uint64), s
    dot_at = np.flatnonzero(is_dot)
    first = np.searchsorted(dot_at, s)
    bounds = [s - 1, dot_at[first], dot_at[first + 1], dot_at[first + 2], e]
    value = np.zeros(len(s), dtype=np.uint64)
    valid = np.ones(len(s), dtype=np.bool_)
    for i in range(4):
        lo, hi = bounds[i] + 1, bounds[i + 1]
        size = hi - lo
        valid &= (size >= 1) & (size <= 3)
        octet = _octet(data, lo, hi)
        valid &= octet <= 255
        value = (value << np.uint64(8)) | (octet & np.uint64(255))
    return value[valid], s[valid]


def _sums(mask: npt.NDArray[np.bool_], starts: I64, ends: I64) -> npt.NDArray[np.int32]:
    """How many of `mask` are set in each [start, end)."""
    bounds = np.empty(2 * len(starts), dtype=np.int64)
    bounds[0::2], bounds[1::2] = starts, ends
    padded = np.concatenate((mask, [False]))
    result: npt.NDArray[np.int32] = np.add.reduceat(padded, bounds, dtype=np.int32)[0::2]
    return result


def _octet(data: npt.NDArray[np.uint8], lo: I64, hi: I64) -> npt.NDArray[np.uint64]:
    total = np.zeros(len(lo), dtype=np.uint64)
    scale = np.uint64(1)
    for back in range(1, 4):
        at = hi - back
        inside = at >= lo
        digits = _DIGITS[data[np.where(inside, at, 0)]]
        total += np.where(inside, digits * scale, np.uint64(0))
        scale = scale * np.uint64(10)
    return total
