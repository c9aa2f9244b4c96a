"""The compiled indicator index (pure): indicator rows, exact keys, CIDR tables and the
fast prefilter built from them.

A row is one comparison of one indicator (`[domain-name:value = 'evil.com']` gives one,
an OR of three gives three), with the indicator's id, creator and marking.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from kawan.match.fast import FastFilter, warm
from kawan.match.tokens import parents

# STIX type of an observable-index key → the matcher's kind letter (see tokens.py).
KINDS = {
    "domain-name": "d",
    "ipv4-addr": "4",
    "ipv6-addr": "6",
    "url": "u",
    "email-addr": "e",
    "file": "h",
    "phone-number": "p",
}


@dataclass(frozen=True, slots=True)
class Row:
    indicator: str
    creator: str
    marking: str
    key: str  # `d:evil.com`, `4:10.0.0.0/24`, `u:http://evil.com/x` ...


@dataclass
class Rows:
    """The rows as columns (a million `Row` objects would cost memory); `rows[n]` is one."""

    indicators: list[str]
    creators: list[str]
    markings: list[str]
    keys: list[str]

    @classmethod
    def of(cls, rows: Sequence[Row] | Rows) -> Rows:
        if isinstance(rows, Rows):
            return rows
        return cls([r.indicator for r in rows], [r.creator for r in rows],
                   [r.marking for r in rows], [r.key for r in rows])  # fmt: skip

    def __len__(self) -> int:
        return len(self.keys)

    def __getitem__(self, n: int) -> Row:
        return Row(self.indicators[n], self.creators[n], self.markings[n], self.keys[n])


def row_key(stix_type: str, value: str) -> str | None:
    """The matcher's key for an observable-index key; None for kinds it does not match."""
    kind = KINDS.get(stix_type)
    return None if kind is None else f"{kind}:{value}"


class Index:
    """Rows, looked up by the keys the log values hold."""

    def __init__(self, rows: Sequence[Row] | Rows) -> None:
        self.rows = Rows.of(rows)
        self.exact: dict[str, int] = {}  # key → its first row
        self.more: dict[str, list[int]] = {}  # key → every row, for keys of several rows
        self.networks: dict[int, dict[int, list[int]]] = defaultdict(dict)  # prefix → net
        for number, key in enumerate(self.rows.keys):
            self._add(number, key)
        self._ipv6_hosts = {k[2:] for k in self.exact if k.startswith("6:")}
        self._ipv6_hosts |= {h for h in map(_url_host, self._keys("u:")) if ":" in h}
        warm()
        self.fast = FastFilter.build(self._fast_keys(), self._cidr4(), self._ipv6_probe())

    def __len__(self) -> int:
        return len(self.rows)

    def _add(self, number: int, key: str) -> None:
        kind, value = key[0], key[2:]
        if kind in "46" and "/" in value:
            network = ipaddress.ip_network(value, strict=False)
            bits = network.prefixlen + (0 if network.version == 4 else 1000)
            table = self.networks[bits]
            net = int(network.network_address) >> (network.max_prefixlen - network.prefixlen)
            table.setdefault(net, []).append(number)
            return
        first = self.exact.setdefault(key, number)
        if first != number:
            self.more.setdefault(key, [first]).append(number)

    def _rows_of(self, key: str) -> list[int]:
        first = self.exact.get(key)
        if first is None:
            return []
        return list(self.more.get(key) or [first])

    def _keys(self, prefix: str) -> Iterator[str]:
        return (k[2:] for k in self.exact if k.startswith(prefix))

    def lookup(self, key: str) -> list[int]:
        """Rows matched by one key a log value holds (subdomains, CIDRs included)."""
        kind = key[0]
        if kind == "d":
            return [n for name in parents(key[2:]) for n in self._rows_of(f"d:{name}")]
        found = self._rows_of(key)
        if kind in "46" and self.networks:
            found.extend(self._in_networks(key[2:], kind == "4"))
        return found

    def _in_networks(self, text: str, v4: bool) -> list[int]:
        address = int(ipaddress.ip_address(text))
        width, offset = (32, 0) if v4 else (128, 1000)
        found: list[int] = []
        for bits, table in self.networks.items():
            length = bits - offset
            if 0 <= length <= width:
                found.extend(table.get(address >> (width - length), ()))
        return found

    def _fast_keys(self) -> Iterator[bytes]:
        for key in self.exact:
            fast = _fast_key(key)
            if fast:
                yield fast.encode("utf-8")

    def _cidr4(self) -> dict[int, list[int]]:
        return {bits: list(table) for bits, table in self.networks.items() if bits <= 32}

    def _ipv6_probe(self) -> Callable[[str], bool] | None:
        if not self._ipv6_hosts and not any(bits >= 1000 for bits in self.networks):
            return None
        return self._ipv6_may_hit

    def _ipv6_may_hit(self, text: str) -> bool:
        try:
            address = ipaddress.IPv6Address(text.strip("."))
        except ValueError:
            return False
        return str(address) in self._ipv6_hosts or bool(self._in_networks(str(address), False))


def _fast_key(key: str) -> str | None:
    """What the prefilter looks for to find a key: a word of the log (see fast.py)."""
    kind, value = key[0], key[2:]
    if kind == "u":
        host = _url_host(value)
        return None if ":" in host else host
    if kind == "e":
        return value.rpartition("@")[2]
    if kind == "p":
        return value.lstrip("+")
    if kind == "6":
        return None
    return value


def _url_host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
