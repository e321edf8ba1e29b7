"""Many visitors in one process: connect them at a steady ramp, tick them, measure.

One tick loop drives every visitor of the process (no task per bot). The
measurement window opens at ``measure_from`` (monotonic clock, shared by all
processes of a swarm) once the crowd has had time to join, and closes at
``measure_until``; only then do counters count.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from websockets.uri import WebSocketURI, parse_uri

from tools.bots.route import Itinerary
from tools.bots.tally import MAX_LATENCY_SAMPLES, Tally
from tools.bots.visitor import Visitor
from world.layout import ParkLayout

log = logging.getLogger("cloudpark.bots")


@dataclass(frozen=True)
class ShowcasePlan:
    """A showcase audience (``cloudpark bench showcase``): reactions every second, and a
    share of signed-in askers who now and then ask or upvote a question."""

    react_every_s: float = 1.0
    ask_share: float = 0.05
    ask_every_s: float = 60.0
    upvote_every_s: float = 15.0
    accounts: str = "sbot-"  # the askers' user names: prefix + bot index (unique per run)
    password: str = "bench-password-1"


@dataclass(frozen=True)
class CrowdPlan:
    """What one process runs: which bots, where, when to measure."""

    url: str
    park: str
    shape: str
    layout: ParkLayout
    first: int  # index of this process's first bot
    count: int
    measure_from: float  # time.monotonic()
    measure_until: float
    ramp_per_s: float = 200.0  # new connections per second, this process
    tick_rate: int = 20
    seed: int = 1
    loop: str = "auto"  # "uvloop" (the bench extra), "asyncio", or "auto": uvloop when installed
    batch: int = 2  # ticks each input message covers (`in.n`): inputs go out at tick_rate / batch
    showcase: ShowcasePlan | None = None


class Crowd:
    def __init__(self, plan: CrowdPlan) -> None:
        self.plan = plan
        self.park = plan.park
        self.uri: WebSocketURI = parse_uri(plan.url)
        self.tick_rate = plan.tick_rate
        self.batch = plan.batch
        self.tally = Tally(clients=plan.count, showcase=plan.showcase is not None)
        self.questions: dict[int, None] = {}
        self.max_samples = MAX_LATENCY_SAMPLES
        self.measuring = False
        self.stopping = False
        self.in_park: dict[int, Visitor] = {}
        self.visitors: list[Visitor] = []
        self._pending: set[asyncio.Task[None]] = set()

    @property
    def showcase(self) -> ShowcasePlan | None:
        return self.plan.showcase

    # --- called by visitors -------------------------------------------------------

    def entered(self, v: Visitor) -> None:
        self.in_park[v.index] = v

    def left(self, v: Visitor, was_in_park: bool) -> None:
        self.in_park.pop(v.index, None)

    def note_close(self, reason: str) -> None:
        if self.measuring:
            self.tally.closes[reason] += 1

    def reconnect(self, v: Visitor) -> None:
        if self.measuring:
            self.tally.reconnects += 1
        self._spawn(self._connect(v, delay=v.rng.uniform(0.5, 2.0)))

    # --- running ------------------------------------------------------------------

    def _spawn(self, coro: object) -> None:
        task = asyncio.get_running_loop().create_task(coro)  # type: ignore[arg-type]
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _connect(self, v: Visitor, delay: float = 0.0) -> None:
        if delay:
            await asyncio.sleep(delay)
        loop = asyncio.get_running_loop()
        while not self.stopping:
            v.closing = False
            try:
                await loop.create_connection(lambda: v, self.uri.host, self.uri.port)
                return
            except OSError as exc:
                self.note_close(f"connect_{type(exc).__name__}")
                await asyncio.sleep(v.rng.uniform(0.5, 2.0))

    async def run(self) -> Tally:
        plan = self.plan
        loop = asyncio.get_running_loop()
        for i in range(plan.first, plan.first + plan.count):
            rng = random.Random(plan.seed * 1_000_003 + i)
            self.visitors.append(Visitor(self, i, Itinerary(plan.layout, plan.shape, rng), rng))
        ramp = asyncio.create_task(self._ramp())
        period = plan.batch / plan.tick_rate
        next_tick = loop.time()
        cpu0 = 0.0
        while True:
            now = time.monotonic()
            if not self.measuring and now >= plan.measure_from:
                self.measuring = True
                cpu0 = time.process_time()
                self.tally.wall_from = time.time() - (now - plan.measure_from)
                self.tally.wall_until = self.tally.wall_from + (plan.measure_until - plan.measure_from)
                for v in self.visitors:
                    v.snaps = 0
                    v.reaction_seconds.clear()
            if now >= plan.measure_until:
                break
            for v in list(self.in_park.values()):
                v.tick(now)
            next_tick += period
            delay = next_tick - loop.time()
            if delay < -period:  # the generator fell behind: skip, don't burst
                next_tick = loop.time()
                delay = 0.0
            await asyncio.sleep(max(delay, 0.0))
        self.tally.cpu_s = time.process_time() - cpu0
        self.tally.window_s = plan.measure_until - plan.measure_from
        self.tally.joined = len(self.in_park)
        self.tally.snaps = [v.snaps for v in self.visitors]
        if plan.showcase is not None:
            self.tally.reaction_seconds = [sorted(v.reaction_seconds) for v in self.visitors]
            self.tally.halls = [v.hall if v.in_park else 0 for v in self.visitors]
        self.measuring = False
        self.stopping = True
        ramp.cancel()
        for task in list(self._pending):
            task.cancel()
        for v in self.visitors:
            v.close()
        await asyncio.sleep(0.3)  # let close frames go out
        for v in self.visitors:
            if v.transport is not None:
                v.transport.abort()
        return self.tally

    async def _ramp(self) -> None:
        gap = 1.0 / max(self.plan.ramp_per_s, 1e-3)
        for v in self.visitors:
            self._spawn(self._connect(v))
            await asyncio.sleep(gap)


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop roughly halves the bots' event-loop overhead; the stdlib loop is the fallback."""
    if name == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if name == "uvloop":
            raise RuntimeError("--loop uvloop needs the bench extra: pip install -e '.[bench]'") from None
        return None
    return uvloop.new_event_loop  # type: ignore[no-any-return]


def run_crowd(plan: CrowdPlan) -> Tally:
    """Run one process's crowd to the end of its window (blocking)."""
    with asyncio.Runner(loop_factory=loop_factory(plan.loop)) as runner:
        return runner.run(Crowd(plan).run())
