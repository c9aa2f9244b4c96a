"""The exact matcher's IPv4 words: as `ipaddress` reads and writes them."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st

from kawan.match.tokens import _IPV4_SHAPE, word_keys

OCTETS = st.sampled_from(["0", "00", "000", "01", "010", "1", "9", "10", "99", "100", "199",
                          "255", "256", "299", "300", "999", "٣"])  # fmt: skip
SHAPED = st.builds(".".join, st.lists(OCTETS, min_size=4, max_size=4))


@given(text=SHAPED, tail=st.sampled_from(["", ".", "\n"]))
def test_ipv4_words_are_keyed_as_ipaddress_writes_them(text: str, tail: str) -> None:
    word = text + tail
    if not _IPV4_SHAPE.match(word.lower()[:-1] if word.endswith(".") else word.lower()):
        return  # not IPv4-shaped: another branch
    try:
        want: tuple[str, ...] = (f"4:{ipaddress.IPv4Address(word.removesuffix('.'))}",)
    except ValueError:
        want = ()
    word_keys.cache_clear()
    assert word_keys(word) == want
