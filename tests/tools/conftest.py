"""Scenes built once per test session (through the pool, like ``cloudpark scenes build``)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPRESENTATIVE = ["798-art-zone", "751-d-park", "sailong", "zuiku", "laijin", "898-innovation-valley"]


@pytest.fixture(scope="session")
def all_scenes(tmp_path_factory) -> Path:
    from tools.scenes.pipeline import build_parks

    out = tmp_path_factory.mktemp("scenes")
    build_parks(out)
    return out


def with_wrong_bounds(glb: bytes) -> bytes:
    """The same scene with a POSITION accessor's min/max lying: the validator must object."""
    import json
    import struct

    from world.glb import read_glb

    doc, binary = read_glb(glb)
    doc["accessors"][0]["min"] = [1000.0, 1000.0, 1000.0]
    doc["accessors"][0]["max"] = [1001.0, 1001.0, 1001.0]
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    body = struct.pack("<I4s", len(text), b"JSON") + text + struct.pack("<I4s", len(binary), b"BIN\0") + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body
