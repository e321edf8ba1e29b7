"""Every parser of outside input in world/ either succeeds or raises its documented error.

Users type URLs, names, chat lines, spawn ids and emote names; scene files and catalogue
files arrive as bytes and text. Whatever they hold, the pure core answers with the one
exception type each parser documents (which the server turns into an ``error`` reply),
never a stray ``ValueError``/``KeyError``/``IndexError`` traceback.
"""

from __future__ import annotations

import json
import math
import random
import struct
from dataclasses import dataclass
from urllib.parse import urlsplit

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.world.conftest import booth, square_park
from world.booths import BoothRecord, BoothRuleError, apply_patch, check_url
from world.catalogue import DEFAULT_CATALOGUE_DIR, CatalogueError, parse_park
from world.chat import ChatRuleError, check_channel
from world.chat import clean_text as clean_chat
from world.glb import GlbError, layout_from_glb, read_glb
from world.layout import LayoutError, ParkLayout
from world.movement import wrap_yaw
from world.protocol import messages as M
from world.protocol.codec import ProtocolError, decode_client, encode
from world.room import Room, UnknownSpawn

FUZZ = settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)

# Characters that broke or could break parsers: brackets and fullwidth look-alikes
# (urlsplit's IPv6 and NFKC checks), controls, bidi overrides, zero-width joiners.
_TRICKY = "[]@:/?#%\\ \t\n\r\x00\x1b\x7f\x85\u00a0\u200b\u200d\u202e\u2066\u2069\ufeff＃／？＠℀ﬀ"
tricky_text = st.text(st.sampled_from(_TRICKY) | st.characters(), max_size=60)
wire_text = st.text(st.sampled_from(_TRICKY) | st.characters(blacklist_categories=("Cs",)), max_size=60)  # UTF-8


def _urls(rest: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    schemes = st.sampled_from(["http://", "https://", "HTTP://", "http:", "ftp://", "javascript:", "", " https://"])
    return st.builds(lambda scheme, tail: scheme + tail, schemes, rest)


url_like = _urls(tricky_text)
wire_url = _urls(wire_text)


def _record() -> BoothRecord:
    return BoothRecord("b01", "p")


@dataclass(frozen=True)
class _Visitor:
    """What ``Room.join`` reads of the person joining."""

    user_id: str = "u"
    name: str = "U"
    color: int = 0x336699
    role: str = "guest"
    company: str = ""


# --- booth content --------------------------------------------------------------------


@FUZZ
@given(url_like | st.text())
def test_check_url_returns_a_splittable_http_url_or_raises_booth_rule_error(value: str) -> None:
    try:
        url = check_url(value, "logo")
    except BoothRuleError as exc:
        assert exc.field == "logo"
        return
    if url:
        parts = urlsplit(url)
        assert parts.scheme in ("http", "https") and parts.hostname
        assert not any(c.isspace() for c in url)


links = st.lists(st.builds(M.Link, label=tricky_text, url=url_like), max_size=3)
products = st.lists(st.builds(M.Product, name=tricky_text, description=tricky_text, price=tricky_text,
                              image=url_like, url=url_like), max_size=3)
patches = st.builds(
    M.BoothPatch,
    name=st.none() | tricky_text, tagline=st.none() | tricky_text, description=st.none() | tricky_text,
    logo=st.none() | url_like, image=st.none() | url_like, video=st.none() | url_like,
    links=st.none() | links.map(tuple), products=st.none() | products.map(tuple),
)


@FUZZ
@given(patches)
def test_apply_patch_on_any_patch_gives_content_or_a_booth_rule_error(patch: M.BoothPatch) -> None:
    try:
        content = apply_patch(_record(), patch)
    except BoothRuleError as exc:
        assert exc.field and exc.problem
        return
    for text in (content.name, content.tagline, *(lk.label for lk in content.links), *(p.name for p in content.products)):
        assert "\x00" not in text and "\u202e" not in text
    for url in (content.logo, content.image, content.video, *(lk.url for lk in content.links)):
        assert url == "" or urlsplit(url).scheme in ("http", "https")


json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**64 - 1) | st.floats() | wire_text | wire_url,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(wire_text, inner, max_size=4),
    max_leaves=12,
)
content_keys = st.sampled_from(["name", "tagline", "description", "logo", "image", "video", "links", "products"])


@FUZZ
@given(st.dictionaries(content_keys, json_like | wire_url | st.lists(
    st.fixed_dictionaries({"label": wire_text, "url": wire_url, "name": wire_text, "image": wire_url}), max_size=3)))
def test_a_booth_edit_frame_of_any_content_is_refused_by_the_codec_or_the_booth_rules(content: dict[str, object]) -> None:
    frame = msgspec.msgpack.encode({"t": "booth_edit", "booth": "b01", "content": content, "id": 1})
    try:
        msg = decode_client(frame)
    except ProtocolError:
        return
    assert isinstance(msg, M.BoothEdit)
    try:
        apply_patch(_record(), msg.content)
    except BoothRuleError:
        pass


# --- chat -----------------------------------------------------------------------------


