"""The parks this server hosts: catalogue, scenes and one ``Room`` per park.

``load_parks`` reads the park catalogue, makes sure every park's scene exists
(running ``cloudpark scenes build`` in a subprocess: server/ never imports tools/),
reads each park's layout from its scene and creates its room. A ``HostedPark`` is
plain state; who is in it (connections, held avatars) is kept up to date by
``server.presence.Presence`` alone, and its booth records by
``server.booths.BoothService`` alone.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from server.config import ServerConfig
from world.booths import BoothRecord
from world.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue, Park, parse_catalogue
from world.glb import layout_from_glb
from world.layout import ParkLayout
from world.room import Room, RoomConfig

log = logging.getLogger("cloudpark.parks")


@dataclass(frozen=True, slots=True)
class SceneFile:
    data: bytes
    sha256: str

    @staticmethod
    def of(data: bytes) -> SceneFile:
        return SceneFile(data, hashlib.sha256(data).hexdigest())


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
    clients: dict[int, Any] = field(default_factory=dict)  # eid -> the attached Visitor (presence)
    held: dict[int, Any] = field(default_factory=dict)  # eid -> the Visitor of a dropped connection
    # Halls: this is hall 1, the main hall; a full main hall's newcomers go to overflow
    # halls (2, 3, ...: the same park id, layout, scene and booth records, their own room
    # and crowd). ``overflow`` is kept on the main hall, ``main`` on each overflow hall;
    # presence opens and closes them (its seat ledger decides).
    hall: int = 1
    overflow: dict[int, HostedPark] = field(default_factory=dict)
    main: HostedPark | None = None

    @property
    def main_hall(self) -> HostedPark:
        return self.main if self.main is not None else self

    def halls(self) -> list[HostedPark]:
        """The main hall and its open overflow halls, by number."""
        main = self.main_hall
        return [main, *(main.overflow[n] for n in sorted(main.overflow))]

    def open_hall(self, number: int, config: RoomConfig) -> HostedPark:
        """An overflow hall of this (main) park: the same park, its own room."""
        hall = HostedPark(id=self.id, name_zh=self.name_zh, name_en=self.name_en, layout=self.layout,
                          room=Room(self.id, self.layout, config, grid=self.room.grid), scene=self.scene,
                          booths=self.booths, hall=number, main=self)
        self.overflow[number] = hall
        return hall

    @property
    def online(self) -> int:
        """Visitors connected in this park, every hall together."""
        return sum(len(h.clients) for h in self.halls())

    def info(self) -> dict[str, Any]:
        return {"id": self.id, "name_zh": self.name_zh, "name_en": self.name_en, "online": self.online,
                "scene": f"/scenes/{self.id}.glb", "scene_hash": self.scene.sha256 if self.scene else "",
                "booths": len(self.layout.booths)}


def load_catalogue(folder: Path | None) -> Catalogue:
    folder = folder or DEFAULT_CATALOGUE_DIR
    files = {str(p): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}
    return parse_catalogue(files)


def build_missing_scenes(scenes_dir: Path, park_ids: list[str], catalogue_dir: Path | None = None) -> None:
    """Run ``cloudpark scenes build`` for parks without a scene file (reading the
    catalogue files in ``catalogue_dir``: the database's live entries, written there)."""
    missing = [p for p in park_ids if not (scenes_dir / f"{p}.glb").is_file()]
    if not missing:
        return
    exe = shutil.which("cloudpark") or str(Path(sys.executable).with_name("cloudpark"))
    cmd = [exe, "scenes", "build", "--out", str(scenes_dir)]
    if catalogue_dir is not None:
        cmd += ["--catalogue", str(catalogue_dir)]
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


def room_config(cfg: ServerConfig) -> RoomConfig:
    return RoomConfig(tick_rate=cfg.tick_rate, patch_rate=cfg.patch_rate, view_radius=cfg.view_radius,
                      view_max=cfg.view_max, view_every=cfg.view_every, input_queue=cfg.input_queue)


def load_parks(cfg: ServerConfig, layouts: dict[str, ParkLayout] | None = None,
               catalogue: Catalogue | None = None, catalogue_dir: Path | None = None) -> dict[str, HostedPark]:
    """Every park that has a readable scene (or a given layout), keyed by id; missing
    scenes are built from the catalogue files in ``catalogue_dir``."""
    parks: dict[str, Park] = {p.id: p for p in (catalogue if catalogue is not None
                                                  else load_catalogue(cfg.catalogue_dir))}
    found: dict[str, tuple[ParkLayout, SceneFile | None]] = {}
    if layouts is not None:
        for pid, layout in layouts.items():
            path = cfg.scenes_dir / f"{pid}.glb"
            found[pid] = (layout, SceneFile.of(path.read_bytes()) if path.is_file() else None)
    else:
        if cfg.build_scenes:
            build_missing_scenes(cfg.scenes_dir, list(parks), catalogue_dir)
        for pid in parks:
            path = cfg.scenes_dir / f"{pid}.glb"
            if not path.is_file():
                log.warning("park %s has no scene at %s: not hosted", pid, path)
                continue
            data = path.read_bytes()
            try:
                found[pid] = (layout_from_glb(data), SceneFile.of(data))
            except ValueError as exc:
                log.error("park %s: scene %s unreadable: %s", pid, path, exc)
    rc = room_config(cfg)
    hosted: dict[str, HostedPark] = {}
    for pid, (layout, scene) in sorted(found.items()):
        park = parks.get(pid)
        hosted[pid] = HostedPark(id=pid, name_zh=park.name_zh if park else pid,
                                 name_en=park.name_en if park else pid,
                                 layout=layout, room=Room(pid, layout, rc), scene=scene)
    if not hosted:
        log.warning("no park is hosted: build the scenes with `cloudpark scenes build`")
    return hosted
