"""TAXII throughput: kawan beside medallion 3.0.0 (the OASIS reference server), both driven
by taxii2-client 2.3.0 (the OASIS client) over HTTP on loopback.

    .venv/bin/python benchmarks/taxii.py [--objects 5000] [--large 100000] [--postgres URL]

In one run:
  1. the same N objects (half indicators, half SCOs, TLP:GREEN) are POSTed in envelopes of
     500 to kawan (validated, stored, committed, entered into the community collection)
     and to medallion (memory backend), then read back with `as_pages(per_request=100)`;
  2. kawan alone with `--large` objects (0 skips it), the same way.
Each server runs in its own process. Prints objects/s both ways; JSON in
benchmarks/out/taxii.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
from taxii2client.v21 import Collection, as_pages

OUT = Path(__file__).parent / "out"
ENVELOPE = 500
PER_REQUEST = 100
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
MEDALLION_COLLECTION = "365fed99-08fa-fdcd-a1b3-fb247eb41d01"
MEDALLION_USER, MEDALLION_PASSWORD = "bench", "bench-password-not-a-secret"


@dataclass
class Result:
    server: str
    objects: int
    post_s: float
    read_s: float
    read_back: int

    @property
    def post_rate(self) -> float:
        return self.objects / self.post_s

    @property
    def read_rate(self) -> float:
        return self.read_back / self.read_s


def make_objects(count: int, seed: int = 11) -> list[dict[str, Any]]:
    sys.path.insert(0, str(Path(__file__).parent))
    from ingest import make_objects as ingest_objects  # the ingest benchmark's generator

    objs = ingest_objects(count, seed)
    for obj in objs:
        obj["object_marking_refs"] = [GREEN]
    return objs


# ---- the servers ------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(url: str, auth: tuple[str, str] | None, deadline_s: float = 60.0) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, auth=auth, timeout=2).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # poll interval, bounded by the deadline
    raise RuntimeError(f"{url} did not answer within {deadline_s}s")


def start_kawan(home: Path, database_url: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """A fresh node with an admin token, served by uvicorn in a child process."""
    from kawan.accounts import service
    from kawan.config import Settings
    from kawan.node import Node

    node = Node(Settings(home=home, database_url=database_url))
    node.init("Bench CERT", "SG")
    service.add_user(node.engine, "bench", "admin")
    token = service.create_token(node.engine, user="bench", label="benchmark")[1]
    node.engine.dispose()
    port = free_port()
    cmd = [sys.executable, __file__, "--serve-kawan", str(home), database_url, str(port)]
    proc = subprocess.Popen(cmd)
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/healthz", None)
    return proc, url, token


def serve_kawan(home: str, database_url: str, port: str) -> None:
    import uvicorn

    from kawan.app import create_app
    from kawan.config import Settings

    settings = Settings(home=Path(home), database_url=database_url)
    uvicorn.run(create_app(settings), host="127.0.0.1", port=int(port), log_level="warning")


def medallion_data(port: int) -> dict[str, Any]:
    root = f"http://127.0.0.1:{port}/bench/"
    return {
        "/discovery": {"title": "medallion", "default": root, "api_roots": [root]},
        "bench": {
            "information": {
                "title": "bench",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 104857600,
            },
            "status": [],
            "collections": [
                {
                    "id": MEDALLION_COLLECTION,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                }
            ],
        },
    }


def start_medallion(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    data = workdir / "medallion_data.json"
    data.write_text(json.dumps(medallion_data(port)))
    config = workdir / "medallion_config.json"
    config.write_text(
        json.dumps(
            {
                "backend": {
                    "module": "medallion.backends.memory_backend",
                    "module_class": "MemoryBackend",
                    "filename": str(data),
                },
                "users": {MEDALLION_USER: MEDALLION_PASSWORD},
                "taxii": {"max_page_size": PER_REQUEST},
            }
        )
    )
    medallion = shutil.which("medallion", path=str(Path(sys.executable).parent))
    if medallion is None:
        raise RuntimeError("medallion is not installed beside this Python")
    cmd = [
        medallion,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "WARN",
        str(config),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_until(f"{url}/taxii2/", (MEDALLION_USER, MEDALLION_PASSWORD))
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


# ---- the measurement ------------------------------------------------------------------------


def run(name: str, collection: Collection, objects: list[dict[str, Any]]) -> Result:
    started = time.perf_counter()
    for start in range(0, len(objects), ENVELOPE):
        envelope = {"objects": objects[start : start + ENVELOPE]}
        status = collection.add_objects(
            json.dumps(envelope), wait_for_completion=True, poll_interval=1, timeout=600
        )
        if status.failure_count or status.status != "complete":
            raise RuntimeError(f"{name}: {status.failure_count} objects refused")
    posted = time.perf_counter()
    read_back = sum(
        len(page.get("objects", []))
        for page in as_pages(collection.get_objects, per_request=PER_REQUEST)
    )
    done = time.perf_counter()
    return Result(name, len(objects), posted - started, done - posted, read_back)


def with_kawan(
    database_url: Callable[[Path], str], objects: list[dict[str, Any]], name: str
) -> Result:
    from kawan.store.collections import COMMUNITY

    home = Path(tempfile.mkdtemp(prefix="kawan-taxii-bench-"))
    proc, url, token = start_kawan(home, database_url(home))
    try:
        collection = Collection(
            f"{url}/taxii2/api/collections/{COMMUNITY}/", user="bench", password=token
        )
        return run(name, collection, objects)
    finally:
        stop(proc)
        shutil.rmtree(home, ignore_errors=True)


def with_medallion(objects: list[dict[str, Any]]) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix="medallion-bench-"))
    proc, url = start_medallion(workdir)
    try:
        collection = Collection(
            f"{url}/bench/collections/{MEDALLION_COLLECTION}/",
            user=MEDALLION_USER,
            password=MEDALLION_PASSWORD,
        )
        return run("medallion 3.0.0 (memory)", collection, objects)
    finally:
        stop(proc)
        shutil.rmtree(workdir, ignore_errors=True)


def sqlite_url(home: Path) -> str:
    return f"sqlite:///{home / 'kawan.db'}"


def report(results: list[Result]) -> None:
    print(f"{'server':32} {'objects':>8} {'POST obj/s':>11} {'read obj/s':>11}")
    for r in results:
        print(f"{r.server:32} {r.objects:>8} {r.post_rate:>11,.0f} {r.read_rate:>11,.0f}")
    OUT.mkdir(exist_ok=True)
    doc = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "envelope": ENVELOPE,
        "per_request": PER_REQUEST,
        "results": [
            {**asdict(r), "post_per_s": round(r.post_rate), "read_per_s": round(r.read_rate)}
            for r in results
        ],
    }
    (OUT / "taxii.json").write_text(json.dumps(doc, indent=2))


def check(results: list[Result], objects: list[dict[str, Any]]) -> None:
    """Each server gives back every object once (the generator repeats a few SCOs)."""
    distinct = len({o["id"] for o in objects})
    for result in results:
        if result.read_back != distinct:
            raise RuntimeError(f"{result.server} gave back {result.read_back} of {distinct}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--postgres", help="also run kawan on this PostgreSQL database URL")
    parser.add_argument("--serve-kawan", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_kawan:
        serve_kawan(*args.serve_kawan)
        return
    objects = make_objects(args.objects)
    results = [with_kawan(sqlite_url, objects, "kawan (SQLite)"), with_medallion(objects)]
    if args.postgres:
        results.append(with_kawan(lambda _: args.postgres, objects, "kawan (PostgreSQL)"))
    check(results, objects)
    if args.large:
        large = make_objects(args.large)
        results.append(with_kawan(sqlite_url, large, "kawan (SQLite)"))
        check(results[-1:], large)
    report(results)


if __name__ == "__main__":
    main()
