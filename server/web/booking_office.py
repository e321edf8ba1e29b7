"""The park office's look at its spaces over time: a space's week (each local day's
bookings and how much of the open time was booked: ``world.bookings.usage``) and a
month of the park's bookings as a CSV file (every state, in the zone's local time; the
export is audit-logged). Both need ``booking.manage`` in the space's park."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.bookings.service import at
from server.bookings.spec import rules_of
from server.db.bookings import BookingRow
from server.web.booking_api import bookings_of
from server.web.booking_pages import SpaceId, SpaceOffice, _local
from server.web.guard import Viewer, need, web_of
from server.web.park_console import park_resource
from server.web.render import render
from world.bookings.check import Booking, week_of
from world.bookings.usage import share, week_usage

router = APIRouter(prefix="/console", include_in_schema=False)
ParkOffice = Annotated[Viewer, Depends(need("booking.manage", park_resource))]
ParkId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
Month = Annotated[str, Query(pattern=r"^(20\d\d|21\d\d)-(0[1-9]|1[0-2])$", description="YYYY-MM, local time")]
CSV_COLUMNS = ("booking", "space_id", "space", "day", "start", "end", "minutes", "state", "enterprise",
               "booked_by", "for_user", "people", "series", "note", "created")


def _pure_of(r: BookingRow) -> Booking:
    return Booking(r.id, str(r.space_id), at(r.start), at(r.end), r.for_user, r.org_id, r.state, r.people)


def _percent(value: float | None) -> str:
    return "-" if value is None else str(int(100 * value + 0.5))  # 12.5 % shows as 13


@router.get("/park/spaces/{space_id}/week", response_class=HTMLResponse)
async def week(request: Request, viewer: SpaceOffice, space_id: SpaceId,
               day: Annotated[date | None, Query(description="any day of the week shown")] = None) -> Response:
    service = bookings_of(request)
    space = await web_of(request).store.spaces.get(space_id)
    if space is None:
        return render(request, viewer, "error.html", status=404, message="error.not_found", fields=[])
    monday = week_of(day or _local(service, service.clock.now()).date())
    lo, _ = service.day_range(monday)
    hi, _ = service.day_range(monday + timedelta(days=7))
    rows = await web_of(request).store.bookings.holding(space.id, lo - 86400, hi + 86400)
    days = week_usage(rules_of(space), monday, [_pure_of(r) for r in rows], service.tz)
    shown = [{"day": d.day, "open": d.open_minutes, "booked": d.booked_minutes, "percent": _percent(d.utilization),
              "bookings": [{"b": b, "start": b.start.astimezone(service.tz), "end": b.end.astimezone(service.tz)}
                           for b in d.bookings]} for d in days]
    return render(request, viewer, "booking_week.html", console="park", space=space, days=shown, monday=monday,
                  prev=monday - timedelta(days=7), next=monday + timedelta(days=7),
                  total=_percent(share(days)))


@router.get("/park/{park}/bookings.csv")
async def month_csv(request: Request, viewer: ParkOffice, park: ParkId, month: Month) -> Response:
    web = web_of(request)
    service = bookings_of(request)
    first = date(int(month[:4]), int(month[5:]), 1)
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    lo, _ = service.day_range(first)
    hi, _ = service.day_range(following)
    spaces = {s.id: s.name for s in await web.store.spaces.find(park_id=park, retired=True)}
    names: dict[int, str] = {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for r in await web.store.bookings.of_park(park, lo, hi):
        if r.org_id is not None and r.org_id not in names:
            org = await web.store.orgs.get(r.org_id)
            names[r.org_id] = org.name if org is not None else ""
        start, end = _local(service, r.start), _local(service, r.end)
        writer.writerow([_cell(str(v)) for v in (
            r.id, r.space_id, spaces.get(r.space_id, ""), start.date().isoformat(), start.strftime("%H:%M"),
            end.strftime("%H:%M"), int((r.end - r.start) // 60), r.state, names.get(r.org_id or 0, ""),
            r.booked_by, r.for_user, r.people, r.series_id or "", r.note,
            _local(service, r.created).isoformat(timespec="minutes"))])
    await web.store.audit.add(viewer.person.user_id, "booking.export", f"park:{park}", {"month": month},
                              now=web.clock.now())
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="bookings-{park}-{month}.csv"'})


def _cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: quote it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
