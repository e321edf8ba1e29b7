"""The booking API: spaces and their free slots, bookings made, cancelled, approved,
waited for and checked in (``server.bookings``). A refusal names the field and the
rule code of ``world.bookings``: 409 when the time is taken (with the nearest free
alternatives), 422 for every other rule, 404 for an unknown space or booking."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from server.bookings.calendar import ics
from server.bookings.service import BookingRefused, BookingService
from server.bookings.spec import rules_of, to_json
from server.db.bookings import BookingRow
from server.db.spaces import Space
from server.web.guard import Viewer, need, public, web_of
from server.web.sessions import load_secret
from world.people import Person
from world.permissions import Resource

router = APIRouter(prefix="/api", tags=["bookings"])
MAX_MINUTES = 24 * 60


def bookings_of(request: Request) -> BookingService:
    """The app's booking service, made on first use from what the app was given."""
    service = getattr(request.app.state, "bookings", None)
    if not isinstance(service, BookingService):
        web = web_of(request)
        service = BookingService(web.store, web.clock, ZoneInfo(web.config.zone_timezone),
                                 load_secret(web.config.data_dir), bus=web.bus)
        request.app.state.bookings = service
    return service


MAX_ROW_ID = 2**62  # beyond any row (and SQLite's integer): ids past it are refused by validation


def sane_day(day: date) -> date:
    """A day the zone's clock arithmetic can handle (0001-01-01 has no UTC midnight before it)."""
    if not 2000 <= day.year <= 2200:
        raise ValueError("a day between the years 2000 and 2200")
    return day


Day = Annotated[date, AfterValidator(sane_day)]


class SpaceOut(BaseModel):
    id: int
    park_id: str
    venue_id: str
    name: str
    kind: str
    capacity: int | None
    building: str
    floor_area: float | None
    equipment: list[str]
    photos: list[str]
    price: str = Field(description='as the park shows it; "" is free; settled offline')
    audience: str
    approval: bool
    retired: bool
    demo: bool
    rules: dict[str, Any] = Field(description="the booking settings that differ from the defaults")
    free: list[datetime] = Field(default_factory=list, description="free starts on the day asked (UTC)")


class SlotsOut(BaseModel):
    space: int
    day: date
    minutes: int
    timezone: str
    starts: list[datetime]


class BookingOut(BaseModel):
    id: int
    space: int
    enterprise: int | None
    booked_by: str
    for_user: str
    people: int
    start: datetime
    end: datetime
    state: str
    series: int | None
    hold_until: datetime | None
    note: str
    check_in_code: str | None = Field(None, description="shown to the people the booking belongs to")


class SeriesOut(BaseModel):
    series: int
    booked: list[BookingOut]
    clashes: list[dict[str, Any]] = Field(description="[{day, problems: [{code, field, message}]}]")


class WaitOut(BaseModel):
    id: int
    space: int
    start: datetime
    end: datetime
    state: str


class NewBooking(BaseModel):
    model_config = ConfigDict(extra="forbid")
    space: int = Field(ge=1, le=MAX_ROW_ID)
    start: datetime = Field(description="aware ISO 8601 time")
    end: datetime
    people: int = Field(1, ge=1, le=100_000)
    enterprise: int | None = Field(None, ge=1, le=2**62, description="the enterprise booked for (default: your first)")
    for_user: str | None = Field(None, min_length=1, max_length=64, description="a colleague booked for")
    weeks: int = Field(1, ge=1, le=52, description="more than 1: a weekly series")

    @field_validator("start", "end")
    @classmethod
    def _sane(cls, moment: datetime) -> datetime:
        if not 2000 <= moment.year <= 2200:
            raise ValueError("a time between the years 2000 and 2200")
        return moment


class MovedBooking(BaseModel):
    """A booking moved to another time of its space (same length or not: the space's rules decide)."""

    model_config = ConfigDict(extra="forbid")
    start: datetime = Field(description="aware ISO 8601 time")
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _sane(cls, moment: datetime) -> datetime:
        if not 2000 <= moment.year <= 2200:
            raise ValueError("a time between the years 2000 and 2200")
        return moment


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=32)


