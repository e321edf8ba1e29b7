"""Interest management: which entities each viewer sees, vectorised with numpy.

A viewer sees an entity that comes within ``radius`` metres (default 40) and keeps
seeing it until it moves beyond ``radius * hysteresis`` (default 1.15: 46 m), so an
entity walking along the edge does not flicker in and out. Of those, only the
``max_count`` nearest (default 48) are kept. A viewer never sees itself.

How: entities are sorted by (y band of half the leave radius's height, x); each
viewer's candidates are five contiguous runs (its band and two each side,
within the leave radius in x, narrowed for the outer bands by their least y gap), found with ``searchsorted`` and expanded into flat (viewer,
candidate) pair arrays with no Python loop. Distances, the hysteresis test
(membership of the pair in last tick's views, as sorted int64 keys) and the K cap (a
per-viewer histogram of squared distance in 64 bins, exact sorting only inside the
one bin that straddles the cap) are array operations over those pairs. When visitors
are spread over a park the cost follows the number of nearby pairs, not n squared.
When a crowd stands in one spot (candidates above 15% of n squared) each viewer's
distances to the entities of the grid cells in reach, in C (``world.crowd_views``), are
cheaper and are used instead (see ``_dense`` for the one way its K cap differs at the hysteresis
ring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from world.crowd_views import dense_views

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

_BINS = 64


def _pair_keys(a: IntArray, b: IntArray) -> IntArray:
    return (a.astype(np.int64) << 32) | b.astype(np.int64)


def visible_pairs(eids: IntArray, xs: FloatArray, ys: FloatArray, prev_keys: IntArray,
                  radius: float, leave_radius: float, max_count: int) -> tuple[IntArray, IntArray]:
    """(viewer index, entity index) pairs, grouped by viewer index ascending.

    ``prev_keys``: sorted ``viewer_eid << 32 | entity_eid`` of last tick's pairs.
    """
    n = len(xs)
    empty = np.zeros(0, dtype=np.int64)
    if n < 2 or max_count <= 0:
        return empty, empty
    cands = _candidates(xs, ys, leave_radius, np.arange(n, dtype=np.int64))
    if cands is None:
        return _dense(eids, xs, ys, prev_keys, radius, leave_radius, max_count)
    vi, tj, d2 = cands
    r2 = radius * radius
    l2 = leave_radius * leave_radius
    sel = (d2 <= l2) & (vi != tj)
    edge = sel & (d2 > r2)
    if edge.any():
        was = _was_visible(prev_keys, _pair_keys(eids[vi[edge]], eids[tj[edge]]))
        sel[np.nonzero(edge)[0][~was]] = False
    vi, tj, d2 = vi[sel], tj[sel], d2[sel]
    o = np.argsort(vi, kind="stable")
    vi, tj, d2 = vi[o], tj[o], d2[o]
    crowded = np.bincount(vi, minlength=n) > max_count
    if crowded.any():
        vi, tj = _cap_nearest(vi, tj, d2, crowded, l2, max_count, n)
    return vi, tj


def _was_visible(prev_keys: IntArray, keys: IntArray) -> npt.NDArray[np.bool_]:
    if len(prev_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    pos = np.minimum(np.searchsorted(prev_keys, keys), len(prev_keys) - 1)
    return prev_keys[pos] == keys  # type: ignore[no-any-return]


_BAND_STRIDE = 1.0e7  # metres between y bands in the composite sort key (sites are far smaller)
_BANDS_PER_REACH = 2  # band height reach/2: the outer bands get a narrower x window
_DENSE_FRACTION = 0.15  # above this share of n^2 candidate pairs, a distance matrix is cheaper


def _candidates(xs: FloatArray, ys: FloatArray, reach: float,
                viewers: IntArray) -> tuple[IntArray, IntArray, FloatArray] | None:
    """(viewer, entity) pairs of the ``viewers`` (indices) that may be within ``reach``:
    y bands near enough, x within reach; or None when there are so many that the dense
    path is cheaper."""
    n = len(xs)
    order, lo_all, cnt = _runs(xs, ys, reach, viewers)
    total = int(cnt.sum())
    if total > _DENSE_FRACTION * n * n and n > 64:
        return None
    vi = np.repeat(np.tile(viewers, len(cnt) // max(len(viewers), 1)), cnt)
    starts = np.cumsum(cnt) - cnt
    offs = np.arange(total, dtype=np.int64) - np.repeat(starts, cnt)
    tj = order[np.repeat(lo_all, cnt) + offs]
    dx = xs[tj] - xs[vi]
    dy = ys[tj] - ys[vi]
    return vi, tj, dx * dx + dy * dy


def _runs(xs: FloatArray, ys: FloatArray, reach: float, viewers: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Entities sorted by (band, x) (``order``), and for each band offset then viewer the
    start and length of its candidate run in that order."""
    vx = xs[viewers]
    height = reach / _BANDS_PER_REACH
    band = np.floor(ys / height)
    key = band * _BAND_STRIDE + xs
    order = np.argsort(key, kind="stable")
    skey = key[order]
    vband = band[viewers]
    los, counts = [], []
    for db in range(-_BANDS_PER_REACH, _BANDS_PER_REACH + 1):
        gap = max(abs(db) - 1, 0) * height  # the least |dy| between points db bands apart
        half = (reach * reach - gap * gap) ** 0.5  # so |dx| beyond this is out of reach
        base = (vband + db) * _BAND_STRIDE + vx
        lo = np.searchsorted(skey, base - half, side="left")
        hi = np.searchsorted(skey, base + half, side="right")
        los.append(lo)
        counts.append(hi - lo)
    return order, np.concatenate(los), np.concatenate(counts)


