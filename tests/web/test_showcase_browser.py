"""In Debian's Chromium (Playwright): an organizer schedules a showcase at 798 Art Zone
on a phone, a visitor finds it on the portal, registers and downloads the .ics, the
organizer goes live with ffmpeg's test pattern through the web app's own supervisor,
the stream's live.m3u8 appears under /streams/<id>/ and the visitor's page plays it
(hls.js, frames moving), the organizer ends the event and the replay is listed and
plays. Screenshots: build/screenshots/web/showcase-*.png."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from server.accounts import Accounts
from server.bus import InProcessBus
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts
from tests.day import SHANGHAI, ParkedClock
from tests.web.chromium import fits, launched, sign_in
from tests.web.conftest import LiveServer
from tests.web.people import PASSWORD, seed_people

SHOTS = Path("build/screenshots/web")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PARK = "798-art-zone"


class ShowcaseServer(LiveServer):
    """The web app under uvicorn with an organizer and a visitor, its wall clock parked
    at a quarter hour (at most 21:00 in Shanghai: the event's hour stays in the day)."""

    clock = ParkedClock()

    async def _main(self) -> None:
        store = await Store.open(self.config.database_url)
        await seed_people(store, self.config.scrypt_n)
        await Accounts(store, scrypt_n=self.config.scrypt_n).create("orla", PASSWORD, "Orla Organizer", "organizer",
                                                                    now=1.0)
        app = create_app(self.config, store, InProcessBus(), self.clock, texts=load_texts(strict=True))
        await self._serve(app, store)  # uvicorn's shutdown runs the app's lifespan: the streams stop


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShowcaseServer]:
    live = ShowcaseServer(tmp_path_factory.mktemp("showcase") / "data").start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with launched() as browser:
        yield browser


def _playing(page: Any) -> float:
    """Seconds the page's video advanced while we waited (0: it never played)."""
    page.wait_for_function("document.getElementById('sc-video') && "
                           "document.getElementById('sc-video').readyState >= 2", timeout=30_000)
    page.evaluate("document.getElementById('sc-video').play()")
    first = page.evaluate("document.getElementById('sc-video').currentTime")
    page.wait_for_function(f"document.getElementById('sc-video').currentTime > {first} + 1.0", timeout=20_000)
    return float(page.evaluate("document.getElementById('sc-video').currentTime") - first)


