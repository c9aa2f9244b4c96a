from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from kawan.cli import app
from kawan.config import Settings

Kawan = Callable[..., Result]


@pytest.fixture
def kawan(settings: Settings) -> Kawan:
    """Run `kawan ARGS…` in-process against the test's database."""
    runner = CliRunner()
    env = {"KAWAN_HOME": str(settings.home), "KAWAN_DATABASE_URL": settings.database_url}

    def run(*args: str | Path, input: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], env=env, input=input)

    return run


@pytest.fixture
def initialised(kawan: Kawan) -> Kawan:
    result = kawan("init", "--agency", "Test CERT", "--country", "VN")
    assert result.exit_code == 0, result.output
    return kawan