def _dense(eids: IntArray, xs: FloatArray, ys: FloatArray, prev_keys: IntArray,
           radius: float, leave_radius: float, k: int) -> tuple[IntArray, IntArray]:
    """A crowd: per viewer, the squared distance to everyone (float32), the k-th
    smallest by selection, the entities within it (and the leave radius), then the
    radius and hysteresis tests on those, and the k nearest by (distance, index) where
    ties at the k-th cut left more (compiled: ``world.crowd_views.dense_views``). So in
    a crowd an entity kept only by hysteresis may lose its place to a nearer one that
    is not in view: the view still holds k entities, or every entity within ``radius``."""
    return dense_views(np.ascontiguousarray(eids, dtype=np.int64), np.ascontiguousarray(xs, dtype=np.float64),
                       np.ascontiguousarray(ys, dtype=np.float64), np.ascontiguousarray(prev_keys, dtype=np.int64),
                       radius, leave_radius, k)


def _cap_nearest(vi: IntArray, tj: IntArray, d2: FloatArray, crowded: npt.NDArray[np.bool_],
                 l2: float, k: int, n: int) -> tuple[IntArray, IntArray]:
    """Keep the k nearest of each crowded viewer's pairs (exact: ties broken by index)."""
    c = crowded[vi]
    cv, ct, cd = vi[c], tj[c], d2[c]
    bins = np.minimum((cd * (_BINS / l2)).astype(np.int64), _BINS - 1)
    hist = np.bincount(cv * _BINS + bins, minlength=n * _BINS).reshape(n, _BINS)
    cum = np.cumsum(hist, axis=1)
    cut = np.argmax(cum >= k, axis=1)  # the bin where a crowded viewer reaches k
    before = np.where(cut > 0, cum[np.arange(n), np.maximum(cut - 1, 0)], 0)
    my_cut = cut[cv]
    keep = bins < my_cut
    boundary = np.nonzero(bins == my_cut)[0]
    if len(boundary):
        bv = cv[boundary]
        o = np.lexsort((ct[boundary], cd[boundary], bv))
        bsorted = boundary[o]
        bvs = bv[o]
        first = np.searchsorted(bvs, bvs, side="left")
        rank = np.arange(len(bvs)) - first
        need = k - before[bvs]
        keep[bsorted[rank < need]] = True
    out_v = np.concatenate((vi[~c], cv[keep]))
    out_t = np.concatenate((tj[~c], ct[keep]))
    o = np.argsort(out_v, kind="stable")
    return out_v[o], out_t[o]


@dataclass
class Interest:
    """Keeps each viewer's view between ticks (for hysteresis)."""

    radius: float = 40.0
    max_count: int = 48
    hysteresis: float = 1.15
    _prev_keys: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def leave_radius(self) -> float:
        return self.radius * self.hysteresis

    def update_keys(self, eids: IntArray, xs: FloatArray, ys: FloatArray) -> IntArray:
        """This tick's views as sorted pair keys ``viewer_eid << 32 | entity_eid`` (so
        grouped by viewer, entities ascending within a viewer)."""
        eids = np.asarray(eids, dtype=np.int64)
        vi, tj = visible_pairs(eids, np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64),
                               self._prev_keys, self.radius, self.leave_radius, self.max_count)
        keys = _pair_keys(eids[vi], eids[tj])
        if len(keys) > 1 and not (keys[1:] > keys[:-1]).all():  # grouped pairs of ascending eids come sorted
            keys.sort()
        self._prev_keys = keys
        return keys

    def update(self, eids: IntArray, xs: FloatArray, ys: FloatArray) -> dict[int, set[int]]:
        """Each viewer's view (entity ids) for this tick. Viewers that see nothing are
        left out (read with ``views.get(eid, set())``)."""
        keys = self.update_keys(eids, xs, ys)
        views: dict[int, set[int]] = {}
        if len(keys) == 0:
            return views
        ve = keys >> 32
        te = (keys & 0xFFFFFFFF).tolist()
        bounds = np.nonzero(np.diff(ve))[0] + 1
        starts = [0, *bounds.tolist()]
        ends = [*bounds.tolist(), len(keys)]
        for v, s, e in zip(ve[starts].tolist(), starts, ends, strict=True):
            views[v] = set(te[s:e])
        return views