def test_an_organizer_goes_live_at_798_and_a_visitor_registers_watches_and_gets_the_replay(
        chromium: Any, server: ShowcaseServer) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is missing: run bash tools/setup.sh")
    SHOTS.mkdir(parents=True, exist_ok=True)
    start = datetime.fromtimestamp(server.clock.now(), SHANGHAI) + timedelta(minutes=10)
    end = start + timedelta(minutes=60)

    organizer = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    org = sign_in(organizer, server.url, "orla")
    org.goto(f"{server.url}/console/showcases/new?park={PARK}")
    org.fill("#f-title_zh", "798 春季新品发布会")
    org.fill("#f-title_en", "798 spring launch")
    org.fill("#f-description_zh", "设计师现场讲解春季系列，欢迎提问。")
    org.fill("#f-description_en", "The designers present the spring collection; bring your questions.")
    org.fill("#f-start", start.strftime("%Y-%m-%dT%H:%M"))
    org.fill("#f-end", (start - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"))  # wrong first
    org.fill("#f-presenters", "pam")
    org.fill("#f-capacity", "200")
    org.fill("#f-quota", "150")
    org.locator("#sc-save").click()
    org.wait_for_load_state()
    assert "结束时间必须晚于开始时间。" in org.locator("[data-field=end]").inner_text()
    assert org.input_value("#f-title_zh") == "798 春季新品发布会"  # nothing typed is lost
    fits(org)
    org.screenshot(path=str(SHOTS / "showcase-form-refused-phone.png"), full_page=True)
    org.fill("#f-end", end.strftime("%Y-%m-%dT%H:%M"))
    org.locator("#sc-save").click()
    org.wait_for_url("**/console/showcases/*?note=scheduled")
    event = int(org.url.split("/console/showcases/")[1].split("?")[0])
    assert "活动已安排，舞台已预订。" in org.locator("#sc-note").inner_text()

    visitor = chromium.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True,
                                   accept_downloads=True)
    vis = sign_in(visitor, server.url, "vera")
    vis.goto(f"{server.url}/")
    card = vis.locator(f".sc-card[data-event='{event}']")
    assert "798 spring launch" in card.inner_text() and "150 seats left" in card.inner_text()
    card.locator("a.sc-title").click()
    vis.wait_for_url(f"**/events/{event}")
    vis.locator("#sc-register").click()
    vis.wait_for_url(f"**/events/{event}?note=registered")
    assert "your seat is confirmed" in vis.locator("#sc-note").inner_text()
    with vis.expect_download() as got:
        vis.locator("#sc-ics").click()
    (item,) = Calendar.from_ical(Path(got.value.path()).read_bytes()).walk("VEVENT")
    assert (str(item["status"]), str(item["summary"])) == ("CONFIRMED", "798 spring launch")
    assert item.decoded("dtstart") == start
    fits(vis)
    vis.screenshot(path=str(SHOTS / "showcase-event-registered-phone.png"), full_page=True)

    org.goto(f"{server.url}/events?park={PARK}")
    assert "798 春季新品发布会" in org.locator(f".sc-card[data-event='{event}']").inner_text()
    fits(org)
    org.screenshot(path=str(SHOTS / "showcase-list-zh-phone.png"), full_page=True)
    org.goto(f"{server.url}/console/showcases/{event}")
    org.locator("input[name=kind][value=test_pattern]").check()
    org.locator("#sc-go-live").click()
    org.wait_for_url("**/console/showcases/*?note=live")
    org.wait_for_function("document.getElementById('sc-manage').dataset.stream === 'live'", timeout=40_000,
                          polling=500)  # the console reloads itself when the stream's state changes
    assert org.locator("#sc-stream-state").inner_text() == "直播流正常"
    playlist = vis.request.get(f"{server.url}/streams/{event}/live.m3u8")
    assert playlist.ok and "#EXT-X-PROGRAM-DATE-TIME" in playlist.text()
    fits(org)
    org.screenshot(path=str(SHOTS / "showcase-console-live-phone.png"), full_page=True)

    vis.goto(f"{server.url}/events/{event}")
    assert vis.locator(".sc-badge").first.inner_text() == "LIVE"
    assert _playing(vis) > 1.0
    vis.screenshot(path=str(SHOTS / "showcase-watch-live-phone.png"), full_page=True)
    vis.fill("#sc-ask textarea", "Will the spring collection ship abroad?")
    vis.locator("#sc-ask button").click()
    vis.wait_for_url(f"**/events/{event}?note=asked*")
    asked = org.locator(".sc-q", has_text="Will the spring collection ship abroad?")
    asked.wait_for(timeout=15_000)  # the console polls live.json and shows the new question by itself
    asked.locator("button", has_text="标为已回答").click()
    org.wait_for_url("**note=q_answer*")
    assert org.locator(".sc-q").first.get_attribute("data-state") == "answered"
    org.screenshot(path=str(SHOTS / "showcase-console-question-phone.png"), full_page=True)

    desk = chromium.new_context(viewport=DESKTOP, locale="en-US")
    office = sign_in(desk, server.url, "orla")
    office.goto(f"{server.url}/console/showcases/{event}")
    office.screenshot(path=str(SHOTS / "showcase-console-live-desktop.png"), full_page=True)
    office.locator("#sc-end").click()
    office.wait_for_url("**/console/showcases/*?note=ended")
    assert "The replay is ready." in office.locator("#sc-replay").inner_text()
    office.screenshot(path=str(SHOTS / "showcase-console-ended-desktop.png"), full_page=True)
    office.locator("#sc-attendance").click()
    office.wait_for_url("**/attendance")
    assert office.locator("#a-registered").inner_text() == "1"
    office.screenshot(path=str(SHOTS / "showcase-attendance-desktop.png"), full_page=True)

    vis.goto(f"{server.url}/events")
    vis.locator(f"#replays + ul .sc-card[data-event='{event}'] a.sc-title").click()  # the replay is listed
    vis.wait_for_url(f"**/events/{event}")
    assert vis.locator(".sc-player h2").inner_text() == "Replay"
    assert vis.locator("#sc-video").get_attribute("data-src") == f"/streams/{event}/replay.m3u8"
    assert _playing(vis) > 1.0
    vis.screenshot(path=str(SHOTS / "showcase-replay-phone.png"), full_page=True)
    for context in (organizer, visitor, desk):
        context.close()
