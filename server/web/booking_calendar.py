"""The park office's calendar of the whole park: a day or a week of all its spaces (rows:
spaces; columns: the day's hours or the week's days; bookings as blocks with their
state) and the utilization by space and by local hour of the day (tables, and ECharts
bars beside them through ``static/charts.js``). On a phone the grid gives way to a list
of the day's (or each day's) bookings. ``booking.manage`` in the park."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from server.bookings.service import at
from server.bookings.utilization import ParkCalendar, park_calendar
from server.web.booking_api import bookings_of
from server.web.booking_office import ParkId, ParkOffice, _percent
from server.web.guard import web_of
from server.web.park_console import park_names
from server.web.render import render
from world.bookings.check import week_of
from world.bookings.slots import wall_clock

router = APIRouter(prefix="/console", include_in_schema=False)
DEFAULT_HOURS = (8, 20)  # the day's columns when no space opens that day
TOP_SPACES = 30  # the chart's bars (the table lists every space)


def _chart(kind: str, labels: list[str], name: str, data: list[int | None]) -> str:
    return json.dumps({"kind": kind, "labels": labels, "series": [{"name": name, "data": data}]},
                      ensure_ascii=False).replace("</", "<\\/")


def _pct(value: float | None) -> int | None:
    return None if value is None else int(100 * value + 0.5)


def _hours_of(cal: ParkCalendar) -> tuple[int, int]:
    """The day's columns: from the earliest opening to the latest closing of its spaces."""
    day = cal.days[0]
    spans = [(o.start, o.end) for s in cal.spaces if s.rules is not None and day not in s.rules.blackout
             for o in s.rules.opening if o.weekday == day.weekday()]
    if not spans:
        return DEFAULT_HOURS
    return min(a for a, _ in spans) // 60, min(24, -(-max(b for _, b in spans) // 60))


def _blocks(cal: ParkCalendar, tz: Any, lo: datetime, span_minutes: float) -> list[list[dict[str, Any]]]:
    """Per space, its bookings of the first day as blocks placed in [lo, lo + span)."""
    out = []
    for s in cal.spaces:
        row = []
        for b in s.days[0].bookings:
            left = max(0.0, (b.start - lo).total_seconds() / 60)
            right = min(span_minutes, (b.end - lo).total_seconds() / 60)
            if right <= left:
                continue
            row.append({"b": b, "start": b.start.astimezone(tz), "end": b.end.astimezone(tz),
                        "left": round(100 * left / span_minutes, 3),
                        "width": round(100 * (right - left) / span_minutes, 3)})
        out.append(row)
    return out


@router.get("/park/{park}/calendar", response_class=HTMLResponse)
async def calendar(request: Request, viewer: ParkOffice, park: ParkId,
                   day: Annotated[date | None, Query(description="the local day (or any day of the week)")] = None,
                   view: Annotated[Literal["day", "week"], Query()] = "day") -> Response:
    web = web_of(request)
    service = bookings_of(request)
    tz = service.tz
    today = at(service.clock.now()).astimezone(tz).date()
    shown = day or today
    first = shown if view == "day" else week_of(shown)
    count = 1 if view == "day" else 7
    cal = await park_calendar(web.store, tz, park, first, count)
    t = web.texts.translate
    lang = viewer.lang
    names = park_names(web, park)
    park_name = names[0] if lang == "zh" else names[1]
    ticks: list[dict[str, Any]] = []
    blocks: list[list[dict[str, Any]]] = []
    if view == "day":  # placed by real time: on the days the clocks change an hour is missing or twice as long
        h0, h1 = _hours_of(cal)
        lo = wall_clock(first, h0 * 60, tz) or wall_clock(first, h0 * 60 + 60, tz)
        hi = wall_clock(first, h1 * 60, tz) or wall_clock(first, h1 * 60 + 60, tz)
        assert lo is not None and hi is not None
        span = (hi - lo).total_seconds() / 60
        for h in range(h0, h1):
            mark = wall_clock(first, h * 60, tz)
            if mark is not None:
                ticks.append({"hour": h, "left": round(100 * (mark - lo).total_seconds() / 60 / span, 3)})
        blocks = _blocks(cal, tz, lo, span)
    rows: list[dict[str, Any]] = []
    for s in cal.spaces:
        days = [{"day": d.day, "percent": _percent(d.utilization), "open": d.open_minutes,
                 "bookings": [{"b": b, "start": b.start.astimezone(tz), "end": b.end.astimezone(tz)}
                              for b in d.bookings]} for d in s.days]
        rows.append({"space": s.space, "days": days, "open_h": round(s.open_minutes / 60, 1),
                     "booked_h": round(s.booked_minutes / 60, 1), "percent": _pct(s.utilization)})
    by_hour: list[dict[str, Any]] = [{"hour": h, "open_h": round(cal.hours.open_minutes[h] / 60, 1),
                "booked_h": round(cal.hours.booked_minutes[h] / 60, 1), "percent": _pct(cal.hours.utilization(h))}
               for h in range(24) if cal.hours.open_minutes[h] > 0]
    agenda = sorted(((b["start"], r["space"], b["b"]) for r in rows for d in r["days"] for b in d["bookings"]),
                    key=lambda x: (x[0], x[1].name))
    used = t(lang, "booking.cal.used")
    top = sorted((r for r in rows if r["percent"] is not None), key=lambda r: -int(r["percent"]))[:TOP_SPACES]
    space_chart = _chart("bars", [r["space"].name for r in top], used, [r["percent"] for r in top])
    hour_chart = _chart("line", [f"{h['hour']:02d}:00" for h in by_hour], used, [h["percent"] for h in by_hour])
    step = timedelta(days=count)
    return render(request, viewer, "booking_calendar.html", console="park", park=park, park_name=park_name,
                  view=view, first=first, days=list(cal.days), ticks=ticks, rows=rows, blocks=blocks,
                  by_hour=by_hour, agenda=agenda, total=_percent(cal.utilization), space_chart=space_chart,
                  hour_chart=hour_chart, top=TOP_SPACES, prev=first - step, next=first + step, today=today,
                  month=first.strftime("%Y-%m"), tz=str(tz))
