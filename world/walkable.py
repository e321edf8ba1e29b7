"""Where an avatar may stand: the park's walkable ground as a raster, and movement on it.

``WalkGrid.from_layout(layout, cell=0.25, radius=0.3)`` rasterises the layout's
walkable regions (polygons with holes, even-odd per region, regions OR-ed) into a
numpy ``uint8`` grid of cells whose *centre* lies on walkable ground and that no
polygon edge passes through (so a wall thinner than a cell still blocks), then erodes it
by the avatar radius: a cell stays walkable only if every cell whose centre lies
within ``radius + cell / 2`` of its centre is walkable too. An avatar's centre may
stand anywhere inside a walkable cell, so its body keeps about ``radius`` clear of
walls (to within half a cell).

``move(x, y, dx, dy)`` moves with collision: the step is cut into sub-steps no longer
than half a cell (so nothing tunnels through a wall, however thin), and each sub-step
tries the full move, else its x part, else its y part: the avatar slides along walls.
A diagonal sub-step that crosses a cell corner also needs both side cells free, so it
cannot squeeze between two diagonal wall cells. From a walkable start it never ends
off the walkable area; from an unwalkable start only moves that land on walkable
ground are taken (an avatar stuck in a wall can walk out, never further in).

``move_many`` is the same algorithm on numpy arrays (one call for every avatar of a
room). It performs the same IEEE operations in the same order, so its results are
bit-identical to ``move`` (the Panda3D client predicts with ``move``; the server may
use either).

``components()`` labels the walkable cells by where an avatar can walk: cells joined
through edge neighbours (4-connectivity: ``move`` never squeezes between two diagonal
wall cells, so a diagonal step between cells needs a side cell free anyway). It is what
``world.reachability`` checks a layout with, so "reachable" means reachable on this
very grid, with the server's cell size and avatar radius.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from world.layout import ParkLayout, Region, Ring

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class WalkGrid:
    """A raster of walkable cells. Row ``i``, column ``j`` covers
    ``[x0 + j*cell, x0 + (j+1)*cell) x [y0 + i*cell, y0 + (i+1)*cell)``."""

    x0: float
    y0: float
    cell: float
    cells: npt.NDArray[np.uint8]  # shape (rows, cols), 1 = walkable

    @property
    def rows(self) -> int:
        return int(self.cells.shape[0])

    @property
    def cols(self) -> int:
        return int(self.cells.shape[1])

    @property
    def max_substep(self) -> float:
        return self.cell * 0.5

    # --- building -------------------------------------------------------------------

    @staticmethod
    def from_layout(layout: ParkLayout, cell: float = 0.25, radius: float = 0.3) -> WalkGrid:
        return WalkGrid.from_regions(layout.walkable, cell, radius)

    @staticmethod
    def from_regions(regions: tuple[Region, ...], cell: float = 0.25, radius: float = 0.3) -> WalkGrid:
        if cell <= 0 or radius < 0:
            raise ValueError("cell must be > 0 and radius >= 0")
        if not regions:
            raise ValueError("no walkable regions")
        xs = [p[0] for r in regions for p in r.outer]
        ys = [p[1] for r in regions for p in r.outer]
        pad = 2 * cell
        x0 = math.floor((min(xs) - pad) / cell) * cell
        y0 = math.floor((min(ys) - pad) / cell) * cell
        cols = int(math.ceil((max(xs) + pad - x0) / cell))
        rows = int(math.ceil((max(ys) + pad - y0) / cell))
        cells = np.zeros((rows, cols), dtype=np.uint8)
        for region in regions:
            cells |= _rasterise_region(region, x0, y0, cell, rows, cols)
        cells = _erode(cells, radius, cell)
        return WalkGrid(float(x0), float(y0), float(cell), cells)

    # --- queries --------------------------------------------------------------------

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        return math.floor((y - self.y0) / self.cell), math.floor((x - self.x0) / self.cell)

    def _free(self, i: int, j: int) -> bool:
        return 0 <= i < self.rows and 0 <= j < self.cols and bool(self.cells[i, j])

    def contains(self, x: float, y: float) -> bool:
        if not (math.isfinite(x) and math.isfinite(y)):
            return False
        i, j = self.cell_of(x, y)
        return self._free(i, j)

    def walkable_area(self) -> float:
        return float(self.cells.sum()) * self.cell * self.cell

    def components(self) -> Components:
        """The connected areas of walkable cells (see the module docstring)."""
        return Components.of(self)

    def nearest_walkable(self, x: float, y: float, max_distance: float = 50.0) -> tuple[float, float] | None:
        """The centre of the walkable cell nearest to (x, y), or None within ``max_distance``."""
        if self.contains(x, y):
            return x, y
        ci, cj = self.cell_of(x, y)
        reach = int(math.ceil(max_distance / self.cell))
        i0, i1 = max(ci - reach, 0), min(ci + reach + 1, self.rows)
        j0, j1 = max(cj - reach, 0), min(cj + reach + 1, self.cols)
        if i0 >= i1 or j0 >= j1:
            return None
        ii, jj = np.nonzero(self.cells[i0:i1, j0:j1])
        if len(ii) == 0:
            return None
        cx = self.x0 + (jj + j0 + 0.5) * self.cell
        cy = self.y0 + (ii + i0 + 0.5) * self.cell
        d2 = (cx - x) ** 2 + (cy - y) ** 2
        k = int(np.argmin(d2))
        if d2[k] > max_distance * max_distance:
            return None
        return float(cx[k]), float(cy[k])

    # --- movement -------------------------------------------------------------------

    def _step_ok(self, x: float, y: float, nx: float, ny: float) -> bool:
        cell = self.cell
        ni = math.floor((ny - self.y0) / cell)
        nj = math.floor((nx - self.x0) / cell)
        if not self._free(ni, nj):
            return False
        oi = math.floor((y - self.y0) / cell)
        oj = math.floor((x - self.x0) / cell)
        if oi != ni and oj != nj:  # crossing a corner: both side cells must be open
            return self._free(oi, nj) and self._free(ni, oj)
        return True

    def move(self, x: float, y: float, dx: float, dy: float) -> tuple[float, float]:
        """Move (x, y) by (dx, dy) metres with collision, sliding along walls."""
        length = math.sqrt(dx * dx + dy * dy)
        if not length > 0.0 or not math.isfinite(length):
            return x, y
        n = math.ceil(length / self.max_substep)
        sx = dx / n
        sy = dy / n
        for _ in range(n):
            nx = x + sx
            ny = y + sy
            if self._step_ok(x, y, nx, ny):
                x, y = nx, ny
            elif self._step_ok(x, y, nx, y):
                x = nx
            elif self._step_ok(x, y, x, ny):
                y = ny
            else:
                break
        return x, y

    def _free_many(self, i: npt.NDArray[np.int64], j: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        inside = (i >= 0) & (i < self.rows) & (j >= 0) & (j < self.cols)
        ok = np.zeros(i.shape, dtype=bool)
        ok[inside] = self.cells[i[inside], j[inside]].astype(bool)
        return ok

    def _step_ok_many(self, x: FloatArray, y: FloatArray, nx: FloatArray, ny: FloatArray) -> npt.NDArray[np.bool_]:
        cell = self.cell
        ni = np.floor((ny - self.y0) / cell).astype(np.int64)
        nj = np.floor((nx - self.x0) / cell).astype(np.int64)
        oi = np.floor((y - self.y0) / cell).astype(np.int64)
        oj = np.floor((x - self.x0) / cell).astype(np.int64)
        ok = self._free_many(ni, nj)
        corner = ok & (oi != ni) & (oj != nj)
        if corner.any():
            ok[corner] = self._free_many(oi[corner], nj[corner]) & self._free_many(ni[corner], oj[corner])
        return ok

    def move_many(self, x: FloatArray, y: FloatArray, dx: FloatArray, dy: FloatArray) -> tuple[FloatArray, FloatArray]:
        """``move`` for arrays of avatars; returns new arrays, bit-identical to ``move``."""
        x = np.array(x, dtype=np.float64)
        y = np.array(y, dtype=np.float64)
        dx = np.asarray(dx, dtype=np.float64)
        dy = np.asarray(dy, dtype=np.float64)
        length = np.sqrt(dx * dx + dy * dy)
        moving = (length > 0.0) & np.isfinite(length)
        if not moving.any():
            return x, y
        n = np.zeros(x.shape, dtype=np.int64)
        n[moving] = np.ceil(length[moving] / self.max_substep).astype(np.int64)
        safe_n = np.maximum(n, 1)
        sx = np.where(moving, dx, 0.0) / safe_n
        sy = np.where(moving, dy, 0.0) / safe_n
        active = moving.copy()
        for k in range(int(n.max())):
            active &= n > k
            idx = np.nonzero(active)[0]
            if len(idx) == 0:
                break
            ax, ay = x[idx], y[idx]
            nx = ax + sx[idx]
            ny = ay + sy[idx]
            full = self._step_ok_many(ax, ay, nx, ny)
            only_x = ~full & self._step_ok_many(ax, ay, nx, ay)
            only_y = ~full & ~only_x & self._step_ok_many(ax, ay, ax, ny)
            x[idx] = np.where(full | only_x, nx, ax)
            y[idx] = np.where(full | only_y, ny, ay)
            stuck = ~(full | only_x | only_y)
            active[idx[stuck]] = False
        return x, y


@dataclass(frozen=True, eq=False)
class Components:
    """Connected walkable areas of a ``WalkGrid``, kept as runs of cells per row: run
    ``k`` is row ``rows[k]``, columns ``starts[k]`` up to (not including) ``ends[k]``,
    in area ``labels[k]`` (0 .. ``count`` - 1)."""

    grid: WalkGrid
    rows: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]
    ends: npt.NDArray[np.int64]
    labels: npt.NDArray[np.int64]
    count: int

    @staticmethod
    def of(grid: WalkGrid) -> Components:
        cells = grid.cells.astype(np.int8)
        edges = np.diff(np.pad(cells, ((0, 0), (1, 1))), axis=1)
        rows, starts = np.nonzero(edges == 1)  # row-major: runs sorted by (row, start)
        _, ends = np.nonzero(edges == -1)
        rows, starts, ends = rows.astype(np.int64), starts.astype(np.int64), ends.astype(np.int64)
        n = len(rows)
        width = grid.cols + 1
        # run b (row r + 1) touches runs a of row r with start_a < end_b and end_a > start_b:
        # a contiguous range of runs, found by binary search on (row, column) keys
        lo = np.searchsorted(rows * width + ends, (rows - 1) * width + starts, side="right")
        hi = np.searchsorted(rows * width + starts, (rows - 1) * width + ends, side="left")
        counts = np.maximum(hi - lo, 0)
        b = np.repeat(np.arange(n, dtype=np.int64), counts)
        a = np.repeat(lo, counts) + (np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
        parent = np.arange(n, dtype=np.int64)
        while True:  # union by hooking the larger root under the smaller, then full path compression
            pa, pb = parent[a], parent[b]
            joined = pa != pb
            if not joined.any():
                break
            np.minimum.at(parent, np.maximum(pa, pb)[joined], np.minimum(pa, pb)[joined])
            while True:
                up = parent[parent]
                if np.array_equal(up, parent):
                    break
                parent = up
        roots, labels = np.unique(parent, return_inverse=True)
        return Components(grid, rows, starts, ends, labels.astype(np.int64), len(roots))

    def at(self, x: float, y: float) -> int | None:
        """The area the cell holding (x, y) belongs to; None when it is not walkable."""
        if not self.grid.contains(x, y):
            return None
        i, j = self.grid.cell_of(x, y)
        k = int(np.searchsorted(self.rows * (self.grid.cols + 1) + self.starts,
                                i * (self.grid.cols + 1) + j, side="right")) - 1
        return int(self.labels[k])


def _rasterise_region(region: Region, x0: float, y0: float, cell: float, rows: int, cols: int) -> npt.NDArray[np.uint8]:
    """Even-odd fill of the region's rings: 1 where a cell centre lies inside."""
    toggles = np.zeros((rows, cols + 1), dtype=np.int32)
    for ring in (region.outer, *region.holes):
        _add_ring_crossings(toggles, ring, x0, y0, cell, rows, cols)
    inside = (np.cumsum(toggles[:, :cols], axis=1) & 1).astype(np.uint8)
    for ring in (region.outer, *region.holes):
        _block_edges(inside, ring, x0, y0, cell)
    return inside


