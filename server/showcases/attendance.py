"""What an organizer sees after the event: who registered, who came, how long they
stayed, the peak concurrency, the questions and the poll results; and the CSV export.
Computed from the rows (no I/O here).

A person's time is the union of their visits (in any instance, joined to left, a visit
still open counted until ``until``: the end of the event, or now while it lasts),
clipped to the event's start and end (someone in the park before the start counts from
the start). The peak is the largest number of people present at once (a person in two
instances at the same moment is counted once), with the moment it was first reached.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from server.db.showcases import AttendanceRow, EventRow, PollRow, QuestionRow, RegistrationRow
from world.showcases.polls import Tally

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Person:
    user: str
    registration: str  # confirmed, waitlisted, cancelled or "" (came without registering)
    came: bool
    first_joined: float | None
    last_left: float | None
    minutes: float
    instances: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PollResult:
    poll: PollRow
    tally: Tally


@dataclass(frozen=True, slots=True)
class Summary:
    event_id: int
    registered: int  # confirmed
    waitlisted: int
    cancelled: int
    came: int  # distinct people who were there
    came_registered: int  # of the confirmed, how many came
    minutes_total: float
    minutes_average: float  # per person who came
    peak: int
    peak_at: float | None
    peak_by_instance: dict[str, int]
    questions: int
    answered: int
    hidden: int
    top_questions: tuple[QuestionRow, ...]
    polls: tuple[PollResult, ...]
    people: tuple[Person, ...] = field(default_factory=tuple)


def union(intervals: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for lo, hi in sorted(intervals):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def peak(per_person: dict[str, list[Interval]]) -> tuple[int, float | None]:
    """The most people present at once and when that was first reached (a leave at the
    same moment as a join counts first: back-to-back visits do not overlap)."""
    edges: list[tuple[float, int]] = []
    for spans in per_person.values():
        for lo, hi in union(spans):
            edges += [(lo, 1), (hi, -1)]
    edges.sort(key=lambda e: (e[0], e[1]))
    now = best = 0
    at: float | None = None
    for moment, step in edges:
        now += step
        if now > best:
            best, at = now, moment
    return best, at


def summarise(event: EventRow, registrations: Sequence[RegistrationRow], visits: Sequence[AttendanceRow],
              questions: Sequence[QuestionRow], polls: Sequence[PollResult], *, until: float) -> Summary:
    end = min(event.end, until)
    spans: dict[str, list[Interval]] = {}
    by_instance: dict[str, dict[str, list[Interval]]] = {}
    firsts: dict[str, float] = {}
    lasts: dict[str, float] = {}
    rooms: dict[str, list[str]] = {}
    for v in visits:
        lo = max(v.joined, event.start)
        hi = min(v.left if v.left is not None else until, end)
        firsts[v.user] = min(firsts.get(v.user, v.joined), v.joined)
        lasts[v.user] = max(lasts.get(v.user, v.joined), v.left if v.left is not None else until)
        rooms.setdefault(v.user, [])
        if v.instance not in rooms[v.user]:
            rooms[v.user].append(v.instance)
        if hi > lo:
            spans.setdefault(v.user, []).append((lo, hi))
            by_instance.setdefault(v.instance, {}).setdefault(v.user, []).append((lo, hi))
    minutes = {u: sum(hi - lo for lo, hi in union(s)) / 60.0 for u, s in spans.items()}
    came = set(rooms)
    states = {r.user: r.state for r in registrations}
    confirmed = {u for u, s in states.items() if s == "confirmed"}
    top, at = peak(spans)
    people = tuple(
        Person(u, states.get(u, ""), u in came, firsts.get(u), lasts.get(u), round(minutes.get(u, 0.0), 2),
               tuple(rooms.get(u, ())))
        for u in sorted(set(states) | came))
    total = sum(minutes.values())
    ranked = sorted((q for q in questions if q.state != "hidden"), key=lambda q: (-q.votes, q.created, q.id))
    return Summary(
        event.id, len(confirmed), sum(1 for s in states.values() if s == "waitlisted"),
        sum(1 for s in states.values() if s == "cancelled"), len(came), len(confirmed & came), round(total, 2),
        round(total / len(came), 2) if came else 0.0, top, at,
        {name: peak(per)[0] for name, per in sorted(by_instance.items())},
        len(questions), sum(1 for q in questions if q.state == "answered"),
        sum(1 for q in questions if q.state == "hidden"), tuple(ranked[:10]), tuple(polls), people)


HEADER = ("user", "registration", "came", "first_joined", "last_left", "minutes", "instances")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # never a formula


def to_csv(summary: Summary, tz: tzinfo) -> bytes:
    """One row per person (registered or came), local times, UTF-8 with a byte-order mark
    (spreadsheets); cells that would start a formula are quoted."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(HEADER)

    def local(moment: float | None) -> str:
        return "" if moment is None else datetime.fromtimestamp(moment, tz).isoformat(timespec="seconds")
    for p in summary.people:
        w.writerow([_cell(p.user), p.registration, "yes" if p.came else "no", local(p.first_joined),
                    local(p.last_left), f"{p.minutes:.1f}", _cell(" ".join(p.instances))])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
