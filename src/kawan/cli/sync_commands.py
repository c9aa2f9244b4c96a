"""Sync commands: `kawan sync [NAME]`, `kawan sync --status [--json]`; the settings sync
reads from the environment, and the interval sync `kawan serve` starts.

    KAWAN_SYNC_INTERVAL   seconds between sync rounds in `kawan serve` (0 = off; 300)
    KAWAN_SYNC_TIMEOUT    seconds each request to a partner may take (30)
    KAWAN_SYNC_CA         a CA bundle (PEM) to verify partners' certificates with
    KAWAN_SYNC_KEY        the key sealing partner tokens (else $KAWAN_HOME/sync.key)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import typer
from rich.table import Table

from kawan.cli.output import err, guarded, open_node, out, print_json
from kawan.errors import InvalidInput
from kawan.node import Node
from kawan.sharing import sync_link
from kawan.sharing.sync import Options, Outcome, sync_all
from kawan.sharing.sync_loop import Syncer
from kawan.sharing.sync_secret import key_for
from kawan.stix.timestamps import format_us

DEFAULT_INTERVAL = 300


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"not a number of seconds: {text!r}", field=name) from None
    if value < 0:
        raise InvalidInput(f"must be 0 or more: {text!r}", field=name)
    return value


def options_from_env(env: Mapping[str, str], page_size: int = 1000) -> Options:
    interval = _number(env, "KAWAN_SYNC_INTERVAL", DEFAULT_INTERVAL)
    return Options(
        page_size=page_size,
        timeout=_number(env, "KAWAN_SYNC_TIMEOUT", 30.0) or 30.0,
        interval_us=int(interval * 1_000_000),
        verify=env.get("KAWAN_SYNC_CA") or True,
    )


def node_key(node: Node) -> bytes:
    return key_for(node.settings.home, os.environ)


def interval_syncer(node: Node) -> Syncer | None:
    """The background sync `kawan serve` runs, or None when KAWAN_SYNC_INTERVAL is 0."""
    interval = guarded(lambda: _number(os.environ, "KAWAN_SYNC_INTERVAL", DEFAULT_INTERVAL))
    if interval <= 0:
        return None
    options = guarded(lambda: options_from_env(os.environ))
    return Syncer(node, guarded(lambda: node_key(node)), interval, options)


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
    options = guarded(lambda: options_from_env(os.environ, page_size))
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
