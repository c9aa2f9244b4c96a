"""Check: has anyone on this node, or any partner, seen this identifier?

`answer` is pure: it turns the index rows of one identifier (and of the objects that
mention it) into the answer an analyst reads, with what the fraud reports among them say
(counts by country and month, categories, first and last seen, loss by currency).
`run_check` does the reading.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from kawan.agencies import country_of
from kawan.errors import InvalidInput
from kawan.fraud.details import Summary, details_of, summarise
from kawan.fraud.identifiers import Identifier, guess, normalise
from kawan.fraud.kinds import KINDS
from kawan.sharing.reads import Access
from kawan.stix.timestamps import format_us
from kawan.store import index
from kawan.store.engine import reading
from kawan.store.records import ObservableRow

RowFilter = Callable[[list[ObservableRow]], list[ObservableRow]]  # the viewer's rows


@dataclass(frozen=True)
class Mention:
    """One object that mentions the identifier."""

    object_id: str
    object_type: str
    name: str
    creator: str
    creator_name: str
    country: str | None
    marking: str
    via: str
    first_seen: str
    last_seen: str
    revoked: bool


@dataclass(frozen=True)
class Linked:
    """Another identifier that shares at least one object with the one checked."""

    kind: str
    value: str
    shared_objects: int


@dataclass(frozen=True)
class CheckResult:
    query: str
    identifier: Identifier
    mentions: list[Mention] = field(default_factory=list)
    linked: list[Linked] = field(default_factory=list)
    reports: Summary = field(default_factory=Summary)

    @property
    def countries(self) -> list[str]:
        return sorted({m.country for m in self.mentions if m.country})

    def as_dict(self) -> dict[str, Any]:
        ident = self.identifier
        return {
            "query": self.query,
            "identifier": {
                "kind": ident.kind,
                "type": ident.stix_type,
                "value": ident.value,
                "country": ident.country,
            },
            "found": len(self.mentions),
            "countries": self.countries,
            "first_seen": min((m.first_seen for m in self.mentions), default=None),
            "last_seen": max((m.last_seen for m in self.mentions), default=None),
            "mentions": [vars(m) for m in self.mentions],
            "linked": [vars(link) for link in self.linked],
            "reports": self.reports.as_dict(),
        }


IDENTIFIED = 4096  # identifiers remembered by `identify`


@lru_cache(maxsize=IDENTIFIED)
def identify(raw: str, kind: str | None = None, country: str | None = None) -> Identifier:
    """Normalise `raw` as `kind`, or guess its kind; InvalidInput says why not.

    Normalising is pure, so the last `IDENTIFIED` answers are remembered (a refusal is
    not: it is worked out, and raised, anew each time). The `Identifier` returned may be
    one returned before: nobody changes its `properties`."""
    return normalise(kind, raw, country=country) if kind else guess(raw, country=country)


def run_check(
    engine: Engine,
    raw: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    visible: RowFilter | None = None,
    access: Access | None = None,
) -> CheckResult:
    """Every object that mentions the identifier, and the identifiers linked to it.

    `access` (the viewer's `kawan.sharing.reads.Access`), else `visible`, keeps the index
    rows the viewer may see; rows it drops contribute nothing, not even to the linked
    identifiers. Everything is read in one transaction (`kawan.store.index.snapshot`).
    """
    ident = identify(raw, kind, country)
    with index.snapshot(engine) as snap:
        found = snap.versioned_rows_for(*ident.key)
        rows = _seen(snap, access, visible, found)
        object_ids = {r.object_id for r in rows}
        around = snap.versioned_rows_of_objects(object_ids)
        neighbours = _seen(snap, access, visible, around)
        docs = snap.summaries(object_ids | {r.creator for r in rows}, found[1].values())
    return answer(raw, ident, rows, neighbours, docs)


def _seen(
    snap: index.Snapshot, access: Access | None, visible: RowFilter | None, found: index.Versioned
) -> list[ObservableRow]:
    rows, versions = found
    if access is not None:
        return access.rows_by(rows, versions, snap.versions_of)
    return (visible or _everything)(rows)


def answer(
    raw: str,
    ident: Identifier,
    rows: list[ObservableRow],
    neighbours: list[ObservableRow],
    docs: Mapping[str, Mapping[str, Any]],
) -> CheckResult:
    mentions = [_mention(r, docs) for r in rows]
    shared = Counter(
        (r.obs_type, r.value) for r in neighbours if (r.obs_type, r.value) != ident.key
    )
    linked = [Linked(kind_of(t), v, n) for (t, v), n in shared.most_common()]
    return CheckResult(raw, ident, mentions, linked, report_summary(rows, docs))


def report_summary(rows: list[ObservableRow], docs: Mapping[str, Mapping[str, Any]]) -> Summary:
    """What the fraud reports among `rows` say (the rows a viewer may see, only)."""
    found = []
    for row in rows:
        doc = docs.get(row.object_id)
        if row.object_type == "report" and doc is not None:
            creator = docs.get(row.creator)
            found.append(details_of(doc, country_of(dict(creator)) if creator else None))
    return summarise(found)


def _mention(row: ObservableRow, docs: Mapping[str, Mapping[str, Any]]) -> Mention:
    doc = docs.get(row.object_id, {})
    creator = docs.get(row.creator, {})
    return Mention(
        object_id=row.object_id,
        object_type=row.object_type,
        name=str(doc.get("name") or doc.get("value") or ""),
        creator=row.creator,
        creator_name=str(creator.get("name", row.creator)),
        country=country_of(dict(creator)) if creator else None,
        marking=row.marking.label,
        via=row.via,
        first_seen=format_us(row.first_seen),
        last_seen=format_us(row.last_seen),
        revoked=row.revoked,
    )


def kind_of(stix_type: str) -> str:
    """The identifier kind of an index type (`phone-number` -> `phone`)."""
    return _KIND_OF.get(stix_type, stix_type)


_KIND_OF = {t: kind for kind, t in KINDS.items()}


def search_values(
    engine: Engine,
    text: str,
    obs_type: str | None = None,
    limit: int = 50,
    visible: RowFilter | None = None,
) -> list[ObservableRow]:
    """Index rows whose value starts with `text`, normalised first when it is a whole
    identifier (so `0912 345 678` with a country finds `+84912345678`)."""
    prefix = text.strip()
    try:
        ident = guess(prefix)
    except InvalidInput:
        pass
    else:
        prefix, obs_type = ident.value, obs_type or ident.stix_type
    allowed = visible or _everything
    with reading(engine) as conn:
        rows = index.values_with_prefix(conn, prefix, obs_type, limit)
    return allowed(rows)


def _everything(rows: list[ObservableRow]) -> list[ObservableRow]:
    return rows
