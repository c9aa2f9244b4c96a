"""Settings, read from the environment (``KAWAN_*``); nothing is read at import time.

``KAWAN_HOME``          the node's data directory (default ``./var``)
``KAWAN_DATABASE_URL``  SQLAlchemy URL (default: SQLite file ``$KAWAN_HOME/kawan.db``);
                        PostgreSQL as ``postgresql+psycopg://user@host:5432/db``
``KAWAN_HOST``, ``KAWAN_PORT``  where ``kawan serve`` listens (127.0.0.1:8000)
``KAWAN_DEFAULT_MARKING``  marking recorded for unmarked objects ingested without
                        ``--marking`` (default ``amber``: home agency only)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from kawan.errors import InvalidInput

TLP_NAMES = ("clear", "green", "amber", "amber+strict", "red")


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8000
    default_marking: str = "amber"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("KAWAN_HOME", "var")).resolve()
        url = env.get("KAWAN_DATABASE_URL") or f"sqlite:///{home / 'kawan.db'}"
        marking = env.get("KAWAN_DEFAULT_MARKING", "amber").lower()
        if marking not in TLP_NAMES:
            raise InvalidInput(
                f"must be one of {', '.join(TLP_NAMES)}, not {marking!r}",
                field="KAWAN_DEFAULT_MARKING",
            )
        return cls(
            home=home,
            database_url=url,
            host=env.get("KAWAN_HOST", "127.0.0.1"),
            port=_port(env.get("KAWAN_PORT", "8000")),
            default_marking=marking,
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise InvalidInput(f"not a TCP port: {text!r}", field="KAWAN_PORT")
    return int(text)
