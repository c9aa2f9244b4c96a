from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kawan.audit.chain import GENESIS, Entry, entry_hash, sealed, verify

_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=4,
)
_draft = st.builds(
    Entry,
    seq=st.just(0),
    at=st.integers(0, 2**62),
    actor=st.sampled_from(["anon", "user:ab12", "agency:identity--x", "cli:root"]),
    action=st.sampled_from(["authenticate", "permission", "user.add", "token.create"]),
    target=st.text(max_size=30),
    source=st.sampled_from(["local", "192.0.2.1", "2001:db8::1"]),
    outcome=st.sampled_from(["ok", "denied", "failed"]),
    detail=st.dictionaries(st.text(max_size=8), _json, max_size=4),
)


def chain_of(drafts: list[Entry]) -> list[Entry]:
    out: list[Entry] = []
    for n, draft in enumerate(drafts, start=1):
        prev = out[-1].hash if out else GENESIS
        out.append(sealed(dataclasses.replace(draft, seq=n), prev))
    return out


@given(st.lists(_draft, max_size=8))
def test_a_sealed_chain_verifies(drafts: list[Entry]) -> None:
    assert verify(chain_of(drafts)) is None


_FIELDS = ["at", "actor", "action", "target", "source", "outcome", "detail", "prev_hash", "hash"]


def _altered(entry: Entry, field: str) -> Entry:
    value: Any = getattr(entry, field)
    changes: dict[str, Any] = {field: value}
    if isinstance(value, dict):
        changes[field] = {**value, "tampered-with": True}  # keys drawn are at most 8 long
    else:
        changes[field] = value + 1 if isinstance(value, int) else value + "x"
    return dataclasses.replace(entry, **changes)


@given(st.lists(_draft, min_size=1, max_size=8), st.data())
def test_changing_any_field_of_one_entry_names_that_entry(
    drafts: list[Entry], data: st.DataObject
) -> None:
    chain = chain_of(drafts)
    index = data.draw(st.integers(0, len(chain) - 1))
    field = data.draw(st.sampled_from(_FIELDS))
    chain[index] = _altered(chain[index], field)
    broken = verify(chain)
    assert broken is not None and broken.seq == index + 1


@given(st.lists(_draft, min_size=2, max_size=8), st.data())
def test_removing_an_entry_names_the_one_after_it(drafts: list[Entry], data: st.DataObject) -> None:
    chain = chain_of(drafts)
    index = data.draw(st.integers(0, len(chain) - 2))
    del chain[index]
    broken = verify(chain)
    assert broken is not None and broken.seq == index + 2


def test_the_hash_is_sha256_of_prev_and_canonical_fields() -> None:
    entry = Entry(1, 5, "anon", "authenticate", "", "local", "failed", {"b": 1, "a": [2]})
    import hashlib

    text = (b'{"action":"authenticate","actor":"anon","at":5,"detail":{"a":[2],"b":1},'
            b'"outcome":"failed","seq":1,"source":"local","target":""}')  # fmt: skip
    assert entry_hash(GENESIS, entry) == hashlib.sha256(GENESIS.encode() + text).hexdigest()


def test_a_reseal_after_editing_still_breaks_the_next_link() -> None:
    drafts = [Entry(0, n, "anon", "authenticate", "", "local", "failed") for n in range(3)]
    chain = chain_of(drafts)
    chain[1] = sealed(dataclasses.replace(chain[1], target="forged"), chain[1].prev_hash)
    broken = verify(chain)
    assert broken is not None and broken.seq == 3 and "prev_hash" in broken.reason
