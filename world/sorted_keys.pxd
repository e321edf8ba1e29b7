# cython: language_level=3
"""Lookups in sorted int64 arrays, shared by the compiled modules that read sorted
eids and pair keys (world/snapshot_frames.pyx, world/crowd_views.pyx). Inline:
compiled into each module that cimports it."""

from libc.stdint cimport int64_t


cdef inline Py_ssize_t lower_bound(const int64_t[::1] keys, int64_t key) noexcept nogil:
    """The first position in the sorted ``keys`` whose value is not below ``key``
    (``len(keys)`` when every value is)."""
    cdef Py_ssize_t lo = 0, hi = keys.shape[0], mid
    while lo < hi:
        mid = (lo + hi) >> 1
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo
