"""An inbox notice pushed while in a park becomes a HUD notice with the unread count,
in the catalogue's words."""

from __future__ import annotations

from client.texts import load_texts, say
from client.visit import Visit
from world.protocol import messages as M


def test_a_notice_is_shown_with_the_unread_count() -> None:
    v = Visit("Ann", want_park="p1")
    v.handle(M.Notice(id=7, kind="booking", title_key="notice.code_used.title", body_key="notice.code_used.body",
                      title="Booked", body="Hall A at 10:00", unread=3), 0.0)
    assert v.unread == 3
    texts = load_texts(strict=True)
    assert say(texts, "en", v.notices[-1]) == "Booked: Hall A at 10:00 (3 unread)"
    assert say(texts, "zh", v.notices[-1]) == "Booked：Hall A at 10:00（3 条未读）"
