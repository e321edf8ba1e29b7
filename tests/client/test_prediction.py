"""Prediction and reconciliation of your own avatar, at fixed time steps."""

from __future__ import annotations

import heapq
import math
import random

import pytest

from client.prediction import Pose, Predictor
from world.protocol.messages import Input
from world.protocol.quantize import pos_from_wire, pos_to_wire, yaw_from_wire, yaw_to_wire

TICK = 1 / 20
WALK, RUN = 2.0, 6.0


def boxed_step(x: float, y: float, yaw: float, inp: Input, dt: float) -> tuple[float, float, float, int]:
    """A stand-in for world.movement.apply_input: speed cap and a 40 m square park."""
    speed = RUN if inp.run else WALK
    nx = min(20.0, max(-20.0, x + inp.mx * speed * dt))
    ny = min(20.0, max(-20.0, y + inp.my * speed * dt))
    moving = inp.mx or inp.my
    return nx, ny, inp.yaw, (2 if inp.run else 1) if moving else 0


def test_prediction_moves_at_once_without_waiting_for_the_server() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK)
    inp = p.apply(1.0, 0.0, 0.0, run=False)
    assert inp.s == 1 and inp.mx == 1.0
    assert p.render_pose().x == pytest.approx(WALK * TICK)
    assert len(p.pending) == 1


def test_direction_longer_than_one_is_normalised() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK)
    inp = p.apply(1.0, 1.0, 0.0, run=False)
    assert math.hypot(inp.mx, inp.my) == pytest.approx(1.0)


def test_reconcile_drops_acknowledged_inputs_and_replays_the_rest() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK)
    for _ in range(5):
        p.apply(1.0, 0.0, 0.0, run=False)
    # The server applied 3 inputs and agrees exactly.
    p.reconcile(3, Pose(3 * WALK * TICK, 0, 0))
    assert [i.s for i in p.pending] == [4, 5]
    assert p.x == pytest.approx(5 * WALK * TICK)
    assert p.last_correction == pytest.approx(0.0, abs=1e-9)


def test_a_correction_is_smoothed_not_snapped() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK, smoothing=0.25)
    for _ in range(4):
        p.apply(1.0, 0.0, 0.0, run=False)
    before = p.render_pose()
    # The server was pushed 0.5 m north (e.g. by something we could not predict).
    p.reconcile(4, Pose(4 * WALK * TICK, 0.5, 0))
    assert p.y == pytest.approx(0.5)
    assert p.render_pose().y == pytest.approx(before.y)  # no jump on this frame
    ys = []
    for _ in range(30):  # half a second at 60 fps
        p.advance(1 / 60)
        ys.append(p.render_pose().y)
    assert all(b >= a for a, b in zip(ys, ys[1:], strict=False))  # glides monotonically
    assert ys[-1] == pytest.approx(0.5, abs=0.01)


def test_a_large_error_teleports() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK, teleport=3.0)
    p.apply(1.0, 0.0, 0.0, run=False)
    p.reconcile(1, Pose(15.0, 15.0, 0))
    assert p.render_pose().x == pytest.approx(15.0)


def test_stale_snapshot_is_ignored() -> None:
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK)
    for _ in range(3):
        p.apply(1.0, 0.0, 0.0, run=False)
    p.reconcile(3, Pose(3 * WALK * TICK, 0, 0))
    p.reconcile(1, Pose(-5.0, 0, 0))
    assert p.x == pytest.approx(3 * WALK * TICK)


def _simulate(
    latency: float, jitter: float, loss: float, seed: int, seconds: float = 8.0
) -> tuple[float, float, Predictor, tuple[float, float]]:
    """A client at 60 fps and 20 Hz ticks talking to a 20 Hz server over a laggy link.

    The server applies queued inputs once per tick (losing a fraction ``loss`` of them),
    sends the quantized position and last applied seq back. Returns the biggest
    unexplained per-frame jump of the drawn avatar, the final prediction error,
    the predictor, and the server's final position.
    """
    rng = random.Random(seed)
    frame = 1 / 60
    p = Predictor(boxed_step, Pose(0, 0, 0), TICK)
    events: list[tuple[float, int, str, object]] = []  # (arrival time, order, kind, payload)
    order = 0
    sx, sy, syaw, last_applied = 0.0, 0.0, 0.0, 0
    server_queue: list[Input] = []
    next_server_tick, next_client_tick = TICK, 0.0
    t = 0.0
    worst_snap = 0.0
    prev = p.render_pose()
    while t < seconds:
        # Walk a square-ish path, running part of the way, then stop for the last 2 s.
        phase = t / (seconds - 2.0)
        moving = phase < 1.0
        angle = 2 * math.pi * phase
        run = 0.3 < phase < 0.6
        while next_client_tick <= t:
            if moving:
                inp = p.apply(math.cos(angle), math.sin(angle), angle, run)
            else:
                inp = p.apply(0.0, 0.0, p.yaw, False)
            order += 1
            if rng.random() >= loss:
                heapq.heappush(events, (t + latency + rng.uniform(-jitter, jitter), order, "in", inp))
            next_client_tick += TICK
        while next_server_tick <= t:
            for inp in sorted(server_queue, key=lambda i: i.s):
                if inp.s > last_applied:
                    sx, sy, syaw, _ = boxed_step(sx, sy, syaw, inp, TICK)
                    last_applied = inp.s
            server_queue.clear()
            order += 1
            wire = (pos_to_wire(sx), pos_to_wire(sy), yaw_to_wire(syaw))
            heapq.heappush(events, (t + latency + rng.uniform(-jitter, jitter), order, "snap", (last_applied, wire)))
            next_server_tick += TICK
        while events and events[0][0] <= t:
            _, _, kind, payload = heapq.heappop(events)
            if kind == "in":
                server_queue.append(payload)  # type: ignore[arg-type]
            else:
                a, (wx, wy, wyaw) = payload  # type: ignore[misc]
                p.reconcile(a, Pose(pos_from_wire(wx), pos_from_wire(wy), yaw_from_wire(wyaw)))
        p.advance(frame)
        now = p.render_pose((t - (next_client_tick - TICK)) / TICK)
        jump = math.hypot(now.x - prev.x, now.y - prev.y)
        expected = ((RUN if run else WALK) if moving else 0.0) * frame  # honest motion this frame
        worst_snap = max(worst_snap, jump - expected)
        prev = now
        t += frame
    final_error = math.hypot(p.render_pose().x - sx, p.render_pose().y - sy)
    return worst_snap, final_error, p, (sx, sy)


SNAP_THRESHOLD = 0.05  # metres beyond honest motion in one 60 fps frame: invisible at walking distance


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_150ms_latency_with_jitter_converges_without_visible_snaps(seed: int) -> None:
    worst_snap, final_error, p, _ = _simulate(latency=0.150, jitter=0.040, loss=0.0, seed=seed)
    assert worst_snap < SNAP_THRESHOLD
    assert final_error < 0.01
    assert not p.pending or p.acked >= p.next_seq - 1 - 10


@pytest.mark.parametrize("seed", [4, 5])
def test_lost_inputs_are_corrected_smoothly_and_converge(seed: int) -> None:
    worst_snap, final_error, p, _ = _simulate(latency=0.150, jitter=0.040, loss=0.05, seed=seed)
    assert worst_snap < SNAP_THRESHOLD
    assert final_error < 0.01
