"""The event's questions and polls in the browser (headless Chromium, the real world server
with the real showcase service): two signed-in visitors, one in the main hall and one in
"hall 2", ask and upvote from the panel and vote in a poll; each sees the other's
question and vote. Screenshots build/screenshots/webxr/board-hall-2.png (the panel) and
board-page-hall-2.png (the page), looked at."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from server.main import App
from tests.day import ParkedClock
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web
from world.showcases.events import EventDraft

pytestmark = pytest.mark.slow
PARK = "798-art-zone"  # a park of the catalogue (the showcase service schedules on its stage), with the test scene
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


class ParkedServer(WorldServer):
    """The real server with its wall clock parked on a quarter hour (an event an hour long
    stays within the local day at whatever hour this runs)."""

    def start(self, demo_seed: bool = True) -> ParkedServer:
        self._thread.start()
        self.app = App(self.config, layouts=self.layouts, clock=ParkedClock())
        self._run(self.app.start(), timeout=30)
        return self


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ParkedServer]:
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(park_layout(PARK)))
    publish_web(data)
    srv = ParkedServer(data, layouts={PARK: park_layout(PARK)}, hall_capacity=1).start()
    yield srv
    srv.stop()


def signed_in_page(browser: Any, server: WorldServer, user: str) -> Any:
    context = browser.new_context(viewport={"width": 1024, "height": 700})
    login = server.login_token(user)
    context.add_init_script(f"localStorage.setItem('cloudpark.login', {json.dumps(json.dumps(login))});")
    context.add_cookies([{"name": "lang", "value": "zh", "url": server.url("/")}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url(f"/web/{PARK}/"))
    page.wait_for_function(f"{JOINED} && (window.cloudpark.state().user || {{}}).id === {json.dumps(user)}",
                           timeout=30_000)
    page.wait_for_function("window.cloudpark.state().board.shown", timeout=10_000)
    return page


def board(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.cloudpark.state().board")


def test_asking_upvoting_and_voting_from_two_halls(browser: Any, server: ParkedServer, shots: Path) -> None:
    app = server.app
    assert app is not None
    server.create_account("olga", "correct horse 1", "Olga", "organizer")
    for user, name in (("ann", "Ann"), ("bo", "Bo")):
        server.create_account(user, "long password", name, "visitor")
    olga = server.run(app.accounts.person(server.run(app.store.accounts.get("olga"))))
    start = datetime.fromtimestamp(app.clock.now(), UTC) + timedelta(minutes=30)
    ev = server.run(app.showcases.schedule(olga, EventDraft(PARK, "main", "水墨动画首映", "Ink premiere", start,
                                                            start + timedelta(hours=1), 200)))
    ann = signed_in_page(browser, server, "ann")
    bo = signed_in_page(browser, server, "bo")
    assert bo.evaluate("window.cloudpark.state().hall.hall") == 2
    # Ann asks in the main hall; Bo sees it in hall 2 and upvotes it
    ann.fill("#board form.ask input", "什么时候在798上映？")
    ann.click("#board form.ask button")
    bo.wait_for_function("window.cloudpark.state().board.questions.length === 1", timeout=10_000)
    (qid, votes, text), = board(bo)["questions"]
    assert (votes, text) == (0, "什么时候在798上映？")
    bo.click(f"#board button.up[data-question='{qid}']")
    ann.wait_for_function("window.cloudpark.state().board.questions[0][1] === 1", timeout=10_000)
    assert board(bo)["voted"] == [qid]
    # a poll opened by the organizer: Bo votes, both see the live counts
    poll = server.run(app.showcases.create_poll(olga, ev.id, "最喜欢哪一段？", ["开场", "结尾"]))
    server.run(app.showcases.open_poll(poll.id))
    bo.wait_for_function("window.cloudpark.state().board.polls.length === 1", timeout=10_000)
    bo.click(f"#board .poll[data-poll='{poll.id}'] button[data-option='1']")
    ann.wait_for_function("JSON.stringify(window.cloudpark.state().board.polls[0][2]) === '[0,1]'", timeout=10_000)
    bo.wait_for_function("JSON.stringify(window.cloudpark.state().board.polls[0][2]) === '[0,1]'", timeout=10_000)
    bo.locator("#board").screenshot(path=str(shots / "board-hall-2.png"))
    bo.screenshot(path=str(shots / "board-page-hall-2.png"))
    # the upvote stays pressed for Bo (its answer said so)
    assert bo.locator(f"#board button.up[data-question='{qid}']").get_attribute("aria-pressed") == "true"
    assert ann.errors == [] and bo.errors == []
    ann.context.close()
    bo.context.close()
