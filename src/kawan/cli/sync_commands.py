"""Sync commands: `kawan sync [NAME]`, `kawan sync --status [--json]`, and the interval
sync `kawan serve` starts. Their settings (`KAWAN_SYNC_INTERVAL`, `_TIMEOUT`, `_CA`, `_KEY`,
`_PARALLEL`) are read and checked by `Settings.from_env` (kawan.config).
"""

from __future__ import annotations

import typer
from rich.table import Table

from kawan.cli.output import err, guarded, open_node, out, print_json
from kawan.config import Settings
from kawan.node import Node
from kawan.sharing import sync_link
from kawan.sharing.sync import Options, Outcome, sync_all
from kawan.sharing.sync_loop import Syncer
from kawan.sharing.sync_secret import key_for
from kawan.sharing.sync_workers import default_workers
from kawan.stix.timestamps import format_us


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def sync_options(settings: Settings, page_size: int = 1000, workers: int = 0) -> Options:
    """The sync options the node's settings give; `workers` processes validate pulled
    pages (`kawan sync` uses them; `kawan serve`'s interval sync validates in its thread)."""
    return Options(
        page_size=page_size,
        timeout=settings.sync_timeout,
        interval_us=int(settings.sync_interval * 1_000_000),
        verify=settings.sync_ca or True,
        parallel=settings.sync_parallel,
        workers=workers,
    )


def node_key(node: Node) -> bytes:
    """The key that seals the tokens this node uses at its partners."""
    return key_for(node.settings.home, node.settings.sync_key)


def interval_syncer(node: Node) -> Syncer | None:
    """The background sync `kawan serve` runs, or None when KAWAN_SYNC_INTERVAL is 0."""
    interval = node.settings.sync_interval
    if interval <= 0:
        return None
    return Syncer(node, guarded(lambda: node_key(node)), interval, sync_options(node.settings))


def sync(
    name: str = typer.Argument(None, help="Only this partner (name or id), e.g. ThaiCERT"),
    status: bool = typer.Option(
        False, "--status", help="Show each partner's sync state instead of syncing"
    ),
    json: bool = typer.Option(False, "--json", help="Print JSON, e.g. --status --json"),
    page_size: int = typer.Option(
        1000, "--page-size", min=1, max=1000, help="Objects per request, e.g. --page-size 200"
    ),
) -> None:
    """Pull from and push to linked partners now; exit 3 if any partner failed.

    Example: kawan sync ThaiCERT    ·    kawan sync --status --json
    """
    node = open_node()
    if status:
        _print_status(node, json)
        return
    options = sync_options(node.settings, page_size, default_workers())
    key = guarded(lambda: node_key(node))
    report = None if json else _say
    outcomes = guarded(lambda: sync_all(node, key, options, name, report=report))
    if json:
        print_json([_outcome_dict(o) for o in outcomes])
    if not outcomes:
        err.print("no linked partners: kawan partner add NAME --url URL --token T")
    if any(o.error for o in outcomes):
        raise typer.Exit(3)


def _say(o: Outcome) -> None:
    if o.error:
        err.print(f"[bold red]{o.name}[/]: failed: {o.error}", highlight=False)
        return
    rejected = f", {o.rejected} refused" if o.rejected else ""
    err.print(f"{o.name}: {o.pulled} in, {o.pushed} out{rejected}", highlight=False)
    for note in o.notes:
        err.print(f"  {note}", highlight=False)


def _outcome_dict(o: Outcome) -> dict[str, object]:
    return {
        "agency_id": o.agency_id,
        "name": o.name,
        "objects_in": o.pulled,
        "objects_out": o.pushed,
        "refused": o.rejected,
        "error": o.error,
        "notes": o.notes,
    }


def _print_status(node: Node, as_json: bool) -> None:
    found = guarded(lambda: sync_link.status(node.engine))
    if as_json:
        print_json([status_dict(s) for s in found])
        return
    table = Table("partner", "link", "last success", "lag", "in", "out", "last error")
    for s in found:
        table.add_row(
            s.agency.name,
            s.link_state,
            _time(s.state.last_success),
            _lag(s.lag_us),
            str(s.state.objects_in),
            str(s.state.objects_out),
            s.state.last_error or "",
        )
    out.print(table)


def status_dict(s: sync_link.Status) -> dict[str, object]:
    return {
        "agency_id": s.agency.agency_id,
        "name": s.agency.name,
        "url": None if s.link is None else s.link.url,
        "link": s.link_state,
        "last_attempt": _stamp(s.state.last_attempt),
        "last_success": _stamp(s.state.last_success),
        "lag_seconds": None if s.lag_us is None else round(s.lag_us / 1_000_000, 1),
        "objects_in": s.state.objects_in,
        "objects_out": s.state.objects_out,
        "failures": s.state.failures,
        "next_attempt": _stamp(s.state.next_attempt),
        "last_error": s.state.last_error,
    }


def _stamp(micros: int | None) -> str | None:
    return None if micros is None else format_us(micros)


def _time(micros: int | None) -> str:
    return "never" if micros is None else format_us(micros)[:19].replace("T", " ")


def _lag(micros: int | None) -> str:
    if micros is None:
        return ""
    seconds = micros // 1_000_000
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m" if seconds >= 3600 else f"{seconds}s"
