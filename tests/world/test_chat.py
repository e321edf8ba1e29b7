"""Chat rules: channels, text, rate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from world.chat import (
    CHAT_BURST,
    CHAT_RATE_PER_S,
    ChatLimiter,
    ChatRuleError,
    check_channel,
    clean_text,
)
from world.protocol.constants import MAX_CHAT_CHARS
from world.protocol.session import SessionLimits, TokenBucket, rate_class


def test_text_is_trimmed_and_limited() -> None:
    assert clean_text("  hi\x07 there \n") == "hi there"
    with pytest.raises(ChatRuleError, match="empty"):
        clean_text(" \x00 ")
    with pytest.raises(ChatRuleError, match=str(MAX_CHAT_CHARS)):
        clean_text("x" * (MAX_CHAT_CHARS + 1))


def test_channels() -> None:
    check_channel("near", None)
    check_channel("booth", "b01")
    with pytest.raises(ChatRuleError, match="booth"):
        check_channel("booth", None)
    with pytest.raises(ChatRuleError, match="unknown"):
        check_channel("world", None)


def test_rate_limit_per_speaker_refills_over_time() -> None:
    lim = ChatLimiter()
    assert [lim.allow("ann", 0.0) for _ in range(6)] == [True] * 5 + [False]
    assert lim.allow("bob", 0.0)
    assert not lim.allow("ann", 1.0)
    assert lim.allow("ann", 2.1)  # 0.5 lines per second


def test_text_loses_bidi_overrides_and_invisible_characters_like_every_other_text() -> None:
    assert clean_text("pay \u202egnp.exe\u202c now\u200b!") == "pay gnp.exe now!"
    assert clean_text("line one\r\nline two") == "line one\nline two"
    with pytest.raises(ChatRuleError, match="empty"):
        clean_text("\u2066\u200b\u2069")


def test_the_limiter_forgets_speakers_whose_bucket_refilled_so_memory_stays_bounded() -> None:
    lim = ChatLimiter()
    most = 0
    for i in range(100_000):  # 100,000 different speakers, 100 a second, each saying one line
        assert lim.allow(f"guest:{i}", i / 100)
        most = max(most, len(lim))
    # only speakers of the last ~20 s (two refill times of 10 s) are remembered
    assert most <= 100 * 2 * (CHAT_BURST / CHAT_RATE_PER_S) + 100
    assert len(lim) <= most
    lim.prune(1_000.0 + 10.0)
    assert len(lim) == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ann", "bob", "cy"]), st.floats(0.0, 30.0)), max_size=80))
def test_pruning_never_changes_an_answer(events: list[tuple[str, float]]) -> None:
    """A speaker forgotten had a full bucket: exactly what a new speaker gets."""
    lim = ChatLimiter()
    reference: dict[str, TokenBucket] = {}
    now = 0.0
    for speaker, gap in events:
        now += gap
        bucket = reference.setdefault(speaker, TokenBucket.full(CHAT_RATE_PER_S, CHAT_BURST, now))
        assert lim.allow(speaker, now) == bucket.take(now)


def test_one_chat_rate_rule_the_limiter_per_account_not_the_session() -> None:
    limits = SessionLimits()
    assert rate_class("chat") == "other"  # the session only counts chat among all messages
    assert limits.welcome().limits.chats_per_10s == CHAT_BURST == 5
    assert CHAT_RATE_PER_S * 10 == limits.chats_per_10s
