"""A client session and a server session wired through in-memory bytes (h11's ConnectionPair).

``pair.client`` builds requests; ``pair.pump()`` moves the client's frames into the
server session (returning the messages the server accepted) and ``pair.deliver()``
moves the server's frames back (returning the decoded messages the client got).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from world.protocol.session import ClientSession, ServerSession, SessionLimits


@dataclass
class SessionPair:
    limits: SessionLimits = field(default_factory=SessionLimits)
    now: float = 0.0
    client: ClientSession = field(default_factory=ClientSession)
    server: ServerSession = field(init=False)

    def __post_init__(self) -> None:
        self.server = ServerSession(self.limits, self.now)

    def pump(self, now: float | None = None) -> list[Any]:
        if now is not None:
            self.now = now
        accepted: list[Any] = []
        for frame in self.client.data_to_send():
            accepted += self.server.receive(frame, self.now)
        return accepted

    def deliver(self) -> list[Any]:
        return [self.client.receive(frame) for frame in self.server.data_to_send()]

    def handshake(self, name: str = "Ann") -> None:
        """hello + guest entry, with the server's part played by the test."""
        self.client.hello()
        self.client.guest(name)
        self.pump()
        self.server.authenticated()
