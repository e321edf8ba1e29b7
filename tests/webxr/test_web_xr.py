"""The XR code path under a scripted WebXR device (tests/webxr/xr_mock.js).

Entering VR and AR starts sessions through navigator.xr, the XR frame loop renders,
the thumbstick walks, teleport only accepts walkable ground, and AR hit-test places
the park as a tabletop miniature.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.slow

MOCK = (Path(__file__).parent / "xr_mock.js").read_text(encoding="utf-8")
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


@pytest.fixture
def xr_page(page, world_server):  # type: ignore[no-untyped-def]
    page.add_init_script(MOCK)
    page.goto(world_server.url("/web/test-park/"))
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_selector("#enter-vr")
    page.wait_for_selector("#enter-ar")
    return page


def variance(png: bytes) -> float:
    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), np.float32).var())


def test_enter_vr_starts_a_session_renders_frames_and_walks(xr_page, shots) -> None:
    page = xr_page
    page.click("#enter-vr")
    page.wait_for_function("window.cloudpark.state().xr.mode === 'vr'")
    page.wait_for_function("window.cloudpark.state().xr.frames > 10", timeout=20_000)
    assert page.evaluate("window.__xrMock.sessions") == ["immersive-vr"]
    assert page.evaluate("window.cloudpark.world.renderer.xr.isPresenting") is True
    assert page.locator("#enter-ar").is_hidden(), "only the way out is offered in a session"
    png = page.screenshot(path=str(shots / "vr.png"))
    assert variance(png) > 50
    # Left thumbstick forward (y = -1) walks where the head looks (-z in the mock: north).
    start = page.evaluate("window.cloudpark.state().self")
    page.evaluate("window.__xrMock.setStick('left', 0, -1)")
    page.wait_for_function(f"window.cloudpark.state().self.y > {start['y']} + 1", timeout=10_000)
    page.evaluate("window.__xrMock.setStick('left', 0, 0)")
    # The rig (the viewer) follows the avatar the server moves.
    rig = page.evaluate("window.cloudpark.world.rig.position.toArray()")
    me = page.evaluate("window.cloudpark.state().self")
    assert abs(rig[0] - me["x"]) < 0.5 and abs(-rig[2] - me["y"]) < 0.5
    # Teleport accepts walkable ground only (the hall at x -20..-8, y 8..16 is a hole).
    assert page.evaluate("window.cloudpark.xr.teleport({x: 5, y: 2})") is True
    assert page.evaluate("window.cloudpark.xr.teleport({x: -14, y: 12})") is False
    assert page.evaluate("window.cloudpark.xr.teleport({x: 80, y: 0})") is False
    page.click("#enter-vr")  # now "Exit VR"
    page.wait_for_function("window.cloudpark.state().xr.mode === null")
    assert page.console_errors == []


def test_vr_booth_opens_as_an_in_world_panel(xr_page) -> None:
    page = xr_page
    page.click("#enter-vr")
    page.wait_for_function("window.cloudpark.state().xr.frames > 3", timeout=20_000)
    # Teleport into the booth zone: the client travels there at run speed.
    assert page.evaluate("window.cloudpark.xr.teleport({x: 10, y: 0})") is True
    page.wait_for_function("window.cloudpark.state().booth === 'booth-a'", timeout=20_000)
    page.wait_for_function("window.cloudpark.state().xr.panel === true")
    assert page.console_errors == []


def test_enter_ar_places_the_park_on_the_hit_tested_surface(xr_page, shots) -> None:
    page = xr_page
    page.click("#enter-ar")
    page.wait_for_function("window.cloudpark.state().xr.mode === 'ar'")
    page.wait_for_function("window.cloudpark.state().xr.frames > 5", timeout=20_000)
    assert page.evaluate("window.__xrMock.sessions") == ["immersive-ar"]
    before = page.evaluate("window.cloudpark.state().xr")
    assert before["visible"] is False and before["placed"] is False
    assert before["scale"] == pytest.approx(0.6 / 60, rel=1e-3)  # the 60 m park becomes 60 cm
    page.evaluate("window.__xrMock.hit = [0.1, 1.0, -1.0]")
    page.wait_for_timeout(300)
    page.evaluate("window.__xrMock.tap()")
    page.wait_for_function("window.cloudpark.state().xr.placed === true")
    after = page.evaluate("window.cloudpark.state().xr")
    assert after["visible"] is True
    assert after["park"] == pytest.approx([0.1, 1.0, -1.0], abs=1e-4)
    page.wait_for_function("window.cloudpark.state().xr.frames > 20", timeout=20_000)
    png = page.screenshot(path=str(shots / "ar.png"))
    assert variance(png) > 50, "the placed miniature should be in view of the (mock) camera"
    assert page.console_errors == []
