"""The booking pages: the employee's "find a free space and book it in one click"
(phone first) and "my bookings" (check-in code as QR, calendar file, cancel, accept an
offer); the park office's spaces (add, edit with its rules, retire), the day's
bookings (approve, decline, cancel with a reason) and the check-in scanner (the
browser's BarcodeDetector on the camera when there is one, typing the code always)."""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from server.bookings.calendar import qr_svg
from server.bookings.codes import shown
from server.bookings.service import BookingRefused, BookingService
from server.bookings.spec import from_json, rules_of, to_json
from server.bookings.venues import sync_park, with_venue
from server.db.catalogue import CatalogueConflict
from server.db.spaces import Space
from server.park_reload import CHANGED as PARK_CHANGED
from server.web.booking_api import (
    Day,
    booking_resource,
    bookings_of,
    by_office,
    code_resource,
    space_resource,
)
from server.web.booking_words import refusal_text
from server.web.guard import Viewer, need, web_of
from server.web.parks import park_titles
from server.web.render import render
from world.bookings.ledger import check_in_window
from world.bookings.rules import AUDIENCES, Opening, RuleError
from world.catalogue import VENUE_KINDS, CatalogueError
from world.people import Person
from world.permissions import Resource

log = logging.getLogger("cloudpark.web")
router = APIRouter(prefix="/console", include_in_schema=False)
HOLDING = ("confirmed", "checked_in", "pending", "offered")
Employee = Annotated[Viewer, Depends(need("console.employee"))]
ParkConsole = Annotated[Viewer, Depends(need("console.park"))]
BookingId = Annotated[int, Path(ge=1, le=2**62)]
SpaceId = Annotated[int, Path(ge=1, le=2**62)]
Clock = Annotated[str, Form(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


def _local(service: BookingService, moment: float) -> datetime:
    return datetime.fromtimestamp(moment, UTC).astimezone(service.tz)


def _start(service: BookingService, day: date, hhmm: str, minutes: int) -> tuple[datetime, datetime]:
    hour, minute = (int(x) for x in hhmm.split(":"))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=service.tz).astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


async def _problems(request: Request, viewer: Viewer, exc: BookingRefused, space_id: int = 0,
                    day: date | None = None) -> list[str]:
    """Each refusal in the person's language (``booking.refusal.<code>``), the figures from
    the rules of space ``space_id`` (0: none known), ``day`` the local day asked for."""
    web = web_of(request)
    space = await web.store.spaces.get(space_id) if space_id else None
    try:
        rules = rules_of(space) if space is not None else None
    except ValueError:
        rules = None
    return [refusal_text(web.texts, viewer.lang, p, rules, day) for p in exc.problems]


# --- the employee: find and book -----------------------------------------------------------


async def _find(request: Request, viewer: Viewer, *, day: date, start: str, minutes: int, people: int,
                park: str, kind: str, status: int = 200, errors: list[str] | None = None, only: int = 0,
                roll: int = 0, until: str = "", equipment: str = "", building: str = "") -> HTMLResponse:
    service = bookings_of(request)
    t = web_of(request).texts.translate
    errors = list(errors or [])
    after = _minutes(start) if start else 0
    before = _minutes(until) if until else 24 * 60
    if until and before < after + minutes:
        errors.append(t(viewer.lang, "booking.refusal.until", until=until, start=start or "00:00", minutes=minutes))
    wanted = [e.strip() for e in equipment.split(",") if e.strip()][:20]
    # "near me": the same building first, then the same park (the person's enterprise's park; a building
    # is known only when the person names theirs on the form: nothing else records one)
    booker = await service.booker_of(viewer.person)
    home = booker[1] or min(viewer.person.parks, default="")
    buildings = sorted({s.building for s in await web_of(request).store.spaces.of_park(home) if s.building}) \
        if home else []
    building = building if building in buildings else ""
    hits = await service.search(day=day, minutes=minutes, park_id=park or None, kind=kind or None, people=people,
                                equipment=wanted, after_minute=after, before_minute=before,
                                near=(home, building) if home else None, booker=booker,
                                limit=2000 if only else 30)
    if only:
        hits = [h for h in hits if h[0].id == only]
    results = [{"space": s, "starts": _shown_starts([x.astimezone(service.tz) for x in starts])} for s, starts in hits]
    if roll > 0 and only and not any(r["starts"] for r in results):  # none left that day: the next day with some
        return await _find(request, viewer, day=day + timedelta(days=1), start=start, minutes=minutes, people=people,
                           park=park, kind=kind, status=status, errors=errors, only=only, roll=roll - 1,
                           until=until, equipment=equipment, building=building)
    names = await park_titles(web_of(request), viewer.lang)
    parks = sorted({p.id for p in web_of(request).catalogue}, key=lambda p: names.get(p, p))
    return render(request, viewer, "booking_find.html", status=status, console="employee", results=results,
                  day=day, start=start, minutes=minutes, people=people, park=park, kind=kind, parks=parks,
                  park_names=names, kinds=VENUE_KINDS, errors=errors,
                  until=until, equipment=equipment, building=building, buildings=buildings, home=home,
                  today=_local(service, service.clock.now()).date())


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def _shown_starts(starts: list[datetime], count: int = 8) -> list[datetime]:
    """A phone-sized row of buttons: the free starts on the half hour first."""
    half = [s for s in starts if s.minute % 30 == 0]
    return (half or starts)[:count]


@router.get("/employee/spaces", response_class=HTMLResponse)
async def find(request: Request, viewer: Employee, day: Annotated[Day | None, Query()] = None,
               start: Annotated[str, Query(pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")] = "",
               minutes: Annotated[int, Query(ge=15, le=24 * 60)] = 60,
               people: Annotated[int, Query(ge=1, le=10_000)] = 1,
               park: Annotated[str, Query(max_length=64)] = "",
               kind: Annotated[str, Query(max_length=32)] = "",
               space: Annotated[int, Query(ge=0, description="only this space (a zone tapped in the 3D park)")] = 0,
               until: Annotated[str, Query(pattern=r"^(([01]\d|2[0-3]):[0-5]\d)?$")] = "",
               equipment: Annotated[str, Query(max_length=500)] = "",
               building: Annotated[str, Query(max_length=120)] = "",
               ) -> Response:
    service = bookings_of(request)
    # a zone tapped in the 3D park late in the day: show the next day that still has free times (up to a week)
    return await _find(request, viewer, day=day or _local(service, service.clock.now()).date(), start=start or "09:00",
                       minutes=minutes, people=people, park=park, kind=kind, only=space,
                       roll=7 if space and day is None else 0, until=until, equipment=equipment, building=building)


@router.post("/employee/spaces/book", response_class=HTMLResponse)
async def book(request: Request, viewer: Annotated[Viewer, Depends(need("booking.make", space_resource))],
               space: Annotated[int, Form(ge=1, le=2**62)], day: Annotated[Day, Form()], start: Clock,
               minutes: Annotated[int, Form(ge=15, le=24 * 60)] = 60,
               people: Annotated[int, Form(ge=1, le=10_000)] = 1,
               for_user: Annotated[str, Form(max_length=64)] = "",
               waitlist: Annotated[str, Form(max_length=1)] = "",
               csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    service = bookings_of(request)
    begin, end = _start(service, day, start, minutes)
    try:
        if waitlist:
            await service.wait(viewer.person, space, begin, end, people, for_user=for_user or None)
            return RedirectResponse("/console/employee/bookings?waiting=1", status_code=303)
        row = await service.book(viewer.person, space, begin, end, people, for_user=for_user or None)
    except BookingRefused as exc:
        return await _taken(request, viewer, exc, space, begin, end, minutes=minutes, people=people)
    return RedirectResponse(f"/console/employee/bookings?done={row.id}", status_code=303)


async def _taken(request: Request, viewer: Viewer, exc: BookingRefused, space_id: int, begin: datetime,
                 end: datetime, *, minutes: int, people: int) -> HTMLResponse:
    """The answer to a refused one-click booking, phone-sized: "just taken" (or the rule
    broken) in the person's language, the nearest free times of the space that was
    tapped as one-click buttons (and its waitlist), then at most three other free spaces
    of its kind near the person at the time asked for, and a link to search again."""
    service = bookings_of(request)
    web = web_of(request)
    space = await web.store.spaces.get(space_id)
    if space is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    try:
        rules = rules_of(space)
    except ValueError:
        rules = None
    local, local_end = begin.astimezone(service.tz), end.astimezone(service.tz)
    errors = [refusal_text(web.texts, viewer.lang, p, rules, local.date()) for p in exc.problems]
    booker = await service.booker_of(viewer.person)
    home = booker[1] or min(viewer.person.parks, default="")
    after = local.hour * 60 + local.minute
    hits = await service.search(day=local.date(), minutes=minutes, kind=space.kind, people=people,
                                after_minute=after, before_minute=after + minutes,
                                near=(home, space.building if space.park_id == home else "") if home else None,
                                booker=booker, limit=4)
    others = [{"space": s, "start": starts[0].astimezone(service.tz)} for s, starts in hits if s.id != space.id][:3]
    return render(request, viewer, "booking_taken.html", status=409 if exc.taken else 422, console="employee",
                  space=space, begin=local, end=local_end, minutes=minutes, people=people, errors=errors,
                  taken=exc.taken, alternatives=[a.astimezone(service.tz) for a in exc.alternatives],
                  others=others, park_names=await park_titles(web, viewer.lang))


@router.get("/employee/bookings", response_class=HTMLResponse)
async def my_bookings(request: Request, viewer: Employee, done: Annotated[int, Query(ge=0)] = 0,
                      waiting: Annotated[int, Query(ge=0, le=1)] = 0,
                      checked: Annotated[int, Query(ge=0, description="a booking just checked in")] = 0) -> Response:
    return await _mine(request, viewer, done=done, waiting=waiting, checked=checked)


def _check_in_window(space: Space | None, row: Any) -> tuple[float, float]:
    """When ``row`` may be checked in (the service's rule); never for a space whose rules are broken."""
    try:
        grace = rules_of(space).check_in_grace_minutes if space is not None else None
    except ValueError:
        grace = None
    return check_in_window(row.start, grace) if grace is not None else (float("inf"), float("-inf"))


async def _mine(request: Request, viewer: Viewer, *, done: int = 0, waiting: int = 0, checked: int = 0,
                status: int = 200, error: str = "") -> HTMLResponse:
    """My bookings: each with its code and QR, the calendar file, cancel or accept, and a
    "Check in" button while its check-in is open (15 minutes before the start to the end
    of the grace period: ``world.bookings.ledger.check_in_window``)."""
    service = bookings_of(request)
    store = web_of(request).store
    t = web_of(request).texts.translate
    now = service.clock.now()
    rows = await store.bookings.of_user(viewer.person.user_id, now - 86400)
    items = []
    done_text = ""
    for r in rows:
        space = await store.spaces.get(r.space_id)
        code = service.code(r.id)
        opens, closes = _check_in_window(space, r)
        start, end = _local(service, r.start), _local(service, r.end)
        items.append({"row": r, "space": space, "start": start, "end": end,
                      "code": shown(code), "qr": Markup(qr_svg(code)) if r.state in ("confirmed", "pending") else "",
                      "holding": r.state in HOLDING,
                      "check_in": r.state == "confirmed" and opens <= now <= closes,
                      "opens": _local(service, opens) if r.state == "confirmed" and now < opens else None})
        if r.id == checked and r.state == "checked_in":
            done_text = t(viewer.lang, "booking.check_in_done", space=space.name if space else str(r.space_id),
                          start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))
    waits = []
    for w in await store.bookings.waitlist_of(viewer.person.user_id):
        waits.append({"row": w, "space": await store.spaces.get(w.space_id), "start": _local(service, w.start)})
    return render(request, viewer, "booking_mine.html", status=status, console="employee", items=items, waits=waits,
                  done=done, waiting=waiting, checked=done_text, error=error)


@router.post("/employee/bookings/{booking_id}/check-in", response_class=HTMLResponse)
async def check_in_mine(request: Request, viewer: Annotated[Viewer, Depends(need("booking.own", booking_resource))],
                        booking_id: BookingId, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """The booker checks in on the phone (someone else's booking: 403 from ``booking.own``)."""
    service = bookings_of(request)
    try:
        await service.check_in(booking_id)
    except BookingRefused as exc:
        return await _mine(request, viewer, status=409, error=await _check_in_refusal(request, viewer, exc, booking_id))
    return RedirectResponse(f"/console/employee/bookings?checked={booking_id}#booking-{booking_id}", status_code=303)


async def _check_in_refusal(request: Request, viewer: Viewer, exc: BookingRefused, booking_id: int) -> str:
    t = web_of(request).texts.translate
    code = exc.problems[0].code if exc.problems else ""
    if code in ("too_early", "too_late"):
        return t(viewer.lang, f"booking.check_in_refused.{code}")
    row = await web_of(request).store.bookings.get(booking_id)
    if code == "state" and row is not None:
        if row.state == "checked_in":
            return t(viewer.lang, "booking.check_in_refused.already")
        return t(viewer.lang, "booking.check_in_refused.state", state=t(viewer.lang, f"booking.state.{row.state}"))
    return (await _problems(request, viewer, exc))[0]


async def _refused(request: Request, viewer: Viewer, exc: BookingRefused, booking_id: int) -> HTMLResponse:
    """A decision on a booking refused: an unknown booking is the not-found page (404, as
    the API answers), any other rule 422 with the rule in the person's language (the
    figures from the booking's space)."""
    if exc.code == "unknown_booking":
        t = web_of(request).texts.translate
        return render(request, viewer, "error.html", status=404, message="error.not_found",
                      fields=[{"field": "booking", "message": t(viewer.lang, "booking.no_booking", id=booking_id)}])
    row = await web_of(request).store.bookings.get(booking_id)
    said = await _problems(request, viewer, exc, row.space_id if row is not None else 0)
    return render(request, viewer, "error.html", status=422, message="booking.refused",
                  fields=[{"field": "", "message": m} for m in said])


@router.post("/employee/bookings/{booking_id}/cancel", response_class=HTMLResponse)
async def cancel_mine(request: Request, viewer: Annotated[Viewer, Depends(need("booking.own", booking_resource))],
                      booking_id: BookingId, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        await bookings_of(request).cancel(viewer.person, booking_id)
    except BookingRefused as exc:
        return await _refused(request, viewer, exc, booking_id)
    return RedirectResponse("/console/employee/bookings", status_code=303)


@router.post("/employee/bookings/{booking_id}/accept", response_class=HTMLResponse)
async def accept_offer(request: Request, viewer: Annotated[Viewer, Depends(need("booking.own", booking_resource))],
                       booking_id: BookingId, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    try:
        await bookings_of(request).accept(viewer.person, booking_id)
    except BookingRefused as exc:
        return await _refused(request, viewer, exc, booking_id)
    return RedirectResponse(f"/console/employee/bookings?done={booking_id}", status_code=303)


# --- moving a booking (the booker, or the park office) ------------------------------------

BookingOwner = Annotated[Viewer, Depends(need("booking.own", booking_resource))]


async def _move_page(request: Request, viewer: Viewer, booking_id: int, day: date | None, *, status: int = 200,
                     errors: list[str] | None = None, alternatives: tuple[datetime, ...] = (),
                     moved: bool = False) -> HTMLResponse:
    service = bookings_of(request)
    store = web_of(request).store
    row = await store.bookings.get(booking_id)
    if row is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    space = await store.spaces.get(row.space_id)
    start, end = _local(service, row.start), _local(service, row.end)
    day = day or start.date()
    try:
        free = [s.astimezone(service.tz) for s in await service.move_slots(booking_id, day)]
    except BookingRefused:
        free = []
    return render(request, viewer, "booking_move.html", status=status, console="employee", row=row, space=space,
                  start=start, end=end, day=day, free=_shown_starts(free, 16), errors=errors or [],
                  alternatives=[a.astimezone(service.tz) for a in alternatives], moved=moved,
                  movable=row.state in ("confirmed", "pending"),
                  today=_local(service, service.clock.now()).date())


@router.get("/employee/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move_page(request: Request, viewer: BookingOwner, booking_id: BookingId,
                    day: Annotated[Day | None, Query()] = None,
                    moved: Annotated[int, Query(ge=0, le=1)] = 0) -> Response:
    return await _move_page(request, viewer, booking_id, day, moved=bool(moved))


@router.post("/employee/bookings/{booking_id}/move", response_class=HTMLResponse)
async def move_booking(request: Request, viewer: BookingOwner, booking_id: BookingId, day: Annotated[Day, Form()],
                       start: Clock, csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """Move to ``start`` on ``day`` (the same length): one click on a free time."""
    service = bookings_of(request)
    row = await web_of(request).store.bookings.get(booking_id)
    if row is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    begin, end = _start(service, day, start, int((row.end - row.start) // 60))
    try:
        await service.move_to(viewer.person, booking_id, begin, end,
                              by_office=await by_office(request, viewer.person, booking_id))
    except BookingRefused as exc:
        return await _move_page(request, viewer, booking_id, day, status=409 if exc.taken else 422,
                                errors=await _problems(request, viewer, exc, row.space_id, day),
                                alternatives=exc.alternatives)
    return RedirectResponse(f"/console/employee/bookings/{booking_id}/move?moved=1", status_code=303)


# --- the park office: spaces, the day's bookings, check-in ---------------------------------


async def _space_of(request: Request, person: Person) -> Resource:
    try:
        space_id = int(request.path_params.get("space_id", 0))
    except ValueError:
        return Resource()
    space = await web_of(request).store.spaces.get(space_id)
    return Resource(park_id=space.park_id if space else "")


async def _park_of_form(request: Request, person: Person) -> Resource:
    return Resource(park_id=str((await request.form()).get("park", ""))[:64])


SpaceOffice = Annotated[Viewer, Depends(need("booking.manage", _space_of))]
BookingOffice = Annotated[Viewer, Depends(need("booking.manage", booking_resource))]


@router.get("/park/spaces", response_class=HTMLResponse)
async def park_spaces(request: Request, viewer: ParkConsole, day: Annotated[Day | None, Query()] = None) -> Response:
    return await _spaces_page(request, viewer, day)


async def _spaces_page(request: Request, viewer: Viewer, day: date | None, status: int = 200,
                       error: str = "") -> HTMLResponse:
    service = bookings_of(request)
    store = web_of(request).store
    day = day or _local(service, service.clock.now()).date()
    lo, hi = service.day_range(day)
    parks = []
    for park_id in sorted(viewer.person.parks) or sorted({p.id for p in web_of(request).catalogue})[:1]:
        spaces = await store.spaces.find(park_id=park_id, retired=True)
        names = {s.id: s.name for s in spaces}
        day_rows = [{"row": r, "space": names.get(r.space_id, "?"), "start": _local(service, r.start),
                     "end": _local(service, r.end)} for r in await store.bookings.of_park(park_id, lo, hi)]
        parks.append({"id": park_id, "spaces": spaces, "bookings": day_rows})
    return render(request, viewer, "booking_spaces.html", status=status, console="park", parks=parks, day=day,
                  kinds=VENUE_KINDS, error=error)


@router.post("/park/spaces", response_class=HTMLResponse)
async def add_space(request: Request, viewer: Annotated[Viewer, Depends(need("booking.manage", _park_of_form))],
                    park: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")],
                    venue_id: Annotated[str, Form(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")],
                    name: Annotated[str, Form(min_length=1, max_length=120)],
                    kind: Annotated[str, Form(max_length=32)],
                    capacity: Annotated[int, Form(ge=1, le=100_000)],
                    csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    """A new space is a new venue of the park's catalogue entry (the one source of truth
    for venues): the entry is saved with it, its space made (``sync_park``), and
    ``park.changed`` rebuilds the scene with a zone for it."""
    web = web_of(request)
    store = web.store
    t = web.texts.translate
    if kind not in VENUE_KINDS:
        return await _spaces_page(request, viewer, None, status=422, error=t(viewer.lang, "booking.bad_kind"))
    entry = await store.catalogue.get(park)
    if entry is None or entry.state != "live":
        return await _spaces_page(request, viewer, None, status=404, error=t(viewer.lang, "booking.no_entry"))
    before = entry.park()
    if any(v.id == venue_id for v in before.venues) or any(s.venue_id == venue_id
                                                           for s in await store.spaces.of_park(park)):
        return await _spaces_page(request, viewer, None, status=409, error=t(viewer.lang, "booking.venue_taken"))
    now = web.clock.now()
    document = with_venue(entry.document, {"id": venue_id, "name": name.strip(), "kind": kind, "capacity": capacity})
    try:
        saved = await store.catalogue.save(park, document, revision=entry.revision, now=now)
    except CatalogueError as exc:  # the new venue's field by its label on the form, in the person's language
        labels = {"id": "booking.venue_id", "name": "booking.name", "kind": "booking.kind",
                  "capacity": "booking.field.capacity"}
        said = [t(viewer.lang, "booking.bad_rule", field=t(viewer.lang, labels[fld.rsplit(".", 1)[-1]])
                  if fld.rsplit(".", 1)[-1] in labels else fld,
                  problem=t(viewer.lang, f"catalogue.p.{code}", **params) if code else problem)
                for (_f, fld, problem), (code, params) in zip(exc.problems, exc.codes, strict=True)]
        return await _spaces_page(request, viewer, None, status=422, error="; ".join(said))
    except CatalogueConflict:
        return await _spaces_page(request, viewer, None, status=409, error=t(viewer.lang, "catalogue.p.conflict"))
    await sync_park(store, saved.park(), before, now=now)
    space = next((s for s in await store.spaces.of_park(park) if s.venue_id == venue_id), None)
    assert space is not None
    await store.audit.add(viewer.person.user_id, "space.add", f"space:{space.id}",
                          {"park": park, "venue": venue_id, "revision": saved.revision}, now=now)
    if web.live is not None:
        web.live.changed(park, saved.revision)
    web.bus.publish(PARK_CHANGED, {"park": park, "revision": saved.revision})
    return RedirectResponse(f"/console/park/spaces/{space.id}", status_code=303)


def _values(space: Space) -> dict[str, Any]:
    rules = rules_of(space)
    return {"name": space.name, "kind": space.kind, "capacity": space.capacity or "", "building": space.building,
            "floor_area": "" if space.floor_area is None else space.floor_area,
            "equipment": ", ".join(space.equipment), "photos": "\n".join(space.photos), "price": space.price,
            "audience": rules.audience, "approval": rules.approval, "slot_minutes": rules.slot_minutes or "",
            "min_minutes": rules.min_minutes, "max_minutes": rules.max_minutes,
            "buffer_before": rules.buffer_before, "buffer_after": rules.buffer_after,
            "lead_minutes": rules.lead_minutes, "horizon_days": rules.horizon_days,
            "weekly_quota_minutes": rules.weekly_quota_minutes or "",
            "cancel_deadline_minutes": rules.cancel_deadline_minutes, "hold_minutes": rules.hold_minutes,
            "check_in_grace_minutes": rules.check_in_grace_minutes, "max_no_shows": "" if rules.max_no_shows is None
            else rules.max_no_shows, "retired": space.retired, **opening_text(rules.opening),
            "blackout": "\n".join(sorted(d.isoformat() for d in rules.blackout))}


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def opening_text(opening: tuple[Opening, ...]) -> dict[str, str]:
    """The form's ``opening_0`` (Monday) .. ``opening_6``: "09:00-12:00, 13:00-18:00", "" closed."""
    return {f"opening_{d}": ", ".join(f"{_hhmm(o.start)}-{_hhmm(o.end)}" for o in sorted(
        (o for o in opening if o.weekday == d), key=lambda o: o.start)) for d in range(7)}


_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


Said = tuple[str, dict[str, object]]  # a problem: its code (the key ``booking.rule.<code>``) and params


def opening_from(form: dict[str, str]) -> tuple[list[list[int]], dict[str, Said]]:
    """The weekly opening hours typed in the form, and a problem for each bad field."""
    out: list[list[int]] = []
    errors: dict[str, Said] = {}
    for d in range(7):
        name = f"opening_{d}"
        spans: list[tuple[int, int]] = []
        for part in (p.strip() for p in form.get(name, "").split(",")):
            if not part:
                continue
            found = _RANGE.match(part)
            if found is None:
                errors[name] = ("not_range", {"value": part[:20]})
                break
            h0, m0, h1, m1 = (int(x) for x in found.groups())
            start, end = h0 * 60 + m0, h1 * 60 + m1
            if m0 > 59 or m1 > 59 or h0 > 23 or end > 24 * 60:
                errors[name] = ("not_time", {"value": part})
                break
            if start >= end:
                errors[name] = ("closes_first", {"value": part})
                break
            spans.append((start, end))
        spans.sort()
        if name not in errors and any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False)):
            errors[name] = ("overlap", {})
        if name not in errors:
            out += [[d, a, b] for a, b in spans]
    return out, errors


def blackout_from(text: str) -> tuple[list[str], dict[str, Said]]:
    """The blackout dates typed (one a line or comma separated, YYYY-MM-DD), or the problem."""
    days: set[str] = set()
    for part in (p.strip() for p in re.split(r"[,\s]+", text)):
        if not part:
            continue
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", part):
                raise ValueError(part)
            days.add(date.fromisoformat(part).isoformat())
        except ValueError:
            return [], {"blackout": ("not_date", {"value": part[:20]})}
    return sorted(days), {}


def _label(request: Request, viewer: Viewer, name: str) -> str:
    """A field of the space editor by its label on the page ("Opening hours · Monday")."""
    texts = web_of(request).texts
    t = texts.translate
    if name.startswith("opening_"):
        return f"{t(viewer.lang, 'booking.field.opening')} · {t(viewer.lang, 'booking.weekday.' + name[8:])}"
    key = {"name": "booking.name", "kind": "booking.kind"}.get(name, f"booking.field.{name}")
    return t(viewer.lang, key) if key in texts.keys() else name


async def _space_page(request: Request, viewer: Viewer, space: Space, values: dict[str, Any], *, status: int = 200,
                      error: str = "", note: str = "", errors: dict[str, str] | None = None) -> HTMLResponse:
    service = bookings_of(request)
    now = service.clock.now()
    rows = await web_of(request).store.bookings.holding(space.id, now - 3600, now + 14 * 86400)
    upcoming = [{"row": r, "start": _local(service, r.start), "end": _local(service, r.end)} for r in rows]
    return render(request, viewer, "booking_space.html", status=status, console="park", space=space, values=values,
                  kinds=VENUE_KINDS, audiences=AUDIENCES, upcoming=upcoming, error=error, note=note,
                  errors=errors or {})


@router.get("/park/spaces/{space_id}", response_class=HTMLResponse)
async def space_page(request: Request, viewer: SpaceOffice, space_id: SpaceId) -> Response:
    space = await web_of(request).store.spaces.get(space_id)
    if space is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    return await _space_page(request, viewer, space, _values(space))


def _number(text: str) -> int | None:
    return int(text) if text.strip() else None


@router.post("/park/spaces/{space_id}", response_class=HTMLResponse)
async def save_space(request: Request, viewer: SpaceOffice, space_id: SpaceId,
                     name: Annotated[str, Form(min_length=1, max_length=120)],
                     kind: Annotated[str, Form(max_length=32)],
                     capacity: Annotated[int, Form(ge=1, le=100_000)],
                     building: Annotated[str, Form(max_length=120)] = "",
                     floor_area: Annotated[str, Form(pattern=r"^(\d{1,6}(\.\d{1,2})?)?$")] = "",
                     equipment: Annotated[str, Form(max_length=1000)] = "",
                     photos: Annotated[str, Form(max_length=4000)] = "",
                     price: Annotated[str, Form(max_length=120)] = "",
                     audience: Annotated[str, Form(max_length=16)] = "park",
                     approval: Annotated[str, Form(max_length=3)] = "",
                     slot_minutes: Annotated[str, Form(pattern=r"^\d{0,4}$")] = "",
                     min_minutes: Annotated[int, Form(ge=1, le=1440)] = 30,
                     max_minutes: Annotated[int, Form(ge=1, le=1440)] = 240,
                     buffer_before: Annotated[int, Form(ge=0, le=1440)] = 0,
                     buffer_after: Annotated[int, Form(ge=0, le=1440)] = 0,
                     lead_minutes: Annotated[int, Form(ge=0, le=100_000)] = 0,
                     horizon_days: Annotated[int, Form(ge=1, le=730)] = 60,
                     weekly_quota_minutes: Annotated[str, Form(pattern=r"^\d{0,5}$")] = "",
                     cancel_deadline_minutes: Annotated[int, Form(ge=0, le=100_000)] = 60,
                     hold_minutes: Annotated[int, Form(ge=1, le=10_000)] = 30,
                     check_in_grace_minutes: Annotated[int, Form(ge=1, le=1440)] = 15,
                     max_no_shows: Annotated[str, Form(pattern=r"^\d{0,3}$")] = "",
                     retired: Annotated[str, Form(max_length=3)] = "",
                     csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    web = web_of(request)
    space = await web.store.spaces.get(space_id)
    if space is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    t = web.texts.translate
    values: dict[str, Any] = {
        "name": name, "kind": kind, "capacity": capacity, "building": building, "floor_area": floor_area,
        "equipment": equipment, "photos": photos, "price": price, "audience": audience, "approval": bool(approval),
        "slot_minutes": slot_minutes, "min_minutes": min_minutes, "max_minutes": max_minutes,
        "buffer_before": buffer_before, "buffer_after": buffer_after, "lead_minutes": lead_minutes,
        "horizon_days": horizon_days, "weekly_quota_minutes": weekly_quota_minutes,
        "cancel_deadline_minutes": cancel_deadline_minutes, "hold_minutes": hold_minutes,
        "check_in_grace_minutes": check_in_grace_minutes, "max_no_shows": max_no_shows, "retired": bool(retired)}
    typed = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    stored = _values(space)  # a form without the hours or the blackout dates (an older client) keeps them
    if not any(f"opening_{d}" in typed for d in range(7)):
        typed |= {f"opening_{d}": stored[f"opening_{d}"] for d in range(7)}
    typed.setdefault("blackout", stored["blackout"])
    values |= {f"opening_{d}": typed.get(f"opening_{d}", "")[:200] for d in range(7)}
    values["blackout"] = typed["blackout"][:4000]
    opening, bad = opening_from(values)
    blackout, bad_days = blackout_from(values["blackout"])
    bad |= bad_days
    if bad:  # every bad field named by its label, in the person's language; nothing saved
        said = {f: t(viewer.lang, f"booking.rule.{code}", **params) for f, (code, params) in bad.items()}
        return await _space_page(request, viewer, space, values, status=422, errors=said, error="; ".join(
            t(viewer.lang, "booking.bad_rule", field=_label(request, viewer, f), problem=p) for f, p in said.items()))
    pictures = [p.strip() for p in photos.splitlines() if p.strip()]
    try:
        if kind not in VENUE_KINDS:
            raise RuleError("kind", f"must be one of {', '.join(VENUE_KINDS)}", "not_one_of", value=kind[:32])
        bad = next((p for p in pictures if not p.startswith(("https://", "http://", "/"))), None)
        if bad is not None:
            raise RuleError("photos", f"{bad[:60]} is not a web address", "not_url", value=bad[:60])
        rules = from_json(str(space.id), space.park_id, capacity, {
            "audience": audience, "approval": bool(approval), "slot_minutes": _number(slot_minutes),
            "min_minutes": min_minutes, "max_minutes": max_minutes, "buffer_before": buffer_before,
            "buffer_after": buffer_after, "lead_minutes": lead_minutes, "horizon_days": horizon_days,
            "weekly_quota_minutes": _number(weekly_quota_minutes), "cancel_deadline_minutes": cancel_deadline_minutes,
            "hold_minutes": hold_minutes, "check_in_grace_minutes": check_in_grace_minutes,
            "max_no_shows": _number(max_no_shows), "opening": opening, "blackout": blackout})
    except RuleError as exc:
        said = t(viewer.lang, f"booking.rule.{exc.code}", **exc.params) if exc.code else exc.problem
        return await _space_page(request, viewer, space, values, status=422, errors={exc.field: said},
                                 error=t(viewer.lang, "booking.bad_rule", field=_label(request, viewer, exc.field),
                                         problem=said))
    now = web.clock.now()
    saved = replace(space, name=name.strip(), kind=kind, capacity=capacity, building=building.strip(),
                    floor_area=float(floor_area) if floor_area else None,
                    equipment=tuple(e.strip() for e in equipment.split(",") if e.strip()), photos=tuple(pictures),
                    price=price.strip(), retired=bool(retired), rules=to_json(rules), updated=now)
    await web.store.spaces.save(saved)
    await _venue_facts(request, space, saved)
    await web.store.audit.add(viewer.person.user_id, "space.retire" if saved.retired and not space.retired
                              else "space.edit", f"space:{space.id}", {"park": space.park_id}, now=now)
    web.bus.publish("space.changed", {"park": space.park_id, "space": space.id})
    return await _space_page(request, viewer, saved, _values(saved), note=t(viewer.lang, "booking.saved"))


async def _venue_facts(request: Request, space: Space, saved: Space) -> None:
    """A venue's name, kind, capacity and building live in the catalogue: a change made on
    the space's page is written to the park's entry too (and the scene rebuilt)."""
    web = web_of(request)
    facts = (saved.name, saved.kind, saved.capacity, saved.building)
    if facts == (space.name, space.kind, space.capacity, space.building):
        return
    entry = await web.store.catalogue.get(space.park_id)
    if entry is None or entry.state != "live" or not any(v.id == space.venue_id for v in entry.park().venues):
        return  # not a catalogue venue (a stage, demo data): the space alone
    document = with_venue(entry.document, {"id": space.venue_id, "name": saved.name, "kind": saved.kind,
                                           "capacity": saved.capacity, "building": saved.building})
    try:
        entry = await web.store.catalogue.save(space.park_id, document, revision=entry.revision, now=web.clock.now())
    except (CatalogueError, CatalogueConflict) as exc:
        log.warning("space %s: its venue's facts could not be written to the catalogue: %s", space.id, exc)
        return
    if web.live is not None:
        web.live.changed(space.park_id, entry.revision)
    web.bus.publish(PARK_CHANGED, {"park": space.park_id, "revision": entry.revision})


@router.post("/park/bookings/{booking_id}/{verb}", response_class=HTMLResponse)
async def office_verb(request: Request, viewer: BookingOffice, booking_id: BookingId,
                      verb: Annotated[str, Path(pattern=r"^(approve|decline|cancel)$")],
                      reason: Annotated[str, Form(max_length=500)] = "",
                      csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    service = bookings_of(request)
    try:
        if verb == "approve":
            await service.approve(viewer.person, booking_id)
        elif verb == "decline":
            await service.decline(viewer.person, booking_id, reason)
        else:
            await service.cancel(viewer.person, booking_id, reason=reason, by_office=True)
    except BookingRefused as exc:
        return await _refused(request, viewer, exc, booking_id)
    return RedirectResponse("/console/park/spaces", status_code=303)


@router.get("/park/check-in", response_class=HTMLResponse)
async def check_in_page(request: Request, viewer: ParkConsole) -> Response:
    return render(request, viewer, "booking_checkin.html", console="park", result=None, error="")


@router.post("/park/check-in", response_class=HTMLResponse)
async def check_in(request: Request, viewer: Annotated[Viewer, Depends(need("booking.manage", code_resource))],
                   code: Annotated[str, Form(min_length=1, max_length=32)],
                   csrf: Annotated[str, Form(max_length=128)] = "") -> Response:
    service = bookings_of(request)
    t = web_of(request).texts.translate
    found = None
    try:
        found = await service.by_code(code)
        row = await service.check_in(found.id)
    except BookingRefused as exc:
        return render(request, viewer, "booking_checkin.html", status=409 if exc.code != "code" else 404,
                      console="park", result=None,
                      error=await _check_in_refusal(request, viewer, exc, found.id if found is not None else 0))
    space = await web_of(request).store.spaces.get(row.space_id)
    return render(request, viewer, "booking_checkin.html", console="park", error="",
                  result=t(viewer.lang, "booking.checked_in", space=space.name if space else "?",
                           user=row.for_user, start=_local(service, row.start).strftime("%H:%M")))
