"""Chat rules: channels, length, rate and retention.

Channels: ``near`` reaches avatars within ``NEAR_RADIUS`` (15 m) of the speaker
(``Room.near``); ``park`` everyone in the park; ``booth`` everyone in that booth's
zone plus its staff on duty. Text is 1..``MAX_CHAT_CHARS`` characters after cleaning
(``world.text.clean_text``: trimmed, no control, bidi-override or invisible
characters).

Rate: ``ChatLimiter`` is the one chat rate rule. Each speaker (an account's user id,
so all its connections together) has a token bucket of ``CHAT_BURST`` (5) lines
refilling ``CHAT_RATE_PER_S`` per second (5 per 10 s); the server asks it before
delivering a line and answers ``rate_limited`` when it says no. The connection's
session (``world.protocol.session``) has no chat bucket of its own: it counts chat
among "every other message" (20/s) only, for flood protection. Stored
lines are kept ``RETENTION_DAYS`` days and at most ``RETENTION_LINES_PER_PARK`` per
park; the persistence layer prunes past either.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from world import text as text_rules
from world.protocol import constants as C
from world.protocol.constants import MAX_CHAT_CHARS
from world.protocol.session import TokenBucket

CHANNELS = ("near", "park", "booth")
NEAR_RADIUS = 15.0
CHAT_BURST = float(C.CHAT_BURST)
CHAT_RATE_PER_S = C.CHAT_LINES_PER_10S / 10.0
RETENTION_DAYS = 30
RETENTION_LINES_PER_PARK = 10_000


class ChatRuleError(ValueError):
    """A chat line breaks a rule; ``code`` is an ``ErrorCode`` value (invalid / rate_limited)."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


def clean_text(text: str) -> str:
    """The line as others will see it (``world.text.clean_text``: controls, bidi
    overrides and invisible characters removed); raises ``ChatRuleError`` (invalid)
    when nothing is left or it is over ``MAX_CHAT_CHARS``."""
    text = text_rules.clean_text(text, multiline=True)
    if not text:
        raise ChatRuleError("invalid", "chat text is empty")
    if len(text) > MAX_CHAT_CHARS:
        raise ChatRuleError("invalid", f"chat text is {len(text)} characters; the limit is {MAX_CHAT_CHARS}")
    return text


def check_channel(channel: str, booth: str | None) -> None:
    if channel not in CHANNELS:
        raise ChatRuleError("invalid", f"unknown chat channel {channel!r}; use one of {', '.join(CHANNELS)}")
    if channel == "booth" and not booth:
        raise ChatRuleError("invalid", "booth chat needs `booth` (the booth id)")


@dataclass
class ChatLimiter:
    """Per-speaker token buckets; ``now`` (monotonic seconds) passed in.

    Memory stays bounded: a speaker whose bucket has refilled is forgotten (a full
    bucket is exactly what an unknown speaker gets, so no answer changes). ``allow``
    sweeps for such speakers once every refill time (``burst / rate``, 10 s), so only
    speakers of about the last two refill times are held."""

    burst: float = CHAT_BURST
    rate: float = CHAT_RATE_PER_S
    _buckets: dict[str, TokenBucket] = field(default_factory=dict)
    _swept_at: float | None = None

    def allow(self, speaker: str, now: float) -> bool:
        """May ``speaker`` say a line at ``now``? (Takes one token when it may.)"""
        if self._swept_at is None:
            self._swept_at = now
        elif now - self._swept_at >= self.burst / self.rate:
            self.prune(now)
        bucket = self._buckets.get(speaker)
        if bucket is None:
            bucket = self._buckets[speaker] = TokenBucket.full(self.rate, self.burst, now)
        return bucket.take(now)

    def prune(self, now: float) -> None:
        """Forget every speaker whose bucket is full again at ``now``."""
        self._swept_at = now
        rate, burst = self.rate, self.burst
        self._buckets = {s: b for s, b in self._buckets.items()
                         if b.tokens + max(0.0, now - b.stamp) * rate < burst}

    def forget(self, speaker: str) -> None:
        self._buckets.pop(speaker, None)

    def __len__(self) -> int:
        """Speakers held (those who spoke recently enough to have tokens missing)."""
        return len(self._buckets)
