"""A crowd spread over processes, so the generator never becomes the bottleneck.

Each process runs its share of the visitors (``crowd.run_crowd``) against the same
measurement window; their tallies are merged into one summary.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, replace
from typing import Any

from tools.bots.crowd import CrowdPlan, ShowcasePlan, loop_factory, run_crowd
from tools.bots.tally import Tally
from world.layout import ParkLayout

SETTLE_S = 2.0  # after the last connection of the ramp, before measuring


@dataclass(frozen=True)
class SwarmSpec:
    url: str
    park: str
    clients: int
    shape: str = "tour"
    seconds: float = 10.0
    procs: int = 1
    ramp_per_s: float = 250.0  # connections per second, all processes together
    tick_rate: int = 20
    seed: int = 1
    loop: str = "auto"
    batch: int = 2  # ticks per input message (the `in` message's `n`)
    showcase: ShowcasePlan | None = None  # a showcase audience: reactions, questions, upvotes


def plans(spec: SwarmSpec, layout: ParkLayout, now: float | None = None) -> list[CrowdPlan]:
    procs = max(1, min(spec.procs, spec.clients or 1))
    now = time.monotonic() if now is None else now
    ramp_s = spec.clients / spec.ramp_per_s
    start = now + ramp_s + SETTLE_S + 0.5 * procs  # process start-up
    base = CrowdPlan(
        url=spec.url, park=spec.park, shape=spec.shape, layout=layout, first=0, count=0,
        measure_from=start, measure_until=start + spec.seconds,
        ramp_per_s=spec.ramp_per_s / procs, tick_rate=spec.tick_rate, seed=spec.seed, loop=spec.loop,
        batch=spec.batch, showcase=spec.showcase,
    )
    out, first = [], 0
    for p in range(procs):
        count = spec.clients // procs + (1 if p < spec.clients % procs else 0)
        out.append(replace(base, first=first, count=count))
        first += count
    return out


def run_swarm(spec: SwarmSpec, layout: ParkLayout) -> dict[str, Any]:
    """Run the whole crowd; the merged summary of every process."""
    crowd_plans = plans(spec, layout)
    if len(crowd_plans) == 1:
        tallies = [run_crowd(crowd_plans[0])]
    else:
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(len(crowd_plans)) as pool:
            tallies = pool.map(run_crowd, crowd_plans)
    total = tallies[0]
    for t in tallies[1:]:
        total = total.merge(t)
    summary = total.summary()
    summary.update(url=spec.url, park=spec.park, shape=spec.shape, tick_rate=spec.tick_rate,
                   loop=crowd_plans[0].loop if crowd_plans[0].loop != "auto" else
                   ("uvloop" if loop_factory("auto") else "asyncio"))
    # The window on the system's monotonic clock, so a watcher can line its own samples up.
    summary["window"] = {"from": crowd_plans[0].measure_from, "until": crowd_plans[0].measure_until}
    return summary


__all__ = ["ShowcasePlan", "SwarmSpec", "Tally", "plans", "run_swarm"]
