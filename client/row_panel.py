"""A HUD panel drawn from rows of (style, text): the top-left card the booking panel and
the policy kiosk panel show. Each panel says what its rows are; this draws them, sized
to their wrapped text, and keeps the texts for headless tests."""

from __future__ import annotations

from collections.abc import Sequence

from direct.gui.DirectGui import DGG, DirectFrame

from client.hud import GOLD, MARGIN, MUTED, PANEL, SKY, TEXT, label, text_size

WIDTH = 0.95
TOP = 0.2  # under the status frame
PAD = 0.03
STYLES: dict[str, tuple[float, tuple[float, float, float, float]]] = {
    "title": (0.05, GOLD), "muted": (0.032, MUTED), "item": (0.038, TEXT), "line": (0.034, SKY), "hint": (0.032, GOLD)}

Rows = Sequence[tuple[str, str]]


class RowPanel:
    """One card at a time: ``show(rows)`` replaces what was shown, ``show(None)`` hides it."""

    def __init__(self, base: object, styles: dict[str, tuple[float, tuple[float, float, float, float]]] = STYLES) -> None:
        self.base, self.styles = base, styles
        self.frame: DirectFrame | None = None
        self.lines: list[str] = []  # what the headless tests read

    def show(self, rows: Rows | None) -> None:
        if self.frame is not None:
            self.frame.destroy()
            self.frame = None
        self.lines = []
        if rows is None:
            return
        inner = WIDTH - 2 * PAD
        heights = [text_size(text, self.styles[style][0], inner)[1] + 0.012 for style, text in rows]
        f = self.frame = DirectFrame(parent=self.base.a2dTopLeft, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                     frameSize=(0, WIDTH, -(sum(heights) + 2 * PAD), 0), pos=(MARGIN, 0, -TOP))
        f.setTransparency(True)
        y = -PAD
        for (style, text), dh in zip(rows, heights, strict=True):
            scale, colour = self.styles[style]
            label(f, text, (PAD, y), scale, colour, wrap=inner)
            y -= dh
        self.lines = [text for _, text in rows]
