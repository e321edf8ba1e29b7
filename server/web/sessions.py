"""Web sessions and CSRF tokens.

The session cookie carries a login token of ``server.accounts`` (stored hashed,
revocable: signing out revokes it). Before sign-in a browser gets a random
``cp_pre`` cookie instead, so the sign-in form itself is CSRF-protected. The CSRF
token is an HMAC of whichever of the two the browser holds, keyed with a server
secret kept in ``DATA_DIR/web-secret`` (created 0600 on first start).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

SESSION_COOKIE = "cp_session"
PRE_COOKIE = "cp_pre"
LANG_COOKIE = "lang"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"
SECRET_FILE = "web-secret"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def load_secret(data_dir: Path) -> bytes:
    """The CSRF key: read from ``data_dir/web-secret``, or created there (mode 0600)."""
    path = Path(data_dir) / SECRET_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes().strip()
        if len(secret) < 32:
            raise ValueError(f"{path} is too short to be a secret: delete it and restart") from None
        return secret
    secret = secrets.token_hex(32).encode()
    with os.fdopen(fd, "wb") as f:
        f.write(secret)
    return secret


class Csrf:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def token(self, seed: str) -> str:
        """The CSRF token that goes with a session (or pre-session) cookie value."""
        return hmac.new(self._secret, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()

    def check(self, seed: str, given: str) -> bool:
        # bytes: compare_digest refuses str with non-ASCII characters (a TypeError, a 500)
        return bool(seed) and bool(given) and hmac.compare_digest(self.token(seed).encode(),
                                                                  given.encode("utf-8", "surrogatepass"))


def new_pre_session() -> str:
    return secrets.token_urlsafe(24)
