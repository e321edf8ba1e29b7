"""Types of the compiled ``world/room_steps.pyx``."""

from typing import Any

import numpy as np
import numpy.typing as npt

def move_avatars(avatars: list[Any], presences: list[Any], grid: Any, dt: float, clock: float, most: float,
                 one_tick: float, rounds: int, moved: set[int], touched: set[int]) -> None: ...
def settle(avatars: list[Any], presences: list[Any], entities: list[Any], touched: set[int], idle_after: int,
           gen: int, cm_per_m: float, yaw_units: int) -> None: ...
def zone_changes(avatars: list[Any], presences: list[Any], moved: set[int], ids: list[str],
                 boxes: npt.NDArray[np.float64], rings: list[npt.NDArray[np.float64]]) -> list[tuple[int, str | None]]: ...
