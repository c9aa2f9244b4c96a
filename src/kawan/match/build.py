"""The indicator table from store rows (pure numpy): the latest indicator versions and
their pattern comparisons, read in batches, joined on `date_added` (`Builder`)."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from kawan.errors import CannotRun
from kawan.match.fast import hash_keys, hash_spans
from kawan.match.table import (
    I32,
    I64,
    ID_PREFIX,
    KINDS,
    NO_END,
    U64,
    Bools,
    Meta,
    Strings,
    Table,
    assemble,
    rows_of,
)
from kawan.store.indicators import NO_STAMP, KeyBatch, VersionBatch, decode_meta

PREFIXES = {name: f"{kind}:" for name, kind in KINDS.items()}


class Builder:
    """Turns batches of store rows into a table: the indicator versions (`add_versions`),
    then their pattern comparisons (`add_keys`), joined on `date_added` in `table()`.

    Revoked versions, versions without a comparison and comparisons of versions not read
    are left out. With `track`, the ids of every version read (kept or not) are kept too:
    an incremental update drops the entries they supersede."""

    def __init__(self, track: bool = False) -> None:
        self.track = track
        self.read = 0  # indicator versions read
        self.cursor = 0  # the highest date_added read
        self._metas: dict[Meta, int] = {}
        # batches of each column: id_hash, date_added, valid_from, valid_until, meta
        self._entries: list[list[npt.NDArray[Any]]] = [[] for _ in _ENTRY_TYPES]
        self._ids: list[Strings] = []
        self._read: list[tuple[Strings, U64]] = []
        self._row_stamps: list[I64] = []  # the date_added of each row's version
        self._rows: dict[str, list[npt.NDArray[Any]]] = {name: [] for name, _ in _ROW_TYPES}
        self._keys: list[Strings] = []

    def add_versions(self, batch: VersionBatch) -> None:
        stamps = _numbers(batch.date_added)
        ids = _joined_strings(batch.ids, batch.id_lengths)
        revoked = np.frombuffer(batch.revoked.encode(), np.uint8) == ord("1")
        metas = _codes(batch.meta_keys(), self._metas, decode_meta)
        columns: list[npt.NDArray[Any]] = [
            stamps, _stamps(batch.valid_from, 0), _stamps(batch.valid_until, NO_END), metas,
        ]  # fmt: skip
        if len(stamps) > 1 and not bool(np.all(stamps[1:] > stamps[:-1])):
            order = np.argsort(stamps, kind="stable")  # SQL did not keep the batch's order
            columns, revoked = [c[order] for c in columns], revoked[order]
            ids = Strings.of([ids.raw(int(n)) for n in order])
        id_hash = hash_spans(ids.data, ids.offsets[:-1], ids.offsets[1:], 0)[0]
        self.read += batch.count
        self.cursor = max(self.cursor, batch.last)
        if self.track:
            self._read.append((ids, id_hash))
        kept = ~revoked
        self._ids.append(ids.keep(kept))
        for batches, column in zip(self._entries, [id_hash, *columns], strict=True):
            batches.append(column[kept])

    def add_keys(self, batch: KeyBatch) -> None:
        strings = _joined_strings(batch.keys, batch.key_lengths)
        rows = rows_of(strings, np.zeros(batch.count, np.int32))
        self._row_stamps.append(_numbers(batch.date_added))
        self._keys.append(rows["keys"])
        for name, batches in self._rows.items():
            batches.append(rows[name])

    def forget(self, ids: Sequence[str]) -> None:
        """Drop these indicators from the old table too (superseded, or deleted)."""
        encoded = [i.removeprefix(ID_PREFIX).encode() for i in ids]
        self._read.append((Strings.of(encoded), hash_keys(encoded)))

    def read_ids(self) -> tuple[Strings, U64]:
        """The ids to drop from an old table, and their hashes."""
        hashes = [h for _, h in self._read] or [np.zeros(0, np.uint64)]
        return Strings.concat([s for s, _ in self._read]), np.concatenate(hashes)

    def table(self) -> Table:
        """The versions that have comparisons, with their rows. Each column is joined and
        its batches let go before the next (at 10M indicators, memory is the limit)."""
        entries = [
            _drained(column, t) for column, t in zip(self._entries, _ENTRY_TYPES, strict=True)
        ]
        stamps = entries[1]
        row_stamps = _drained(self._row_stamps, np.int64)
        at = np.minimum(np.searchsorted(stamps, row_stamps), max(len(stamps) - 1, 0))
        found = stamps[at] == row_stamps if len(stamps) else np.zeros(len(at), np.bool_)
        del row_stamps
        at = at[found]
        keep = np.zeros(len(stamps), np.bool_)
        keep[at] = True
        entry = np.cumsum(keep, dtype=np.int32)[at] - 1  # each kept row's entry, renumbered
        del at
        rows = [_drained(self._rows[name], t)[found] for name, t in _ROW_TYPES]
        rows.append(entry)
        keys = _kept(self._keys, found)
        ids = _kept(self._ids, keep)
        del stamps
        kept = []
        while entries:  # each column let go once kept
            kept.append(entries.pop(0)[keep])
        return assemble(list(self._metas), ids, kept, keys, rows)


def give_back_memory() -> None:
    """Return freed memory to the system now: glibc keeps freed memory for reuse, and at
    10M indicators the batches freed were gigabytes. Elsewhere than glibc: nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's `malloc_trim`, looked up once; None where there is none."""
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def _kept(parts: list[Strings], mask: Bools) -> Strings:
    """The strings of the batches `mask` keeps, joined; the list emptied as it goes. The
    result is allocated once and filled batch by batch, each batch let go once copied: at
    10M indicators the ids alone are half a gigabyte, and two copies of them too many."""
    bounds = np.cumsum([0] + [len(p) for p in parts])
    masks = [mask[bounds[n] : bounds[n + 1]] for n in range(len(parts))]
    sizes = [np.diff(p.offsets)[m] for p, m in zip(parts, masks, strict=True)]
    offsets = np.zeros(int(mask.sum()) + 1, dtype=np.int64)
    np.cumsum(np.concatenate(sizes) if sizes else np.zeros(0, np.int64), out=offsets[1:])
    data = np.empty(int(offsets[-1]), dtype=np.uint8)  # pages are touched as they fill
    at = 0
    parts.reverse()
    for n, part_mask in enumerate(masks, 1):
        part = parts.pop()
        chosen = part.data[np.repeat(part_mask, np.diff(part.offsets))]
        data[at : at + len(chosen)] = chosen
        at += len(chosen)
        del part, chosen
        if n % 4 == 0:  # what the batches held, back to the system as the copy grows
            give_back_memory()
    give_back_memory()
    return Strings(data, offsets)


