"""Reading the binary glTF (.glb) container, and a park layout from a scene's extras.

Pure: bytes in. The scene builder (tools/) writes the layout under
``scenes[scene].extras["cloudpark"]``; the server reads it back with
``layout_from_glb`` without any glTF library.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from world.layout import LayoutError, ParkLayout

GLB_MAGIC = b"glTF"
CHUNK_JSON = 0x4E4F534A
CHUNK_BIN = 0x004E4942


class GlbError(ValueError):
    """The bytes are not a well-formed glTF 2.0 binary container."""


def read_glb(data: bytes) -> tuple[dict[str, Any], bytes]:
    """Split a .glb into its JSON document and its BIN chunk (empty if absent)."""
    if len(data) < 20:
        raise GlbError(f"too short for a glb ({len(data)} bytes)")
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    if magic != GLB_MAGIC:
        raise GlbError("missing the 'glTF' magic bytes")
    if version != 2:
        raise GlbError(f"glb container version {version} (expected 2)")
    if length != len(data):
        raise GlbError(f"header says {length} bytes, file has {len(data)}")
    offset = 12
    doc: dict[str, Any] | None = None
    binary = b""
    while offset < length:
        if offset + 8 > length:
            raise GlbError("truncated chunk header")
        chunk_len, chunk_type = struct.unpack_from("<II", data, offset)
        start, end = offset + 8, offset + 8 + chunk_len
        if end > length:
            raise GlbError("chunk runs past the end of the file")
        if chunk_type == CHUNK_JSON and doc is None:
            try:
                parsed = json.loads(data[start:end].decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise GlbError(f"JSON chunk is not valid JSON: {exc}") from None
            if not isinstance(parsed, dict):
                raise GlbError("JSON chunk is not an object")
            doc = parsed
        elif chunk_type == CHUNK_BIN and not binary:
            binary = data[start:end]
        offset = end
    if doc is None:
        raise GlbError("no JSON chunk")
    return doc, binary


def layout_from_glb(data: bytes) -> ParkLayout:
    """The park layout a scene carries in its extras."""
    doc, _ = read_glb(data)
    scenes = doc.get("scenes") or []
    index = doc.get("scene", 0)
    if (not isinstance(scenes, list) or isinstance(index, bool) or not isinstance(index, int)
            or not 0 <= index < len(scenes) or not isinstance(scenes[index], dict)):
        raise LayoutError("scene has no default scene")
    extras = scenes[index].get("extras") or {}
    payload = extras.get("cloudpark") if isinstance(extras, dict) else None
    if not isinstance(payload, dict):
        raise LayoutError("scene carries no cloudpark layout (scenes[].extras.cloudpark)")
    return ParkLayout.from_dict(payload)
