"""The policy kiosk's panel (DirectGUI), top left under the status: what ``Visit.kiosk``
holds (the world server's answer when the avatar stepped onto the kiosk's zone), in the
HUD's language: the enterprise and its counts, each matched policy with its verdict and
the amount it could claim, and the key that opens the web app's page (P). Stepping off
the zone closes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from direct.gui.DirectGui import DGG, DirectFrame

from client.hud import GOLD, MARGIN, MUTED, PANEL, SKY, TEXT, label, text_size
from client.visit import Visit

WIDTH = 0.95
TOP = 0.2  # under the status frame
SHOWN = 5


def kiosk_lines(t: Callable[..., str], data: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    """(style, text) rows of the panel: ``title``, ``muted``, ``item``, ``line``, ``hint``."""
    rows = [("title", t("client.kiosk.title"))]
    why = data.get("why", "")
    if why in ("guest", "no_enterprise"):
        rows.append(("line", t(f"client.kiosk.{why}")))
    else:
        rows.append(("muted", t("client.kiosk.for", org=data.get("org", ""), eligible=data.get("eligible", 0),
                                possibly=data.get("possibly", 0))))
        items = data.get("items") or []
        if not items:
            rows.append(("line", t("client.kiosk.none")))
        for item in items[:SHOWN]:
            rows.append(("item", str(item.get("title_zh") if lang == "zh" else item.get("title_en"))))
            verdict = t(f"client.kiosk.{item.get('verdict', 'possibly')}")
            amount = item.get("amount")
            words = verdict if amount is None else t("client.kiosk.up_to", verdict=verdict, amount=f"{int(amount):,}")
            if item.get("apply_to"):
                words += " · " + t("client.kiosk.until", date=item["apply_to"])
            rows.append(("line", words))
        if not data.get("manages", False):
            rows.append(("muted", t("client.kiosk.member")))
    rows.append(("hint", t("client.kiosk.hint")))
    return rows


STYLE = {"title": (0.05, GOLD), "muted": (0.032, MUTED), "item": (0.038, TEXT), "line": (0.032, SKY),
         "hint": (0.032, GOLD)}


class KioskPanel:
    def __init__(self, base: object, visit: Visit, translate: Callable[..., str]) -> None:
        self.base, self.visit, self.translate = base, visit, translate
        self.frame: DirectFrame | None = None
        self.key: object = None
        self.lines: list[str] = []  # what the headless tests read

    def sync(self) -> None:
        data = self.visit.kiosk
        key = None if data is None else (repr(data), self.visit.lang)
        if key == self.key:
            return
        self.key = key
        if self.frame is not None:
            self.frame.destroy()
            self.frame = None
        self.lines = []
        if data is None:
            return
        lang = self.visit.lang
        rows = kiosk_lines(lambda k, **p: self.translate(lang, k, **p), data, lang)
        pad, inner = 0.03, WIDTH - 0.06
        heights = [text_size(text, STYLE[style][0], inner)[1] + 0.012 for style, text in rows]
        h = sum(heights) + 2 * pad
        f = self.frame = DirectFrame(parent=self.base.a2dTopLeft, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                     frameSize=(0, WIDTH, -h, 0), pos=(MARGIN, 0, -TOP))
        f.setTransparency(True)
        y = -pad
        for (style, text), dh in zip(rows, heights, strict=True):
            scale, colour = STYLE[style]
            label(f, text, (pad, y), scale, colour, wrap=inner)
            y -= dh
        self.lines = [text for _, text in rows]
