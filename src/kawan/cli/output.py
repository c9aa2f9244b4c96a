"""How the CLI talks: Rich tables for people, JSON for scripts, errors on standard error."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar

import orjson
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)

from kawan.config import Settings
from kawan.errors import CannotRun, InvalidInput, KawanError, PeerError
from kawan.node import Node

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

T = TypeVar("T")


def exit_code(exc: KawanError) -> int:
    if isinstance(exc, InvalidInput):
        return 2
    if isinstance(exc, CannotRun | PeerError):
        return 3
    return 1


def fail(exc: KawanError) -> NoReturn:
    err.print(f"[bold red]error[/]: {exc.describe()}", highlight=False)
    raise typer.Exit(exit_code(exc))


def guarded(fn: Callable[[], T]) -> T:
    """Run a command body; a KawanError becomes a one-line message and an exit code."""
    try:
        return fn()
    except KawanError as exc:
        fail(exc)


def print_json(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def print_json_line(value: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(value) + b"\n")


@contextmanager
def byte_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar over bytes on a terminal; silent when standard error is piped."""
    if not err.is_terminal:
        yield lambda _done: None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(label, total=total)
        yield lambda done: progress.update(task, completed=done)


_opened: list[Node] = []  # nodes opened by the running command; closed when it ends


def open_node(*, schema: bool = True) -> Node:
    """The node of this command, from the environment; its connections are closed when
    the command ends (`close_nodes`). With `schema`, migrations run first (idempotent)."""
    node = guarded(lambda: Node(Settings.from_env()))
    _opened.append(node)
    if schema:
        guarded(node.ensure_schema)
    return node


def close_nodes() -> None:
    """Close the database connections of every node the command opened."""
    while _opened:
        _opened.pop().engine.dispose()
