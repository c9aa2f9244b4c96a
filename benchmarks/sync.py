"""Sync throughput: 100,000 objects pulled from one kawan node into another over loopback
TAXII (stored, indexed, committed), beside `kawan ingest` of the same objects from a file
into a fresh node, in one run.

    .venv/bin/python benchmarks/sync.py [--objects 100000]

Steps: write the objects (half indicators, half SCOs, all TLP:GREEN) as one bundle;
`kawan ingest` it into a fresh node S (timed: local ingest); serve S with `kawan serve`;
link a fresh node D to S (`kawan partner add --url --token`); time `kawan sync` on D
(pull only: D holds nothing S may receive). Prints objects/s, the ratio and a linear
extrapolation to a million, as JSON too (benchmarks/out/sync.json). Beside the wall
times, the CPU seconds of each command (with its worker processes) and of the serving
node during the sync: on a shared machine they move less than the wall times.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import orjson

sys.path.insert(0, str(Path(__file__).parent))
from ingest import make_objects  # the same generator as the ingest benchmark
from kawan.accounts import service
from kawan.config import Settings
from kawan.node import Node

OUT = Path(__file__).parent / "out"
KAWAN = str(Path(sys.executable).with_name("kawan"))
GREEN = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"


def env_for(home: Path, port: int = 8000) -> dict[str, str]:
    return {
        **os.environ,
        "KAWAN_HOME": str(home),
        "KAWAN_DATABASE_URL": f"sqlite:///{home / 'kawan.db'}",
        "KAWAN_PORT": str(port),
        "KAWAN_SYNC_INTERVAL": "0",
    }


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the command and the processes it waited for."""
    before = _children_cpu()
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start, _children_cpu() - before


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for(url: str, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kawan-sync-bench-"))
    objs = make_objects(args.objects)
    for obj in objs:
        obj["object_marking_refs"] = [GREEN]
    bundle = tmp / "bundle.json"
    bundle.write_bytes(orjson.dumps({"type": "bundle", "id": "bundle--1", "objects": objs}))

    src, dst = tmp / "S", tmp / "D"
    s_node, d_node = (Node(Settings.from_env(env_for(h))) for h in (src, dst))
    _s_home, d_home = s_node.init("Source CERT", "TH"), d_node.init("Dest CERT", "VN")
    service.add_partner(s_node.engine, "Dest CERT", "VN", agency_id=d_home.id)
    _id, token = service.create_token(s_node.engine, agency="Dest CERT", label="bench")
    s_node.engine.dispose()
    d_node.engine.dispose()

    ingest_s, ingest_cpu = timed([KAWAN, "ingest", str(bundle)], env_for(src))
    server = subprocess.Popen(
        [KAWAN, "serve"],
        env=env_for(src, args.port),
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        link = [KAWAN, "partner", "add", "Source CERT", "--url", f"{base}/taxii2/", "--token"]
        subprocess.run([*link, token], env=env_for(dst), check=True, capture_output=True)
        served_before = _cpu_of(server.pid)
        sync_s, sync_cpu = timed([KAWAN, "sync"], env_for(dst))
        served_cpu = _cpu_of(server.pid) - served_before
    finally:
        server.terminate()
        server.wait(timeout=30)
    status = subprocess.run(
        [KAWAN, "sync", "--status", "--json"], env=env_for(dst), check=True, capture_output=True
    )
    pulled = json.loads(status.stdout)[0]["objects_in"]
    report(args.objects, pulled, (ingest_s, ingest_cpu), (sync_s, sync_cpu), served_cpu)


def report(
    count: int,
    pulled: int,
    ingest: tuple[float, float],
    sync: tuple[float, float],
    served_cpu: float,
) -> None:
    (ingest_s, ingest_cpu), (sync_s, sync_cpu) = ingest, sync
    result = {
        "objects": count,
        "pulled": pulled,
        "ingest_seconds": round(ingest_s, 2),
        "ingest_objects_per_s": round(count / ingest_s),
        "ingest_cpu_seconds": round(ingest_cpu, 1),
        "sync_seconds": round(sync_s, 2),
        "sync_cpu_seconds": round(sync_cpu, 1),
        "serving_node_cpu_seconds": round(served_cpu, 1),
        "sync_objects_per_s": round(pulled / sync_s),
        "ratio_sync_to_ingest": round(ingest_s / sync_s, 2),
        "million_sync_seconds_linear": round(sync_s * 1_000_000 / max(pulled, 1)),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
    }
    OUT.mkdir(exist_ok=True)
    (OUT / "sync.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
