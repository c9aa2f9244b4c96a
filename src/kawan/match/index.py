"""The compiled indicator index (pure): the usable rows of an indicator table, looked up
by the keys log values hold, and the fast prefilter built from them.

A row is one comparison of one indicator (`[domain-name:value = 'evil.com']` gives one,
an OR of three gives three), with the indicator's id, creator and marking. Exact lookup
goes through the rows' key hashes (sorted, searched in one numpy call per batch of keys)
and then compares the key's bytes, so a hash collision never makes a hit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kawan.match.fast import FastFilter, hash_keys
from kawan.match.table import ID_PREFIX, V6, Bools, Meta, Strings, Table, rows_of, url_host
from kawan.match.tokens import parents
from kawan.stix.markings import Tlp

I32 = npt.NDArray[np.int32]
U64 = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class Row:
    indicator: str
    creator: str
    marking: str
    key: str  # `d:evil.com`, `4:10.0.0.0/24`, `u:http://evil.com/x` ...


class Rows:
    """The usable rows of a table; `rows[n]` is row n of the table (a hit's `row`)."""

    def __init__(self, table: Table, usable: I32) -> None:
        self.table, self.usable = table, usable
        self._labels = [_label(m) for m in table.metas]

    def __len__(self) -> int:
        return len(self.usable)

    def __getitem__(self, n: int) -> Row:
        t = self.table
        entry = int(t.entry[n])
        creator, marking = self._labels[int(t.meta[entry])]
        return Row(ID_PREFIX + t.ids[entry], creator, marking, t.keys[n])

    def __iter__(self) -> Iterator[Row]:
        return (self[int(n)] for n in self.usable)


def _label(meta: Meta) -> tuple[str, str]:
    return meta[0] or meta[1], Tlp(meta[2]).label


def table_of(rows: Sequence[Row]) -> Table:
    """A table of hand-made rows (tests, tools): one entry per row."""
    metas: dict[Meta, int] = {}
    codes = [metas.setdefault((r.creator, r.creator, int(Tlp.parse(r.marking)), "", True,
                               None, None, ""), len(metas)) for r in rows]  # fmt: skip
    ids = [r.indicator.removeprefix(ID_PREFIX).encode() for r in rows]
    count = len(rows)
    return Table(
        list(metas), Strings.of(ids), hash_keys(ids), np.arange(count, dtype=np.int64),
        np.zeros(count, np.int64), np.full(count, np.iinfo(np.int64).max, np.int64),
        np.array(codes, np.int32),
        **rows_of(Strings.of([r.key.encode() for r in rows]), np.arange(count, dtype=np.int32)),
    )  # fmt: skip


@dataclass(frozen=True)
class Lookup:
    """What exact lookup and the prefilter search, over every row of a table, usable or
    not (a row that is not usable is skipped when found): saved with the table, so that
    an index loaded from the cache is memory maps, not sorts."""

    order: I32  # the rows in key-hash order
    sorted_hash: U64  # key_hash[order]
    fast: U64  # the distinct prefilter hashes, sorted

    @classmethod
    def of(cls, table: Table) -> Lookup:
        order = np.argsort(table.key_hash, kind="stable").astype(np.int32)
        fast = np.sort(table.fast_hash[table.has_fast])  # distinct: a sort, not np.unique's
        fast = fast[np.concatenate(([True], fast[1:] != fast[:-1]))] if len(fast) else fast
        return cls(order, np.ascontiguousarray(table.key_hash[order]), fast)

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        return {"order": self.order, "sorted_hash": self.sorted_hash, "fast": self.fast}


class Index:
    """The usable rows of a table, looked up by the keys log values hold."""

    def __init__(
        self, source: Sequence[Row] | Table, usable: Bools | None = None,
        lookup: Lookup | None = None,
    ) -> None:  # fmt: skip
        table = source if isinstance(source, Table) else table_of(source)
        ok = np.ones(len(table.entry), np.bool_) if usable is None else usable[table.entry]
        lookup = lookup or Lookup.of(table)
        self.table, self._ok = table, ok
        self.rows = Rows(table, np.flatnonzero(ok).astype(np.int32))
        self._order, self._sorted = lookup.order, lookup.sorted_hash
        nets = ok & (table.net_bits >= 0)
        self._cidr4 = _cidr4_tables(table, nets & (table.net_bits < V6))
        self._cidr6 = _cidr6_tables(table, nets & (table.net_bits >= V6))
        self._ipv6_hosts = _ipv6_hosts(table, ok)
        cidr4 = tuple((length, nets_) for length, nets_, _ in self._cidr4)
        probe = self._ipv6_may_hit if self._ipv6_hosts or self._cidr6 else None
        self.fast = FastFilter.from_sorted(lookup.fast, cidr4, probe)

    def __len__(self) -> int:
        return len(self.rows)

    def lookup(self, key: str) -> list[int]:
        """Rows matched by one key a log value holds (subdomains, CIDRs included)."""
        return self.lookup_many([key])[0]

    def lookup_many(self, keys: Sequence[str]) -> list[list[int]]:
        """`lookup` of many keys at once (one numpy search for all of them)."""
        found: list[list[int]] = [[] for _ in keys]
        wanted: list[bytes] = []
        owners: list[int] = []
        for n, key in enumerate(keys):
            names = [f"d:{p}" for p in parents(key[2:])] if key[0] == "d" else [key]
            wanted.extend(name.encode() for name in names)
            owners.extend([n] * len(names))
        self._exact(wanted, owners, found)
        if self._cidr4 or self._cidr6:
            v4 = [n for n, key in enumerate(keys) if key[0] == "4"]
            for n, rows in zip(v4, self._in_networks4([keys[n][2:] for n in v4]), strict=True):
                found[n].extend(rows)
            for n, key in enumerate(keys):
                if key[0] == "6":
                    found[n].extend(self._in_networks(key[2:], False))
        return found

    def _in_networks4(self, texts: list[str]) -> list[list[int]]:
        """`_in_networks` of many IPv4 keys at once (one numpy search per prefix length)."""
        found: list[list[int]] = [[] for _ in texts]
        numbers: list[int] = []
        plain: list[bool] = []
        for n, text in enumerate(texts):
            try:
                numbers.append(int(ipaddress.IPv4Address(text)))
                plain.append(True)
            except ValueError:
                numbers.append(0)
                plain.append(False)
                found[n] = self._in_networks(text, True)  # not IPv4 after all
        addresses = np.array(numbers, dtype=np.uint64)
        for length, nets, rows in self._cidr4:
            wanted = addresses >> np.uint64(32 - length)
            low = np.searchsorted(nets, wanted, side="left")
            high = np.searchsorted(nets, wanted, side="right")
            for n in np.flatnonzero(high > low).tolist():
                if plain[n]:
                    found[n].extend(int(r) for r in rows[low[n] : high[n]])
        return found

    def _exact(self, wanted: list[bytes], owners: list[int], found: list[list[int]]) -> None:
        if not wanted or not len(self._sorted):
            return
        hashes = hash_keys(wanted)
        low = np.searchsorted(self._sorted, hashes, side="left")
        high = np.searchsorted(self._sorted, hashes, side="right")
        keys = self.table.keys
        for n in np.flatnonzero(high > low).tolist():
            for at in range(int(low[n]), int(high[n])):
                row = int(self._order[at])
                if self._ok[row] and keys.raw(row) == wanted[n]:
                    found[owners[n]].append(row)

    def _in_networks(self, text: str, v4: bool) -> list[int]:
        try:
            address = int(ipaddress.ip_address(text))
        except ValueError:
            return []
        if not v4:
            return [r for bits, table in self._cidr6.items()
                    for r in table.get(address >> (128 - (bits - V6)), ())]  # fmt: skip
        found: list[int] = []
        for length, nets, rows in self._cidr4:
            net = np.uint64(address >> (32 - length))
            low = int(np.searchsorted(nets, net, side="left"))
            high = int(np.searchsorted(nets, net, side="right"))
            found.extend(int(r) for r in rows[low:high])
        return found

    def _ipv6_may_hit(self, text: str) -> bool:
        try:
            address = ipaddress.IPv6Address(text.strip("."))
        except ValueError:
            return False
        return str(address) in self._ipv6_hosts or bool(self._in_networks(str(address), False))


def _cidr4_tables(table: Table, mask: Bools) -> list[tuple[int, U64, I32]]:
    """(prefix length, sorted networks, their rows) per IPv4 prefix length."""
    rows = np.flatnonzero(mask).astype(np.int32)
    bits = table.net_bits[rows]
    out = []
    for length in np.unique(bits).tolist():
        chosen = rows[bits == length]
        nets = table.net_value[chosen]
        order = np.argsort(nets, kind="stable")
        out.append((int(length), nets[order], chosen[order]))
    return out


def _cidr6_tables(table: Table, mask: Bools) -> dict[int, dict[int, list[int]]]:
    out: dict[int, dict[int, list[int]]] = {}
    for row in np.flatnonzero(mask).tolist():
        net = ipaddress.IPv6Network(table.keys[row][2:], strict=False)
        value = int(net.network_address) >> (128 - net.prefixlen)
        out.setdefault(V6 + net.prefixlen, {}).setdefault(value, []).append(row)
    return out


def _ipv6_hosts(table: Table, ok: Bools) -> set[str]:
    """IPv6 addresses the index holds (as keys or URL hosts): the prefilter's IPv6 probe."""
    maybe = np.flatnonzero(ok & ~table.has_fast & (table.net_bits < 0))  # IPv6: no word
    starts = table.keys.offsets[maybe]
    kinds = table.keys.data[starts] if len(starts) else np.zeros(0, np.uint8)
    rows = maybe[(kinds == ord("6")) | (kinds == ord("u"))]
    hosts = {table.keys[n][2:] if table.keys[n][0] == "6" else url_host(table.keys[n][2:])
             for n in rows.tolist()}  # fmt: skip
    return {h for h in hosts if ":" in h}
