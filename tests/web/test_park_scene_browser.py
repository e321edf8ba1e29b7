"""The browser 3D client follows the park it is in, in Debian's chromium against a real
world server and the web app linked to its bus (as ``cloudpark up`` runs them):

- a park edited in the console is rebuilt by the world server; the browser inside gets
  the unasked ``joined`` and swaps the new scene in place: same page, same websocket,
  the avatar where the server put it, the old scene's meshes freed; of two scenes asked
  for one after the other the later wins;
- a park approved a minute ago opens at ``/web/<park>/`` (the web app's one page for any
  live park, the scene from the world server) without a new export, from the portal's
  link; a proposed or unknown park is the 404 page.

Screenshots in build/screenshots/web/ (after the swap: the new building in view)."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image

from server.main import App
from tests.web.people import PASSWORD
from tests.web.test_catalogue_world import LinkedWeb, _form
from tests.webxr.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web
from world.layout import Region

pytestmark = pytest.mark.slow
PARK = "798-art-zone"
NEW_PARK = "jiuxianqiao-lab"
SHOTS = Path("build/screenshots/web")
# a new hall over the spawn point (0, 0): the rebuilt scene shows it and has a hole there
HALL = ("new-hall", (0.0, 0.0, 6.0, 6.0, 7.0), (0.2, 0.45, 0.85, 1.0))
HOLE = ((-3.0, -3.0), (-3.0, 3.0), (3.0, 3.0), (3.0, -3.0))
NEW = {"park_id": NEW_PARK, "name_zh": "酒仙桥实验园", "name_en": "Jiuxianqiao Lab Park",
       "address_zh": "朝阳区酒仙桥路10号", "style": "warehouse", "area_m2": "25000", "area_kind": "site",
       "sources": "park office leaflet 2026 (test)", "location_lat": "39.98", "location_lon": "116.49",
       "location_estimated": "on", "location_basis": "from the address by hand",
       "venue-0-new": "1", "venue-0-name": "Show hall", "venue-0-kind": "hall", "venue-0-capacity": "200"}
JOINED = "window.cloudpark && window.cloudpark.state && window.cloudpark.state().net === 'joined'"


def _variance(png: bytes) -> float:
    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float32).var())


def _walled(layout: Any) -> Any:
    region = layout.walkable[0]
    return dataclasses.replace(layout, walkable=(Region(region.outer, (*region.holes, HOLE)),))


@dataclasses.dataclass
class Zone:
    world: WorldServer
    web: LinkedWeb
    data: Path
    built: list[str]


@pytest.fixture
def zone(tmp_path: Path) -> Iterator[Zone]:
    """DATA_DIR as ``cloudpark up`` leaves it (scenes/, web/ by publish_web), the world
    server (its scene builder replaced by one that reads the entry it is given and writes
    the hand-built scene: the walled 798 with its new hall, or a plain new park) and the
    web app on its bus."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    layout = park_layout(PARK)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(layout))
    publish_web(data)
    built: list[str] = []

    def rebuild(park_id: str, scenes_dir: Path) -> None:
        entry = tomllib.loads((data / "catalogue" / f"{park_id}.toml").read_text(encoding="utf-8"))
        built.append(entry["name_en"])
        if park_id == PARK:
            scene = build_glb(_walled(layout), extra=(HALL,))
        else:
            scene = build_glb(park_layout(park_id))
        (scenes_dir / f"{park_id}.glb").write_bytes(scene)

    world = WorldServer(data, layouts={PARK: layout})
    world._thread.start()
    world.app = App(world.config, layouts={PARK: layout}, rebuild=rebuild)
    world.run(world.app.start(), timeout=30)
    web = LinkedWeb(data, world.ws_url).start()
    try:
        yield Zone(world, web, data, built)
    finally:
        web.stop()
        world.stop()


@pytest.fixture
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(chromium: Any, viewport: dict[str, int], **kwargs: Any) -> Any:
    page = chromium.new_context(viewport=viewport, locale="en-GB", **kwargs).new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # a failed load is caught by its answer (the browser's own favicon.ico asks are not the page's)
    page.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
            and page.errors.append(m.text))
    page.on("response", lambda r: r.status >= 400 and page.errors.append(f"{r.status} {r.url}"))
    return page


@contextmanager
def _signed_in(web: LinkedWeb, user: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=web.url, headers={"Accept-Language": "en"}) as client:
        csrf = client.get("/api/session").json()["csrf"]
        signed = client.post("/api/session", json={"user": user, "password": PASSWORD},
                             headers={"X-CSRF-Token": csrf})
        assert signed.status_code == 200
        yield client


def _editor(page: str) -> str:
    """The catalogue editor's form alone (the page has other forms: the language switch...)."""
    found = re.search(r'<form[^>]*method="post"[^>]*>(?:(?!</form>).)*name="name_en".*?</form>', page, re.S)
    assert found, "the editor's form"
    return found.group(0)


