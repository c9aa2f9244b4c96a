"""Turn one parsed object into what the store records (pure): validation, effective
marking, canonical JSON, the text label, and the observable-index keys it carries."""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kawan.errors import InvalidInput
from kawan.fraud.observables import index_keys, key_for_path
from kawan.stix import patterns
from kawan.stix.ids import canonical
from kawan.stix.markings import Marking, Tlp, effective
from kawan.stix.validate import Meta, check
from kawan.store.records import Incoming, IndexKey


@dataclass(frozen=True)
class Receipt:
    """How the node received the objects: from whom, under which recorded marking."""

    origin: str  # agency identity id: the home agency, or the partner that sent them
    recorded: Tlp | None = None  # `--marking` / the partner's default, kept beside
    group_markings: Mapping[str, str] = field(default_factory=dict)
    statements: frozenset[str] = frozenset()
    brought_by: str | None = None  # the home user bringing them in (RED: who may read)
    readers: tuple[str, ...] = ()  # RED: the other home users they name


def prepare(obj: Any, receipt: Receipt) -> Incoming:
    """Validate and describe one object; InvalidInput names its id and property."""
    meta = check(obj)
    marking = effective(obj, receipt.recorded, receipt.group_markings, receipt.statements)
    text = canonical(obj)
    return Incoming(
        obj=obj,
        meta=meta,
        marking=marking,
        origin=receipt.origin,
        recorded=receipt.recorded,
        canonical=text,
        content_hash=hashlib.blake2b(text, digest_size=16).hexdigest(),
        label=label_of(obj),
        keys=keys_of(obj, meta.is_sco),
        brought_by=receipt.brought_by,
        readers=receipt.readers,
    )


# An Incoming without its object and receipt, as plain tuples: what a worker process sends
# back (cheap to pickle). The receiving process still holds the object and the receipt.
Wire = tuple[
    bytes,  # canonical JSON
    tuple[Any, ...],  # Meta's fields, in order
    tuple[int, tuple[str, ...], bool],  # Marking
    str,  # content hash
    str,  # label
    list[tuple[str, str, str]],  # index keys
]


def to_wire(incoming: Incoming) -> Wire:
    meta, marking = incoming.meta, incoming.marking
    return (
        incoming.canonical,
        tuple(meta),
        (int(marking.tlp), marking.groups, marking.from_object),
        incoming.content_hash,
        incoming.label,
        [(k.obs_type, k.value, k.via) for k in incoming.keys],
    )


def from_wire(obj: Any, receipt: Receipt, wire: Wire) -> Incoming:
    """The Incoming that `prepare(obj, receipt)` made where `to_wire` was called."""
    text, meta, marking, content_hash, label, keys = wire
    # Positional, the makers looked up once: the writer makes one per object it stores.
    return Incoming(
        obj,
        _meta(meta),
        _marking(*marking),
        receipt.origin,
        receipt.recorded,
        text,
        content_hash,
        label,
        list(map(_key, keys)) if keys else [],
        receipt.brought_by,
        receipt.readers,
    )


_meta = Meta._make
_key = IndexKey._make


@functools.lru_cache(maxsize=256)
def _marking(tlp: int, groups: tuple[str, ...], from_object: bool) -> Marking:
    """The Marking of a wire's marking tuple: a batch has few distinct ones (immutable)."""
    return Marking(Tlp(tlp), groups, from_object)


LABEL_PROPS = (
    "name",
    "value",
    "pattern",
    "description",
    "content",
    "opinion",
    "explanation",
    "relationship_type",
)


def label_of(obj: Mapping[str, Any]) -> str:
    """What text search reads: names, values, patterns, descriptions (bounded)."""
    parts = [str(v) for v in map(obj.get, LABEL_PROPS) if isinstance(v, (str, int))]
    return " ".join(parts)[:4000]


def keys_of(obj: Mapping[str, Any], is_sco: bool) -> list[IndexKey]:
    """Index keys an object carries by itself: an SCO's value, an indicator's comparisons.

    Keys reached through references (a report citing a phone-number SCO) are added by the
    store, which can see the referenced objects.
    """
    if is_sco:
        return [IndexKey(t, v, "sco") for t, v in index_keys(obj)]
    if obj.get("type") == "indicator" and obj.get("pattern_type") == "stix":
        return _pattern_keys(str(obj.get("pattern", "")))
    return []


# The usual indicator pattern, one comparison `[path = 'value']`, read by one regular
# expression. It matches only text on which `patterns.read` finds just that comparison and
# calls the pattern simple (the path as its tokenizer cuts it, the literal as it reads it);
# anything else goes to `read_pattern_keys`.
_ONE_COMPARISON = re.compile(
    r"\s*\[\s*([a-z][a-z0-9-]*:[A-Za-z0-9_.]+)\s*=\s*'((?:[^'\\]|\\.)*)'\s*\]\s*"
)
_ESCAPE = re.compile(r"\\(.)")


def _pattern_keys(pattern: str) -> list[IndexKey]:
    one = _ONE_COMPARISON.fullmatch(pattern)
    if one is not None:
        path, literal = one.groups()
        value = _ESCAPE.sub(r"\1", literal) if "\\" in literal else literal
        key = key_for_path(path, value)
        return [] if key is None else [IndexKey(key[0], key[1], "pattern")]
    return read_pattern_keys(pattern)


def read_pattern_keys(pattern: str) -> list[IndexKey]:
    """`_pattern_keys` through `patterns.read`: any pattern."""
    reading = patterns.read(pattern)
    via = "pattern" if reading.simple else "pattern-part"
    keys = []
    for comparison in reading.comparisons:
        key = key_for_path(comparison.path, comparison.value)
        if key is not None:
            keys.append(IndexKey(key[0], key[1], via))
    return keys


def reject_reason(exc: InvalidInput) -> str:
    return exc.describe()
