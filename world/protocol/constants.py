"""Protocol constants shared by the server, the Python client, the bots and the docs."""

from __future__ import annotations

from enum import IntEnum, StrEnum

PROTOCOL_VERSION = 1
SUBPROTOCOL = "cloudpark.v1"  # offered in Sec-WebSocket-Protocol; the version is checked in `hello`

# Limits (documented in docs/protocol.md; the server may be configured lower, never higher).
MAX_FRAME_BYTES = 16 * 1024  # client -> server frame
# The most the server reads of one frame: enough to answer a frame over MAX_FRAME_BYTES
# with `error` too_large; beyond this the websocket layer closes 1009 by itself.
FRAME_READ_LIMIT = 1024 * 1024
MAX_NAME_CHARS = 32
MAX_CHAT_CHARS = 500
MAX_TEXT_CHARS = 4000  # booth description
MAX_SHORT_CHARS = 200  # booth name, tagline, card fields
MAX_URL_CHARS = 2000
MAX_PRODUCTS = 50
MAX_LINKS = 20
MAX_PASSWORD_CHARS = 256
MIN_PASSWORD_CHARS = 8
MAX_ID_CHARS = 64
# Chat: the one chat rate rule, per account over all its connections (world.chat.ChatLimiter).
CHAT_LINES_PER_10S = 5
CHAT_BURST = 5


class CloseCode(IntEnum):
    """Websocket close codes the server uses (application codes from 4000)."""

    NORMAL = 1000
    GOING_AWAY = 1001  # server shutting down (a `bye` message precedes it)
    PROTOCOL_ERROR = 1002  # broken websocket framing (the websocket layer closes, no `bye`)
    INVALID_DATA = 1007  # a text frame that is not UTF-8 (the websocket layer closes, no `bye`)
    MESSAGE_TOO_BIG = 1009  # frame over MAX_FRAME_BYTES (`error` too_large and `bye` first)
    VERSION_MISMATCH = 4000  # `hello.v` is not PROTOCOL_VERSION
    TOO_MANY_ERRORS = 4001  # too many malformed / invalid messages
    AUTH_FAILED = 4002  # no successful hello + auth within the handshake timeout, or too many failures
    FLOOD = 4003  # message rate far above the documented limits
    TOO_SLOW = 4004  # the client could not keep up with snapshots
    REPLACED = 4005  # the same session was resumed on another connection
    SERVER_FULL = 4006  # connection limit (total or per IP) reached
    IDLE = 4007  # nothing received for the idle timeout
    KICKED = 4008  # removed from the event on the park's stage (stage_remove)


class ErrorCode(StrEnum):
    """`error.code` values: the request failed, the connection stays open."""

    MALFORMED = "malformed"  # not MessagePack, or a text frame
    TOO_LARGE = "too_large"  # a frame over MAX_FRAME_BYTES (followed by close 1009)
    BAD_TYPE = "bad_type"  # a field has the wrong type or is out of range
    UNKNOWN_TYPE = "unknown_type"  # `t` names no message
    BAD_STATE = "bad_state"  # message not allowed in the session's current state
    NOT_ALLOWED = "not_allowed"  # permission denied
    NOT_FOUND = "not_found"  # no such park / booth / user
    INVALID = "invalid"  # well-typed but fails a rule (bad URL, no consent, ...)
    RATE_LIMITED = "rate_limited"  # too many of this message; it was dropped
    AUTH_FAILED = "auth_failed"  # wrong user/password or expired token
    CONFLICT = "conflict"  # e.g. user name already taken
    VERSION = "version"  # protocol version mismatch (followed by close 4000)
    UNAVAILABLE = "unavailable"  # the server is shutting down or the park is full


class Anim(IntEnum):
    """Avatar animation/emote state, one byte on the wire."""

    IDLE = 0
    WALK = 1
    RUN = 2
    WAVE = 3
    CLAP = 4
    CHEER = 5
    DANCE = 6
    SIT = 7


EMOTES: dict[str, Anim] = {
    "none": Anim.IDLE,
    "wave": Anim.WAVE,
    "clap": Anim.CLAP,
    "cheer": Anim.CHEER,
    "dance": Anim.DANCE,
    "sit": Anim.SIT,
}


class Role(StrEnum):
    VISITOR = "visitor"
    ENTERPRISE = "enterprise"  # owns booths
    ORGANIZER = "organizer"  # runs showcases on stages
    PARK_STAFF = "park_staff"  # runs a park
    GOVERNMENT = "government"
    ADMIN = "admin"
    GUEST = "guest"  # not an account: a display name only


SELF_REGISTER_ROLES = (Role.VISITOR, Role.ENTERPRISE)

# Movement (metres per second); `welcome` carries them so clients predict with the same numbers.
WALK_SPEED = 2.0
RUN_SPEED = 6.0
AVATAR_RADIUS = 0.3  # metres kept clear of walls
WALK_CELL = 0.25  # metres: the walkable raster's resolution
DEFAULT_TICK_RATE = 20  # simulation ticks per second; one `in` message = `n` ticks of movement (default 1)
MAX_INPUT_TICKS = 4  # the most ticks one `in` message may cover (its `n`)
