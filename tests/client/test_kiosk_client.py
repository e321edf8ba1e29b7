"""The desktop client at the policy kiosk, end to end: a real world server with the
798 Art Zone's real scene (its kiosk drawn by the scene builder), an enterprise owner
signed in with a one-time code from the web console, the client offscreen walking to the
kiosk: the panel lists the policies matching her enterprise with the verdict and amount
(in Chinese), and the screenshot shows the kiosk and the panel."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.web.policy_people import RENT
from world.geometry import centroid
from world.glb import layout_from_glb
from world.policies.versions import parse_version

pytestmark = pytest.mark.slow
PARK = "798-art-zone"
ROOT = Path(__file__).resolve().parents[2]
COMPANY = "墨石动画（测试）"


async def _seed(cfg) -> str:  # type: ignore[no-untyped-def]
    """An owner, her enterprise matched to a published rent subsidy; her desktop sign-in code."""
    from server.accounts import Accounts
    from server.db import Store

    store = await Store.open(cfg.database_url)
    try:
        now = time.time()
        await Accounts(store, scrypt_n=cfg.scrypt_n).create("mei", "long enough pw", "Mei", "enterprise",
                                                             company=COMPANY, now=now)
        org = (await store.orgs.named(COMPANY))[0].id
        bureau = await store.orgs.create("department", "Bureau (test)", now=now)
        policy = await store.policies.create(parse_version({**RENT, "apply_to": "2030-06-30"}), issuer_org_id=bureau,
                                             by="x", now=now, publish=True)
        await store.policies.replace_matches(policy, 1, [{"org_id": org, "verdict": "eligible", "amount": 180000.0,
                                                          "reasons": "[]"}], now=now)
        return (await store.signin_codes.desktop_code("mei", now=now)).code
    finally:
        await store.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from server.config import ServerConfig
    from server.main import App

    data = tmp_path_factory.mktemp("data")
    exe = Path(sys.executable).with_name("cloudpark")
    subprocess.run([str(exe), "scenes", "build", "--out", str(data / "scenes"), "--park", PARK],
                   check=True, capture_output=True, timeout=600)
    cfg = ServerConfig(port=0, data_dir=data, build_scenes=False, scrypt_n=2**10)
    code = asyncio.run(_seed(cfg))
    loop = asyncio.new_event_loop()
    app = App(cfg)
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(app.start())
        ready.set()
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert ready.wait(60)
    yield app, data, code
    asyncio.run_coroutine_threadsafe(app.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)


def test_the_desktop_client_shows_the_kiosks_policies_on_arrival(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, data, code = server
    layout = layout_from_glb((data / "scenes" / f"{PARK}.glb").read_bytes())
    assert layout.kiosk is not None
    x, y = centroid(layout.kiosk.zone)
    script = [
        {"do": "walk_to", "x": round(x, 2), "y": round(y, 2), "timeout": 60},
        {"do": "wait_kiosk", "timeout": 10},
        {"do": "camera", "heading": 200, "pitch": 16, "distance": 6},
        {"do": "wait", "for": 0.5},
        {"do": "screenshot", "name": "kiosk"},
        {"do": "quit"},
    ]
    (tmp_path / "script.json").write_text(json.dumps(script))
    shots = tmp_path / "shots"
    url = f"ws://127.0.0.1:{app.port}/ws"
    done = subprocess.run(
        [str(Path(sys.executable).with_name("cloudpark")), "client", "--server", url, "--park", PARK, "--code", code,
         "--lang", "zh", "--spawn", "s3", "--offscreen", "--script", str(tmp_path / "script.json"),
         "--screenshot", str(shots), "--size", "960x540", "--max-seconds", "120"],
        capture_output=True, text=True, timeout=240, cwd=ROOT, env={**os.environ, "CLOUDPARK_CACHE": str(tmp_path / "c")})
    log = done.stderr
    if shots.exists():
        shutil.copytree(shots, ROOT / "build" / "screenshots" / "client", dirs_exist_ok=True)
    assert done.returncode == 0, log[-3000:]
    panel = re.search(r"kiosk panel text: (.*)", log)
    assert panel is not None, log[-3000:]
    texts = panel.group(1).split(" | ")
    assert texts[:2] == ["政策服务点", f"{COMPANY}：符合 1 项，可能符合 0 项"], texts
    assert "文化企业房租补贴（测试）" in texts and "符合条件，可申领 180,000 元 · 截至 2030-06-30" in texts
    img = np.asarray(Image.open(shots / "kiosk.png").convert("RGB"), dtype=np.int32)
    assert img.std() > 20, "nearly blank"
