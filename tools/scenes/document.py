"""A glTF 2.0 document assembled in memory and written as one self-contained .glb.

Meshes are added once and referenced by many nodes (trees, benches, booths, silos).
Geometry comes in as ``Part``s in ground coordinates (x east, y north, z up) and is
turned into glTF's Y-up frame here: (x, y, z) -> (x, z, -y). Colours come in as sRGB
(materials and part colours alike) and are written linear, as glTF requires for factors
and COLOR_0. Everything is written in insertion order, so the same calls always give
the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pygltflib as g

from tools.scenes.materials import MATERIALS, SRGB_TO_LINEAR_U8, Material, linear_rgb

ARRAY_BUFFER = 34962
ELEMENT_ARRAY_BUFFER = 34963


@dataclass
class Part:
    """Triangles of one material: positions/normals (n, 3) float, sRGB colours (n, 4) uint8."""

    material: str
    positions: np.ndarray
    normals: np.ndarray
    indices: np.ndarray
    colors: np.ndarray
    uvs: np.ndarray | None = None

    @property
    def triangles(self) -> int:
        return int(len(self.indices) // 3)


def ground_to_gltf(v: np.ndarray) -> np.ndarray:
    out = np.empty_like(v, dtype=np.float32)
    out[:, 0] = v[:, 0]
    out[:, 1] = v[:, 2]
    out[:, 2] = -v[:, 1]
    return out


_LINEAR_U8 = np.frombuffer(SRGB_TO_LINEAR_U8, dtype=np.uint8)


def linear_colors(srgb: np.ndarray) -> np.ndarray:
    """(n, 4) uint8 sRGB colours (alpha linear already) to the linear bytes COLOR_0 holds."""
    out = np.array(srgb, dtype=np.uint8)
    out[:, :3] = _LINEAR_U8[out[:, :3]]
    return out


def yaw_quaternion(facing: float) -> list[float]:
    """A turn of ``facing`` radians counter-clockwise about the ground's up axis (glTF +Y)."""
    return [0.0, round(math.sin(facing / 2), 7), 0.0, round(math.cos(facing / 2), 7)]


