"""The native prefilter (`_prefilter.c`); see `fast.FastFilter.candidate_spans`."""

import numpy as np
import numpy.typing as npt

def candidate_spans(
    chunk: bytes,
    bitmap: npt.NDArray[np.uint8],
    bits: int,
    hashes: npt.NDArray[np.uint64],
    cidr: tuple[tuple[int, npt.NDArray[np.uint64], npt.NDArray[np.uint8] | None], ...],
    /,
) -> bytes:
    """The lines of `chunk` that may hold an indicator, ascending: native signed size_t
    triples (0-based line number, start, end without the newline).

    `bitmap`: 2^bits bits, bit `h >> (64 - bits)` (bit i & 7 of byte i >> 3) set for every
    hash h; `hashes`: the sorted hashes; `cidr`: (prefix length, sorted networks, the same
    networks as a bitmap of 2^length bits or None).
    """

def newlines(chunk: bytes, /) -> int:
    """How many newline bytes `chunk` holds (as `chunk.count(b"\\n")`)."""

def hash_spans(
    data: bytes | npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    out: npt.NDArray[np.uint64],
    /,
) -> None:
    """Write into `out` the hash of each span `data[starts[i]:ends[i]]` (the bytes as they
    are): sum of (byte + 1) * BASE^j mod 2^64, as `fast.hash_spans_numpy`."""

def span_codes(
    data: bytes | npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    out: npt.NDArray[np.int32],
    /,
) -> int:
    """Write into `out` a code per span `data[starts[i]:ends[i]]`: equal bytes, equal code,
    numbered from 0 in the order of first occurrence. Returns how many distinct spans."""

def ipv4_networks(
    data: bytes | npt.NDArray[np.uint8],
    starts: npt.NDArray[np.int64],
    ends: npt.NDArray[np.int64],
    out: npt.NDArray[np.int64],
    /,
) -> None:
    """Write into `out` each span's IPv4 network in canonical form (`a.b.c.d/n`: decimal,
    no leading zeros, octets <= 255, n <= 32) as n << 32 | (address >> (32 - n)), or -1
    where the span is not one."""
