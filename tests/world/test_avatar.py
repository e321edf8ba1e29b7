"""An avatar's input queue is bounded and in sequence."""

from __future__ import annotations

from world.avatar import Avatar
from world.protocol.constants import Anim
from world.protocol.messages import Input


def avatar(limit: int = 3) -> Avatar:
    return Avatar(1, "u", "Ann", 0xFF0000, "guest", "", 0.0, 0.0, 0.0, queue_limit=limit)


def test_queue_is_bounded_and_excess_is_counted() -> None:
    av = avatar()
    assert [av.queue_input(Input(s=s)) for s in range(1, 6)] == [True, True, True, False, False]
    assert len(av.inputs) == 3 and av.dropped_inputs == 2


def test_stale_or_repeated_sequence_numbers_are_refused() -> None:
    av = avatar()
    assert av.queue_input(Input(s=5))
    assert not av.queue_input(Input(s=5))
    assert not av.queue_input(Input(s=4))
    assert av.dropped_inputs == 2


def test_emote_shows_only_while_standing() -> None:
    av = avatar()
    av.emote = Anim.WAVE
    assert av.shown_anim == Anim.WAVE
    av.anim = Anim.WALK
    assert av.shown_anim == Anim.WALK
