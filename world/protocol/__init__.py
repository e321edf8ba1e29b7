"""The Cloud Park wire contract: one MessagePack map per binary websocket frame.

``constants`` holds versions, limits, close and error codes; ``messages`` the typed
messages in both directions; ``codec`` turns bytes into messages and back, raising
only ``ProtocolError``; ``quantize`` the units used on the wire. docs/protocol.md
documents all of it for client authors.
"""

from world.protocol.codec import ProtocolError, decode_client, decode_server, encode
from world.protocol.constants import PROTOCOL_VERSION, CloseCode, ErrorCode

__all__ = [
    "PROTOCOL_VERSION",
    "CloseCode",
    "ErrorCode",
    "ProtocolError",
    "decode_client",
    "decode_server",
    "encode",
]
