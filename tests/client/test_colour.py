"""sRGB <-> linear and simplepbr's tone map, as the client uses them."""

from __future__ import annotations

import pytest

from client.colour import (
    LINEAR_TO_SRGB_U8,
    SRGB_TO_LINEAR_U8,
    filmic,
    filmic_inverse,
    linear_to_srgb,
    rgb_hex,
    srgb_to_linear,
)


def test_srgb_mid_grey_is_about_a_fifth_linear() -> None:
    assert srgb_to_linear(0.5) == pytest.approx(0.214, abs=0.001)
    assert srgb_to_linear(0.0) == 0.0 and srgb_to_linear(1.0) == pytest.approx(1.0)
    assert SRGB_TO_LINEAR_U8[0] == 0 and SRGB_TO_LINEAR_U8[255] == 255 and SRGB_TO_LINEAR_U8[128] == 55
    assert all(a <= b for a, b in zip(SRGB_TO_LINEAR_U8, SRGB_TO_LINEAR_U8[1:], strict=False))


@pytest.mark.parametrize("c", [0.0, 0.003, 0.02, 0.18, 0.5, 0.9, 1.0])
def test_linear_to_srgb_undoes_srgb_to_linear(c: float) -> None:
    assert srgb_to_linear(linear_to_srgb(c)) == pytest.approx(c, abs=1e-9)
    assert linear_to_srgb(0.214) == pytest.approx(0.5, abs=0.001)


def test_the_byte_tables_round_trip_the_bright_shades_scenes_use() -> None:
    assert LINEAR_TO_SRGB_U8[0] == 0 and LINEAR_TO_SRGB_U8[255] == 255 and LINEAR_TO_SRGB_U8[55] == 128
    assert all(a <= b for a, b in zip(LINEAR_TO_SRGB_U8, LINEAR_TO_SRGB_U8[1:], strict=False))
    shades = range(160, 256)  # per-building tints and lawn shades live up here
    assert all(abs(int(LINEAR_TO_SRGB_U8[SRGB_TO_LINEAR_U8[v]]) - v) <= 1 for v in shades)


@pytest.mark.parametrize("y", [0.05, 0.3, 0.62, 0.8, 0.9])
def test_the_inverse_tone_map_gives_back_the_display_value(y: float) -> None:
    assert filmic(filmic_inverse(y)) == pytest.approx(y, abs=1e-6)


def test_hex_colours_split_into_channels() -> None:
    assert rgb_hex(0xFF3080) == (1.0, 0x30 / 255, 0x80 / 255)
