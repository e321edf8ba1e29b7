"""Draws the desktop client's showcase hall offscreen: the hall's name with the main-hall
offer at the top, and a burst of reactions. Run as ``python -m tests.client.hall_shot OUT``
(a process of its own: one ShowBase per process). Writes ``OUT/hall.json`` (the label, the
particles drawn and alive) and ``OUT/hall-burst.png``."""

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
    view.handle(M.StageView(park="798-art-zone", event=7, title="水墨动画首映", state="live"))
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
                                               "after": len(view.particles),
                                               "move": view.move() is not None,
                                               "react": view.state.react("cheer") is not None},
                                              ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
