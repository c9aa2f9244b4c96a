"""Fixtures shared by the whole suite: settings on SQLite and (when available) PostgreSQL.

PostgreSQL tests use the server named by KAWAN_TEST_POSTGRES_URL (``.ci/run`` sets it);
each test gets a database of its own, dropped afterwards. Without the variable they skip,
saying why, unless KAWAN_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kawan.config import Settings
from kawan.node import Node

DATA = Path(__file__).parent / "data"
PG_ENV = "KAWAN_TEST_POSTGRES_URL"


def _postgres_server() -> str | None:
    url = os.environ.get(PG_ENV)
    if url:
        return url
    if os.environ.get("KAWAN_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"KAWAN_REQUIRE_POSTGRES=1 but {PG_ENV} is not set")
    return None


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test."""
    server = _postgres_server()
    if server is None:
        pytest.skip(
            f"PostgreSQL storage tests need {PG_ENV} (e.g. "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres); .ci/run sets it"
        )
    name = f"kawan_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kawan.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(home=tmp_path, database_url=database_url)


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'kawan.db'}")


@pytest.fixture
def node(settings: Settings) -> Iterator[Node]:
    """An initialised node (home agency 'Test CERT', VN) on each database."""
    the_node = Node(settings)
    the_node.init("Test CERT", "VN")
    yield the_node
    the_node.engine.dispose()


def user_headers(node: Node, name: str, role: str) -> dict[str, str]:
    """A new home user of `role` and the Authorization header of a fresh token of theirs."""
    from kawan.accounts import service

    service.add_user(node.engine, name, role)
    _id, token = service.create_token(node.engine, user=name, label="test")
    return {"Authorization": f"Bearer {token}"}
