"""Directory search at zone scale: latency p50/p99 per kind of query, as JSON.

Not a test: run it on a database seeded with ``cloudpark demo seed --zone``::

    python -m server.db.bench_directory --database sqlite+aiosqlite:///var/cloudpark.sqlite3 --out bench.json
    python -m server.db.bench_directory --database postgresql+asyncpg://postgres@127.0.0.1/cloudpark_zone

Each query kind runs ``--rounds`` times, the kinds interleaved, one at a time (the
latency a person waits, through the repository: SQL, driver and row decoding).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from server.db.directory import DirectoryQuery, DirectoryRepo
from server.db.store import Store
from server.db.tables import org_profiles

QUERIES: dict[str, DirectoryQuery] = {
    "zh 2 chars": DirectoryQuery("动漫"),
    "zh 4 chars": DirectoryQuery("数字艺术"),
    "zh brand, 3 chars": DirectoryQuery("京韵齿"),
    "en word prefix": DirectoryQuery("anim"),
    "en two words": DirectoryQuery("gear culture"),
    "en rare (few hits)": DirectoryQuery("kapok lantern games"),
    "no match": DirectoryQuery("zzzqqq"),
    "park filter only": DirectoryQuery(park_id="e9"),
    "industry prefix + tag": DirectoryQuery(industry="87", tags=("film",)),
    "text + park + industry": DirectoryQuery("design", park_id="751-d-park", industry="74"),
    "deep page (cursor after 2000)": DirectoryQuery("co"),  # the cursor: found by walking (deep_cursor)
    "institutions by service": DirectoryQuery(service="ip", kinds=("institution",)),
}


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _pct(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def _engine_version(store: Store) -> str:
    async def run(conn: Any) -> str:
        if store.db.dialect == "sqlite":
            return "SQLite " + str((await conn.execute(text("SELECT sqlite_version()"))).scalar_one())
        return str((await conn.execute(text("SELECT version()"))).scalar_one()).split(" on ")[0]
    return await store.db.read(run)


async def deep_cursor(directory: DirectoryRepo, query: DirectoryQuery, rows: int = 2000) -> DirectoryQuery:
    """``query`` from the cursor after its first ``rows`` hits (pages of 100, as a reader would)."""
    page = await directory.search(replace(query, limit=100))
    seen = len(page.hits)
    while seen < rows and page.next is not None:
        page = await directory.search(replace(query, limit=100, after=page.next))
        seen += len(page.hits)
    return replace(query, after=page.next)


async def bench(url: str, rounds: int, progress: bool = True) -> dict[str, Any]:
    store = await Store.open(url)
    try:
        profiles = int((await store.db.row(select(func.count()).select_from(org_profiles)))[0])  # type: ignore[index]
        queries = dict(QUERIES)
        deep = "deep page (cursor after 2000)"
        queries[deep] = await deep_cursor(store.directory, QUERIES[deep])
        for q in queries.values():  # warm the caches and the pool
            await store.directory.search(q)
        samples: dict[str, list[float]] = {name: [] for name in QUERIES}
        hits: dict[str, int] = {}
        for i in range(rounds):
            for name, q in queries.items():
                t0 = time.perf_counter()
                page = await store.directory.search(q)
                samples[name].append((time.perf_counter() - t0) * 1000)
                hits[name] = len(page.hits) + (1000 if page.more else 0)
            if progress and (i + 1) % max(1, rounds // 5) == 0:
                print(f"  {store.db.dialect}: round {i + 1}/{rounds}", file=sys.stderr, flush=True)  # noqa: T201
        every = [s for v in samples.values() for s in v]
        return {
            "engine": store.db.dialect, "version": await _engine_version(store), "profiles": profiles,
            "rounds": rounds, "page_size": 20,
            "all": {"p50_ms": round(_pct(every, 50), 2), "p99_ms": round(_pct(every, 99), 2),
                    "mean_ms": round(statistics.fmean(every), 2), "queries": len(every)},
            "by_query": {name: {"p50_ms": round(_pct(s, 50), 2), "p99_ms": round(_pct(s, 99), 2),
                                "page_full": hits[name] >= 1000}
                         for name, s in samples.items()},
        }
    finally:
        await store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.db.bench_directory", description=__doc__.split("\n")[0])
    parser.add_argument("--database", action="append", required=True, help="a seeded database URL (repeatable)")
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--out", type=Path, default=Path("bench-directory.json"))
    args = parser.parse_args(argv)
    results = [asyncio.run(bench(url, args.rounds)) for url in args.database]
    report = {"bench": "directory search", "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
              "machine": {"cpu": _cpu(), "cores": os.cpu_count(),
                          "python": platform.python_version(), "system": platform.platform()},
              "results": results}
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for r in results:
        print(f"{r['engine']:10} {r['profiles']:,} profiles: p50 {r['all']['p50_ms']} ms, "  # noqa: T201
              f"p99 {r['all']['p99_ms']} ms over {r['all']['queries']} searches")
        for name, s in r["by_query"].items():
            print(f"    {name:34} p50 {s['p50_ms']:7.2f}  p99 {s['p99_ms']:7.2f}")  # noqa: T201
    print(f"wrote {args.out}")  # noqa: T201
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
