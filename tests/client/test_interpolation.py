"""Remote avatars: drawn ~100 ms behind the server, interpolated, extrapolated a little."""

from __future__ import annotations

import math
import random

import pytest

from client.interpolation import Crowd, ServerClock, lerp_angle

TICK = 1 / 20


def walker(eid: int, x_cm: int) -> tuple[int, int, int, int, int]:
    return (eid, x_cm, 0, 0, 1)


def test_enter_then_interpolate_between_snapshots() -> None:
    crowd = Crowd(TICK, delay=0.1)
    crowd.snapshot(0, 0.0, [(7, 0, 0, 0, 0, "Li", 0xFF0000)], [], [])
    for k in range(1, 6):  # 1 m/s east, no latency
        crowd.snapshot(k, k * TICK, [], [walker(7, 5 * k)], [])
    (r,) = crowd.render(5 * TICK)
    # Drawn 100 ms (two ticks) behind the newest sample: at x = 0.15 m.
    assert r.x == pytest.approx(0.15, abs=1e-6)
    assert r.name == "Li" and r.rgb == 0xFF0000
    assert r.speed == pytest.approx(1.0)
    mid = crowd.render(5 * TICK - 0.025)[0]
    assert mid.x == pytest.approx(0.125, abs=1e-6)


def test_extrapolation_is_bounded() -> None:
    crowd = Crowd(TICK, delay=0.1, max_extrapolation=0.25)
    crowd.snapshot(0, 0.0, [(1, 0, 0, 0, 1, "a", 0)], [], [])
    crowd.snapshot(1, TICK, [], [walker(1, 10)], [])  # 2 m/s
    far = crowd.render(10.0)[0]  # no snapshot for ten seconds
    assert far.x == pytest.approx(0.1 + 2.0 * 0.25)


def test_leave_removes_and_silence_means_standing_still() -> None:
    crowd = Crowd(TICK)
    crowd.snapshot(0, 0.0, [(1, 0, 0, 0, 1, "a", 0), (2, 100, 0, 0, 0, "b", 0)], [], [])
    crowd.snapshot(1, TICK, [], [walker(1, 10)], [])
    crowd.snapshot(2, 2 * TICK, [], [walker(1, 20)], [2])
    assert [r.eid for r in crowd.render(2 * TICK)] == [1]
    crowd.snapshot(3, 3 * TICK, [], [], [])  # 1 not mentioned: it stopped
    crowd.snapshot(4, 4 * TICK, [], [], [])
    r = crowd.render(10.0)[0]
    assert r.x == pytest.approx(0.2)
    assert r.speed == 0.0


def test_yaw_takes_the_short_way_round() -> None:
    a, b = math.pi - 0.1, -math.pi + 0.1
    mid = lerp_angle(a, b, 0.5)
    assert math.cos(mid) == pytest.approx(-1.0, abs=1e-6)


def test_clock_follows_the_least_delayed_snapshot() -> None:
    clock = ServerClock()
    clock.observe(1.0, 10.2)  # 200 ms late
    clock.observe(1.05, 10.2)  # 150 ms late: better
    clock.observe(1.10, 10.4)  # 300 ms late: ignored except for slow sag
    assert clock.server_time(10.2) == pytest.approx(1.05, abs=0.01)


def test_jittery_stream_moves_smoothly() -> None:
    """150 ms latency, +-40 ms jitter, 60 fps: drawn speed never far from the true 2 m/s."""
    rng = random.Random(9)
    crowd = Crowd(TICK, delay=0.1)
    arrivals = sorted(
        (k * TICK + 0.15 + rng.uniform(-0.04, 0.04), k) for k in range(0, 200)
    )
    frame, t, i, xs = 1 / 60, 0.0, 0, []
    while t < 10.0:
        while i < len(arrivals) and arrivals[i][0] <= t:
            k = arrivals[i][1]
            enters = [(1, 0, 0, 0, 1, "w", 0)] if not crowd.tracks else []
            crowd.snapshot(k, t, enters, [walker(1, 10 * k)] if crowd.tracks else [], [])
            i += 1
        r = crowd.render(t)
        if r and 1.0 < t < 9.0:
            xs.append(r[0].x)
        t += frame
    steps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    assert max(steps) < 2.0 * frame * 2.5
    assert min(steps) > -1e-9  # never walks backwards
