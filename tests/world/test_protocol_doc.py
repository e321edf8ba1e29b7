"""docs/protocol.md stays true: its state table and worked example are generated here
from the real session table and codec. Rewrite them with
``.venv/bin/python -m tests.world.test_protocol_doc``."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import msgspec

from tests.world.conftest import booth, square_park
from world.layout import Space
from world.protocol import messages as M
from world.protocol.codec import decode_client, decode_server, encode
from world.protocol.constants import CloseCode, ErrorCode
from world.protocol.session import ALLOWED, TRANSITIONS, ServerSession, State
from world.room import Room

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"
SCENES_DOC = DOC.with_name("scenes.md")
GARBAGE = b"\x92\x01\x02"  # valid MessagePack (an array of two numbers), but not a message


@dataclass(frozen=True)
class _Visitor:
    """What ``Room.join`` reads of the person joining."""

    user_id: str
    name: str
    color: int
    role: str
    company: str = ""


def state_table() -> str:
    lines = ["| state | client may send | leaves by |", "|---|---|---|"]
    for state in State:
        allowed = ", ".join(f"`{t}`" for t in sorted(ALLOWED[state])) or "nothing"
        exits = [f"{ev} → {nxt.value}" for (src, ev), nxt in TRANSITIONS.items() if src is state]
        if state is not State.CLOSED:
            exits.append("close → closed")
        lines.append(f"| {state.value} | {allowed} | {'; '.join(exits)} |")
    return "\n".join(lines)


def _hex(data: bytes) -> str:
    h = data.hex(" ")
    return "\n".join(h[i:i + 48].rstrip() for i in range(0, len(h), 48))


def example_session() -> str:
    """A real exchange: a ServerSession and a Room produce the server's bytes."""
    frames: list[tuple[str, bytes, str]] = []
    s = ServerSession(now=0.0)

    def c2s(msg: msgspec.Struct, note: str) -> None:
        data = encode(msg)
        frames.append(("C→S", data, note))
        s.receive(data, 0.0)

    def s2c(note: str) -> None:
        for data in s.data_to_send():
            frames.append(("S→C", data, note))

    c2s(M.Hello(v=1, client="doc-example"), "hello: protocol version 1")
    s2c("welcome: rates, speeds and limits")
    c2s(M.Guest(name="Ann", color=0x3366CC, id=1), "guest entry, request id 1")
    s.authenticated()
    s.send(M.Session(user=M.UserInfo(id="guest:7f3a", name="Ann", role="guest", color=0x3366CC),
                     resume="r-1a2b3c", resume_ttl=30.0, perms={"booth.like": True, "booth.card": False}, re=1))
    s2c("session: answers request 1 (`re`)")
    c2s(M.Join(park="demo-park", id=2), "join a park, request id 2")
    lay = square_park(park_id="demo-park", booths=(booth("b01", -20.0, 0.0),))
    room = Room("demo-park", lay)
    rng = random.Random(1)
    room.join(_Visitor("u-bob", "Bob", 0xCC6633, "visitor"), None, rng)  # type: ignore[arg-type]
    me = room.join(_Visitor("guest:7f3a", "Ann", 0x3366CC, "guest"), None, rng)  # type: ignore[arg-type]
    x, y, yaw, _ = room.own_state(me)
    s.joined()
    s.send(M.Joined(park="demo-park", you=me, x=x, y=y, yaw=yaw, tick=room.tick, scene="/scenes/demo-park.glb",
                    scene_hash="9f2c", booths=[M.BoothSummary(id="b01", name="Acme")], re=2))
    s2c("joined: your entity id, position (cm), facing (u16)")
    room.step(0.05)
    s.send_raw(room.build_snapshots()[me])
    s2c("snap: Bob enters view (`e`: full state)")
    c2s(M.Input(s=1, mx=1.0, yaw=0.0), "in: one tick walking east, sequence 1")
    room.queue_input(me, M.Input(s=1, mx=1.0))
    room.step(0.05)
    s.send_raw(room.build_snapshots()[me])
    s2c("snap: input 1 applied (`a`), own position `p` moved 10 cm")
    c2s(M.Chat(ch="planet", text="hi", id=3), "chat on a channel that does not exist")
    s.reply_error("invalid", "unknown chat channel 'planet'; use one of near, park, booth", 3)
    s2c("error answering request 3")
    frames.append(("C→S", GARBAGE, "garbage: a MessagePack array, not a map"))
    s.receive(GARBAGE, 0.0)
    s2c("error: the session answers bad frames itself")
    out = []
    for i, (direction, data, note) in enumerate(frames, 1):
        if data == GARBAGE:
            text = f"{json.dumps(msgspec.msgpack.decode(data))} (valid MessagePack, not a message)"
        else:
            decoded = decode_client(data) if direction == "C→S" else decode_server(data)
            text = json.dumps(msgspec.to_builtins(decoded), ensure_ascii=False)
        out.append(f"{i}. **{direction}** {note} ({len(data)} bytes)\n\n```\n{_hex(data)}\n```\n\n"
                   f"decodes as `{text}`\n")
    return "\n".join(out)