def _block_edges(cells: npt.NDArray[np.uint8], ring: Ring, x0: float, y0: float, cell: float) -> None:
    """Clear every cell an edge passes through, so walls thinner than a cell still block."""
    pts = np.asarray(ring, dtype=np.float64)
    a, b = pts, np.roll(pts, -1, axis=0)
    seg = np.hypot(b[:, 0] - a[:, 0], b[:, 1] - a[:, 1])
    counts = np.ceil(seg / (cell * 0.25)).astype(np.int64) + 1
    edge = np.repeat(np.arange(len(pts)), counts)
    starts = np.cumsum(counts) - counts
    t = (np.arange(int(counts.sum())) - np.repeat(starts, counts)) / np.repeat(np.maximum(counts - 1, 1), counts)
    xs = a[edge, 0] + (b[edge, 0] - a[edge, 0]) * t
    ys = a[edge, 1] + (b[edge, 1] - a[edge, 1]) * t
    i = np.floor((ys - y0) / cell).astype(np.int64)
    j = np.floor((xs - x0) / cell).astype(np.int64)
    ok = (i >= 0) & (i < cells.shape[0]) & (j >= 0) & (j < cells.shape[1])
    cells[i[ok], j[ok]] = 0


def _add_ring_crossings(toggles: npt.NDArray[np.int32], ring: Ring, x0: float, y0: float,
                        cell: float, rows: int, cols: int) -> None:
    pts = np.asarray(ring, dtype=np.float64)
    a = pts
    b = np.roll(pts, -1, axis=0)
    for (xa, ya), (xb, yb) in zip(a.tolist(), b.tolist(), strict=True):
        if ya == yb:
            continue
        lo, hi = min(ya, yb), max(ya, yb)
        # rows whose centre y satisfies lo <= yc < hi (half-open: shared vertices counted once)
        i0 = max(math.ceil((lo - y0) / cell - 0.5), 0)
        i1 = min(math.ceil((hi - y0) / cell - 0.5), rows)
        if i0 >= i1:
            continue
        i = np.arange(i0, i1)
        yc = y0 + (i + 0.5) * cell
        xc = xa + (yc - ya) * (xb - xa) / (yb - ya)
        j = np.clip(np.ceil((xc - x0) / cell - 0.5).astype(np.int64), 0, cols)
        np.add.at(toggles, (i, j), 1)


def _erode(cells: npt.NDArray[np.uint8], radius: float, cell: float) -> npt.NDArray[np.uint8]:
    if radius <= 0:
        return cells
    reach = (radius + cell / 2) / cell
    r = int(math.floor(reach))
    out = cells.copy()
    rows, cols = cells.shape
    for di in range(-r, r + 1):
        for dj in range(-r, r + 1):
            if (di == 0 and dj == 0) or di * di + dj * dj > reach * reach:
                continue
            shifted = np.zeros_like(cells)
            src = cells[max(di, 0):rows + min(di, 0), max(dj, 0):cols + min(dj, 0)]
            shifted[max(-di, 0):rows + min(-di, 0), max(-dj, 0):cols + min(-dj, 0)] = src
            out &= shifted
    return out
