"""Looking many keys up at once gives each key's rows, as the definition says."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from kawan.match.index import Index, Row

OCTETS = st.sampled_from([0, 1, 2, 10, 45, 128, 255])
IPS = st.builds(lambda o: ".".join(map(str, o)), st.lists(OCTETS, min_size=4, max_size=4))
NETWORKS = st.builds(
    lambda ip, bits: str(ipaddress.IPv4Network(f"{ip}/{bits}", strict=False)),
    IPS,
    st.sampled_from([0, 1, 8, 16, 24, 31, 32]),
)


@settings(max_examples=150, deadline=None)
@given(
    networks=st.lists(st.one_of(NETWORKS, IPS), min_size=1, max_size=6),
    asked=st.lists(st.one_of(IPS, st.sampled_from(["1.2.3", "x"])), max_size=8),
)
def test_lookup_many_of_ipv4_keys(networks: list[str], asked: list[str]) -> None:
    rows = [Row(f"indicator--{n}", "c", "amber", f"4:{net}") for n, net in enumerate(networks)]
    index = Index(rows)
    keys = [f"4:{text}" for text in asked]
    got = [sorted(found) for found in index.lookup_many(keys)]
    want = []
    for text in asked:
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            want.append([])
            continue
        want.append(
            sorted(n for n, net in enumerate(networks) if address in ipaddress.IPv4Network(net))
        )
    assert got == want
