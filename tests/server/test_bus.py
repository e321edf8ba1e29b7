"""The in-process bus: hints reach every matching receiver soon, in order, at most once;
one failing receiver never silences the others; publishing never blocks or raises."""

from __future__ import annotations

import asyncio

import pytest

from server.bus import InProcessBus, matches


@pytest.mark.parametrize(("pattern", "subject", "hit"), [
    ("booth.changed", "booth.changed", True),
    ("booth.*", "booth.changed", True),
    ("booth.*", "booth.changed.more", False),
    ("booth.>", "booth.changed.more", True),
    ("booth.>", "booth", False),
    ("space.changed", "booth.changed", False),
    ("*.changed", "space.changed", True),
])
def test_subjects_match_like_nats(pattern: str, subject: str, hit: bool) -> None:
    assert matches(pattern, subject) is hit


def test_hints_reach_receivers_in_order_once_and_after_the_publisher_returns() -> None:
    async def go() -> None:
        bus = InProcessBus()
        got: list[tuple[str, dict]] = []
        other: list[str] = []

        async def slow(subject: str, hint: dict) -> None:
            await asyncio.sleep(0)
            got.append((subject, hint))

        def broken(subject: str, hint: dict) -> None:
            raise RuntimeError("receiver bug")

        bus.subscribe("booth.*", broken)
        bus.subscribe("booth.*", slow)
        bus.subscribe("space.changed", lambda s, h: other.append(s))
        hint = {"park": "p", "booth": "b1"}
        bus.publish("booth.changed", hint)
        bus.publish("booth.assigned", {"park": "p", "booth": "b2"})
        hint["booth"] = "mutated"  # receivers got a copy of what was published
        assert got == []  # nothing runs inside publish
        await asyncio.sleep(0.01)
        assert got == [("booth.changed", {"park": "p", "booth": "b1"}), ("booth.assigned", {"park": "p", "booth": "b2"})]
        assert other == [] and bus.failed == 2 and bus.delivered == 2
        await asyncio.sleep(0.01)
        assert len(got) == 2  # at most once
        await bus.close()
    asyncio.run(go())


def test_a_cancelled_subscription_hears_nothing_and_publishing_without_a_loop_is_harmless() -> None:
    bus = InProcessBus()
    heard: list[str] = []
    sub = bus.subscribe("x", lambda s, h: heard.append(s))
    bus.publish("x", {})  # no running loop (a CLI after asyncio.run): dropped, no error

    async def go() -> None:
        sub.cancel()
        bus.publish("x", {})
        await asyncio.sleep(0.01)
    asyncio.run(go())
    assert heard == []
