"""``cloudpark bench bookings``: the booking storm, on SQLite and PostgreSQL side by side.

Per engine, from nothing: a fresh database (the SQLite file in its own data folder; the
PostgreSQL database dropped and created again), ``cloudpark demo seed --zone --scale S``
(demo enterprises and their employees, all with the demo password), a park staff
account (``cloudpark accounts create``), then ``cloudpark web`` pinned to one core and
this process (the load, real HTTP clients with httpx) on another:

1. **Spaces.** The park staff adds the bench's spaces through the park console (the form
   pages a person uses: add, then save the rules with ``audience = zone`` so every
   demo enterprise may book): ``--spaces`` contested ones and ``--sustain-spaces`` more.
2. **The storm.** ``--clients`` demo employees sign in; then, all released at once,
   they make ``--attempts`` booking attempts (``POST /api/bookings``) on the contested
   slots: each contested space at the same ``--hours`` popular hours (10:00 on, local)
   of one day, every slot wanted by attempts/slots bookers. Exactly one per slot may
   win (201); the others must get 409 ``taken`` with the nearest free alternatives.
   Afterwards an **independent query** (``sqlite3`` / ``asyncpg``, not the app) counts
   the confirmed bookings of those slots and every pair of holding bookings of one
   space whose occupied ranges overlap: there must be none.
3. **Sustained bookings/s.** ``--sustain-clients`` clients book distinct free slots of
   the other spaces for ``--seconds``: bookings per second one web core writes.
4. **Free-slot search.** ``GET /api/spaces?day=&minutes=60`` for the bench's park and
   for the whole zone, ``--searches`` times each, one at a time: p50/p99.

This module never imports ``server``: it drives the commands and the HTTP API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import psutil

from tools.bench.api import (
    BENCH_PARK,
    DEMO_PASSWORD,
    Engine,
    WebUnderTest,
    _cli,
    _pinned_self,
    _run,
    _stats,
    engine_version,
)
from tools.bench.server_process import BenchError, pinned
from tools.catalogue_files import load_catalogue

ZONE = timezone(timedelta(hours=8))  # the web app's zone (Asia/Shanghai, no daylight saving)
HOLDING = ("confirmed", "checked_in", "pending", "offered")
STAFF = "bench-booking-staff"
# "Add a space" adds a venue to the park's catalogue entry (one source of truth for venues and
# their zones; an entry holds at most 64 KiB and the catalogue editor shows 60 venues), so the
# bench fills its park with up to PER_PARK spaces, then the catalogue's other parks in turn
PER_PARK = 50
FIRST_HOUR = 10  # the popular hours start at 10:00 local
CANCEL_EVERY = 4  # in the sustained run, every 4th booking is cancelled: its waitlist is offered the slot
ZONE_EMPLOYEES = 100_000  # the demo zone's employees at --scale 1 (server/demo_zone_data.py ZoneSize)


@dataclass(frozen=True)
class BookingBench:
    engines: tuple[Engine, ...]
    clients: int = 200
    attempts: int = 1000
    spaces: int = 25
    hours: int = 2
    sustain_spaces: int = 1000  # the case: 1,000 spaces with waitlists
    sustain_clients: int = 8
    seconds: float = 10.0
    waitlists: bool = True
    searches: int = 100
    search_rounds: int = 30
    scale: float = 0.05
    web_core: int | None = 0
    load_core: int | None = 1
    work_dir: Path = Path("var/bench")

    @property
    def slots(self) -> int:
        return self.spaces * self.hours


# -- a fresh database per engine ----------------------------------------------------------------

async def _fresh_pg(url: str) -> None:
    import asyncpg

    plain = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    base, _, name = plain.rpartition("/")
    name = name.split("?")[0]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or "bench" not in name:
        raise BenchError(f"database name {name!r}: letters, digits and _ only, and it must say 'bench' "
                         "(the bench drops and recreates it)")
    conn = await asyncpg.connect(f"{base}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def prepare(bench: BookingBench, engine: Engine) -> dict[str, Any]:
    log = bench.work_dir / "logs" / f"bookings-{engine.name}-prepare.log"
    if engine.database:
        asyncio.run(_fresh_pg(engine.database))
    elif engine.data_dir.exists():
        shutil.rmtree(engine.data_dir)
    engine.data_dir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    _run(_cli("demo", "seed", "--zone", "--scale", f"{bench.scale:g}", *engine.flags()), log)
    seeded = {"seed_s": round(time.perf_counter() - t0, 1)}
    _run(_cli("accounts", "create", "--user", STAFF, "--role", "park_staff", "--name", "Bench park staff (demo)",
              "--password-stdin", "--parks", ",".join(bench_parks()), *engine.flags()), log,
         stdin=DEMO_PASSWORD + "\n")
    return seeded


def bookers(bench: BookingBench) -> list[str]:
    """Demo employees (each of a demo enterprise): the first ``clients`` of the seed."""
    employees = max(1, int(ZONE_EMPLOYEES * bench.scale))
    if employees < bench.clients:
        raise BenchError(f"--scale {bench.scale:g} seeds {employees} employees: fewer than --clients {bench.clients}")
    return [f"demo-zone-{n:06d}" for n in range(bench.clients)]


# -- HTTP ------------------------------------------------------------------------------------------

async def _signed_in(base: str, user: str, limits: httpx.Limits) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, timeout=120, limits=limits)
    csrf = (await client.get("/api/session")).json()["csrf"]
    reply = await client.post("/api/session", json={"user": user, "password": DEMO_PASSWORD},
                              headers={"X-CSRF-Token": csrf})
    if reply.status_code != 200:
        await client.aclose()
        raise BenchError(f"sign-in as {user}: {reply.status_code} {reply.text[:300]}")
    return client, str(reply.json()["csrf"])


def bench_parks() -> list[str]:
    """The parks the bench adds spaces to, in order: its own, then the catalogue's others."""
    return [BENCH_PARK, *sorted(p.id for p in load_catalogue() if p.id != BENCH_PARK)]


