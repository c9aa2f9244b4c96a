"""`kawan match`: the node's indicators against the agency's own logs."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import IO, Any

import typer
from rich.table import Table

from kawan.cli.output import byte_progress, err, guarded, out, print_json_line
from kawan.config import Settings
from kawan.errors import InvalidInput
from kawan.match import run
from kawan.match.formats import FORMATS, check_format
from kawan.node import Node

SHOWN = 50  # hits listed in the human output; --json lists every one


def register(app: typer.Typer) -> None:
    app.command()(match)


def match(
    files: list[str] = typer.Argument(None, help="Log files; '-' or nothing reads stdin."),
    fmt: str = typer.Option(
        "auto", "--format", help=f"auto, or one of: {', '.join(FORMATS)}. Example: --format zeek"
    ),
    json: bool = typer.Option(False, "--json", help="Hits as JSON lines on standard output."),
    share: bool = typer.Option(
        False, "--share", help="Mark the sightings for sharing back to each indicator's creator."
    ),
    no_store: bool = typer.Option(False, "--no-store", help="Do not store sightings."),
    processes: int = typer.Option(
        None, "--processes", min=1, help="Worker processes (default: every core)."
    ),
) -> None:
    """Match the indicators this node holds (valid now, visible to the home agency)
    against logs; store one sighting per indicator seen.

    Hits are not errors: the exit code is 0 with or without hits. Examples:
    kawan match /var/log/zeek/dns.log access.log --json;  zcat dns.log.gz | kawan match -
    """
    guarded(lambda: check_format(fmt))
    node = guarded(lambda: Node(Settings.from_env()))
    try:
        guarded(node.ensure_schema)
        sources = guarded(lambda: [_source(name) for name in (files or ["-"])])
        shown: list[dict[str, Any]] = []
        on_hit = print_json_line if json else partial(_keep, shown)
        outcome = guarded(
            partial(
                run.match,
                node,
                sources,
                fmt,
                on_hit,
                share=share,
                store=not no_store,
                progress=_progress,
                processes=processes,
            )
        )
        sys.stdout.flush()
        _summary(outcome, shown, json)
    finally:
        node.engine.dispose()


def _source(name: str) -> run.Source:
    if name == "-":
        return run.Source("-", lambda: contextlib.nullcontext(sys.stdin.buffer), 0)
    path = Path(name)
    if not path.is_file() or not os.access(path, os.R_OK):
        raise InvalidInput(f"cannot read log file {name}", field="FILE")
    return run.Source(name, partial(_open, path), path.stat().st_size)


def _open(path: Path) -> contextlib.AbstractContextManager[IO[bytes]]:
    return path.open("rb")


@contextlib.contextmanager
def _progress(name: str, size: int) -> Iterator[Callable[[int], None]]:
    with byte_progress(size or 0, Path(name).name) as advance:
        yield advance


def _keep(shown: list[dict[str, Any]], hit: dict[str, Any]) -> None:
    if len(shown) < SHOWN:
        shown.append(hit)


def _summary(outcome: run.Outcome, shown: list[dict[str, Any]], as_json: bool) -> None:
    if not as_json and shown:
        table = Table("file", "line", "field", "value", "indicator", "marking")
        for hit in shown:
            table.add_row(hit["file"], str(hit["line"]), hit["field"], hit["value"],
                          hit["indicator"], hit["marking"])  # fmt: skip
        out.print(table)
    stored = outcome.stored
    err.print(
        f"{outcome.compiled.indicators} indicators; {outcome.hits} hits of "
        f"{len(outcome.tallies)} indicators; "
        f"{stored.added if stored else 0} sightings stored; index built in "
        f"{outcome.build_seconds:.2f} s, {outcome.build_cpu_seconds:.2f} s CPU "
        f"({'cache' if outcome.compiled.cached else 'store'})",
        highlight=False,
    )
