"""Bytes <-> messages. Decoding untrusted bytes raises only ``ProtocolError``.

Encoding leaves out every field equal to its default (docs/protocol.md promises it).
msgspec's ``omit_defaults`` alone compares by identity, so a ``0.0`` or ``"visitor"``
a caller computed would still be written; ``encode`` swaps such values for the
default object first.
"""

from __future__ import annotations

from typing import Any

import msgspec

from world.protocol import messages as M
from world.protocol.constants import MAX_FRAME_BYTES, ErrorCode


class ProtocolError(Exception):
    """A frame could not be turned into a message. ``code`` is an ``ErrorCode``."""

    def __init__(self, code: ErrorCode, detail: str) -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"{code.value}: {detail}")


_client_decoder = msgspec.msgpack.Decoder(M.ClientMessage)
_server_decoder = msgspec.msgpack.Decoder(M.ServerMessage)
_encoder = msgspec.msgpack.Encoder()


def _value_defaults(cls: type[msgspec.Struct]) -> tuple[tuple[str, object], ...]:
    """The fields whose default is a number or string (the ones identity can miss)."""
    return tuple((f.name, f.default) for f in msgspec.structs.fields(cls)
                 if type(f.default) in (int, float, str))


_VALUE_DEFAULTS: dict[type, tuple[tuple[str, object], ...]] = {
    cls: _value_defaults(cls)
    for cls in (*M.ClientMessage.__args__, *M.ServerMessage.__args__, M.Snap)
}


def encode(msg: msgspec.Struct) -> bytes:
    """One message as MessagePack, fields equal to their default left out."""
    fields = _VALUE_DEFAULTS.get(type(msg))
    if fields:
        same: dict[str, object] = {}
        for name, default in fields:
            value = getattr(msg, name)
            if value is not default and type(value) is type(default) and value == default:
                same[name] = default
        if same:
            msg = msgspec.structs.replace(msg, **same)
    return _encoder.encode(msg)


def _decode(decoder: msgspec.msgpack.Decoder[Any], data: bytes, limit: int | None) -> Any:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ProtocolError(ErrorCode.MALFORMED, "text frames are not accepted: send binary MessagePack")
    if limit is not None and len(data) > limit:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"frame of {len(data)} bytes exceeds the {limit}-byte limit")
    try:
        return decoder.decode(data)
    except msgspec.ValidationError as exc:
        text = str(exc)
        if text.endswith("- at `$.t`") and text.startswith("Invalid value"):
            raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type: {text}") from None
        if "missing required field `t`" in text:
            raise ProtocolError(ErrorCode.BAD_TYPE, "message has no type field `t`") from None
        raise ProtocolError(ErrorCode.BAD_TYPE, text) from None
    except msgspec.DecodeError as exc:
        raise ProtocolError(ErrorCode.MALFORMED, str(exc)) from None
    except (ValueError, TypeError, RecursionError, OverflowError) as exc:  # defensive: msgspec internals
        raise ProtocolError(ErrorCode.MALFORMED, f"undecodable frame: {exc}") from None


def decode_client(data: bytes, limit: int | None = MAX_FRAME_BYTES) -> M.ClientMessage:
    """Decode one client -> server frame (server side)."""
    return _decode(_client_decoder, data, limit)  # type: ignore[no-any-return]


def decode_server(data: bytes) -> M.ServerMessage:
    """Decode one server -> client frame (client and bot side)."""
    return _decode(_server_decoder, data, None)  # type: ignore[no-any-return]


def peek_request_id(data: bytes) -> int:
    """Best effort: the ``id`` of a frame that failed to decode, so the error can answer it."""
    try:
        raw = msgspec.msgpack.decode(data)
    except Exception:  # noqa: BLE001 - any garbage simply has no id
        return 0
    if isinstance(raw, dict):
        rid = raw.get("id")
        if isinstance(rid, int) and not isinstance(rid, bool) and 0 <= rid <= 0xFFFFFFFF:
            return rid
    return 0
