"""``cloudpark web`` as a user runs it: its own process, the portal on --port, the game
URL from --game-url, a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cloudpark_web_serves_the_portal_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    cli = str(Path(sys.executable).with_name("cloudpark"))
    proc = subprocess.Popen([cli, "web", "--port", str(port), "--data-dir", str(tmp_path / "var"),
                             "--game-url", "ws://127.0.0.1:9/ws"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env={**os.environ, "CLOUDPARK_SCRYPT_N": "1024"})
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                reply = httpx.get(f"http://127.0.0.1:{port}/api/parks", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
        assert reply.status_code == 200 and len(reply.json()) == 26
        assert reply.json()[0]["desktop_command"].startswith("cloudpark client --server ws://127.0.0.1:9/ws")
        assert httpx.get(f"http://127.0.0.1:{port}/", headers={"Accept-Language": "en"}).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert f"portal http://127.0.0.1:{port}/" in out
    assert (tmp_path / "var" / "web-secret").is_file()
