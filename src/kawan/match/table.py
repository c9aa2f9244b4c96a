"""The candidate indicators as columns (pure numpy): built from store rows in batches
(`build.py`), merged with newer rows, saved as `.npy` files and loaded with mmap.

*Entries* are indicator versions: id, date_added, valid_from, valid_until and `meta`, an
index into `metas` (the metadata visibility is decided from, one tuple per distinct
combination). *Rows* are their comparisons: the key (`d:evil.com`), its entry, the key's
hash (exact lookup), the hash of what the prefilter looks for, and the CIDR network if
the key is one. Strings live in one byte array with offsets, never as Python objects.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt
import orjson

from kawan.match.fast import hash_keys, hash_spans, ipv4_networks

U8 = npt.NDArray[np.uint8]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I16 = npt.NDArray[np.int16]
Bools = npt.NDArray[np.bool_]
NO_END = np.iinfo(np.int64).max
ID_PREFIX = "indicator--"  # every entry's id starts so; `ids` hold the rest
V6 = 1000  # net_bits of an IPv6 network: V6 + prefix length
# created_by_ref, origin, tlp, groups, from_object, recorded tlp, brought_by, readers
Meta = tuple[str | None, str, int, str, bool, int | None, str | None, str]
KINDS = {"domain-name": "d", "ipv4-addr": "4", "ipv6-addr": "6", "url": "u",
         "email-addr": "e", "file": "h", "phone-number": "p"}  # fmt: skip


@dataclass(frozen=True)
class Strings:
    """Many strings as one UTF-8 byte array and offsets (`offsets[n]:offsets[n + 1]`)."""

    data: U8
    offsets: I64

    @classmethod
    def of(cls, encoded: Sequence[bytes]) -> Strings:
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    @classmethod
    def concat(cls, parts: Sequence[Strings]) -> Strings:
        if not parts:
            return cls.of([])
        bases = np.cumsum([0] + [len(p.data) for p in parts[:-1]])
        offsets = [parts[0].offsets[:1]] + [
            p.offsets[1:] + b for p, b in zip(parts, bases, strict=True)
        ]
        return cls(np.concatenate([p.data for p in parts]), np.concatenate(offsets))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, n: int) -> bytes:
        return self.data[self.offsets[n] : self.offsets[n + 1]].tobytes()

    def __getitem__(self, n: int) -> str:
        return self.raw(n).decode("utf-8")

    def take(self, order: npt.NDArray[np.intp]) -> Strings:
        """The strings in this order (each index once at most)."""
        lengths = np.diff(self.offsets)[order]
        offsets = np.zeros(len(order) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        at = np.repeat(self.offsets[:-1][order] - offsets[:-1], lengths)
        at += np.arange(int(offsets[-1]), dtype=np.int64)
        return Strings(self.data[at], offsets)

    def keep(self, mask: Bools) -> Strings:
        lengths = np.diff(self.offsets)
        offsets = np.zeros(int(mask.sum()) + 1, dtype=np.int64)
        np.cumsum(lengths[mask], out=offsets[1:])
        return Strings(self.data[np.repeat(mask, lengths)], offsets)


@dataclass
class Table:
    metas: list[Meta]
    ids: Strings  # entries
    id_hash: U64
    date_added: I64
    valid_from: I64
    valid_until: I64  # NO_END: none
    meta: I32
    keys: Strings  # rows
    key_hash: U64
    fast_hash: U64
    has_fast: Bools
    net_bits: I16  # -1: not a network; 0-32 IPv4 prefix length; V6 + IPv6 prefix length
    net_value: U64  # an IPv4 network's address >> (32 - length)
    entry: I32

    @property
    def cursor(self) -> int:
        return int(self.date_added.max()) if len(self.date_added) else 0

    def keep_entries(self, keep: Bools) -> Table:
        """Only the entries in `keep`, with their rows."""
        renumber = (np.cumsum(keep) - 1).astype(np.int32)
        rows = keep[self.entry]
        row_arrays = [a[rows] for a in self._row_arrays()]
        row_arrays[-1] = renumber[self.entry[rows]]
        return assemble(self.metas, self.ids.keep(keep), [a[keep] for a in self._entry_arrays()],
                        self.keys.keep(rows), row_arrays)  # fmt: skip

    def _entry_arrays(self) -> list[npt.NDArray[Any]]:
        return [self.id_hash, self.date_added, self.valid_from, self.valid_until, self.meta]

    def _row_arrays(self) -> list[npt.NDArray[Any]]:
        return [self.key_hash, self.fast_hash, self.has_fast, self.net_bits, self.net_value,
                self.entry]  # fmt: skip

    def digest(self) -> str:
        """A content hash of the set of entries (ids and versions)."""
        import hashlib

        with np.errstate(over="ignore"):
            mixed = np.sort(self.id_hash ^ (self.date_added.astype(np.uint64) * np.uint64(31)))
        return hashlib.blake2b(mixed.data, digest_size=16).hexdigest()  # the buffer, no copy


def empty() -> Table:
    return concat([])


def concat(parts: Sequence[Table]) -> Table:
    """One table of all parts (their metas merged; entries renumbered)."""
    metas: dict[Meta, int] = {}
    entry_parts: list[list[npt.NDArray[Any]]] = [[] for _ in range(5)]
    row_parts: list[list[npt.NDArray[Any]]] = [[] for _ in range(6)]
    base = 0
    for part in parts:
        remap = np.array([metas.setdefault(m, len(metas)) for m in part.metas] or [0], np.int32)
        arrays = part._entry_arrays()
        arrays[-1] = remap[part.meta] if len(part.meta) else part.meta
        for store, array in zip(entry_parts, arrays, strict=True):
            store.append(array)
        rows = part._row_arrays()
        rows[-1] = rows[-1] + base
        for store, array in zip(row_parts, rows, strict=True):
            store.append(array)
        base += len(part.ids)
    types = (np.uint64, np.int64, np.int64, np.int64, np.int32, np.uint64, np.uint64,
             np.bool_, np.int16, np.uint64, np.int32)  # fmt: skip
    joined = [np.concatenate(p) if p else np.zeros(0, t)
              for p, t in zip([*entry_parts, *row_parts], types, strict=True)]  # fmt: skip
    return assemble(list(metas), Strings.concat([p.ids for p in parts]), joined[:5],
                    Strings.concat([p.keys for p in parts]), joined[5:])  # fmt: skip


def assemble(metas: list[Meta], ids: Strings, entries: Sequence[npt.NDArray[Any]], keys: Strings,
             rows: Sequence[npt.NDArray[Any]]) -> Table:  # fmt: skip
    """A table from its entry arrays and row arrays, in `Table`'s field order."""
    e, r = entries, rows
    return Table(metas, ids, e[0], e[1], e[2], e[3], e[4], keys, r[0], r[1], r[2], r[3], r[4], r[5])


