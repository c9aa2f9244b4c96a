"""Node commands: init, db upgrade, serve, demo."""

from __future__ import annotations

import typer

from kawan.cli.output import err, guarded, out, print_json
from kawan.config import Settings
from kawan.node import Node

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.command()(demo)
    app.add_typer(db_app, name="db")


def _node() -> Node:
    return guarded(lambda: Node(Settings.from_env()))


def init(
    agency: str = typer.Option(..., "--agency", help="The home agency's name, e.g. 'VNCERT/CC'."),
    country: str = typer.Option(..., "--country", help="Its ISO 3166 country, e.g. VN."),
    json: bool = typer.Option(False, "--json", help="Print the agency as JSON."),
) -> None:
    """Create this node's home agency (a STIX identity). Run once per node.

    Example: kawan init --agency "Thai CERT" --country TH
    """
    node = _node()
    home = guarded(lambda: node.init(agency, country))
    if json:
        print_json({"id": home.id, "name": home.name, "country": home.country})
    else:
        err.print(f"home agency: {home.name} ({home.country}) {home.id}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (also done on every start).

    Example: KAWAN_DATABASE_URL=postgresql://kawan@db/kawan kawan db upgrade
    """
    node = _node()
    guarded(node.upgrade)
    err.print("database schema is current")


def serve(
    host: str = typer.Option(None, help="Address to bind (default KAWAN_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="TCP port (default KAWAN_PORT or 8000)."),
) -> None:
    """Serve the REST API and /healthz with Uvicorn.

    Until access control lands the node binds to loopback only. Example: kawan serve
    """
    import uvicorn

    from kawan.app import create_app
    from kawan.errors import InvalidInput

    node = _node()
    settings = node.settings
    bind = host or settings.host
    if bind not in ("127.0.0.1", "localhost", "::1"):
        guarded(
            lambda: (_ for _ in ()).throw(
                InvalidInput(
                    "kawan serve binds to loopback only until access control exists", field="host"
                )
            )
        )
    guarded(node.ensure_schema)
    out.print(f"kawan serving on http://{bind}:{port or settings.port}/", highlight=False)
    uvicorn.run(create_app(settings), host=bind, port=port or settings.port, log_level="info")


def demo(
    json: bool = typer.Option(False, "--json", help="Print what was made as JSON."),
    seed: int = typer.Option(20261201, help="Seed of the generated data set."),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing (exit 0) when the node already holds data."
    ),
    full: bool = typer.Option(
        False, "--full", help="All 34,467 ChongLuaDao domains instead of a 3,000 sample."
    ),
) -> None:
    """Fill an empty node with the regional demo data set: the 14 agencies, indicators
    from the ChongLuaDao phishing list, fraud reports and the OASIS example reports.
    Creates a demo home agency when the node has none.

    Example: kawan demo
    """
    from kawan.demo import build_demo, is_empty

    node = _node()
    guarded(node.ensure_schema)
    if if_empty and not guarded(lambda: is_empty(node)):
        err.print("the node already holds data; demo data not loaded")
        return
    result = guarded(lambda: build_demo(node, seed=seed, full=full))
    if json:
        print_json(result)
    else:
        for key, value in result.items():
            err.print(f"{key}: {value}")
    if result.get("rejected"):
        raise typer.Exit(1)