SECTIONS = {"state-table": state_table, "example": example_session}


def render(doc: str) -> str:
    for name, fn in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {name} -->\n).*?(<!-- END {name} -->)", re.S)
        doc = pattern.sub(lambda m, fn=fn: m.group(1) + fn() + "\n" + m.group(2), doc)
    return doc


def test_protocol_doc_sections_are_current() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for name in SECTIONS:
        assert f"<!-- BEGIN {name} -->" in doc, f"docs/protocol.md lost its {name} markers"
        assert SECTIONS[name]() in doc, f"docs/protocol.md's {name} is stale: run python -m tests.world.test_protocol_doc"
    assert render(doc) == doc, "docs/protocol.md is stale: run python -m tests.world.test_protocol_doc"


def _example_frames(doc: str) -> list[bytes]:
    section = doc.split("<!-- BEGIN example -->")[1].split("<!-- END example -->")[0]
    return [bytes.fromhex(block) for block in re.findall(r"```\n([0-9a-f \n]+)```", section)]


def test_every_example_frame_is_valid_messagepack_and_leaves_defaults_out() -> None:
    frames = _example_frames(DOC.read_text(encoding="utf-8"))
    assert len(frames) >= 13
    for data in frames:
        raw = msgspec.msgpack.decode(data)  # every frame is MessagePack, the garbage one too
        if data == GARBAGE:
            continue
        cls = M.CLIENT_TYPES.get(raw["t"]) or {c.__struct_config__.tag: c for c in M.ServerMessage.__args__}[raw["t"]]
        for f in msgspec.structs.fields(cls):
            if f.encode_name in raw and f.default is not msgspec.NODEFAULT:
                assert raw[f.encode_name] != f.default or type(raw[f.encode_name]) is not type(f.default), (
                    f"example frame {raw['t']} carries {f.encode_name}={f.default!r}, its default")


def test_every_close_code_and_error_code_has_a_row() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for code in CloseCode:
        assert f"| {code.value} | {code.name} |" in doc, f"close code {code.value} is not in the table"
    for err in ErrorCode:
        assert f"| `{err.value}` |" in doc, f"error code {err.value} is not in the table"


def test_after_a_resume_the_order_is_session_joined_booth_then_snapshots() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for section in (doc.split("### `hello`")[1].split("### ")[0], doc.split("## Resume")[1].split("## ")[0]):
        text = " ".join(section.split())
        at = [text.index(w) for w in ("`session`", "`joined`", "`booth`", "snapshots")]
        assert at == sorted(at), section


def _key_paths(value: object, prefix: str = "") -> set[str]:
    if isinstance(value, dict):
        out: set[str] = set()
        for k, v in value.items():
            path = f"{prefix}.{k}" if prefix else k
            out |= {path} | _key_paths(v, path)
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return {p for item in value for p in _key_paths(item, prefix + "[]")}
    return set()


def test_the_scene_layout_schema_documents_every_key() -> None:
    """docs/scenes.md describes every key of scenes[0].extras.cloudpark; protocol.md links it."""
    lay = square_park(walls=((10.0, 0.0, 2.0, 2.0),), booths=(booth("b01", -20.0, 0.0),))
    lay = type(lay)(**{**{f: getattr(lay, f) for f in lay.__dataclass_fields__},
                       "spaces": (Space("hall", "Hall", "hall", ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0)), (2.0, 2.0)),)})
    section = SCENES_DOC.read_text(encoding="utf-8").split("## The layout in a scene")[1].split("\n## ")[0]
    missing = [p for p in sorted(_key_paths(lay.to_dict())) if f"`{p}`" not in section]
    assert not missing, f"docs/scenes.md does not describe {missing}"
    assert "scenes.md#the-layout-in-a-scene" in DOC.read_text(encoding="utf-8")


def test_every_message_type_is_documented() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for tag in M.CLIENT_TYPES:
        assert f"### `{tag}`" in doc, f"client message {tag} is not documented"
    for cls in M.ServerMessage.__args__:  # type: ignore[attr-defined]
        tag = cls.__struct_config__.tag
        assert f"### `{tag}`" in doc, f"server message {tag} is not documented"


if __name__ == "__main__":
    DOC.write_text(render(DOC.read_text(encoding="utf-8")), encoding="utf-8")