async def add_spaces(base: str, count: int, prefix: str, first: int = 0) -> list[int]:
    """``count`` spaces added (each a venue of a park's catalogue entry, ``PER_PARK`` a park
    from the ``first``-th space on) and opened to the whole zone through the park console's forms."""
    parks = bench_parks()
    if first + count > PER_PARK * len(parks):
        raise BenchError(f"{first + count} spaces do not fit {len(parks)} parks of {PER_PARK} added venues each")
    staff, csrf = await _signed_in(base, STAFF, httpx.Limits())
    out: list[int] = []
    try:
        for n in range(count):
            made = await staff.post("/console/park/spaces", headers={"X-CSRF-Token": csrf}, data={
                "park": parks[(first + n) // PER_PARK], "venue_id": f"{prefix}-{n:04d}",
                "name": f"Bench {prefix} {n} (demo)",
                "kind": "meeting", "capacity": "12"})
            where = made.headers.get("location", "")
            found = re.fullmatch(r"/console/park/spaces/(\d+)", where)
            if made.status_code != 303 or found is None:
                raise BenchError(f"adding space {prefix}-{n}: {made.status_code} {made.text[:300]}")
            space = int(found.group(1))
            saved = await staff.post(where, headers={"X-CSRF-Token": csrf}, data={
                "name": f"Bench {prefix} {n} (demo)", "kind": "meeting", "capacity": "12", "audience": "zone",
                "min_minutes": "30", "max_minutes": "240", "horizon_days": "60", "cancel_deadline_minutes": "60",
                "hold_minutes": "30", "check_in_grace_minutes": "15"})
            if saved.status_code != 200:
                raise BenchError(f"opening space {space} to the zone: {saved.status_code} {saved.text[:300]}")
            out.append(space)
    finally:
        await staff.aclose()
    return out


def _at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).isoformat()


