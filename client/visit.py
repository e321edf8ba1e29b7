"""A visitor's view of the world, fed by server messages: the client's pure core.

No Panda3D, no sockets, no clocks: ``handle(msg, now)`` takes a decoded server
message, ``tick(...)`` one simulation tick of intent; both return the messages to
send. The Panda3D scene (``client.app``) only draws what this holds, and the network
thread (``client.link``) only moves bytes, so everything here is testable directly.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from client.interpolation import Crowd
from client.prediction import Pose, Predictor, Step
from client.texts import Notice, Ref
from world.geometry import point_in_ring
from world.i18n import DEFAULT_LANG, LANGS
from world.layout import ParkLayout
from world.protocol import messages as M
from world.protocol.constants import PROTOCOL_VERSION, CloseCode, ErrorCode
from world.protocol.quantize import pos_from_wire, yaw_from_wire

CHAT_LINES = 50
JOIN_WAIT = 1.5  # seconds to wait for the server to re-seat a resumed session before asking
SPACE_REFRESH_S = 60.0  # in a zone with a booking whose check-in has not opened: `space_slots` again this often
ERROR_CODES = frozenset(c.value for c in ErrorCode)
CLOSE_CODES = frozenset(int(c) for c in CloseCode)
CODE_RID = 0xC0DE  # the request id of a code_login (the server's answer or refusal carries it)
# A refused sign-in code: the server's reason (``code: ...``, server.desks.front.CODE_REFUSALS)
# read into the catalogue's words; the rate limit comes as its own error code.
CODE_REASONS = (("already used", "used"), ("expired", "expired"), ("unknown", "unknown"))


def code_reason(err: M.Error) -> str:
    """The catalogue key saying why the server refused a sign-in code."""
    if err.code == ErrorCode.RATE_LIMITED.value:
        return "client.code.why.rate_limited"
    text = err.msg.lower()
    for words, why in CODE_REASONS:
        if words in text:
            return f"client.code.why.{why}"
    return f"client.error.{err.code}" if err.code in ERROR_CODES else "client.error.unknown"


@dataclass(slots=True)
class ChatEntry:
    ch: str
    name: str
    text: str


@dataclass(slots=True)
class Visit:
    """Everything the client knows about its session and the park it is in."""

    name: str
    want_park: str | None = None
    color: int | None = None
    spawn: str | None = None  # spawn point for the first join (None: the server picks)
    status: str = "connecting"  # connecting | online | reconnecting | offline
    lang: str = DEFAULT_LANG  # the interface language: the account's once a session says so
    welcome: M.Welcome | None = None
    session: M.Session | None = None
    parks: list[M.ParkInfo] = field(default_factory=list)
    joined: M.Joined | None = None
    layout: ParkLayout | None = None
    predictor: Predictor | None = None
    crowd: Crowd | None = None
    booths: dict[str, M.BoothSummary] = field(default_factory=dict)
    booth: M.BoothView | None = None
    spaces: dict[str, M.SpaceState] = field(default_factory=dict)  # layout space id -> free/taken now
    at_kiosk: bool = False  # the avatar stands on the policy kiosk's zone
    kiosk: dict[str, Any] | None = None  # the kiosk's answer while it does (docs/protocol.md, `kiosk`)
    space_zone: str | None = None  # the bookable space's zone the avatar stands in
    space_offer: M.SpaceSlotList | None = None  # its free times (`space_slots`), while it does
    space_result: M.SpaceBooked | None = None  # what came of the last `space_book` there
    space_refusal: str = ""  # why it cannot be booked: "guest", else the rule's reason
    space_check: M.SpaceCheckedIn | None = None  # what came of the last `space_check_in` there
    space_asked_at: float = 0.0  # when `space_slots` was last asked (client time)
    chat: deque[ChatEntry] = field(default_factory=lambda: deque(maxlen=CHAT_LINES))
    notices: deque[Notice] = field(default_factory=lambda: deque(maxlen=8))
    unread: int = 0  # the inbox's unread notifications (the last `notice` said)
    code: str = ""  # a sign-in code's way: "" (none) | "sending" | "refused" | "done"
    code_why: str = ""  # the catalogue key of the last refusal (the sign-in panel shows it)
    requests: dict[int, str] = field(default_factory=dict)
    emote: str = "none"
    next_seq: int = 1  # input sequence numbers never restart within a run of the client
    _next_id: int = 1
    _join_at: float | None = None
    snaps: int = 0

    # --- what the scene asks -------------------------------------------------------

    @property
    def tick_dt(self) -> float:
        return 1.0 / (self.welcome.tick_rate if self.welcome else 20)

    @property
    def in_park(self) -> bool:
        return self.joined is not None and self.predictor is not None

    def online(self) -> int:
        park = self.joined.park if self.joined else self.want_park
        return next((p.online for p in self.parks if p.id == park), 0)

    @property
    def signed_in(self) -> bool:
        """An account (not a guest): its language is stored on the server."""
        return self.session is not None and self.session.user.role != "guest"

    def park_info(self, park_id: str) -> M.ParkInfo | None:
        return next((p for p in self.parks if p.id == park_id), None)

    def booth_zone_at(self, x: float, y: float) -> str | None:
        """The booth whose visiting zone holds (x, y), from the layout (for the HUD hint)."""
        if self.layout is None:
            return None
        for b in self.layout.booths:
            if point_in_ring((x, y), b.zone):
                return b.id
        return None

    def kiosk_step(self, x: float, y: float) -> M.Kiosk | None:
        """Stepping onto the policy kiosk's zone asks for the enterprise's policies;
        stepping off forgets them. Call with the avatar's position each frame."""
        kiosk = self.layout.kiosk if self.layout is not None and self.in_park else None
        inside = kiosk is not None and point_in_ring((x, y), kiosk.zone)
        if inside == self.at_kiosk:
            return None
        self.at_kiosk = inside
        if not inside:
            self.kiosk = None
            return None
        return M.Kiosk(id=self._rid("kiosk"))

    def space_step(self, x: float, y: float, now: float | None = None) -> M.SpaceSlots | None:
        """Walking into a bookable space's zone asks for its free times; walking out
        forgets them. Call with the avatar's position (and the client's time) each frame:
        standing in the zone with a booking there whose check-in has not opened yet, it
        asks again every ``SPACE_REFRESH_S`` (so the panel offers check-in once it opens)."""
        zone: str | None = None
        space = 0
        if self.layout is not None and self.joined is not None and self.layout.park_id == self.joined.park:
            for z in self.layout.spaces:
                item = self.spaces.get(z.id)
                if item is not None and item.space and point_in_ring((x, y), z.footprint):
                    zone, space = z.id, item.space
                    break
        if zone == self.space_zone:
            return self._space_refresh(now)
        self.space_zone, self.space_offer, self.space_result, self.space_refusal = zone, None, None, ""
        self.space_check = None
        if zone is None:
            return None
        self.space_asked_at = now if now is not None else 0.0
        return M.SpaceSlots(space=space, id=self._rid("space_slots"))

    def _space_refresh(self, now: float | None) -> M.SpaceSlots | None:
        offer = self.space_offer
        if now is None or offer is None or self.space_result is not None or self.space_check is not None:
            return None
        if now - self.space_asked_at < SPACE_REFRESH_S or not any(
                b.state == "confirmed" and not b.open for b in offer.mine):
            return None
        self.space_asked_at = now
        return M.SpaceSlots(space=offer.space, id=self._rid("space_slots"))

    def space_choices(self) -> list[M.FreeSlot]:
        """The times the number keys book now: the alternatives after "just taken", else the offer's."""
        if self.space_result is not None and self.space_result.outcome == "refused":
            return list(self.space_result.alternatives)
        return list(self.space_offer.slots) if self.space_offer is not None and self.space_result is None else []

    def book_slot(self, n: int) -> M.SpaceBook | None:
        """Book the ``n``-th (1-based) of ``space_choices``."""
        choices = self.space_choices()
        if self.space_offer is None or not 1 <= n <= len(choices):
            return None
        slot = choices[n - 1]
        self.space_result = None
        return M.SpaceBook(space=self.space_offer.space, start=slot.start, minutes=slot.minutes,
                           id=self._rid("space_book"))

    def check_in(self) -> M.SpaceCheckIn | None:
        """Check in to the first of your bookings of this space whose check-in is open
        (``space_slots``' ``mine``); None when there is none."""
        offer = self.space_offer
        mine = next((b for b in offer.mine if b.open), None) if offer is not None and self.space_check is None else None
        if offer is None or mine is None:
            return None
        return M.SpaceCheckIn(space=offer.space, booking=mine.booking, id=self._rid("space_check_in"))

    # --- requests ------------------------------------------------------------------

    def _rid(self, what: str) -> int:
        rid = self._next_id
        self._next_id += 1
        self.requests[rid] = what
        return rid

    def hello(self, resume: str | None) -> M.Hello:
        return M.Hello(v=PROTOCOL_VERSION, client="cloudpark-panda3d", resume=resume)

    def guest(self) -> M.Guest:
        return M.Guest(name=self.name, color=self.color, id=self._rid("guest"))

    def join(self, park: str) -> M.Join:
        self.want_park = park
        self.joined = None
        self.predictor = None
        self.booth = None
        if self.crowd is not None:
            self.crowd.clear()
        spawn, self.spawn = self.spawn, None  # only the first join asks for a spawn point
        return M.Join(park=park, spawn=spawn, id=self._rid("join"))

    def list_parks(self) -> M.ListParks:
        return M.ListParks(id=self._rid("parks"))

    def like(self) -> M.Like | None:
        return M.Like(booth=self.booth.id, id=self._rid("like")) if self.booth else None

    def card(self, name: str, consent: bool, company: str = "", email: str = "",
             phone: str = "", message: str = "") -> M.Card | None:
        """A business card for the open booth; None (nothing sent) without consent."""
        if self.booth is None or not consent or not name.strip():
            return None
        return M.Card(booth=self.booth.id, name=name.strip(), consent=True, company=company,
                      email=email, phone=phone, message=message, id=self._rid("card"))

    def say(self, ch: str, text: str) -> M.Chat | None:
        text = text.strip()
        if not text:
            return None
        booth = self.booth.id if ch == "booth" and self.booth else None
        if ch == "booth" and booth is None:
            ch = "near"
        return M.Chat(ch=ch, text=text[:500], booth=booth, id=self._rid("chat"))

    def use_code(self, typed: str) -> str | None:
        """A one-time code typed into the sign-in panel: what the link signs in with
        (``Link.sign_in_with_code``), or None when nothing was typed (the panel says so)."""
        code = " ".join(typed.split())
        if not code:
            self.code, self.code_why = "refused", "client.code.why.empty"
            return None
        if len(code) > 64:
            self.code, self.code_why = "refused", "client.code.why.unknown"
            return None
        self.code, self.code_why = "sending", ""
        return code

    def switch_lang(self, lang: str | None = None) -> M.SetLang | None:
        """Show the interface in ``lang`` (default: the other language). A signed-in person's
        choice is stored on the account (``set_lang``: the web and the other client follow);
        a guest's stays in this client."""
        new = lang if lang in LANGS else LANGS[(LANGS.index(self.lang) + 1) % len(LANGS)]
        assert new is not None
        self.lang = new
        return M.SetLang(lang=new, id=self._rid("set_lang")) if self.signed_in else None

    def set_emote(self, name: str) -> M.Emote:
        self.emote = name
        return M.Emote(e=name)

    # --- time ----------------------------------------------------------------------

    def tick(self, mx: float, my: float, yaw: float, run: bool) -> M.Input | None:
        """One simulation tick of intent: predicted at once, returned for sending."""
        if self.predictor is None:
            return None
        inp = self.predictor.apply(mx, my, yaw, run)
        self.next_seq = self.predictor.next_seq
        return inp

    def update(self, now: float) -> list[msgspec.Struct]:
        """Timers: re-ask to join if a resumed session was not re-seated."""
        if self._join_at is not None and now >= self._join_at and self.joined is None and self.want_park:
            self._join_at = None
            return [self.join(self.want_park)]
        return []

    # --- server messages -------------------------------------------------------------

    def handle(self, msg: msgspec.Struct, now: float, step_for: Callable[[ParkLayout], Step | None] | None = None
               ) -> list[msgspec.Struct]:
        """Apply one server message; returns the messages to send in answer."""
        out: list[msgspec.Struct] = []
        if isinstance(msg, M.SnapView):
            self._snap(msg, now)
        elif isinstance(msg, M.Welcome):
            self.welcome = msg
        elif isinstance(msg, M.Session):
            self.session = msg
            self.status = "online"
            if self.code == "sending" and msg.user.role != "guest":  # the code was taken: this person now
                self.code, self.code_why = "done", ""
                self.notices.append(Notice.of("client.code.welcome", name=msg.user.name))
            if msg.lang in LANGS:  # the account's choice follows the person
                self.lang = msg.lang
            if self.joined is not None and not msg.re and not msg.resumed:
                return out  # refreshed while in a park (the account changed): the avatar stays
            out.append(self.list_parks())
            if self.want_park:
                if msg.resumed and msg.park == self.want_park:
                    self._join_at = now + JOIN_WAIT
                else:
                    out.append(self.join(self.want_park))
        elif isinstance(msg, M.Parks):
            self.parks = msg.parks
        elif isinstance(msg, M.Joined):
            if self.joined is None or self.joined.park != msg.park:
                self.spaces = {}  # another park's zones (its own come right after)
            self.at_kiosk, self.kiosk = False, None
            self.space_zone, self.space_offer, self.space_result, self.space_refusal = None, None, None, ""
            self.space_check = None
            self.joined = msg
            self.want_park = msg.park
            self._join_at = None
            self.booths = {b.id: b for b in msg.booths}
            self.crowd = Crowd(self.tick_dt)
            self.predictor = None  # built once the scene's layout is known
            if self.layout is not None and self.layout.park_id == msg.park and step_for is not None:
                step = step_for(self.layout)
                if step is not None:
                    self.seat(step)
        elif isinstance(msg, M.Booth):
            self.booth = msg.booth
            self.booths[msg.booth.id] = M.BoothSummary(
                msg.booth.id, msg.booth.content.name, msg.booth.owner, msg.booth.likes)
        elif isinstance(msg, M.Spaces):
            if self.joined is not None and msg.park == self.joined.park:
                self.spaces = {i.id: i for i in msg.items}
        elif isinstance(msg, M.SpaceSlotList):
            if self.requests.pop(msg.re, "") == "space_slots" and self.space_zone is not None:
                self.space_offer = msg
        elif isinstance(msg, M.SpaceBooked):
            if self.requests.pop(msg.re, "") == "space_book" and self.space_zone is not None:
                self.space_result = msg
        elif isinstance(msg, M.SpaceCheckedIn):
            if self.requests.pop(msg.re, "") == "space_check_in" and self.space_zone is not None:
                self.space_check = msg
        elif isinstance(msg, M.Error) and self.requests.get(msg.re) == "space_check_in":
            self.requests.pop(msg.re)
            if self.space_zone is not None:  # e.g. not standing in the zone: the server's words
                self.space_check = M.SpaceCheckedIn(re=msg.re, space=0, booking=0, outcome="refused",
                                                    problems=[M.Problem(code=msg.code, field="", message=msg.msg)])
        elif isinstance(msg, M.Error) and self.requests.get(msg.re) == "space_slots":
            self.requests.pop(msg.re)
            if self.space_zone is not None:
                guest = self.session is not None and self.session.user.role == "guest"
                self.space_refusal = "guest" if guest and msg.code == ErrorCode.NOT_ALLOWED else msg.msg
        elif isinstance(msg, M.BoothExit):
            if self.booth is not None and self.booth.id == msg.booth:
                self.booth = None
        elif isinstance(msg, M.ChatLine):
            self.chat.append(ChatEntry(msg.ch, msg.name, msg.text))
        elif isinstance(msg, M.Ok):
            what = self.requests.pop(msg.re, "")
            if what == "like" and self.booth is not None:
                self.booth.liked = True
                self.booth.likes += 1
                self.notices.append(Notice.of("client.notice.liked"))
            elif what == "card":
                self.notices.append(Notice.of("client.notice.card_left"))
            elif what == "kiosk" and self.at_kiosk and isinstance(msg.data, dict):
                self.kiosk = msg.data
        elif isinstance(msg, M.Error) and msg.re == CODE_RID:  # the code refused: a guest still
            self.code, self.code_why = "refused", code_reason(msg)
            self.notices.append(Notice.of("client.code.refused", reason=Ref(self.code_why)))
        elif isinstance(msg, M.Error):
            what = self.requests.pop(msg.re, "request")
            why = f"client.error.{msg.code}" if msg.code in ERROR_CODES else "client.error.unknown"
            self.notices.append(Notice.of("client.notice.failed", what=Ref(f"client.request.{what}"), why=Ref(why),
                                          detail=msg.msg))
        elif isinstance(msg, M.Notice):  # from the inbox (rendered by the server in the account's language)
            self.unread = msg.unread
            self.notices.append(Notice.of("client.notice.inbox", title=msg.title or msg.title_key,
                                          body=msg.body or msg.body_key, n=msg.unread))
        elif isinstance(msg, M.Bye):
            why = f"client.close.{msg.code}" if msg.code in CLOSE_CODES else "client.close.unknown"
            self.notices.append(Notice.of("client.notice.bye", why=Ref(why), detail=msg.reason))
        return out

    def seat(self, step: Step) -> None:
        """Start predicting from the joined position, with the park's movement step."""
        assert self.joined is not None
        j = self.joined
        pose = Pose(pos_from_wire(j.x), pos_from_wire(j.y), yaw_from_wire(j.yaw))
        self.predictor = Predictor(step, pose, self.tick_dt, first_seq=self.next_seq)

    def _snap(self, msg: M.SnapView, now: float) -> None:
        self.snaps += 1
        if self.crowd is not None:
            self.crowd.snapshot(msg.k, now, msg.e, msg.u, msg.l)
        if self.predictor is not None:
            px, py, pyaw = msg.p
            self.predictor.reconcile(msg.a, Pose(pos_from_wire(px), pos_from_wire(py), yaw_from_wire(pyaw)))

    def disconnected(self) -> None:
        self.status = "reconnecting"
        self.joined = None
        self.predictor = None
        if self.crowd is not None:
            self.crowd.clear()


def move_direction(forward: float, right: float, camera_heading: float) -> tuple[float, float]:
    """Keys (forward/back, right/left in -1..1) to a world-frame direction, camera-relative.

    ``camera_heading``: the direction the camera looks, radians CCW from +x (east).
    """
    if forward == 0.0 and right == 0.0:
        return 0.0, 0.0
    c, s = math.cos(camera_heading), math.sin(camera_heading)
    mx = forward * c + right * s
    my = forward * s - right * c
    n = math.hypot(mx, my)
    return (mx / n, my / n) if n > 1.0 else (mx, my)
