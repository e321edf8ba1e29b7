"""The park's look: shading path (simplepbr or Panda3D's own), sun and sky, scene colours.

``Look.install`` picks the shading path once per window: simplepbr when the GPU path
has shaders and it initialises, else Panda3D's per-pixel auto shader, else (the
software renderer) fixed-function lights. The scene's colours are linear (glTF):
simplepbr draws them as loaded and the sky dome's sRGB colours are pre-inverted through
its tone map; the other paths have no tone map, so ``Look.prepare`` turns the scene's
colours back to sRGB once at load. Either way the screen shows the palette the scene
builder picked.
"""

from __future__ import annotations

import logging
import math

import numpy as np
from panda3d.core import (
    AmbientLight,
    DirectionalLight,
    Fog,
    Geom,
    GeomEnums,
    GeomNode,
    GeomTriangles,
    GeomVertexData,
    GeomVertexFormat,
    GeomVertexWriter,
    InternalName,
    NodePath,
    Shader,
)

from client.colour import LINEAR_TO_SRGB_U8, filmic_inverse, linear_to_srgb

log = logging.getLogger(__name__)

SKY_ZENITH = (0.36, 0.60, 0.90)  # sRGB
SKY_HORIZON = (0.80, 0.88, 0.95)
_SRGB_MARK = "|srgb"
SKY_GAIN = 8.0
_SKY_VERT = """#version 120
uniform mat4 p3d_ModelViewProjectionMatrix;
attribute vec4 p3d_Vertex;
attribute vec4 p3d_Color;
varying vec4 v_color;
void main() { gl_Position = p3d_ModelViewProjectionMatrix * p3d_Vertex; v_color = p3d_Color; }
"""
_SKY_FRAG = """#version 120
uniform float sky_gain;
varying vec4 v_color;
void main() { gl_FragColor = vec4(v_color.rgb * sky_gain, 1.0); }
"""


class Look:
    """How the window shades the park; ``path`` is "simplepbr", "auto-shader" or "fixed-function"."""

    def __init__(self, base: object, software: bool) -> None:
        self.base = base
        self.path = "fixed-function"
        self.linear = False
        gsg = base.win.getGsg()  # type: ignore[attr-defined]
        if not software and gsg.getSupportsBasicShaders():
            try:
                import simplepbr

                simplepbr.init(use_normal_maps=False, enable_shadows=False, use_emission_maps=True,
                               msaa_samples=0, exposure=0.0)
                self.path, self.linear = "simplepbr", True
            except Exception as exc:  # noqa: BLE001 - any failure: Panda3D's own shader generator
                log.warning("simplepbr unavailable (%s): using the auto shader", exc)
                base.render.setShaderAuto()  # type: ignore[attr-defined]
                self.path = "auto-shader"
        log.info("shading: %s", self.path)

    def install(self) -> None:
        """Sun, sky light, sky dome, distance haze and the clear colour."""
        base = self.base
        render = base.render  # type: ignore[attr-defined]
        sun = DirectionalLight("sun")
        sun.setColor((3.4, 3.25, 3.0, 1) if self.linear else (0.9, 0.87, 0.8, 1))
        sun_np = render.attachNewNode(sun)
        sun_np.setHpr(35, -50, 0)
        render.setLight(sun_np)
        amb = AmbientLight("sky-light")
        amb.setColor((0.55, 0.6, 0.72, 1) if self.linear else (0.42, 0.45, 0.52, 1))
        render.setLight(render.attachNewNode(amb))
        horizon = self.display_colour(SKY_HORIZON)
        base.setBackgroundColor(*horizon, 1)  # type: ignore[attr-defined]
        if self.linear:
            fog = Fog("haze")
            fog.setColor(*horizon)
            fog.setExpDensity(0.0025)
            render.setFog(fog)
        gain = SKY_GAIN if self.linear else 1.0
        dome = NodePath(sky_dome(*(tuple(c / gain for c in self.display_colour(rgb)) for rgb in (SKY_ZENITH, SKY_HORIZON))))
        dome.reparentTo(base.camera)  # type: ignore[attr-defined]
        dome.setCompass()
        dome.setBin("background", 0)
        dome.setDepthWrite(False)
        dome.setDepthTest(False)
        dome.setTwoSided(True)
        dome.setLightOff(10)
        dome.setFogOff(10)
        if self.linear:
            # The tone map needs values above 1 for bright sky, which fixed-function vertex
            # colours clamp: a two-line shader scales the stored colours back up.
            dome.setShader(Shader.make(Shader.SL_GLSL, _SKY_VERT, _SKY_FRAG), 10)
            dome.setShaderInput("sky_gain", SKY_GAIN)
        else:
            dome.setShaderOff(10)
        self.dome = dome

    def display_colour(self, srgb: tuple[float, float, float]) -> tuple[float, float, float]:
        """The value to draw so the screen shows ``srgb`` after the tone map (unlit surfaces)."""
        if not self.linear:
            return srgb
        return tuple(filmic_inverse(c) for c in srgb)  # type: ignore[return-value]

    def prepare(self, model: NodePath) -> None:
        """Before flattening: fit the scene's colours to the shading path.

        The .glb holds linear colours (glTF); simplepbr shades them as they are. The paths
        without a tone map write lit colours straight to the screen, so there the scene's
        material and vertex colours go back to the sRGB values the palette was picked in."""
        if self.linear:
            return
        to_srgb(model)


