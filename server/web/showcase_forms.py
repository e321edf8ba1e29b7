"""The organizer's event form: what the browser sends, read into a
``world.showcases.events.EventDraft`` (times in the zone's local time), and every
refusal shown beside its field in the viewer's language.

Reading the form only parses (a time that is no time, a capacity that is no number);
every rule of an event is the showcase service's (``ShowcaseRefused``: code, field,
sentence), so the page and the API refuse the same things. A problem is shown under
its field: the catalogue's ``showcase.problem.<code>`` in Chinese, the service's own
precise sentence in English (it names the numbers: "at most 120 characters (130
given)"); a code the catalogue does not know shows that sentence in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from server.db.showcases import EventRow
from world.bookings.check import Problem
from world.i18n import Texts
from world.showcases.events import EventDraft

LOCAL = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">
FIELDS = ("title_zh", "title_en", "description_zh", "description_en", "park_id", "stage_id", "start", "end",
          "presenters", "capacity", "registration", "quota", "stream_url", "words")
SPLIT = re.compile(r"[\s,，;；、]+")
# where a problem of the service is shown when its field is not one of the form's
SHOWN_AT = {"event": "form", "space": "form", "booking": "form", "people": "capacity", "booker": "form",
            "user": "form"}


@dataclass
class EventForm:
    """The form's fields as typed (shown again after a refusal, nothing lost)."""

    title_zh: str = ""
    title_en: str = ""
    description_zh: str = ""
    description_en: str = ""
    park_id: str = ""
    stage_id: str = "main"
    start: str = ""
    end: str = ""
    presenters: str = ""
    capacity: str = "100"
    registration: str = "open"
    quota: str = ""
    premoderate: bool = False
    words: str = ""
    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def of(cls, data: Any) -> EventForm:
        def text(name: str, default: str = "") -> str:
            value = data.get(name, default)
            return value.strip() if isinstance(value, str) else default

        return cls(title_zh=text("title_zh"), title_en=text("title_en"), description_zh=text("description_zh"),
                   description_en=text("description_en"), park_id=text("park_id"),
                   stage_id=text("stage_id", "main") or "main", start=text("start"), end=text("end"),
                   presenters=text("presenters"), capacity=text("capacity"),
                   registration=text("registration", "open"), quota=text("quota"),
                   premoderate=text("premoderate") in ("1", "on", "true"), words=text("words"))

    @classmethod
    def of_event(cls, row: EventRow, tz: tzinfo) -> EventForm:
        return cls(title_zh=row.title_zh, title_en=row.title_en, description_zh=row.description_zh,
                   description_en=row.description_en, park_id=row.park_id, stage_id=row.stage_id,
                   start=local_input(row.start, tz), end=local_input(row.end, tz),
                   presenters=", ".join(row.presenters), capacity=str(row.capacity),
                   registration=row.registration, quota="" if row.quota is None else str(row.quota),
                   premoderate=row.premoderate, words=", ".join(row.words))

    def _moment(self, name: str, tz: tzinfo) -> datetime | None:
        value = getattr(self, name)
        if not value:
            self.problems.append(Problem("required", name, f"give the {name} (date and time)"))
            return None
        try:
            return datetime.strptime(value[:16], LOCAL).replace(tzinfo=tz).astimezone(UTC)
        except ValueError:
            self.problems.append(Problem("bad_time", name, f"{value!r} is not a date and time (YYYY-MM-DDTHH:MM)"))
            return None

    def _number(self, name: str, *, optional: bool = False) -> int | None:
        value = getattr(self, name)
        if optional and not value:
            return None
        if not re.fullmatch(r"-?\d{1,9}", value):
            self.problems.append(Problem("number", name, f"{value!r} is not a whole number"))
            return None
        return int(value)

    def draft(self, tz: tzinfo) -> EventDraft | None:
        """The draft the service checks; None when a field could not even be read
        (``problems`` names it)."""
        self.problems = []
        start, end = self._moment("start", tz), self._moment("end", tz)
        capacity = self._number("capacity")
        quota = self._number("quota", optional=True)
        if start is None or end is None or capacity is None or self.problems:
            return None
        return EventDraft(park_id=self.park_id, stage_id=self.stage_id, title_zh=self.title_zh,
                          title_en=self.title_en, start=start, end=end, capacity=capacity,
                          registration=self.registration, quota=quota, description_zh=self.description_zh,
                          description_en=self.description_en, presenters=self.presenter_list)

    @property
    def presenter_list(self) -> tuple[str, ...]:
        return tuple(p for p in SPLIT.split(self.presenters) if p)

    @property
    def word_list(self) -> tuple[str, ...]:
        return tuple(w for w in SPLIT.split(self.words) if w)


def local_input(moment: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(moment, UTC).astimezone(tz).strftime(LOCAL)


def problem_text(texts: Texts, lang: str, p: Problem) -> str:
    """One refusal in the viewer's language (see the module's docstring)."""
    key = f"showcase.problem.{p.code}"
    if lang == "en" or key not in texts.keys() or not p.code:
        return p.message
    return texts.translate(lang, key)


def by_field(texts: Texts, lang: str, found: list[Problem] | tuple[Problem, ...]) -> dict[str, list[str]]:
    """Field name -> the sentences shown under it (``form``: at the top of the form)."""
    out: dict[str, list[str]] = {}
    for p in found:
        name = p.field if p.field in FIELDS else SHOWN_AT.get(p.field, "form")
        out.setdefault(name, []).append(problem_text(texts, lang, p))
    return out
