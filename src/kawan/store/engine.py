"""Engines and transactions. SQLite: WAL, foreign keys, writers take the lock up front."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import (
    JSON,
    ColumnElement,
    Connection,
    Engine,
    String,
    Table,
    and_,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.exc import OperationalError

from kawan.config import Settings
from kawan.errors import CannotRun
from kawan.stix.timestamps import now_us
from kawan.store.schema import clock

WRITE = "kawan_write"


def make_engine(settings: Settings) -> Engine:
    """An engine for the settings' database; SQLite files get their directory created."""
    url = settings.database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if settings.is_sqlite:
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def engine_like(engine: Engine) -> Engine:
    """A new engine on the same database, for a forked process: it opens connections of
    its own and never touches those of the parent's pool (neither SQLite's nor psycopg's
    connections may be used on both sides of a fork)."""
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    path = url.removeprefix("sqlite:///")
    if path and path != ":memory:" and not url.startswith("sqlite:///:memory:"):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # Up to 64 MiB of pages (default 2 MiB): ingest inserts random ids into the
        # indexes, and a page evicted between two batches is read back and written again.
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        writing = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    with _connect(engine) as conn, conn.begin():
        yield conn


# SQLite checkpoints the WAL (copies it into the database file and syncs both) once a
# commit leaves it past this many pages: SQLite's default, about 4 MB.
CHECKPOINT_PAGES = 1000
# The same for the transactions of a bulk load (256 MiB of 4 KiB pages). Each of them
# writes far more than 4 MB, so at the default every commit was followed by a checkpoint,
# and its syncs stalled the load (100,000 objects: 35 syncs, 2.3 s of waiting).
BULK_CHECKPOINT_PAGES = 65_536


@contextmanager
def writing(engine: Engine, *, bulk: bool = False) -> Iterator[Connection]:
    """A write transaction. Writers that allocate `date_added` are serialised (see Clock).

    `bulk`: one of a run of large transactions (ingest); on SQLite the WAL is checkpointed
    only once it holds `BULK_CHECKPOINT_PAGES`, so call `checkpoint` after the last one.
    """
    with _connect(engine) as conn:
        conn = conn.execution_options(**{WRITE: True})
        bulk = bulk and conn.dialect.name == "sqlite"
        if bulk:
            _autocheckpoint(conn, BULK_CHECKPOINT_PAGES)
        try:
            with conn.begin():
                yield conn
        finally:
            if bulk:  # the pooled connection goes back as it came
                _autocheckpoint(conn, CHECKPOINT_PAGES)


def _autocheckpoint(conn: Connection, pages: int) -> None:
    # On the driver's connection: through `conn`, SQLAlchemy would begin a transaction.
    driver: Any = conn.connection.driver_connection
    driver.execute(f"PRAGMA wal_autocheckpoint={int(pages)}")


def checkpoint(engine: Engine) -> None:
    """SQLite: copy the WAL into the database file now, as far as no reader needs it
    (`PASSIVE`: waits for no one). After bulk writes; elsewhere the commits do it."""
    if engine.dialect.name != "sqlite":
        return
    with _connect(engine) as conn:
        driver: Any = conn.connection.driver_connection
        driver.execute("PRAGMA wal_checkpoint(PASSIVE)")


@contextmanager
def _connect(engine: Engine) -> Iterator[Connection]:
    try:
        conn = engine.connect()
    except OperationalError as exc:
        raise CannotRun(f"cannot open the database: {_first_line(exc)}") from None
    with conn:
        yield conn


def _first_line(exc: Exception) -> str:
    return str(exc.args[0] if exc.args else exc).splitlines()[0]


class Clock:
    """The node's one `date_added` sequence: strictly increasing, never behind wall time.

    `take(conn, n)` locks the clock row until the transaction ends (SELECT … FOR UPDATE on
    PostgreSQL; SQLite's writer lock does the same), so versions commit in the order of
    their `date_added` and a cursor reading `added_after` never skips one.
    """

    @staticmethod
    def hold(conn: Connection) -> None:
        """Lock the clock row now, so what the writer reads next includes every earlier
        writer's commit (SQLite's `BEGIN IMMEDIATE` already holds the writers' lock)."""
        if conn.dialect.name != "sqlite":
            conn.execute(select(clock.c.last).where(clock.c.id == 1).with_for_update())

    @staticmethod
    def take(conn: Connection, count: int) -> int:
        """Reserve `count` consecutive microsecond values; return the first."""
        row = conn.execute(select(clock.c.last).where(clock.c.id == 1).with_for_update()).first()
        last = row[0] if row else 0
        first = max(now_us(), last + 1)
        if row is None:
            conn.execute(clock.insert().values(id=1, last=first + count - 1))
        else:
            conn.execute(clock.update().where(clock.c.id == 1).values(last=first + count - 1))
        return first


def insert_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert many rows straight through the driver: `COPY` on PostgreSQL, a prepared
    `executemany` on SQLite. The ingest hot path; values must already be column-typed."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target = quote(table.name)
    driver: Any = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with driver.cursor() as cur, cur.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {target} ({names}) VALUES ({marks})"  # noqa: S608 - names from the schema
    driver.executemany(sql, rows)


def one_of(
    conn: Connection, column: ColumnElement[str], values: Sequence[str]
) -> ColumnElement[bool]:
    """`column IN (values)` with the values sent as one JSON array, not a parameter each.

    The ingest hot path looks up every id of a batch: binding thousands of parameters
    costs more than the query, and one array needs no chunks.
    """
    array = bindparam(None, orjson.dumps(list(values)).decode("utf-8"), type_=String)
    if conn.dialect.name == "postgresql":
        each = func.json_array_elements_text(cast(array, JSON)).table_valued("value")
    else:
        each = func.json_each(array).table_valued("value")
    return column.in_(select(each.c.value))


def database_exists(engine: Engine) -> bool:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError:
        return False
    return True


def upsert(
    conn: Connection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Update the row whose key columns equal `key` with `values`; insert it (with
    `on_insert` too, e.g. its creation time) when there is none."""
    where = and_(*(table.c[name] == value for name, value in key.items()))
    if conn.execute(select(*table.primary_key.columns).where(where)).first() is None:
        conn.execute(table.insert().values(**key, **values, **(on_insert or {})))
    elif values:
        conn.execute(table.update().where(where).values(**values))