async def storm(base: str, bench: BookingBench, users: list[str], spaces: list[int], day: date) -> dict[str, Any]:
    slots = [(space, FIRST_HOUR + h) for space in spaces for h in range(bench.hours)]
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    t0 = time.perf_counter()
    signed = await asyncio.gather(*(_signed_in(base, u, limits) for u in users))
    sign_in_s = time.perf_counter() - t0
    # the sign-ins' connections idled while the others signed in: the server may have closed
    # them (keep-alive timeout), so every booker opens its own when the storm starts
    fresh = []
    for client, csrf in signed:
        cookies = client.cookies
        await client.aclose()
        fresh.append((httpx.AsyncClient(base_url=base, timeout=120, limits=limits, cookies=cookies), csrf))
    signed = fresh
    per_client = [list(range(k, bench.attempts, len(users))) for k in range(len(users))]
    go = asyncio.Event()
    outcomes: list[tuple[int, str, float, bool]] = []  # (slot, status, ms, alternatives offered)

    async def booker(k: int) -> None:
        client, csrf = signed[k]
        await go.wait()
        for attempt in per_client[k]:
            slot = attempt % len(slots)
            space, hour = slots[slot]
            t = time.perf_counter()
            try:
                reply = await client.post("/api/bookings", headers={"X-CSRF-Token": csrf}, json={
                    "space": space, "start": _at(day, hour), "end": _at(day, hour + 1)})
                status = str(reply.status_code)
                alts = status == "409" and bool(reply.json().get("alternatives"))
                if status == "409" and reply.json().get("code") != "taken":
                    status = f"409 {reply.json().get('code')}"
            except httpx.HTTPError as exc:
                status, alts = type(exc).__name__, False
            outcomes.append((slot, status, (time.perf_counter() - t) * 1000, alts))

    tasks = [asyncio.create_task(booker(k)) for k in range(len(users))]
    await asyncio.sleep(0.2)  # every booker is waiting at the start line
    t0 = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    span = time.perf_counter() - t0
    for client, _ in signed:
        await client.aclose()
    statuses: dict[str, int] = {}
    for _, status, _, _ in outcomes:
        statuses[status] = statuses.get(status, 0) + 1
    won = [o for o in outcomes if o[1] == "201"]
    per_slot: dict[int, int] = {}
    for slot, *_ in won:
        per_slot[slot] = per_slot.get(slot, 0) + 1
    return {"attempts": len(outcomes), "slots": len(slots), "clients": len(users), "sign_in_s": round(sign_in_s, 1),
            "seconds": round(span, 2), "attempts_per_s": round(len(outcomes) / span, 1), "statuses": statuses,
            "confirmed": len(won), "slots_won_twice": sum(1 for n in per_slot.values() if n > 1),
            "taken_with_alternatives": sum(1 for o in outcomes if o[1] == "409" and o[3]),
            "taken_without_alternatives": sum(1 for o in outcomes if o[1] == "409" and not o[3]),
            "latency": _stats([o[2] for o in outcomes]), "confirmed_latency": _stats([o[2] for o in won])}


async def sustain(base: str, bench: BookingBench, users: list[str], spaces: list[int], first_day: date
                  ) -> dict[str, Any]:
    """Distinct free slots (space, day, hour) for ``seconds``, by ``sustain_clients`` workers,
    each with a booker and a rival (two demo employees): the booker books the slot (201);
    with ``waitlists`` the rival then asks for it too (409 taken), joins its waitlist (201)
    and, for every ``CANCEL_EVERY``-th slot, the booker cancels, so the service offers the
    slot to the rival in the same transaction (an ``offered`` booking, counted afterwards
    by the independent query)."""
    todo = ((space, first_day + timedelta(days=d), hour) for d in range(40) for hour in range(8, 20)
            for space in spaces)
    n = bench.sustain_clients
    pairs = users[:2 * n] if bench.waitlists else users[:n]
    signed = await asyncio.gather(*(_signed_in(base, u, httpx.Limits()) for u in pairs))
    statuses: dict[str, int] = {}
    samples: list[float] = []
    counts = {"waitlist_joined": 0, "cancelled": 0, "rival_not_taken": 0}
    deadline = time.perf_counter() + bench.seconds
    done = [0]

    def count(kind: str, status: str) -> None:
        statuses[f"{kind} {status}"] = statuses.get(f"{kind} {status}", 0) + 1

    async def worker(k: int) -> None:
        client, csrf = signed[k]
        rival, rival_csrf = signed[k + n] if bench.waitlists else signed[k]
        while time.perf_counter() < deadline:
            try:
                space, day, hour = next(todo)
            except StopIteration:
                return
            slot = {"space": space, "start": _at(day, hour), "end": _at(day, hour + 1)}
            t = time.perf_counter()
            try:
                reply = await client.post("/api/bookings", headers={"X-CSRF-Token": csrf}, json=slot)
                status = str(reply.status_code)
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            count("book", status)
            if status != "201":
                continue
            samples.append((time.perf_counter() - t) * 1000)
            done[0] += 1
            if not bench.waitlists:
                continue
            try:
                taken = await rival.post("/api/bookings", headers={"X-CSRF-Token": rival_csrf}, json=slot)
                count("rival", str(taken.status_code))
                if taken.status_code != 409 or taken.json().get("code") != "taken":
                    counts["rival_not_taken"] += 1
                    continue
                joined = await rival.post("/api/waitlist", headers={"X-CSRF-Token": rival_csrf}, json=slot)
                count("wait", str(joined.status_code))
                if joined.status_code == 201:
                    counts["waitlist_joined"] += 1
                if done[0] % CANCEL_EVERY == 0:
                    gone = await client.delete(f"/api/bookings/{reply.json()['id']}", headers={"X-CSRF-Token": csrf})
                    count("cancel", str(gone.status_code))
                    if gone.status_code == 200:
                        counts["cancelled"] += 1
            except httpx.HTTPError as exc:
                count("waitlist", type(exc).__name__)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(n)))
    span = time.perf_counter() - t0
    for client, _ in signed:
        await client.aclose()
    requests = sum(statuses.values())
    errors = sum(v for k, v in statuses.items() if k.split()[-1] not in ("201", "200", "409"))
    return {"clients": n, "spaces": len(spaces), "waitlists": bench.waitlists, "seconds": round(span, 2),
            "statuses": statuses, "bookings": len(samples), "bookings_per_s": round(len(samples) / span, 1),
            "requests_per_s": round(requests / span, 1), "errors": errors, **counts, "latency": _stats(samples)}


