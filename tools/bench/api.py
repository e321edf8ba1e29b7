"""``cloudpark bench api``: the zone platform's web app under load, at zone scale.

Per engine (SQLite, PostgreSQL): seed the demo zone with ``cloudpark demo seed --zone``
(skipped with ``--reuse``), create a government officer and a park staff account with
``cloudpark accounts create`` (the demo password), start ``cloudpark web`` pinned to
one core, and load it over HTTP from this process (pinned to another core) with
concurrent httpx clients: directory searches of every kind (deep pages by cursor), the
portal, the directory page and each role's console, signed in as demo accounts. Each
scenario runs for ``--seconds``; latencies are client-side (request sent to answer
read), requests/s is what one web core served.

``--with-crowd N``: then the world server (``cloudpark serve``, its own process on its
own core) holds N bots twice, once alone and once while the directory load runs
against the web app, and the tick p50/p99/max of both windows are put side by side.

This module never imports ``server``: it drives the commands, as a user would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import psutil

from tools.bench.server_process import BenchError, free_port, pin, pinned

DEMO_PASSWORD = "demo-password"  # what `cloudpark demo seed` prints for every demo account
ZONE_ENTERPRISES = 50_000  # the zone's size at --scale 1 (server/demo_zone_data.py ZoneSize)
BENCH_PARK = "798-art-zone"  # a catalogued park; the zone seed spreads ~1,000 enterprises over each
START_TIMEOUT_S = 60.0
DEEP_ROWS = 2000


@dataclass(frozen=True)
class Engine:
    name: str  # "sqlite" or "postgresql"
    data_dir: Path
    database: str | None  # None: the SQLite file in data_dir

    def flags(self) -> list[str]:
        return ["--data-dir", str(self.data_dir)] + (["--database", self.database] if self.database else [])


@dataclass(frozen=True)
class ApiBench:
    engines: tuple[Engine, ...]
    seconds: float = 10.0
    clients: int = 8
    scale: float = 1.0
    reuse: bool = False
    web_core: int | None = 0
    load_core: int | None = 1
    work_dir: Path = Path("var/bench")
    with_crowd: int = 0
    crowd_park: str = BENCH_PARK
    crowd_core: int | None = 0
    bots_core: int | None = 1
    scenes_dir: Path = Path("var/scenes")
    scenarios: tuple[str, ...] = field(default=())


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tools.cli", *args]


def _run(cmd: list[str], log: Path, *, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    log.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=False)  # noqa: S603
    with log.open("a", encoding="utf-8") as f:
        f.write(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}(exit {done.returncode})\n")
    if check and done.returncode != 0:
        raise BenchError(f"{' '.join(cmd[2:5])} failed with {done.returncode}: {(done.stderr or done.stdout)[-1500:]}")
    return done


async def _create_pg_database(url: str) -> None:
    """CREATE DATABASE for ``url`` when it does not exist (through the ``postgres`` database)."""
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    base, _, name = plain.rpartition("/")
    name = name.split("?")[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise BenchError(f"database name {name!r}: letters, digits and _ only")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def prepare(bench: ApiBench, engine: Engine) -> dict[str, Any]:
    """Seed (unless reused) and add the bench's officer and park staff accounts."""
    log = bench.work_dir / "logs" / f"api-{engine.name}-prepare.log"
    engine.data_dir.mkdir(parents=True, exist_ok=True)
    if engine.database and engine.database.startswith("postgresql"):
        asyncio.run(_create_pg_database(engine.database))
    seeded: dict[str, Any] = {"reused": bench.reuse}
    if not bench.reuse:
        t0 = time.perf_counter()
        out = _run(_cli("demo", "seed", "--zone", "--scale", f"{bench.scale:g}", *engine.flags()), log)
        seeded["seed_s"] = round(time.perf_counter() - t0, 1)
        seeded["seed_said"] = next((line.strip() for line in out.stdout.splitlines() if "demo zone" in line), "")
    for user, role, extra in (("bench-officer", "government", []), ("bench-park-staff", "park_staff",
                                                                      ["--parks", BENCH_PARK])):
        done = _run(_cli("accounts", "create", "--user", user, "--role", role, "--name", f"{user} (demo)",
                         "--password-stdin", *extra, *engine.flags()), log, stdin=DEMO_PASSWORD + "\n", check=False)
        if done.returncode != 0 and "taken" not in done.stderr + done.stdout and "exists" not in done.stderr + done.stdout:
            raise BenchError(f"accounts create {user}: {(done.stderr or done.stdout)[-800:]}")
    return seeded


