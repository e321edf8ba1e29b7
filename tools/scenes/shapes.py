"""Flat-shaded shapes in ground coordinates (x east, y north, z up), as material ``Part``s.

trimesh makes the solids (boxes, cylinders, cones, spheres, extruded roof profiles);
here they are unwelded so every face keeps its own normal (crisp low-poly look).
"""

from __future__ import annotations

import numpy as np
import trimesh
from shapely.geometry import Polygon

from tools.scenes.document import Part

WHITE = (255, 255, 255, 255)


def part(material: str, meshes: list[trimesh.Trimesh], color: tuple[int, int, int, int] = WHITE) -> Part:
    """One material's triangles from several solids, each face with its own normal.

    ``color`` is an sRGB shade (bytes) multiplying the material; it is written linear."""
    pos, nrm = [], []
    for m in meshes:
        if not len(m.faces):
            continue
        tri = m.vertices[m.faces].reshape(-1, 3)
        pos.append(tri)
        nrm.append(np.repeat(m.face_normals, 3, axis=0))
    if not pos:
        empty = np.zeros((0, 3))
        return Part(material, empty, empty, np.zeros(0, dtype=np.uint32), np.zeros((0, 4), dtype=np.uint8))
    positions = np.round(np.concatenate(pos), 4)
    normals = np.concatenate(nrm)
    colors = np.tile(np.array(color, dtype=np.uint8), (len(positions), 1))
    return Part(material, positions, normals, np.arange(len(positions), dtype=np.uint32), colors)


def moved(m: trimesh.Trimesh, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    m = m.copy()
    m.apply_translation((x, y, z))
    return m


def box(w: float, d: float, h: float, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    """A w (x) by d (y) by h (z) box standing on height z."""
    return moved(trimesh.creation.box(extents=(w, d, h)), x, y, z + h / 2)


def cylinder(r: float, h: float, x: float = 0.0, y: float = 0.0, z: float = 0.0, sections: int = 16,
             taper: float = 1.0) -> trimesh.Trimesh:
    m = trimesh.creation.cylinder(radius=r, height=h, sections=sections)
    if taper != 1.0:
        top = m.vertices[:, 2] > 0
        m.vertices[top, :2] *= taper
    return moved(m, x, y, z + h / 2)


def cone(r: float, h: float, x: float = 0.0, y: float = 0.0, z: float = 0.0, sections: int = 16) -> trimesh.Trimesh:
    return moved(trimesh.creation.cone(radius=r, height=h, sections=sections), x, y, z)


def sphere(r: float, x: float = 0.0, y: float = 0.0, z: float = 0.0) -> trimesh.Trimesh:
    m = trimesh.creation.icosphere(subdivisions=1, radius=r)
    return moved(m, x, y, z)


def extruded(profile: list[tuple[float, float]], across: float, along_x: bool) -> trimesh.Trimesh:
    """A roof: ``profile`` (along, up) points swept ``across`` metres, centred on the axis."""
    m = trimesh.creation.extrude_polygon(Polygon(profile), height=across)
    if along_x:  # (a, u, s) -> (a, -(s - across/2), u): a proper rotation keeps faces outward
        matrix = [[1, 0, 0, 0], [0, 0, -1, across / 2], [0, 1, 0, 0], [0, 0, 0, 1]]
    else:  # (a, u, s) -> (s - across/2, a, u)
        matrix = [[0, 0, 1, -across / 2], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]
    m.apply_transform(np.array(matrix, dtype=float))
    return m


def split_faces(m: trimesh.Trimesh, axis: tuple[float, float, float]) -> tuple[trimesh.Trimesh, trimesh.Trimesh]:
    """Faces facing along ``axis`` (either way) apart from the rest: glazing on sawtooth roofs."""
    along = np.abs(m.face_normals @ np.asarray(axis, dtype=float)) > 0.9
    return m.submesh([np.nonzero(along)[0]], append=True), m.submesh([np.nonzero(~along)[0]], append=True)


def teeth_profile(length: float, base: float, rise: float, pitch: float, symmetric: bool) -> list[tuple[float, float]]:
    """Sawtooth (vertical glazed face, then a slope) or multi-gable ridges along ``length``."""
    n = max(2, round(length / pitch))
    p = length / n
    pts = [(-length / 2, base)]
    for i in range(n):
        a = -length / 2 + i * p
        if symmetric:
            pts.append((a + p / 2, base + rise))
        else:
            pts.append((a, base + rise))
        pts.append((a + p, base))
    return pts
