""""Book this space" in the desktop client (DirectGUI), top left under the status: what
``Visit`` holds while the avatar stands in a bookable space's zone: the space's next free
times (the world server's ``space_slots``), numbered, booked with the number keys
(``Visit.book_slot``), then what came of it (``space_booked``): booked with its check-in
code, waiting for approval, or refused (a time just taken: the nearest alternatives,
numbered again). A guest is asked to sign in. Walking out closes it."""

from __future__ import annotations

from collections.abc import Callable

from direct.gui.DirectGui import DGG, DirectFrame

from client.hud import GOLD, MARGIN, MUTED, PANEL, SKY, TEXT, label, text_size
from client.visit import Visit
from world.protocol import messages as M

WIDTH = 0.95
TOP = 0.2  # under the status frame


def slot_words(t: Callable[..., str], slot: M.FreeSlot, today: str) -> str:
    day = t("client.space.today") if slot.day == today else t("client.space.tomorrow")
    return f"{day} {slot.at}–{slot.end}"


def space_lines(t: Callable[..., str], visit: Visit) -> list[tuple[str, str]]:
    """(style, text) rows of the panel: ``title``, ``muted``, ``item``, ``line``, ``hint``."""
    offer, result = visit.space_offer, visit.space_result
    zone = next((z for z in visit.layout.spaces if z.id == visit.space_zone), None) if visit.layout else None
    rows = [("title", t("client.space.panel_title")),
            ("muted", offer.name if offer is not None else (zone.name if zone is not None else ""))]
    if visit.space_refusal == "guest":
        return [*rows, ("line", t("client.space.sign_in"))]
    if visit.space_refusal:
        return [*rows, ("line", t("client.space.not_allowed", reason=visit.space_refusal))]
    if offer is None:
        return [*rows, ("line", t("client.space.asking"))]
    facts = [t("client.space.price", price=offer.price) if offer.price else t("client.space.no_charge")]
    if offer.capacity:
        facts.append(t("client.space.capacity", n=offer.capacity))
    rows.append(("muted", " · ".join(facts)))
    if offer.approval:
        rows.append(("muted", t("client.space.approval")))
    choices: list[M.FreeSlot] = []
    if result is not None and result.outcome in ("confirmed", "pending"):
        rows.append(("item", t(f"client.space.{result.outcome}", day=result.day, start=result.start, end=result.end,
                               code=result.code)))
        return rows
    if result is not None and any(p.code == "taken" for p in result.problems):
        rows.append(("line", t("client.space.just_taken")))
        choices = list(result.alternatives)
        for n, slot in enumerate(choices, start=1):
            rows.append(("item", f"{n}  {slot_words(t, slot, offer.today)}"))
    elif result is not None:
        rows.append(("line", t("client.space.refused", message=result.problems[0].message if result.problems else "")))
    else:
        if offer.retired:
            rows.append(("line", t("client.space.retired")))
        elif not offer.slots:
            rows.append(("line", t("client.space.none_free")))
        choices = list(offer.slots)
        n = 0
        for minutes in offer.durations:
            mine = [s for s in offer.slots if s.minutes == minutes]
            if mine:
                rows.append(("muted", t("client.space.minutes", minutes=minutes)))
            for slot in mine:
                n += 1
                rows.append(("item", f"{n}  {slot_words(t, slot, offer.today)}"))
    if choices:
        rows.append(("hint", t("client.space.keys", n=min(len(choices), 9))))
    return rows


STYLE = {"title": (0.05, GOLD), "muted": (0.032, MUTED), "item": (0.038, TEXT), "line": (0.034, SKY),
         "hint": (0.032, GOLD)}


class SpacePanel:
    def __init__(self, base: object, visit: Visit, translate: Callable[..., str]) -> None:
        self.base, self.visit, self.translate = base, visit, translate
        self.frame: DirectFrame | None = None
        self.key: object = None
        self.lines: list[str] = []  # what the headless tests read

    def sync(self) -> None:
        v = self.visit
        key = None if v.space_zone is None else (v.space_zone, repr(v.space_offer), repr(v.space_result),
                                                 v.space_refusal, v.lang)
        if key == self.key:
            return
        self.key = key
        if self.frame is not None:
            self.frame.destroy()
            self.frame = None
        self.lines = []
        if key is None:
            return
        lang = v.lang
        rows = space_lines(lambda k, **p: self.translate(lang, k, **p), v)
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
