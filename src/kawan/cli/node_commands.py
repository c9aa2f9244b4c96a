"""Node commands: init, db upgrade, serve, demo."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from kawan.cli.output import err, fail, guarded, open_node, print_json
from kawan.errors import InvalidInput
from kawan.node import Node

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.command()(demo)
    app.add_typer(db_app, name="db")


def _node() -> Node:
    return open_node(schema=False)


def init(
    agency: str = typer.Option(..., "--agency", help="The home agency's name, e.g. 'VNCERT/CC'."),
    country: str = typer.Option(..., "--country", help="Its ISO 3166 country, e.g. VN."),
    admin: str = typer.Option(
        "admin", "--admin", help="Name of the first admin user, e.g. --admin ops.lead"
    ),
    json: bool = typer.Option(
        False, "--json", help="Print the agency, the admin and the token as one JSON document."
    ),
) -> None:
    """Create this node's home agency (a STIX identity), its first admin user and an admin
    token. Run once per node. The token is printed once, alone on standard output (with
    --json, inside the JSON document); everything else goes to standard error.

    Example: T=$(kawan init --agency "Thai CERT" --country TH)
    """
    from kawan.accounts.service import bootstrap_admin, check_user_name
    from kawan.audit.trail import Who

    guarded(lambda: check_user_name(admin))
    node = _node()
    try:
        home = guarded(lambda: node.init(agency, country))
        token_id, token = guarded(lambda: bootstrap_admin(node.engine, admin, who=Who.cli()))
    finally:
        node.engine.dispose()
    if json:
        print_json(
            {
                "id": home.id,
                "name": home.name,
                "country": home.country,
                "admin": admin,
                "token_id": token_id,
                "token": token,
            }
        )
        return
    err.print(f"home agency: {home.name} ({home.country}) {home.id}", highlight=False)
    err.print(f"admin user {admin!r}, token {token_id}: it is shown once, keep it safe")
    sys.stdout.write(token + "\n")
    sys.stdout.flush()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (also done on every start).

    Example: KAWAN_DATABASE_URL=postgresql://kawan@db/kawan kawan db upgrade
    """
    node = _node()
    guarded(node.upgrade)
    err.print("database schema is current")


def serve(
    host: str = typer.Option(
        None, help="Address to bind, e.g. --host 0.0.0.0 (default KAWAN_HOST or 127.0.0.1)."
    ),
    port: int = typer.Option(None, help="TCP port, e.g. --port 8443 (default KAWAN_PORT or 8000)."),
    cert: Path = typer.Option(
        None, "--cert", help="TLS certificate chain (PEM) to serve HTTPS, e.g. --cert fullchain.pem"
    ),
    key: Path = typer.Option(
        None, "--key", help="The certificate's private key (PEM), e.g. --key privkey.pem"
    ),
) -> None:
    """Serve the REST API and /healthz with Uvicorn; HTTPS with --cert and --key.

    Without TLS the node binds to loopback only (tokens would cross the network in clear
    text): put it behind a TLS reverse proxy, or give it a certificate. See
    docs/deployment.md. Example: kawan serve --host 0.0.0.0 --cert c.pem --key k.pem
    """
    import uvicorn

    from kawan.app import create_app
    from kawan.cli.sync_commands import interval_syncer

    node = _node()
    settings = node.settings
    bind, the_port = host or settings.host, port or settings.port
    tls = guarded(lambda: _tls_files(cert, key))
    if tls is None and bind not in ("127.0.0.1", "localhost", "::1"):
        fail(
            InvalidInput(
                f"without TLS kawan serve binds to loopback only, not {bind}: API tokens "
                "would cross the network in clear text. Give --cert and --key, or bind to "
                "127.0.0.1 behind a TLS reverse proxy (docs/deployment.md)",
                field="host",
            )
        )
    guarded(node.ensure_schema)
    node.engine.dispose()  # the app opens its own
    scheme = "https" if tls else "http"
    err.print(f"kawan serving on {scheme}://{bind}:{the_port}/", highlight=False)
    certfile, keyfile = tls or (None, None)
    syncer = interval_syncer(node)  # KAWAN_SYNC_INTERVAL: pull and push in the background
    if syncer is not None:
        syncer.start()
    try:
        uvicorn.run(
            create_app(settings),
            host=bind,
            port=the_port,
            log_level="info",
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
            proxy_headers=False,  # the client address comes from KAWAN_TRUSTED_PROXIES alone
        )
    finally:
        if syncer is not None:
            syncer.stop()


def _tls_files(cert: Path | None, key: Path | None) -> tuple[str, str] | None:
    """Both files or neither; each must be readable."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise InvalidInput(
            "TLS needs both --cert and --key", field="cert" if cert is None else "key"
        )
    for name, path in (("cert", cert), ("key", key)):
        if not path.is_file():
            raise InvalidInput(f"no such file: {path}", field=name)
    return str(cert), str(key)


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
    token = _demo_admin(node)
    if json:
        print_json({**result, **({"admin_token": token} if token else {})})
    else:
        for key, value in result.items():
            err.print(f"{key}: {value}")
        if token:
            err.print("admin user 'admin' created; its token is shown once, keep it safe")
            sys.stdout.write(token + "\n")
            sys.stdout.flush()
    if result.get("rejected"):
        raise typer.Exit(1)


def _demo_admin(node: Node) -> str | None:
    """The first admin's token when the demo made the node (no users yet), else None."""
    from kawan.accounts.service import bootstrap_admin, list_users
    from kawan.audit.trail import Who

    if guarded(lambda: list_users(node.engine)):
        return None
    _token_id, token = guarded(lambda: bootstrap_admin(node.engine, "admin", who=Who.cli()))
    return token
