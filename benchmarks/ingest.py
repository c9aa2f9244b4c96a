"""Ingest throughput: `kawan ingest` into SQLite and PostgreSQL beside `stix2.parse`.

    .venv/bin/python benchmarks/ingest.py [--objects 100000] [--postgres URL] [--workers N]

Generates N objects (half indicators with one-comparison patterns, half SCOs), writes
them as one bundle, then in the same run times:
  * stix2.parse of every object (the reference library, no storage);
  * kawan's ingest of the file into a fresh SQLite node (validated, indexed, committed);
  * the same into a fresh PostgreSQL database (skipped without a server).
Prints objects/s and the ratios, as JSON too (benchmarks/out/ingest.json), and the CPU time
per object of stix2.parse and of the SQLite ingest's writer and worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson
import stix2
from sqlalchemy import create_engine, text

from kawan.config import Settings
from kawan.ingest.prepare import Receipt
from kawan.ingest.run import ingest_stream
from kawan.node import Node
from kawan.stix.ids import sco_id
from kawan.stix.markings import Tlp

OUT = Path(__file__).parent / "out"


def make_objects(count: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    objs: list[dict[str, Any]] = []
    for n in range(count):
        if n % 2:
            ip = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"
            kind = rng.choice(["domain-name", "ipv4-addr", "url"])
            value = {
                "domain-name": f"scam{n}.example.com",
                "ipv4-addr": ip,
                "url": f"http://scam{n}.example.com/login",
            }[kind]
            objs.append(
                {
                    "type": kind,
                    "spec_version": "2.1",
                    "id": sco_id(kind, {"value": value}),
                    "value": value,
                }
            )
        else:
            stamp = f"2026-11-{1 + n % 28:02d}T10:{n % 60:02d}:00.000Z"
            objs.append(
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
                    "created": stamp,
                    "modified": stamp,
                    "name": f"phishing site {n}",
                    "pattern": f"[domain-name:value = 'phish{n}.example.net']",
                    "pattern_type": "stix",
                    "valid_from": stamp,
                    "indicator_types": ["malicious-activity"],
                }
            )
    return objs


def time_stix2_parse(objs: list[dict[str, Any]]) -> tuple[float, float]:
    """Seconds of wall time and of CPU time."""
    start, cpu = time.perf_counter(), time.process_time()
    for obj in objs:
        stix2.parse(obj, allow_custom=True)
    return time.perf_counter() - start, time.process_time() - cpu


def time_kawan(
    url: str, bundle: Path, home: Path, workers: int | None
) -> tuple[float, float, float]:
    """Seconds of wall time, and CPU seconds of this process (the writer) and of the
    worker processes, for one ingest of the bundle into a fresh node."""
    node = Node(Settings(home=home, database_url=url))
    node.init("Bench CERT", "SG")
    receipt = Receipt(origin=node.require_home().id, recorded=Tlp.GREEN)
    before = os.times()
    start = time.perf_counter()
    with bundle.open("rb") as handle:
        summary = ingest_stream(node.engine, handle, receipt, name=str(bundle), workers=workers)
    elapsed = time.perf_counter() - start
    after = os.times()
    node.engine.dispose()
    # A few random IPv4 SCOs repeat (same value, same id): stored once, then `unchanged`.
    if summary.rejected or summary.added + summary.unchanged != count_objects(bundle):
        raise SystemExit(
            f"ingest went wrong: {summary.added} added, {summary.unchanged} "
            f"unchanged, {len(summary.rejected)} rejected"
        )
    writer = after.user + after.system - before.user - before.system
    workers_cpu = (
        after.children_user + after.children_system - before.children_user - before.children_system
    )
    return elapsed, writer, workers_cpu


def count_objects(bundle: Path) -> int:
    return len(orjson.loads(bundle.read_bytes())["objects"])


def postgres_database(server: str) -> tuple[str, str]:
    name = f"kawan_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + "/" + name, name


def drop_database(server: str, name: str) -> None:
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def machine() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "KAWAN_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="validating processes beside the writer (default: cores - 1)",
    )
    args = parser.parse_args()
    objs = make_objects(args.objects)
    work = Path(tempfile.mkdtemp(prefix="kawan-bench-"))
    bundle = work / "bundle.json"
    bundle.write_bytes(
        orjson.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objs})
    )
    results: dict[str, Any] = {
        "objects": args.objects,
        "machine": machine(),
        "python": sys.version.split()[0],
        "workers": "default" if args.workers is None else args.workers,
    }
    parse_s, parse_cpu = time_stix2_parse(objs)
    results["stix2.parse objects/s"] = round(args.objects / parse_s)
    sqlite_s, writer, workers = time_kawan(
        f"sqlite:///{work / 'bench.db'}", bundle, work / "sqlite", args.workers
    )
    results["kawan sqlite objects/s"] = round(args.objects / sqlite_s)
    results["sqlite / stix2.parse"] = round(parse_s / sqlite_s, 2)
    # CPU time is steadier than wall time on a shared machine.
    results["stix2.parse cpu us/object"] = round(parse_cpu / args.objects * 1e6, 1)
    results["kawan sqlite cpu us/object, writer"] = round(writer / args.objects * 1e6, 1)
    results["kawan sqlite cpu us/object, workers"] = round(workers / args.objects * 1e6, 1)
    try:
        url, name = postgres_database(args.postgres)
    except Exception as exc:  # report and go on without PostgreSQL
        results["postgresql"] = f"skipped: {str(exc).splitlines()[0]}"
    else:
        try:
            pg_s = time_kawan(url, bundle, work / "pg", args.workers)[0]
            results["kawan postgresql objects/s"] = round(args.objects / pg_s)
            results["postgresql / stix2.parse"] = round(parse_s / pg_s, 2)
        finally:
            drop_database(args.postgres, name)
    subprocess.run(["rm", "-rf", str(work)], check=False)
    OUT.mkdir(exist_ok=True)
    (OUT / "ingest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
