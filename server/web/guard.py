"""The web transport's one permission check: ``need(action, finder)``.

Every route depends on ``need(...)`` or on ``public`` (a page anyone may see), so the
route table says which action each route asks (``server.web.app.route_actions``). The
dependency builds the ``Viewer`` (the person behind the session cookie, or a guest),
finds the resource the action is about, and asks ``world.permissions.can`` once. A
refusal raises ``Refused``; the app answers it with a sign-in redirect (guests on
pages), a clear 403 page, or JSON 401/403 under ``/api/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request

from server.accounts import AccountError
from server.web.services import Web
from server.web.sessions import LANG_COOKIE, PRE_COOKIE, SESSION_COOKIE
from world.i18n import negotiate
from world.people import Person
from world.permissions import NOTHING, Resource, can

PUBLIC = ""
GUEST = Person("guest:web", "guest", "guest")
Finder = Callable[[Request, Person], Awaitable[Resource]]


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking on the web: the person (a guest when signed out), their session."""

    person: Person
    token: str  # the login token from the cookie ("" when signed out)
    seed: str  # what the CSRF token is derived from: the login token or the pre-session cookie
    lang: str
    unread: int = 0  # the person's unread notifications (the inbox badge of the console navigation)

    @property
    def signed_in(self) -> bool:
        return not self.person.is_guest


class Refused(Exception):
    def __init__(self, action: str, reason: str, viewer: Viewer) -> None:
        self.action, self.reason, self.viewer = action, reason, viewer
        super().__init__(f"{action}: {reason}")


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


async def viewer_of(request: Request) -> Viewer:
    """The viewer of this request, computed once and kept on ``request.state``."""
    cached = getattr(request.state, "viewer", None)
    if isinstance(cached, Viewer):
        return cached
    web = web_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    person = GUEST
    if token:
        try:
            account = await web.accounts.from_token(token, now=web.clock.now())
            person = await web.accounts.person(account)
        except AccountError:
            token = ""
    # the account's language when it has one (it follows the person to the 3D clients),
    # else this browser's choice (the cookie), else its locale
    lang = negotiate(request.headers.get("accept-language"), person.lang or request.cookies.get(LANG_COOKIE))
    seed = token or request.cookies.get(PRE_COOKIE, "") or getattr(request.state, "new_pre", "")
    unread = await web.store.inbox.unread_count(person.user_id) if token else 0
    viewer = Viewer(person, token, seed, lang, unread)
    request.state.viewer = viewer
    return viewer


def _marked(dep: Callable[..., Awaitable[Viewer]], action: str) -> Callable[..., Awaitable[Viewer]]:
    dep.action = action  # type: ignore[attr-defined]  # read by route_actions
    return dep


def need(action: str, finder: Finder | None = None) -> Callable[..., Awaitable[Viewer]]:
    """A dependency that lets the request through only if ``can(person, action, resource)``."""

    async def check(request: Request) -> Viewer:
        viewer = await viewer_of(request)
        resource = NOTHING if finder is None else await finder(request, viewer.person)
        decision = can(viewer.person, action, resource)
        if not decision:
            raise Refused(action, decision.reason, viewer)
        return viewer

    return _marked(check, action)


async def _public(request: Request) -> Viewer:
    return await viewer_of(request)


public = _marked(_public, PUBLIC)


def action_of(dependency: Any) -> str | None:
    """The action a dependency of ``need``/``public`` asks (None for other dependencies)."""
    action = getattr(dependency, "action", None)
    return action if isinstance(action, str) else None
