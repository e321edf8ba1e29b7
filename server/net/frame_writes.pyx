# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The ticker's per-client loops, compiled: who can take a snapshot, and each ready
client's frame written.

``ready_peers`` and ``write_frames`` are ``Ticker.send_snapshots``' two passes over a
room's clients (the rules are told there); ``push_frame`` and ``buffered`` are
``server.net.connection.Connection``'s methods of the same names, the hot ones a
tick calls once per client. Same rules as the Python they replaced, without the
interpreter's work per client: at a thousand clients that was a few microseconds
each of a tick's 50 ms budget.
"""

from libc.stdint cimport int64_t

from websockets.protocol import State

cdef object OPEN = State.OPEN


def push_frame(self, frame):
    """``Connection.push_frame``: one prepared frame (websocket header and body, a slice
    of the build's buffer) written straight into the transport, after whatever waits
    in the outbox; False when the connection is no longer open."""
    if self.protocol.state is not OPEN:
        return False
    transport = self.transport
    if transport is None or transport.is_closing():
        return False
    if self.outbox:
        transport.write(self._take_outbox() + frame)
    else:
        transport.write(frame)
    return True


def buffered(self):
    """``Connection.buffered``: bytes written but not yet sent, the outbox's included."""
    transport = self.transport
    if transport is None:
        return self.outbox_bytes
    return transport.get_write_buffer_size() + self.outbox_bytes


def ready_peers(dict clients, Py_ssize_t high):
    """The clients whose unsent bytes are at most ``high`` (``{eid: peer}``, in the
    clients' order; a ready client's ``behind_since`` is cleared), and the visitors
    that are behind."""
    cdef dict ready = {}
    cdef list behind = []
    for eid, visitor in clients.items():
        peer = visitor.peer
        if peer.buffered() > high:
            behind.append(visitor)
            continue
        if visitor.behind_since is not None:
            visitor.behind_since = None
        ready[eid] = peer
    return ready, behind


def write_frames(dict ready, list eids, object data, const int64_t[:, ::1] bounds):
    """Write row ``i`` of ``bounds`` (start, body, end in ``data``) to the peer of
    ``eids[i]`` where the frame is not empty. Returns (frames sent, body bytes sent,
    eids whose peer could not take it)."""
    cdef Py_ssize_t n = len(eids), i
    cdef int64_t start, body, end, sent = 0, sent_bytes = 0
    cdef list failed = []
    if bounds.shape[0] != n or (n and bounds.shape[1] != 3):
        raise ValueError("write_frames: one (start, body, end) row per eid")
    view = memoryview(data)  # each client's write is a slice: no copy, no header join
    for i in range(n):
        start, body, end = bounds[i, 0], bounds[i, 1], bounds[i, 2]
        if body == end:
            continue
        eid = eids[i]
        if ready[eid].push_frame(view[start:end]):
            sent += 1
            sent_bytes += end - body
        else:
            failed.append(eid)
    return sent, sent_bytes, failed
