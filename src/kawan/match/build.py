"""The indicator table from store rows (pure numpy): a complete read's batches, each
comparison with its version's columns (`EntriesBuilder`), or the versions and comparisons
added since a cursor, joined on `date_added` (`Builder`)."""

from __future__ import annotations

import ctypes
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kawan.errors import CannotRun
from kawan.match.fast import hash_keys, hash_spans, span_codes
from kawan.match.table import (
    I32,
    I64,
    ID_PREFIX,
    KINDS,
    NO_END,
    U8,
    U64,
    Bools,
    Meta,
    Strings,
    Table,
    assemble,
    rows_of,
)
from kawan.store.indicators import (
    ID_WIDTH,
    NO_STAMP,
    UNIT,
    EntryBatch,
    KeyBatch,
    VersionBatch,
    decode_meta,
)

PREFIXES = {name: f"{kind}:" for name, kind in KINDS.items()}
_PREFIX_WIDTH = 2  # bytes of every prefix: a kind letter and ":"
UUID_WIDTH = ID_WIDTH - len(ID_PREFIX)  # an id as the table keeps it


class Builder:
    """Turns batches of store rows into a table: the indicator versions (`add_versions`),
    then their pattern comparisons (`add_keys`), joined on `date_added` in `table()`.

    Revoked versions, versions without a comparison and comparisons of versions not read
    are left out. The ids of every version read (kept or not) are kept too: the update
    drops the entries of an older table they supersede."""

    def __init__(self) -> None:
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
        metas = _meta_codes(batch, self._metas)
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


class EntriesBuilder:
    """Turns the batches of a complete read (`indicator_entries`: each comparison with its
    version's columns) into a table. Batches may come in any order (several readers);
    each is in index row order, in which a version's comparisons are consecutive."""

    def __init__(self, cursor: int) -> None:
        self.cursor = cursor  # where the read leaves the cursor of later reads
        self._metas: dict[Meta, int] = {}
        self._parts: list[Part] = []

    def add(self, batch: EntryBatch) -> None:
        self.add_part(part_of(batch))

    def add_part(self, part: Part) -> None:
        """A batch made a part (`part_of`), here or in another process."""
        remap = np.array([self._metas.setdefault(m, len(self._metas)) for m in part.metas] or [0])
        part.entries[4] = remap.astype(np.int32)[part.entries[4]]
        part.metas = []
        self._parts.append(part)

    def table(self) -> Table:
        """The versions and their rows, versions in `date_added` order. The parts are let
        go column by column as the table's columns are joined (at 10M indicators, two
        copies of the table would not fit in the memory the matcher may use)."""
        parts = sorted(self._parts, key=lambda p: int(p.entries[1][0]) if len(p.owner) else 0)
        self._parts = []
        bases = np.cumsum([0] + [len(p.entries[0]) for p in parts])
        owners = [
            p.owner + b for p, b in zip(parts, bases.tolist(), strict=False)
        ]  # numbered across parts
        entry_parts = [[p.entries[n] for p in parts] for n in range(len(_ENTRY_TYPES))]
        row_parts = [[p.rows[n] for p in parts] for n in range(len(_ROW_TYPES))]
        key_parts, id_parts = [p.keys for p in parts], [p.ids for p in parts]
        del parts
        entries = [_drained(c, t) for c, t in zip(entry_parts, _ENTRY_TYPES, strict=True)]
        rows = [_drained(c, t) for c, (_, t) in zip(row_parts, _ROW_TYPES, strict=True)]
        rows.append(_drained(owners, np.int32))
        keys = _drained_strings(key_parts)
        ids = _drained(id_parts, np.uint8)
        stamps = entries[1]
        if len(stamps) > 1 and not bool(np.all(stamps[1:] > stamps[:-1])):
            # a version's rows split by a batch's end (its entry comes twice, side by
            # side), or rows not in date_added order
            order = None if bool(np.all(stamps[1:] >= stamps[:-1])) else np.argsort(stamps)
            ordered = stamps if order is None else stamps[order]
            first = np.ones(len(stamps), np.bool_)
            np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
            renumber = np.cumsum(first, dtype=np.int32) - 1
            if order is not None:
                renumber[order] = renumber.copy()
                first[order] = first.copy()
            rows[-1] = renumber[rows[-1]]
            kept = np.flatnonzero(first) if order is None else order[first[order]]
            entries = [e[kept] for e in entries]
            ids = ids.reshape(-1, UUID_WIDTH)[kept].reshape(-1)
        offsets = np.arange(len(entries[0]) + 1, dtype=np.int64) * UUID_WIDTH
        return assemble(list(self._metas), Strings(ids, offsets), entries, keys, rows)


