"""A park changed (its catalogue entry was edited, or a new park was approved): rebuild
its scene and swap it into the running world, without a restart and without dropping
anyone.

``ParkReloader`` listens for ``park.changed`` hints (``{"park": id}``) on the bus. It
rebuilds the park's scene off the event loop (``rebuild``: by default the
``cloudpark scenes build`` subprocess, which reads the catalogue), reads the new layout,
and then, in one synchronous step between two ticks, replaces the park's room: every
avatar (attached or held for resume) moves into the new room where it stood if that
is still walkable ground, else to the nearest walkable point, else to a spawn point;
each attached client gets a fresh ``joined`` (new entity id, new scene hash, the
booths) and rebuilds its world as it does after a resume. A park that was not hosted
yet goes online the same way. A scene that fails to build or read leaves the running
park as it was, logged. Once the new scene is live its picture for the portal is
rendered again (``preview``: by default ``cloudpark scenes preview``, about a second);
a picture that cannot be rendered leaves the old one, logged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from server.booths import BoothService
from server.bus import Bus, Hint
from server.catalogue_sync import LiveCatalogue
from server.config import ServerConfig
from server.desks.views import joined_message
from server.parks import HostedPark, SceneFile, build_missing_scenes, load_catalogue, room_config
from server.presence import Presence, Visitor
from world.catalogue import CatalogueError
from world.glb import layout_from_glb
from world.layout import LayoutError
from world.protocol.codec import encode
from world.room import BoothLeft, Room

log = logging.getLogger("cloudpark.parks")

CHANGED = "park.changed"
REBUILT = "park.rebuilt"  # {"park", "ok", "scene_hash", "revision", "error"}: what a reload came to
PARK_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
Rebuild = Callable[[str, Path], None]
Preview = Callable[[str], None]
Refresh = Callable[[], Awaitable[LiveCatalogue]]


def rebuild_with_builder(park_id: str, scenes_dir: Path, catalogue_dir: Path | None = None) -> None:
    """``cloudpark scenes build --park ID [--catalogue DIR]`` into a fresh folder beside
    ``scenes_dir``; the new file replaces the old one only when the build produced it, so
    a failed build leaves the scene the server restarts with as it was."""
    with tempfile.TemporaryDirectory(dir=scenes_dir, prefix=".rebuild-") as tmp:
        build_missing_scenes(Path(tmp), [park_id], catalogue_dir)
        built = Path(tmp) / f"{park_id}.glb"
        if not built.is_file():
            raise OSError(f"the scene builder wrote no scene for {park_id}")
        os.replace(built, scenes_dir / f"{park_id}.glb")


def render_previews(park_ids: list[str], data_dir: Path) -> None:
    """``cloudpark scenes preview --data-dir DIR --park ID ...``: the portal's pictures of
    these parks, rendered again from their scenes (those older than their scene)."""
    if not park_ids:
        return
    exe = shutil.which("cloudpark") or str(Path(sys.executable).with_name("cloudpark"))
    cmd = [exe, "scenes", "preview", "--data-dir", str(data_dir)]
    for park in park_ids:
        cmd += ["--park", park]
    try:
        done = subprocess.run(cmd, check=False, timeout=600, capture_output=True, text=True)  # noqa: S603
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("the pictures of %s were not rendered: %s", ", ".join(park_ids), exc)
        return
    if done.returncode != 0:
        log.error("the pictures of %s were not rendered (exit %d): %s", ", ".join(park_ids), done.returncode,
                  (done.stderr or done.stdout)[-1000:])


class ParkReloader:
    def __init__(self, cfg: ServerConfig, parks: dict[str, HostedPark], presence: Presence,
                 booths: BoothService, scenes: dict[str, SceneFile], bus: Bus, rng: random.Random,
                 rebuild: Rebuild = rebuild_with_builder, clock_now: Callable[[], float] = time.time,
                 refresh: Refresh | None = None, preview: Preview | None = None) -> None:
        self.cfg = cfg
        self.parks = parks
        self.presence = presence
        self.booths = booths
        self.scenes = scenes  # what HTTP serves at /scenes/<park>.glb (updated in place)
        self.rng = rng
        self.rebuild = rebuild
        self.clock_now = clock_now
        self.refresh = refresh  # the live catalogue from the database (None: the catalogue folder)
        self.preview = preview  # the portal's picture of a reloaded park (None: none rendered)
        self.bus = bus
        self.reloads = 0
        self._lock = asyncio.Lock()
        self._pending: set[str] = set()  # parks with a reload queued: more hints for them add nothing
        bus.subscribe(CHANGED, self._changed)

    async def _changed(self, subject: str, hint: Hint) -> None:
        park_id = str(hint.get("park", ""))
        if not PARK_ID.fullmatch(park_id):
            log.warning("park.changed for an impossible park id %r ignored", park_id[:80])
            return
        if park_id in self._pending:
            return  # a reload of that park is queued already; it reads the catalogue as it is then
        self._pending.add(park_id)
        try:
            await self.reload(park_id)
        finally:
            self._pending.discard(park_id)

    async def reload(self, park_id: str) -> bool:
        """Rebuild and swap one park; True when the new scene is live. The outcome goes
        out as a ``park.rebuilt`` hint (the park console shows it)."""
        if not PARK_ID.fullmatch(park_id):
            raise ValueError(f"park: {park_id[:80]!r} is not a park id")
        async with self._lock:
            revision = 0
            try:
                live = await self.refresh() if self.refresh is not None else None
                if live is not None:  # (a park not in it: the builder refuses it, an injected one may not)
                    revision = live.revisions.get(park_id, 0)
                scene, names = await asyncio.to_thread(self._build, park_id, live)
            except (OSError, ValueError, CatalogueError, LayoutError) as exc:
                log.error("park %s: the changed scene could not be loaded, the running one stays: %s",
                          park_id, exc)
                self.bus.publish(REBUILT, {"park": park_id, "ok": False, "revision": revision,
                                           "scene_hash": "", "error": str(exc)[:500]})
                return False
            await self._swap(park_id, scene, names)
            self.reloads += 1
            self.bus.publish(REBUILT, {"park": park_id, "ok": True, "revision": revision,
                                       "scene_hash": scene.sha256, "error": ""})
        if self.preview is not None:  # after the swap, outside the lock: the world does not wait for it
            try:
                await asyncio.to_thread(self.preview, park_id)
            except Exception:
                log.exception("park %s: its picture was not rendered", park_id)
        return True

    def _build(self, park_id: str, live: LiveCatalogue | None) -> tuple[SceneFile, tuple[str, str]]:
        self.rebuild(park_id, self.cfg.scenes_dir)
        data = (self.cfg.scenes_dir / f"{park_id}.glb").read_bytes()
        layout_from_glb(data)  # refuse an unreadable scene before anything is swapped
        names = (park_id, park_id)
        try:
            catalogue = live.catalogue if live is not None else load_catalogue(self.cfg.catalogue_dir)
            park = {p.id: p for p in catalogue}.get(park_id)
        except CatalogueError as exc:
            log.warning("catalogue unreadable while reloading %s (names unchanged): %s", park_id, exc)
            park = None
        if park is not None:
            names = (park.name_zh, park.name_en)
        elif park_id in self.parks:
            names = (self.parks[park_id].name_zh, self.parks[park_id].name_en)
        return SceneFile.of(data), names

    async def _swap(self, park_id: str, scene: SceneFile, names: tuple[str, str]) -> None:
        layout = layout_from_glb(scene.data)
        room = Room(park_id, layout, room_config(self.cfg))
        rows, likes = await self.booths.rows_of(park_id)
        old = self.parks.get(park_id)
        if old is None:
            park = HostedPark(park_id, names[0], names[1], layout, room, scene)
            self.booths.relayout(park, rows, likes)
            self.parks[park_id] = park
            self.scenes[park_id] = scene
            log.info("park %s is online", park_id)
            return
        # every hall of the park (the main hall and its overflow halls) moves to the new scene
        halls = old.halls()
        rooms = {hall: room if hall is old else Room(park_id, layout, room_config(self.cfg), grid=room.grid)
                 for hall in halls}
        moves: list[tuple[HostedPark, Visitor, tuple[float, float, float], bool]] = []
        now = self.clock_now()
        for hall in halls:
            for eid, visitor in [*hall.clients.items(), *hall.held.items()]:
                av = hall.room.avatars.get(eid)
                if av is not None and visitor.person is not None:
                    moves.append((hall, visitor, self._spot(room, av.x, av.y, av.yaw), eid in hall.held))
                for event in hall.room.leave(eid):  # a visit in progress ends with the old room
                    if isinstance(event, BoothLeft):
                        self.presence.record_visit(hall, visitor, event.booth_id, event.dwell_s, now)
        # --- from here on, nothing awaits: the ticker sees the old park or the new one
        for hall in halls:
            hall.layout, hall.room, hall.scene = layout, rooms[hall], scene
            hall.name_zh, hall.name_en = names
            hall.clients.clear()
            hall.held.clear()
        self.scenes[park_id] = scene
        self.booths.relayout(old, rows, likes)  # one set of booth records for every hall
        held_tokens = {h.visitor: h for h in self.presence.holds.values()}
        for hall, visitor, at, held in moves:
            assert visitor.person is not None
            eid = hall.room.join(visitor.person, None, self.rng, at=at)
            visitor.eid = eid
            if held:
                hall.room.detach(eid)
                hall.held[eid] = visitor
                hold = held_tokens.get(visitor)
                if hold is not None:
                    hold.eid = eid
            else:
                hall.clients[eid] = visitor
                visitor.peer.push(encode(joined_message(hall, eid, 0)))
        log.info("park %s reloaded with its new scene: %d visitors moved in (%d halls)", park_id, len(moves),
                 len(halls))

    def _spot(self, room: Room, x: float, y: float, yaw: float) -> tuple[float, float, float]:
        if room.grid.contains(x, y):
            return x, y, yaw
        near = room.grid.nearest_walkable(x, y)
        if near is not None:
            return near[0], near[1], yaw
        spawn = room.layout.spawns[0]
        return spawn.x, spawn.y, spawn.facing


