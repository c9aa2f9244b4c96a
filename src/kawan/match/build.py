"""The indicator table from store rows (pure numpy): the latest indicator versions and
their pattern comparisons, read in batches, joined on `date_added` (`Builder`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from kawan.match.fast import hash_keys, hash_spans
from kawan.match.table import (
    I32,
    I64,
    KINDS,
    NO_END,
    U64,
    Meta,
    Strings,
    Table,
    assemble,
    rows_of,
)
from kawan.stix.timestamps import parse_us
from kawan.store.indicators import IndicatorVersions, PatternKeys

_PREFIXES = {name: f"{kind}:" for name, kind in KINDS.items()}


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
        self._parsed: dict[str | None, int | None] = {}
        # batches of each column: id_hash, date_added, valid_from, valid_until, meta
        self._entries: list[list[npt.NDArray[Any]]] = [[] for _ in _ENTRY_TYPES]
        self._ids: list[Strings] = []
        self._read: list[tuple[Strings, U64]] = []
        self._row_stamps: list[I64] = []  # the date_added of each row's version
        self._rows: dict[str, list[npt.NDArray[Any]]] = {name: [] for name, _ in _ROW_TYPES}
        self._keys: list[Strings] = []

    def add_versions(self, cols: IndicatorVersions) -> None:
        if not len(cols):
            return
        self.read += len(cols)
        self.cursor = max(self.cursor, int(cols.date_added[-1]))
        ids = _strings(cols.id)
        if self.track:
            self._read.append((ids, hash_spans(ids.data, ids.offsets[:-1], ids.offsets[1:], 0)[0]))
        kept = ~np.fromiter(cols.revoked, np.bool_, len(cols))
        ids = ids.keep(kept)
        metas = zip(cols.created_by_ref, cols.origin, cols.tlp, cols.groups, cols.from_object,
                    cols.recorded, cols.brought_by, cols.readers, strict=True)  # fmt: skip
        self._ids.append(ids)
        columns: list[npt.NDArray[Any]] = [
            hash_spans(ids.data, ids.offsets[:-1], ids.offsets[1:], 0)[0],
            np.fromiter(cols.date_added, np.int64, len(cols))[kept],
            self._times(cols.valid_from, 0)[kept],
            self._times(cols.valid_until, NO_END)[kept],
            _codes(list(metas), self._metas, _meta)[kept],
        ]
        for batches, column in zip(self._entries, columns, strict=True):
            batches.append(column)

    def add_keys(self, cols: PatternKeys) -> None:
        prefixes = [_PREFIXES.get(t) for t in cols.obs_type]
        picked = np.fromiter((p is not None for p in prefixes), np.bool_, len(cols))
        keys = [p + v for p, v in zip(prefixes, cols.value, strict=True) if p is not None]
        self._row_stamps.append(np.fromiter(cols.date_added, np.int64, len(cols))[picked])
        rows = rows_of(_strings(keys), np.zeros(len(keys), np.int32))
        self._keys.append(rows["keys"])
        for name, batches in self._rows.items():
            batches.append(rows[name])

    def forget(self, ids: Sequence[str]) -> None:
        """Drop these indicators from the old table too (superseded, or deleted)."""
        encoded = [i.encode() for i in ids]
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
        keep = np.zeros(len(stamps), np.bool_)
        keep[at[found]] = True
        renumber = (np.cumsum(keep) - 1).astype(np.int32)
        rows = [_drained(self._rows[name], t)[found] for name, t in _ROW_TYPES]
        rows.append(renumber[at[found]])
        keys = Strings.concat(self._keys).keep(found)
        self._keys.clear()
        ids = Strings.concat(self._ids).keep(keep)
        self._ids.clear()
        return assemble(list(self._metas), ids, [e[keep] for e in entries], keys, rows)

    def _times(self, texts: Sequence[str | None], absent: int) -> I64:
        """Microseconds of each timestamp text (each distinct one parsed once); `absent`
        for NULL."""
        known = self._parsed
        for text in set(texts).difference(known):
            known[text] = parse_us(text, field="valid_from") if text is not None else None
        values = (absent if v is None else v for v in map(known.__getitem__, texts))
        return np.fromiter(values, np.int64, len(texts))


def _drained(batches: list[npt.NDArray[Any]], dtype: type[Any]) -> npt.NDArray[Any]:
    """The batches joined into one array; the list emptied."""
    joined = np.concatenate(batches) if batches else np.zeros(0, dtype)
    batches.clear()
    return joined


def _strings(texts: Sequence[str]) -> Strings:
    """`Strings.of` for str, joined in one call when all are ASCII (ids always are)."""
    blob = "".join(texts).encode()
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    if len(blob) != int(lengths.sum()):
        return Strings.of([t.encode() for t in texts])
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return Strings(np.frombuffer(blob, dtype=np.uint8), offsets)


def _codes(raw: list[Any], codes: dict[Meta, int], convert: Callable[[Any], Meta]) -> I32:
    """The code of each raw metadata tuple in `codes` (new ones added), each distinct
    tuple converted once."""
    local = {r: codes.setdefault(convert(r), len(codes)) for r in dict.fromkeys(raw)}
    return np.fromiter(map(local.__getitem__, raw), np.int32, len(raw))


_ENTRY_TYPES = (np.uint64, np.int64, np.int64, np.int64, np.int32)
_ROW_TYPES = (("key_hash", np.uint64), ("fast_hash", np.uint64), ("has_fast", np.bool_),
              ("net_bits", np.int16), ("net_value", np.uint64))  # fmt: skip


def _meta(raw: Any) -> Meta:
    created_by_ref, origin, tlp, groups, from_object, recorded, brought_by, readers = raw
    return (created_by_ref, origin, int(tlp), groups or "", bool(from_object), recorded,
            brought_by, readers or "")  # fmt: skip
