"""The pixel clock: what is burnt in reads back, and a damaged strip reads as None, never
as another time."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from PIL import Image

from world import stream_clock as sc

MS = st.integers(min_value=0, max_value=2**48 - 1)
NOW_ISH = st.integers(min_value=1_700_000_000_000, max_value=2_100_000_000_000)
WIDTHS = st.sampled_from([160, 320, 640, 1280, 1920])
PAYLOAD_CELLS = [(r, c) for r in range(sc.ROWS) for c in range(2, sc.COLUMNS - 2)]
MARKER_CELLS = [(r, c) for r in range(sc.ROWS) for c in (0, 1, sc.COLUMNS - 2, sc.COLUMNS - 1)]


def draw(cells: np.ndarray, width: int = 640) -> np.ndarray:
    """A strip from a (ROWS, COLUMNS) array of grey levels."""
    cell = width // sc.COLUMNS
    return np.kron(cells.astype(np.uint8), np.ones((cell, cell), dtype=np.uint8))


def levels(ms: int) -> np.ndarray:
    return np.array(sc.encode(ms), dtype=np.int32) * 255


@given(MS, WIDTHS)
def test_a_rendered_strip_reads_back(ms: int, width: int) -> None:
    strip = sc.render(ms, width)
    assert strip.shape == (2 * width // 40, width)
    assert sc.decode(strip) == ms


@given(NOW_ISH, st.integers(min_value=0, max_value=2**32 - 1))
def test_a_strip_painted_on_a_busy_frame_reads_back_in_rgb_and_rgba(ms: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, size=(360, 640, 4), dtype=np.uint8)
    sc.paint(frame, ms)
    assert sc.decode(frame) == ms
    assert sc.decode(frame[:, :, :3]) == ms


@settings(max_examples=60)
@given(NOW_ISH, st.integers(min_value=200, max_value=1920),
       st.sampled_from([Image.Resampling.BILINEAR, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS]))
def test_a_scaled_frame_reads_back(ms: int, width: int, resample: Image.Resampling) -> None:
    """The canvas a browser draws the video into need not be 640 px wide."""
    frame = np.full((360, 640), 128, dtype=np.uint8)
    sc.paint(frame, ms)
    scaled = np.asarray(Image.fromarray(frame).resize((width, round(width * 360 / 640)), resample))
    assert sc.decode(scaled) == ms


@given(NOW_ISH, st.integers(min_value=0, max_value=2**32 - 1), st.floats(min_value=0, max_value=60))
def test_noise_gives_the_time_or_none_never_another_time(ms: int, seed: int, sigma: float) -> None:
    rng = np.random.default_rng(seed)
    noisy = np.clip(sc.render(ms).astype(np.float64) + rng.normal(0, sigma, (32, 640)), 0, 255)
    assert sc.decode(noisy) in (ms, None)
    if sigma <= 15:  # a clean encode is far better than this
        assert sc.decode(noisy) == ms


@given(NOW_ISH, st.sets(st.sampled_from(PAYLOAD_CELLS), min_size=1, max_size=4))
def test_up_to_four_wrong_cells_are_refused(ms: int, flipped: set[tuple[int, int]]) -> None:
    cells = levels(ms)
    for r, c in flipped:
        cells[r, c] = 255 - cells[r, c]
    assert sc.decode(draw(cells)) is None


@given(NOW_ISH, st.integers(min_value=0, max_value=71), st.integers(min_value=1, max_value=24),
       st.integers(min_value=0, max_value=2**32 - 1))
def test_a_run_of_up_to_24_damaged_cells_is_refused(ms: int, start: int, length: int, seed: int) -> None:
    cells = levels(ms)
    flat = cells[:, 2:sc.COLUMNS - 2].reshape(-1).copy()
    end = min(start + length, flat.size)
    rng = np.random.default_rng(seed)
    replaced = rng.integers(0, 2, size=end - start) * 255
    assume(np.any(replaced != flat[start:end]))
    flat[start:end] = replaced
    cells[:, 2:sc.COLUMNS - 2] = flat.reshape(sc.ROWS, sc.PAYLOAD)
    assert sc.decode(draw(cells)) is None


@given(NOW_ISH, st.sampled_from(MARKER_CELLS))
def test_a_broken_marker_is_refused(ms: int, cell: tuple[int, int]) -> None:
    cells = levels(ms)
    cells[cell] = 255 - cells[cell]
    assert sc.decode(draw(cells)) is None


@given(NOW_ISH, st.sampled_from(PAYLOAD_CELLS), st.integers(min_value=100, max_value=155))
def test_a_grey_cell_is_refused_not_guessed(ms: int, cell: tuple[int, int], grey: int) -> None:
    cells = levels(ms)
    cells[cell] = grey
    assert sc.decode(draw(cells)) is None


@given(NOW_ISH)
def test_rows_swapped_or_the_strip_shifted_are_refused(ms: int) -> None:
    strip = sc.render(ms)
    assert sc.decode(strip[::-1]) is None  # upside down: the second row's markers first
    assert sc.decode(np.vstack([strip[16:], strip[:16]])) is None
    assert sc.decode(np.roll(strip, 16, axis=1)) is None
    assert sc.decode(255 - strip) is None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_noise_and_flat_pictures_hold_no_time(seed: int) -> None:
    rng = np.random.default_rng(seed)
    assert sc.decode(rng.integers(0, 256, size=(360, 640, 3), dtype=np.uint8)) is None
    assert sc.decode(rng.integers(0, 2, size=(32, 640), dtype=np.uint8) * 255) is None
    assert sc.decode(np.full((360, 640), seed % 256, dtype=np.uint8)) is None


def test_every_error_of_up_to_four_cells_is_detected() -> None:
    """The CRC is affine, so a set of flipped payload bits goes unnoticed only if the XOR
    of their syndromes is zero: checked for every set of up to four of the 72 cells."""
    def syndrome(bit: int) -> int:
        if bit < sc.MS_BITS:
            return sc.crc24(1 << (sc.MS_BITS - 1 - bit)) ^ sc.crc24(0)
        return 1 << (sc.MS_BITS + sc.CRC_BITS - 1 - bit)
    syn = [syndrome(b) for b in range(sc.MS_BITS + sc.CRC_BITS)]
    assert all(syn) and len(set(syn)) == len(syn)  # one and two cells
    pairs = [a ^ b for a, b in itertools.combinations(syn, 2)]
    assert not set(pairs) & set(syn)  # three
    assert len(set(pairs)) == len(pairs)  # four: two pairs never cancel
    assert sc.decode(sc.render(1_796_137_466_923)) == 1_796_137_466_923


def test_bad_input_is_refused_precisely() -> None:
    with pytest.raises(ValueError, match="ms must be"):
        sc.encode(-1)
    with pytest.raises(ValueError, match="ms must be"):
        sc.encode(2**48)
    with pytest.raises(ValueError, match="ms must be"):
        sc.encode(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="multiple of 40"):
        sc.render(0, 630)
    with pytest.raises(ValueError, match="the strip needs 32"):
        sc.paint(np.zeros((20, 640), dtype=np.uint8), 0)
    assert sc.decode(np.zeros((4, 80), dtype=np.uint8)) is None  # cells under 3 px
    assert sc.decode(np.zeros((10, 640), dtype=np.uint8)) is None  # shorter than the strip
    assert sc.decode(np.zeros((5, 5, 5, 5))) is None
