"""Preview rendering: a real picture, not a blank frame."""

import pytest
from PIL import Image, ImageStat

from tools.scenes.preview import render_previews


@pytest.mark.slow
def test_a_preview_shows_a_park(all_scenes, tmp_path):
    [png] = render_previews([all_scenes / "sailong.glb"], tmp_path)
    img = Image.open(png).convert("RGB")
    assert img.size == (960, 600)
    stat = ImageStat.Stat(img)
    assert min(stat.stddev) > 15  # not a flat frame
    small = img.resize((96, 60))
    colours = small.getcolors(96 * 60)
    most = max(count for count, _ in colours)
    assert most < 0.5 * 96 * 60  # no single colour fills half the picture
    assert len(colours) > 50
    # the plaza fills the middle: its pavers must read as terracotta, not washed out (the
    # scene's colours are linear and the renderer must encode them for the screen)
    r, g, b = img.crop((430, 320, 530, 380)).resize((1, 1)).getpixel((0, 0))
    assert r > g > b and r - b > 45 and r < 225, f"plaza looks {(r, g, b)}"
