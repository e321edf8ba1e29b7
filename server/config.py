"""The server's configuration: one dataclass, defaults that work with zero setup.

Precedence, lowest first: built-in defaults, an optional TOML file (``--config``),
environment variables ``CLOUDPARK_<FIELD>`` (upper case), command-line flags.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from world.datadir import previews_dir

ENV_PREFIX = "CLOUDPARK_"
SNAPSHOT_MODES = ("aoi", "naive")
GAME_SOCKETS = ("picows", "websockets")


def _known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class ConfigError(ValueError):
    """A setting has the wrong type or an impossible value; the message names it."""


@dataclass(frozen=True, slots=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 8766  # the world server's game websocket (and its HTTP: scenes, health, metrics)
    web_port: int = 8765  # the web app: portal, consoles, API, the browser 3D client
    data_dir: Path = Path("var")
    catalogue_dir: Path | None = None  # None: the catalogue shipped in assets/parks
    # simulation
    tick_rate: int = 20
    patch_rate: int = 20
    view_radius: float = 40.0
    view_max: int = 48
    view_every: int = 2  # snapshot builds per interest (who sees whom) refresh
    input_queue: int = 8
    # limits
    max_connections: int = 2000  # game connections + avatars held for resume
    max_per_ip: int = 64  # likewise, per address
    max_per_park: int = 2000  # avatars in one park, every hall together, held ones included
    hall_capacity: int = 400  # visitors one hall (one room) holds; more go to overflow halls
    hall_offer_s: float = 30.0  # how long a freed main-hall seat is held for the one it is offered to
    reactions_per_s: int = 5  # reactions one person counts in one second (a flood counts this many)
    register_burst: int = 20  # new accounts one address may create at once ...
    register_per_hour: float = 30.0  # ... and then this many an hour
    code_failures_burst: int = 10  # wrong one-time sign-in codes (code_login) one address may try ...
    code_failures_per_hour: float = 60.0  # ... and then this many an hour
    max_pending: int = 512  # sockets not (yet) upgraded to a websocket, in all
    max_pending_per_ip: int = 32  # likewise, per address
    max_frame: int = 16 * 1024
    handshake_timeout: float = 10.0
    idle_timeout: float = 60.0
    high_water: int = 64 * 1024  # bytes in a client's write buffer before its snapshots are skipped
    behind_drop_s: float = 5.0  # seconds above high water before close 4004
    max_buffer: int = 1024 * 1024  # bytes in a client's write buffer that close 4004 at once
    send_buffer: int = 0  # SO_SNDBUF of each game connection in bytes (0: the OS default, often MBs)
    booth_sync_s: float = 5.0  # catch-up: booth rows other processes (the CLI) wrote are read this often
    resume_ttl: float = 30.0
    token_ttl: float = 7 * 24 * 3600.0
    # persistence: "" is the embedded default, SQLite in data_dir; or a SQLAlchemy URL such as
    # postgresql+asyncpg://user@127.0.0.1:5432/cloudpark
    database: str = ""
    chat_retention_days: float = 30.0
    chat_retention_rows: int = 10_000  # per park
    scrypt_n: int = 2**14
    build_scenes: bool = True  # run `cloudpark scenes build` for missing scenes
    # "aoi": interest-managed, encode-once snapshots (the product). "naive": every client
    # gets every avatar, packed per client, unquantized: only for the crowd benchmark's baseline.
    snapshot_mode: str = "aoi"
    # the game websocket's library: "picows" (compiled frame parser behind server.net.door, the
    # default: 1,500 tour visitors held on one core where websockets held 1,250, docs/benchmarks.md)
    # or "websockets" (the one every other request on the port goes through)
    game_socket: str = "picows"
    # the web app (`cloudpark web`): the game websocket its portal announces (the world
    # server's own port; its /parks.json on the same host and port gives visitors online)
    game_url: str = "ws://127.0.0.1:8766/ws"
    web_max_body: int = 64 * 1024  # bytes in one request body; larger ones are refused with 413
    # bookings: times are stored in UTC and shown in the zone's time zone (an IANA name)
    zone_timezone: str = "Asia/Shanghai"

    @property
    def scenes_dir(self) -> Path:
        return self.data_dir / "scenes"

    @property
    def web_dir(self) -> Path:
        return self.data_dir / "web"

    @property
    def previews_dir(self) -> Path:
        """The park pictures (``world.datadir.PREVIEWS``: the scene tools write there)."""
        return previews_dir(self.data_dir)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "cloudpark.sqlite3"

    @property
    def bus_socket(self) -> Path:
        """Where the world server's bus hub listens (``server.bus_hub``). Unix socket paths
        are limited to about 100 bytes: a long data dir gets a short path in /tmp named
        by a hash of it."""
        path = self.data_dir.resolve() / "bus.sock"
        if len(str(path)) <= 100:
            return path
        digest = hashlib.sha1(str(path).encode()).hexdigest()[:16]  # noqa: S324 - a name, not security
        return Path(tempfile.gettempdir()) / f"cloudpark-bus-{digest}.sock"

    @property
    def database_url(self) -> str:
        return self.database or f"sqlite+aiosqlite:///{self.db_path}"

    def check(self) -> ServerConfig:
        problems = []
        for name in ("tick_rate", "patch_rate", "view_max", "view_every", "input_queue", "max_connections",
                     "max_per_ip", "max_per_park", "hall_capacity", "reactions_per_s", "register_burst", "max_pending", "max_pending_per_ip", "max_frame", "high_water", "max_buffer", "chat_retention_rows", "scrypt_n"):
            if getattr(self, name) <= 0:
                problems.append(f"{name} must be positive")
        for name in ("register_per_hour", "view_radius", "handshake_timeout", "idle_timeout", "behind_drop_s", "booth_sync_s", "hall_offer_s",
                     "resume_ttl", "token_ttl", "chat_retention_days"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be positive")
        if self.database and not self.database.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            problems.append("database must be a sqlite+aiosqlite:// or postgresql+asyncpg:// URL")
        if not self.game_url.startswith(("ws://", "wss://")):
            problems.append("game_url must be a ws:// or wss:// URL")
        if self.web_max_body <= 0:
            problems.append("web_max_body must be positive")
        if not _known_zone(self.zone_timezone):
            problems.append("zone_timezone must be an IANA time zone name such as Asia/Shanghai")
        if self.snapshot_mode not in SNAPSHOT_MODES:
            problems.append(f"snapshot_mode must be one of {', '.join(SNAPSHOT_MODES)}")
        if self.game_socket not in GAME_SOCKETS:
            problems.append(f"game_socket must be one of {', '.join(GAME_SOCKETS)}")
        if self.max_buffer < self.high_water:
            problems.append("max_buffer cannot be below high_water")
        if self.patch_rate > self.tick_rate:
            problems.append("patch_rate cannot exceed tick_rate")
        if not 0 <= self.port <= 65535 or not 0 <= self.web_port <= 65535:
            problems.append("port and web_port must be 0..65535")
        if self.scrypt_n & (self.scrypt_n - 1):
            problems.append("scrypt_n must be a power of two")
        if problems:
            raise ConfigError("; ".join(problems))
        return self


_FIELDS = {f.name: f for f in fields(ServerConfig)}


def _coerce(name: str, value: Any) -> Any:
    kind = str(_FIELDS[name].type)
    try:
        if "Path" in kind:
            return None if value in (None, "") else Path(value)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"not a boolean: {value!r}")
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(f"not a whole number: {value!r}")
            return int(value)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError(f"not a number: {value!r}")
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"setting {name}: {exc}") from None


def load_config(
    file: Path | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> ServerConfig:
    """Merge the TOML file, ``CLOUDPARK_*`` variables and flags (None values are ignored)."""
    values: dict[str, Any] = {}
    if file is not None:
        try:
            raw = tomllib.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"config file {file}: {exc}") from None
        table = raw.get("server", raw)
        for key, value in table.items():
            if key not in _FIELDS:
                raise ConfigError(f"config file {file}: unknown setting {key!r} (known: {', '.join(sorted(_FIELDS))})")
            values[key] = _coerce(key, value)
    env = os.environ if env is None else env
    for key, value in env.items():
        if key.startswith(ENV_PREFIX) and key[len(ENV_PREFIX):].lower() in _FIELDS:
            name = key[len(ENV_PREFIX):].lower()
            values[name] = _coerce(name, value)
    for key, value in (overrides or {}).items():
        if value is not None:
            if key not in _FIELDS:
                raise ConfigError(f"unknown setting {key!r}")
            values[key] = _coerce(key, value)
    return dataclasses.replace(ServerConfig(), **values).check()
