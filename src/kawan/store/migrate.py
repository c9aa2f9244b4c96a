"""Alembic migrations, run on start and by `kawan db upgrade`.

Every command opens the node and asks whether the schema is current; that question is
answered without importing alembic (a tenth of a command's start): the database's
revision is its `alembic_version` row, and the newest revision is the one of
`migrations/versions` that no other revises, read from their `revision` and
`down_revision` lines (alembic's own answer when those lines do not give exactly one). A
test holds both answers to alembic's.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from kawan.store.engine import writing

if TYPE_CHECKING:
    from alembic.config import Config

VERSION_TABLE = "alembic_version"
_REVISION = re.compile(r"^(revision|down_revision)\s*=\s*(None|\"([^\"]+)\")\s*$", re.MULTILINE)


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kawan.store") / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema to `revision` (default: the newest)."""
    from alembic import command

    cfg = _config()
    with writing(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """The database's revision; None before the first migration."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()  # noqa: S608
    return found[0] if len(found) == 1 else None


def head() -> str | None:
    """The newest revision of the migration scripts."""
    revised: set[str] = set()
    revisions: set[str] = set()
    for script in (resources.files("kawan.store") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        found = dict((name, value) for name, _, value in _REVISION.findall(script.read_text()))
        if "revision" not in found:
            return alembic_head()
        revisions.add(found["revision"])
        if found.get("down_revision"):
            revised.add(found["down_revision"])
    newest = revisions - revised
    return newest.pop() if len(newest) == 1 else alembic_head()


def alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def is_current(engine: Engine) -> bool:
    return current(engine) == head()