def _scene_hash(zone: Zone, park: str) -> str:
    return zone.world.call(lambda app: app.parks[park].scene.sha256)


def _held_memory(page: Any) -> dict[str, int]:
    """What the renderer holds on the GPU against what the scene still uses: a scene left
    behind undisposed shows as more geometries (or textures) held than used."""
    return page.evaluate("""() => {
      const w = window.cloudpark.world;
      const geometries = new Set(), textures = new Set();
      w.scene.traverse((o) => {
        if (o.geometry) geometries.add(o.geometry);
        for (const m of [].concat(o.material || [])) for (const v of Object.values(m)) if (v && v.isTexture) textures.add(v);
      });
      const mem = w.renderer.info.memory;
      return { held: mem.geometries, used: geometries.size, heldTextures: mem.textures, usedTextures: textures.size,
               model: w.model.children.length };
    }""")


@pytest.mark.parametrize("served_by", ["web app", "world server"])
def test_an_edited_park_swaps_its_new_scene_into_the_open_browser_page(zone: Zone, chromium: Any,
                                                                        served_by: str) -> None:
    page = _page(chromium, {"width": 1024, "height": 640})
    if served_by == "web app":  # the page for any live park: the world server's scene (its hash: the ETag)
        page.goto(f"{zone.web.url}/web/{PARK}/?name=Rita")
    else:  # the export's own page and .glb (its hash in the page)
        page.goto(zone.world.url(f"/web/{PARK}/?name=Rita"))
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_function("window.cloudpark.state().frames > 3", timeout=30_000)
    old_hash = _scene_hash(zone, PARK)
    state = page.evaluate("window.cloudpark.state()")
    assert state["scene"]["hash"] == old_hash and state["scene"]["swaps"] == 0  # loaded once, not again
    assert page.evaluate("document.body.dataset.scene") == old_hash
    assert _held_memory(page)["model"] == 4  # ground, booth, hall, stage
    page.evaluate("window.__same_page = true; window.cloudpark.conn.ws.__same_socket = true")

    with _signed_in(zone.web, "pam") as client:
        form = _form(_editor(client.get(f"/console/park/catalogue/{PARK}").text), name_en="798 Art District (new hall)")
        saved = client.post(f"/console/park/catalogue/{PARK}", data=form, follow_redirects=False)
        assert saved.status_code == 303, re.findall(r'<li[^>]*>(.{0,200})', saved.text)
    page.wait_for_function(f"document.body.dataset.scene && document.body.dataset.scene !== '{old_hash}'",
                           timeout=30_000)
    new_hash = _scene_hash(zone, PARK)
    assert zone.built == ["798 Art District (new hall)"]
    assert new_hash != old_hash and page.evaluate("document.body.dataset.scene") == new_hash
    state = page.evaluate("window.cloudpark.state()")
    assert state["scene"]["swaps"] == 1 and state["scene"]["failures"] == 0
    # no page reload, the same websocket session, still in the park (the new room's entity id)
    assert page.evaluate("window.__same_page === true && window.cloudpark.conn.ws.__same_socket === true")
    assert state["net"] == "joined"
    assert zone.world.avatars(PARK) == [(state["you"], "Rita")]
    # where the server put the avatar: off the new hall, on the new scene's walkable ground
    x, y = zone.world.call(lambda app: (lambda a: (a.x, a.y))(app.parks[PARK].room.avatars[state["you"]]))
    assert not (-3.0 < x < 3.0 and -3.0 < y < 3.0)
    assert abs(state["self"]["x"] - x) < 0.05 and abs(state["self"]["y"] - y) < 0.05
    assert page.evaluate("!window.cloudpark.prediction.layout.isWalkable(0, 0)")  # the client walks the new layout
    # the old scene was freed: every geometry it had, nothing held that the scene no longer uses
    assert state["scene"]["freed"]["geometries"] == 4 and state["scene"]["freed"]["materials"] == 4
    page.wait_for_function("window.cloudpark.state().frames > 0")
    frames = page.evaluate("window.cloudpark.state().frames")
    page.wait_for_function(f"window.cloudpark.state().frames > {frames + 3}")
    memory = _held_memory(page)
    assert memory["model"] == 5  # the new hall is there
    assert memory["held"] <= memory["used"] and memory["heldTextures"] <= memory["usedTextures"], memory

    # face the new hall (west of the avatar) and look at it
    page.evaluate(f"window.cloudpark.setHeading(Math.atan2({-y}, {-x}))")
    frames = page.evaluate("window.cloudpark.state().frames")
    page.wait_for_function(f"window.cloudpark.state().frames > {frames + 5}")
    png = page.screenshot(path=str(SHOTS / f"park-3d-after-rebuild-{served_by.replace(' ', '-')}.png"))
    assert _variance(png) > 50, "the page after the swap is (nearly) one flat colour"
    assert page.errors == []


