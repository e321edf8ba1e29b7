"""The desktop client's showcase hall: the hall's name and the main-hall offer, reactions
only while an event is on the stage, and each second's counts as a burst of words;
drawn offscreen (build/screenshots/client/hall-burst.png)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from client.hall_view import HallState, burst_words
from client.texts import load_texts
from world.protocol import messages as M

ROOT = Path(__file__).resolve().parents[2]
HALL2 = M.Hall(park="798-art-zone", hall=2, halls=2, capacity=400, name_zh="798艺术区 2号厅",
               name_en="798 Art Zone - hall 2", offer_until=120.0)


def zh(key: str, **p: object) -> str:
    return load_texts(strict=True).translate("zh", key, **p)


def test_the_hall_is_named_only_when_the_park_has_more_than_one() -> None:
    state = HallState()
    assert state.name("zh") == ""
    state.handle(M.Hall(park="p", hall=1, halls=1, capacity=400, name_zh="七九八", name_en="798"))
    assert state.name("zh") == ""
    state.handle(HALL2)
    assert (state.name("zh"), state.name("en")) == ("798艺术区 2号厅", "798 Art Zone - hall 2")
    assert state.offered(100.0) and not state.offered(121.0)


def test_reactions_are_sent_only_with_an_event_on_the_stage() -> None:
    state = HallState()
    assert state.react("heart") is None
    state.handle(M.StageView(park="p", event=3, state="live"))
    assert state.react("heart") == M.React(kind="heart")
    assert state.react("boo") is None
    state.handle(M.StageView(park="p", event=3, state="ended"))
    assert state.react("heart") is None


def test_the_board_and_the_polls_are_kept() -> None:
    state = HallState()
    state.handle(M.Questions(event=3, items=[M.QuestionItem(id=1, name="Li", text="?", votes=2, state="visible")]))
    state.handle(M.Polls(event=3, items=[M.PollItem(id=4, question="?", options=["a", "b"], kind="single", results="live",
                                                    state="open", max_choices=1)]))
    assert state.questions is not None and state.questions.items[0].votes == 2
    assert state.polls is not None and state.polls.items[0].options == ["a", "b"]


def test_a_burst_has_every_kind_that_came_with_its_count_and_at_most_12_words() -> None:
    words = burst_words({"applause": 41, "heart": 6, "wow": 2}, zh)
    assert len(words) <= 12 and {k for k, _ in words} == {"applause", "heart", "wow"}
    assert ("applause", "鼓掌 ×41") in words and ("wow", "惊叹 ×2") in words
    assert burst_words({}, zh) == []
    assert burst_words({"laugh": 1}, zh) == [("laugh", "大笑 ×1")]


@pytest.mark.slow
def test_the_burst_and_the_hall_line_are_drawn(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "tests.client.hall_shot", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads((tmp_path / "hall.json").read_text(encoding="utf-8"))
    assert got["label"].strip().startswith("798艺术区 2号厅")
    assert "进入主厅" in got["label"]
    assert got["drawn"] == got["alive"] >= 10 and got["after"] == 0
    assert got["move"] and got["react"]
    assert got["board"][:2] == ["现场问答", "1  ▲12  李娜: 什么时候在798上映？"]
    shots = ROOT / "build" / "screenshots" / "client"
    shots.mkdir(parents=True, exist_ok=True)
    shutil.copy(tmp_path / "hall-burst.png", shots / "hall-burst.png")
    pixels = np.asarray(Image.open(tmp_path / "hall-burst.png").convert("RGB"), dtype=np.int16)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    orange = (red > 200) & (green > 120) & (green < 210) & (blue < 120)  # applause words
    pink = (red > 200) & (green < 120) & (blue > 60) & (blue < 140)  # heart words
    assert orange.sum() > 100 and pink.sum() > 20