@FUZZ
@given(tricky_text | st.text(max_size=600))
def test_chat_text_is_cleaned_or_refused_with_chat_rule_error(text: str) -> None:
    try:
        out = clean_chat(text)
    except ChatRuleError as exc:
        assert exc.code == "invalid"
        return
    assert out and out == out.strip()


@FUZZ
@given(tricky_text, st.none() | tricky_text)
def test_any_chat_channel_is_accepted_or_refused_with_chat_rule_error(channel: str, booth_id: str | None) -> None:
    try:
        check_channel(channel, booth_id)
    except ChatRuleError:
        pass


# --- the room: spawn ids, emote names, facings ------------------------------------------------

_ROOM = Room("fuzz", square_park(park_id="fuzz", booths=(booth("b01", -20.0, 0.0),)))


@FUZZ
@given(st.none() | tricky_text | st.sampled_from(["s1", "s2", ""]), tricky_text, st.integers(0, 2**31))
def test_join_with_any_spawn_id_and_any_emote_name(spawn: str | None, emote: str, seed: int) -> None:
    try:
        eid = _ROOM.join(_Visitor(), spawn, random.Random(seed))  # type: ignore[arg-type]
    except UnknownSpawn:
        assert spawn is not None and spawn != "s1"
        return
    try:
        assert _ROOM.set_emote(eid, emote) in (True, False)
    finally:
        _ROOM.leave(eid)


@given(st.floats())
def test_any_facing_wraps_to_a_finite_angle(yaw: float) -> None:
    out = wrap_yaw(yaw)
    assert math.isfinite(out) and -math.pi <= out <= math.pi


# --- scene files and layouts ----------------------------------------------------------------

_LAYOUT = square_park(booths=(booth("b01", -20.0, 0.0),)).to_dict()


def _glb(doc: object) -> bytes:
    body = json.dumps(doc).encode()
    body += b" " * (-len(body) % 4)
    return struct.pack("<4sII", b"glTF", 2, 20 + len(body)) + struct.pack("<II", len(body), 0x4E4F534A) + body


@st.composite
def damaged_layouts(draw: st.DrawFn) -> object:
    """The real layout with a few values replaced by anything JSON can hold."""
    data = json.loads(json.dumps(_LAYOUT))
    for _ in range(draw(st.integers(1, 4))):
        node: object = data
        path = []
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
            path.append(key)
            node = node[key]  # type: ignore[index]
        if not path:
            continue
        parent: object = data
        for key in path[:-1]:
            parent = parent[key]  # type: ignore[index]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_like)  # type: ignore[index]
    return data


@FUZZ
@given(damaged_layouts() | json_like)
def test_a_damaged_layout_raises_layout_error(data: object) -> None:
    try:
        ParkLayout.from_dict(data)  # type: ignore[arg-type]
    except LayoutError:
        pass


@FUZZ
@given(st.binary(max_size=200) | damaged_layouts().map(lambda d: _glb({"scene": 0, "scenes": [{"extras": {"cloudpark": d}}]}))
       | json_like.map(lambda d: _glb({"scene": 0, "scenes": d})) | json_like.map(_glb))
def test_any_glb_bytes_raise_glb_error_or_layout_error(data: bytes) -> None:
    try:
        read_glb(data)
        layout_from_glb(data)
    except (GlbError, LayoutError):
        pass


# --- the park catalogue -----------------------------------------------------------------------

_CATALOGUE_FILE = sorted(DEFAULT_CATALOGUE_DIR.glob("*.toml"))[0]
_CATALOGUE_LINES = _CATALOGUE_FILE.read_text(encoding="utf-8").splitlines()
toml_values = st.sampled_from(['""', '"x"', "0", "-1", "1e309", "nan", "true", "[]", "[1, \"a\"]", "{}",
                               "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27", '"\\u202e"', "{ a = 1 }"])


@st.composite
def damaged_catalogue_files(draw: st.DrawFn) -> str:
    lines = list(_CATALOGUE_LINES)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        if "=" in line and draw(st.booleans()):
            lines[i] = line.split("=", 1)[0] + "= " + draw(toml_values)
        elif draw(st.booleans()):
            del lines[i]
        else:
            lines.insert(i, draw(st.text(max_size=30)))
        if not lines:
            break
    return "\n".join(lines)


@FUZZ
@given(damaged_catalogue_files() | st.text(max_size=200))
def test_a_damaged_catalogue_file_raises_catalogue_error(text: str) -> None:
    try:
        parse_park("x.toml", text)
    except CatalogueError:
        pass


def test_the_fuzzed_samples_start_from_valid_inputs() -> None:
    assert ParkLayout.from_dict(_LAYOUT).park_id == "test-park"
    assert layout_from_glb(_glb({"scene": 0, "scenes": [{"extras": {"cloudpark": _LAYOUT}}]})).park_id == "test-park"
    assert parse_park(_CATALOGUE_FILE.name, "\n".join(_CATALOGUE_LINES)).id
    assert decode_client(encode(M.BoothEdit(booth="b01", content=M.BoothPatch(logo="https://a.example/"))))
    with pytest.raises(BoothRuleError):
        check_url("http://[", "logo")
