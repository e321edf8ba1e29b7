"""Showcase events on the web, on both engines with a ManualClock: an organizer
schedules through the console form (every refusal beside its field, in zh and en,
nothing typed lost; an overlap on the stage offers free starts), visitors find the
event on the portal, the park's list and the employee console, register up to the
quota and then wait in line, cancel (the next in line moves up), download the .ics."""

from __future__ import annotations

import re

import pytest
from icalendar import Calendar

from tests.server.conftest import database_url, pg_template  # noqa: F401 - the fixtures: a fresh database on each engine
from tests.web.showcase_app import PARK, ShowcaseApp, event_form, problems, sc  # noqa: F401

pytestmark = pytest.mark.anyio


async def _schedule(sc: ShowcaseApp, user: str = "orla", **changes: str) -> int:  # noqa: F811
    csrf = await sc.as_(user)
    made = await sc.post("/console/showcases/new", event_form(**changes), csrf)
    assert made.status_code == 303, made.text
    return int(re.search(r"/console/showcases/(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]


async def test_an_organizer_schedules_and_everyone_finds_the_event(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    page = await sc.get(f"/console/showcases/{event}?note=scheduled")
    assert page.status_code == 200 and "The event is scheduled and its stage booked." in page.text
    assert sc.bus.of("stage.changed")[-1] == {"park": PARK, "event": event}
    await sc.as_(None)
    for path in ("/", "/events", f"/events?park={PARK}"):
        listed = await sc.get(path, "zh")
        assert "新品发布会" in listed.text and f"/events/{event}" in listed.text, path
        assert "2026-01-05 14:00–16:00" in listed.text and "剩余 100 个名额" in listed.text
    portal = (await sc.get("/")).text
    card = portal[portal.index(f'id="park-{PARK}"'):]
    assert card.index(f'href="/events?park={PARK}"') < card.index("</li>")  # the park's card leads to its events
    other = portal[portal.index('id="park-751-d-park"'):]
    assert "/events?park=751-d-park" not in other[:other.index("</li>")]
    shown = await sc.get(f"/events/{event}")
    assert "Spring launch" in shown.text and "The spring collection" in shown.text and "Pam Staff" in shown.text
    assert f'href="/web/{PARK}/?server=' in shown.text and "Sign in to register" in shown.text


async def test_every_refusal_is_shown_beside_its_field_and_nothing_typed_is_lost(sc: ShowcaseApp) -> None:  # noqa: F811
    csrf = await sc.as_("orla")
    bad = event_form(title_zh="", start="2026-01-05T16:00", end="2026-01-05T15:00", capacity="0",
                     title_en="Kept title")
    refused = await sc.post("/console/showcases/new", bad, csrf)
    assert refused.status_code == 422
    found = problems(refused.text)
    assert found["title_zh"] == ["the Chinese title is empty"]
    assert found["end"] == ["the end must come after the start"]
    assert found["capacity"] == ["the capacity must be at least 1 person"]
    assert 'value="Kept title"' in refused.text and 'value="2026-01-05T16:00"' in refused.text
    zh = await sc.post("/console/showcases/new", bad, csrf, lang="zh")
    assert problems(zh.text)["end"] == ["结束时间必须晚于开始时间。"]
    assert problems(zh.text)["capacity"] == ["可容纳人数须在 1 到 100,000 之间。"]
    unreadable = await sc.post("/console/showcases/new", event_form(start="tomorrow", capacity="many"), csrf)
    assert unreadable.status_code == 422
    assert problems(unreadable.text)["start"] == ["'tomorrow' is not a date and time (YYYY-MM-DDTHH:MM)"]
    assert problems(unreadable.text)["capacity"] == ["'many' is not a whole number"]
    over = await sc.post("/console/showcases/new", event_form(capacity="10", quota="11", presenters="nobody-here"),
                         csrf)
    assert problems(over.text)["quota"][0].startswith("the registration quota (11) is more than the")
    assert problems(over.text)["presenters"] == ["there is no account nobody-here"]
    assert await sc.store.showcases.of_organizer("orla") == []


async def test_an_overlap_on_the_stage_is_refused_with_the_free_starts(sc: ShowcaseApp) -> None:  # noqa: F811
    await _schedule(sc, start="14:00", end="16:00")
    csrf = await sc.as_("otis")
    taken = await sc.post("/console/showcases/new", event_form(start="15:00", end="16:00", title_en="Other"), csrf)
    assert taken.status_code == 409
    assert "start" in problems(taken.text) and 'id="sc-alternatives"' in taken.text
    assert "<code>01-05 16:00</code>" in taken.text
    zh = await sc.post("/console/showcases/new", event_form(start="15:00", end="16:00"), csrf, lang="zh")
    assert problems(zh.text)["start"] == ["舞台在这个时间已被预订（与其他活动重叠）。"]
    after = await sc.post("/console/showcases/new", event_form(start="16:00", end="17:00"), csrf)
    assert after.status_code == 303


async def test_registration_fills_the_quota_then_the_waitlist_and_a_cancel_moves_the_line(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc, quota="2", capacity="50", registration="required")
    places = {}
    for user in ("v0", "v1", "v2", "v3"):
        csrf = await sc.as_(user)
        done = await sc.post(f"/events/{event}/register", {}, csrf)
        assert done.status_code == 303
        page = await sc.get(done.headers["location"])
        places[user] = re.search(r'<p id="sc-mine">(.*?)</p>', page.text).group(1)  # type: ignore[union-attr]
    assert places == {"v0": "You are registered (confirmed).", "v1": "You are registered (confirmed).",
                      "v2": "You are number 1 on the waitlist.", "v3": "You are number 2 on the waitlist."}
    page = await sc.get(f"/events/{event}?note=waitlisted")
    assert "you are number 2 on the waitlist" in page.text and "Full · 2 on the waitlist" in page.text
    csrf = await sc.as_("v0")
    gone = await sc.post(f"/events/{event}/unregister", {}, csrf)
    assert gone.status_code == 303
    again = await sc.post(f"/events/{event}/unregister", {}, csrf)
    assert again.status_code == 409 and "you are not registered for this event" in again.text
    await sc.as_("v2")
    assert "You are registered (confirmed)." in (await sc.get(f"/events/{event}")).text
    assert "showcase.notice.promoted.title" in [n.notice.title_key for n in await sc.store.inbox.page("v2", limit=9)]
    await sc.as_("v3")
    assert "You are number 1 on the waitlist." in (await sc.get(f"/events/{event}")).text


async def test_guests_are_sent_to_sign_in_and_the_ics_follows_the_registration(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    csrf = await sc.as_(None)
    refused = await sc.post(f"/events/{event}/register", {}, csrf)
    assert refused.status_code == 303 and refused.headers["location"].startswith("/signin")
    guest = Calendar.from_ical((await sc.get(f"/events/{event}.ics")).content)
    assert [str(e["status"]) for e in guest.walk("VEVENT")] == ["TENTATIVE"]
    csrf = await sc.as_("v1")
    await sc.post(f"/events/{event}/register", {}, csrf)
    got = await sc.get(f"/events/{event}.ics", "zh")
    assert got.headers["content-type"].startswith("text/calendar")
    assert 'filename="event-' in got.headers["content-disposition"]
    (item,) = Calendar.from_ical(got.content).walk("VEVENT")
    assert (str(item["status"]), str(item["summary"])) == ("CONFIRMED", "新品发布会")
    assert item.decoded("dtstart").isoformat() == "2026-01-05T06:00:00+00:00"
    console = await sc.get("/console/employee")
    assert console.status_code in (200, 403)
    missing = await sc.get("/events/999999")
    assert missing.status_code == 404


async def test_the_employee_console_lists_my_registrations_first(sc: ShowcaseApp) -> None:  # noqa: F811
    first = await _schedule(sc, start="10:00", end="11:00", title_en="Morning talk")
    second = await _schedule(sc, start="14:00", end="15:00", title_en="Afternoon launch")
    csrf = await sc.as_("emil")
    await sc.post(f"/events/{second}/register", {}, csrf)
    page = (await sc.get("/console/employee")).text
    section = page[page.index('id="events"'):]
    mine, coming = section.index("Events I registered for"), section.index("Live and upcoming events")
    assert mine < section.index("Afternoon launch") < coming < section.index("Morning talk")
    assert f"/events/{first}" in section and f"/events/{second}" in section


async def test_only_organizers_and_park_staff_open_the_console_and_staff_only_their_parks(sc: ShowcaseApp) -> None:  # noqa: F811
    await sc.as_("orla")
    assert 'href="/console/showcases"' in (await sc.get("/console/")).text  # an organizer's way in
    await sc.as_("v1")
    assert (await sc.get("/console/showcases")).status_code == 403
    assert 'href="/console/showcases"' not in (await sc.client.get("/console/", follow_redirects=True)).text
    csrf = await sc.as_("pam")
    assert (await sc.get("/console/showcases")).status_code == 200
    elsewhere = await sc.post("/console/showcases/new", event_form(park_id="751-d-park"), csrf)
    assert elsewhere.status_code == 403
    event = await _schedule(sc, "pam")
    csrf = await sc.as_("otis")
    assert (await sc.get(f"/console/showcases/{event}")).status_code == 403
    assert (await sc.post(f"/console/showcases/{event}/cancel", {"reason": "x"}, csrf)).status_code == 403


async def test_browser_watchers_ask_upvote_and_vote_on_the_event_page(sc: ShowcaseApp) -> None:  # noqa: F811
    event = await _schedule(sc)
    csrf = await sc.as_("v0")
    long = "why " * 100
    refused = await sc.post(f"/events/{event}/ask", {"text": long}, csrf)
    assert refused.status_code == 422 and "a question has at most 300 characters" in refused.text
    assert long.strip() in refused.text  # kept in the box
    assert (await sc.post(f"/events/{event}/ask", {"text": "Will it ship abroad?"}, csrf)).status_code == 303
    (q,) = await sc.store.showcases.questions(event)
    assert {"event": event, "question": q.id} in sc.bus.of("showcase.qa")  # the halls are told
    csrf = await sc.as_("v1")
    assert (await sc.post(f"/events/{event}/questions/{q.id}/upvote", {}, csrf)).status_code == 303
    twice = await sc.post(f"/events/{event}/questions/{q.id}/upvote", {}, csrf, lang="zh")
    assert twice.status_code == 422 and "你已经顶过这个问题。" in twice.text
    page = (await sc.get(f"/events/{event}")).text
    assert "▲ 1</span> Will it ship abroad?" in page and "Take my vote back" in page
    poll = await sc.service.create_poll(await _person(sc, "orla"), event, "Which colour?", ["red", "green"])
    await sc.service.open_poll(poll.id)
    assert (await sc.post(f"/events/{event}/polls/{poll.id}/vote", {"choice": "1"}, csrf)).status_code == 303
    assert (await sc.service.poll_view(poll.id, "v1")).mine == frozenset({1})
    page = (await sc.get(f"/events/{event}")).text
    assert "green · <strong>1</strong>" in page and "Change my vote" in page
    await sc.service.close_poll(poll.id)
    late = await sc.post(f"/events/{event}/polls/{poll.id}/vote", {"choice": "0"}, csrf)
    assert late.status_code == 409 and "this poll is closed: votes are no longer counted" in late.text
    await sc.as_(None)
    guest = (await sc.get(f"/events/{event}")).text
    assert "Will it ship abroad?" in guest and "Sign in to ask and vote" in guest and 'id="sc-ask"' not in guest


async def _person(sc: ShowcaseApp, user: str) -> object:  # noqa: F811
    return await sc.app.state.web.accounts.person(await sc.store.accounts.get(user))
