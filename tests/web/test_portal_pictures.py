"""The portal's park pictures: rendered from a built scene by what ``cloudpark up`` runs
(``tools.scenes.cli.render_pictures``) into the folder the web app serves, shown on the
park's card as an <img> whose URL answers with the PNG; a park without a picture shows
the placeholder, never a broken image; a rebuilt scene gets a new picture at a new URL."""

from __future__ import annotations

import io
import os
import re

import pytest
from PIL import Image, ImageStat

from server.park_reload import render_previews
from tests.web.conftest import AppUnderTest
from tools.scenes.cli import render_pictures
from tools.scenes.pipeline import build_parks

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
PARK = "jingyuan"  # a small park: its scene builds in about a second


def _card(html: str, park: str) -> str:
    found = re.search(rf'<li class="park" id="park-{park}">(.*?)</li>', html, re.S)
    assert found, f"no card for {park}"
    return found.group(1)


async def test_a_rendered_picture_is_served_on_its_park_card(web: AppUnderTest, capsys) -> None:
    build_parks(web.config.scenes_dir, [PARK])
    assert render_pictures(web.config.data_dir, None) == 0
    assert f"rendered 1 park picture(s) into {web.config.previews_dir}/" in capsys.readouterr().out

    portal = await web.client.get("/", headers={"Accept-Language": "en"})
    card = _card(portal.text, PARK)
    img = re.search(r'<img class="preview" src="([^"]+)" alt="Jingyuan', card)
    assert img, card
    picture = await web.client.get(img.group(1))
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    shown = Image.open(io.BytesIO(picture.content)).convert("RGB")
    assert shown.size == (960, 600) and min(ImageStat.Stat(shown).stddev) > 15  # a park, not a blank frame
    other = _card(portal.text, "798-art-zone")  # no scene built, so no picture: the placeholder
    assert "<img" not in other and 'class="preview placeholder"' in other
    assert [p["id"] for p in (await web.client.get("/api/parks")).json() if p["preview"]] == [PARK]

    # nothing changed: nothing is rendered again
    assert render_pictures(web.config.data_dir, None) == 0
    assert "park pictures in" in capsys.readouterr().out

    # the scene is rebuilt: its picture is rendered again and the card points at the new one
    glb = web.config.scenes_dir / f"{PARK}.glb"
    later = (web.config.previews_dir / f"{PARK}.png").stat().st_mtime_ns + 1_000_000_000
    os.utime(glb, ns=(later, later))
    assert render_pictures(web.config.data_dir, [PARK]) == 0
    again = _card((await web.client.get("/")).text, PARK)
    new_src = re.search(r'<img class="preview" src="([^"]+)"', again)
    assert new_src and new_src.group(1) != img.group(1)
    assert (await web.client.get(new_src.group(1))).status_code == 200


async def test_pictures_of_a_park_without_a_scene_are_refused_with_a_message(web: AppUnderTest, capsys) -> None:
    assert render_pictures(web.config.data_dir, ["no-such-park"]) == 1
    assert "no scene for no-such-park" in capsys.readouterr().out
    assert not web.config.previews_dir.exists()


async def test_the_world_servers_rebuild_renders_the_picture_the_portal_shows(web: AppUnderTest) -> None:
    build_parks(web.config.scenes_dir, [PARK])
    render_previews([PARK], web.config.data_dir)  # as the world server does after a rebuild: a subprocess
    card = _card((await web.client.get("/")).text, PARK)
    src = re.search(r'<img class="preview" src="([^"]+)"', card)
    assert src, card
    assert (await web.client.get(src.group(1))).headers["content-type"] == "image/png"