def refused(exc: BookingRefused) -> JSONResponse:
    """409 for a taken time (with alternatives), 404 for an unknown space or booking, 422 else."""
    status = 409 if exc.taken else 404 if exc.code in ("unknown_space", "unknown_booking") else 422
    fields = [{"field": p.field, "message": p.message, "type": p.code, "ctx": {}} for p in exc.problems]
    return JSONResponse({"detail": fields, "code": exc.code,
                         "message": "; ".join(f"{p.field}: {p.message}" for p in exc.problems),
                         "alternatives": [a.isoformat() for a in exc.alternatives]}, status_code=status)


def space_out(space: Space, free: list[datetime] | None = None) -> SpaceOut:
    rules = rules_of(space)
    return SpaceOut(id=space.id, park_id=space.park_id, venue_id=space.venue_id, name=space.name, kind=space.kind,
                    capacity=space.capacity, building=space.building, floor_area=space.floor_area,
                    equipment=list(space.equipment), photos=list(space.photos), price=space.price,
                    audience=rules.audience, approval=rules.approval, retired=space.retired, demo=space.demo,
                    rules=to_json(rules), free=free or [])


def booking_out(service: BookingService, row: BookingRow, person: Person | None = None) -> BookingOut:
    mine = person is not None and person.user_id in (row.booked_by, row.for_user)
    return BookingOut(id=row.id, space=row.space_id, enterprise=row.org_id, booked_by=row.booked_by,
                      for_user=row.for_user, people=row.people, start=datetime.fromtimestamp(row.start, UTC),
                      end=datetime.fromtimestamp(row.end, UTC), state=row.state, series=row.series_id,
                      hold_until=None if row.hold_until is None else datetime.fromtimestamp(row.hold_until, UTC),
                      note=row.note, check_in_code=service.code(row.id) if mine else None)


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)).astimezone(UTC)


# --- finders: what each action is about -----------------------------------------------


def _row_id(value: object) -> int:
    """A row id the finder may look up (0 for none: absent, not a number, or beyond any row)."""
    try:
        number = int(value)  # type: ignore[call-overload]
    except (ValueError, TypeError):
        return 0
    return number if 0 < number <= MAX_ROW_ID else 0


async def space_resource(request: Request, person: Person) -> Resource:
    """The space (and enterprise) a new booking names, read from the JSON body or the form."""
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = json.loads(await request.body() or b"{}")
        else:
            data = dict(await request.form())
        space_id = _row_id(data.get("space"))
        org_id = _row_id(data.get("enterprise")) or None
    except (ValueError, TypeError, AttributeError):
        return Resource()
    space = await web_of(request).store.spaces.get(space_id) if space_id > 0 else None
    if space is None:
        return Resource(owner_org=org_id)
    try:
        audience = rules_of(space).audience
    except ValueError:
        audience = ""
    return Resource(park_id=space.park_id, owner_org=org_id, audience=audience)


async def booking_resource(request: Request, person: Person) -> Resource:
    booking_id = _row_id(request.path_params.get("booking_id"))
    if not booking_id:
        return Resource()
    store = web_of(request).store
    row = await store.bookings.get(booking_id)
    if row is None:
        return Resource()
    space = await store.spaces.get(row.space_id)
    return Resource(park_id=space.park_id if space else "", owner_org=row.org_id,
                    users=(row.booked_by, row.for_user))


async def code_resource(request: Request, person: Person) -> Resource:
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            typed = str(json.loads(await request.body() or b"{}").get("code", ""))
        else:
            typed = str((await request.form()).get("code", ""))
        row = await bookings_of(request).by_code(typed)
    except (BookingRefused, ValueError, AttributeError):
        return Resource()
    space = await web_of(request).store.spaces.get(row.space_id)
    return Resource(park_id=space.park_id if space else "")


Maker = Annotated[Viewer, Depends(need("booking.make", space_resource))]
Owner = Annotated[Viewer, Depends(need("booking.own", booking_resource))]
Office = Annotated[Viewer, Depends(need("booking.manage", booking_resource))]
BookingId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]
MAX_SEARCH_SPACES = 200  # one free-slot search's answer: every start of each space (about 90 a day)

REFUSALS: dict[int | str, dict[str, Any]] = {
    404: {"description": "unknown space or booking"}, 409: {"description": "taken: the nearest free alternatives"},
    422: {"description": "a rule broken: the field and the rule code"}}


# --- routes ------------------------------------------------------------------------------


