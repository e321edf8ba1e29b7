"""Shared protocol vectors: the Python codec and the browser client read and write the same bytes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.vectors.make_vectors import HERE, client_messages, server_messages
from world.protocol import codec
from world.protocol import messages as M

NODE_MODULES = Path("tools/node/node_modules").resolve()
def plain(data: object) -> object:
    """As JSON sees it (tuples become lists)."""
    return json.loads(json.dumps(data))


TABLE = json.loads((HERE / "vectors.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(server_messages()))
def test_server_vector_files_are_what_the_python_codec_writes(name: str) -> None:
    msg = server_messages()[name]
    data = (HERE / "server" / f"{name}.msgpack").read_bytes()
    assert data == codec.encode(msg), "stale vector: run python -m tests.vectors.make_vectors"
    assert plain(M.to_builtins(codec.decode_server(data))) == TABLE["server"][name]


@pytest.mark.parametrize("name", sorted(client_messages()))
def test_client_vector_files_are_what_the_python_codec_writes(name: str) -> None:
    data = (HERE / "client" / f"{name}.msgpack").read_bytes()
    assert data == codec.encode(client_messages()[name]), "stale vector: run python -m tests.vectors.make_vectors"
    assert codec.decode_client(data) == client_messages()[name]


@pytest.fixture(scope="module")
def browser_codec(tmp_path_factory: pytest.TempPathFactory) -> dict:
    node = shutil.which("node")
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if node is None or not esbuild.exists():
        pytest.fail("node and esbuild are needed: run bash tools/setup.sh")
    bundle = tmp_path_factory.mktemp("codec") / "check.mjs"
    env = {**os.environ, "NODE_PATH": str(NODE_MODULES)}
    subprocess.run([str(esbuild), str(HERE / "check.mjs"), "--bundle", "--platform=node", "--format=esm",
                    f"--outfile={bundle}", "--log-level=warning"], check=True, env=env)
    out = subprocess.run([node, str(bundle), str(HERE)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_the_browser_decoder_reads_every_vector_as_python_does(browser_codec: dict) -> None:
    assert browser_codec["decoded"]["server"] == TABLE["server"]
    assert browser_codec["decoded"]["client"] == TABLE["client"]


@pytest.mark.parametrize("name", sorted(client_messages()))
def test_the_browser_encoder_writes_bytes_the_python_codec_decodes(browser_codec: dict, name: str) -> None:
    data = bytes.fromhex(browser_codec["encoded"][name])
    assert codec.decode_client(data) == client_messages()[name]
