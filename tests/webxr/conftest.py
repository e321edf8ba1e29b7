"""Fixtures for the WebXR tests: a hand-built park scene, its export, the real world server
(``server.main.App``) serving that export at /web/, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webxr.scene import build_glb, park_layout
from tests.webxr.world_server import ServeProcess, WorldServer
from tools.webxr.export import ExportReport, export_park, publish_web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PARK = "test-park"


def _need_esbuild() -> None:
    if not Path("tools/node/node_modules/.bin/esbuild").exists():
        pytest.fail("esbuild missing: run bash tools/setup.sh")


@pytest.fixture(scope="session")
def scenes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenes")
    (folder / f"{PARK}.glb").write_bytes(build_glb(park_layout(PARK)))
    return folder


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory, scenes_dir: Path) -> ExportReport:
    _need_esbuild()
    return export_park(PARK, tmp_path_factory.mktemp("web"), scenes_dir=scenes_dir)


@pytest.fixture(scope="session")
def published(tmp_path_factory: pytest.TempPathFactory, scenes_dir: Path) -> Path:
    """A data folder as the main command leaves it: scenes/ and web/ (publish_web)."""
    _need_esbuild()
    data = tmp_path_factory.mktemp("data")
    shutil.copytree(scenes_dir, data / "scenes")
    publish_web(data)
    return data


@pytest.fixture
def world_server(published: Path, tmp_path: Path) -> Iterator[WorldServer]:
    """A fresh real server per test (own sqlite file, demo booths seeded) on port 0."""
    data = tmp_path / "data"
    shutil.copytree(published, data)
    server = WorldServer(data, layouts={PARK: park_layout(PARK)}).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Chromium for one module. Not for the session: Playwright's sync API keeps its event
    loop running in the thread while it is open, so asyncio.run() in a later module of the
    same process (another file under pytest-xdist) would fail."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    pg = context.new_page()
    pg.console_errors = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture
def shots() -> Path:
    """Where screenshots go (kept for people to look at): build/screenshots/webxr."""
    folder = Path("build/screenshots/webxr")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


REAL_PARKS = ("798-art-zone", "751-d-park")


@pytest.fixture(scope="session")
def real_parks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    """Real parks built by the scene builder, published, demo-seeded and served by
    ``cloudpark serve`` in a subprocess: what a user gets from the main command."""
    import subprocess
    import sys

    _need_esbuild()
    data = tmp_path_factory.mktemp("real") / "var"
    cli = str(Path(sys.executable).with_name("cloudpark"))
    build = [cli, "scenes", "build", "--out", str(data / "scenes")]
    for park in REAL_PARKS:
        build += ["--park", park]
    subprocess.run(build, check=True, capture_output=True)
    publish_web(data)
    env = {**os.environ, "CLOUDPARK_SCRYPT_N": "1024"}
    subprocess.run([cli, "demo", "seed", "--data-dir", str(data)], check=True, capture_output=True, env=env)
    server = ServeProcess(data)
    yield server
    assert server.stop() == 0, "".join(server.lines)
