"""The visitor avatar model: built deterministically, stored as assets/avatars/visitor.glb.

A low-poly figure (~1.7 m): body capsule, head, a dark visor that shows which way it
faces (+x), two feet. White vertices are the tintable "clothes"; the crowd renderer
multiplies them by each visitor's colour. ``python -m client.avatar_model`` rewrites
the .glb; the bytes only change when this file does.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import trimesh

GLB_PATH = Path(__file__).resolve().parent.parent / "assets" / "avatars" / "visitor.glb"
WHITE = (255, 255, 255, 255)
SKIN = (236, 196, 160, 255)
VISOR = (30, 34, 48, 255)
SHOE = (60, 60, 66, 255)

# glTF is Y up; the park is Z up with x east, y north: (x, y, z)_park = (x, -z, y)_gltf.
logging.getLogger("trimesh").setLevel(logging.ERROR)  # it logs a traceback when scipy is absent
_TO_GLTF = np.array([[1, 0, 0, 0], [0, 0, 1, 0], [0, -1, 0, 0], [0, 0, 0, 1]], dtype=float)


@dataclass(frozen=True, slots=True)
class AvatarMesh:
    """Z-up arrays: positions (V, 3), normals (V, 3), colours (V, 4) uint8, triangles (T, 3)."""

    positions: npt.NDArray[np.float32]
    normals: npt.NDArray[np.float32]
    colors: npt.NDArray[np.uint8]
    triangles: npt.NDArray[np.int32]

    @property
    def tinted(self) -> npt.NDArray[np.bool_]:
        return np.all(self.colors[:, :3] == 255, axis=1)


def _part(mesh: trimesh.Trimesh, color: tuple[int, int, int, int]) -> trimesh.Trimesh:
    mesh.visual = trimesh.visual.ColorVisuals(mesh, vertex_colors=np.tile(color, (len(mesh.vertices), 1)))
    return mesh


def build_scene_mesh() -> trimesh.Trimesh:
    body = trimesh.creation.capsule(height=0.7, radius=0.24, count=[8, 6])
    body.apply_translation([0, 0, 0.95])
    head = trimesh.creation.icosphere(subdivisions=1, radius=0.17)
    head.apply_translation([0, 0, 1.52])
    visor = trimesh.creation.box(extents=[0.06, 0.22, 0.07])
    visor.apply_translation([0.15, 0, 1.55])
    feet = []
    for side in (-0.1, 0.1):
        foot = trimesh.creation.box(extents=[0.26, 0.11, 0.1])
        foot.apply_translation([0.04, side, 0.05])
        feet.append(_part(foot, SHOE))
    parts = [_part(body, WHITE), _part(head, SKIN), _part(visor, VISOR), *feet]
    merged = trimesh.util.concatenate(parts)
    return merged


def build() -> AvatarMesh:
    return _arrays(build_scene_mesh())


def _arrays(mesh: trimesh.Trimesh) -> AvatarMesh:
    colors = np.asarray(mesh.visual.vertex_colors, dtype=np.uint8)
    return AvatarMesh(
        positions=np.asarray(mesh.vertices, dtype=np.float32),
        normals=np.asarray(mesh.vertex_normals, dtype=np.float32),
        colors=colors,
        triangles=np.asarray(mesh.faces, dtype=np.int32),
    )


def write_glb(path: Path = GLB_PATH) -> bytes:
    mesh = build_scene_mesh()
    mesh.apply_transform(_TO_GLTF)
    data = trimesh.exchange.gltf.export_glb(trimesh.Scene(mesh), include_normals=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def load(path: Path = GLB_PATH) -> AvatarMesh:
    """The stored model (rebuilt in memory when the file is missing)."""
    if not path.exists():
        return build()
    scene = trimesh.load(path, file_type="glb", force="scene")
    mesh = trimesh.util.concatenate(list(scene.dump()))
    mesh.apply_transform(np.linalg.inv(_TO_GLTF))
    return _arrays(mesh)


if __name__ == "__main__":
    out = write_glb(Path(sys.argv[1]) if len(sys.argv) > 1 else GLB_PATH)
    sys.stderr.write(f"wrote {len(out)} bytes\n")
