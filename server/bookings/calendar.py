"""A booking as a calendar file (``.ics``, RFC 5545, with ``icalendar``) and its check-in
code as a QR code (SVG, with ``segno``)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import segno
from icalendar import Calendar, Event

from server.bookings.codes import shown
from server.db.bookings import BookingRow
from server.db.spaces import Space


def ics(row: BookingRow, space: Space, code: str, now: float) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Cloud Park//bookings//EN")
    cal.add("version", "2.0")
    event = Event()
    event.add("uid", f"booking-{row.id}@cloudpark")
    event.add("dtstamp", datetime.fromtimestamp(now, UTC))
    event.add("dtstart", datetime.fromtimestamp(row.start, UTC))
    event.add("dtend", datetime.fromtimestamp(row.end, UTC))
    event.add("summary", space.name)
    event.add("location", " · ".join(p for p in (space.park_id, space.building, space.name) if p))
    event.add("description", f"check-in code {shown(code)} · {row.people} · booking {row.id}")
    event.add("status", "CANCELLED" if row.state in ("cancelled", "declined", "expired", "released")
              else "TENTATIVE" if row.state in ("pending", "offered") else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (what the park office's scanner reads). A full QR
    code, never a Micro QR (segno picks one for a payload this short): Micro QR has one
    finder pattern and phone cameras, BarcodeDetector and jsQR do not read it. A viewBox and
    no fixed size, so the page's CSS sizes it (a fixed 150 px box was not scaled)."""
    out = io.BytesIO()
    segno.make(f"CP:{code}", error="m", micro=False).save(out, kind="svg", scale=6, border=2, xmldecl=False,
                                                          svgns=True, omitsize=True, title=shown(code))
    return out.getvalue().decode()
