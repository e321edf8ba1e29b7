# cython: language_level=3
"""MessagePack integers as msgspec writes them (the smallest form, unsigned when >= 0),
shared by the compiled modules that pack items and frames (world/snapshot_frames.pyx,
world/room_steps.pyx). Inline: compiled into each module that cimports it."""

from libc.stdint cimport int64_t, uint8_t


cdef inline void put_be(uint8_t* p, unsigned long long v, int n) noexcept nogil:
    """The low ``n`` bytes of ``v``, big-endian."""
    cdef int i
    for i in range(n):
        p[n - 1 - i] = <uint8_t>(v & 0xFF)
        v >>= 8


cdef inline int int_form(int64_t v, uint8_t* tag) noexcept nogil:
    """The first byte of ``v``'s encoding into ``tag``; returns how many bytes follow it
    (0: ``v`` is a fixint, that one byte is all)."""
    if 0 <= v < 128 or -32 <= v < 0:
        tag[0] = <uint8_t>(v & 0xFF)
        return 0
    if v >= 0:
        if v < 0x100:
            tag[0] = 0xCC
            return 1
        if v < 0x10000:
            tag[0] = 0xCD
            return 2
        if v < <int64_t>0x100000000:
            tag[0] = 0xCE
            return 4
        tag[0] = 0xCF
        return 8
    if v >= -128:
        tag[0] = 0xD0
        return 1
    if v >= -32768:
        tag[0] = 0xD1
        return 2
    if v >= -<int64_t>2147483648:
        tag[0] = 0xD2
        return 4
    tag[0] = 0xD3
    return 8


cdef inline Py_ssize_t int_size(int64_t v) noexcept nogil:
    """Bytes of ``v`` encoded."""
    cdef uint8_t tag
    return 1 + int_form(v, &tag)


cdef inline Py_ssize_t put_int(uint8_t* p, int64_t v) noexcept nogil:
    """``v`` encoded at ``p``; returns the bytes written."""
    cdef int size = int_form(v, p)
    put_be(p + 1, <unsigned long long>v, size)
    return 1 + size
