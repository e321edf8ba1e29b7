"""A request that cannot be done, and why: raised by desks and services, turned into
one ``error`` reply (and one metrics count) by ``server.dispatch`` alone."""

from __future__ import annotations

from world.protocol.constants import ErrorCode


class Refusal(Exception):
    def __init__(self, code: ErrorCode, text: str) -> None:
        self.code = code
        self.text = text
        super().__init__(f"{code.value}: {text}")
