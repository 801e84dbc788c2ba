"""Load on the 纠错 platform: requests per second and the 95th percentile latency of a
unit's list (我的问题) with many sessions at once.

Builds a database of ``--issues`` published issues spread over ``--units`` units (one site
and one unit account each), starts ``govwatch serve`` on it in a process of its own on a free
local port, signs ``--sessions`` browsers in (each as a unit, round robin) and has each ask
for its unit's list, one request after another, for ``--seconds``. Prints the figures.

    python -m bench.platform_load [--issues 10000] [--units 50] [--sessions 50] [--seconds 15]

The issues are written as rows (the tracker's own path is exercised by the tests); the
platform reads them as it reads the tracker's.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx2 as httpx

from govwatch.core.schema import open_db
from govwatch.core.vocabulary import IssueState
from govwatch.platform import auth, store

PASSWORD = "bench password"
_TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def build(path: Path, issues: int, units: int) -> list[str]:
    """The database: *units* units with a site each, *issues* open issues over them, and a
    unit account per unit; return the logins."""
    db = open_db(path)
    day = date(2026, 11, 25)
    db["sites"].insert_all({"id": f"s{u:03d}", "name": f"站点{u}", "url": f"http://s{u}.example/",
                            "unit": f"单位{u:03d}"} for u in range(units))
    states = (IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE)
    db["issues"].insert_all((
        {"id": n + 1, "fingerprint": f"s{n % units:03d}|link.broken|{n}",
         "site_id": f"s{n % units:03d}", "rule_id": "link.broken", "severity": "deduction",
         "points": 0.5, "title": f"附件链接无法打开 {n}",
         "subject_url": f"http://s{n % units}.example/files/{n}.pdf",
         "source_url": f"http://s{n % units}.example/tzgg/{n}.html", "detail": "HTTP 404",
         "evidence": "HTTP 404", "state": states[n % 3], "first_seen_on": "2026-11-23",
         "last_seen_on": "2026-11-23", "published_in": 1 + n % 4,
         "published_on": day.isoformat(), "deadline": (day + timedelta(days=7)).isoformat(),
         "claimed_by": "王伟" if n % 3 == 1 else None} for n in range(issues)), batch_size=2000)
    password_hash = auth.hash_password(PASSWORD)
    logins = []
    for u in range(units):
        store.add_user(db, f"unit{u:03d}", password_hash, "unit", [f"单位{u:03d}"])
        logins.append(f"unit{u:03d}")
    db.close()
    return logins


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def sign_in(base: str, login: str) -> httpx.AsyncClient:
    """A browser signed in as *login* (argon2 makes this slow on purpose: not measured)."""
    client = httpx.AsyncClient(base_url=base, timeout=60)
    page = await client.get("/login")
    token = _TOKEN.search(page.text).group(1)
    signed = await client.post("/login", data={"login": login, "password": PASSWORD,
                                               "csrftoken": token})
    assert signed.status_code == 303, signed.status_code
    return client


async def browse(client: httpx.AsyncClient, until: float, latencies: list[float],
                 errors: list[int]) -> None:
    """Ask for the unit's list again and again until *until*."""
    while time.monotonic() < until:
        started = time.perf_counter()
        answer = await client.get("/issues")
        latencies.append(time.perf_counter() - started)
        if answer.status_code != 200 or "附件链接无法打开" not in answer.text:
            errors.append(answer.status_code)


async def load(base: str, logins: list[str], sessions: int, seconds: float) -> dict:
    """Sign *sessions* browsers in, then measure them browsing for *seconds*."""
    clients = [await sign_in(base, logins[n % len(logins)]) for n in range(sessions)]
    latencies: list[float] = []
    errors: list[int] = []
    started = time.monotonic()
    try:
        await asyncio.gather(*(browse(c, started + seconds, latencies, errors)
                               for c in clients))
    finally:
        elapsed = time.monotonic() - started
        for client in clients:
            await client.aclose()
    latencies.sort()
    return {"requests": len(latencies), "errors": len(errors), "seconds": elapsed,
            "rps": len(latencies) / elapsed,
            "p50_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10_000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "govwatch.db"
        logins = build(path, args.issues, args.units)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "govwatch", "serve", "--db", str(path), "--port", str(port),
             "--out", str(Path(work) / "out")], stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            figures = asyncio.run(load(base, logins, args.sessions, args.seconds))
        finally:
            server.terminate()
            server.wait(10)
    per_unit = args.issues // args.units
    print(f"platform_load: {args.issues} issues over {args.units} units (~{per_unit} on each "
          f"unit's list), {args.sessions} sessions, one uvicorn worker")
    print(f"  {figures['requests']} requests in {figures['seconds']:.1f} s, "
          f"{figures['errors']} errors: {figures['rps']:.1f} requests/s, "
          f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms")


if __name__ == "__main__":
    main()
