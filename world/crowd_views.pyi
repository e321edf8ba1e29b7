"""Types of the compiled ``world/crowd_views.pyx``."""

import numpy as np
import numpy.typing as npt

def dense_views(eids: npt.NDArray[np.int64], xs: npt.NDArray[np.float64], ys: npt.NDArray[np.float64],
                prev_keys: npt.NDArray[np.int64], radius: float, leave_radius: float,
                k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
