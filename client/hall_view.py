"""The showcase hall in the desktop client: which hall of the park you are in (the HUD
line at the top: "798艺术区 2号厅"), the offer of a seat in the main hall (M moves
there: ``hall_move``), reactions (F5-F9: applause, cheer, heart, laugh, wow: ``react``)
and each second's summed reactions as a burst of words rising over the screen's
middle, coloured by kind, fading out.

``HallState`` keeps what the server said (pure: the tests read it without Panda3D);
``HallView`` draws it on ``aspect2d`` and moves the burst each frame.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import msgspec

from world.protocol import messages as M
from world.showcases.reactions import KINDS

ON_STAGE = ("scheduled", "live", "interrupted")
COLOURS = {"applause": (1.0, 0.7, 0.28, 1.0), "cheer": (1.0, 0.85, 0.25, 1.0), "heart": (1.0, 0.3, 0.4, 1.0),
           "laugh": (0.55, 0.9, 0.45, 1.0), "wow": (0.5, 0.75, 1.0, 1.0)}
MAX_PARTICLES = 12
STAGGER_S = 0.12  # between two particles of a burst appearing
LIFE_S = 2.2
Translate = Callable[..., str]


@dataclass
class HallState:
    hall: M.Hall | None = None
    stage: M.StageView | None = None
    bursts: list[dict[str, int]] = field(default_factory=list)  # counts not yet drawn
    received: int = 0
    questions: M.Questions | None = None  # the event's Q&A board (kept; its panel is still to come)
    polls: M.Polls | None = None

    def handle(self, msg: msgspec.Struct) -> None:
        if isinstance(msg, M.Hall):
            self.hall = msg
        elif isinstance(msg, M.StageView):
            self.stage = msg
        elif isinstance(msg, M.Reactions):
            self.received += 1
            self.bursts.append(dict(msg.counts))
        elif isinstance(msg, M.Questions):
            self.questions = msg
        elif isinstance(msg, M.Polls):
            self.polls = msg

    def name(self, lang: str) -> str:
        """The hall's name when there is more than one hall ("" in a park with one)."""
        h = self.hall
        if h is None or (h.hall == 1 and h.halls <= 1):
            return ""
        return h.name_en if lang == "en" else h.name_zh

    def offered(self, now: float) -> bool:
        h = self.hall
        return h is not None and h.hall > 1 and h.offer_until > now

    @property
    def on_stage(self) -> bool:
        return self.stage is not None and self.stage.state in ON_STAGE

    def react(self, kind: str) -> M.React | None:
        return M.React(kind=kind) if self.on_stage and kind in KINDS else None


def burst_words(counts: dict[str, int], t: Translate, most: int = MAX_PARTICLES) -> list[tuple[str, str]]:
    """(kind, word) for each particle of a burst: every kind that came once at least, the
    rest shared by count, at most ``most``; the first of a kind carries its count."""
    kinds = [k for k in KINDS if counts.get(k, 0) > 0]
    total = sum(counts[k] for k in kinds)
    out: list[tuple[str, str]] = []
    for kind in kinds:
        n = max(1, round(counts[kind] / total * min(most, total)))
        word = t(f"client.react.{kind}")
        out.append((kind, f"{word} ×{counts[kind]}"))
        out.extend((kind, word) for _ in range(n - 1))
    return out[:most]


class HallView:
    """Draws ``HallState`` on ``aspect2d`` (Panda3D imported here only)."""

    def __init__(self, aspect2d: object, t: Translate, lang: Callable[[], str], clock: Callable[[], float],
                 rng: random.Random | None = None) -> None:
        from direct.gui.OnscreenText import OnscreenText
        from panda3d.core import TextNode

        self._text_cls = OnscreenText
        self._align = TextNode.ACenter
        self.parent = aspect2d
        self.t = t
        self.lang = lang
        self.clock = clock  # wall clock, Unix seconds (the offer's deadline is one)
        self.rng = rng or random.Random()
        self.state = HallState()
        self.label = OnscreenText(text="", pos=(0, 0.9), scale=0.05, fg=(1, 1, 1, 1), bg=(0.05, 0.07, 0.1, 0.7),
                                  align=TextNode.ACenter, parent=aspect2d, mayChange=True)
        self.particles: list[tuple[object, float, float, float, tuple[float, float, float, float]]] = []
        self.drawn = 0

    def handle(self, msg: msgspec.Struct) -> None:
        self.state.handle(msg)

    def move(self) -> M.HallMove | None:
        return M.HallMove(id=0) if self.state.offered(self.clock()) else None

    def update(self, dt: float) -> None:
        name = self.state.name(self.lang())
        line = name
        if self.state.offered(self.clock()):
            line = f"{name}  ·  {self.t('client.hall.offer')} (M: {self.t('client.hall.move')})"
        if self.state.stage is not None and self.state.stage.muted:
            line = f"{line}  ·  {self.t('client.stage.muted')}" if line else self.t("client.stage.muted")
        self.label.setText(f" {line} " if line else "")
        while self.state.bursts:
            for i, (kind, word) in enumerate(burst_words(self.state.bursts.pop(0), self.t)):
                x = self.rng.uniform(-0.8, 0.8)
                big = "×" in word  # the kind's first word carries the count
                node = self._text_cls(text=word, pos=(x, 0.1), scale=0.075 if big else 0.055, fg=COLOURS[kind],
                                      align=self._align, parent=self.parent, mayChange=True)
                node.hide()
                self.particles.append((node, x, self.rng.uniform(-0.1, 0.15), -i * STAGGER_S, COLOURS[kind]))
                self.drawn += 1
        kept = []
        for node, x, y, age, colour in self.particles:
            age += dt
            if age >= LIFE_S:
                node.destroy()  # type: ignore[attr-defined]
                continue
            if age < 0:  # not its turn yet
                kept.append((node, x, y, age, colour))
                continue
            y += 0.25 * dt
            node.show()  # type: ignore[attr-defined]
            node.setPos(x, y)  # type: ignore[attr-defined]
            node.setFg((colour[0], colour[1], colour[2], 1.0 - age / LIFE_S))  # type: ignore[attr-defined]
            kept.append((node, x, y, age, colour))
        self.particles = kept
