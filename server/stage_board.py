"""The park's stage in the 3D world: the showcase on it, shown in every hall of the park.

For each park the board keeps what its stage shows (``StageState``: the event, its
title, the stream's state and playlist, presenters), read through the ``StageSource``
port (the showcase service; ``NoStages`` until it is wired), and the organizer's
controls over it: the audience's chat muted, the speaker in the spotlight, the
people removed from the event. Everyone in any hall of the park gets the ``stage``
message right after ``joined`` and again, whole, whenever it changes: on the bus hint
``stage.changed`` (``{"park", "event"}``, published when an event or its stream
changes state, in whichever process), and when a control changes it.

Presenters (and the speaker in the spotlight) are seen by everyone in the park,
whatever the view radius and the K-nearest cap: ``tick`` pins their avatars in their
hall's room, and in every other hall puts a stand-in avatar (no seat, no connection)
that mirrors where they stand and what they do.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any, Protocol

from server.bus import Bus, Hint
from server.parks import HostedPark
from server.presence import Presence, Visitor
from server.refusal import Refusal
from world.people import Person
from world.permissions import Resource, can
from world.protocol import messages as M
from world.protocol.codec import encode
from world.protocol.constants import CloseCode, ErrorCode

log = logging.getLogger("cloudpark.stage")

CHANGED = "stage.changed"
CONTROLS = "showcase.*.*.control"  # showcase.<park>.<event>.control: the organizer's controls, to every process
STATES = ("scheduled", "live", "interrupted", "ended")
ON_STAGE = ("scheduled", "live", "interrupted")  # an event people may react to and be removed from
MUTED_CHANNELS = ("near", "park")


@dataclass(frozen=True, slots=True)
class StageState:
    """What a park's stage shows now (from the showcase service)."""

    event: int
    title_zh: str
    title_en: str
    state: str  # STATES
    hls: str = ""  # the stream's playlist: absolute, or a path on the web app (/streams/<event>/live.m3u8)
    starts: int = 0  # Unix seconds
    ends: int = 0
    presenters: tuple[tuple[str, str], ...] = ()  # (account id, name)
    staff: tuple[str, ...] = ()  # account ids of the event's organizer and moderators: they run the controls
    stage: str = "main"

    def title(self, lang: str) -> str:
        first, other = (self.title_en, self.title_zh) if lang == "en" else (self.title_zh, self.title_en)
        return first or other


class StageSource(Protocol):
    """The port the showcase service fills: the event on a park's stage now (None: none)."""

    async def stage_of(self, park_id: str) -> StageState | None: ...


class NoStages:
    """No showcase service wired: every stage is empty."""

    async def stage_of(self, park_id: str) -> StageState | None:
        return None


class Attendance(Protocol):
    """Where the board reports who came into which hall during an event, and when they
    left (the showcase service's attendance: ``ShowcaseService.joined`` / ``left``)."""

    async def joined(self, event_id: int, user: str, instance: str) -> int: ...

    async def left(self, event_id: int, user: str) -> int: ...


class ChatWords(Protocol):
    """The keyword filter on park chat during an event (``ShowcaseService.chat_word``):
    the filtered word in ``text``, or None."""

    async def chat_word(self, park_id: str, text: str) -> str | None: ...


@dataclass
class _Controls:
    event: int = 0
    muted: bool = False
    spotlight: tuple[str, str] | None = None  # (account id, name)
    removed: set[str] = field(default_factory=set)


class _Still:
    """The ``Rng`` of a stand-in's join at a known point: never drawn from."""

    def uniform(self, a: float, b: float) -> float:
        return (a + b) / 2

    def choice(self, seq: Any) -> Any:
        return seq[0]