@router.get("/spaces", response_model=list[SpaceOut], responses=REFUSALS)
async def list_spaces(request: Request, viewer: Annotated[Viewer, Depends(public)],
                      park: Annotated[str | None, Query(max_length=64)] = None,
                      kind: Annotated[str | None, Query(max_length=32)] = None,
                      people: Annotated[int, Query(ge=1, le=100_000)] = 1,
                      day: Annotated[Day | None, Query(description="local day: only spaces free that day")] = None,
                      minutes: Annotated[int, Query(ge=5, le=MAX_MINUTES)] = 60,
                      equipment: Annotated[list[str] | None, Query(max_length=20)] = None,
                      limit: Annotated[int, Query(ge=1, le=MAX_SEARCH_SPACES, description=(
                          "with `day`: at most this many spaces, those with free starts, nearest first"))] = 50,
                      ) -> list[SpaceOut]:
    service = bookings_of(request)
    if day is None:
        found = await web_of(request).store.spaces.find(park_id=park, kind=kind,
                                                         min_capacity=people if people > 1 else None)
        return [space_out(s) for s in found]
    hits = await service.search(day=day, minutes=minutes, park_id=park, kind=kind, people=people,
                                equipment=equipment or (), limit=limit)
    return [space_out(s, starts) for s, starts in hits]


@router.get("/spaces/{space_id}/slots", response_model=SlotsOut, responses=REFUSALS)
async def slots(request: Request, viewer: Annotated[Viewer, Depends(public)], space_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
                day: Annotated[Day, Query(description="the local day")],
                minutes: Annotated[int, Query(ge=5, le=MAX_MINUTES)] = 60) -> Response | SlotsOut:
    service = bookings_of(request)
    try:
        starts = await service.slots(space_id, day, minutes)
    except BookingRefused as exc:
        return refused(exc)
    return SlotsOut(space=space_id, day=day, minutes=minutes, timezone=str(service.tz), starts=starts)


@router.post("/bookings", status_code=201, response_model=BookingOut | SeriesOut, responses=REFUSALS)
async def make(request: Request, viewer: Maker, body: Annotated[NewBooking, Body()]) -> Response | BookingOut | SeriesOut:
    service = bookings_of(request)
    tz = ZoneInfo(str(service.tz))
    start, end = _aware(body.start, tz), _aware(body.end, tz)
    try:
        if body.weeks > 1:
            series = await service.book_weekly(viewer.person, body.space, start, end, body.weeks, body.people,
                                               org_id=body.enterprise, for_user=body.for_user)
            return SeriesOut(series=series.id, booked=[booking_out(service, b, viewer.person) for b in series.booked],
                             clashes=[{"day": c.day.isoformat(), "problems": [
                                 {"code": p.code, "field": p.field, "message": p.message} for p in c.problems]}
                                 for c in series.clashes])
        row = await service.book(viewer.person, body.space, start, end, body.people, org_id=body.enterprise,
                                 for_user=body.for_user)
    except BookingRefused as exc:
        return refused(exc)
    return booking_out(service, row, viewer.person)


@router.get("/bookings", response_model=list[BookingOut])
async def mine(request: Request, viewer: Annotated[Viewer, Depends(need("account.self"))]) -> list[BookingOut]:
    service = bookings_of(request)
    rows = await web_of(request).store.bookings.of_user(viewer.person.user_id, service.clock.now() - 86400)
    return [booking_out(service, r, viewer.person) for r in rows]


async def by_office(request: Request, person: Person, booking_id: int) -> bool:
    """Whether ``person`` acts on the booking as its park's office (staff of the space's
    park who are not the booker nor the one it is for): no cancellation deadline then."""
    store = web_of(request).store
    row = await store.bookings.get(booking_id)
    space = await store.spaces.get(row.space_id) if row else None
    return bool(row and space and space.park_id in person.parks and person.user_id not in (row.booked_by,
                                                                                          row.for_user))


@router.patch("/bookings/{booking_id}", response_model=BookingOut, responses=REFUSALS)
async def change(request: Request, viewer: Owner, booking_id: BookingId,
                 body: Annotated[MovedBooking, Body()]) -> Response | BookingOut:
    """Move a booking to another time of its space (the booker up to the cancellation
    deadline, the park office any time): the new time is taken before the old one is let
    go, in one transaction; a taken time is 409 with the nearest alternatives and nothing
    changes. Same id and check-in code; the booker is told."""
    service = bookings_of(request)
    tz = ZoneInfo(str(service.tz))
    office = await by_office(request, viewer.person, booking_id)
    try:
        row = await service.move_to(viewer.person, booking_id, _aware(body.start, tz), _aware(body.end, tz),
                                    by_office=office)
    except BookingRefused as exc:
        return refused(exc)
    return booking_out(service, row, viewer.person)


