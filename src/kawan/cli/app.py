"""The Typer application and its command groups."""

from __future__ import annotations

import typer

from kawan.cli import (
    access_commands,
    fraud_commands,
    group_commands,
    identifier_commands,
    match_commands,
    node_commands,
    object_commands,
    sync_commands,
)
from kawan.cli.output import close_nodes

app = typer.Typer(
    name="kawan",
    help="kawan: one agency's node for sharing, checking and matching threat and fraud "
    "information across ASEAN+3 (STIX 2.1 / TAXII 2.1).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
node_commands.register(app)
object_commands.register(app)
identifier_commands.register(app)
group_commands.register(app)
access_commands.register(app)
match_commands.register(app)
fraud_commands.register(app)
sync_commands.register(app)


@app.callback()
def _each_command(context: typer.Context) -> None:
    """kawan: one agency's node for sharing, checking and matching threat and fraud
    information across ASEAN+3 (STIX 2.1 / TAXII 2.1)."""
    context.call_on_close(close_nodes)