class StageBoard:
    def __init__(self, parks: dict[str, HostedPark], presence: Presence, source: StageSource, bus: Bus,
                 attendance: Attendance | None = None, words: ChatWords | None = None) -> None:
        self.parks = parks
        self.presence = presence
        self.source = source
        self.attendance = attendance
        self.words = words
        self._tasks: set[asyncio.Task[None]] = set()
        self.bus = bus
        self.source_id = secrets.token_hex(6)  # this process, in the control hints it publishes
        self.states: dict[str, StageState | None] = {}
        self.controls: dict[str, _Controls] = {}
        self.standins: dict[HostedPark, dict[str, int]] = {}  # hall -> account id -> stand-in eid
        self._pinned_parks: set[str] = set()
        self.pushed = 0
        bus.subscribe(CHANGED, self._changed)
        bus.subscribe(CONTROLS, self._control)
        presence.on_leave.append(self._left)

    # --- reading ----------------------------------------------------------------------

    async def read(self, park_id: str) -> StageState | None:
        if park_id not in self.states:
            try:
                state = await self.source.stage_of(park_id)
            except Exception:  # noqa: BLE001 - the stage is a picture: a failed read never fails a join
                log.exception("could not read the stage of park %s", park_id)
                return None
            self._take(park_id, state)
        return self.states.get(park_id)

    def current(self, park_id: str) -> StageState | None:
        return self.states.get(park_id)

    def _take(self, park_id: str, state: StageState | None) -> None:
        if state is not None and state.state not in STATES:
            log.warning("park %s: stage state %r is not one of %s; shown as none", park_id, state.state, STATES)
            state = None
        self.states[park_id] = state
        controls = self.controls.get(park_id)
        event = state.event if state is not None else 0
        if controls is None or controls.event != event:  # another event: its controls start afresh
            self.controls[park_id] = _Controls(event=event)

    def view(self, park_id: str, lang: str) -> M.StageView:
        state = self.states.get(park_id)
        controls = self.controls.get(park_id) or _Controls()
        spot_user, spot_name = controls.spotlight or ("", "")
        if state is None:
            return M.StageView(park=park_id, spotlight=spot_user, spotlight_name=spot_name, muted=controls.muted)
        return M.StageView(park=park_id, stage=state.stage, event=state.event, title=state.title(lang),
                           state=state.state, hls=state.hls, starts=state.starts, ends=state.ends,
                           presenters=[M.Presenter(user=u, name=n) for u, n in state.presenters],
                           spotlight=spot_user, spotlight_name=spot_name, muted=controls.muted)

    async def message(self, park: HostedPark, v: Visitor) -> M.StageView:
        """What a visitor coming into a hall of ``park`` gets (and their attendance, when an
        event is on the stage)."""
        state = await self.read(park.id)
        if state is not None and state.state in ON_STAGE and v.park is not None:
            self._came(state, v, v.park)
        return self.view(park.id, _lang(v))

    # --- attendance (reported off the request: a slow database never holds a visitor up) ---

    def _came(self, state: StageState, v: Visitor, hall: HostedPark) -> None:
        if self.attendance is not None and v.person is not None and v.person.registered:
            instance = "main" if hall.hall == 1 else f"hall {hall.hall}"
            self._later(self.attendance.joined(state.event, v.person.user_id, instance))

    def _left(self, park: HostedPark, v: Visitor, now: float) -> None:
        state = self.states.get(park.id)
        if (self.attendance is not None and state is not None and state.state in ON_STAGE
                and v.person is not None and v.person.registered):
            self._later(self.attendance.left(state.event, v.person.user_id))

    def _later(self, work: Awaitable[Any]) -> None:
        async def run() -> None:
            try:
                await work
            except Exception as exc:  # noqa: BLE001 - e.g. the event just ended: its attendance is closed
                log.info("attendance not recorded: %s", exc)

        try:
            task = asyncio.get_running_loop().create_task(run())
        except RuntimeError:  # no loop (a synchronous test): nothing to report to
            return
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def chat_refusal(self, park: HostedPark, text: str) -> str | None:
        """Why a park chat line is refused during the event on the stage (a filtered word)."""
        state = self.states.get(park.id)
        if self.words is None or state is None or state.state != "live":
            return None
        try:
            word = await self.words.chat_word(park.id, text)
        except Exception:  # noqa: BLE001 - a filter that cannot be read lets the line through (logged)
            log.exception("the keyword filter of park %s could not be read", park.id)
            return None
        if word is None:
            return None
        return f"text: {word!r} is not allowed in the park's chat during the event"

    async def refresh(self, park_id: str) -> None:
        """Re-read the park's stage and show it to everyone in its halls."""
        if park_id not in self.parks:
            return
        self._take(park_id, await self.source.stage_of(park_id))
        self.push(park_id)

    def push(self, park_id: str) -> None:
        frames: dict[str, bytes] = {}
        for visitor in self.presence.in_park(park_id):
            lang = _lang(visitor)
            frame = frames.get(lang)
            if frame is None:
                frame = frames[lang] = encode(self.view(park_id, lang))
            if visitor.peer.push_later(frame):
                self.pushed += 1

    async def _changed(self, subject: str, hint: Hint) -> None:
        park_id = hint.get("park")
        if isinstance(park_id, str):
            await self.refresh(park_id)

    # --- the organizer's controls ------------------------------------------------------

    def finder(self, v: Visitor, msg: Any) -> tuple[Resource, tuple[HostedPark, StageState]]:
        """The event on the stage of the visitor's park (``stage.control``, ``stage.react``):
        the resource names the park and the event's organizer and moderators."""
        if v.park is None:
            raise Refusal(ErrorCode.BAD_STATE, "join a park first")
        main = v.park.main_hall
        state = self.states.get(main.id)
        if state is None or state.state not in ON_STAGE:
            raise Refusal(ErrorCode.NOT_FOUND, f"stage: no event is on the stage of park {main.id} now")
        return Resource(park_id=main.id, users=state.staff), (main, state)

    def runs_event(self, person: Person, park_id: str) -> bool:
        """The event's organizer, a moderator or presenter, the park's staff, an admin."""
        state = self.states.get(park_id)
        if state is None:
            return False
        if person.user_id in state.staff or person.user_id in {u for u, _ in state.presenters}:
            return True
        return bool(can(person, "stage.control", Resource(park_id=park_id, users=state.staff)))

    def _publish(self, park_id: str, **change: Any) -> None:
        """The organizer's change to the other world server processes (halls of this park
        may live there): ``showcase.<park>.<event>.control``."""
        event = (self.controls.get(park_id) or _Controls()).event
        self.bus.publish(f"showcase.{park_id}.{event}.control",
                         {"park": park_id, "event": event, "source": self.source_id, **change})

    def set_muted(self, park_id: str, muted: bool, *, tell: bool = True) -> None:
        self.controls.setdefault(park_id, _Controls()).muted = muted
        self.push(park_id)
        if tell:
            self._publish(park_id, muted=muted)

    def set_spotlight(self, park_id: str, who: tuple[str, str] | None, *, tell: bool = True) -> None:
        self.controls.setdefault(park_id, _Controls()).spotlight = who
        self.push(park_id)
        if tell:
            self._publish(park_id, spotlight=list(who) if who is not None else [])

    async def _control(self, subject: str, hint: Hint) -> None:
        """Another process's organizer control, applied to this process's halls."""
        park_id, event = hint.get("park"), hint.get("event")
        if hint.get("source") == self.source_id or not isinstance(park_id, str) or not isinstance(event, int):
            return
        controls = self.controls.get(park_id)
        if controls is None or controls.event != event:
            state = self.states.get(park_id)
            if state is not None and state.event != event:
                return  # about an event no longer (or not yet) on this park's stage here
            controls = self.controls[park_id] = _Controls(event=event)
        if isinstance(hint.get("muted"), bool):
            self.set_muted(park_id, hint["muted"], tell=False)
        spot = hint.get("spotlight")
        if isinstance(spot, list):
            ok = len(spot) == 2 and all(isinstance(x, str) for x in spot)
            self.set_spotlight(park_id, (spot[0], spot[1]) if ok else None, tell=False)
        removed = hint.get("removed")
        if isinstance(removed, str) and removed:
            reason = hint.get("reason")
            self.remove(park_id, removed, reason if isinstance(reason, str) else "", tell=False)

    def hushed(self, park: HostedPark, person: Person, channel: str) -> str | None:
        """Why ``person`` may not chat on ``channel`` in ``park`` now (None: they may)."""
        controls = self.controls.get(park.id)
        if controls is None or not controls.muted or channel not in MUTED_CHANNELS:
            return None
        if self.runs_event(person, park.id):
            return None
        return f"chat: the organizer has muted the audience's {channel} chat during the event; booth chat stays open"

    def remove(self, park_id: str, user: str, reason: str, *, tell: bool = True) -> int:
        """Close every connection of ``user`` in the park's halls with 4008 (its avatar
        leaves, no resume) and keep them out while this event is on the stage; how many
        connections and held avatars went in this process (the others hear it on the bus
        and do the same in theirs)."""
        controls = self.controls.setdefault(park_id, _Controls())
        controls.removed.add(user)
        if tell:
            self._publish(park_id, removed=user, reason=reason[:200])
        if controls.spotlight is not None and controls.spotlight[0] == user:
            self.set_spotlight(park_id, None, tell=tell)
        text = "removed from the event by its organizer" + (f": {reason}" if reason else "")
        gone = 0
        for visitor in self.presence.of_user(user):
            if visitor.park is None or visitor.park.id != park_id:
                continue
            gone += 1
            held = visitor.resume_token in self.presence.holds
            if held:
                self.presence.release_hold(visitor.resume_token, 0.0)
            else:
                self.presence.forget_resume(visitor)
                visitor.peer.bye(CloseCode.KICKED, text)
        return gone

    def barred(self, park: HostedPark, person: Person) -> str | None:
        """Why ``person`` may not come into ``park`` now: removed from the event on its stage."""
        controls = self.controls.get(park.id)
        state = self.states.get(park.id)
        if controls is None or state is None or person.user_id not in controls.removed:
            return None
        if state.state not in ON_STAGE or controls.event != state.event:
            return None
        return f"park: you were removed from the event on the stage of park {park.id}; come back after it"

    # --- presenters seen by everyone -------------------------------------------------------

    def pinned_users(self, park_id: str) -> dict[str, str]:
        state = self.states.get(park_id)
        users = dict(state.presenters) if state is not None and state.state in ON_STAGE else {}
        spot = (self.controls.get(park_id) or _Controls()).spotlight
        if spot is not None:
            users[spot[0]] = spot[1]
        return users

    def tick(self, now: float) -> None:
        """Pin the presenters' avatars in their hall's room; mirror them into the other
        halls as stand-ins (the ticker calls this before the snapshots)."""
        for park_id in list(self._pinned_parks | {p for p in self.states if self.pinned_users(p)}):
            main = self.parks.get(park_id)
            if main is None:
                self._pinned_parks.discard(park_id)
                continue
            users = self.pinned_users(park_id)
            self._pin_park(main, users)
            if users:
                self._pinned_parks.add(park_id)
            else:
                self._pinned_parks.discard(park_id)

    def _pin_park(self, main: HostedPark, users: dict[str, str]) -> None:
        halls = main.halls()
        for gone in [h for h in self.standins if h.id == main.id and h not in halls]:
            del self.standins[gone]  # the hall closed, its room with it
        sources: dict[str, tuple[HostedPark, int]] = {}
        for hall in halls:
            for eid, visitor in (*hall.clients.items(), *hall.held.items()):
                who = visitor.person
                if who is not None and who.user_id in users and who.user_id not in sources:
                    sources[who.user_id] = (hall, eid)
        for hall in halls:
            mine = self.standins.setdefault(hall, {})
            pins = [eid for user, (h, eid) in sources.items() if h is hall]
            for user in [u for u in mine if u not in sources or sources[u][0] is hall]:
                eid = mine.pop(user)
                if eid in hall.room:
                    hall.room.leave(eid)
            for user, (src, src_eid) in sources.items():
                if src is hall:
                    continue
                av = src.room.avatars[src_eid]
                known = mine.get(user)
                if known is None or known not in hall.room:
                    known = mine[user] = hall.room.join(
                        Person(user_id=user, name=av.name, role=av.role, color=av.color), None, _Still(),
                        at=(av.x, av.y, av.yaw))
                    hall.room.detach(known)
                hall.room.mirror(known, av.x, av.y, av.yaw, int(av.shown_anim))
                pins.append(known)
            if tuple(sorted(pins)) != hall.room.pinned:
                hall.room.pin(pins)


def _lang(v: Visitor) -> str:
    return v.person.lang if v.person is not None and v.person.lang == "en" else "zh"
