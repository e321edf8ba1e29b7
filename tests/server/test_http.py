"""HTTP on the game port: health, parks, scenes by content hash, metrics, the web folder.

A real websockets server on 127.0.0.1 port 0 with the real ``process_request`` hook;
requests are written byte for byte so no client-side path cleaning hides a traversal.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
from pathlib import Path

import pytest
from websockets.asyncio.server import serve

from server.net.http import Routes, Site, safe_file
from server.parks import SceneFile
from tests.server.harness import http_get

GLB = b"glTF" + b"\x02\x00\x00\x00" + b"scene bytes" * 100


def _site(tmp_path: Path) -> Site:
    web = tmp_path / "data" / "web"
    (web / "js").mkdir(parents=True)
    (web / "index.html").write_text("<h1>Cloud Park</h1>")
    (web / "js" / "app.js").write_text("console.log(1)")
    (web / ".secret").write_text("hidden")
    (tmp_path / "data" / "cloudpark.sqlite3").write_text("DATABASE")
    (tmp_path / "outside.txt").write_text("OUTSIDE")
    os.symlink(tmp_path / "outside.txt", web / "link.txt")
    os.symlink(tmp_path / "data", web / "dirlink")
    return Site(
        health=lambda: {"status": "ok", "parks": 1, "clients": 3},
        parks=lambda: [{"id": "798-art-zone", "online": 3}],
        metrics=lambda: "# TYPE cloudpark_clients gauge\ncloudpark_clients{park=\"798-art-zone\"} 3\n",
        scenes={"798-art-zone": SceneFile.of(GLB)},
        web_dir=web,
    )


def _with_server(site: Site, body):  # type: ignore[no-untyped-def]
    async def go():  # type: ignore[no-untyped-def]
        async with serve(lambda ws: ws.close(), "127.0.0.1", 0, process_request=Routes(site)) as server:
            port = server.sockets[0].getsockname()[1]
            return await body(port)
    return asyncio.run(go())


def test_healthz_parks_and_metrics(tmp_path: Path) -> None:
    async def body(port: int):  # type: ignore[no-untyped-def]
        return [await http_get(port, p) for p in ("/healthz", "/parks.json", "/metrics", "/nope")]
    (hs, hh, hb), (ps, _, pb), (ms, mh, mb), (ns, _, _) = _with_server(_site(tmp_path), body)
    assert hs == 200 and hh["content-type"] == "application/json"
    assert json.loads(hb) == {"status": "ok", "parks": 1, "clients": 3}
    assert ps == 200 and json.loads(pb)[0]["id"] == "798-art-zone"
    assert ms == 200 and mh["content-type"].startswith("text/plain; version=0.0.4")
    assert b'cloudpark_clients{park="798-art-zone"} 3' in mb
    assert ns == 404


def test_scene_is_served_with_its_content_hash(tmp_path: Path) -> None:
    digest = hashlib.sha256(GLB).hexdigest()

    async def body(port: int):  # type: ignore[no-untyped-def]
        return (await http_get(port, "/scenes/798-art-zone.glb"),
                await http_get(port, f"/scenes/798-art-zone.glb?h={digest}"),
                await http_get(port, "/scenes/798-art-zone.glb", {"If-None-Match": f'"{digest}"'}),
                await http_get(port, "/scenes/unknown-park.glb"))
    plain, hashed, cached, unknown = _with_server(_site(tmp_path), body)
    assert plain[0] == 200 and plain[2] == GLB
    assert plain[1]["etag"] == f'"{digest}"' and plain[1]["content-type"] == "model/gltf-binary"
    assert plain[1]["cache-control"] == "no-cache"
    assert hashed[1]["cache-control"] == "public, max-age=31536000, immutable"
    assert cached[0] == 304 and cached[2] == b""
    assert unknown[0] == 404


def test_web_folder_serves_its_files(tmp_path: Path) -> None:
    async def body(port: int):  # type: ignore[no-untyped-def]
        return await http_get(port, "/web/"), await http_get(port, "/web/js/app.js")
    index, js = _with_server(_site(tmp_path), body)
    assert index[0] == 200 and index[2] == b"<h1>Cloud Park</h1>"
    assert index[1]["content-type"].startswith("text/html")
    assert js[0] == 200 and js[1]["content-type"].startswith("text/javascript")


def test_web_text_files_are_gzipped_for_browsers_that_accept_it(tmp_path: Path) -> None:
    import gzip

    async def body(port: int):  # type: ignore[no-untyped-def]
        plain = await http_get(port, "/web/js/app.js")
        packed = await http_get(port, "/web/js/app.js", {"Accept-Encoding": "gzip, deflate, br"})
        refused = await http_get(port, "/web/js/app.js", {"Accept-Encoding": "gzip;q=0"})
        again = await http_get(port, "/web/js/app.js", {"Accept-Encoding": "gzip",
                                                         "If-None-Match": packed[1]["etag"]})
        return plain, packed, refused, again
    plain, packed, refused, again = _with_server(_site(tmp_path), body)
    assert "content-encoding" not in plain[1] and plain[2] == b"console.log(1)"
    assert packed[0] == 200 and packed[1]["content-encoding"] == "gzip"
    assert packed[1]["vary"] == "Accept-Encoding" and packed[1]["etag"] != plain[1]["etag"]
    assert gzip.decompress(packed[2]) == b"console.log(1)"
    assert "content-encoding" not in refused[1] and refused[2] == b"console.log(1)"
    assert again[0] == 304


TRAVERSALS = [
    "/web/../cloudpark.sqlite3",
    "/web/../../outside.txt",
    "/web/%2e%2e/cloudpark.sqlite3",
    "/web/%2E%2E/%2E%2E/outside.txt",
    "/web/..%2fcloudpark.sqlite3",
    "/web/..%2Fcloudpark.sqlite3",
    "/web/js%2f..%2f..%2fcloudpark.sqlite3",
    "/web/..%5ccloudpark.sqlite3",
    "/web/..\\cloudpark.sqlite3",
    "/web//etc/passwd",
    "/web/%2fetc%2fpasswd",
    "/web/%252e%252e/cloudpark.sqlite3",
    "/web/.secret",
    "/web/link.txt",
    "/web/dirlink/cloudpark.sqlite3",
    "/web/index.html%00.js",
    "/web/%c0%ae%c0%ae/cloudpark.sqlite3",
    "/scenes/../cloudpark.sqlite3",
    "/scenes/..%2fcloudpark.sqlite3",
    "/scenes/%2e%2e%2fcloudpark.glb",
    "/web/./index.html",
]


def test_nothing_outside_the_served_folders_is_reachable(tmp_path: Path) -> None:
    async def body(port: int):  # type: ignore[no-untyped-def]
        return [await http_get(port, p) for p in TRAVERSALS]
    answers = _with_server(_site(tmp_path), body)
    for path, (status, _, payload) in zip(TRAVERSALS, answers, strict=True):
        assert status in (400, 404), path
        assert b"DATABASE" not in payload and b"OUTSIDE" not in payload and b"hidden" not in payload, path


@pytest.mark.parametrize("raw", ["/etc/passwd", "../x", "a/../../x", "%2e%2e/x", "a%2Fb"])
def test_safe_file_refuses_before_touching_disk(tmp_path: Path, raw: str) -> None:
    assert safe_file(tmp_path, raw) is None


def test_missing_web_folder_says_so(tmp_path: Path) -> None:
    site = _site(tmp_path)
    site = Site(site.health, site.parks, site.metrics, site.scenes, tmp_path / "no-web")

    async def body(port: int):  # type: ignore[no-untyped-def]
        return await http_get(port, "/web/index.html")
    status, _, payload = _with_server(site, body)
    assert status == 404 and b"export" in payload
