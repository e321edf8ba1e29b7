# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Views in a crowd: ``world.interest``'s dense path, viewer by viewer in C.

When most of a room stands within the leave radius of each other, pairing runs of a
sorted order costs more than measuring, and ``Interest`` asks ``dense_views``. The
entities are sorted into grid cells half the leave radius wide; each viewer measures
the entities of the cells that can hold one within the leave radius (the rest are
beyond it and never in a view). For each viewer: the squared distance to each in
float32 (the same operations as numpy's ``subtract.outer``, ``multiply`` and ``+=``,
so the same numbers), the k-th smallest of them (a histogram over the leave radius,
then a selection inside the one bin that holds it), the entities within that and
the leave radius, of those the ones within ``radius`` or already in the
viewer's view last tick (hysteresis), and if ties at the k-th distance left more
than k, the k nearest by (distance, index). The result is the pairs ``(viewer
index, entity index)`` grouped by viewer, entities ascending, as ``_dense`` wrote.

No I/O, no clock: arrays in, arrays out.
"""

from libc.math cimport isfinite
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc, qsort

from world.sorted_keys cimport lower_bound

import numpy as np


cdef struct Cand:
    float d
    int64_t j


cdef int by_distance_then_index(const void* a, const void* b) noexcept nogil:
    cdef const Cand* p = <const Cand*>a
    cdef const Cand* q = <const Cand*>b
    if p.d < q.d:
        return -1
    if p.d > q.d:
        return 1
    return -1 if p.j < q.j else (1 if p.j > q.j else 0)


cdef int by_index(const void* a, const void* b) noexcept nogil:
    cdef const Cand* p = <const Cand*>a
    cdef const Cand* q = <const Cand*>b
    return -1 if p.j < q.j else (1 if p.j > q.j else 0)


cdef void sort_by_index(Cand* a, Py_ssize_t n) noexcept nogil:
    """``a[:n]`` by index: an insertion sort for a view's few dozen (a call of the
    comparison per step made ``qsort`` the costliest part of a view), ``qsort`` beyond."""
    cdef Py_ssize_t i, j
    cdef Cand t
    if n > 96:
        qsort(a, n, sizeof(Cand), by_index)
        return
    for i in range(1, n):
        t = a[i]
        j = i - 1
        while j >= 0 and a[j].j > t.j:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = t


cdef float kth_smallest(float* a, Py_ssize_t n, Py_ssize_t k) noexcept nogil:
    """The ``k``-th smallest (0-based) of ``a[:n]`` (reordered in place): Hoare's
    quickselect with a median-of-three pivot."""
    cdef Py_ssize_t lo = 0, hi = n - 1, i, j, mid
    cdef float pivot, t, x, y, z
    while lo < hi:
        mid = lo + (hi - lo) // 2
        x, y, z = a[lo], a[mid], a[hi]
        if x > y:
            x, y = y, x
        if y > z:
            y = z
            if x > y:
                y = x
        pivot = y
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                t = a[i]
                a[i] = a[j]
                a[j] = t
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return a[k]
    return a[k]


DEF BINS = 256


cdef float kth_within(const float* row, Py_ssize_t n, Py_ssize_t k, float limit, float* scratch) noexcept nogil:
    """The ``k``-th smallest of the values of ``row[:n]`` that are <= ``limit``, or
    ``limit`` when fewer than ``k`` are: a histogram of 256 bins over [0, limit]
    finds the bin holding the k-th, and a selection among that bin's few values
    finds it exactly."""
    cdef Py_ssize_t counts[BINS]
    cdef Py_ssize_t i, b, cum = 0, m = 0
    cdef float d, scale = BINS / limit
    for b in range(BINS):
        counts[b] = 0
    for i in range(n):
        d = row[i]
        if d <= limit:
            b = <Py_ssize_t>(d * scale)
            if b >= BINS:
                b = BINS - 1
            counts[b] += 1
    for b in range(BINS):
        if cum + counts[b] >= k:
            break
        cum += counts[b]
    else:
        return limit
    for i in range(n):
        d = row[i]
        if d <= limit:
            if min(<Py_ssize_t>(d * scale), BINS - 1) == b:
                scratch[m] = d
                m += 1
    return kth_smallest(scratch, m, k - cum - 1)


cdef inline bint was_visible(const int64_t[::1] keys, int64_t key) noexcept nogil:
    cdef Py_ssize_t at = lower_bound(keys, key)
    return at < keys.shape[0] and keys[at] == key


cdef inline Py_ssize_t cell_of(float v, float lo, float size, Py_ssize_t last) noexcept nogil:
    cdef Py_ssize_t c = <Py_ssize_t>((v - lo) / size)
    if c < 0:
        return 0
    return last if c > last else c


def dense_views(const int64_t[::1] eids not None, const double[::1] xs not None, const double[::1] ys not None,
                const int64_t[::1] prev_keys not None, double radius, double leave_radius, Py_ssize_t k):
    """``(viewer index, entity index)`` of every view in a crowd; see the module text.
    ``prev_keys``: last tick's sorted ``viewer_eid << 32 | entity_eid``.

    Only entities within the leave radius can be in a view, so each viewer measures
    the entities of the grid cells (half the leave radius wide) that can hold one,
    not everyone: the same distances, the same k-th and the same views."""
    cdef Py_ssize_t n = xs.shape[0], i, j, m, c, q, total = 0
    if ys.shape[0] != n or eids.shape[0] != n:
        raise ValueError("dense_views: eids, xs and ys must have one entry per entity")
    if n < 2 or k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if k > n - 1:
        k = n - 1
    vi_arr = np.empty(n * k, dtype=np.int64)
    tj_arr = np.empty(n * k, dtype=np.int64)
    cdef int64_t[::1] vi = vi_arr, tj = tj_arr
    cdef float r2 = <float>(radius * radius), l2 = <float>(leave_radius * leave_radius)
    cdef float thr, dx, dy, sx, sy, xi, yi, d, lox, loy, hix, hiy, size
    cdef double gap_x, gap_y, reach2
    cdef Py_ssize_t w, h, cx, cy, ox, oy, reach, cell, nc, no
    cdef float* x32 = <float*>malloc(n * sizeof(float))
    cdef float* y32 = <float*>malloc(n * sizeof(float))
    cdef float* near_d = <float*>malloc(n * sizeof(float))
    cdef float* work = <float*>malloc(n * sizeof(float))
    cdef Cand* cands = <Cand*>malloc(n * sizeof(Cand))
    cdef Py_ssize_t* home = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t* members = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t* near_j = <Py_ssize_t*>malloc(n * sizeof(Py_ssize_t))
    cdef Py_ssize_t* first = NULL
    cdef Py_ssize_t* fill = NULL
    cdef Py_ssize_t* offsets = NULL
    cdef int64_t vkey
    try:
        if (x32 == NULL or y32 == NULL or near_d == NULL or work == NULL or cands == NULL or home == NULL
                or members == NULL or near_j == NULL):
            raise MemoryError()
        for i in range(n):
            x32[i] = <float>xs[i]
            y32[i] = <float>ys[i]
        lox, loy, hix, hiy = x32[0], y32[0], x32[0], y32[0]
        for i in range(n):
            lox, hix = min(lox, x32[i]), max(hix, x32[i])
            loy, hiy = min(loy, y32[i]), max(hiy, y32[i])
        if not (isfinite(hix - lox) and isfinite(hiy - loy)):
            raise ValueError("dense_views: positions must be finite")
        # cells half the leave radius wide, fewer (wider) when the crowd is spread thin
        size = <float>(leave_radius / 2.0) if leave_radius > 0 else <float>1.0
        while ((hix - lox) / size + 1.0) * ((hiy - loy) / size + 1.0) > 4.0 * n + 64.0:
            size *= 2.0
        w = <Py_ssize_t>((hix - lox) / size) + 1
        h = <Py_ssize_t>((hiy - loy) / size) + 1
        nc = w * h
        first = <Py_ssize_t*>malloc((nc + 1) * sizeof(Py_ssize_t))
        fill = <Py_ssize_t*>malloc(nc * sizeof(Py_ssize_t))
        reach = <Py_ssize_t>(leave_radius / size) + 2  # cells each side that can hold an entity in reach
        offsets = <Py_ssize_t*>malloc((2 * reach + 1) * (2 * reach + 1) * 2 * sizeof(Py_ssize_t))
        if first == NULL or fill == NULL or offsets == NULL:
            raise MemoryError()
        # entities by cell (a counting sort: ascending index within a cell)
        for q in range(nc + 1):
            first[q] = 0
        for i in range(n):
            home[i] = cell_of(y32[i], loy, size, h - 1) * w + cell_of(x32[i], lox, size, w - 1)
            first[home[i] + 1] += 1
        for q in range(nc):
            first[q + 1] += first[q]
        for q in range(nc):
            fill[q] = first[q]
        for i in range(n):
            members[fill[home[i]]] = i
            fill[home[i]] += 1
        # the cell offsets whose nearest points are within the leave radius (with a margin
        # far above float32's rounding of these coordinates)
        reach2 = (leave_radius + 1e-3 * (1.0 + leave_radius)) ** 2
        no = 0
        for oy in range(-reach, reach + 1):
            for ox in range(-reach, reach + 1):
                gap_x = max(abs(ox) - 1, 0) * <double>size
                gap_y = max(abs(oy) - 1, 0) * <double>size
                if gap_x * gap_x + gap_y * gap_y <= reach2:
                    offsets[2 * no] = ox
                    offsets[2 * no + 1] = oy
                    no += 1
        for i in range(n):
            xi, yi = x32[i], y32[i]
            cx = home[i] % w
            cy = home[i] // w
            c = 0
            for q in range(no):
                ox = cx + offsets[2 * q]
                oy = cy + offsets[2 * q + 1]
                if ox < 0 or oy < 0 or ox >= w or oy >= h:
                    continue
                cell = oy * w + ox
                for m in range(first[cell], first[cell + 1]):
                    j = members[m]
                    dx = xi - x32[j]
                    sx = dx * dx
                    dy = yi - y32[j]
                    sy = dy * dy
                    d = sx + sy
                    if d <= l2 and j != i:
                        near_d[c] = d
                        near_j[c] = j
                        c += 1
            thr = kth_within(near_d, c, k, l2, work)  # min(k-th smallest, leave radius squared)
            vkey = eids[i] << 32
            m = 0
            for q in range(c):
                d = near_d[q]
                if d <= thr and (d <= r2 or was_visible(prev_keys, vkey | eids[near_j[q]])):
                    cands[m].d = d
                    cands[m].j = near_j[q]
                    m += 1
            if m > k:  # ties at the k-th distance: the k nearest by (distance, index)
                qsort(cands, m, sizeof(Cand), by_distance_then_index)
                m = k
            sort_by_index(cands, m)
            for q in range(m):
                vi[total] = i
                tj[total] = cands[q].j
                total += 1
    finally:
        free(x32)
        free(y32)
        free(near_d)
        free(work)
        free(cands)
        free(home)
        free(members)
        free(near_j)
        free(first)
        free(fill)
        free(offsets)
    return vi_arr[:total], tj_arr[:total]
