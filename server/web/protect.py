"""Request protections that apply to every route: body size (413), CSRF (403) and the
pre-session cookie that makes the sign-in form CSRF-protected too."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.web.guard import viewer_of, web_of
from server.web.sessions import CSRF_FIELD, CSRF_HEADER, PRE_COOKIE, UNSAFE_METHODS, new_pre_session

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


class CsrfRefused(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Larger:
    """A route (``path`` a full-match pattern) that takes bodies up to ``limit`` bytes,
    an upload, and answers a larger one with ``page`` (a clear page, still a 413)."""

    path: re.Pattern[str]
    limit: int
    page: Callable[[Scope, int], Awaitable[Response]]


class BodyLimit:
    """Refuses bodies over ``limit`` bytes with 413: at once when Content-Length says
    so, else as soon as the streamed body passes the limit. Routes in ``larger`` have
    a larger limit of their own (still bounded) and their own 413 page."""

    def __init__(self, app: ASGIApp, limit: int, larger: Sequence[Larger] = ()) -> None:
        self.app, self.limit, self.larger = app, limit, tuple(larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = next((r for r in self.larger if r.path.fullmatch(scope.get("path", ""))), None)
        limit = route.limit if route is not None else self.limit

        async def refuse(send: Send) -> None:
            if route is None:
                await _too_large(send, limit)
                return
            page = await route.page(scope, limit)
            page.headers["connection"] = "close"
            await page(scope, receive, send)

        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit() or int(value) > limit:
                    await refuse(send)
                    return
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    raise BodyTooLarge(limit)
            return message

        async def answer(message: Message) -> None:
            # whatever the app makes of the interrupted body (FastAPI: a 400), the answer is 413
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await refuse(send)

        await self.app(scope, counted, answer)


async def _too_large(send: Send, limit: int) -> None:
    body = f'{{"detail":"request body too large: at most {limit} bytes"}}'.encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def check_csrf(request: Request) -> None:
    """Every unsafe method carries the session's CSRF token (form field ``csrf`` or the
    ``X-CSRF-Token`` header)."""
    if request.method not in UNSAFE_METHODS:
        return
    viewer = await viewer_of(request)
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.headers.get("content-type", "").startswith(FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    if not web_of(request).csrf.check(viewer.seed, given):
        raise CsrfRefused()


async def pre_session(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """A browser without one gets a random pre-session cookie: its CSRF seed while it is
    signed out (or holds a session cookie that was revoked)."""
    fresh = not request.cookies.get(PRE_COOKIE)
    if fresh:
        request.state.new_pre = new_pre_session()
    response = await call_next(request)
    if fresh:
        response.set_cookie(PRE_COOKIE, request.state.new_pre, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")
    return response