async def searches(base: str, bench: BookingBench, day: date) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        for label, params in (("one park", {"park": BENCH_PARK}), ("whole zone", {})):
            samples: list[float] = []
            statuses: dict[str, int] = {}
            spaces = starts = 0
            for _ in range(bench.searches):
                t = time.perf_counter()
                reply = await client.get("/api/spaces", params={**params, "day": day.isoformat(), "minutes": 60})
                took = (time.perf_counter() - t) * 1000
                statuses[str(reply.status_code)] = statuses.get(str(reply.status_code), 0) + 1
                if reply.status_code == 200:
                    samples.append(took)
                    found = reply.json()
                    spaces, starts = len(found), sum(len(s["free"]) for s in found)
            out[label] = {"spaces_listed": spaces, "free_starts": starts, "statuses": statuses, **_stats(samples)}
    return out


def _url(engine: Engine) -> str:
    return engine.database or f"sqlite+aiosqlite:///{engine.data_dir / 'cloudpark.sqlite3'}"


def search_side_by_side(bench: BookingBench, engine: Engine, day: date) -> dict[str, Any]:
    """``python -m server.bookings.bench`` on the same database (its own process, pinned
    to the web's core while the web server idles): the search through the service with the
    fast path and with the rule engine's reference definition, interleaved, compared."""
    log = bench.work_dir / "logs" / f"bookings-{engine.name}-search.log"
    out = bench.work_dir / "logs" / f"bookings-{engine.name}-search.json"
    cmd = [sys.executable, "-m", "server.bookings.bench", "--database", _url(engine), "--day", day.isoformat(),
           "--park", BENCH_PARK, "--rounds", str(bench.search_rounds), "--out", str(out)]
    done = _run(pinned(cmd, bench.web_core), log, check=False)
    if done.returncode not in (0, 1) or not out.exists():
        raise BenchError(f"server.bookings.bench failed with {done.returncode}: {(done.stderr or done.stdout)[-1500:]}")
    return dict(json.loads(out.read_text(encoding="utf-8")))


# -- the independent check -------------------------------------------------------------------------

OVERLAPS = """SELECT count(*) FROM bookings a JOIN bookings b
  ON a.space_id = b.space_id AND a.id < b.id AND a.occ_start < b.occ_end AND b.occ_start < a.occ_end
  WHERE a.state IN ('confirmed', 'checked_in', 'pending', 'offered')
    AND b.state IN ('confirmed', 'checked_in', 'pending', 'offered')"""


OFFERED = "SELECT count(*) FROM bookings WHERE state = 'offered'"
WAITING = "SELECT count(*) FROM booking_waitlist WHERE state = 'waiting'"


def _confirmed_sql(spaces: list[int], lo: float, hi: float) -> str:
    ids = ",".join(str(int(s)) for s in spaces)
    return (f"SELECT count(*) FROM bookings WHERE space_id IN ({ids}) AND state = 'confirmed' "
            f"AND start_at >= {lo} AND start_at < {hi}")


