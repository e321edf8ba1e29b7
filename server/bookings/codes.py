"""Check-in codes: eight characters a person can read out or type (no 0/O, 1/I/L),
derived from the booking's id with an HMAC under the server's secret, so the code can
be shown again (QR, calendar file) while the database stores only its SHA-256."""

from __future__ import annotations

import hashlib
import hmac

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 8


def code_for(secret: bytes, booking_id: int) -> str:
    digest = hmac.new(secret, f"booking-check-in:{booking_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:10], "big")
    out = []
    for _ in range(LENGTH):
        number, rest = divmod(number, len(ALPHABET))
        out.append(ALPHABET[rest])
    return "".join(out)


def shown(code: str) -> str:
    """``ABCD2345`` as ``ABCD-2345``."""
    return f"{code[:4]}-{code[4:]}"


def normalise(typed: str) -> str | None:
    """What a person typed or a scanner read, as a code (None: cannot be one)."""
    text = "".join(ch for ch in typed.upper() if ch not in " -")
    if text.startswith("CP:"):
        text = text[3:]
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def code_hash(code: str) -> bytes:
    return hashlib.sha256(code.encode()).digest()
