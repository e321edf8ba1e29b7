"""Who is on a connection: a guest (a display name only) or a signed-in account."""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass

from world.avatar import VisitorInfo
from world.permissions import Actor
from world.protocol import messages as M

GUEST_PREFIX = "guest:"


@dataclass(frozen=True, slots=True)
class Who:
    user_id: str
    name: str
    role: str
    color: int
    company: str = ""
    registered: bool = False
    parks: tuple[str, ...] = ()  # parks a park_staff account runs

    @staticmethod
    def guest(name: str, color: int) -> Who:
        return Who(GUEST_PREFIX + secrets.token_hex(6), name, "guest", color)

    def actor(self) -> Actor:
        return Actor(user_id=self.user_id, role=self.role, company=self.company, parks=frozenset(self.parks))

    def visitor(self) -> VisitorInfo:
        return VisitorInfo(self.user_id, self.name, self.color, self.role, self.company)

    def user_info(self) -> M.UserInfo:
        return M.UserInfo(id=self.user_id, name=self.name, role=self.role, color=self.color, company=self.company)

    def with_look(self, name: str | None, color: int | None) -> Who:
        return dataclasses.replace(self, name=name if name is not None else self.name,
                                   color=color if color is not None else self.color)
