"""A real park's layout packed into a minimal .glb, so servers can host it without the scene builder."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from tools.catalogue_files import load_catalogue
from world.layout import ParkLayout
from world.siteplan import plan_park

PARK = "798-art-zone"


def park_layout(park: str = PARK) -> ParkLayout:
    return plan_park(load_catalogue().get(park)).layout


def glb_of(layout: ParkLayout) -> bytes:
    doc = {"asset": {"version": "2.0"}, "scene": 0,
           "scenes": [{"nodes": [], "extras": {"cloudpark": layout.to_dict()}}]}
    body = json.dumps(doc).encode("utf-8")
    body += b" " * (-len(body) % 4)
    return struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(body)) + struct.pack("<II", len(body), 0x4E4F534A) + body


def write_scene(data_dir: Path, park: str = PARK) -> ParkLayout:
    layout = park_layout(park)
    (data_dir / "scenes").mkdir(parents=True, exist_ok=True)
    (data_dir / "scenes" / f"{park}.glb").write_bytes(glb_of(layout))
    return layout
