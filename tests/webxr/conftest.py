"""Fixtures for the WebXR tests: a hand-built park scene, its export, a stand-in world
server serving the export at /web/, and Debian's chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.webxr.park_server import ParkServer
from tests.webxr.scene import build_glb, park_layout
from tools.webxr.export import ExportReport, export_park

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
PARK = "test-park"


@pytest.fixture(scope="session")
def scenes_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("scenes")
    (folder / f"{PARK}.glb").write_bytes(build_glb(park_layout(PARK)))
    return folder


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory, scenes_dir: Path) -> ExportReport:
    if not (Path("tools/node/node_modules/.bin/esbuild")).exists():
        pytest.fail("esbuild missing: run bash tools/setup.sh")
    return export_park(PARK, tmp_path_factory.mktemp("web"), scenes_dir=scenes_dir)


@pytest.fixture
def park_server(exported: ExportReport) -> Iterator[ParkServer]:
    server = ParkServer(park_layout(PARK), web_dir=exported.out).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run bash tools/setup.sh --test")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 800, "height": 600})
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
