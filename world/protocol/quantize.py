"""Wire units: positions in whole centimetres, yaw as an unsigned 16-bit turn fraction."""

from __future__ import annotations

import math

CM_PER_M = 100
YAW_UNITS = 65536  # one full turn
_TAU = 2.0 * math.pi


def pos_to_wire(metres: float) -> int:
    return int(round(metres * CM_PER_M))


def pos_from_wire(cm: int) -> float:
    return cm / CM_PER_M


def yaw_to_wire(radians: float) -> int:
    return int(round(radians / _TAU * YAW_UNITS)) % YAW_UNITS


def yaw_from_wire(units: int) -> float:
    """Radians in [-pi, pi), counter-clockwise from +x (east)."""
    r = (units % YAW_UNITS) / YAW_UNITS * _TAU
    return r - _TAU if r >= math.pi else r
