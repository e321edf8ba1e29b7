"""The park's bookable spaces in the desktop client: each zone (the footprint of a layout
space) tinted green when free now and red when taken, with a label over its entrance
("Booked 14:00–16:00"), from the world server's ``spaces`` message (``Visit.spaces``).

``label_of`` is pure (catalogue key and parameters); ``SpaceZones`` draws: one flat,
translucent polygon per zone a little above the ground and one billboard text, rebuilt
only when the layout, the states or the language change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from panda3d.core import (
    Geom,
    GeomNode,
    GeomTriangles,
    GeomVertexData,
    GeomVertexFormat,
    GeomVertexWriter,
    NodePath,
    TextNode,
    TransparencyAttrib,
    Triangulator,
)

from world.i18n import Texts
from world.layout import ParkLayout
from world.protocol import messages as M

COLOURS: dict[str, tuple[float, float, float]] = {"free": (0.18, 0.75, 0.33), "taken": (0.85, 0.23, 0.23),
                                                  "retired": (0.54, 0.56, 0.6)}
ALPHA = 0.65
RAISE_M = 0.06
LABEL_HEIGHT_M = 2.6


def label_of(item: M.SpaceState) -> tuple[str, dict[str, str]]:
    """The catalogue key and parameters of what a zone's label says."""
    if item.state == "taken":
        params = {"start": item.start, "end": item.end}
        return ("client.space.taken_by", {**params, "by": item.by}) if item.by else ("client.space.taken", params)
    if item.state == "retired":
        return "client.space.retired", {}
    return ("client.space.free_next", {"time": item.next}) if item.next else ("client.space.free", {})


def _polygon(name: str, ring: tuple[tuple[float, float], ...], rgb: tuple[float, float, float]) -> GeomNode:
    tri = Triangulator()
    for x, y in ring:
        tri.addPolygonVertex(tri.addVertex(x, y))
    tri.triangulate()
    data = GeomVertexData(name, GeomVertexFormat.getV3c4(), Geom.UHStatic)
    vertex, colour = GeomVertexWriter(data, "vertex"), GeomVertexWriter(data, "color")
    for i in range(tri.getNumVertices()):
        v = tri.getVertex(i)
        vertex.addData3(v.x, v.y, RAISE_M)
        colour.addData4(*rgb, ALPHA)
    prim = GeomTriangles(Geom.UHStatic)
    for i in range(tri.getNumTriangles()):
        prim.addVertices(tri.getTriangleV0(i), tri.getTriangleV1(i), tri.getTriangleV2(i))
    geom = Geom(data)
    geom.addPrimitive(prim)
    node = GeomNode(name)
    node.addGeom(geom)
    return node


class SpaceZones:
    def __init__(self, render: NodePath, texts: Texts,
                 display: Callable[[tuple[float, float, float]], tuple[float, float, float]] = lambda c: c) -> None:
        """``display``: the value to draw for an sRGB colour on this shading path
        (``client.scenery.Look.display_colour``: a tone map would wash it out)."""
        self.display = display
        self.root = render.attachNewNode("space-zones")
        self.root.setLightOff(1)
        self.root.setFogOff(10)
        self.root.setShaderOff(10)
        self.root.setTransparency(TransparencyAttrib.MAlpha)
        self.root.setDepthWrite(False)
        self.root.setTwoSided(True)
        self.root.setBin("transparent", 10)
        self.texts = texts
        self._key: Any = None
        self.drawn: dict[str, str] = {}  # zone id -> the label's words (tests and the HUD read it)

    def update(self, layout: ParkLayout | None, spaces: Mapping[str, M.SpaceState], lang: str) -> bool:
        """Redraw when something changed; True when it did."""
        key = (id(layout), tuple(spaces.values()), lang)
        if key == self._key:
            return False
        self._key = key
        self.root.getChildren().detach()
        self.drawn = {}
        if layout is None:
            return True
        for zone in layout.spaces:
            item = spaces.get(zone.id)
            if item is None:
                continue
            rgb = self.display(COLOURS.get(item.state, COLOURS["retired"]))
            self.root.attachNewNode(_polygon(f"space-{zone.id}", zone.footprint, rgb))
            key_, params = label_of(item)
            words = self.texts.translate(lang, key_, **params)
            text = TextNode(f"space-label-{zone.id}")
            text.setText(f"{zone.name}\n{words}")
            text.setAlign(TextNode.ACenter)
            text.setTextColor(1, 1, 1, 1)
            text.setCardColor(*rgb, 0.85)
            text.setCardAsMargin(0.3, 0.3, 0.15, 0.1)
            text.setCardDecal(True)
            label = self.root.attachNewNode(text)
            label.setPos(zone.entrance[0], zone.entrance[1], LABEL_HEIGHT_M)
            label.setBillboardPointEye()
            label.setScale(0.45)
            label.setDepthTest(False)
            label.setBin("fixed", 20)
            self.drawn[zone.id] = words
        return True
