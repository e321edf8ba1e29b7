"""Draws the desktop client's showcase hall offscreen: the hall's name with the main-hall
offer at the top, a burst of reactions, and the event's questions and poll at the bottom
right. Run as ``python -m tests.client.hall_shot OUT`` (a process of its own: one ShowBase
per process). Writes ``OUT/hall.json`` (the label, the particles drawn and alive, the
board's lines) and ``OUT/hall-burst.png``."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from client.app import ClientConfig, configure_panda
from client.texts import load_texts
from world.protocol import messages as M

NOW = 1_767_225_600.0


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    configure_panda(ClientConfig(offscreen=True, size=(1280, 720), lang="zh", server=""))
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import Filename

    from client.board_panel import BoardPanel
    from client.hall_view import HallView
    from client.hud import load_font

    base = ShowBase(windowType="offscreen")
    base.setBackgroundColor(0.36, 0.52, 0.68, 1)
    load_font(base.loader, 720)
    texts = load_texts(strict=True)
    view = HallView(base.aspect2d, lambda key, **p: texts.translate("zh", key, **p), lambda: "zh", lambda: NOW,
                    rng=random.Random(4))
    view.handle(M.Hall(park="798-art-zone", hall=2, halls=2, capacity=400, name_zh="798艺术区 2号厅",
                       name_en="798 Art Zone - hall 2", offer_until=NOW + 20))
    stage = M.StageView(park="798-art-zone", event=7, title="水墨动画首映", state="live")
    view.handle(stage)
    board = BoardPanel(base, lambda key, **p: texts.translate("zh", key, **p), lambda: False)
    for msg in (stage, M.Questions(event=7, voted=[31], items=[
            M.QuestionItem(id=31, name="李娜", text="什么时候在798上映？", votes=12, state="visible"),
            M.QuestionItem(id=30, name="Bo", text="会有回放吗？", votes=3, state="answered")]),
            M.Polls(event=7, items=[M.PollItem(id=4, question="最喜欢哪一段？", options=["开场", "结尾"], counts=[4, 9],
                                               kind="single", results="live", state="open", max_choices=1,
                                               ballots=13)])):
        board.handle(msg)
    board.sync()
    view.handle(M.Reactions(park="798-art-zone", event=7, second=int(NOW), counts={"applause": 41, "heart": 6,
                                                                                    "wow": 2}))
    for _ in range(30):  # 1.5 s into the burst
        view.update(0.05)
        base.graphicsEngine.renderFrame()
    base.win.saveScreenshot(Filename.fromOsSpecific(str(out / "hall-burst.png")))
    alive = len(view.particles)
    label = view.label.getText()
    for _ in range(80):  # 4 s: the burst has faded away
        view.update(0.05)
    (out / "hall.json").write_text(json.dumps({"label": label, "drawn": view.drawn, "alive": alive,
                                               "board": board.lines,
                                               "after": len(view.particles),
                                               "move": view.move() is not None,
                                               "react": view.state.react("cheer") is not None},
                                              ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