def people(scale: float) -> dict[str, str]:
    """The demo account signed in for each console (server/demo_zone.py names them)."""
    enterprises = max(1, round(ZONE_ENTERPRISES * scale))
    return {"government": "bench-officer", "park": "bench-park-staff", "enterprise": "demo-zone-000000",
            "employee": f"demo-zone-{enterprises + 1:06d}"}


class WebUnderTest:
    """``cloudpark web`` in a subprocess, pinned to a core."""

    def __init__(self, engine: Engine, core: int | None, log: Path, game_url: str) -> None:
        self.engine, self.core, self.log_path, self.game_url = engine, core, log, game_url
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        cmd = pinned(_cli("web", "--host", "127.0.0.1", "--port", str(self.port), "--game-url", self.game_url,
                          *self.engine.flags()), self.core)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        pin(self.proc.pid, self.core)
        self.ps = psutil.Process(self.proc.pid)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"cloudpark web exited with {self.proc.returncode}: {self._tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/session", timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise BenchError(f"cloudpark web did not answer within {START_TIMEOUT_S:.0f} s: {self._tail()}")

    def cpu_s(self) -> float:
        assert self.ps is not None
        total = 0.0
        for p in [self.ps, *self.ps.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                t = p.cpu_times()
                total += t.user + t.system
        return total

    def rss_mb(self) -> float:
        assert self.ps is not None
        return round(self.ps.memory_info().rss / 2**20, 1)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def _tail(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
        except OSError:
            return "(no log)"


# -- the requests --------------------------------------------------------------------------

SEARCHES: dict[str, dict[str, Any]] = {  # label -> query parameters of GET /api/directory
    "zh 2 chars": {"q": "动漫"},
    "zh 4 chars": {"q": "数字艺术"},
    "zh brand, 3 chars": {"q": "京韵齿"},
    "en word prefix": {"q": "anim"},
    "en two words": {"q": "gear culture"},
    "en partial, 2 chars": {"q": "co"},
    "industry filter": {"industry": "87"},
    "industry + tag": {"industry": "87", "tag": "film"},
    "park filter": {"park": "e9"},
    "text + park + industry": {"q": "design", "park": "751-d-park", "industry": "74"},
    "institutions by service": {"kind": "institution", "service": "ip"},
    "everything, first page": {},
}
DEEP = {"deep page, 'co' after 2000 (cursor)": {"q": "co"}, "deep page, all after 2000 (cursor)": {}}


@dataclass
class Request:
    label: str
    path: str
    params: dict[str, Any]
    who: str | None = None  # the console role whose cookies it carries


async def _deep_cursor(client: httpx.AsyncClient, params: dict[str, Any]) -> str | None:
    cursor, seen = None, 0
    while seen < DEEP_ROWS:
        reply = await client.get("/api/directory", params={**params, "limit": 50, **({"cursor": cursor} if cursor else {})})
        reply.raise_for_status()
        body = reply.json()
        seen += len(body["entries"])
        cursor = body["next"]
        if cursor is None:
            return None
    return cursor


async def _sign_in(base: str, user: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    csrf = (await client.get("/api/session")).json()["csrf"]
    reply = await client.post("/api/session", json={"user": user, "password": DEMO_PASSWORD},
                              headers={"X-CSRF-Token": csrf})
    if reply.status_code != 200:
        await client.aclose()
        raise BenchError(f"sign-in as {user}: {reply.status_code} {reply.text[:300]}")
    return client


def scenario_requests(deep: dict[str, str | None]) -> dict[str, list[Request]]:
    directory = [Request(label, "/api/directory", params) for label, params in SEARCHES.items()]
    directory += [Request(label, "/api/directory", {**DEEP[label], "cursor": c}) for label, c in deep.items() if c]
    return {
        "directory API (mixed)": directory,
        "portal": [Request("portal /", "/", {})],
        "directory page": [Request("/directory?q=动漫", "/directory", {"q": "动漫"}),
                           Request("/directory (everything)", "/directory", {})],
        "console: government": [Request("/console/government", "/console/government", {}, "government")],
        "console: park": [Request("/console/park", "/console/park", {}, "park")],
        "console: enterprise": [Request("/console/enterprise", "/console/enterprise", {}, "enterprise")],
        "console: employee": [Request("/console/employee", "/console/employee", {}, "employee")],
        "park console pages": [Request("park tenants", f"/console/park/{BENCH_PARK}/enterprises", {}, "park"),
                               Request("park booths", f"/console/park/{BENCH_PARK}/booths", {}, "park"),
                               Request("park audit", f"/console/park/{BENCH_PARK}/audit", {}, "park")],
        "enterprise console pages": [Request("enterprise people", "/console/enterprise/{org}/people", {}, "enterprise"),
                                     Request("booth statistics", "/console/enterprise/{org}/stats", {}, "enterprise")],
        "employee pages": [Request("free spaces", "/console/employee/spaces", {}, "employee"),
                           Request("my bookings", "/console/employee/bookings", {}, "employee"),
                           Request("inbox", "/console/inbox", {}, "employee")],
    }


def _pct(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 2)


def _stats(samples: list[float]) -> dict[str, Any]:
    return {"n": len(samples), "p50_ms": _pct(samples, 50), "p99_ms": _pct(samples, 99),
            "max_ms": round(max(samples), 2) if samples else None,
            "mean_ms": round(statistics.fmean(samples), 2) if samples else None}


async def load(clients: dict[str | None, httpx.AsyncClient], requests: list[Request], seconds: float,
               concurrency: int, stop: threading.Event | None = None) -> dict[str, Any]:
    """``concurrency`` workers cycle through ``requests`` (each starting at its own place)
    for ``seconds`` (or until ``stop``); latency per label, answers by status."""
    samples: dict[str, list[float]] = {r.label: [] for r in requests}
    statuses: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        i = k
        while time.perf_counter() < deadline and not (stop and stop.is_set()):
            r = requests[i % len(requests)]
            i += 1
            t0 = time.perf_counter()
            try:
                reply = await clients[r.who].get(r.path, params=r.params)
                code = str(reply.status_code)
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            took = (time.perf_counter() - t0) * 1000
            statuses[code] = statuses.get(code, 0) + 1
            if code == "200":
                samples[r.label].append(took)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    span = time.perf_counter() - t0
    every = [s for v in samples.values() for s in v]
    return {"seconds": round(span, 2), "requests": sum(statuses.values()), "statuses": statuses,
            "requests_per_s": round(len(every) / span, 1), "all": _stats(every),
            "by_label": {label: _stats(s) for label, s in samples.items()} if len(samples) > 1 else {}}


async def _clients(base: str, scale: float) -> dict[str | None, httpx.AsyncClient]:
    out: dict[str | None, httpx.AsyncClient] = {None: httpx.AsyncClient(base_url=base, timeout=30)}
    for role, user in people(scale).items():
        out[role] = await _sign_in(base, user)
    return out


async def _enterprise_of(client: httpx.AsyncClient) -> int:
    """The id of the enterprise the signed-in owner manages (its console pages name it)."""
    me = (await client.get("/api/me")).json()
    for m in me["memberships"]:
        if m["kind"] == "enterprise" and m["role"] in ("owner", "admin"):
            return int(m["org_id"])
    raise BenchError(f"{me['user']} manages no enterprise")


def _placed(requests: list[Request], org: int) -> list[Request]:
    return [replace(r, path=r.path.replace("{org}", str(org))) for r in requests]


async def _close(clients: dict[str | None, httpx.AsyncClient]) -> None:
    for c in clients.values():
        await c.aclose()


async def _measure(web: WebUnderTest, bench: ApiBench) -> dict[str, Any]:
    clients = await _clients(web.base, bench.scale)
    try:
        deep = {label: await _deep_cursor(clients[None], params) for label, params in DEEP.items()}
        org = await _enterprise_of(clients["enterprise"])
        out: dict[str, Any] = {}
        for name, requests in scenario_requests(deep).items():
            if bench.scenarios and name not in bench.scenarios:
                continue
            requests = _placed(requests, org)
            await load(clients, requests, min(1.0, bench.seconds), bench.clients)  # warm caches and pools
            result: dict[str, Any] = {}
            for key, concurrency in (("one_client", 1), ("concurrent", bench.clients)):
                me = psutil.Process()
                cores0 = psutil.cpu_times(percpu=True)
                cpu0, own0, t0 = web.cpu_s(), sum(me.cpu_times()[:2]), time.perf_counter()
                r = await load(clients, requests, bench.seconds, concurrency)
                span = time.perf_counter() - t0
                r["web_cpu_percent"] = round(100 * (web.cpu_s() - cpu0) / span, 1)
                r["others_on_web_core_percent"] = _others(cores0, psutil.cpu_times(percpu=True), bench.web_core,
                                                          r["web_cpu_percent"])
                r["load_cpu_percent"] = round(100 * (sum(me.cpu_times()[:2]) - own0) / span, 1)
                result[key] = r
            out[name] = result
            one, many = result["one_client"], result["concurrent"]
            print(f"    {name:24} 1 client p50 {one['all']['p50_ms']} p99 {one['all']['p99_ms']} ms; "  # noqa: T201
                  f"{bench.clients} clients {many['requests_per_s']} req/s p99 {many['all']['p99_ms']} ms, "
                  f"web CPU {many['web_cpu_percent']} %", flush=True)
        return out
    finally:
        await _close(clients)


def _others(before: Any, after: Any, core: int | None, web_percent: float) -> float | None:
    """Busy time of the web's core not spent by the web app: other work on a shared machine."""
    if core is None or core >= len(before):
        return None
    a, b = before[core], after[core]
    total = sum(b) - sum(a)
    if total <= 0:
        return None
    idle = (b.idle - a.idle) + (getattr(b, "iowait", 0.0) - getattr(a, "iowait", 0.0))
    return round(max(0.0, 100.0 * (1.0 - idle / total) - web_percent), 1)


def engine_version(engine: Engine) -> str:
    if engine.database and engine.database.startswith("postgresql"):
        async def ask() -> str:
            import asyncpg

            conn = await asyncpg.connect(engine.database.replace("postgresql+asyncpg://", "postgresql://", 1))
            try:
                return str(await conn.fetchval("SELECT version()")).split(" on ")[0]
            finally:
                await conn.close()
        return asyncio.run(ask())
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (Python's sqlite3 module)"


@contextlib.contextmanager
def _pinned_self(core: int | None) -> Iterator[None]:
    """This process (the load generator) on ``core`` while the block runs."""
    if core is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {core})
    except OSError:
        yield
        return
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def run_engine(bench: ApiBench, engine: Engine) -> dict[str, Any]:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
    print(f"  {engine.name}: preparing {engine.database or engine.data_dir}", flush=True)  # noqa: T201
    result: dict[str, Any] = {"engine": engine.name, "database": engine.database or f"SQLite in {engine.data_dir}"}
    result["prepare"] = prepare(bench, engine)
    result["version"] = engine_version(engine)
    web = WebUnderTest(engine, bench.web_core, bench.work_dir / "logs" / f"api-{engine.name}-web.log",
                       "ws://127.0.0.1:9/ws")
    web.start()
    try:
        with _pinned_self(bench.load_core):
            result["scenarios"] = asyncio.run(_measure(web, bench))
        result["web_rss_mb"] = web.rss_mb()
    finally:
        web.stop()
    return result


# -- the tick under API load ------------------------------------------------------------------

def crowd_under_load(bench: ApiBench, engine: Engine) -> dict[str, Any]:
    """The world server with ``with_crowd`` bots, alone and while the directory load runs
    against the web app (separate processes: world server on ``crowd_core``; the web
    app, its load and the bots elsewhere)."""
    from tools.bench.crowd import CrowdBench, prepare_data_dir, run_step

    crowd = prepare_data_dir(CrowdBench(clients=(bench.with_crowd,), seconds=bench.seconds, park=bench.crowd_park,
                                        data_dir=bench.scenes_dir.parent, work_dir=bench.work_dir / "api-crowd",
                                        server_core=bench.crowd_core, bots_core=bench.bots_core,
                                        ramp_per_s=250.0))
    # the point is a world server with a core of its own: the web app never shares it
    web_core = bench.bots_core if bench.web_core == bench.crowd_core else bench.web_core
    out: dict[str, Any] = {"bots": bench.with_crowd, "park": bench.crowd_park, "engine": engine.name,
                           "world_core": bench.crowd_core, "bots_core": bench.bots_core, "web_core": web_core,
                           "load_core": bench.load_core}
    print(f"  crowd: {bench.with_crowd} bots, no API load", flush=True)  # noqa: T201
    out["alone"] = _tick(run_step(crowd, bench.with_crowd, "real"))
    web = WebUnderTest(engine, web_core, bench.work_dir / "logs" / f"api-crowd-{engine.name}-web.log",
                       "ws://127.0.0.1:9/ws")
    web.start()
    stop = threading.Event()
    api: dict[str, Any] = {}

    def drive() -> None:
        async def go() -> None:
            clients = await _clients(web.base, bench.scale)
            try:
                deep = {label: await _deep_cursor(clients[None], params) for label, params in DEEP.items()}
                requests = scenario_requests(deep)["directory API (mixed)"]
                cpu0, t0 = web.cpu_s(), time.perf_counter()
                api.update(await load(clients, requests, 3600.0, bench.clients, stop))
                api["web_cpu_percent"] = round(100 * (web.cpu_s() - cpu0) / (time.perf_counter() - t0), 1)
            finally:
                await _close(clients)
        with _pinned_self(bench.load_core):
            asyncio.run(go())

    loader = threading.Thread(target=drive, name="api-load", daemon=True)
    try:
        loader.start()
        time.sleep(2.0)  # the load is running before the bots join
        print(f"  crowd: {bench.with_crowd} bots while the directory API is loaded", flush=True)  # noqa: T201
        out["with_api_load"] = _tick(run_step(crowd, bench.with_crowd, "real"))
    finally:
        stop.set()
        loader.join(timeout=60)
        web.stop()
    out["api_load"] = {k: api.get(k) for k in ("requests_per_s", "all", "statuses", "web_cpu_percent", "seconds")}
    return out


def _tick(step: dict[str, Any]) -> dict[str, Any]:
    if "error" in step:
        return {"error": step["error"]}
    return {"tick_ms": step["tick_ms"], "joined": step["joined"], "holds": step["holds"],
            "snapshots_per_client_per_s": step["snapshots_per_client_per_s"],
            "server_cpu_percent": step["server_cpu_percent"],
            "other_load_on_server_core_percent": step.get("other_load_on_server_core_percent")}


def run_bench(bench: ApiBench) -> dict[str, Any]:
    results = [run_engine(bench, e) for e in bench.engines]
    out: dict[str, Any] = {"engines": results}
    if bench.with_crowd:
        out["crowd"] = crowd_under_load(bench, bench.engines[0])
    return out


def machine() -> dict[str, Any]:
    from tools.bench.report import machine as host

    return {**host(), "python": platform.python_version()}


def with_scale(bench: ApiBench, enterprises: int | None) -> ApiBench:
    return bench if enterprises is None else replace(bench, scale=enterprises / ZONE_ENTERPRISES)
