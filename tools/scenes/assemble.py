"""One park's scene: its site plan (world.siteplan) turned into glTF nodes and meshes.

Node names the server and clients look for: ``booth:<id>``, ``stage``, ``stage_screen``,
``space:<id>``, ``spawn:<id>``, ``kiosk`` (the policy service point). The whole layout rides in
``scenes[0].extras["cloudpark"]`` (see docs/scenes.md).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import trimesh

from tools.scenes.document import Part, SceneDocument
from tools.scenes.shapes import (
    box,
    cone,
    cylinder,
    extruded,
    part,
    sphere,
    split_faces,
    teeth_profile,
)
from world.catalogue import Park
from world.siteplan import Building, SitePlan, plan_park

BUILDER_VERSION = "3"  # 2: colours written linear (glTF), authored sRGB; 3: the policy kiosk


@dataclass(frozen=True, slots=True)
class BuiltScene:
    park_id: str
    glb: bytes
    triangles: int


def build_scene(park: Park) -> BuiltScene:
    plan = plan_park(park)
    doc = SceneDocument()
    _ground(doc, plan)
    shared = _shared_meshes(doc)
    for b in plan.buildings:
        _building(doc, b, shared)
    space_extras(doc, plan)
    for pipe in plan.pipes:
        length = math.hypot(pipe.x1 - pipe.x0, pipe.y1 - pipe.y0)
        if length < 1:
            continue
        angle = math.atan2(pipe.y1 - pipe.y0, pipe.x1 - pipe.x0)
        doc.node("pipe", shared["pipe"], at=((pipe.x0 + pipe.x1) / 2, (pipe.y0 + pipe.y1) / 2, pipe.z),
                 facing=angle, scale=(length, pipe.radius, pipe.radius))
    for t in plan.trees:
        doc.node("tree", shared["tree"], at=(t.x, t.y, 0.0), scale=t.scale)
    for f in plan.furniture:
        doc.node(f.kind, shared[f.kind], at=(f.x, f.y, 0.0), facing=f.facing)
    layout = plan.layout
    for b in layout.booths:
        doc.node(f"booth:{b.id}", shared["booth"], at=(b.x, b.y, 0.0), facing=b.facing,
                 extras={"id": b.id, "width": b.width, "depth": b.depth, "facing": b.facing})
    _stage(doc, plan)
    _kiosk(doc, plan)
    for s in layout.spawns:
        doc.node(f"spawn:{s.id}", None, at=(s.x, s.y, 0.0), facing=s.facing,
                 extras={"id": s.id, "facing": s.facing})
    glb = doc.to_glb(park.id, {"cloudpark": layout.to_dict(),
                               "park": {"id": park.id, "name_en": park.name_en, "name_zh": park.name_zh,
                                        "style": park.style, "builder": BUILDER_VERSION}})
    return BuiltScene(park.id, glb, doc.triangles())


def _tint(key: str, spread: float = 0.12) -> tuple[int, int, int, int]:
    """A stable shade per building (sRGB bytes), so a street of brick halls is not one flat colour."""
    h = zlib.crc32(key.encode())
    f = 1.0 - spread + 2 * spread * ((h & 0xFF) / 255)
    g = 1.0 - spread / 2 + spread * (((h >> 8) & 0xFF) / 255)
    return (min(255, int(235 * f)), min(255, int(235 * f * g)), min(255, int(235 * g)), 255)


def _flat(w: float, d: float, z: float, x: float = 0.0, y: float = 0.0) -> trimesh.Trimesh:
    return box(w, d, 0.04, x, y, z)


def _ground(doc: SceneDocument, plan: SitePlan) -> None:
    site = plan.site
    outer = max(site.width, site.depth) * 1.6
    parts = [
        part("grass", [box(outer, outer, 0.1, z=-0.2)], (200, 215, 190, 255)),
        part("paving", [_flat(site.width, site.depth, -0.05)]),
        part("grass", [_flat(lot.width + 2, lot.depth + 2, -0.02, lot.x, lot.y) for lot in plan.lots]),
        part("path", [_flat(p.width, p.depth, 0.0, p.x, p.y) for p in plan.paths]),
        part("plaza", [_flat(plan.plaza.width, plan.plaza.depth, 0.02)]),
    ]
    doc.node("ground", doc.mesh("ground", parts))


def _shared_meshes(doc: SceneDocument) -> dict[str, int]:
    tree = [part("bark", [cylinder(0.22, 2.6, sections=6)]),
            part("foliage", [sphere(2.2, z=4.2), sphere(1.6, 0.6, 0.4, 5.6)])]
    bench = [part("wood", [box(0.5, 1.8, 0.08, z=0.45), box(0.08, 1.8, 0.45, -0.25, 0, 0.5)]),
             part("metal", [box(0.45, 0.08, 0.45, 0, -0.8), box(0.45, 0.08, 0.45, 0, 0.8)])]
    lamp = [part("metal", [cylinder(0.08, 4.2, sections=6)]), part("lamp", [sphere(0.3, z=4.3)])]
    booth = [  # local: front toward +x, 3.2 m wide (y), 2.4 m deep (x)
        part("booth", [box(2.4, 3.2, 0.15), box(0.12, 3.2, 2.6, -1.14, 0, 0.15),
                       box(0.6, 2.4, 1.0, 0.85, 0, 0.15)]),
        part("accent", [box(2.6, 3.4, 0.15, 0.1, 0, 2.75), box(0.05, 2.0, 0.9, -1.06, 0, 1.3)]),
        part("metal", [cylinder(0.04, 2.6, 1.15, y, 0.15, sections=6) for y in (-1.55, 1.55)]),
    ]
    pipe = [part("steel", [cylinder(1.0, 1.0, sections=8).apply_transform(
        trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0)))])]
    return {name: doc.mesh(name, parts) for name, parts in
            (("tree", tree), ("bench", bench), ("lamp", lamp), ("booth", booth), ("pipe", pipe))}


def _building(doc: SceneDocument, b: Building, shared: dict[str, int]) -> None:
    parts = _building_parts(b)
    node_name = f"space:{b.space_id}" if b.space_id else f"building:{b.id}"
    extras = None
    if b.space_id:
        extras = {"id": b.space_id, "kind_of_building": b.kind}
    mesh = doc.mesh(node_name, parts) if parts else None
    node = doc.node(node_name, mesh, at=(b.x, b.y, 0.0), extras=extras)
    if b.roof == "silos":
        unit = 8.6
        key = f"silo-{b.height:g}"
        if key not in shared:  # one mesh per silo height, shared by every silo of that height
            shared[key] = doc.mesh(key, [
                part("concrete", [cylinder(4.0, b.height - 1.0, sections=16)], (225, 222, 215, 255)),
                part("roof", [cone(4.1, 2.5, z=b.height - 1.0, sections=16)])])
        cols, rows = max(1, round(b.width / unit)), max(1, round(b.depth / unit))
        for i in range(cols):
            for j in range(rows):
                x = (i - (cols - 1) / 2) * unit
                y = (j - (rows - 1) / 2) * unit
                doc.node("silo", shared[key], at=(x, y, 1.0), parent=node)


def space_extras(doc: SceneDocument, plan: SitePlan) -> None:
    """Fill each space node's extras from the layout (name, kind, estimated)."""
    spaces = {s.id: s for s in plan.layout.spaces}
    for n in doc.doc.nodes:
        if n.name and n.name.startswith("space:"):
            s = spaces[n.name[6:]]
            n.extras = {"id": s.id, "name": s.name, "kind": s.kind, "estimated": s.estimated,
                        "entrance": list(s.entrance)}


