"""The composition root: builds every part, wires them, starts and stops them.

Nothing imports this module but the command line (``server.cli``) and the tests.
Dependencies run one way: network shell (``net/``) -> ``dispatch`` -> desks ->
services (``booths``, ``accounts``, ``presence``) -> parks, store, bus. The ticker
and the scheduler take the clock they are given.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import random
import socket
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from server.account_watch import AccountWatch
from server.accounts import Accounts
from server.bookings.service import BookingService
from server.booths import BoothService, assign, enterprise_of
from server.bus import Bus
from server.bus_hub import HubBus
from server.catalogue_sync import LiveCatalogue, catalogue_folder, load_live
from server.clock import Clock, SystemClock
from server.config import ServerConfig
from server.db import Store
from server.desks.booth_desk import BoothDesk
from server.desks.chat_desk import ChatDesk
from server.desks.front import FrontDesk
from server.desks.hall_desk import HallDesk
from server.desks.kiosk_desk import KioskDesk
from server.desks.park_desk import ParkDesk
from server.desks.space_desk import SpaceDesk
from server.dispatch import Dispatcher
from server.metrics import Metrics
from server.net.connection import PendingWrites
from server.net.http import Routes, Site
from server.net.listener import Listener
from server.notice_push import NoticePush
from server.park_reload import ParkReloader, Preview, Rebuild, rebuild_with_builder, render_previews
from server.parks import HostedPark, load_parks
from server.policies.service import PolicyService
from server.presence import Presence
from server.scheduler import Scheduler
from server.showcases.service import ShowcaseService
from server.showcases.stage_source import ShowcaseStages
from server.space_board import SpaceBoard
from server.stage_board import StageBoard, StageSource
from server.stage_qa import StageQA
from server.stage_reactions import ReactionBoard
from server.ticker import Ticker
from server.web.sessions import load_secret
from server.web.texts import load_texts
from world.catalogue import Catalogue
from world.chat import ChatLimiter
from world.layout import ParkLayout
from world.protocol.constants import CloseCode
from world.protocol.session import SessionLimits

log = logging.getLogger("cloudpark.server")

CHAT_RETENTION_EVERY_S = 3600.0
CARD_RETENTION_DAYS = 365.0
SPACES_CHECK_S = 5.0  # how often the parks with visitors see whether a booking started or ended


def session_limits(cfg: ServerConfig) -> SessionLimits:
    return SessionLimits(
        max_frame=cfg.max_frame, inputs_per_s=cfg.tick_rate * 1.5, handshake_timeout=cfg.handshake_timeout,
        idle_timeout=cfg.idle_timeout, tick_rate=cfg.tick_rate, patch_rate=cfg.patch_rate,
        view_radius=cfg.view_radius, view_max=cfg.view_max,
    )


def _render_one(park_id: str, data_dir: Path) -> None:
    render_previews([park_id], data_dir)


class App:
    def __init__(self, config: ServerConfig, *, layouts: dict[str, ParkLayout] | None = None,
                 catalogue: Catalogue | None = None, clock: Clock | None = None, bus: Bus | None = None,
                 rng: random.Random | None = None, rebuild: Rebuild | None = None,
                 preview: Preview | None = None, stages: StageSource | None = None) -> None:
        self.config = config
        self._layouts = layouts
        self._catalogue = catalogue
        self.clock: Clock = clock or SystemClock()
        self.bus: Bus = bus or HubBus(config.bus_socket)
        self.rng = rng or random.Random()
        self._rebuild = rebuild
        self._preview = preview  # a reloaded park's picture (None: cloudpark scenes preview, unless rebuild is given)
        self._stages = stages  # what the parks' stages show (None: the showcase service, server.showcases)
        self.metrics = Metrics()
        self.parks: dict[str, HostedPark] = {}
        self.stopping = False
        self.started = 0.0
        self._tasks: list[asyncio.Task[None]] = []

    # --- startup -----------------------------------------------------------------------

    async def start(self) -> None:
        cfg, clock = self.config, self.clock
        self.started = clock.now()
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(self.bus, HubBus):
            await self.bus.start()
        self.store = store = await Store.open(cfg.database_url)
        folder = catalogue_folder(cfg)
        catalogue = self._catalogue
        if catalogue is None:  # the database's live catalogue (seeded from the folder when empty)
            live = await self.refresh_catalogue()
            catalogue = live.catalogue
            if live.changed and cfg.build_scenes and self._layouts is None:
                # edited while this server was down: those scenes are stale
                await asyncio.to_thread(self._rebuild_stale, live.changed, folder)
        self.parks = await asyncio.to_thread(load_parks, cfg, self._layouts, catalogue, folder)
        self.accounts = Accounts(store, scrypt_n=cfg.scrypt_n, token_ttl=cfg.token_ttl)
        self.presence = presence = Presence(self.parks, cfg, store.positions, store.visits)
        self.booths = booths = BoothService(self.parks, presence, store, self.bus)
        await booths.load()
        self.account_watch = AccountWatch(self.accounts, presence, self.bus, clock, cfg)
        self.notice_push = NoticePush(presence, store, self.bus, load_texts(strict=False))
        tz = ZoneInfo(cfg.zone_timezone)
        self.space_board = SpaceBoard(self.parks, store, self.bus, tz, clock.now)
        self.bookings = BookingService(store, clock, tz, load_secret(cfg.data_dir), bus=self.bus)
        self.showcases = ShowcaseService(store, clock, tz, self.bookings, bus=self.bus)
        self.stages = StageBoard(self.parks, presence, self._stages or ShowcaseStages(self.showcases), self.bus,
                                 attendance=self.showcases, words=self.showcases)  # who came; the chat filter
        self.reactions = ReactionBoard(presence, self.bus, cfg.reactions_per_s,
                                       source=f"{socket.gethostname()}:{id(self):x}")
        self.qa = StageQA(presence, self.stages, self.bus, self.showcases)  # the event's Q&A and polls in the halls
        park_desk = ParkDesk(self.parks, presence, store.positions, clock, self.rng, spaces=self.space_board.message,
                             stage=self.stages.message, barred=self.stages.barred, board=self.qa.arrival)
        chat_desk = ChatDesk(store.chat, ChatLimiter(), clock, hush=self.stages.hushed, words=self.stages.chat_refusal)
        space_desk = SpaceDesk(self.bookings, self.space_board)
        desks: dict[str, object] = {
            "front": FrontDesk(self.accounts, presence, store.likes, clock, self.rng, cfg, booths.message, self.bus,
                               spaces=self.space_board, stage=self.stages),
            "parks": park_desk,
            "chat": chat_desk,
            "booths": BoothDesk(booths, store, clock),
            "kiosk": KioskDesk(store),
            "spaces": space_desk,
            "stage": HallDesk(presence, self.stages, self.reactions, clock, park_desk.arrived, self.qa),
        }
        finders = {"park": park_desk.find_park, "chat": chat_desk.find_channel, "booth": booths.finder,
                   "space": self.space_board.finder, "space_booking": space_desk.find_booking,
                   "stage": self.stages.finder}
        self.dispatcher = Dispatcher(desks, finders, self.metrics)
        pending = PendingWrites()
        scenes = {p.id: p.scene for p in self.parks.values() if p.scene is not None}
        rebuild = self._rebuild or functools.partial(rebuild_with_builder, catalogue_dir=folder)
        preview = self._preview
        if preview is None and self._rebuild is None:
            preview = functools.partial(_render_one, data_dir=cfg.data_dir)
        self.reloader = ParkReloader(cfg, self.parks, presence, booths, scenes, self.bus, self.rng,
                                     rebuild=rebuild, clock_now=clock.now,
                                     refresh=None if self._catalogue is not None else self.refresh_catalogue,
                                     preview=preview)
        site = Site(health=self.health, parks=self.park_list, metrics=self.render_metrics, scenes=scenes,
                    web_dir=cfg.web_dir)
        self.listener = Listener(cfg, presence, self.dispatcher, self.metrics, clock, session_limits(cfg),
                                 Routes(site), pending, lambda: self.stopping)
        self.ticker = Ticker(cfg, self.parks, presence, self.metrics, clock, booths.message,
                             sweep=self.listener.sweep, after_tick=pending.flush_all,
                             before_snapshots=self._showcase_tick)
        self.scheduler = Scheduler(store.jobs, clock, worker=f"{socket.gethostname()}:{id(self):x}")
        self.scheduler.handle("chat.retention", self._chat_retention, every=CHAT_RETENTION_EVERY_S)
        self.scheduler.handle("cards.retention", self._card_retention, every=86400.0)
        self.bookings.register(self.scheduler)  # hold expiry, reminders, no-show release (written by the web)
        self.policies = PolicyService(store, self.bus, self.notice_push.texts, tz)
        self.policies.register(self.scheduler)  # policy deadline reminders (written when a version is published)
        self.showcases.register_jobs(self.scheduler)  # event reminders, start and end (written when scheduled)
        await self.listener.start()
        now = clock.now()
        await self.scheduler.recover()
        await self.scheduler.schedule("chat.retention", "chat.retention", now)
        await self.scheduler.schedule("cards.retention", "cards.retention", now)
        self._tasks = [
            asyncio.create_task(self.ticker.run(), name="ticker"),
            asyncio.create_task(self.scheduler.run_forever(), name="scheduler"),
            asyncio.create_task(self._catch_up_forever(), name="booth-catch-up"),
            asyncio.create_task(self._spaces_forever(), name="spaces-board"),
        ]
        log.info("Cloud Park serving %d parks on ws://%s:%d/ws", len(self.parks), cfg.host, self.port)

    def _showcase_tick(self, now: float) -> None:
        self.stages.tick(now)  # presenters seen in every hall
        self.reactions.tick(now)  # the second's reaction counts, once a second
        self.qa.tick(self.clock.monotonic())  # Q&A boards and polls that changed, a few times a second at most

    def _rebuild_stale(self, park_ids: tuple[str, ...], folder: Path) -> None:
        rebuilt = []
        for park_id in park_ids:
            if (self.config.scenes_dir / f"{park_id}.glb").is_file():
                try:
                    rebuild_with_builder(park_id, self.config.scenes_dir, folder)
                except OSError as exc:
                    log.error("park %s: its scene could not be rebuilt, the old one stays: %s", park_id, exc)
                else:
                    rebuilt.append(park_id)
        render_previews(rebuilt, self.config.data_dir)  # their pictures on the portal, too

    async def refresh_catalogue(self) -> LiveCatalogue:
        """The live catalogue from the database, written out for the scene builder."""
        return await load_live(self.store, self.config, now=self.clock.now())

    async def _chat_retention(self, payload: dict[str, Any], now: float) -> float:
        cfg = self.config
        for park_id in self.parks:
            self.store.chat.post_prune(park_id, now - cfg.chat_retention_days * 86400.0, cfg.chat_retention_rows)
        await self.store.flush()
        return now + CHAT_RETENTION_EVERY_S

    async def _card_retention(self, payload: dict[str, Any], now: float) -> float:
        await self.store.cards.prune(now - CARD_RETENTION_DAYS * 86400.0)
        return now + 86400.0

    async def _catch_up_forever(self) -> None:
        while not self.stopping:
            await asyncio.sleep(self.config.booth_sync_s)
            try:
                await self.booths.catch_up()
            except Exception:  # noqa: BLE001 - e.g. the store closing under it; try again next time
                log.exception("booth catch-up failed")

    async def _spaces_forever(self) -> None:
        while not self.stopping:
            await asyncio.sleep(SPACES_CHECK_S)
            try:
                await self.space_board.due()
            except Exception:  # noqa: BLE001 - e.g. the store closing under it; try again next time
                log.exception("spaces board check failed")

    async def assign_booth(self, park_id: str, booth_id: str, owner: int | str | None) -> Any:
        """Operator path (tests, demo): the same write as ``booth_assign``; ``owner`` is an
        organization id, or the user name of the account running one enterprise."""
        park = self.parks.get(park_id)
        if park is None or booth_id not in park.booths:
            raise LookupError(f"no booth {booth_id!r} in park {park_id!r}")
        org_id = await enterprise_of(self.store, owner) if isinstance(owner, str) and owner else owner or None
        await assign(self.store, self.bus, park_id, booth_id, org_id, self.clock.now())
        await self.booths.refresh(park_id, booth_id)
        return park.booths[booth_id]

    @property
    def port(self) -> int:
        return self.listener.port

    # --- shutdown ----------------------------------------------------------------------

    async def stop(self, reason: str = "the server is shutting down") -> None:
        if self.stopping:
            return
        self.stopping = True
        self.listener.bye_all(CloseCode.GOING_AWAY, reason)
        self.ticker.running = False
        self.scheduler.stop()
        for task in self._tasks:
            if task.get_name() in ("booth-catch-up", "spaces-board"):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.listener.close()
        now = self.clock.now()
        self.presence.save_all_positions(now)
        self.presence.release_all_holds(now)
        await self.bus.close()
        await self.store.close()
        log.info("Cloud Park stopped: store flushed")

    # --- what HTTP sees ----------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return {
            "status": "stopping" if self.stopping else "ok",
            "parks": len(self.parks),
            "clients": len(self.presence.visitors),
            "held": len(self.presence.holds),
            "in_parks": sum(p.online for p in self.parks.values()),
            "uptime_s": round(self.clock.now() - self.started, 1),
        }

    def park_list(self) -> list[dict[str, Any]]:
        return [p.info() for p in self.parks.values()]

    def render_metrics(self) -> str:
        db = self.store.db

        def extra() -> list[str]:
            return [
                "# HELP cloudpark_store_commits_total Transactions committed by the store writer.",
                "# TYPE cloudpark_store_commits_total counter",
                f"cloudpark_store_commits_total {getattr(db, 'commits', 0)}",
                "# HELP cloudpark_connections Open websocket connections.",
                "# TYPE cloudpark_connections gauge",
                f"cloudpark_connections {len(self.presence.visitors)}",
                "# HELP cloudpark_held_avatars Avatars of dropped connections held for resume.",
                "# TYPE cloudpark_held_avatars gauge",
                f"cloudpark_held_avatars {len(self.presence.holds)}",
                "# HELP cloudpark_refused_before_upgrade_total Sockets closed before the websocket upgrade.",
                "# TYPE cloudpark_refused_before_upgrade_total counter",
                f"cloudpark_refused_before_upgrade_total {self.listener.gate.refused}",
                "# HELP cloudpark_halls Open halls of a park (1: the main hall only; more: overflow halls).",
                "# TYPE cloudpark_halls gauge",
                *(f'cloudpark_halls{{park="{p.id}"}} {len(p.halls())}' for p in self.parks.values() if p.overflow),
                "# HELP cloudpark_reactions_sent_total Per-second reaction messages sent (one per park and second).",
                "# TYPE cloudpark_reactions_sent_total counter",
                f"cloudpark_reactions_sent_total {self.reactions.sent}",
            ]
        return self.metrics.render({p.id: p.online for p in self.parks.values()}, extra)


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
