"""A small hand-built park scene (.glb) for the browser tests: ground, a booth, two halls.

Built from world.layout dataclasses so the tests do not wait on the scene builder.
"""

from __future__ import annotations

import json
import math
import struct

import numpy as np

from world.layout import BoothSlot, ParkLayout, Region, Spawn, Stage

BOOTH_ZONE = ((8.0, -3.0), (13.0, -3.0), (13.0, 3.0), (8.0, 3.0))


def park_layout(park_id: str = "test-park") -> ParkLayout:
    return ParkLayout(
        park_id=park_id,
        width=60.0,
        depth=40.0,
        walkable=(Region(((-30.0, -20.0), (30.0, -20.0), (30.0, 20.0), (-30.0, 20.0)),
                         holes=(((-20.0, 8.0), (-20.0, 16.0), (-8.0, 16.0), (-8.0, 8.0)),)),),
        booths=(BoothSlot("booth-a", 14.5, 0.0, 3.0, 3.0, math.pi, BOOTH_ZONE),),
        stage=Stage(0.0, -16.0, 8.0, 3.0, math.pi / 2, (0.0, -12.0), 6.0, 3.0,
                    ((-4.0, -14.0), (4.0, -14.0), (4.0, -8.0), (-4.0, -8.0))),
        spaces=(),
        spawns=(Spawn("main", 0.0, 0.0, 0.0),),
    )


def _box(cx: float, cy: float, w: float, d: float, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A box standing on ground point (cx, cy) (metres, y north) in glTF axes (x, up, -y)."""
    x0, x1 = cx - w / 2, cx + w / 2
    z0, z1 = -(cy + d / 2), -(cy - d / 2)
    faces = [
        ((0, 1, 0), [(x0, h, z1), (x1, h, z1), (x1, h, z0), (x0, h, z0)]),
        ((0, 0, 1), [(x0, 0, z1), (x1, 0, z1), (x1, h, z1), (x0, h, z1)]),
        ((0, 0, -1), [(x1, 0, z0), (x0, 0, z0), (x0, h, z0), (x1, h, z0)]),
        ((1, 0, 0), [(x1, 0, z1), (x1, 0, z0), (x1, h, z0), (x1, h, z1)]),
        ((-1, 0, 0), [(x0, 0, z0), (x0, 0, z1), (x0, h, z1), (x0, h, z0)]),
    ]
    pos, nor, idx = [], [], []
    for n, quad in faces:
        base = len(pos)
        pos.extend(quad)
        nor.extend([n] * 4)
        idx.extend([base, base + 1, base + 2, base, base + 2, base + 3])
    return np.array(pos, np.float32), np.array(nor, np.float32), np.array(idx, np.uint16)


def _quad(x0: float, y0: float, x1: float, y1: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    pos = np.array([(x0, 0, -y0), (x1, 0, -y0), (x1, 0, -y1), (x0, 0, -y1)], np.float32)
    nor = np.array([(0, 1, 0)] * 4, np.float32)
    return pos, nor, np.array([0, 1, 2, 0, 2, 3], np.uint16)


Box = tuple[str, tuple[float, float, float, float, float], tuple[float, float, float, float]]


def build_glb(layout: ParkLayout, extra: tuple[Box, ...] = ()) -> bytes:
    """The scene; ``extra``: more buildings as (name, (cx, cy, w, d, h), rgba), e.g. what a
    park office added (the layout's walkable area should have a hole there)."""
    parts = [
        ("ground", _quad(-30, -20, 30, 20), (0.55, 0.62, 0.5, 1.0)),
        ("booth-a", _box(14.5, 0.0, 3.0, 3.0, 2.6), (0.85, 0.3, 0.2, 1.0)),
        ("hall-west", _box(-14.0, 12.0, 12.0, 8.0, 9.0), (0.62, 0.5, 0.42, 1.0)),
        ("stage", _box(0.0, -16.0, 8.0, 3.0, 1.0), (0.3, 0.3, 0.45, 1.0)),
        *((name, _box(*box), color) for name, box, color in extra),
    ]
    blob = bytearray()
    views, accessors, meshes, nodes, materials = [], [], [], [], []

    def add_view(data: bytes, target: int) -> int:
        while len(blob) % 4:
            blob.append(0)
        views.append({"buffer": 0, "byteOffset": len(blob), "byteLength": len(data), "target": target})
        blob.extend(data)
        return len(views) - 1

    for name, (pos, nor, idx), color in parts:
        pv = add_view(pos.tobytes(), 34962)
        nv = add_view(nor.tobytes(), 34962)
        iv = add_view(idx.tobytes(), 34963)
        a0 = len(accessors)
        accessors += [
            {"bufferView": pv, "componentType": 5126, "count": len(pos), "type": "VEC3",
             "min": pos.min(axis=0).tolist(), "max": pos.max(axis=0).tolist()},
            {"bufferView": nv, "componentType": 5126, "count": len(nor), "type": "VEC3"},
            {"bufferView": iv, "componentType": 5123, "count": len(idx), "type": "SCALAR"},
        ]
        materials.append({"name": name, "pbrMetallicRoughness": {"baseColorFactor": list(color),
                          "metallicFactor": 0.0, "roughnessFactor": 0.9}})
        meshes.append({"name": name, "primitives": [{"attributes": {"POSITION": a0, "NORMAL": a0 + 1},
                       "indices": a0 + 2, "material": len(materials) - 1}]})
        nodes.append({"name": name, "mesh": len(meshes) - 1})
    while len(blob) % 4:
        blob.append(0)
    doc = {
        "asset": {"version": "2.0", "generator": "cloudpark tests/webxr"},
        "scene": 0,
        "scenes": [{"name": layout.park_id, "nodes": list(range(len(nodes))),
                    "extras": {"cloudpark": layout.to_dict()}}],
        "nodes": nodes, "meshes": meshes, "materials": materials, "accessors": accessors,
        "bufferViews": views, "buffers": [{"byteLength": len(blob)}],
    }
    js = json.dumps(doc, separators=(",", ":")).encode()
    js += b" " * (-len(js) % 4)
    total = 12 + 8 + len(js) + 8 + len(blob)
    return (struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<II", len(js), 0x4E4F534A) + js
            + struct.pack("<II", len(blob), 0x004E4942) + bytes(blob))
