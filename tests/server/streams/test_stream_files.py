"""The web app serves a stream's playlists and segments with headers a CDN can use,
and nothing else from the folder or outside it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from server.bus import InProcessBus
from server.clock import ManualClock
from server.config import ServerConfig
from server.db import Store
from server.web.app import create_app
from server.web.texts import load_texts


def test_stream_files_are_served_with_their_types_and_cache_rules(tmp_path: Path) -> None:
    data = tmp_path / "data"
    folder = data / "streams" / "7"
    folder.mkdir(parents=True)
    (folder / "live.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n")
    (folder / "replay.m3u8").write_text("#EXTM3U\n#EXT-X-ENDLIST\n")
    (folder / "seg000012.ts").write_bytes(b"G" + bytes(187))
    for hidden in ("recording.jsonl", "encoder.m3u8", "encoder.log", "seg000013.ts.tmp", ".live.m3u8.tmp"):
        (folder / hidden).write_text("not for viewers")
    (data / "cloudpark.sqlite3.secret").write_text("outside")

    async def go() -> None:
        cfg = ServerConfig(data_dir=data, scrypt_n=2**10, game_url="ws://127.0.0.1:9/ws")
        store = await Store.open(cfg.database_url)
        app = create_app(cfg, store, InProcessBus(), ManualClock(), texts=load_texts(strict=True))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://park.test") as client:
            live = await client.get("/streams/7/live.m3u8")
            assert live.status_code == 200 and live.text.startswith("#EXTM3U")
            assert live.headers["content-type"] == "application/vnd.apple.mpegurl"
            assert live.headers["cache-control"] == "no-cache"
            assert live.headers["access-control-allow-origin"] == "*"
            assert "set-cookie" not in live.headers  # a shared cache keeps nothing that sets a cookie
            assert live.content == (folder / "live.m3u8").read_bytes()
            assert live.headers["content-length"] == str(len(live.content))  # read once: length and bytes agree
            head_live = await client.head("/streams/7/live.m3u8")
            assert head_live.status_code == 200 and head_live.content == b""
            assert head_live.headers["content-length"] == str(len(live.content))
            replay = await client.get("/streams/7/replay.m3u8")
            assert replay.status_code == 200 and replay.headers["cache-control"] == "no-cache"
            seg = await client.get("/streams/7/seg000012.ts")
            assert seg.status_code == 200 and seg.content == b"G" + bytes(187)
            assert seg.headers["content-type"] == "video/mp2t"
            assert seg.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert "set-cookie" not in seg.headers
            head = await client.head("/streams/7/seg000012.ts")
            assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "188"
            part = await client.get("/streams/7/seg000012.ts", headers={"Range": "bytes=0-0"})
            assert part.status_code == 206 and part.content == b"G"
            for path in ("/streams/7/recording.jsonl", "/streams/7/encoder.m3u8", "/streams/7/encoder.log",
                         "/streams/7/seg000013.ts.tmp", "/streams/7/.live.m3u8.tmp", "/streams/7/seg000099.ts",
                         "/streams/8/live.m3u8", "/streams/07/live.m3u8", "/streams/0/live.m3u8",
                         "/streams/7/..%2f..%2fcloudpark.sqlite3.secret", "/streams/7/%2e%2e",
                         "/streams/..%2f7/live.m3u8", "/streams/7/live.m3u8%00", "/streams/7/LIVE.M3U8",
                         "/streams/-7/live.m3u8", "/streams/7/../../cloudpark.sqlite3.secret"):
                reply = await client.get(path)
                assert reply.status_code == 404, (path, reply.status_code)
                assert "not for viewers" not in reply.text and "outside" not in reply.text
            assert (await client.post("/streams/7/live.m3u8")).status_code in (403, 405)
        await app.state.web.online.close()
        await store.close()
    asyncio.run(go())
