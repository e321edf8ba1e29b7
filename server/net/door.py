"""The door of the game port: which socket a request's first bytes send where.

One port serves the game websocket and plain HTTP (``server.net.http``). A game
upgrade (``GET /ws`` asking to upgrade to a websocket) goes to picows
(``server.net.game_link``); everything else goes to websockets, which answers the
HTTP routes, refuses other methods and other upgrade paths and malformed requests as
it always did. The request head is read by websockets' own HTTP parser, as websockets
would read it.
"""

from __future__ import annotations

from enum import Enum

from websockets.http11 import Request
from websockets.streams import StreamReader

from server.net.http import WEBSOCKET_PATH

MAX_HEAD = 16 * 1024  # a longer head goes to websockets, which refuses it as it always did
_GET = b"GET "


class Way(Enum):
    WAIT = "wait"  # the head is not complete yet
    GAME = "game"  # a websocket upgrade on the game path: picows
    HTTP = "http"  # anything else: websockets


def way_of(head: bytes | bytearray) -> Way:
    """Where the request whose first bytes are ``head`` goes."""
    if head[:4] != _GET[:len(head[:4])]:
        return Way.HTTP
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return Way.HTTP if len(head) > MAX_HEAD else Way.WAIT
    reader = StreamReader()
    reader.feed_data(bytes(head[:end + 4]))
    parser = Request.parse(reader.read_line)
    try:
        next(parser)
    except StopIteration as done:
        request: Request = done.value
    except Exception:  # noqa: BLE001 - malformed: websockets answers it with its own 400
        return Way.HTTP
    else:
        return Way.HTTP
    if request.path.partition("?")[0] != WEBSOCKET_PATH:
        return Way.HTTP
    connection = ",".join(request.headers.get_all("Connection")).lower()
    upgrade = ",".join(request.headers.get_all("Upgrade")).lower()
    if "upgrade" in connection and "websocket" in upgrade:
        return Way.GAME
    return Way.HTTP
