"""Startup and shutdown: the catalogue, the scenes, one Room per park, the store, the socket.

``App.start`` loads the park catalogue, makes sure every park's scene exists in
``DATA_DIR/scenes`` (running ``cloudpark scenes build`` in a subprocess for missing
ones), reads each park's layout from its scene, creates one ``Room`` per park, opens
the store, loads booth records, then starts the ticker and listens. ``App.stop``
says ``bye`` to every client (close 1001), stops the ticker and flushes the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from websockets.asyncio.server import Server, serve

from server.accounts import Accounts, Resumes
from server.config import ServerConfig
from server.http import Routes, SceneFile, Site
from server.metrics import Metrics
from server.store import Store
from server.ticker import Ticker
from world.booths import BoothRecord, check_owner, content_after_assign
from world.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue, Park, parse_catalogue
from world.chat import ChatLimiter
from world.glb import layout_from_glb
from world.layout import ParkLayout
from world.protocol.constants import SUBPROTOCOL
from world.protocol.messages import BoothContent
from world.room import Room, RoomConfig

if TYPE_CHECKING:
    from server.connection import Client

log = logging.getLogger("cloudpark.server")


@dataclass(eq=False)
class HostedPark:
    """One park online: its layout, its room, its scene file, its booths and who is in it."""

    id: str
    name_zh: str
    name_en: str
    layout: ParkLayout
    room: Room
    scene: SceneFile | None
    booths: dict[str, BoothRecord] = field(default_factory=dict)
    clients: dict[int, Client] = field(default_factory=dict)  # eid -> attached connection
    held: dict[int, Any] = field(default_factory=dict)  # eid -> identity of a detached avatar

    @property
    def online(self) -> int:
        return len(self.room.avatars) if hasattr(self.room, "avatars") else len(self.clients) + len(self.held)


def load_catalogue(folder: Path | None) -> Catalogue:
    folder = folder or DEFAULT_CATALOGUE_DIR
    files = {str(p): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}
    return parse_catalogue(files)


def build_missing_scenes(scenes_dir: Path, park_ids: list[str]) -> None:
    """Run ``cloudpark scenes build`` (a subprocess: server/ never imports tools/)."""
    missing = [p for p in park_ids if not (scenes_dir / f"{p}.glb").is_file()]
    if not missing:
        return
    exe = shutil.which("cloudpark") or str(Path(sys.executable).with_name("cloudpark"))
    cmd = [exe, "scenes", "build", "--out", str(scenes_dir)]
    for park in missing:
        cmd += ["--park", park]
    log.info("building %d missing scene(s): %s", len(missing), " ".join(cmd))
    try:
        done = subprocess.run(cmd, check=False, timeout=1800)  # noqa: S603 - our own console script
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("could not run the scene builder: %s", exc)
        return
    if done.returncode != 0:
        log.error("the scene builder exited with %d", done.returncode)


class App:
    def __init__(self, config: ServerConfig, *, layouts: dict[str, ParkLayout] | None = None,
                 catalogue: Catalogue | None = None) -> None:
        self.config = config
        self._given_layouts = layouts
        self._given_catalogue = catalogue
        self.parks: dict[str, HostedPark] = {}
        self.metrics = Metrics()
        self.store = Store(config.db_path)
        self.accounts = Accounts(self.store, scrypt_n=config.scrypt_n, token_ttl=config.token_ttl)
        self.resumes = Resumes(config.resume_ttl)
        self.rng = random.Random()
        self.chat_limiter = ChatLimiter()
        self.clients: set[Client] = set()
        self.outboxes: set[Client] = set()  # clients with frames waiting for the tick's write
        self.live: dict[str, Client] = {}  # resume token -> its open connection
        self.per_ip: Counter[str] = Counter()
        self.ticker = Ticker(self)
        self.server: Server | None = None
        self.started = time.time()
        self.stopping = False
        self._ticker_task: asyncio.Task[None] | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self.positions: dict[str, tuple[str, float, float, float]] = {}  # user -> last (park, x, y, yaw)

    # --- startup -----------------------------------------------------------------------

    def _room_config(self) -> RoomConfig:
        c = self.config
        return RoomConfig(tick_rate=c.tick_rate, patch_rate=c.patch_rate, view_radius=c.view_radius,
                          view_max=c.view_max, view_every=c.view_every, input_queue=c.input_queue)

    def _load_parks(self) -> None:
        cfg = self.config
        if self._given_catalogue is not None:
            catalogue = self._given_catalogue
        else:
            catalogue = load_catalogue(cfg.catalogue_dir)
        parks: dict[str, Park] = {p.id: p for p in catalogue}
        layouts: dict[str, tuple[ParkLayout, SceneFile | None]] = {}
        if self._given_layouts is not None:
            for pid, layout in self._given_layouts.items():
                path = cfg.scenes_dir / f"{pid}.glb"
                layouts[pid] = (layout, SceneFile.of(path.read_bytes()) if path.is_file() else None)
        else:
            if cfg.build_scenes:
                build_missing_scenes(cfg.scenes_dir, list(parks))
            for pid in parks:
                path = cfg.scenes_dir / f"{pid}.glb"
                if not path.is_file():
                    log.warning("park %s has no scene at %s: not hosted", pid, path)
                    continue
                data = path.read_bytes()
                try:
                    layouts[pid] = (layout_from_glb(data), SceneFile.of(data))
                except ValueError as exc:
                    log.error("park %s: scene %s unreadable: %s", pid, path, exc)
        room_config = self._room_config()
        for pid, (layout, scene) in sorted(layouts.items()):
            park = parks.get(pid)
            self.parks[pid] = HostedPark(
                id=pid, name_zh=park.name_zh if park else pid, name_en=park.name_en if park else pid,
                layout=layout, room=Room(pid, layout, room_config), scene=scene,
            )
        if not self.parks:
            log.warning("no park is hosted: build the scenes with `cloudpark scenes build`")

    async def _load_booths(self) -> None:
        likes = await self.store.like_counts()
        saved = {(r["park"], r["booth"]): r for r in await self.store.booths()}
        for park in self.parks.values():
            for slot in park.layout.booths:
                row = saved.get((park.id, slot.id))
                record = BoothRecord(id=slot.id, park_id=park.id)
                if row is not None:
                    try:
                        content = msgspec.json.decode(row["content"], type=BoothContent)
                    except msgspec.DecodeError as exc:
                        log.error("booth %s/%s: stored content unreadable (%s); shown empty", park.id, slot.id, exc)
                        content = BoothContent()
                    record = BoothRecord(id=slot.id, park_id=park.id, owner_user_id=row["owner_user"],
                                         owner_company=row["owner_company"], content=content,
                                         updated=float(row["updated"]))
                record.likes = likes.get((park.id, slot.id), 0)
                park.booths[slot.id] = record

    async def start(self) -> None:
        cfg = self.config
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(self._load_parks)
        await self.store.open()
        await self._load_booths()
        from server.connection import handle  # the connection shell needs a built App

        site = Site(health=self.health, parks=self.park_list, metrics=self.render_metrics,
                    scenes={p.id: p.scene for p in self.parks.values() if p.scene is not None},
                    web_dir=cfg.web_dir)
        self.server = await serve(
            lambda ws: handle(self, ws), cfg.host, cfg.port,
            process_request=Routes(site), compression=None, max_size=cfg.max_frame,
            max_queue=32, open_timeout=cfg.handshake_timeout, ping_interval=20, ping_timeout=20,
            close_timeout=5, subprotocols=[SUBPROTOCOL], select_subprotocol=_any_subprotocol,
            server_header="CloudPark",
        )
        self._ticker_task = asyncio.create_task(self.ticker.run(), name="ticker")
        self._sync_task = asyncio.create_task(self._sync_booths_forever(), name="booth-sync")
        log.info("Cloud Park serving %d parks on ws://%s:%d/ws", len(self.parks), cfg.host, self.port)

    async def assign_booth(self, park_id: str, booth_id: str, owner_user: str) -> BoothRecord:
        """Give a booth slot to the enterprise of account ``owner_user`` (``""`` frees it).

        Committed before it takes effect; the visitors standing in the booth get its new
        state. Raises ``LookupError`` (no such park, booth or account) or ``BoothRuleError``
        (the account is not an enterprise with a company)."""
        park = self.parks.get(park_id)
        record = park.booths.get(booth_id) if park is not None else None
        if park is None or record is None:
            raise LookupError(f"no booth {booth_id!r} in park {park_id!r}")
        company = ""
        if owner_user:
            row = await self.store.account(owner_user)
            if row is None:
                raise LookupError(f"no account {owner_user!r}")
            check_owner(row.user, row.role, row.company)
            company = row.company
        content = content_after_assign(record, company)
        now = time.time()
        await self.store.save_booth(park_id, booth_id, company, owner_user, msgspec.json.encode(content).decode(), now)
        if company != record.owner_company:
            record.staff_on_duty.clear()
        record.owner_company, record.owner_user_id, record.content, record.updated = company, owner_user, content, now
        from server.booth_desk import push_to_booth_visitors

        push_to_booth_visitors(park, record)
        return record

    async def sync_booths(self) -> int:
        """Take booth rows another process (``cloudpark booths assign``) committed since
        this server last wrote them; returns how many records changed."""
        from server.booth_desk import push_to_booth_visitors

        changed = 0
        for row in await self.store.booths():
            park = self.parks.get(row["park"])
            record = park.booths.get(row["booth"]) if park is not None else None
            if park is None or record is None or float(row["updated"]) <= record.updated:
                continue
            try:
                content = msgspec.json.decode(row["content"], type=BoothContent)
            except msgspec.DecodeError:
                content = BoothContent()
            if row["owner_company"] != record.owner_company:
                record.staff_on_duty.clear()
            record.owner_company, record.owner_user_id = row["owner_company"], row["owner_user"]
            record.content, record.updated = content, float(row["updated"])
            push_to_booth_visitors(park, record)
            changed += 1
        return changed

    async def _sync_booths_forever(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self.config.booth_sync_s)
            try:
                await self.sync_booths()
            except Exception:  # noqa: BLE001 - e.g. the store closing under it; try again next time
                log.exception("booth sync failed")

    async def saved_position(self, user: str, park_id: str) -> tuple[float, float, float] | None:
        """Where ``user`` last left ``park_id`` (None: elsewhere, or never)."""
        saved = self.positions.get(user)
        if saved is None:
            saved = await self.store.position(user)
        if saved is None or saved[0] != park_id:
            return None
        return saved[1], saved[2], saved[3]

    def save_position(self, user: str, park_id: str, x: float, y: float, yaw: float, now: float) -> None:
        self.positions[user] = (park_id, x, y, yaw)
        self.store.post_position(user, park_id, x, y, yaw, now)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    # --- shutdown ----------------------------------------------------------------------

    async def stop(self, reason: str = "the server is shutting down") -> None:
        if self.stopping:
            return
        self.stopping = True
        for client in list(self.clients):
            client.bye(1001, reason)
        self.ticker.running = False
        if self._ticker_task is not None:
            await self._ticker_task
        if self._sync_task is not None:
            self._sync_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sync_task
        if self.server is not None:
            self.server.close(close_connections=True)
            await self.server.wait_closed()
        self._save_positions()
        await self.store.close()
        log.info("Cloud Park stopped: store flushed")

    def _save_positions(self) -> None:
        from server.connection import save_position

        now = time.time()
        for park in self.parks.values():
            for eid, client in list(park.clients.items()):
                save_position(self, client.who, park, eid, now)
            for eid, who in list(park.held.items()):
                save_position(self, who, park, eid, now)

    # --- what HTTP sees ----------------------------------------------------------------

    def clients_per_park(self) -> dict[str, int]:
        return {p.id: len(p.clients) for p in self.parks.values()}

    def health(self) -> dict[str, Any]:
        return {
            "status": "stopping" if self.stopping else "ok",
            "parks": len(self.parks),
            "clients": len(self.clients),
            "in_parks": sum(len(p.clients) for p in self.parks.values()),
            "uptime_s": round(time.time() - self.started, 1),
        }

    def park_list(self) -> list[dict[str, Any]]:
        return [
            {"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "online": len(p.clients),
             "scene": f"/scenes/{p.id}.glb", "scene_hash": p.scene.sha256 if p.scene else "",
             "booths": len(p.layout.booths)}
            for p in self.parks.values()
        ]

    def render_metrics(self) -> str:
        store = self.store

        def extra() -> list[str]:
            return [
                "# HELP cloudpark_store_commits_total Transactions committed by the store writer.",
                "# TYPE cloudpark_store_commits_total counter",
                f"cloudpark_store_commits_total {store.commits}",
                "# HELP cloudpark_connections Open websocket connections.",
                "# TYPE cloudpark_connections gauge",
                f"cloudpark_connections {len(self.clients)}",
            ]
        return self.metrics.render(self.clients_per_park(), extra)


def _any_subprotocol(connection: Any, subprotocols: Any) -> Any:
    """Accept ``cloudpark.v1`` when offered; a client that offers nothing is still served
    (the protocol version is checked in ``hello``, with a clear error)."""
    return SUBPROTOCOL if SUBPROTOCOL in subprotocols else None


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
