"""The policy kiosk's panel (DirectGUI), top left under the status: what ``Visit.kiosk``
holds (the world server's answer when the avatar stepped onto the kiosk's zone), in the
HUD's language: the enterprise and its counts, each matched policy with its verdict and
the amount it could claim, and the key that opens the web app's page (P). Stepping off
the zone closes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from client.hud import SKY
from client.row_panel import STYLES, RowPanel
from client.visit import Visit

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


STYLE = {**STYLES, "line": (0.032, SKY)}


class KioskPanel(RowPanel):
    def __init__(self, base: object, visit: Visit, translate: Callable[..., str]) -> None:
        super().__init__(base, STYLE)
        self.visit, self.translate = visit, translate
        self.key: object = None

    def sync(self) -> None:
        data = self.visit.kiosk
        key = None if data is None else (repr(data), self.visit.lang)
        if key == self.key:
            return
        self.key = key
        lang = self.visit.lang
        self.show(None if data is None else kiosk_lines(lambda k, **p: self.translate(lang, k, **p), data, lang))