def test_of_two_scenes_asked_for_in_turn_the_later_wins(zone: Zone, chromium: Any) -> None:
    """A second ``joined`` while the first one's scene is still on its way: the first fetch
    is dropped (even when it answers last) and the second scene is shown."""
    page = _page(chromium, {"width": 640, "height": 480})
    held: list[Any] = []
    page.route(lambda url: "/scenes/" in url and "?h=" in url, lambda route: held.append(route))
    page.goto(f"{zone.web.url}/web/{PARK}/")
    page.wait_for_function(JOINED, timeout=30_000)
    first, second = "a" * 64, "b" * 64  # two rebuilds' hashes (the held answers decide what they hold)

    def held_at_least(n: int) -> None:
        deadline = time.monotonic() + 10
        while len(held) < n and time.monotonic() < deadline:
            page.wait_for_timeout(50)

    page.evaluate(f"window.cloudpark.scenery.follow({{scene_hash: '{first}', scene: '/scenes/{PARK}.glb'}})")
    held_at_least(1)  # the first scene is on its way (its request reached the network)
    page.evaluate(f"window.cloudpark.scenery.follow({{scene_hash: '{second}', scene: '/scenes/{PARK}.glb'}})")
    held_at_least(2)
    assert [r.request.url.rsplit("h=", 1)[1] for r in held] == [first, second]
    scene = (zone.data / "scenes" / f"{PARK}.glb").read_bytes()
    walled = build_glb(_walled(park_layout(PARK)), extra=(HALL,))
    held[1].fulfill(status=200, body=walled, content_type="model/gltf-binary")
    page.wait_for_function(f"document.body.dataset.scene === '{second}'", timeout=10_000)
    try:
        held[0].fulfill(status=200, body=scene, content_type="model/gltf-binary")  # the first answers last
    except Exception:  # noqa: BLE001 - aborted by the page already: nothing to answer
        pass
    page.wait_for_timeout(500)
    state = page.evaluate("window.cloudpark.state().scene")
    assert state["hash"] == second and state["swaps"] == 1 and state["dropped"] == 1 and state["loading"] is None
    assert page.evaluate("window.cloudpark.world.model.children.length") == 5  # the second scene (with the hall)
    assert page.evaluate("!window.cloudpark.prediction.layout.isWalkable(0, 0)")
    assert page.errors == []


def test_a_newly_approved_park_opens_in_the_browser_without_a_new_export(zone: Zone, chromium: Any) -> None:
    with _signed_in(zone.web, "vera") as vera:
        csrf = vera.get("/api/session").json()["csrf"]
        sent = vera.post("/console/park/new", data={**NEW, "csrf": csrf}, follow_redirects=False)
        assert sent.status_code == 303, sent.text[-2000:]
        proposed = vera.get(f"/web/{NEW_PARK}/")
        assert proposed.status_code == 404 and "<html" in proposed.text  # not live yet: the 404 page
    assert httpx.get(f"{zone.web.url}/web/no-such-park/").status_code == 404
    with _signed_in(zone.web, "ada") as ada:
        csrf = ada.get("/api/session").json()["csrf"]
        decided = ada.post(f"/console/park/proposals/{NEW_PARK}", data={"decision": "approve", "csrf": csrf},
                           follow_redirects=False)
        assert decided.status_code == 303, decided.text[-2000:]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not zone.world.call(lambda app: NEW_PARK in app.parks):
        time.sleep(0.1)
    assert zone.world.call(lambda app: NEW_PARK in app.parks), "the world server did not bring the park online"
    assert zone.built == ["Jiuxianqiao Lab Park"]
    assert not (zone.data / "web" / NEW_PARK).exists()  # nothing exported for it

    page = _page(chromium, {"width": 390, "height": 844}, is_mobile=True, has_touch=True, device_scale_factor=1)
    page.goto(f"{zone.web.url}/")
    link = page.locator(f"a[href^='/web/{NEW_PARK}/']").first
    link.click()  # the portal's way in
    page.wait_for_function(JOINED, timeout=30_000)
    page.wait_for_function("window.cloudpark.state().frames > 3", timeout=30_000)
    state = page.evaluate("window.cloudpark.state()")
    assert page.url.startswith(f"{zone.web.url}/web/{NEW_PARK}/")
    assert state["scene"]["hash"] == _scene_hash(zone, NEW_PARK) == hashlib.sha256(
        (zone.data / "scenes" / f"{NEW_PARK}.glb").read_bytes()).hexdigest()
    assert state["scene"]["swaps"] == 0  # the first scene was the server's: nothing to swap
    assert [you for you, _ in zone.world.avatars(NEW_PARK)] == [state["you"]]
    assert page.locator("#park-title").inner_text() == "Jiuxianqiao Lab Park"
    assert page.title().startswith("Jiuxianqiao Lab Park")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    png = page.screenshot(path=str(SHOTS / "park-3d-approved-phone.png"))
    assert _variance(png) > 50
    assert page.errors == []