def to_srgb(model: NodePath) -> int:
    """Convert base/emission colours of every material and every vertex colour column from
    linear to sRGB, in place; each material and vertex table once (marked by name). Returns
    how many vertex tables were converted."""
    for mat in model.findAllMaterials():
        if mat.getName().endswith(_SRGB_MARK):
            continue
        mat.setName(mat.getName() + _SRGB_MARK)
        if mat.hasBaseColor():
            c = mat.getBaseColor()
            mat.setBaseColor((linear_to_srgb(c[0]), linear_to_srgb(c[1]), linear_to_srgb(c[2]), c[3]))
        if mat.hasEmission():
            e = mat.getEmission()
            mat.setEmission((linear_to_srgb(e[0]), linear_to_srgb(e[1]), linear_to_srgb(e[2]), e[3]))
    done = 0
    colour = InternalName.getColor()
    for gnp in model.findAllMatches("**/+GeomNode"):
        node = gnp.node()
        for i in range(node.getNumGeoms()):
            geom = node.modifyGeom(i)
            vdata = geom.modifyVertexData()
            fmt = vdata.getFormat()
            if not fmt.hasColumn(colour) or vdata.getName().endswith(_SRGB_MARK):
                continue
            ai = fmt.getArrayWith(colour)
            col = fmt.getColumn(colour)
            stride = fmt.getArray(ai).getStride()
            rows = vdata.getNumRows()
            handle = vdata.modifyArray(ai)
            raw = np.frombuffer(memoryview(handle).cast("B"), dtype=np.uint8).copy()
            start = col.getStart()
            if col.getNumericType() == GeomEnums.NT_uint8 and col.getNumComponents() >= 3:
                table = raw.reshape(rows, stride)
                table[:, start:start + 3] = LINEAR_TO_SRGB_U8[table[:, start:start + 3]]
            elif col.getNumericType() == GeomEnums.NT_float32 and col.getNumComponents() >= 3:
                table = raw.reshape(rows, stride)
                vals = np.clip(table[:, start:start + 12].copy().view(np.float32).reshape(rows, 3), 0, 1)
                vals = np.where(vals <= 0.0031308, vals * 12.92, 1.055 * vals ** (1 / 2.4) - 0.055)
                table[:, start:start + 12] = vals.astype(np.float32).view(np.uint8).reshape(rows, 12)
            else:
                continue
            memoryview(handle).cast("B")[:] = raw.tobytes()
            vdata.setName(vdata.getName() + _SRGB_MARK)
            done += 1
    return done


def sky_dome(zenith: tuple[float, float, float], horizon: tuple[float, float, float],
             radius: float = 900.0, segments: int = 24) -> GeomNode:
    """A hemisphere (plus a skirt below the horizon) shaded from horizon to zenith colour."""
    vdata = GeomVertexData("sky", GeomVertexFormat.getV3c4(), Geom.UHStatic)
    vw, cw = GeomVertexWriter(vdata, "vertex"), GeomVertexWriter(vdata, "color")
    elevations = [-30.0, 0.0, 6.0, 15.0, 30.0, 50.0, 90.0]
    for el in elevations:
        t = max(0.0, min(1.0, el / 60.0)) ** 0.7
        rgb = tuple(h + (z - h) * t for h, z in zip(horizon, zenith, strict=True))
        for s in range(segments):
            a = 2 * math.pi * s / segments
            r = radius * math.cos(math.radians(el))
            vw.addData3(r * math.cos(a), r * math.sin(a), radius * math.sin(math.radians(el)))
            cw.addData4(*rgb, 1.0)
    tris = GeomTriangles(Geom.UHStatic)
    for ring in range(len(elevations) - 1):
        for s in range(segments):
            a, b = ring * segments + s, ring * segments + (s + 1) % segments
            c, d = a + segments, b + segments
            tris.addVertices(a, c, b)
            tris.addVertices(b, c, d)
    geom = Geom(vdata)
    geom.addPrimitive(tris)
    node = GeomNode("sky-dome")
    node.addGeom(geom)
    return node
