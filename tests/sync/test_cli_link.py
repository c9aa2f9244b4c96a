"""`kawan partner add NAME --url URL --token T` links a real partner node, then `kawan sync`
exchanges with it: the command-line path of issue 6's onboarding, settings included."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from kawan.accounts import service
from kawan.cli import app
from tests.sync.nodes import make_node
from tests.taxii.sites import start_server, stop_server


def test_the_cli_links_a_partner_node_and_syncs_with_it(tmp_path: Path) -> None:
    here, there = make_node(tmp_path, "VN", "VN"), make_node(tmp_path, "TH", "TH")
    service.add_partner(there.engine, "VN CERT", "VN", agency_id=here.require_home().id)
    _id, token = service.create_token(there.engine, agency="VN CERT", label="sync")
    running = start_server(there)
    env = {
        "KAWAN_HOME": str(here.settings.home),
        "KAWAN_DATABASE_URL": here.settings.database_url,
        "KAWAN_SYNC_TIMEOUT": "10",
    }
    runner = CliRunner()
    try:
        url = f"{running.url}/taxii2/"
        linked = runner.invoke(app, ["partner", "add", "TH CERT", "--url", url, "--token", token],
                               env=env)  # fmt: skip
        assert linked.exit_code == 0, linked.output
        assert "linked TH CERT" in linked.stderr and "we receive" in linked.stderr
        synced = runner.invoke(app, ["sync", "TH CERT"], env=env)
        assert synced.exit_code == 0, synced.output
        status = runner.invoke(app, ["sync", "--status", "--json"], env=env)
        [partner] = orjson.loads(status.stdout)
        assert partner["last_error"] is None and partner["last_success"] is not None
        bad = runner.invoke(app, ["partner", "add", "TH CERT", "--url", url, "--token", token],
                            env={**env, "KAWAN_SYNC_TIMEOUT": "soon"})  # fmt: skip
        assert bad.exit_code == 2 and "KAWAN_SYNC_TIMEOUT" in bad.stderr
    finally:
        stop_server(running)
        here.engine.dispose()
        there.engine.dispose()
