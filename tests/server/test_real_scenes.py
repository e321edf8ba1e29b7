"""The real thing: scenes built by ``cloudpark scenes build``, served by ``cloudpark serve``
in a subprocess, demo data seeded by ``cloudpark demo seed``, real websocket clients.

Three real parks are built into a temporary folder (a few seconds); the server hosts
them all, two visitors see each other walk in 798 Art Zone, and one walks from a
spawn point across the plaza into a demo booth's zone and gets its content pushed.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server.harness import Visitor, http_get
from tests.server.test_cli import CLOUDPARK, _start
from world.glb import layout_from_glb
from world.layout import ParkLayout
from world.protocol import messages as M
from world.protocol.quantize import pos_from_wire

PARKS = ("798-art-zone", "751-d-park", "e9")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("real") / "data"
    cmd = [CLOUDPARK, "scenes", "build", "--out", str(data / "scenes")]
    for park in PARKS:
        cmd += ["--park", park]
    built = subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
    return data


@pytest.fixture(scope="module")
def server(data_dir: Path) -> Iterator[int]:
    proc, port = _start(data_dir, booth_sync_s="0.2")
    try:
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0


def _layout(data_dir: Path, park: str) -> ParkLayout:
    return layout_from_glb((data_dir / "scenes" / f"{park}.glb").read_bytes())


async def _guest(port: int, name: str, park: str, spawn: str) -> Visitor:
    v = await Visitor.connect(port)
    await v.hello_guest(name)
    joined = await v.join(park=park, spawn=spawn)
    assert isinstance(joined, M.Joined), joined
    v.pos = (joined.x, joined.y, joined.yaw)
    return v


async def _steer(v: Visitor, tx: float, ty: float, timeout: float = 20.0) -> None:
    """Run towards (tx, ty) metres, steering by the server's acknowledged position."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        assert v.pos is not None
        dx, dy = tx - pos_from_wire(v.pos[0]), ty - pos_from_wire(v.pos[1])
        dist = math.hypot(dx, dy)
        if dist < 0.6:
            break
        assert loop.time() < deadline, f"stuck at {v.pos} on the way to ({tx}, {ty})"
        v.seq += 1
        await v.send(M.Input(s=v.seq, mx=dx / dist, my=dy / dist, run=dist > 3.0))
        await asyncio.sleep(0.05)
    v.seq += 1
    await v.send(M.Input(s=v.seq))
    await v.wait_until(lambda: v.ack == v.seq)


def test_every_built_park_is_hosted_with_its_scene(server: int, data_dir: Path) -> None:
    async def go() -> None:
        status, _, body = await http_get(server, "/healthz")
        assert status == 200 and json.loads(body)["parks"] == len(PARKS)
        status, _, body = await http_get(server, "/parks.json")
        listed = {p["id"]: p for p in json.loads(body)}
        assert set(listed) == set(PARKS)
        for park in PARKS:
            assert listed[park]["booths"] == len(_layout(data_dir, park).booths) > 0
            status, headers, scene = await http_get(server, listed[park]["scene"])
            assert status == 200 and hashlib.sha256(scene).hexdigest() == listed[park]["scene_hash"]
            assert scene == (data_dir / "scenes" / f"{park}.glb").read_bytes()
    asyncio.run(go())


def test_two_visitors_walk_together_in_798_art_zone(server: int) -> None:
    async def go() -> None:
        ada = await _guest(server, "Ada", "798-art-zone", "s3")
        bob = await _guest(server, "Bob", "798-art-zone", "s4")
        await ada.wait_until(lambda: bob.eid in ada.seen)
        await bob.wait_until(lambda: ada.eid in bob.seen)
        assert bob.seen[ada.eid][4] == "Ada"
        start = list(bob.seen[ada.eid][:2])
        await _steer(ada, pos_from_wire(start[0]), pos_from_wire(start[1]) + 8.0)  # 8 m north, on the path
        await bob.wait_until(lambda: bob.seen[ada.eid][1] >= start[1] + 700)
        for v in (ada, bob):
            await v.close()
    asyncio.run(go())


def test_a_seeded_demo_booth_pushes_its_content_to_a_visitor_who_walks_in(server: int, data_dir: Path) -> None:
    seeded = subprocess.run([CLOUDPARK, "demo", "seed", "--data-dir", str(data_dir)], capture_output=True,
                            text=True, timeout=120, check=False,
                            env=dict(os.environ, CLOUDPARK_SCRYPT_N="1024"))
    assert seeded.returncode == 0, seeded.stderr
    owners = {b: line.split()[1] for line in seeded.stdout.splitlines() if "user" in line
              for b in line.split(": ", 1)[-1].split(", ") if "/" in b}
    booth = "798-art-zone/b01"
    assert booth in owners, seeded.stdout
    slot = _layout(data_dir, "798-art-zone").booth("b01")
    zx = sum(p[0] for p in slot.zone) / len(slot.zone)
    zy = sum(p[1] for p in slot.zone) / len(slot.zone)

    async def go() -> None:
        ada = await _guest(server, "Ada", "798-art-zone", "s3")
        assert ada.pos is not None
        await _steer(ada, pos_from_wire(ada.pos[0]), zy)  # north along the plaza's axis
        await _steer(ada, zx, zy)  # then west into the booth's zone
        pushed = await ada.wait_for(lambda m: isinstance(m, M.Booth))
        assert pushed.booth.id == "b01"
        assert pushed.booth.content.name.endswith("(demo)") and pushed.booth.owner.endswith("(demo)")
        assert "Demo booth" in pushed.booth.content.description
        await ada.close()
    asyncio.run(go())