def merge(old: Table, fresh: Table, superseded: Strings, superseded_hash: U64) -> Table:
    """`old` without the entries `superseded` names (newer versions were read), plus `fresh`."""
    drop = np.isin(old.id_hash, superseded_hash)
    if drop.any():
        wanted = {superseded.raw(n) for n in range(len(superseded))}
        for n in np.flatnonzero(drop):
            drop[n] = old.ids.raw(int(n)) in wanted
    return concat([old.keep_entries(~drop) if drop.any() else old, fresh])


def rows_of(strings: Strings, owners: I32) -> dict[str, Any]:
    """The row columns of these keys (`kind:value`) and their entries."""
    starts, ends = strings.offsets[:-1], strings.offsets[1:]
    key_hash, fast_hash = hash_spans(strings.data, starts, ends, 2)
    # the key's value is what the prefilter looks for, except for the kinds below:
    kinds = strings.data[starts] if len(strings) else np.zeros(0, np.uint8)
    slashed = np.zeros(len(strings), dtype=np.bool_)  # keys holding a "/"
    slashed[np.searchsorted(ends, np.flatnonzero(strings.data == ord("/")), side="right")] = True
    plain = np.isin(kinds, _PLAIN) & ~((kinds == ord("4")) & slashed)
    has_fast = np.ones(len(strings), dtype=np.bool_)
    bits = np.full(len(strings), -1, dtype=np.int16)
    values = np.zeros(len(strings), dtype=np.uint64)
    # IPv4 networks in canonical form natively (a feed may hold many); others below
    cidr4 = np.flatnonzero((kinds == ord("4")) & slashed)
    networks = ipv4_networks(strings.data, starts[cidr4] + 2, ends[cidr4])
    parsed = networks >= 0
    done, networks = cidr4[parsed], networks[parsed]
    bits[done], values[done] = networks >> 32, networks & 0xFFFFFFFF
    has_fast[done], fast_hash[done] = False, 0  # a network is not a word of the log
    plain[done] = True
    others = np.flatnonzero(~plain).tolist()
    found = [fast_key(strings[n]) for n in others]
    for n in others:
        key = strings[n]
        if "/" in key and key[0] in "46":
            bits[n], values[n] = network(key)
    has_fast[others] = [f is not None for f in found]
    fast_hash[others] = 0
    wanted = [n for n, f in zip(others, found, strict=True) if f is not None]
    fast_hash[wanted] = hash_keys([f.encode() for f in found if f is not None])
    return {"keys": strings, "key_hash": key_hash, "fast_hash": fast_hash, "has_fast": has_fast,
            "net_bits": bits, "net_value": values, "entry": owners}  # fmt: skip