@router.delete("/bookings/{booking_id}", response_model=BookingOut, responses=REFUSALS)
async def cancel(request: Request, viewer: Owner, booking_id: BookingId,
                 reason: Annotated[str, Query(max_length=500)] = "") -> Response | BookingOut:
    service = bookings_of(request)
    office = await by_office(request, viewer.person, booking_id)
    try:
        done = await service.cancel(viewer.person, booking_id, reason=reason, by_office=office)
    except BookingRefused as exc:
        return refused(exc)
    return booking_out(service, done, viewer.person)


@router.post("/bookings/{booking_id}/accept", response_model=BookingOut, responses=REFUSALS)
async def accept(request: Request, viewer: Owner, booking_id: BookingId) -> Response | BookingOut:
    service = bookings_of(request)
    try:
        return booking_out(service, await service.accept(viewer.person, booking_id), viewer.person)
    except BookingRefused as exc:
        return refused(exc)


@router.post("/bookings/{booking_id}/check-in", response_model=BookingOut, responses=REFUSALS)
async def check_in_own(request: Request, viewer: Owner, booking_id: BookingId) -> Response | BookingOut:
    service = bookings_of(request)
    try:
        return booking_out(service, await service.check_in(booking_id), viewer.person)
    except BookingRefused as exc:
        return refused(exc)


@router.post("/bookings/{booking_id}/approve", response_model=BookingOut, responses=REFUSALS)
async def approve(request: Request, viewer: Office, booking_id: BookingId) -> Response | BookingOut:
    service = bookings_of(request)
    try:
        return booking_out(service, await service.approve(viewer.person, booking_id))
    except BookingRefused as exc:
        return refused(exc)


@router.post("/bookings/{booking_id}/decline", response_model=BookingOut, responses=REFUSALS)
async def decline(request: Request, viewer: Office, booking_id: BookingId,
                  reason: Annotated[str, Query(max_length=500)] = "") -> Response | BookingOut:
    service = bookings_of(request)
    try:
        return booking_out(service, await service.decline(viewer.person, booking_id, reason))
    except BookingRefused as exc:
        return refused(exc)


@router.post("/waitlist", status_code=201, response_model=WaitOut, responses=REFUSALS)
async def wait(request: Request, viewer: Maker, body: Annotated[NewBooking, Body()]) -> Response | WaitOut:
    service = bookings_of(request)
    tz = ZoneInfo(str(service.tz))
    try:
        row = await service.wait(viewer.person, body.space, _aware(body.start, tz), _aware(body.end, tz),
                                 body.people, org_id=body.enterprise, for_user=body.for_user)
    except BookingRefused as exc:
        return refused(exc)
    return WaitOut(id=row.id, space=row.space_id, start=datetime.fromtimestamp(row.start, UTC),
                   end=datetime.fromtimestamp(row.end, UTC), state=row.state)


@router.post("/check-in", response_model=BookingOut, responses=REFUSALS)
async def check_in_code(request: Request, viewer: Annotated[Viewer, Depends(need("booking.manage", code_resource))],
                        body: Annotated[CheckIn, Body()]) -> Response | BookingOut:
    """The park office scans or types a booker's code."""
    service = bookings_of(request)
    try:
        row = await service.by_code(body.code)
        return booking_out(service, await service.check_in(row.id))
    except BookingRefused as exc:
        return refused(exc)


@router.get("/bookings/{booking_id}/calendar.ics", response_class=Response, responses=REFUSALS)
async def calendar(request: Request, viewer: Owner, booking_id: BookingId) -> Response:
    service = bookings_of(request)
    row = await web_of(request).store.bookings.get(booking_id)
    if row is None:
        return JSONResponse({"detail": "no such booking"}, status_code=404)
    space = await web_of(request).store.spaces.get(row.space_id)
    assert space is not None
    return Response(ics(row, space, service.code(row.id), service.clock.now()), media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="booking-{row.id}.ics"'})

