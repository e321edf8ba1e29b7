"""Request protections that apply to every route: body size (413), CSRF (403) and the
pre-session cookie that makes the sign-in form CSRF-protected too."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

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


class BodyLimit:
    """Refuses bodies over ``limit`` bytes with 413: at once when Content-Length says
    so, else as soon as the streamed body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                if not value.isdigit() or int(value) > self.limit:
                    await _too_large(send, self.limit)
                    return
        seen = 0
        over = False

        async def counted() -> Message:
            nonlocal seen, over
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    over = True
                    raise BodyTooLarge(self.limit)
            return message

        async def answer(message: Message) -> None:
            # whatever the app makes of the interrupted body (FastAPI: a 400), the answer is 413
            if not over:
                await send(message)
            elif message["type"] == "http.response.start":
                await _too_large(send, self.limit)

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
