"""Interest management: radius, hysteresis, K nearest, never self."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.interest import Interest


def brute(eids: np.ndarray, xs: np.ndarray, ys: np.ndarray, r: float, k: int) -> dict[int, set[int]]:
    out = {}
    for i in range(len(xs)):
        d = np.hypot(xs - xs[i], ys - ys[i])
        d[i] = np.inf
        c = np.nonzero(d <= r)[0]
        c = c[np.lexsort((c, d[c]))][:k]
        out[int(eids[i])] = {int(e) for e in eids[c]}
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-120, 120), st.floats(-120, 120)), min_size=0, max_size=60),
       st.integers(1, 10))
def test_first_tick_views_equal_brute_force(points: list[tuple[float, float]], k: int) -> None:
    eids = np.arange(100, 100 + len(points), dtype=np.int64)
    xs = np.array([p[0] for p in points], dtype=np.float64)
    ys = np.array([p[1] for p in points], dtype=np.float64)
    views = Interest(radius=40.0, max_count=k).update(eids, xs, ys)
    expected = brute(eids, xs, ys, 40.0, k)
    assert {e: views.get(e, set()) for e in expected} == expected
    assert all(views.values())  # viewers that see nothing are left out


def test_nobody_sees_themselves_and_far_entities_are_out() -> None:
    views = Interest().update(np.array([1, 2, 3]), np.array([0.0, 10.0, 200.0]), np.array([0.0, 0.0, 0.0]))
    assert views == {1: {2}, 2: {1}}


def test_hysteresis_keeps_an_entity_until_it_passes_the_leave_radius() -> None:
    it = Interest(radius=40.0, hysteresis=1.15)
    eids = np.array([1, 2])
    ys = np.zeros(2)
    def seen(x: float) -> set[int]:
        return it.update(eids, np.array([0.0, x]), ys).get(1, set())

    assert seen(45.0) == set()  # 45 m: not yet in view
    assert seen(39.0) == {2}  # entered at 40 m
    assert seen(45.0) == {2}  # kept up to 46 m
    assert seen(46.5) == set()  # left past 46 m
    assert seen(45.0) == set()  # must come within 40 m again


@pytest.mark.parametrize("n", [40, 300])  # 40: pair path; 300 in one spot: dense path
def test_cap_keeps_the_k_nearest(n: int) -> None:
    rng = np.random.default_rng(3)
    xs = rng.uniform(-20, 20, n)
    ys = rng.uniform(-20, 20, n)
    eids = np.arange(1, n + 1)
    views = Interest(max_count=12).update(eids, xs, ys)
    expected = brute(eids, xs, ys, 40.0, 12)
    for e in eids.tolist():
        assert len(views[e]) == 12
        assert views[e] == expected[e]


def test_dense_crowd_with_hysteresis_still_caps() -> None:
    rng = np.random.default_rng(5)
    n = 200
    xs, ys, eids = rng.uniform(-30, 30, n), rng.uniform(-30, 30, n), np.arange(1, n + 1)
    it = Interest(max_count=48)
    it.update(eids, xs, ys)
    views = it.update(eids, xs + rng.uniform(-1, 1, n), ys)
    assert all(0 < len(v) <= 48 and e not in v for e, v in views.items())
