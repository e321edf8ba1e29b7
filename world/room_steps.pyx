# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False, cdivision=True
"""The compiled half of ``Room.step``: inputs applied, states quantized and packed.

``Room.step`` (world/room.py) says what a tick does; these are its per-avatar loops,
the same arithmetic in C (IEEE doubles in the same order, round half to even, the
modulo of Python floats), so results are bit for bit those of ``world.movement`` and
``world.protocol.quantize``: ``move_avatars`` takes each avatar with input queued and
a tick of allowance, moves the batch through ``WalkGrid.move_many`` (one numpy call
per round) and writes positions, facing, animation and acknowledgement back;
``settle`` stops the walk of avatars quiet for long enough, turns avatars' states
into wire units and re-packs the ``u`` item of each entity whose state changed (the
bytes msgspec writes for the tuple).

No I/O, no clock: the room's objects in, the same objects updated.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from libc.math cimport M_PI, copysign, fmod, isfinite, rint, sqrt
from libc.stdint cimport int64_t, uint8_t

from world.msgpack_ints cimport put_int

import numpy as np

from world.protocol.constants import RUN_SPEED, WALK_SPEED, Anim

cdef double TAU = 2.0 * M_PI
cdef double C_RUN = RUN_SPEED
cdef double C_WALK = WALK_SPEED
cdef object IDLE = Anim.IDLE
cdef object WALK = Anim.WALK
cdef object RUN = Anim.RUN


cdef inline double py_mod(double a, double b) noexcept:
    """``a % b`` for Python floats (b > 0)."""
    cdef double m = fmod(a, b)
    if m:
        if (b < 0) != (m < 0):
            m += b
    else:
        m = copysign(0.0, b)
    return m


cdef inline double wrap_yaw(double yaw) noexcept:
    """``world.movement.wrap_yaw``: radians in [-pi, pi)."""
    if not isfinite(yaw):
        return 0.0
    return py_mod(yaw + M_PI, TAU) - M_PI


def move_avatars(list avatars, list presences, object grid, double dt, double clock, double most,
                 double one_tick, int rounds, set moved, set touched):
    """Apply up to ``rounds`` ticks of queued input to the avatars (``presences`` in the
    same order), each within its allowance, as ``Room.step`` describes. Adds the eids
    that moved to ``moved`` and those given input to ``touched``."""
    cdef Py_ssize_t n = len(avatars), i, m, r
    cdef double allowance, mx, my, l2, length, speed
    cdef list batch = [], paying = [], inputs, more_b, more_p
    cdef object av, p, inp, queue
    if len(presences) != n:
        raise ValueError("move_avatars: one presence per avatar")
    for i in range(n):
        av = avatars[i]
        if av.inputs:
            p = presences[i]
            # the allowance is a token bucket read lazily: it only grows while unread
            allowance = p.allowance + (clock - p.allowance_at)
            if allowance > most:
                allowance = most
            p.allowance = allowance
            p.allowance_at = clock
            if allowance >= one_tick:
                batch.append(av)
                paying.append(p)
    cdef double[::1] xs, ys, dxs, dys, nxs, nys
    for r in range(rounds):
        m = len(batch)
        if m == 0:
            break
        xs_a, ys_a = np.empty(m), np.empty(m)
        dx_a, dy_a = np.empty(m), np.empty(m)
        xs, ys, dxs, dys = xs_a, ys_a, dx_a, dy_a
        inputs = [None] * m
        for i in range(m):
            av = batch[i]
            inp = av.inputs.popleft()
            inputs[i] = inp
            mx, my = inp.mx, inp.my
            l2 = mx * mx + my * my
            if l2 > 1.0:
                length = sqrt(l2)
                mx = mx / length
                my = my / length
            speed = C_RUN if inp.run else C_WALK
            dxs[i] = mx * speed * dt
            dys[i] = my * speed * dt
            xs[i] = av.x
            ys[i] = av.y
        nx_a, ny_a = grid.move_many(xs_a, ys_a, dx_a, dy_a)
        nxs, nys = nx_a, ny_a
        more_b, more_p = [], []
        for i in range(m):
            av, inp, p = batch[i], inputs[i], paying[i]
            if nxs[i] != xs[i] or nys[i] != ys[i]:
                moved.add(av.eid)
            av.x = nxs[i]
            av.y = nys[i]
            av.yaw = wrap_yaw(inp.yaw)
            if inp.mx != 0.0 or inp.my != 0.0:
                av.anim = RUN if inp.run else WALK
                av.emote = IDLE
            else:
                av.anim = IDLE
            queue = av.inputs
            if not queue or queue[0] is not inp:  # the last tick an `n` > 1 input covers
                av.last_seq = inp.s
            allowance = p.allowance - 1.0
            p.allowance = allowance
            touched.add(av.eid)
            # catching up: only when more is queued than the rest of the message just
            # applied (the ticks of one `n` > 1 input are spread over n ticks), and only
            # with time to spare
            if queue and queue[len(queue) - 1] is not inp and allowance >= one_tick:
                more_b.append(av)
                more_p.append(p)
        batch, paying = more_b, more_p


def settle(list avatars, list presences, list entities, set touched, int idle_after, int64_t gen,
           double cm_per_m, int64_t yaw_units):
    """After the inputs of a tick (``presences`` and ``entities`` in the avatars'
    order): an avatar given input has been quiet for 0 ticks, one quiet for
    ``idle_after`` stops walking; then each avatar's state in wire units
    (``Room._quantize``: x and y in cm, yaw in 1/65536 turns, the shown animation) into
    its ``EntityBytes``, and where it changed, the new state, ``changed_tick = gen`` and
    the re-packed ``u`` item (the bytes msgspec writes for the tuple)."""
    cdef Py_ssize_t n = len(avatars), i, size
    cdef int64_t qx, qy, qw, qa, eid, quiet
    cdef object av, ent, anim, p
    cdef tuple old
    cdef uint8_t item[48]
    if len(entities) != n or len(presences) != n:
        raise ValueError("settle: one presence and one entity per avatar")
    for i in range(n):
        av, ent, p = avatars[i], entities[i], presences[i]
        eid = ent.eid
        if eid in touched:
            p.quiet_ticks = 0
        else:
            quiet = p.quiet_ticks + 1
            p.quiet_ticks = quiet
            if quiet >= idle_after and av.anim != 0:
                av.anim = IDLE
        qx = <int64_t>rint(<double>av.x * cm_per_m)
        qy = <int64_t>rint(<double>av.y * cm_per_m)
        qw = <int64_t>rint(<double>av.yaw / TAU * <double>yaw_units) % yaw_units
        if qw < 0:
            qw += yaw_units
        anim = av.anim
        qa = anim if anim != 0 else av.emote
        old = ent.state
        if old[0] == qx and old[1] == qy and old[2] == qw and old[3] == qa:
            continue
        ent.state = (qx, qy, qw, qa)
        ent.changed_tick = gen
        item[0] = 0x95  # fixarray of 5: eid, x, y, yaw, anim
        size = 1
        size += put_int(item + size, eid)
        size += put_int(item + size, qx)
        size += put_int(item + size, qy)
        size += put_int(item + size, qw)
        size += put_int(item + size, qa)
        ent.ub = PyBytes_FromStringAndSize(<char*>item, size)
        ent._eb = None


cdef bint in_ring(double x, double y, const double[:, ::1] ring) noexcept:
    """``world.room._in_ring`` for one point: the even-odd crossing test, the same
    arithmetic (and so the same answer on an edge)."""
    cdef Py_ssize_t n = ring.shape[0], i
    cdef double xa, ya, xb, yb, xc
    cdef bint inside = False
    for i in range(n):
        xa, ya = ring[i, 0], ring[i, 1]
        xb, yb = ring[(i + 1) % n, 0], ring[(i + 1) % n, 1]
        if (ya > y) != (yb > y):
            xc = xa + (y - ya) * (xb - xa) / (yb - ya)
            if x < xc:
                inside = not inside
    return inside


def zone_changes(list avatars, list presences, set moved, list ids, const double[:, ::1] boxes, list rings):
    """For each avatar whose eid is in ``moved`` (``presences`` in the same order): the
    booth zone it now stands in (the first listed if zones overlap, as
    ``_Zones.locate``), where that differs from its presence's ``booth``. Returns
    ``[(index, booth id or None), ...]`` in the avatars' order."""
    cdef Py_ssize_t n = len(avatars), nb = len(ids), i, k, found
    cdef double x, y
    cdef object av, p, booth
    cdef list out = []
    cdef const double[:, ::1] ring
    if len(presences) != n or boxes.shape[0] != nb or len(rings) != nb:
        raise ValueError("zone_changes: one presence per avatar, one box and ring per booth")
    for i in range(n):
        av = avatars[i]
        if av.eid not in moved:
            continue
        x, y = av.x, av.y
        found = -1
        for k in range(nb):
            if x >= boxes[k, 0] and y >= boxes[k, 1] and x <= boxes[k, 2] and y <= boxes[k, 3]:
                ring = rings[k]
                if in_ring(x, y, ring):
                    found = k
                    break
        booth = ids[found] if found >= 0 else None
        p = presences[i]
        if booth != p.booth:
            out.append((i, booth))
    return out