def _drained(batches: list[npt.NDArray[Any]], dtype: type[Any]) -> npt.NDArray[Any]:
    """The batches joined into one array; the list emptied."""
    joined = np.concatenate(batches) if batches else np.zeros(0, dtype)
    batches.clear()
    give_back_memory()
    return joined


def _numbers(text: str) -> I64:
    """The comma-separated integers of a text column."""
    return np.fromstring(text, dtype=np.int64, sep=",") if text else np.zeros(0, np.int64)


def _stamps(text: str, absent: int) -> I64:
    """A timestamp column (microseconds), `absent` where the version has none."""
    values = _numbers(text)
    values[values == NO_STAMP] = absent
    return values


def _joined_strings(text: str, lengths: str) -> Strings:
    """Strings from their texts joined without separator and their lengths in bytes."""
    sizes = _numbers(lengths)
    offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    data = np.frombuffer(text.encode(), dtype=np.uint8)
    if len(data) != offsets[-1]:  # the store's two columns must agree
        raise CannotRun(f"the index read {len(data)} bytes of text for {offsets[-1]} expected")
    return Strings(data, offsets)


def _codes(raw: list[Any], codes: dict[Meta, int], convert: Callable[[Any], Meta]) -> I32:
    """The code of each raw metadata tuple in `codes` (new ones added), each distinct
    tuple converted once."""
    local = {r: codes.setdefault(convert(r), len(codes)) for r in dict.fromkeys(raw)}
    return np.fromiter(map(local.__getitem__, raw), np.int32, len(raw))


_ENTRY_TYPES = (np.uint64, np.int64, np.int64, np.int64, np.int32)
_ROW_TYPES = (("key_hash", np.uint64), ("fast_hash", np.uint64), ("has_fast", np.bool_),
              ("net_bits", np.int16), ("net_value", np.uint64))  # fmt: skip
