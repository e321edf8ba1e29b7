"""Avatar movement from one tick of input: the one function server and client share.

``apply_input(x, y, yaw, inp, dt, grid)`` turns one ``messages.Input`` (a world-frame
direction ``(mx, my)`` clamped to length 1, a run flag and a facing) into the
avatar's new position, facing and animation. Speed is capped at ``WALK_SPEED`` or
``RUN_SPEED`` m/s, and ``grid.move`` handles collision (sliding along walls). It is
deterministic (no clocks, no randomness, plain IEEE arithmetic), so the Panda3D
client's prediction equals the server's result for the same inputs.

``displacements`` is the same arithmetic on numpy arrays, for a room moving every
avatar at once with ``WalkGrid.move_many``; it yields the same numbers.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from world.protocol.constants import RUN_SPEED, WALK_SPEED, Anim
from world.protocol.messages import Input
from world.walkable import WalkGrid

__all__ = ["RUN_SPEED", "WALK_SPEED", "apply_input", "displacement", "displacements", "wrap_yaw"]

_TAU = 2.0 * math.pi


def wrap_yaw(yaw: float) -> float:
    """Radians in [-pi, pi)."""
    if not math.isfinite(yaw):
        return 0.0
    return (yaw + math.pi) % _TAU - math.pi


def displacement(mx: float, my: float, run: bool, dt: float) -> tuple[float, float]:
    """Metres to move this tick for direction (mx, my), clamped to unit length."""
    l2 = mx * mx + my * my
    if l2 > 1.0:
        length = math.sqrt(l2)
        mx = mx / length
        my = my / length
    speed = RUN_SPEED if run else WALK_SPEED
    return mx * speed * dt, my * speed * dt


def apply_input(x: float, y: float, yaw: float, inp: Input, dt: float, grid: WalkGrid) -> tuple[float, float, float, Anim]:
    dx, dy = displacement(inp.mx, inp.my, inp.run, dt)
    nx, ny = grid.move(x, y, dx, dy)
    moving = inp.mx != 0.0 or inp.my != 0.0
    anim = (Anim.RUN if inp.run else Anim.WALK) if moving else Anim.IDLE
    return nx, ny, wrap_yaw(inp.yaw), anim


def displacements(mx: npt.NDArray[np.float64], my: npt.NDArray[np.float64], run: npt.NDArray[np.bool_],
                  dt: float) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """``displacement`` for arrays (same operations, same results)."""
    l2 = mx * mx + my * my
    over = l2 > 1.0
    length = np.sqrt(np.where(over, l2, 1.0))
    mx = np.where(over, mx / length, mx)
    my = np.where(over, my / length, my)
    speed = np.where(run, RUN_SPEED, WALK_SPEED)
    return mx * speed * dt, my * speed * dt
