from __future__ import annotations

from tests.cli.conftest import initialised, kawan  # noqa: F401 - the CLI fixtures, reused
