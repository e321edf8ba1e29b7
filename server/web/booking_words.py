"""A booking refusal in the person's language: the catalogue's ``booking.refusal.<code>``
sentence, its figures (minutes ahead, capacity, ...) read from the space's own rules; a
code the catalogue has no sentence for (or whose figures are unknown) is shown as
``booking.problem`` with the service's field, sentence and code."""

from __future__ import annotations

from datetime import date

from world.bookings.check import Problem
from world.bookings.rules import SpaceRules
from world.i18n import Texts

# the figures each sentence names, from the space's rules
_FIGURES = {
    "lead_time": lambda r: {"lead": r.lead_minutes},
    "beyond_horizon": lambda r: {"horizon": r.horizon_days},
    "too_short": lambda r: {"min": r.min_minutes},
    "too_long": lambda r: {"max": r.max_minutes},
    "capacity": lambda r: {"capacity": r.capacity},
    "no_shows": lambda r: {"no_shows": r.max_no_shows},
    "quota": lambda r: {"quota": r.weekly_quota_minutes},
    "deadline": lambda r: {"deadline": r.cancel_deadline_minutes},
}


def refusal_text(texts: Texts, lang: str, p: Problem, rules: SpaceRules | None = None,
                 day: date | None = None) -> str:
    """One refusal in ``lang``; ``rules`` are the space's, ``day`` the local day asked for."""
    key = f"booking.refusal.{p.code}"
    params: dict[str, object] = {}
    if p.code in _FIGURES:
        params = _FIGURES[p.code](rules) if rules is not None else {}
    elif p.code == "blackout" and day is not None:
        params = {"day": day.isoformat()}
    known = key in texts.keys() and (p.code not in _FIGURES or (params and None not in params.values())) \
        and (p.code != "blackout" or params)
    if not known:
        return texts.translate(lang, "booking.problem", field=p.field, code=p.code, message=p.message)
    return texts.translate(lang, key, **params)
