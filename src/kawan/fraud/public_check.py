"""The public check, "check before you pay" (I/O): an aggregate verdict for anyone.

The index rows of the identifier go through the one policy as the public viewer
(`Viewer.public(counts_only=True)`: CLEAR objects, and objects whose creating agency
allowed public counts). Only the reports among the rows it keeps are counted, and only
their number and their reporting agencies' countries leave this module: no text, no
names, no dates, no personal data (victims' records are never read here).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from kawan.agencies import country_of
from kawan.fraud.check import identify
from kawan.fraud.verdict import Official, PublicAnswer, grade
from kawan.sharing.policy import Viewer, World
from kawan.sharing.reads import Access
from kawan.store import index
from kawan.store.records import ObservableRow

ThresholdOf = Callable[[str | None], int]  # the identifier's country -> its threshold


def _three(_country: str | None) -> int:
    return 3


def public_check(
    engine: Engine,
    raw: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    threshold: ThresholdOf = _three,
    world: World | None = None,
) -> PublicAnswer:
    """The verdict on one identifier; InvalidInput when it is no identifier.

    `threshold` gives the number of reports that makes *reported as scam* for the
    identifier's country (`Settings.threshold`). `world` may be given
    to skip reading it (it is the policy's input; tests and the benchmark pass it)."""
    ident = identify(raw, kind, country)
    access = Access(engine, Viewer.public(counts_only=True), world)
    with index.snapshot(engine) as snap:
        entry = snap.official(*ident.key)
        rows, versions = snap.versioned_rows_for(*ident.key)
        counted = _counted(access.rows_by(rows, versions, snap.versions_of))
        makers = snap.summaries({r.creator for r in counted})
    countries = {country_of(makers[r.creator]) for r in counted if r.creator in makers} - {None}
    official = Official(entry.name, entry.demo) if entry is not None else None
    needed = threshold(ident.country)
    return PublicAnswer(
        kind=ident.kind,
        value=ident.value,
        verdict=grade(len(counted), needed, official),
        reports=len(counted),
        countries=len(countries),
        threshold=needed,
        official=official,
    )


def public_reports(
    engine: Engine, rows: list[ObservableRow], world: World | None = None
) -> list[ObservableRow]:
    """One row per report the public viewer may count (revoked reports do not count)."""
    return _counted(Access(engine, Viewer.public(counts_only=True), world).rows(rows))


def _counted(visible: list[ObservableRow]) -> list[ObservableRow]:
    reports = {r.object_id: r for r in visible if r.object_type == "report" and not r.revoked}
    return list(reports.values())
