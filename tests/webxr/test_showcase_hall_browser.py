"""The showcase hall in the browser (headless Chromium against the real world server): a
visitor who finds the main hall full is in "hall 2" and the HUD says so; the reaction
buttons come with an event on the stage; reactions from both halls come back summed,
once a second, as a burst of emoji over the stage; when the main hall frees a seat the
offer shows and one tap moves the visitor there. Screenshots in
build/screenshots/webxr/hall-*.png (looked at)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.stage_board import StageState
from tests.webxr.conftest import PARK
from tests.webxr.scene import park_layout
from tests.webxr.world_server import WorldServer

pytestmark = pytest.mark.slow
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


class Stages:
    def __init__(self) -> None:
        self.now: dict[str, StageState] = {}

    async def stage_of(self, park_id: str) -> StageState | None:
        return self.now.get(park_id)


@pytest.fixture
def halls(published: Path, tmp_path: Path) -> Iterator[tuple[WorldServer, Stages]]:
    data = tmp_path / "data"
    shutil.copytree(published, data)
    server = WorldServer(data, layouts={PARK: park_layout(PARK)}, hall_capacity=1).start()
    stages = Stages()
    server.call(lambda app: setattr(app.stages, "source", stages))
    yield server, stages
    server.stop()


def open_page(browser: Any, server: WorldServer, name: str, lang: str) -> Any:
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    context.add_cookies([{"name": "lang", "value": lang, "url": server.url("/")}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(server.url(f"/web/{PARK}/?name={name}"))
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_function("window.cloudpark.state().hall.hall > 0", timeout=10_000)
    return page


def hall(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.cloudpark.state().hall")


def test_the_hall_name_reactions_burst_and_moving_to_the_main_hall(browser: Any, halls: Any, shots: Path) -> None:
    server, stages = halls
    first = open_page(browser, server, "Ann", "en")
    second = open_page(browser, server, "Bo", "zh")
    assert hall(second)["hall"] == 2 and hall(second)["name"] == f"{PARK} 2号厅"
    assert second.locator("#hall .hall-name").inner_text() == f"{PARK} 2号厅"
    # the first visitor is told a hall opened: the main hall is named as such now
    first.wait_for_function("window.cloudpark.state().hall.halls === 2", timeout=10_000)
    assert hall(first)["hall"] == 1 and hall(first)["name"] == f"{PARK} - main hall"
    assert not hall(second)["reactions"]  # no event on the stage: no reaction buttons
    stages.now[PARK] = StageState(event=3, title_zh="春季发布会", title_en="Spring showcase", state="live",
                                  hls="", presenters=(), staff=())
    server.run(server.app.stages.refresh(PARK))  # type: ignore[union-attr]
    for page in (first, second):
        page.wait_for_function("window.cloudpark.state().hall.reactions", timeout=10_000)
    second.click("#reactions button[data-kind='applause']")
    second.click("#reactions button[data-kind='applause']")
    first.click("#reactions button[data-kind='heart']")
    for page in (first, second):
        page.wait_for_function("window.cloudpark.state().hall.bursts >= 1", timeout=10_000)
    second.wait_for_function("window.cloudpark.state().hall.shown > 0")
    second.wait_for_timeout(500)  # mid-animation
    second.screenshot(path=str(shots / "hall-2-burst.png"))
    # every hall got the same counts, summed over both halls, at most one message a second
    first.wait_for_timeout(2500)
    for page in (first, second):
        seen = hall(page)["history"]
        total: dict[str, int] = {}
        for counts in seen:
            for kind, n in counts.items():
                total[kind] = total.get(kind, 0) + n
        assert total == {"applause": 2, "heart": 1}, seen
    assert hall(first)["history"] == hall(second)["history"]
    # the main hall frees a seat: the offer shows in hall 2, one tap moves there
    first.context.close()
    second.wait_for_function("window.cloudpark.state().hall.offer", timeout=10_000)
    second.screenshot(path=str(shots / "hall-2-offer.png"))
    assert second.locator("#hall .hall-move").inner_text() == "进入主厅"
    second.click("#hall .hall-move")
    second.wait_for_function("window.cloudpark.state().hall.hall === 1", timeout=10_000)
    assert hall(second)["name"] == "" and not hall(second)["offer"]
    assert second.errors == []
    second.context.close()
