"""Booth pictures: fetched off the caller's thread, cached, failures reported (placeholder)."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from client.booth_image import MAX_PX, BoothImages


@pytest.fixture
def site(tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "site"
    (folder / "web").mkdir(parents=True)
    Image.new("RGB", (1200, 600), (200, 10, 10)).save(folder / "web" / "big.png")
    (folder / "web" / "notes.txt").write_text("not a picture")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def settle(images: BoothImages, url: str) -> object:
    deadline = time.monotonic() + 10
    while images.state(url).state == "loading":
        assert time.monotonic() < deadline, "never settled"
        time.sleep(0.02)
    return images.state(url)


def test_a_server_relative_picture_is_downloaded_shrunk_and_cached(site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"ws://127.0.0.1:{site.server_address[1]}/ws"
    images = BoothImages(url, root=tmp_path / "cache")
    assert images.state("/web/big.png").state == "loading"  # never blocks
    st = settle(images, "/web/big.png")
    assert st.state == "ready"
    with Image.open(st.path) as img:
        assert max(img.size) == MAX_PX and img.size[0] == 2 * img.size[1]
        assert img.convert("RGB").getpixel((10, 10)) == (200, 10, 10)
    # a later run with the host gone still shows the cached copy
    site.shutdown()
    site.server_close()
    again = BoothImages(url, root=tmp_path / "cache")
    st = settle(again, "/web/big.png")
    assert st.state == "ready" and "cached copy" in st.detail


@pytest.mark.parametrize(("url", "why"), [("/web/missing.png", "404"), ("/web/notes.txt", "identify"),
                                          ("ftp://example.com/a.png", "not an http")])
def test_bad_pictures_fail_with_a_reason(site, tmp_path: Path, url: str, why: str) -> None:  # type: ignore[no-untyped-def]
    images = BoothImages(f"ws://127.0.0.1:{site.server_address[1]}/ws", root=tmp_path / "cache")
    st = settle(images, url)
    assert st.state == "failed" and why in st.detail


def test_no_url_means_no_picture(tmp_path: Path) -> None:
    assert BoothImages("ws://127.0.0.1:1/ws", root=tmp_path).state("").state == "none"