def check(engine: Engine, spaces: list[int], day: date, hours: int) -> dict[str, Any]:
    """Read the database itself: the storm's confirmed bookings, and overlaps anywhere."""
    lo = datetime(day.year, day.month, day.day, FIRST_HOUR, tzinfo=ZONE).timestamp()
    hi = lo + hours * 3600
    if engine.database:
        async def ask() -> tuple[int, int, int]:
            import asyncpg

            conn = await asyncpg.connect(engine.database.replace("postgresql+asyncpg://", "postgresql://", 1))
            try:
                return (int(await conn.fetchval(OVERLAPS)), int(await conn.fetchval(_confirmed_sql(spaces, lo, hi))),
                        int(await conn.fetchval("SELECT count(*) FROM bookings")),
                        int(await conn.fetchval(OFFERED)), int(await conn.fetchval(WAITING)))
            finally:
                await conn.close()
        overlaps, confirmed, total, offered, waiting = asyncio.run(ask())
    else:
        db = sqlite3.connect(f"file:{engine.data_dir / 'cloudpark.sqlite3'}?mode=ro", uri=True)
        try:
            overlaps = int(db.execute(OVERLAPS).fetchone()[0])
            confirmed = int(db.execute(_confirmed_sql(spaces, lo, hi)).fetchone()[0])
            total = int(db.execute("SELECT count(*) FROM bookings").fetchone()[0])
            offered = int(db.execute(OFFERED).fetchone()[0])
            waiting = int(db.execute(WAITING).fetchone()[0])
        finally:
            db.close()
    return {"overlapping_pairs": overlaps, "storm_confirmed_in_db": confirmed, "bookings_in_db": total,
            "offered_in_db": offered, "waiting_in_db": waiting, "query": " ".join(OVERLAPS.split())}


# -- one engine, all engines -----------------------------------------------------------------------

async def _measure(web: WebUnderTest, bench: BookingBench, engine: Engine) -> dict[str, Any]:
    users = bookers(bench)
    t0 = time.perf_counter()
    contested = await add_spaces(web.base, bench.spaces, "storm")
    others = await add_spaces(web.base, bench.sustain_spaces, "sustain", bench.spaces) if bench.sustain_spaces else []
    out: dict[str, Any] = {"spaces_added_s": round(time.perf_counter() - t0, 1)}
    today = datetime.now(ZONE).date()
    storm_day = today + timedelta(days=2)
    print(f"    storm: {bench.attempts} attempts by {len(users)} clients on {bench.slots} slots", flush=True)  # noqa: T201
    cpu0, t0 = web.cpu_s(), time.perf_counter()
    out["storm"] = await storm(web.base, bench, users, contested, storm_day)
    out["storm"]["web_cpu_percent"] = round(100 * (web.cpu_s() - cpu0) / (time.perf_counter() - t0), 1)
    out["check"] = await asyncio.to_thread(check, engine, contested, storm_day, bench.hours)
    if others:
        print(f"    sustained: {bench.sustain_clients} clients, {len(others)} spaces, {bench.seconds:g} s"  # noqa: T201
              + (", with waitlists" if bench.waitlists else ""), flush=True)
        before = await asyncio.to_thread(check, engine, contested, storm_day, bench.hours)
        cpu0, t0 = web.cpu_s(), time.perf_counter()
        out["sustained"] = await sustain(web.base, bench, users, others, today + timedelta(days=3))
        out["sustained"]["web_cpu_percent"] = round(100 * (web.cpu_s() - cpu0) / (time.perf_counter() - t0), 1)
        after = await asyncio.to_thread(check, engine, contested, storm_day, bench.hours)
        out["sustained"]["offered_in_db"] = after["offered_in_db"] - before["offered_in_db"]
        out["sustained"]["waiting_in_db"] = after["waiting_in_db"] - before["waiting_in_db"]
    print("    free-slot search over HTTP, then fast path and rule engine side by side", flush=True)  # noqa: T201
    out["search"] = await searches(web.base, bench, storm_day)
    out["search_side_by_side"] = await asyncio.to_thread(search_side_by_side, bench, engine, storm_day)
    out["check_after"] = await asyncio.to_thread(check, engine, contested, storm_day, bench.hours)
    return out


def _cores(web: WebUnderTest) -> list[int] | None:
    """The cores the web process (and its workers) may run on, as the kernel has it."""
    if web.ps is None:
        return None
    try:
        return sorted({c for p in [web.ps, *web.ps.children(recursive=True)] for c in p.cpu_affinity()})
    except (psutil.Error, AttributeError):
        return None


