"""The sync settings are read and checked by Settings.from_env: typed, with errors that
name the variable; `kawan sync` and `kawan serve` take them from there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from kawan.cli.sync_commands import node_key, sync_options
from kawan.config import Settings
from kawan.errors import InvalidInput
from kawan.node import Node


def test_defaults() -> None:
    settings = Settings.from_env({"KAWAN_HOME": "/tmp/kawan-x"})
    assert (settings.sync_interval, settings.sync_timeout, settings.sync_parallel) == (
        300.0,
        30.0,
        4,
    )
    assert (settings.sync_ca, settings.sync_key) == (None, None)
    options = sync_options(settings)
    assert (options.timeout, options.interval_us, options.verify, options.parallel) == (
        30.0,
        300_000_000,
        True,
        4,
    )


def test_given_values(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    key = Fernet.generate_key().decode()
    env = {
        "KAWAN_HOME": str(tmp_path),
        "KAWAN_SYNC_INTERVAL": "0",
        "KAWAN_SYNC_TIMEOUT": "2.5",
        "KAWAN_SYNC_CA": str(ca),
        "KAWAN_SYNC_KEY": key,
        "KAWAN_SYNC_PARALLEL": "2",
    }
    settings = Settings.from_env(env)
    options = sync_options(settings, page_size=200, workers=1)
    assert (options.timeout, options.interval_us, options.verify) == (2.5, 0, str(ca))
    assert (options.parallel, options.page_size, options.workers) == (2, 200, 1)
    assert node_key(Node(settings)) == key.encode()
    assert key not in repr(settings)  # the sealing key is not printed with the settings


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("KAWAN_SYNC_INTERVAL", "soon", "not a number of seconds"),
        ("KAWAN_SYNC_INTERVAL", "-1", "0 (off) or more"),
        ("KAWAN_SYNC_INTERVAL", "nan", "0 (off) or more"),
        ("KAWAN_SYNC_TIMEOUT", "0", "more than 0"),
        ("KAWAN_SYNC_TIMEOUT", "inf", "more than 0"),
        ("KAWAN_SYNC_CA", "/nonexistent/ca.pem", "no such CA bundle"),
        ("KAWAN_SYNC_KEY", "not-a-key", "not a Fernet key"),
        ("KAWAN_SYNC_PARALLEL", "0", "at least 1"),
    ],
)
def test_a_bad_value_names_the_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=re.escape(message)) as caught:
        Settings.from_env({"KAWAN_HOME": "/tmp/kawan-x", name: value})
    assert caught.value.field == name
