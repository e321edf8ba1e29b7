"""A registration for an event as a calendar file (``.ics``, RFC 5545, ``icalendar``)."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from server.db.showcases import EventRow, RegistrationRow


def ics(event: EventRow, registration: RegistrationRow | None, now: float, lang: str = "zh") -> bytes:
    """The event as one VEVENT: confirmed for a confirmed registration, tentative while
    waitlisted (or without a registration), cancelled when either is."""
    cal = Calendar()
    cal.add("prodid", "-//Cloud Park//showcases//EN")
    cal.add("version", "2.0")
    item = Event()
    user = registration.user if registration is not None else "guest"
    item.add("uid", f"showcase-{event.id}-{user}@cloudpark")
    item.add("dtstamp", datetime.fromtimestamp(now, UTC))
    item.add("dtstart", datetime.fromtimestamp(event.start, UTC))
    item.add("dtend", datetime.fromtimestamp(event.end, UTC))
    pure = event.event
    item.add("summary", pure.title(lang))
    item.add("location", f"{event.park_id} · {event.stage_id}")
    description = pure.description(lang)
    if registration is not None and registration.state == "waitlisted":
        place = f"waitlist place {registration.place}" if lang != "zh" else f"候补第 {registration.place} 位"
        description = f"{place}\n{description}".strip()
    if description:
        item.add("description", description)
    cancelled = event.state == "cancelled" or (registration is not None and registration.state == "cancelled")
    confirmed = registration is not None and registration.state == "confirmed"
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED" if confirmed else "TENTATIVE")
    cal.add_component(item)
    return bytes(cal.to_ical())
