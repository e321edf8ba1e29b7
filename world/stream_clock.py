"""The pixel clock: the source's wall clock (ms since the epoch) burnt into each frame.

A strip of ``ROWS`` x ``COLUMNS`` square black/white cells across the top of the frame
(cell side = frame width / ``COLUMNS``: 16 px at 640x360) carries the time of the frame,
so latency and the spread between viewers are measured from what a screen shows, not
from the age of a playlist. Each row opens and closes with a two-cell marker (they
differ between the rows, so a strip read a row off is refused) and holds 36 payload
cells: 48 bits of milliseconds (to the year 10889) and a CRC-24 of them (OpenPGP's
polynomial: every error of up to four cells and every run of up to 24 consecutive
payload cells is detected). Reading samples the middle half of each cell, takes the
black and white levels from the markers and refuses a cell that is neither clearly
black nor clearly white; so a misread strip is ``None``, not a wrong time.

Pure: ``encode`` gives the cells, ``render``/``paint`` draw them with numpy,
``decode`` reads a strip or a whole frame (grey, RGB or RGBA, at any scale where a
cell is at least ``MIN_CELL`` px wide).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

COLUMNS = 40
ROWS = 2
MS_BITS = 48
CRC_BITS = 24
PAYLOAD = COLUMNS - 4  # cells per row between the markers
MIN_CELL = 3.0  # px: narrower cells cannot be told apart after scaling
MIN_CONTRAST = 64.0  # grey levels between the markers' black and white
MARGIN = 0.25  # a cell within this share of the contrast around the middle is unreadable
# (start, stop) markers per row, True = white
MARKERS: tuple[tuple[tuple[bool, bool], tuple[bool, bool]], ...] = (
    ((True, False), (False, True)),
    ((False, True), (True, False)),
)
_POLY = 0x864CFB
_INIT = 0xB704CE
_MS_LIMIT = 1 << MS_BITS

Cells = tuple[tuple[bool, ...], ...]


def crc24(value: int) -> int:
    """CRC-24/OpenPGP of the 48-bit big-endian ``value``."""
    crc = _INIT
    for byte in value.to_bytes(MS_BITS // 8, "big"):
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= _POLY
    return crc & 0xFFFFFF


def payload_bits(ms: int) -> tuple[bool, ...]:
    """The 72 payload bits in reading order: ``ms`` then its CRC, most significant first."""
    if isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms < _MS_LIMIT:
        raise ValueError(f"ms must be a whole number of milliseconds in 0..2**{MS_BITS}-1, got {ms!r}")
    word = (ms << CRC_BITS) | crc24(ms)
    total = MS_BITS + CRC_BITS
    return tuple(bool((word >> (total - 1 - i)) & 1) for i in range(total))


def encode(ms: int) -> Cells:
    """The strip's cells for ``ms``: ``ROWS`` rows of ``COLUMNS`` cells, True = white."""
    bits = payload_bits(ms)
    rows = []
    for r, (start, stop) in enumerate(MARKERS):
        rows.append((*start, *bits[r * PAYLOAD:(r + 1) * PAYLOAD], *stop))
    return tuple(rows)


def strip_size(width: int) -> tuple[int, int]:
    """(height, cell) in px of the strip across a frame ``width`` px wide."""
    if width <= 0 or width % COLUMNS:
        raise ValueError(f"width must be a positive multiple of {COLUMNS} px, got {width}")
    cell = width // COLUMNS
    return ROWS * cell, cell


def render(ms: int, width: int = 640) -> npt.NDArray[np.uint8]:
    """The strip for ``ms`` as grey pixels, shape (ROWS * cell, width): 0 black, 255 white."""
    _, cell = strip_size(width)
    cells = np.array(encode(ms), dtype=np.uint8) * 255
    return np.kron(cells, np.ones((cell, cell), dtype=np.uint8))


def paint(frame: npt.NDArray[np.uint8], ms: int) -> npt.NDArray[np.uint8]:
    """Burn the strip for ``ms`` into the top of ``frame`` (grey HxW or HxWxC, in place)."""
    strip = render(ms, frame.shape[1])
    if frame.shape[0] < strip.shape[0]:
        raise ValueError(f"frame is {frame.shape[0]} px high, the strip needs {strip.shape[0]}")
    if frame.ndim == 2:
        frame[:strip.shape[0]] = strip
    else:
        frame[:strip.shape[0], :, :3] = strip[:, :, None]
    return frame


def _grey(pixels: npt.ArrayLike) -> npt.NDArray[np.float32] | None:
    image = np.asarray(pixels)
    if image.ndim == 3 and image.shape[2] in (3, 4):
        rgb = image[:, :, :3].astype(np.float32)
        return rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    if image.ndim == 2:
        return image.astype(np.float32)
    return None


def read_cells(pixels: npt.ArrayLike) -> npt.NDArray[np.float32] | None:
    """The mean grey level of the middle half of every cell, shape (ROWS, COLUMNS), or
    None when the image cannot hold a strip (too small, not an image)."""
    grey = _grey(pixels)
    if grey is None:
        return None
    height, width = grey.shape
    cell = width / COLUMNS
    if cell < MIN_CELL or height < ROWS * cell - 0.5:
        return None
    levels = np.empty((ROWS, COLUMNS), dtype=np.float32)
    for r in range(ROWS):
        top, bottom = int(round((r + 0.25) * cell)), int(round((r + 0.75) * cell))
        band = grey[top:max(bottom, top + 1)]
        for c in range(COLUMNS):
            left, right = int(round((c + 0.25) * cell)), int(round((c + 0.75) * cell))
            levels[r, c] = band[:, left:max(right, left + 1)].mean()
    return levels


def decode(pixels: npt.ArrayLike) -> int | None:
    """The milliseconds in the strip at the top of ``pixels`` (the strip alone or a whole
    frame; grey, RGB or RGBA), or None when no strip can be read with certainty."""
    levels = read_cells(pixels)
    if levels is None:
        return None
    whites = [levels[r, c] for r, (start, stop) in enumerate(MARKERS)
              for c, white in zip((0, 1, COLUMNS - 2, COLUMNS - 1), (*start, *stop), strict=True) if white]
    blacks = [levels[r, c] for r, (start, stop) in enumerate(MARKERS)
              for c, white in zip((0, 1, COLUMNS - 2, COLUMNS - 1), (*start, *stop), strict=True) if not white]
    white, black = float(np.mean(whites)), float(np.mean(blacks))
    contrast = white - black
    if contrast < MIN_CONTRAST:
        return None
    middle = (white + black) / 2
    band = MARGIN * contrast
    if min(whites) < middle + band or max(blacks) > middle - band:
        return None  # a marker cell is not what it must be
    payload = levels[:, 2:COLUMNS - 2].reshape(-1)
    if np.any(np.abs(payload - middle) < band):
        return None  # a cell neither clearly black nor clearly white
    word = 0
    for bit in payload > middle:
        word = (word << 1) | int(bit)
    ms, check = word >> CRC_BITS, word & 0xFFFFFF
    return ms if crc24(ms) == check else None
