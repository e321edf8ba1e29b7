"""``cloudpark up``: build the scenes, publish the web client, serve, say what to open."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tools.cli import main

PARK = "jingyuan"  # a small park of the catalogue: its scene builds in about a second


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not Path("tools/node/node_modules/.bin/esbuild").exists():
        pytest.fail("esbuild missing: run bash tools/setup.sh")
    return tmp_path_factory.mktemp("up") / "var"


def test_no_serve_builds_the_scene_and_publishes_the_web_client(data_dir: Path, capsys) -> None:
    assert main(["up", "--no-serve", "--data-dir", str(data_dir), "--park", PARK]) == 0
    web = data_dir / "web"
    listing = (web / "index.html").read_text(encoding="utf-8")
    assert f'href="{PARK}/"' in listing and "Jingyuan" in listing  # the catalogue's name
    page = (web / PARK / "index.html").read_text(encoding="utf-8")
    assert 'src="../app.js"' in page and f'"park": "{PARK}"' in page
    assert (web / PARK / f"{PARK}.glb").read_bytes() == (data_dir / "scenes" / f"{PARK}.glb").read_bytes()
    assert (web / "app.js").stat().st_size > 100_000
    out = capsys.readouterr().out
    assert f"published the web client for 1 park(s) to {web}" in out
    # the portal's picture of the park, where the web app serves them
    assert f"rendered 1 park picture(s) into {data_dir / 'previews'}/" in out
    assert (data_dir / "previews" / f"{PARK}.png").read_bytes().startswith(b"\x89PNG")


def test_a_second_run_with_nothing_changed_writes_nothing(data_dir: Path, capsys) -> None:
    app_js = data_dir / "web" / "app.js"
    before = app_js.stat().st_mtime_ns
    assert main(["up", "--no-serve", "--data-dir", str(data_dir), "--park", PARK]) == 0
    out = capsys.readouterr().out
    assert "is up to date" in out and f"park pictures in {data_dir / 'previews'}/ are up to date" in out
    assert app_js.stat().st_mtime_ns == before


def test_without_offscreen_gl_up_goes_on_without_pictures(data_dir: Path, capsys, monkeypatch) -> None:
    import tools.scenes.preview

    def no_gl(*_args: object, **_kw: object) -> list[Path]:
        raise RuntimeError("could not render previews offscreen:\nno EGL display")

    picture = data_dir / "previews" / f"{PARK}.png"
    kept = picture.read_bytes()
    picture.unlink()
    monkeypatch.setattr(tools.scenes.preview, "render_previews", no_gl)
    try:
        assert main(["up", "--no-serve", "--data-dir", str(data_dir), "--park", PARK]) == 0
        err = capsys.readouterr().err
        assert "the park pictures were not rendered (the portal shows placeholders)" in err and "no EGL" in err
        assert "going on without park pictures" in err and not picture.exists()
    finally:
        picture.write_bytes(kept)


def test_up_serves_the_published_client_and_prints_the_url(data_dir: Path) -> None:
    exe = Path(sys.executable).with_name("cloudpark")
    env = {**os.environ, "CLOUDPARK_SCRYPT_N": "1024"}
    proc = subprocess.Popen([str(exe), "up", "--data-dir", str(data_dir), "--park", PARK, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        port = None
        for line in proc.stdout:
            lines.append(line)
            found = re.search(r"cloudpark serving \d+ parks: ws://127\.0\.0\.1:(\d+)/", line)
            if found:
                port = int(found.group(1))
                break
        assert port, "".join(lines)
        text = "".join(lines)
        browser = re.search(r"open in a browser  http://127\.0\.0\.1:(\d+)/web/", text)
        assert browser, text
        assert f"game websocket     ws://127.0.0.1:{port}/ws" in text
        assert "is up to date" in text
        web_port = int(browser.group(1))
        deadline = time.monotonic() + 30
        while True:  # the web app may still be starting
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/web/{PARK}/", timeout=10) as resp:  # noqa: S310
                    page = resp.read()
                break
            except OSError:
                assert time.monotonic() < deadline, text
                time.sleep(0.2)
        assert b'id="cloudpark-config"' in page
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/", timeout=10) as resp:  # noqa: S310
            portal = resp.read().decode()
        picture = re.search(rf'<li class="park" id="park-{PARK}">\s*<img class="preview" src="([^"]+)"', portal)
        assert picture, portal  # the portal shows the park's picture that up rendered
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}{picture.group(1)}", timeout=10) as resp:  # noqa: S310
            assert resp.status == 200 and resp.headers["content-type"] == "image/png"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/web/{PARK}/", timeout=10) as resp:  # noqa: S310
            assert resp.status == 200 and b'id="cloudpark-config"' in resp.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/parks.json", timeout=10) as resp:  # noqa: S310
            assert b'"jingyuan"' in resp.read()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rest, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            rest, _ = proc.communicate()
        lines.append(rest or "")
    assert proc.returncode == 0, "".join(lines)
