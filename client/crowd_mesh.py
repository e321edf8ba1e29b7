"""Every avatar in one draw call: a single vertex buffer rewritten each frame with numpy.

Hardware instancing needs shaders (not available under the software renderer); a
batched buffer works everywhere. Each avatar occupies a fixed slot of the template's
vertices; an unused slot is collapsed to a point so its triangles draw nothing.
Per frame: one (N, V, 3) numpy transform and one copy into the GPU array.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from panda3d.core import (
    Geom,
    GeomEnums,
    GeomNode,
    GeomTriangles,
    GeomVertexArrayFormat,
    GeomVertexData,
    GeomVertexFormat,
    NodePath,
)

from client.avatar_model import AvatarMesh
from client.colour import SRGB_TO_LINEAR_U8
from world.protocol.constants import Anim


@dataclass(frozen=True, slots=True)
class Figure:
    """One avatar to draw: ground position, facing, animation, walk phase, colour."""

    x: float
    y: float
    yaw: float
    anim: int
    phase: float
    rgb: int


def _format() -> GeomVertexFormat:
    array = GeomVertexArrayFormat()
    array.addColumn("vertex", 3, GeomEnums.NT_float32, GeomEnums.C_point)
    array.addColumn("normal", 3, GeomEnums.NT_float32, GeomEnums.C_normal)
    array.addColumn("color", 4, GeomEnums.NT_uint8, GeomEnums.C_color)
    return GeomVertexFormat.registerFormat(GeomVertexFormat(array))


class CrowdMesh:
    def __init__(self, template: AvatarMesh, parent: NodePath, capacity: int = 64, linear: bool = False) -> None:
        self.template = template
        self.linear = linear  # convert the sRGB model colours and tints to linear (PBR shading)
        self.parent = parent
        self.node_path: NodePath | None = None
        self.capacity = 0
        self._grow(capacity)

    def _grow(self, capacity: int) -> None:
        t = self.template
        v = len(t.positions)
        self.capacity = capacity
        self.vdata = GeomVertexData("crowd", _format(), GeomEnums.UH_dynamic)
        self.vdata.uncleanSetNumRows(capacity * v)
        tris = GeomTriangles(GeomEnums.UH_static)
        tris.setIndexType(GeomEnums.NT_uint32)
        idx = (t.triangles[None, :, :] + (np.arange(capacity, dtype=np.int32) * v)[:, None, None]).astype(np.uint32)
        handle = tris.modifyVertices()
        handle.uncleanSetNumRows(idx.size)
        memoryview(handle).cast("B").cast("I")[:] = idx.ravel()
        geom = Geom(self.vdata)
        geom.addPrimitive(tris)
        node = GeomNode("crowd")
        node.addGeom(geom)
        if self.node_path is not None:
            self.node_path.removeNode()
        self.node_path = self.parent.attachNewNode(node)
        self.node_path.node().setBounds(_huge_bounds())
        self.node_path.node().setFinal(True)
        self._buf = np.zeros((capacity, v, 7), dtype=np.float32)  # xyz, normal xyz, packed colour

    def update(self, figures: list[Figure]) -> None:
        if len(figures) > self.capacity:
            self._grow(max(len(figures), self.capacity * 2))
        t = self.template
        n = len(figures)
        v = len(t.positions)
        arr = np.array([(f.x, f.y, f.yaw, f.anim, f.phase) for f in figures], dtype=np.float32).reshape(n, 5)
        x, y, yaw, anim, phase = arr.T
        moving = (anim == Anim.WALK) | (anim == Anim.RUN)
        bob = np.where(moving, 0.05 * np.abs(np.sin(phase)), 0.0)
        sway = np.where(moving, 0.07 * np.sin(phase), 0.0)
        bob = np.where(anim == Anim.CHEER, 0.25 * np.abs(np.sin(phase * 2)), bob)
        yaw = np.where(anim == Anim.DANCE, yaw + phase, yaw)
        sway = np.where(anim == Anim.WAVE, 0.2 * np.sin(phase * 2), sway)
        squash = np.where(anim == Anim.SIT, 0.6, 1.0)
        p = t.positions
        # Sway: a roll about the forward (x) axis; then squash, yaw, translate.
        cs, ss = np.cos(sway)[:, None], np.sin(sway)[:, None]
        ly = p[None, :, 1] * cs - p[None, :, 2] * ss
        lz = p[None, :, 1] * ss + p[None, :, 2] * cs
        lz = lz * squash[:, None]
        cy, sy = np.cos(yaw)[:, None], np.sin(yaw)[:, None]
        lx = p[None, :, 0]
        out_x = lx * cy - ly * sy + x[:, None]
        out_y = lx * sy + ly * cy + y[:, None]
        out_z = lz + bob[:, None]
        nrm = t.normals
        nx = nrm[None, :, 0] * cy - nrm[None, :, 1] * sy
        ny = nrm[None, :, 0] * sy + nrm[None, :, 1] * cy
        buf = self._buf
        buf[:n, :, 0] = out_x
        buf[:n, :, 1] = out_y
        buf[:n, :, 2] = out_z
        buf[:n, :, 3] = nx
        buf[:n, :, 4] = ny
        buf[:n, :, 5] = nrm[None, :, 2]
        colors = np.empty((n, v, 4), dtype=np.uint8)
        colors[:] = t.colors[None]
        rgb = np.array([[(f.rgb >> 16) & 255, (f.rgb >> 8) & 255, f.rgb & 255] for f in figures],
                       dtype=np.uint16).reshape(n, 3)
        tint = t.tinted
        colors[:, tint, :3] = rgb[:, None, :]
        if self.linear:
            colors[..., :3] = SRGB_TO_LINEAR_U8[colors[..., :3]]
        buf[:n, :, 6] = colors.reshape(n * v, 4).view(np.float32).reshape(n, v)
        buf[n:, :, :6] = 0.0  # unused slots collapse to the origin: zero-area triangles
        handle = self.vdata.modifyArray(0)
        memoryview(handle).cast("B")[:] = buf.tobytes()


def _huge_bounds():  # the crowd moves every frame: never cull it as a whole
    from panda3d.core import OmniBoundingVolume

    return OmniBoundingVolume()


def walk_phase(phase: float, speed: float, dt: float) -> float:
    """Advance a walk cycle: two steps per stride of ~1.4 m."""
    return (phase + dt * max(speed, 0.0) * 2.0 * math.pi / 1.4) % (4.0 * math.pi)
