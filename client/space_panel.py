""""Book this space" in the desktop client (DirectGUI), top left under the status: what
``Visit`` holds while the avatar stands in a bookable space's zone: the space's next free
times (the world server's ``space_slots``), numbered, booked with the number keys
(``Visit.book_slot``), then what came of it (``space_booked``): booked with its check-in
code, waiting for approval, or refused (a time just taken: the nearest alternatives,
numbered again). A guest is asked to sign in. Walking out closes it. Your own bookings
of the space today (``space_slots``' ``mine``) are listed; while one's check-in is open
the C key checks in (``Visit.check_in``), and the panel says checked in or why not."""

from __future__ import annotations

from collections.abc import Callable

from client.row_panel import RowPanel
from client.visit import Visit
from world.protocol import messages as M


def slot_words(t: Callable[..., str], slot: M.FreeSlot, today: str) -> str:
    day = t("client.space.today") if slot.day == today else t("client.space.tomorrow")
    return f"{day} {slot.at}–{slot.end}"


CHECK_IN_REFUSALS = ("too_early", "too_late", "state")


def check_in_lines(t: Callable[..., str], offer: M.SpaceSlotList, done: M.SpaceCheckedIn | None) -> list[tuple[str, str]]:
    """Your bookings of the space today with their check-in, or what came of checking in."""
    if done is not None:
        if done.outcome == "checked_in":
            return [("item", t("client.space.checked_in", start=done.start, end=done.end))]
        first = done.problems[0] if done.problems else M.Problem(code="", field="", message="")
        if first.code in CHECK_IN_REFUSALS:
            return [("line", t(f"client.space.check_in_refused.{first.code}"))]
        return [("line", t("client.space.check_in_refused.other", message=first.message))]
    rows: list[tuple[str, str]] = []
    for b in offer.mine:
        rows.append(("item", t("client.space.mine", start=b.start, end=b.end)))
        if b.state == "checked_in":
            rows.append(("muted", t("client.space.checked_in", start=b.start, end=b.end)))
        elif b.open:
            rows.append(("hint", t("client.space.check_in_key")))
        else:
            rows.append(("muted", t("client.space.check_in_opens", opens=b.opens)))
    return rows


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
    if visit.space_check is not None:
        return [*rows, *check_in_lines(t, offer, visit.space_check)]
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
        rows += check_in_lines(t, offer, None)
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


class SpacePanel(RowPanel):
    def __init__(self, base: object, visit: Visit, translate: Callable[..., str]) -> None:
        super().__init__(base)
        self.visit, self.translate = visit, translate
        self.key: object = None

    def sync(self) -> None:
        v = self.visit
        key = None if v.space_zone is None else (v.space_zone, repr(v.space_offer), repr(v.space_result),
                                                 v.space_refusal, repr(v.space_check), v.lang)
        if key == self.key:
            return
        self.key = key
        lang = v.lang
        self.show(None if key is None else space_lines(lambda k, **p: self.translate(lang, k, **p), v))
