"""The free-slot search, the fast path and the rule engine side by side, on one database.

Not a test: ``cloudpark bench bookings`` runs it (a subprocess; tools never import the
server) after its HTTP searches, on the same zone-scale database::

    python -m server.bookings.bench --database sqlite+aiosqlite:///var/cloudpark.sqlite3 \\
        --day 2026-12-03 --park 798-art-zone --rounds 30 --out search.json

- **search**: ``BookingService.search`` (the spaces, their holding bookings in one query,
  the free starts of each) for one park and for the whole zone, ``--rounds`` times each,
  interleaved: with ``world.bookings.slots.free_starts`` (the fast path, what the web
  app runs) and with ``reference_free_starts`` (every candidate start put to every rule:
  what the search ran before). Both must give the same spaces with the same starts:
  ``equal`` says so, for every round.
- **plan**: the query plan of that one query (``holding_many_query``) on this engine
  (SQLite's ``EXPLAIN QUERY PLAN``, PostgreSQL's ``EXPLAIN ANALYZE``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text

from server.bookings.service import BookingService
from server.clock import SystemClock
from server.db.bookings import holding_many_query
from server.db.store import Store
from world.bookings.check import Booking
from world.bookings.rules import SpaceRules
from world.bookings.slots import reference_free_starts

TZ = ZoneInfo("Asia/Shanghai")


class ReferenceSearch(BookingService):
    """The search as it was: every candidate start through ``check.time_problems``."""

    def _free_starts(self, rules: SpaceRules, day: date, duration: timedelta, existing: list[Booking],
                     now: datetime) -> list[datetime]:
        return reference_free_starts(rules, day, duration, existing, now, self.tz)


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _stats(samples: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in samples]
    return {"n": len(ms), "p50_ms": round(statistics.median(ms), 2), "p99_ms": round(_pct(ms, 99), 2),
            "max_ms": round(max(ms), 2)}


async def _plan(store: Store, day: date, park: str | None, service: BookingService) -> list[str]:
    """The plan of the search's one query for the bookings of ``park``'s spaces (None: all)."""
    found = await store.spaces.find(park_id=park)
    lo, hi = service.day_range(day)
    stmt = holding_many_query([s.id for s in found], lo - 86400, hi + 86400)

    async def run(conn: Any) -> list[str]:
        name = conn.dialect.name
        compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if name == "sqlite" else "EXPLAIN (ANALYZE, COSTS OFF) "
        rows = (await conn.execute(text(prefix + str(compiled)))).all()
        return [str(r[-1]) for r in rows]
    return await store.db.read(run)


async def measure(url: str, day: date, park: str, rounds: int) -> dict[str, Any]:
    store = await Store.open(url)
    try:
        fast = BookingService(store, SystemClock(), TZ, b"bench" * 8)
        slow = ReferenceSearch(store, SystemClock(), TZ, b"bench" * 8)
        out: dict[str, Any] = {"day": day.isoformat(), "rounds": rounds}
        for label, where in (("one park", park), ("whole zone", None)):
            times: dict[str, list[float]] = {"fast": [], "reference": []}
            equal = True
            spaces = starts = 0
            for _ in range(rounds):
                got = {}
                for name, service in (("fast", fast), ("reference", slow)):
                    t = time.perf_counter()
                    hits = await service.search(day=day, minutes=60, park_id=where, limit=200)
                    times[name].append(time.perf_counter() - t)
                    got[name] = [(s.id, found) for s, found in hits]
                equal = equal and got["fast"] == got["reference"]
                spaces, starts = len(got["fast"]), sum(len(found) for _, found in got["fast"])
            out[label] = {"spaces_listed": spaces, "free_starts": starts, "equal": equal,
                          "fast": _stats(times["fast"]), "reference": _stats(times["reference"]),
                          "speedup_p50": round(statistics.median(times["reference"])
                                               / statistics.median(times["fast"]), 1)}
        out["plan"] = {"whole zone": await _plan(store, day, None, fast)}
        return out
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m server.bookings.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--database", required=True, help="the SQLAlchemy URL of a seeded zone")
    p.add_argument("--day", type=date.fromisoformat, required=True, help="the local day searched")
    p.add_argument("--park", required=True, help="the park of the one-park search")
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    if args.rounds < 1:
        sys.stderr.write("--rounds must be positive\n")
        return 2
    result = asyncio.run(measure(args.database, args.day, args.park, args.rounds))
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if all(result[k]["equal"] for k in ("one park", "whole zone")) else 1


if __name__ == "__main__":
    raise SystemExit(main())
