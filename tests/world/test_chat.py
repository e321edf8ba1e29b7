"""Chat rules: channels, text, rate."""

from __future__ import annotations

import pytest

from world.chat import ChatLimiter, ChatRuleError, check_channel, clean_text
from world.protocol.constants import MAX_CHAT_CHARS


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