def run_engine(bench: BookingBench, engine: Engine) -> dict[str, Any]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    print(f"  {engine.name}: a fresh database, seeding at scale {bench.scale:g}", flush=True)  # noqa: T201
    result: dict[str, Any] = {"engine": engine.name, "database": engine.database or f"SQLite in {engine.data_dir}"}
    result["prepare"] = prepare(bench, engine)
    result["version"] = engine_version(engine)
    web = WebUnderTest(engine, bench.web_core, bench.work_dir / "logs" / f"bookings-{engine.name}-web.log",
                       "ws://127.0.0.1:9/ws")
    web.start()
    try:
        result["web_cores"] = _cores(web)
        with _pinned_self(bench.load_core):
            result.update(asyncio.run(_measure(web, bench, engine)))
        result["web_rss_mb"] = web.rss_mb()
    finally:
        web.stop()
    s, c = result["storm"], result["check"]
    print(f"    {engine.name}: {s['confirmed']} confirmed of {s['slots']} slots, "  # noqa: T201
          f"{s['taken_with_alternatives']} taken with alternatives, {c['overlapping_pairs']} overlaps; "
          f"p50 {s['latency']['p50_ms']} p99 {s['latency']['p99_ms']} ms", flush=True)
    return result


def verdict(result: dict[str, Any]) -> list[str]:
    """What a run got wrong (empty: the guarantees held)."""
    s, c = result["storm"], result["check"]
    wrong = []
    if s["confirmed"] != s["slots"]:
        wrong.append(f"{s['confirmed']} bookings confirmed for {s['slots']} slots")
    if c["storm_confirmed_in_db"] != s["slots"]:
        wrong.append(f"the database holds {c['storm_confirmed_in_db']} confirmed storm bookings for {s['slots']} slots")
    if c["overlapping_pairs"] or result.get("check_after", c)["overlapping_pairs"]:
        wrong.append(f"{c['overlapping_pairs']} overlapping pairs of holding bookings")
    if s["slots_won_twice"]:
        wrong.append(f"{s['slots_won_twice']} slots won twice")
    side = result.get("search_side_by_side", {})
    for key in ("one park", "whole zone"):
        if key in side and not side[key]["equal"]:
            wrong.append(f"free-slot search, {key}: the fast path and the rule engine disagree")
    other = {k: n for k, n in s["statuses"].items() if k not in ("201", "409")}
    if other:
        wrong.append(f"storm answers other than 201/409 taken: {other}")
    return wrong


def run_bench(bench: BookingBench) -> dict[str, Any]:
    results = [run_engine(bench, e) for e in bench.engines]
    for r in results:
        r["wrong"] = verdict(r)
    return {"engines": results}


