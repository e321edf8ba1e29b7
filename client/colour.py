"""Colour spaces: glTF scene colours are linear, the client's own colours are sRGB.

The scene builder writes base colours and vertex colours in linear light, as glTF
requires; simplepbr lights in linear space and its tone map (Hejl/Burgess-Dawson
filmic, which includes the display gamma) encodes the result, so under simplepbr the
scene is drawn as loaded. The client's own colours (avatar tints, the avatar model's
shades, the sky) are sRGB picks: they are converted to linear for simplepbr, and the
sky's clear colour is passed through the inverse of the tone map so the background
shows exactly the sRGB sky it asks for. The shading paths without a tone map write
lit values straight to the screen, so there the scene's linear colours go back to sRGB.
"""

from __future__ import annotations

import math

import numpy as np

# uint8 sRGB -> uint8 linear, for vertex colour columns (rounded; 0 and 255 are fixed points)
_v = np.arange(256, dtype=np.float64) / 255.0
SRGB_TO_LINEAR_U8 = np.round(np.where(_v <= 0.04045, _v / 12.92, ((_v + 0.055) / 1.055) ** 2.4) * 255.0
                             ).astype(np.uint8)
# uint8 linear -> uint8 sRGB, for scene vertex colours on the paths without a tone map
LINEAR_TO_SRGB_U8 = np.round(np.where(_v <= 0.0031308, _v * 12.92, 1.055 * _v ** (1 / 2.4) - 0.055) * 255.0
                             ).astype(np.uint8)
del _v


def srgb_to_linear(c: float) -> float:
    """One sRGB channel (0..1) to linear light."""
    c = min(1.0, max(0.0, c))
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def linear_to_srgb(c: float) -> float:
    """One linear channel (0..1) to its sRGB value (the inverse of ``srgb_to_linear``)."""
    c = min(1.0, max(0.0, c))
    return c * 12.92 if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def filmic(x: float) -> float:
    """simplepbr's tone map for one channel (exposure 1): linear light to display value."""
    x = max(0.0, x - 0.004)
    return (x * (6.2 * x + 0.5)) / (x * (6.2 * x + 1.7) + 0.06)


def filmic_inverse(y: float) -> float:
    """The linear value the tone map turns into display value ``y`` (0 <= y < 1)."""
    y = min(0.995, max(0.0, y))
    # 6.2 (1 - y) x^2 + (0.5 - 1.7 y) x - 0.06 y = 0, positive root
    a, b, c = 6.2 * (1.0 - y), 0.5 - 1.7 * y, -0.06 * y
    x = (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)
    return x + 0.004 if y > 0 else 0.0


def rgb_hex(rgb: int) -> tuple[float, float, float]:
    """0xRRGGBB to (r, g, b) in 0..1."""
    return ((rgb >> 16) & 255) / 255.0, ((rgb >> 8) & 255) / 255.0, (rgb & 255) / 255.0
