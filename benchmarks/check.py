"""Check latency against a large observable index, beside a bare primary-key lookup.

    .venv/bin/python benchmarks/check.py [--rows 1000000 10000000] [--queries 2000]
                                          [--postgres URL] [--no-postgres]

For each size and database (SQLite, PostgreSQL) it builds a node whose index holds N rows
(phone numbers, each mentioned by a report; four identifiers per report), then times in
the same process, alternating: `run_check` of a random indexed number written in national
form (normalise, index look-up, the mentioning objects, their linked identifiers, the
creators) and a bare `SELECT … WHERE date_added = ?` of one random object row (the
primary key). It reports p50/p99 of both and the ratio of the p99s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import select

from kawan.config import Settings
from kawan.fraud.check import run_check
from kawan.node import Node
from kawan.store.engine import reading
from kawan.store.schema import objects

sys.path.insert(0, str(Path(__file__).parent))
from ingest import drop_database, machine, postgres_database

OUT = Path(__file__).parent / "out"
PER_REPORT = 4
BASE = 1_780_000_000_000_000


def phone(n: int) -> str:
    return f"+8491{n:07d}" if n < 10_000_000 else f"+8498{n - 10_000_000:07d}"


def object_rows(reports: int, creator: str) -> Any:
    for r in range(reports):
        oid = f"report--{uuid.UUID(int=r, version=4)}"
        doc = orjson.dumps(
            {
                "type": "report",
                "spec_version": "2.1",
                "id": oid,
                "name": f"fraud report {r}",
                "created_by_ref": creator,
            }
        ).decode()
        yield (
            BASE + r,
            oid,
            "report",
            "2.1",
            BASE,
            BASE,
            "2026-06-01T00:00:00.000Z",
            False,
            creator,
            creator,
            1,
            "",
            True,
            None,
            True,
            f"fraud report {r}",
            "0" * 32,
            doc,
        )


def index_rows(reports: int, creator: str) -> Any:
    for r in range(reports):
        oid = f"report--{uuid.UUID(int=r, version=4)}"
        for k in range(PER_REPORT):
            yield (
                "phone-number",
                phone(r * PER_REPORT + k),
                oid,
                "report",
                BASE + r,
                1,
                "",
                creator,
                creator,
                BASE + r,
                BASE + r,
                "ref",
                False,
            )


OBJ_COLS = (
    "date_added, id, type, spec_version, created, modified, version_text, revoked, "
    "created_by_ref, origin, tlp, groups, marking_from_object, recorded_tlp, "
    "is_latest, label, content_hash, json"
)
IDX_COLS = (
    "obs_type, value, object_id, object_type, date_added, tlp, groups, creator, "
    "origin, first_seen, last_seen, via, revoked"
)


def fill(node: Node, rows: int) -> None:
    """Bulk-load the benchmark rows (setup only: not timed, not how kawan ingests)."""
    creator = node.require_home().id
    reports = rows // PER_REPORT
    raw = node.engine.raw_connection()
    try:
        cur = raw.cursor()
        if node.settings.is_sqlite:
            cur.executemany(
                f"INSERT INTO objects ({OBJ_COLS}) VALUES ({','.join('?' * 18)})",
                object_rows(reports, creator),
            )
            cur.executemany(
                f"INSERT INTO observables ({IDX_COLS}) VALUES ({','.join('?' * 13)})",
                index_rows(reports, creator),
            )
            raw.commit()
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with cur.copy(f"COPY objects ({OBJ_COLS}) FROM STDIN") as copy:
                for row in object_rows(reports, creator):
                    copy.write_row(row)
            with cur.copy(f"COPY observables ({IDX_COLS}) FROM STDIN") as copy:
                for row in index_rows(reports, creator):
                    copy.write_row(row)
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(node: Node, rows: int, queries: int) -> dict[str, Any]:
    rng = random.Random(rows)
    reports = rows // PER_REPORT
    checks: list[float] = []
    lookups: list[float] = []
    for _ in range(queries):
        n = rng.randrange(reports * PER_REPORT)
        national = "0" + phone(n)[3:]
        start = time.perf_counter()
        result = run_check(node.engine, national, country="VN")
        checks.append(time.perf_counter() - start)
        if len(result.mentions) != 1 or len(result.linked) != PER_REPORT - 1:
            raise SystemExit(f"check of {national} found the wrong things")
        key = BASE + rng.randrange(reports)
        start = time.perf_counter()
        with reading(node.engine) as conn:
            found = conn.execute(select(objects).where(objects.c.date_added == key)).first()
        lookups.append(time.perf_counter() - start)
        if found is None:
            raise SystemExit("primary-key lookup found nothing")
    ms = 1000.0
    return {
        "check p50 ms": round(statistics.median(checks) * ms, 3),
        "check p99 ms": round(percentile(checks, 0.99) * ms, 3),
        "pk lookup p50 ms": round(statistics.median(lookups) * ms, 3),
        "pk lookup p99 ms": round(percentile(lookups, 0.99) * ms, 3),
        "p99 ratio check / pk": round(percentile(checks, 0.99) / percentile(lookups, 0.99), 2),
    }


def run_one(url: str, home: Path, rows: int, queries: int) -> dict[str, Any]:
    node = Node(Settings(home=home, database_url=url))
    node.init("Bench CERT", "VN")
    started = time.perf_counter()
    fill(node, rows)
    loaded = time.perf_counter() - started
    result = {"rows": rows, "load s": round(loaded, 1), **measure(node, rows, queries)}
    node.engine.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "KAWAN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": machine(),
        "python": sys.version.split()[0],
        "queries": args.queries,
        "runs": [],
    }
    for rows in args.rows:
        work = Path(tempfile.mkdtemp(prefix="kawan-check-"))
        sqlite = run_one(f"sqlite:///{work / 'check.db'}", work, rows, args.queries)
        results["runs"].append({"database": "sqlite", **sqlite})
        print(json.dumps(results["runs"][-1]), flush=True)
        for leftover in work.iterdir():
            leftover.unlink()
        if args.no_postgres:
            continue
        url, name = postgres_database(args.postgres)
        try:
            results["runs"].append(
                {"database": "postgresql", **run_one(url, work, rows, args.queries)}
            )
            print(json.dumps(results["runs"][-1]), flush=True)
        finally:
            drop_database(args.postgres, name)
    OUT.mkdir(exist_ok=True)
    (OUT / "check.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
