# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""Every viewer's ``snap`` frame of one build, written in one pass into one buffer.

The compiled half of ``world.snapshot`` (built by ``pip install -e .`` with Cython; see
docs/benchmarks.md for why). ``assemble`` walks this build's view keys and the keys
already sent (both sorted ``viewer << 32 | entity``) together, viewer by viewer: for
each targeted viewer it merges the two runs by entity (in both: an update when the
entity's state changed since the viewer's last build, an enter when its look
changed; only in view: an enter; only sent: a leave), and writes the frame, a
websocket binary frame header (RFC 6455 5.2, unmasked, final) followed by the
MessagePack ``snap`` map, byte for byte what ``world.snapshot.frame`` writes. A
viewer with nothing new gets no frame (an empty range). The keys to remember as sent
come out of the same walk, already sorted: a targeted viewer's view, an untargeted
viewer's old keys, nothing for a viewer gone from the room.

No I/O, no clock: input arrays and lists in, bytes and arrays out.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize, PyBytes_GET_SIZE
from cpython.list cimport PyList_GET_ITEM
from libc.stdint cimport int64_t, uint8_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcpy

from world.msgpack_ints cimport int_size, put_be, put_int
from world.sorted_keys cimport lower_bound

import numpy as np

cdef int64_t LOW = 0xFFFFFFFF


cdef class ViewerState:
    """What one viewer's client has been sent, besides its view (``SentViews``): the
    build generation of its last snapshot (or of the last build that had nothing for
    it), the acknowledgement and own position in it, and the one before (``rollback``)."""

    cdef public int64_t last_tick
    cdef public int64_t ack
    cdef int64_t px, py, pw
    cdef int64_t u_tick, u_ack, u_px, u_py, u_pw
    cdef readonly bint has_undo  # a committed snapshot that rollback can still take back

    def __init__(self, int64_t last_tick=-1, int64_t ack=-1, tuple pos=(0, 0, 0)):
        self.last_tick = last_tick
        self.ack = ack
        self.px, self.py, self.pw = pos
        self.has_undo = False

    @property
    def pos(self):
        return (self.px, self.py, self.pw)

    @pos.setter
    def pos(self, tuple value):
        self.px, self.py, self.pw = value

    cdef inline void _commit(self, int64_t tick, int64_t ack, int64_t px, int64_t py, int64_t pw) noexcept:
        self.u_tick, self.u_ack, self.u_px, self.u_py, self.u_pw = self.last_tick, self.ack, self.px, self.py, self.pw
        self.has_undo = True
        self.last_tick, self.ack, self.px, self.py, self.pw = tick, ack, px, py, pw

    def commit(self, int64_t tick, int64_t ack, tuple pos):
        self._commit(tick, ack, pos[0], pos[1], pos[2])

    def rollback(self):
        """Forget the last committed snapshot (it was not delivered); False when there
        was none to forget."""
        if not self.has_undo:
            return False
        self.last_tick, self.ack, self.px, self.py, self.pw = self.u_tick, self.u_ack, self.u_px, self.u_py, self.u_pw
        self.has_undo = False
        return True

    def reset(self):
        """The client starts from nothing (a new or resumed connection)."""
        self.last_tick = -1
        self.ack = -1
        self.has_undo = False

    def __repr__(self):
        return f"ViewerState(last_tick={self.last_tick}, ack={self.ack}, pos={self.pos})"


cdef inline Py_ssize_t array_header_size(Py_ssize_t n) noexcept nogil:
    if n < 16:
        return 1
    if n < 0x10000:
        return 3
    return 5


cdef inline Py_ssize_t put_array_header(uint8_t* p, Py_ssize_t n) noexcept nogil:
    if n < 16:
        p[0] = <uint8_t>(0x90 | n)
        return 1
    if n < 0x10000:
        p[0] = 0xDC
        put_be(p + 1, n, 2)
        return 3
    p[0] = 0xDD
    put_be(p + 1, n, 4)
    return 5


cdef inline Py_ssize_t ws_header_size(Py_ssize_t n) noexcept nogil:
    if n < 126:
        return 2
    if n < 0x10000:
        return 4
    return 10


cdef inline void put_ws_header(uint8_t* p, Py_ssize_t n) noexcept nogil:
    p[0] = 0x82
    if n < 126:
        p[1] = <uint8_t>n
    elif n < 0x10000:
        p[1] = 0x7E
        put_be(p + 2, n, 2)
    else:
        p[1] = 0x7F
        put_be(p + 2, n, 8)


cdef struct Buffer:
    uint8_t* data
    Py_ssize_t size
    Py_ssize_t cap


cdef int reserve(Buffer* b, Py_ssize_t more) except -1:
    cdef Py_ssize_t cap
    cdef uint8_t* grown
    if b.size + more <= b.cap:
        return 0
    cap = b.cap * 2 if b.cap else 65536
    while cap < b.size + more:
        cap *= 2
    grown = <uint8_t*>realloc(b.data, cap)
    if grown == NULL:
        raise MemoryError()
    b.data, b.cap = grown, cap
    return 0