_PLAIN = np.array([ord("d"), ord("4"), ord("h")], np.uint8)  # the value is the word (not CIDRs)


def network(key: str) -> tuple[int, int]:
    """(net_bits, net_value) of a CIDR key; IPv6 networks keep their value in the key."""
    if key.startswith("4:"):
        data = np.frombuffer(key.encode(), np.uint8)
        known = int(ipv4_networks(data, np.array([2]), np.array([len(data)]))[0])
        if known >= 0:
            return known >> 32, known & 0xFFFFFFFF
    net = ipaddress.ip_network(key[2:], strict=False)
    if net.version == 6:
        return V6 + net.prefixlen, 0
    return net.prefixlen, int(net.network_address) >> (32 - net.prefixlen)


def fast_key(key: str) -> str | None:
    """What the prefilter looks for to find a key: a word of the log (see fast.py)."""
    kind, value = key[0], key[2:]
    if kind in "46" and "/" in value:
        return None
    if kind == "u":
        host = url_host(value)
        return None if ":" in host else host
    if kind == "e":
        return value.rpartition("@")[2]
    if kind == "p":
        return value.lstrip("+")
    if kind == "6":
        return None
    return value


def url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


# ---- on disk -------------------------------------------------------------------------------

FORMAT = 4  # 4: ids without their constant `indicator--` prefix
ARRAYS = [f.name for f in fields(Table) if f.name not in ("metas", "ids", "keys")]
Arrays = dict[str, npt.NDArray[Any]]


def save(directory: Path, table: Table, header: dict[str, Any], extra: Arrays) -> None:
    """Write the table and `extra` arrays derived from it as `.npy` files, and
    `header.json`, replacing `directory` at once."""
    temporary = directory.with_name(directory.name + ".tmp")
    _remove(temporary)
    temporary.mkdir(parents=True)
    for name, strings in (("ids", table.ids), ("keys", table.keys)):
        np.save(temporary / f"{name}.data.npy", strings.data, allow_pickle=False)
        np.save(temporary / f"{name}.offsets.npy", strings.offsets, allow_pickle=False)
    for name in ARRAYS:
        np.save(temporary / f"{name}.npy", getattr(table, name), allow_pickle=False)
    for name, array in extra.items():
        np.save(temporary / f"extra.{name}.npy", array, allow_pickle=False)
    document = {**header, "format": FORMAT, "metas": table.metas, "extra": sorted(extra)}
    (temporary / "header.json").write_bytes(orjson.dumps(document))
    old = directory.with_name(directory.name + ".old")
    _remove(old)
    if directory.exists():
        directory.rename(old)
    temporary.rename(directory)
    _remove(old)


def load(directory: Path) -> tuple[Table, dict[str, Any], Arrays] | None:
    """The table, header and extra arrays saved in `directory` (arrays memory-mapped);
    None if unusable."""
    try:
        header = orjson.loads((directory / "header.json").read_bytes())
        if header.get("format") != FORMAT:
            return None
        arrays = {name: _array(directory / f"{name}.npy") for name in ARRAYS}
        strings = {
            name: Strings(_array(directory / f"{name}.data.npy"),
                          _array(directory / f"{name}.offsets.npy"))
            for name in ("ids", "keys")
        }  # fmt: skip
        metas = [_as_meta(m) for m in header.pop("metas")]
        extra = {name: _array(directory / f"extra.{name}.npy") for name in header.pop("extra")}
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None
    return Table(metas=metas, ids=strings["ids"], keys=strings["keys"], **arrays), header, extra


def _array(path: Path) -> npt.NDArray[Any]:
    """The array in `path`, memory-mapped, as a plain ndarray: the same pages, but a slice
    of it is not a `np.memmap` (whose every slice costs a few microseconds more: a hit's
    key and id are two slices)."""
    mapped = np.load(path, mmap_mode="r", allow_pickle=False)
    array: npt.NDArray[Any] = mapped.view(np.ndarray)
    return array


def _as_meta(values: list[Any]) -> Meta:
    c, o, tlp, groups, from_object, recorded, brought_by, readers = values
    return (c, o, int(tlp), groups, bool(from_object), recorded, brought_by, readers)


def _remove(directory: Path) -> None:
    if directory.exists():
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()
