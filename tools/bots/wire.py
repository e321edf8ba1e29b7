"""The client side of a websocket (RFC 6455), as small as a load generator needs.

Measured here: websockets' sans-I/O protocol costs the bots about 10 us per frame
sent and 8 us per frame received (parser generators, a mask from ``os.urandom`` per
frame); a thousand bots at 20 Hz spend most of a core on that alone. This module
does the handshake and the framing directly: binary messages, ping/pong, close,
fragments; no extensions (the game socket runs without compression).

Client frames carry a zero masking key: legal framing that every server unmasks, and
the payload goes out as is. (The RFC wants unpredictable keys to protect proxies that
cache; bots talk to their own server, not through one.)
"""

from __future__ import annotations

import base64
import hashlib
import os

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MAX_HEAD = 16 * 1024


class WireError(Exception):
    """The server broke the websocket protocol (or refused the upgrade)."""


def new_key() -> str:
    return base64.b64encode(os.urandom(16)).decode("ascii")


def accept_for(key: str) -> str:
    return base64.b64encode(hashlib.sha1(key.encode("ascii") + GUID).digest()).decode("ascii")  # noqa: S324 - RFC 6455


def upgrade_request(host: str, port: int, path: str, key: str, subprotocol: str) -> bytes:
    return (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {subprotocol}\r\n"
        "User-Agent: cloudpark-bots\r\n\r\n"
    ).encode("ascii")


def check_upgrade(head: bytes, key: str) -> None:
    """Raise ``WireError`` unless ``head`` (status line + headers) accepts the upgrade for ``key``."""
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or parts[1] != "101":
        raise WireError(f"upgrade refused: {lines[0]!r}")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if headers.get("sec-websocket-accept") != accept_for(key):
        raise WireError("upgrade answered with a wrong Sec-WebSocket-Accept")
    if headers.get("sec-websocket-extensions"):
        raise WireError(f"server negotiated extensions the bots do not speak: {headers['sec-websocket-extensions']}")


def frame(payload: bytes, opcode: int = OP_BINARY) -> bytes:
    """One final client frame with a zero masking key."""
    n = len(payload)
    if n < 126:
        return bytes((0x80 | opcode, 0x80 | n, 0, 0, 0, 0)) + payload
    if n < 65536:
        return bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big") + b"\0\0\0\0" + payload
    return bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big") + b"\0\0\0\0" + payload


def _unmask(payload: bytes, mask: bytes) -> bytes:
    n = len(payload)
    key = int.from_bytes((mask * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(payload, "big") ^ key).to_bytes(n, "big")


class Reader:
    """Turns received bytes into whole messages: ``(opcode, payload)``, control frames included."""

    __slots__ = ("_buf", "_frag_op", "_frags", "head_done")

    def __init__(self) -> None:
        self._buf = b""
        self._frags: list[bytes] = []
        self._frag_op = 0
        self.head_done = False

    def feed_head(self, data: bytes) -> bytes | None:
        """Before the upgrade: the response head once complete (rest kept for ``feed``)."""
        buf = self._buf + data
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            if len(buf) > MAX_HEAD:
                raise WireError("upgrade response head too long")
            self._buf = buf
            return None
        self._buf = buf[end + 4:]
        self.head_done = True
        return buf[:end]

    def feed(self, data: bytes) -> list[tuple[int, bytes]]:
        buf = self._buf + data if self._buf else data
        out: list[tuple[int, bytes]] = []
        pos, n = 0, len(buf)
        while n - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if n - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif length == 127:
                if n - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            mask = b""
            if b1 & 0x80:
                mask, head = buf[pos + head:pos + head + 4], head + 4
            end = pos + head + length
            if end > n:
                break
            payload = buf[pos + head:end]
            pos = end
            if mask:
                payload = _unmask(payload, mask)
            if b0 & 0x70:
                raise WireError("frame with reserved bits set (no extension was negotiated)")
            opcode = b0 & 0x0F
            if opcode >= OP_CLOSE:
                out.append((opcode, payload))
            elif not b0 & 0x80:  # a fragment: keep until the final one
                if opcode != OP_CONT:
                    self._frag_op = opcode
                self._frags.append(payload)
            elif opcode == OP_CONT:
                self._frags.append(payload)
                out.append((self._frag_op, b"".join(self._frags)))
                self._frags.clear()
            else:
                out.append((opcode, payload))
        self._buf = buf[pos:] if pos < n else b""
        return out


def close_code(payload: bytes) -> int | None:
    return int.from_bytes(payload[:2], "big") if len(payload) >= 2 else None