cdef struct Scratch:
    int64_t* enter  # entity indices
    int64_t* update  # entity indices
    int64_t* leave  # entity ids
    Py_ssize_t cap


cdef int scratch_reserve(Scratch* s, Py_ssize_t n) except -1:
    cdef Py_ssize_t cap
    if n <= s.cap:
        return 0
    cap = max(n, 2 * s.cap, 256)
    s.enter = <int64_t*>realloc(s.enter, cap * sizeof(int64_t))
    s.update = <int64_t*>realloc(s.update, cap * sizeof(int64_t))
    s.leave = <int64_t*>realloc(s.leave, cap * sizeof(int64_t))
    if s.enter == NULL or s.update == NULL or s.leave == NULL:
        raise MemoryError()
    s.cap = cap
    return 0


cdef inline Py_ssize_t index_of(const int64_t[::1] table, const int64_t[::1] eids, int64_t eid) noexcept nogil:
    """Position of ``eid`` in the sorted ``eids`` (``len(eids)`` when absent), through
    ``world.snapshot.eid_index``'s table, or a binary search when there is none."""
    cdef Py_ssize_t n = eids.shape[0], lo
    if table.shape[0]:
        if eid < 0:
            return n
        if eid >= table.shape[0]:
            return table[table.shape[0] - 1]
        return table[eid]
    lo = lower_bound(eids, eid)
    if lo < n and eids[lo] == eid:
        return lo
    return n


# The fixed start of every snap map after its header: "t": "snap", "k"
cdef bytes _HEAD = b"\xa1t\xa4snap\xa1k"


