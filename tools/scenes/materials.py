"""The palette: PBR metallic-roughness materials every park scene draws from.

Colours here (and the per-building vertex shades in assemble.py) are sRGB, the values
a person picks on a colour chooser. glTF wants baseColorFactor, emissiveFactor and
COLOR_0 in linear light (only textures are sRGB), so the document converts them with
the sRGB EOTF as it writes them (``linear_rgb``, ``SRGB_TO_LINEAR_U8``).

Vertex colours (COLOR_0) multiply the base colour, so one material serves many
shades (weathered brick, glazing strips on sawtooth roofs) without more draw calls.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass


def srgb_to_linear(c: float) -> float:
    """One sRGB channel (0..1) to linear light: the sRGB EOTF (IEC 61966-2-1)."""
    c = min(1.0, max(0.0, c))
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_rgb(srgb: tuple[float, ...]) -> list[float]:
    """sRGB channels to linear ones for a glTF factor; a fourth (alpha) channel is kept as is.

    Rounded to 6 places so the JSON, and so the file's hash, never depends on the last bit."""
    return [round(srgb_to_linear(c), 6) for c in srgb[:3]] + [float(a) for a in srgb[3:]]


# uint8 sRGB -> uint8 linear, for COLOR_0 (0 and 255 are fixed points); plain floats, so
# the table, and the bytes written through it, are the same on every machine
SRGB_TO_LINEAR_U8 = bytes(round(srgb_to_linear(i / 255) * 255) for i in range(256))


@dataclass(frozen=True, slots=True)
class Material:
    """``color`` and ``emissive`` are sRGB; the document writes them linear."""

    color: tuple[float, float, float, float]
    metallic: float = 0.0
    roughness: float = 0.9
    emissive: tuple[float, float, float] | None = None
    texture: Callable[[], bytes] | None = None
    double_sided: bool = False


def screen_texture() -> bytes:
    """A small idle-screen card (PNG, 128x72): a blue gradient with a light frame and bars.

    Written with zlib by hand so the bytes never depend on an image library's version."""
    w, h = 128, 72
    rows = bytearray()
    for y in range(h):
        rows.append(0)  # filter: none
        for x in range(w):
            frame = x < 3 or y < 3 or x >= w - 3 or y >= h - 3
            bar = 20 <= y < 52 and any(a <= x < a + 10 for a in range(16, 112, 16)) and (x // 16 + y // 8) % 3
            if frame:
                rgb = (235, 240, 245)
            elif bar:
                rgb = (250, 190 - (x // 16) * 12, 60)
            else:
                rgb = (20 + x // 4, 60 + y, 140 + x // 2)
            rows.extend(rgb)
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")
    out = io.BytesIO()
    out.write(b"\x89PNG\r\n\x1a\n")
    out.write(chunk(b"IHDR", w.to_bytes(4, "big") + h.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])))
    out.write(chunk(b"IDAT", zlib.compress(bytes(rows), 9)))
    out.write(chunk(b"IEND", b""))
    return out.getvalue()


MATERIALS: dict[str, Material] = {
    "grass": Material((0.30, 0.50, 0.22, 1.0), roughness=1.0),
    "paving": Material((0.66, 0.64, 0.60, 1.0), roughness=0.95),
    "path": Material((0.46, 0.46, 0.48, 1.0), roughness=0.9),
    "plaza": Material((0.70, 0.48, 0.38, 1.0), roughness=0.85),
    "brick": Material((0.58, 0.30, 0.21, 1.0), roughness=0.9),
    "concrete": Material((0.72, 0.71, 0.68, 1.0), roughness=0.9),
    "render": Material((0.88, 0.85, 0.78, 1.0), roughness=0.85),
    "glass": Material((0.42, 0.58, 0.68, 1.0), metallic=0.4, roughness=0.15),
    "steel": Material((0.48, 0.28, 0.18, 1.0), metallic=0.6, roughness=0.7),  # rusted
    "roof": Material((0.36, 0.37, 0.40, 1.0), metallic=0.2, roughness=0.7),
    "bark": Material((0.36, 0.26, 0.17, 1.0), roughness=1.0),
    "foliage": Material((0.20, 0.44, 0.18, 1.0), roughness=0.95),
    "wood": Material((0.56, 0.40, 0.24, 1.0), roughness=0.8),
    "metal": Material((0.25, 0.26, 0.28, 1.0), metallic=0.9, roughness=0.4),
    "lamp": Material((1.0, 0.95, 0.8, 1.0), roughness=0.5, emissive=(1.0, 0.9, 0.6)),
    "booth": Material((0.93, 0.93, 0.91, 1.0), roughness=0.6),
    "accent": Material((0.08, 0.45, 0.82, 1.0), roughness=0.5),
    "stage": Material((0.16, 0.16, 0.18, 1.0), roughness=0.6),
    "screen": Material((1.0, 1.0, 1.0, 1.0), roughness=0.3, emissive=(0.9, 0.9, 0.9),
                       texture=screen_texture),
}