def _building_parts(b: Building) -> list[Part]:
    tint = _tint(b.id)
    w, d, h = b.width, b.depth, b.height
    r = w / 2
    if b.kind == "gas-holder":
        cols = [box(0.6, 0.6, h + 2, r * 1.04 * math.cos(a), r * 1.04 * math.sin(a))
                for a in np.linspace(0, 2 * math.pi, 12, endpoint=False)]
        rings = [cylinder(r * 1.06, 0.6, z=z, sections=24) for z in (h * 0.33, h * 0.66, h + 1.4)]
        return [part("steel", [cylinder(r, h, sections=24), cone(r, r * 0.25, z=h, sections=24)], tint),
                part("metal", cols + rings)]
    if b.kind == "chimney":
        return [part("brick", [cylinder(r, h, sections=12, taper=0.6)], tint),
                part("metal", [cylinder(r * 0.65, 1.0, z=h - 1.0, sections=12)])]
    if b.kind == "water-tower":
        return [part("concrete", [cylinder(r * 0.45, h * 0.7, sections=12)], tint),
                part("brick", [cylinder(r, h * 0.3, z=h * 0.7, sections=12)], tint),
                part("roof", [cone(r * 1.05, 2.0, z=h, sections=12)])]
    if b.kind == "outdoor":
        return [part("paving", [box(w, d, 0.06)], (230, 215, 190, 255))]
    if b.kind == "plinth":
        return [part("concrete", [box(w, d, 1.0)]),
                part("accent", [sphere(min(w, d) * 0.3, z=1.0 + min(w, d) * 0.3)])]
    if b.kind == "locomotive":
        return [part("metal", [box(w, d, 1.2, z=0.0), box(w * 0.25, d, 2.2, -w * 0.35, 0, 1.2)], tint),
                part("steel", [cylinder(1.3, w * 0.6, w * 0.12, 0, 2.5, sections=12).apply_transform(
                    trimesh.transformations.rotation_matrix(math.pi / 2, (0, 1, 0), (w * 0.12, 0, 2.5)))])]
    if b.roof == "silos":
        return [part("concrete", [box(w, d, 1.0)], tint)]
    return _hall_parts(b, tint)