def assemble(const int64_t[::1] view not None, const int64_t[::1] sent not None, const int64_t[::1] eids not None,
             const int64_t[::1] table not None, const int64_t[::1] targets not None, list states not None,
             list ents not None, list avatars not None, int64_t tick, int64_t gen):
    """This build's frames and the keys now sent.

    ``view``: this build's pair keys (sorted); ``sent``: the keys sent so far (sorted);
    ``eids``: the room's entities (sorted) with ``table`` (``eid_index``), and by the
    same index ``ents`` (``EntityBytes``: packed items, change stamps) and ``avatars``
    (their ``last_seq`` is the ack). ``targets``: the
    viewers to build for (sorted, all in the room), ``states`` their ``ViewerState``
    (read, then committed with ``gen``). Returns ``(data, bounds, keys)``: frame ``i``
    is ``data[bounds[i, 0]:bounds[i, 2]]`` (header included; the MessagePack body from
    ``bounds[i, 1]``), empty for a viewer with nothing new; ``keys`` to keep as sent."""
    cdef Py_ssize_t nv = view.shape[0], ns = sent.shape[0], n = eids.shape[0], nt = targets.shape[0]
    if len(states) != nt or len(ents) != n or len(avatars) != n:
        raise ValueError("assemble: states, ents and avatars must match targets and eids")
    changed_arr, look_arr = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    cdef int64_t[::1] changed_gen = changed_arr, look_gen = look_arr
    cdef list ubs = [None] * n
    cdef object ent_
    cdef Py_ssize_t q
    for q in range(n):
        ent_ = <object>PyList_GET_ITEM(ents, q)
        changed_gen[q] = ent_.changed_tick
        look_gen[q] = ent_.look_tick
        ubs[q] = ent_.ub
    bounds_arr = np.zeros((nt, 3), dtype=np.int64)
    cdef int64_t[:, ::1] bounds = bounds_arr
    keys_arr = np.empty(nv + ns, dtype=np.int64)
    cdef int64_t[::1] keys = keys_arr
    cdef Py_ssize_t nk = 0
    cdef Buffer buf
    buf.data, buf.size, buf.cap = NULL, 0, 0
    cdef Scratch sc
    sc.enter, sc.update, sc.leave, sc.cap = NULL, NULL, NULL, 0
    cdef Py_ssize_t pv = 0, ps = 0, ti = 0, a0, a1, b0, b1, i, j, k, ne, nu, nl, body, size, at, hs
    cdef int64_t v, vv, vs_, vt, big = <int64_t>0x7FFFFFFFFFFFFFFF, ea, eb_, seen, ack, px, py, pw
    cdef ViewerState state
    cdef object ent, item
    cdef list entered
    cdef tuple own
    cdef uint8_t* p
    cdef const char* head = PyBytes_AS_STRING(_HEAD)
    try:
        while pv < nv or ps < ns or ti < nt:
            vv = view[pv] >> 32 if pv < nv else big
            vs_ = sent[ps] >> 32 if ps < ns else big
            vt = targets[ti] if ti < nt else big
            v = min(vv, vs_, vt)
            a0 = pv
            while pv < nv and (view[pv] >> 32) == v:
                pv += 1
            a1 = pv
            b0 = ps
            while ps < ns and (sent[ps] >> 32) == v:
                ps += 1
            b1 = ps
            if v != vt:  # not built for: its sent keys stay while it is in the room
                if index_of(table, eids, v) < n:
                    for i in range(b0, b1):
                        keys[nk] = sent[i]
                        nk += 1
                continue
            # a target: merge its view and sent runs by entity
            state = <ViewerState>PyList_GET_ITEM(states, ti)
            seen = state.last_tick
            scratch_reserve(&sc, (a1 - a0) + (b1 - b0) + 1)
            ne = nu = nl = 0
            i, j = a0, b0
            while i < a1 or j < b1:
                ea = view[i] & LOW if i < a1 else big
                eb_ = sent[j] & LOW if j < b1 else big
                if ea == eb_:
                    k = index_of(table, eids, ea)
                    if look_gen[k] > seen:
                        sc.enter[ne] = k
                        ne += 1
                    elif changed_gen[k] > seen:
                        sc.update[nu] = k
                        nu += 1
                    i += 1
                    j += 1
                elif ea < eb_:
                    sc.enter[ne] = index_of(table, eids, ea)
                    ne += 1
                    i += 1
                else:
                    sc.leave[nl] = eb_
                    nl += 1
                    j += 1
            for i in range(a0, a1):
                keys[nk] = view[i]
                nk += 1
            k = index_of(table, eids, v)
            if k >= n:
                raise ValueError(f"assemble: viewer {v} is not in the room")
            ack = (<object>PyList_GET_ITEM(avatars, k)).last_seq
            own = (<object>PyList_GET_ITEM(ents, k)).state
            px, py, pw = own[0], own[1], own[2]
            if ne or nu or nl or ack != state.ack or px != state.px or py != state.py or pw != state.pw:
                entered = [(<object>PyList_GET_ITEM(ents, sc.enter[i])).eb for i in range(ne)]
                size = 1 + 9 + int_size(tick) + 2 + int_size(ack) + 2 + 1 + int_size(px) + int_size(py) + int_size(pw)
                if ne:
                    size += 2 + array_header_size(ne)
                    for item in entered:
                        size += PyBytes_GET_SIZE(item)
                if nu:
                    size += 2 + array_header_size(nu)
                    for i in range(nu):
                        size += PyBytes_GET_SIZE(<object>PyList_GET_ITEM(ubs, sc.update[i]))
                if nl:
                    size += 2 + array_header_size(nl)
                    for i in range(nl):
                        size += int_size(sc.leave[i])
                hs = ws_header_size(size)
                reserve(&buf, hs + size)
                at = buf.size
                p = buf.data + at
                put_ws_header(p, size)
                p += hs
                body = at + hs
                p[0] = <uint8_t>(0x80 | (4 + (ne > 0) + (nu > 0) + (nl > 0)))
                memcpy(p + 1, head, 9)
                p += 10
                p += put_int(p, tick)
                p[0], p[1] = 0xA1, 0x61  # "a"
                p += 2
                p += put_int(p, ack)
                p[0], p[1], p[2] = 0xA1, 0x70, 0x93  # "p": [x, y, yaw]
                p += 3
                p += put_int(p, px)
                p += put_int(p, py)
                p += put_int(p, pw)
                if ne:
                    p[0], p[1] = 0xA1, 0x65  # "e"
                    p += 2
                    p += put_array_header(p, ne)
                    for item in entered:
                        memcpy(p, PyBytes_AS_STRING(item), PyBytes_GET_SIZE(item))
                        p += PyBytes_GET_SIZE(item)
                if nu:
                    p[0], p[1] = 0xA1, 0x75  # "u"
                    p += 2
                    p += put_array_header(p, nu)
                    for i in range(nu):
                        item = <object>PyList_GET_ITEM(ubs, sc.update[i])
                        memcpy(p, PyBytes_AS_STRING(item), PyBytes_GET_SIZE(item))
                        p += PyBytes_GET_SIZE(item)
                if nl:
                    p[0], p[1] = 0xA1, 0x6C  # "l"
                    p += 2
                    p += put_array_header(p, nl)
                    for i in range(nl):
                        p += put_int(p, sc.leave[i])
                buf.size = body + size
                if p - buf.data != buf.size:
                    raise AssertionError("assemble: frame size mismatch")
                bounds[ti, 0] = at
                bounds[ti, 1] = body
                bounds[ti, 2] = buf.size
            else:
                bounds[ti, 0] = bounds[ti, 1] = bounds[ti, 2] = buf.size
            state._commit(gen, ack, px, py, pw)
            ti += 1
        data = PyBytes_FromStringAndSize(<char*>buf.data, buf.size) if buf.size else b""
    finally:
        free(buf.data)
        free(sc.enter)
        free(sc.update)
        free(sc.leave)
    return data, bounds_arr, keys_arr[:nk]