@dataclass
class Part:
    """One batch of a complete read as arrays: its versions (ids, then the entry columns,
    `meta` coding `metas`) and their rows (keys, the row columns, and each
    row's version in the part)."""

    metas: list[Meta]
    ids: U8
    entries: list[npt.NDArray[Any]]
    keys: Strings
    rows: list[npt.NDArray[Any]]
    owner: I32


def part_of(batch: EntryBatch) -> Part:
    """A batch of `indicator_entries` as arrays; a version's rows, consecutive in the
    batch, become one entry."""
    stamps = _numbers(batch.date_added)
    if batch.value_lengths is None:
        values = _separated_strings(batch.values, UNIT, batch.count)
    else:
        values = _joined_strings(batch.values, batch.value_lengths)
    keys = _prefixed(values, *_field_codes(batch.types, UNIT, batch.count))
    data = np.frombuffer(batch.ids.encode(), np.uint8)
    if len(data) != ID_WIDTH * batch.count:
        raise CannotRun(f"the index read {len(data)} bytes of ids for {batch.count} ids")
    first = np.ones(len(stamps), np.bool_)  # a version's first row in the batch
    np.not_equal(stamps[1:], stamps[:-1], out=first[1:])
    metas: dict[Meta, int] = {}
    codes = _meta_codes(batch, metas)[first]
    owner = np.cumsum(first, dtype=np.int32) - 1
    ids = data.reshape(-1, ID_WIDTH)[first, len(ID_PREFIX) :].reshape(-1)
    valid = [_stamps(batch.valid_from, 0)[first], _stamps(batch.valid_until, NO_END)[first]]
    ends = np.arange(1, len(ids) // UUID_WIDTH + 1, dtype=np.int64) * UUID_WIDTH
    id_hash = hash_spans(ids, ends - UUID_WIDTH, ends, 0)[0]  # here: in a reader's process
    columns: list[npt.NDArray[Any]] = [id_hash, stamps[first], *valid, codes]
    rows = rows_of(keys, owner)
    # rows in key-hash order: the table's rows are then a run per part, which the sort
    # of every row by key hash (`index.Lookup.of`) merges instead of sorting again
    order = np.argsort(rows["key_hash"], kind="stable")
    row_columns = [rows[name][order] for name, _ in _ROW_TYPES]
    return Part(list(metas), ids, columns, keys.take(order), row_columns, owner[order])


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
    """The batches joined into one array, allocated once and filled batch by batch, each
    batch let go once copied (the list emptied): never two copies of the whole."""
    joined = np.empty(sum(len(b) for b in batches), batches[0].dtype if batches else dtype)
    at = 0
    batches.reverse()
    for n in range(len(batches)):
        batch = batches.pop()
        joined[at : at + len(batch)] = batch
        at += len(batch)
        del batch
        if n % 8 == 7:
            give_back_memory()
    give_back_memory()
    return joined


def _drained_strings(parts: list[Strings]) -> Strings:
    """`Strings.concat` of the parts, each let go once copied (the list emptied)."""
    offsets = np.zeros(sum(len(p) for p in parts) + 1, np.int64)
    datas, at, base = [], 0, 0
    parts.reverse()
    while parts:
        part = parts.pop()  # its offsets let go once copied; its bytes go to `datas`
        offsets[at + 1 : at + len(part) + 1] = part.offsets[1:] + base
        at, base = at + len(part), base + len(part.data)
        datas.append(part.data)
        del part
    return Strings(_drained(datas, np.uint8), offsets)


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


def _meta_codes(batch: VersionBatch | EntryBatch, codes: dict[Meta, int]) -> I32:
    """Each row's metadata as its code in `codes` (new metadata added). A batch holds few
    distinct values in each column: each column is coded natively, then each distinct
    combination of the four decoded once (no Python object per row)."""
    b = batch
    texts = ((b.creators, UNIT), (b.origins, UNIT), (b.flags, ","), (b.access, UNIT))
    columns = [_field_codes(text, sep, b.count) for text, sep in texts]
    combined, bound = np.zeros(batch.count, np.int64), 1
    for coded, values in columns:
        if bound * len(values) >= 2**62:  # renumbered densely before the product could overflow
            combined = np.unique(combined, return_inverse=True)[1].astype(np.int64)
            bound = batch.count
        combined = combined * len(values) + coded
        bound *= max(len(values), 1)
    firsts, inverse = np.unique(combined, return_index=True, return_inverse=True)[1:]
    local = [codes.setdefault(decode_meta([v[c[int(f)]] for c, v in columns]), len(codes))
             for f in firsts]  # fmt: skip
    return np.array(local, np.int32)[inverse] if local else np.zeros(0, np.int32)


def _separated_strings(text: str, sep: str, count: int) -> Strings:
    """The `count` fields of `text` split at `sep` (which no field holds), as Strings."""
    data = np.frombuffer(text.encode(), np.uint8)
    if not count:
        return Strings.of([])
    cuts = np.flatnonzero(data == ord(sep))
    if len(cuts) != count - 1:  # the store's columns must agree
        raise CannotRun(f"the index read {len(cuts) + 1} keys for {count} rows")
    lengths = np.diff(np.concatenate([[-1], cuts, [len(data)]])) - 1
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Strings(data[data != ord(sep)], offsets)


def _prefixed(values: Strings, types: I32, names: list[str]) -> Strings:
    """The keys of these values: each value after its type's prefix (`PREFIXES`: two
    bytes each), `types` coding each value's type as an index into `names`."""
    unknown = [name for name in names if name not in PREFIXES]
    if unknown:  # the read asks only for these types
        raise CannotRun(f"the index read comparisons of type {unknown[0]!r}")
    prefix = np.frombuffer("".join(PREFIXES[n] for n in names).encode(), np.uint8)
    prefix = prefix.reshape(-1, _PREFIX_WIDTH)
    offsets = values.offsets + _PREFIX_WIDTH * np.arange(len(values) + 1, dtype=np.int64)
    data = np.empty(int(offsets[-1]), dtype=np.uint8)
    body = np.ones(len(data), dtype=np.bool_)
    for byte in range(_PREFIX_WIDTH):
        at = offsets[:-1] + byte
        data[at] = prefix[types, byte]
        body[at] = False
    data[body] = values.data
    return Strings(data, offsets)


def _field_codes(text: str, sep: str, count: int) -> tuple[I32, list[str]]:
    """The code of each of the `count` fields of `text` (split at `sep`), and the distinct
    fields by code."""
    if not count:
        return np.zeros(0, np.int32), []
    data = np.frombuffer(text.encode(), np.uint8)
    cuts = np.flatnonzero(data == ord(sep))
    if len(cuts) != count - 1:  # the store's columns must agree
        raise CannotRun(f"the index read {len(cuts) + 1} values for {count} rows")
    starts = np.concatenate([[0], cuts + 1]).astype(np.int64)
    ends = np.concatenate([cuts, [len(data)]]).astype(np.int64)
    coded, _ = span_codes(data, starts, ends)
    firsts = np.unique(coded, return_index=True)[1]
    return coded, [data[starts[f] : ends[f]].tobytes().decode() for f in firsts]


_ENTRY_TYPES = (np.uint64, np.int64, np.int64, np.int64, np.int32)
_ROW_TYPES = (("key_hash", np.uint64), ("fast_hash", np.uint64), ("has_fast", np.bool_),
              ("net_bits", np.int16), ("net_value", np.uint64))  # fmt: skip