def markdown(run: dict[str, Any]) -> str:
    m, st = run["machine"], run["settings"]
    engines = run["results"]["engines"]

    def cell(e: dict[str, Any], path: str) -> str:
        value: Any = e
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        return "-" if value is None else f"{value:,.1f}" if isinstance(value, float) else str(value)

    rows = [
        ("seed (demo zone) s", "prepare.seed_s"),
        ("storm: attempts / clients / contested slots", None),
        ("storm: confirmed (201)", "storm.confirmed"),
        ("storm: confirmed in the database (independent query)", "check.storm_confirmed_in_db"),
        ("storm: overlapping holding pairs in the database", "check.overlapping_pairs"),
        ("storm: 409 taken with alternatives", "storm.taken_with_alternatives"),
        ("storm: 409 taken without alternatives", "storm.taken_without_alternatives"),
        ("storm: other answers", None),
        ("storm: attempts/s", "storm.attempts_per_s"),
        ("storm: latency p50 / p99 / max ms", None),
        ("storm: web CPU %", "storm.web_cpu_percent"),
        ("sustained: bookings/s (one web core)", "sustained.bookings_per_s"),
        ("sustained: all requests/s (book, rival, waitlist, cancel)", "sustained.requests_per_s"),
        ("sustained: booking p50 / p99 ms", None),
        ("sustained: clients / spaces / errors", None),
        ("sustained: waitlist joins / cancelled / offered (in the database)", None),
        ("sustained: web CPU %", "sustained.web_cpu_percent"),
        ("free-slot search over HTTP, one park: p50 / p99 ms (spaces, starts)", None),
        ("free-slot search over HTTP, whole zone: p50 / p99 ms (spaces, starts)", None),
        ("search service, one park: fast p50 / p99 ms", None),
        ("search service, one park: rule engine p50 / p99 ms", None),
        ("search service, whole zone: fast p50 / p99 ms", None),
        ("search service, whole zone: rule engine p50 / p99 ms", None),
        ("search service: fast == rule engine (every round)", None),
    ]
    lines = [f"### Bookings storm, {run['started']}", "",
             f"Machine: {m['nproc']} cores, {m['cpu_model']}, Python {m['python']} ({m['platform']}), load average "
             f"{m.get('load_average_1m', '-')} when the run began (a machine shared with other agents: read the "
             f"figures as upper bounds). `cloudpark web` pinned to core {st['web_core']} (the kernel's affinity: "
             + "; ".join(f"{e['engine']} {e.get('web_cores')}" for e in engines)
             + f"), the load (this process) to core {st['load_core']}. Data: a fresh demo zone at scale "
             f"{st['scale']:g} per engine. Engines: "
             + "; ".join(f"{e['engine']}: {e['version']}" for e in engines) + f". Command: `{run['command']}`.", "",
             "| | " + " | ".join(e["engine"] for e in engines) + " |", "|---|" + "---:|" * len(engines)]
    for label, path in rows:
        cells = []
        for e in engines:
            s = e["storm"]
            if path is not None:
                cells.append(cell(e, path))
            elif label.startswith("storm: attempts /"):
                cells.append(f"{s['attempts']} / {s['clients']} / {s['slots']}")
            elif label == "storm: other answers":
                cells.append(", ".join(f"{k}: {n}" for k, n in s["statuses"].items() if k not in ("201", "409"))
                             or "0")
            elif label.startswith("storm: latency"):
                a = s["latency"]
                cells.append(f"{a['p50_ms']} / {a['p99_ms']} / {a['max_ms']}")
            elif label.startswith("sustained: booking p50"):
                a = e.get("sustained", {}).get("latency", {})
                cells.append(f"{a.get('p50_ms', '-')} / {a.get('p99_ms', '-')}")
            elif label.startswith("sustained: clients"):
                u = e.get("sustained", {})
                cells.append(f"{u.get('clients', '-')} / {u.get('spaces', '-')} / {u.get('errors', '-')}")
            elif label.startswith("sustained: waitlist"):
                u = e.get("sustained", {})
                cells.append(f"{u.get('waitlist_joined', '-')} / {u.get('cancelled', '-')} / "
                             f"{u.get('offered_in_db', '-')}")
            elif label.startswith("free-slot search over HTTP"):
                a = e["search"]["one park" if "one park" in label else "whole zone"]
                cells.append(f"{a['p50_ms']} / {a['p99_ms']} ({a['spaces_listed']}, {a.get('free_starts', '-')})")
            elif label.startswith("search service:"):
                side = e.get("search_side_by_side", {})
                cells.append(" / ".join("yes" if side.get(k, {}).get("equal") else "NO"
                                        for k in ("one park", "whole zone")))
            else:
                side = e.get("search_side_by_side", {}).get("one park" if "one park" in label else "whole zone", {})
                a = side.get("fast" if "fast" in label else "reference", {})
                cells.append(f"{a.get('p50_ms', '-')} / {a.get('p99_ms', '-')}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    wrong = [f"{e['engine']}: {w}" for e in engines for w in e.get("wrong", [])]
    lines += ["", "Guarantees: " + ("held on every engine (exactly one booking per contested slot, confirmed in the "
                                    "database by its own query, no overlapping holding bookings)."
                                    if not wrong else "BROKEN: " + "; ".join(wrong))]
    return "\n".join(lines)


def write(run: dict[str, Any], out: Path, docs: Path | None) -> dict[str, Path]:
    import json

    out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(run["started_epoch"]))
    paths = {"json": out / f"bookings-{stamp}.json", "markdown": out / f"bookings-{stamp}.md"}
    paths["json"].write_text(json.dumps(run, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    text = markdown(run)
    paths["markdown"].write_text(text, encoding="utf-8")
    if docs is not None:
        with contextlib.suppress(OSError), docs.open("a", encoding="utf-8") as f:
            f.write("\n" + text + "\n")
        paths["docs"] = docs
    return paths

