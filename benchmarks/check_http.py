"""Public and officer check over HTTP under concurrent load, beside /healthz, in one run.

    .venv/bin/python benchmarks/check_http.py [--rows 1000000] [--seconds 10]
                                              [--connections 16] [--threads 2]
                                              [--bulk 100000] [--postgres URL]

Builds a node whose observable index holds `--rows` phone numbers (bulk-loaded as
`benchmarks/check.py` does: one GREEN report per four numbers, its creator allowing
public counts), starts `kawan serve` on loopback, and drives it with Debian's `wrk`
(`apt-get install -y wrk`), each run bounded by `--seconds`, against, in turn:
`/healthz`, `GET /public/v1/check` and `GET /api/v1/check` (with an analyst's token),
then `/healthz` again; then one `POST /api/v1/check/bulk` of `--bulk` lines (100,000).
Every check asks for a different random indexed number written in
national form. The server's rate limits are raised for the run (the benchmark measures
the check, not the limiter). Results go to `benchmarks/out/check_http.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from kawan.accounts import service
from kawan.config import Settings
from kawan.node import Node
from kawan.store import accounts as agencies
from kawan.store.engine import writing

sys.path.insert(0, str(Path(__file__).parent))
from check import PER_REPORT, fill
from ingest import drop_database, machine, postgres_database

OUT = Path(__file__).parent / "out"
VENV_BIN = Path(sys.executable).parent
LUA = """
local n = {count}
local path = "{path}"
local token = "{token}"
init = function(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end
request = function()
  local k = math.random(0, n - 1)
  local national
  if k < 10000000 then national = string.format("091%07d", k)
  else national = string.format("098%07d", k - 10000000) end
  local headers = {{}}
  if token ~= "" then headers["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", path .. "?value=" .. national .. "&country=VN", headers)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_node(url: str, home: Path, rows: int) -> str:
    """Fill the node; an analyst's token for the officer check."""
    node = Node(Settings(home=home, database_url=url))
    node.init("Bench CERT", "VN")
    fill(node, rows)
    with writing(node.engine) as conn:
        agencies.set_public_counts(conn, node.require_home().id, True)
    service.add_user(node.engine, "bench", "analyst")
    token = service.create_token(node.engine, user="bench", label="benchmark")[1]
    node.engine.dispose()
    return token


def serve(url: str, home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KAWAN_HOME": str(home),
        "KAWAN_DATABASE_URL": url,
        "KAWAN_RATE_CHECK": "100000000/second",
        "KAWAN_PUBLIC_RATE": "100000000/second",
        "KAWAN_PUBLIC_DAILY_QUOTA": "1000000000",
    }
    return subprocess.Popen(
        [str(VENV_BIN / "kawan"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_until_up(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # poll interval
    raise SystemExit(f"kawan serve did not answer at {base} within {seconds} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(
    base: str, path: str, args: argparse.Namespace, script: str | None, pid: int
) -> dict[str, Any]:
    """One wrk run; with the server's CPU time per request (less sensitive than
    requests/s to what else the machine runs)."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s",
               "--timeout", "5s", "--latency"]  # fmt: skip
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    if script:
        command += ["-s", lua.name]
    command.append(base + (path if not script else "/"))
    cpu = cpu_seconds(pid)
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60)
    cpu = cpu_seconds(pid) - cpu
    os.unlink(lua.name)
    found = parse_wrk(done.stdout, path)
    return {**found, "server cpu ms/request": round(cpu * 1000 / max(1, found["requests"]), 3)}


def parse_wrk(text: str, path: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"(\d+) requests in", text)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", text, re.M))
    if rps is None or total is None:
        raise SystemExit(f"wrk said:\n{text}")
    return {
        "path": path,
        "requests/s": round(float(rps.group(1)), 1),
        "requests": int(total.group(1)),
        "non-2xx": int(bad.group(1)) if bad else 0,
        "latency p50": latency.get("50"),
        "latency p99": latency.get("99"),
    }


def check_one(base: str, token: str) -> None:
    """The endpoints answer what they should before they are loaded."""
    public = httpx.get(f"{base}/public/v1/check", params={"value": "0910000001", "country": "VN"})
    officer = httpx.get(
        f"{base}/api/v1/check",
        params={"value": "0910000001", "country": "VN"},
        headers={"Authorization": f"Bearer {token}"},
    )
    if public.json().get("reports") != 1 or officer.json().get("found") != 1:
        raise SystemExit(f"the checks answer wrongly: {public.text[:200]} {officer.text[:200]}")


def run(url: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    token = prepare_node(url, home, args.rows)
    loaded = round(time.perf_counter() - started, 1)
    port = free_port()
    server = serve(url, home, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base)
        check_one(base, token)
        count = args.rows // PER_REPORT * PER_REPORT
        pid = server.pid
        runs = [
            wrk(base, "/healthz", args, None, pid),
            wrk(base, "/public/v1/check", args, lua(count, "/public/v1/check", ""), pid),
            wrk(base, "/api/v1/check", args, lua(count, "/api/v1/check", token), pid),
            wrk(base, "/healthz", args, None, pid),
        ]
        bulk = bulk_check(base, token, count, args.bulk)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {"rows": args.rows, "load s": loaded, "runs": runs, **ratios(runs), "bulk": bulk}


def bulk_check(base: str, token: str, count: int, lines: int) -> dict[str, Any]:
    """`POST /api/v1/check/bulk` of `lines` random indexed numbers, timed end to end."""
    rng = random.Random(lines)
    body = "value,country\n" + "".join(f"091{rng.randrange(count):07d},VN\n" for _ in range(lines))
    started = time.perf_counter()
    answer = httpx.post(f"{base}/api/v1/check/bulk", content=body, timeout=3600,
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    took = time.perf_counter() - started
    rows = answer.text.splitlines()
    found = sum(1 for row in rows[1:] if row.split(",")[4] == "1")
    if answer.status_code != 200 or len(rows) != lines + 1 or found != lines:
        raise SystemExit(f"bulk check answered wrongly: {answer.status_code} {answer.text[:200]}")
    return {"lines": lines, "seconds": round(took, 1), "lines/s": round(lines / took)}


def lua(count: int, path: str, token: str) -> str:
    return LUA.format(count=count, path=path, token=token)


def ratios(runs: list[dict[str, Any]]) -> dict[str, float]:
    health = (runs[0]["requests/s"] + runs[3]["requests/s"]) / 2
    return {
        "healthz requests/s (mean of both runs)": round(health, 1),
        "public / healthz": round(runs[1]["requests/s"] / health, 2),
        "officer / healthz": round(runs[2]["requests/s"] / health, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bulk", type=int, default=100_000, help="lines in the bulk check")
    parser.add_argument("--postgres", default=None, help="also run on this PostgreSQL server")
    args = parser.parse_args()
    results: dict[str, Any] = {"machine": machine(), "python": sys.version.split()[0],
                               "wrk": vars(args), "databases": []}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="kawan-check-http-") as work:
        home = Path(work)
        results["databases"].append({"database": "sqlite",
                                     **run(f"sqlite:///{home / 'k.db'}", home, args)})  # fmt: skip
        print(json.dumps(results["databases"][-1], indent=2), flush=True)
        if args.postgres:
            url, name = postgres_database(args.postgres)
            try:
                results["databases"].append({"database": "postgresql", **run(url, home, args)})
                print(json.dumps(results["databases"][-1], indent=2), flush=True)
            finally:
                drop_database(args.postgres, name)
    OUT.mkdir(exist_ok=True)
    (OUT / "check_http.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
