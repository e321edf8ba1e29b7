"""The bus port: how a change reaches people in the world.

A message on the bus is a *hint* that something changed ("booth 798-art-zone/b03 was
edited"), delivered at most once, never the change itself: the database holds the
truth, and a receiver that missed a hint catches up from it. Publishers never wait
for receivers. Subjects are dotted names (``booth.changed``); a subscription names a
subject exactly or ends in ``.*`` / ``>`` like NATS wildcards, so the NATS
implementation that comes with scale-out keeps the same interface.

``InProcessBus`` is the embedded default: one process, receivers called soon after
the publish, in order, on the event loop; a receiver that raises is logged and the
others still get the hint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("cloudpark.bus")

Hint = dict[str, Any]
Receiver = Callable[[str, Hint], Awaitable[None] | None]


class Subscription(Protocol):
    def cancel(self) -> None: ...


class Bus(Protocol):
    def publish(self, subject: str, hint: Hint) -> None:
        """Send ``hint`` to every receiver of ``subject``; never blocks, never raises."""
        ...

    def subscribe(self, pattern: str, receiver: Receiver) -> Subscription: ...

    async def close(self) -> None: ...


def matches(pattern: str, subject: str) -> bool:
    """NATS-style subject matching: ``*`` is one token, a final ``>`` is one or more."""
    want, got = pattern.split("."), subject.split(".")
    for i, token in enumerate(want):
        if token == ">":
            return len(got) > i
        if i >= len(got) or (token != "*" and token != got[i]):
            return False
    return len(want) == len(got)


@dataclass(eq=False)
class _Sub:
    bus: InProcessBus
    pattern: str
    receiver: Receiver

    def cancel(self) -> None:
        self.bus._subs = [s for s in self.bus._subs if s is not self]


@dataclass(eq=False)
class InProcessBus:
    _subs: list[_Sub] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    published: int = 0
    delivered: int = 0
    failed: int = 0

    def publish(self, subject: str, hint: Hint) -> None:
        self.published += 1
        targets = [s for s in self._subs if matches(s.pattern, subject)]
        if not targets:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (a CLI after asyncio.run): nobody here to hear it
            return
        loop.call_soon(self._deliver, targets, subject, dict(hint))

    def _deliver(self, targets: list[_Sub], subject: str, hint: Hint) -> None:
        for sub in targets:
            try:
                result = sub.receiver(subject, hint)
            except Exception:  # one receiver's bug never silences the others
                self.failed += 1
                log.exception("bus receiver for %s failed", subject)
                continue
            if result is not None:
                task = asyncio.ensure_future(self._await(result, subject))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            else:
                self.delivered += 1

    async def _await(self, result: Awaitable[None], subject: str) -> None:
        try:
            await result
            self.delivered += 1
        except Exception:
            self.failed += 1
            log.exception("bus receiver for %s failed", subject)

    def subscribe(self, pattern: str, receiver: Receiver) -> Subscription:
        sub = _Sub(self, pattern, receiver)
        self._subs.append(sub)
        return sub

    async def close(self) -> None:
        self._subs.clear()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
