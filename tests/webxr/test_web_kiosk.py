"""The park's policy kiosk in the browser 3D client (Chromium, a phone): an enterprise's
owner signed in on the web walks up to the kiosk; the client asks the world server and
shows the policies matching her enterprise with their verdict and amount; its link opens
the web app's verdict and application page; stepping off closes the panel; a guest is
asked to sign in. Screenshots: build/screenshots/web/kiosk-3d-*.png."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from tests.web.policy_people import RENT
from tests.webxr.scene import build_glb, park_layout
from tests.webxr.test_web_notice import WebBeside
from tests.webxr.world_server import WorldServer
from tools.webxr.export import publish_web
from world.layout import Kiosk
from world.policies.versions import parse_version
from world.profiles import EnterpriseProfile

SHOTS = Path("build/screenshots/web")
PASSWORD = "long enough pw"
pytestmark = pytest.mark.slow
PARK = "798-art-zone"
ZONE = ((3.0, -1.5), (6.0, -1.5), (6.0, 1.5), (3.0, 1.5))  # straight ahead of the spawn (0, 0, facing east)


def _layout() -> Any:
    return dataclasses.replace(park_layout(PARK), kiosk=Kiosk(7.0, 0.0, 3.14159, ZONE))


@pytest.fixture
def world(tmp_path: Path) -> Any:
    data = tmp_path / "data"
    (data / "scenes").mkdir(parents=True)
    (data / "scenes" / f"{PARK}.glb").write_bytes(build_glb(_layout()))
    publish_web(data)
    server = WorldServer(data, layouts={PARK: _layout()}).start()
    yield server
    server.stop()


def _walk_in(page: Any) -> None:
    page.keyboard.down("KeyW")
    page.wait_for_function("() => window.cloudpark.state().kiosk.inside", timeout=15000)
    page.keyboard.up("KeyW")


def test_an_owner_walks_up_to_the_kiosk_and_opens_a_matching_policy_on_the_web(browser: Any,
                                                                               world: WorldServer) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    world.create_account("mei", PASSWORD, "Mei", "enterprise", company="墨砚动画（测试）")
    store = world.app.store  # type: ignore[union-attr]
    acme = world.run(store.orgs.named("墨砚动画（测试）"))[0].id
    world.run(store.profiles.save(acme, EnterpriseProfile(name_zh="墨砚动画（测试）", park_id=PARK, founded=2019,
                                                          employees=35, area_m2=240.0), now=time.time()))
    bureau = world.run(store.orgs.create("department", "Bureau (test)", now=1.0))
    policy = world.run(store.policies.create(parse_version({**RENT, "apply_to": "2030-06-30"}), issuer_org_id=bureau,
                                             by="x", now=1.0, publish=True))
    world.run(store.policies.replace_matches(policy, 1, [{"org_id": acme, "verdict": "eligible", "amount": 180000.0,
                                                          "reasons": "[]"}], now=1.0))
    web = WebBeside(world).start()
    try:
        context, page, errors = web.phone_in_park(browser, "mei", PASSWORD, PARK)
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().net === 'joined' && window.cloudpark.state().user"
                               " && window.cloudpark.state().user.id === 'mei'", timeout=30000)
        assert page.evaluate("() => window.cloudpark.state().kiosk") == {
            "inside": False, "asked": 0, "shown": 0, "open": False, "items": []}
        _walk_in(page)
        page.wait_for_function("() => window.cloudpark.state().kiosk.open", timeout=5000)
        panel = page.locator("#kiosk")
        text = panel.inner_text()
        assert "政策服务点" in text and "墨砚动画（测试）：符合 1 项，可能符合 0 项" in text, text
        assert "文化企业房租补贴（测试）" in text and "符合条件，可申领 180,000 元" in text and "截至 2030-06-30" in text
        assert page.evaluate("() => window.cloudpark.state().kiosk.items") == [policy]
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / "kiosk-3d-phone.png"))
        assert not page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
        with context.expect_page() as popup:
            panel.locator("a", has_text="在网上查看并申报").click()
        opened = popup.value
        opened.wait_for_load_state()
        assert opened.url.endswith(f"/console/enterprise/{acme}/policies/{policy}")
        assert opened.locator("#verdict").count() == 1 and "符合条件" in opened.locator("#verdict").inner_text()
        opened.screenshot(path=str(SHOTS / "kiosk-web-verdict-phone.png"), full_page=True)
        # stepping off closes it
        page.keyboard.down("KeyS")
        page.wait_for_function("() => !window.cloudpark.state().kiosk.inside", timeout=15000)
        page.keyboard.up("KeyS")
        page.wait_for_function("() => !window.cloudpark.state().kiosk.open", timeout=5000)
        assert not errors, errors
        context.close()

        guest = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        page = guest.new_page()
        page.goto(f"{web.url}/web/{PARK}/?name=Gus")
        page.wait_for_function("() => window.cloudpark && typeof window.cloudpark.state === 'function'"
                               " && window.cloudpark.state().net === 'joined'", timeout=30000)
        _walk_in(page)
        page.wait_for_function("() => window.cloudpark.state().kiosk.open", timeout=5000)
        assert "Sign in to see the policies that match your enterprise." in page.locator("#kiosk").inner_text()
        page.screenshot(path=str(SHOTS / "kiosk-3d-guest-desktop.png"))
        guest.close()
    finally:
        web.stop()
