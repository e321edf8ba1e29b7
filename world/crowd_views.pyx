# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Views in a crowd: ``world.interest``'s dense path, row by row in C.

When most of a room stands within the leave radius of each other, every viewer's
candidates are everyone, and ``Interest`` asks ``dense_views`` instead of pairing
runs of a sorted order. For each viewer: the squared distance to every entity in
float32 (the same operations as numpy's ``subtract.outer``, ``multiply`` and ``+=``,
so the same numbers), the k-th smallest of them (a histogram over the leave radius,
then a selection inside the one bin that holds it), the entities within that and
the leave radius, of those the ones within ``radius`` or already in the
viewer's view last tick (hysteresis), and if ties at the k-th distance left more
than k, the k nearest by (distance, index). The result is the pairs ``(viewer
index, entity index)`` grouped by viewer, entities ascending, as ``_dense`` wrote.

No I/O, no clock: arrays in, arrays out.
"""

from libc.math cimport INFINITY
from libc.stdint cimport int64_t
from libc.stdlib cimport free, malloc, qsort

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


cdef bint was_visible(const int64_t[::1] keys, int64_t key) noexcept nogil:
    cdef Py_ssize_t lo = 0, hi = keys.shape[0], mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo < keys.shape[0] and keys[lo] == key


def dense_views(const int64_t[::1] eids not None, const double[::1] xs not None, const double[::1] ys not None,
                const int64_t[::1] prev_keys not None, double radius, double leave_radius, Py_ssize_t k):
    """``(viewer index, entity index)`` of every view in a crowd; see the module text.
    ``prev_keys``: last tick's sorted ``viewer_eid << 32 | entity_eid``."""
    cdef Py_ssize_t n = xs.shape[0], i, j, m, c, total = 0
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
    cdef float thr, dx, dy, sx, sy, xi, yi
    cdef float* x32 = <float*>malloc(n * sizeof(float))
    cdef float* y32 = <float*>malloc(n * sizeof(float))
    cdef float* row = <float*>malloc(n * sizeof(float))
    cdef float* work = <float*>malloc(n * sizeof(float))
    cdef Cand* cands = <Cand*>malloc(n * sizeof(Cand))
    cdef int64_t vkey
    try:
        if x32 == NULL or y32 == NULL or row == NULL or work == NULL or cands == NULL:
            raise MemoryError()
        for i in range(n):
            x32[i] = <float>xs[i]
            y32[i] = <float>ys[i]
        for i in range(n):
            xi, yi = x32[i], y32[i]
            for j in range(n):
                dx = xi - x32[j]
                sx = dx * dx
                dy = yi - y32[j]
                sy = dy * dy
                row[j] = sx + sy
            row[i] = INFINITY
            thr = kth_within(row, n, k, l2, work)  # min(k-th smallest, leave radius squared)
            vkey = eids[i] << 32
            c = 0
            for j in range(n):
                if row[j] <= thr and (row[j] <= r2 or was_visible(prev_keys, vkey | eids[j])):
                    cands[c].d = row[j]
                    cands[c].j = j
                    c += 1
            if c > k:  # ties at the k-th distance: the k nearest by (distance, index)
                qsort(cands, c, sizeof(Cand), by_distance_then_index)
                c = k
                qsort(cands, c, sizeof(Cand), by_index)
            for m in range(c):
                vi[total] = i
                tj[total] = cands[m].j
                total += 1
    finally:
        free(x32)
        free(y32)
        free(row)
        free(work)
        free(cands)
    return vi_arr[:total], tj_arr[:total]