@dataclass
class SceneDocument:
    blob: bytearray = field(default_factory=bytearray)
    doc: g.GLTF2 = field(default_factory=g.GLTF2)
    _materials: dict[str, int] = field(default_factory=dict)
    _roots: list[int] = field(default_factory=list)
    triangles_by_mesh: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.doc.asset = g.Asset(version="2.0", generator="cloudpark scene builder")

    # --- binary data ---------------------------------------------------------------
    def _view(self, data: bytes, target: int | None) -> int:
        while len(self.blob) % 4:
            self.blob.append(0)
        self.doc.bufferViews.append(g.BufferView(buffer=0, byteOffset=len(self.blob),
                                                 byteLength=len(data), target=target))
        self.blob.extend(data)
        return len(self.doc.bufferViews) - 1

    def _accessor(self, array: np.ndarray, kind: str, component: int, target: int | None,
                  normalized: bool = False, bounds: bool = False) -> int:
        view = self._view(array.tobytes(), target)
        acc = g.Accessor(bufferView=view, componentType=component, count=int(array.shape[0]),
                         type=kind, normalized=True if normalized else None)
        if bounds:
            acc.min = [float(v) for v in array.min(axis=0)]
            acc.max = [float(v) for v in array.max(axis=0)]
        self.doc.accessors.append(acc)
        return len(self.doc.accessors) - 1

    # --- materials -------------------------------------------------------------------
    def material(self, name: str) -> int:
        if name in self._materials:
            return self._materials[name]
        m: Material = MATERIALS[name]
        pbr = g.PbrMetallicRoughness(baseColorFactor=linear_rgb(m.color), metallicFactor=m.metallic,
                                     roughnessFactor=m.roughness)
        if m.texture is not None:
            image_view = self._view(m.texture(), None)
            self.doc.images.append(g.Image(bufferView=image_view, mimeType="image/png", name=name))
            self.doc.samplers.append(g.Sampler(magFilter=9729, minFilter=9729, wrapS=33071, wrapT=33071))
            self.doc.textures.append(g.Texture(source=len(self.doc.images) - 1,
                                               sampler=len(self.doc.samplers) - 1))
            pbr.baseColorTexture = g.TextureInfo(index=len(self.doc.textures) - 1)
        mat = g.Material(name=name, pbrMetallicRoughness=pbr, doubleSided=m.double_sided)
        if m.emissive is not None:
            mat.emissiveFactor = linear_rgb(m.emissive)
            if m.texture is not None:
                mat.emissiveTexture = g.TextureInfo(index=len(self.doc.textures) - 1)
        self.doc.materials.append(mat)
        self._materials[name] = len(self.doc.materials) - 1
        return self._materials[name]

    # --- meshes and nodes -----------------------------------------------------------
    def mesh(self, name: str, parts: list[Part]) -> int:
        prims = []
        tris = 0
        for part in parts:
            if not len(part.indices):
                continue
            pos = ground_to_gltf(part.positions)
            nrm = ground_to_gltf(part.normals)
            attrs = g.Attributes(
                POSITION=self._accessor(pos, "VEC3", g.FLOAT, ARRAY_BUFFER, bounds=True),
                NORMAL=self._accessor(nrm, "VEC3", g.FLOAT, ARRAY_BUFFER),
                COLOR_0=self._accessor(linear_colors(part.colors), "VEC4", g.UNSIGNED_BYTE,
                                       ARRAY_BUFFER, normalized=True),
            )
            if part.uvs is not None:
                attrs.TEXCOORD_0 = self._accessor(part.uvs.astype(np.float32), "VEC2", g.FLOAT, ARRAY_BUFFER)
            big = len(pos) > 65535
            idx = part.indices.astype(np.uint32 if big else np.uint16)
            indices = self._accessor(idx.reshape(-1, 1), "SCALAR",
                                     g.UNSIGNED_INT if big else g.UNSIGNED_SHORT, ELEMENT_ARRAY_BUFFER)
            prims.append(g.Primitive(attributes=attrs, indices=indices, material=self.material(part.material)))
            tris += part.triangles
        self.doc.meshes.append(g.Mesh(name=name, primitives=prims))
        self.triangles_by_mesh.append(tris)
        return len(self.doc.meshes) - 1

    def node(self, name: str, mesh: int | None = None, at: tuple[float, float, float] = (0.0, 0.0, 0.0),
             facing: float = 0.0, scale: float | tuple[float, float, float] = 1.0,
             extras: dict[str, Any] | None = None, parent: int | None = None) -> int:
        """A node placed at ground point ``at`` (x, y, z up), turned by ``facing``."""
        n = g.Node(name=name, mesh=mesh)
        x, y, z = at
        if (x, y, z) != (0.0, 0.0, 0.0):
            n.translation = [round(x, 4), round(z, 4), round(-y + 0.0, 4)]
        if facing:
            n.rotation = yaw_quaternion(facing)
        if scale != 1.0:
            sx, sy, sz = (scale, scale, scale) if isinstance(scale, float | int) else scale
            n.scale = [round(float(sx), 4), round(float(sz), 4), round(float(sy), 4)]
        if extras:
            n.extras = extras
        self.doc.nodes.append(n)
        index = len(self.doc.nodes) - 1
        if parent is None:
            self._roots.append(index)
        else:
            self.doc.nodes[parent].children.append(index)
        return index

    def triangles(self) -> int:
        """Triangles drawn: each mesh's triangles times the nodes that use it."""
        return sum(self.triangles_by_mesh[n.mesh] for n in self.doc.nodes if n.mesh is not None)

    def to_glb(self, scene_name: str, scene_extras: dict[str, Any]) -> bytes:
        while len(self.blob) % 4:
            self.blob.append(0)
        self.doc.scenes = [g.Scene(name=scene_name, nodes=list(self._roots), extras=scene_extras)]
        self.doc.scene = 0
        self.doc.buffers = [g.Buffer(byteLength=len(self.blob))]
        self.doc.set_binary_blob(bytes(self.blob))
        return b"".join(self.doc.save_to_bytes())
