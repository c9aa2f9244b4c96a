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
