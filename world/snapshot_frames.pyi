"""Types of the compiled ``world/snapshot_frames.pyx``."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

class ViewerState:
    last_tick: int
    ack: int
    pos: tuple[int, int, int]
    @property
    def has_undo(self) -> bool: ...
    def __init__(self, last_tick: int = -1, ack: int = -1, pos: tuple[int, int, int] = (0, 0, 0)) -> None: ...
    def commit(self, tick: int, ack: int, pos: tuple[int, int, int]) -> None: ...
    def rollback(self) -> bool: ...
    def reset(self) -> None: ...

def assemble(view: npt.NDArray[np.int64], sent: npt.NDArray[np.int64], eids: npt.NDArray[np.int64],
             table: npt.NDArray[np.int64], targets: npt.NDArray[np.int64], states: list[ViewerState],
             ents: list[Any], avatars: Sequence[Any], tick: int, gen: int) -> tuple[bytes, npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