def _hall_parts(b: Building, tint: tuple[int, int, int, int]) -> list[Part]:
    w, d, h = b.width, b.depth, b.height
    wall = b.material
    walls = [box(w, d, h)]
    along_x = w >= d
    length, across = (w, d) if along_x else (d, w)
    if b.roof == "sawtooth":
        roof = extruded(teeth_profile(length, h, 3.0, 7.5, symmetric=False), across, along_x)
        glazing, rest = split_faces(roof, (1, 0, 0) if along_x else (0, 1, 0))
        return [part(wall, walls, tint), part("roof", [rest]), part("glass", [glazing])]
    if b.roof == "multigable":
        roof = extruded(teeth_profile(length, h, 3.5, 12.0, symmetric=True), across, along_x)
        return [part(wall, walls, tint), part("roof", [roof])]
    if b.roof == "gable":
        profile = [(-across / 2 - 0.4, h), (across / 2 + 0.4, h), (0.0, h + across * 0.28)]
        roof = extruded(profile, length + 0.6, not along_x)
        return [part(wall, walls, tint), part("roof", [roof])]
    # flat roof: a parapet slab and, on taller blocks, bands of windows
    parts = [part(wall, walls, tint), part("roof", [box(w + 0.3, d + 0.3, 0.5, z=h)])]
    if h >= 7 and wall != "glass":
        bands = [box(w + 0.1, d + 0.1, 1.2, z=z) for z in np.arange(1.6, h - 1.0, 3.8)]
        parts.append(part("glass", bands))
    return parts


def _stage(doc: SceneDocument, plan: SitePlan) -> None:
    st = plan.layout.stage
    hd, hw = st.depth / 2, st.width / 2  # local: front toward +x, width along y
    frame = [cylinder(0.15, 8.0, -hd + 0.3, y, 1.0, sections=6) for y in (-hw + 0.3, hw - 0.3)]
    frame.append(box(0.3, st.width, 0.3, -hd + 0.3, 0, 9.0))
    parts = [part("stage", [box(st.depth, st.width, 1.0), box(0.3, st.screen_width + 1.0,
                                                              st.screen_height + 1.0, -hd + 0.15, 0, 1.5)]),
             part("metal", frame)]
    node = doc.node("stage", doc.mesh("stage", parts), at=(st.x, st.y, 0.0), facing=st.facing,
                    extras={"width": st.width, "depth": st.depth, "facing": st.facing,
                            "front": list(st.front), "screen_width": st.screen_width,
                            "screen_height": st.screen_height})
    doc.node("stage_screen", doc.mesh("stage_screen", [_screen_quad(st.screen_width, st.screen_height, -hd + 0.32)]),
             at=(0.0, 0.0, 2.0), parent=node,
             extras={"width": st.screen_width, "height": st.screen_height})


def _kiosk(doc: SceneDocument, plan: SitePlan) -> None:
    """The policy kiosk: a plinth, a post and a screen leaning toward the path, under a
    blue sign board seen from the gate (local: front toward +x)."""
    k = plan.layout.kiosk
    if k is None:
        return
    screen = box(0.06, 1.1, 0.75).apply_transform(trimesh.transformations.rotation_matrix(-0.35, (0, 1, 0)))
    screen.apply_translation((0.12, 0.0, 1.15))
    parts = [part("booth", [box(0.8, 1.4, 0.1), box(0.3, 0.5, 1.1, -0.1, 0, 0.1)]),
             part("glass", [screen]),
             part("metal", [cylinder(0.05, 2.5, -0.3, y, 0.1, sections=6) for y in (-0.6, 0.6)]),
             part("accent", [box(0.12, 1.6, 0.45, -0.3, 0, 2.45)])]
    doc.node("kiosk", doc.mesh("kiosk", parts), at=(k.x, k.y, 0.0), facing=k.facing,
             extras={"facing": k.facing})


def _screen_quad(width: float, height: float, x: float) -> Part:
    """A quad facing +x (the stage's front); u runs left to right as the audience sees it."""
    hw = width / 2
    positions = np.array([[x, -hw, 0.0], [x, hw, 0.0], [x, hw, height], [x, -hw, height]])
    normals = np.tile([1.0, 0.0, 0.0], (4, 1))
    uvs = np.array([[0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]])
    indices = np.array([0, 1, 2, 0, 2, 3], dtype=np.uint32)
    colors = np.full((4, 4), 255, dtype=np.uint8)
    return Part("screen", positions, normals, indices, colors, uvs)
