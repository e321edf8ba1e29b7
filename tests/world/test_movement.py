"""Movement from input: speed caps, clamping, animation, and client/server agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from world.movement import RUN_SPEED, WALK_SPEED, apply_input, displacement, displacements, wrap_yaw
from world.protocol import constants as C
from world.protocol.constants import Anim
from world.protocol.messages import Input
from world.walkable import WalkGrid


@pytest.fixture(scope="module")
def grid(walled_park):  # type: ignore[no-untyped-def]
    return WalkGrid.from_layout(walled_park)


def test_speeds_match_the_protocol_constants() -> None:
    assert (WALK_SPEED, RUN_SPEED) == (C.WALK_SPEED, C.RUN_SPEED) == (2.0, 6.0)


def test_walking_covers_walk_speed_per_second(grid: WalkGrid) -> None:
    x, y, yaw = 0.0, 0.0, 0.0
    for s in range(20):
        x, y, yaw, anim = apply_input(x, y, yaw, Input(s=s + 1, mx=1.0, yaw=0.5), 0.05, grid)
    assert x == pytest.approx(2.0) and y == 0.0
    assert anim == Anim.WALK and yaw == 0.5


def test_diagonal_input_is_clamped_to_full_speed_not_more(grid: WalkGrid) -> None:
    x, y, _, anim = apply_input(0.0, 0.0, 0.0, Input(s=1, mx=1.0, my=1.0, run=True), 0.05, grid)
    assert math.hypot(x, y) == pytest.approx(RUN_SPEED * 0.05)
    assert anim == Anim.RUN


def test_no_direction_is_idle(grid: WalkGrid) -> None:
    assert apply_input(1.0, 1.0, 0.0, Input(s=1), 0.05, grid) == (1.0, 1.0, 0.0, Anim.IDLE)


def test_yaw_is_wrapped() -> None:
    assert wrap_yaw(math.pi) == pytest.approx(-math.pi)
    assert wrap_yaw(-0.25) == -0.25
    assert wrap_yaw(math.inf) == 0.0


unit = st.floats(-1.0, 1.0, allow_nan=False)


@given(mx=unit, my=unit, run=st.booleans())
def test_vector_and_scalar_displacement_agree_and_respect_the_cap(mx: float, my: float, run: bool) -> None:
    dx, dy = displacement(mx, my, run, 0.05)
    vx, vy = displacements(np.array([mx]), np.array([my]), np.array([run]), 0.05)
    assert (dx, dy) == (float(vx[0]), float(vy[0]))
    assert math.hypot(dx, dy) <= (RUN_SPEED if run else WALK_SPEED) * 0.05 + 1e-12
