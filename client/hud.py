"""The 2D overlay (DirectGUI): status, park list, booth panel, chat, minimap, progress.

It only draws what ``Visit`` holds and calls back into the app for actions; it never
touches the network.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from direct.gui.DirectGui import (
    DGG,
    DirectButton,
    DirectCheckButton,
    DirectEntry,
    DirectFrame,
    DirectLabel,
    DirectWaitBar,
)
from panda3d.core import PNMImage, StringStream, TextNode, Texture

from client.visit import Visit
from world.layout import ParkLayout

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
PANEL = (0.08, 0.1, 0.14, 0.88)
MAP_SIZE = 0.5  # aspect2d units


def load_font(loader: object) -> object | None:
    for path in CJK_FONTS:
        if path.exists():
            font = loader.loadFont(str(path))  # type: ignore[attr-defined]
            if font is not None and font.isValid():
                font.setPixelsPerUnit(48)
                TextNode.setDefaultFont(font)
                return font
    return None


def minimap_texture(layout: ParkLayout, px: int = 256) -> Texture:
    """The park from above: walkable ground, buildings, booths, stage, spaces."""
    from PIL import Image, ImageDraw

    scale = px / max(layout.width, layout.depth)

    def to_px(p: tuple[float, float]) -> tuple[float, float]:
        return (px / 2 + p[0] * scale, px / 2 - p[1] * scale)

    img = Image.new("RGBA", (px, px), (40, 44, 52, 220))
    draw = ImageDraw.Draw(img)
    for region in layout.walkable:
        draw.polygon([to_px(p) for p in region.outer], fill=(150, 160, 150, 255))
        for hole in region.holes:
            draw.polygon([to_px(p) for p in hole], fill=(70, 74, 84, 255))
    for space in layout.spaces:
        draw.polygon([to_px(p) for p in space.footprint], outline=(90, 170, 255, 255))
    draw.polygon([to_px(p) for p in layout.stage.audience], fill=(240, 200, 60, 160))
    for booth in layout.booths:
        x, y = to_px((booth.x, booth.y))
        draw.rectangle((x - 2, y - 2, x + 2, y + 2), fill=(230, 90, 60, 255))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    image = PNMImage()
    image.read(StringStream(buf.getvalue()))
    tex = Texture("minimap")
    tex.load(image)
    return tex


class Hud:
    def __init__(self, base: object, visit: Visit, on_park: Callable[[str], None],
                 on_chat: Callable[[str, str], None], on_like: Callable[[], None],
                 on_card: Callable[[str, str, bool], None], on_emote: Callable[[str], None]) -> None:
        self.base = base
        self.visit = visit
        self.on_park, self.on_chat, self.on_like, self.on_card = on_park, on_chat, on_like, on_card
        a2d = base.aspect2d  # type: ignore[attr-defined]
        self.status = DirectLabel(parent=base.a2dTopLeft, text="connecting", text_scale=0.045,  # type: ignore[attr-defined]
                                  text_align=TextNode.ALeft, pos=(0.04, 0, -0.07), frameColor=(0, 0, 0, 0),
                                  text_fg=(1, 1, 1, 1), text_shadow=(0, 0, 0, 1))
        self.switch = DirectButton(parent=base.a2dTopRight, text="Parks", text_scale=0.045,  # type: ignore[attr-defined]
                                   pos=(-0.16, 0, -0.08), command=self.toggle_parks, frameColor=PANEL,
                                   text_fg=(1, 1, 1, 1), pad=(0.02, 0.01))
        self.parks_frame: DirectFrame | None = None
        self.progress = DirectWaitBar(parent=a2d, text="", value=0, range=100, pos=(0, 0, -0.1),
                                      scale=(0.6, 1, 0.04), barColor=(0.3, 0.7, 1, 1), frameColor=PANEL)
        self.progress_label = DirectLabel(parent=a2d, text="", text_scale=0.05, pos=(0, 0, 0),
                                          frameColor=(0, 0, 0, 0), text_fg=(1, 1, 1, 1))
        self.hide_progress()
        # chat
        self.channel = "near"
        self.chat_lines = DirectLabel(parent=base.a2dBottomLeft, text="", text_scale=0.038,  # type: ignore[attr-defined]
                                      text_align=TextNode.ALeft, pos=(0.04, 0, 0.5), frameColor=(0, 0, 0, 0),
                                      text_fg=(1, 1, 1, 1), text_shadow=(0, 0, 0, 1))
        self.chat_channel = DirectButton(parent=base.a2dBottomLeft, text="near", text_scale=0.04,  # type: ignore[attr-defined]
                                         pos=(0.1, 0, 0.06), command=self.cycle_channel, frameColor=PANEL,
                                         text_fg=(1, 1, 1, 1), pad=(0.02, 0.01))
        self.chat_entry = DirectEntry(parent=base.a2dBottomLeft, scale=0.04, width=22, pos=(0.2, 0, 0.05),  # type: ignore[attr-defined]
                                      command=self._send_chat, focus=0, frameColor=PANEL, text_fg=(1, 1, 1, 1),
                                      initialText="", numLines=1)
        # booth panel
        self.booth_frame: DirectFrame | None = None
        self.booth_key: tuple[object, ...] | None = None
        self.card_frame: DirectFrame | None = None
        # minimap
        self.map_frame: DirectFrame | None = None
        self.map_dot: DirectFrame | None = None
        self.map_layout: ParkLayout | None = None
        self.notice = DirectLabel(parent=a2d, text="", text_scale=0.05, pos=(0, 0, 0.85),
                                  frameColor=(0, 0, 0, 0), text_fg=(1, 0.95, 0.6, 1), text_shadow=(0, 0, 0, 1))
        self.emotes = [
            DirectButton(parent=base.a2dBottomRight, text=name, text_scale=0.035, pos=(-0.6 + i * 0.11, 0, 0.05),  # type: ignore[attr-defined]
                         command=on_emote, extraArgs=[name], frameColor=PANEL, text_fg=(1, 1, 1, 1),
                         pad=(0.01, 0.01))
            for i, name in enumerate(("wave", "clap", "cheer", "dance", "sit"))
        ]

    # --- loading -------------------------------------------------------------------

    def show_progress(self, label: str, fraction: float) -> None:
        self.progress.show()
        self.progress_label.show()
        self.progress["value"] = max(0.0, min(1.0, fraction)) * 100
        self.progress_label["text"] = label

    def hide_progress(self) -> None:
        self.progress.hide()
        self.progress_label.hide()

    # --- parks ---------------------------------------------------------------------

    def toggle_parks(self) -> None:
        if self.parks_frame is not None:
            self.parks_frame.destroy()
            self.parks_frame = None
        else:
            self.show_parks(start=False)

    def show_parks(self, start: bool) -> None:
        if self.parks_frame is not None:
            self.parks_frame.destroy()
        parks = sorted(self.visit.parks, key=lambda p: (-p.online, p.id))
        rows = min(len(parks), 16)
        height = 0.2 + rows * 0.09
        self.parks_frame = f = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL,  # type: ignore[attr-defined]
                                           frameSize=(-0.9, 0.9, -height / 2, height / 2))
        DirectLabel(parent=f, text="选择园区 · Choose a park" if start else "Switch park", text_scale=0.06,
                    pos=(0, 0, height / 2 - 0.08), frameColor=(0, 0, 0, 0), text_fg=(1, 1, 1, 1))
        for i, p in enumerate(parks[:rows]):
            DirectButton(parent=f, text=f"{p.name_zh}  ·  {p.name_en}   ({p.online} online)",
                         text_scale=0.042, text_align=TextNode.ALeft, pos=(-0.84, 0, height / 2 - 0.18 - i * 0.09),
                         command=self._pick, extraArgs=[p.id], frameColor=(0.2, 0.25, 0.35, 1),
                         text_fg=(1, 1, 1, 1), pad=(0.02, 0.01), relief=DGG.FLAT)

    def _pick(self, park_id: str) -> None:
        if self.parks_frame is not None:
            self.parks_frame.destroy()
            self.parks_frame = None
        self.on_park(park_id)

    # --- booth panel -----------------------------------------------------------------

    def sync_booth(self) -> None:
        b = self.visit.booth
        key = None if b is None else (b.id, b.content, b.likes, b.liked, tuple(b.staff))
        if key == self.booth_key:
            return
        self.booth_key = key
        if self.booth_frame is not None:
            self.booth_frame.destroy()
            self.booth_frame = None
        if b is None:
            self.close_card()
            return
        c = b.content
        f = self.booth_frame = DirectFrame(parent=self.base.a2dRightCenter, frameColor=PANEL,  # type: ignore[attr-defined]
                                           frameSize=(-1.0, -0.04, -0.75, 0.45))
        lines = [c.tagline, "", _wrap(c.description, 52)]
        if c.image:
            lines += ["", f"[image] {c.image[:60]}"]
        if c.products:
            lines += ["", "Products:"] + [f" - {p.name} {p.price}".rstrip() for p in c.products[:6]]
        lines += ["", "Staff on duty: " + (", ".join(b.staff) if b.staff else "none right now"),
                  f"Likes: {b.likes}" + ("  (you liked this)" if b.liked else "")]
        DirectLabel(parent=f, text=c.name or b.id, text_scale=0.06, text_align=TextNode.ALeft,
                    pos=(-0.96, 0, 0.36), frameColor=(0, 0, 0, 0), text_fg=(1, 0.85, 0.4, 1))
        DirectLabel(parent=f, text="\n".join(lines), text_scale=0.036, text_align=TextNode.ALeft,
                    pos=(-0.96, 0, 0.27), frameColor=(0, 0, 0, 0), text_fg=(1, 1, 1, 1))
        for i, (label, cmd) in enumerate((("Like", self.on_like), ("Leave my card", self.open_card),
                                          ("Chat with staff", self._chat_staff))):
            DirectButton(parent=f, text=label, text_scale=0.034, pos=(-0.86 + i * 0.3, 0, -0.68),
                         command=cmd, frameColor=(0.2, 0.45, 0.8, 1), text_fg=(1, 1, 1, 1), pad=(0.02, 0.015))

    def open_card(self) -> None:
        """The consent step: nothing is sent until the box is ticked and Send pressed."""
        self.close_card()
        f = self.card_frame = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL,  # type: ignore[attr-defined]
                                          frameSize=(-0.7, 0.7, -0.35, 0.35))
        DirectLabel(parent=f, text="Leave your business card", text_scale=0.05, pos=(0, 0, 0.26),
                    frameColor=(0, 0, 0, 0), text_fg=(1, 1, 1, 1))
        name = DirectEntry(parent=f, scale=0.045, width=20, pos=(-0.45, 0, 0.12), initialText=self.visit.name,
                           frameColor=(0.2, 0.2, 0.25, 1), text_fg=(1, 1, 1, 1))
        email = DirectEntry(parent=f, scale=0.045, width=20, pos=(-0.45, 0, 0.02), initialText="",
                            frameColor=(0.2, 0.2, 0.25, 1), text_fg=(1, 1, 1, 1))
        DirectLabel(parent=f, text="name", text_scale=0.04, pos=(-0.55, 0, 0.13), frameColor=(0, 0, 0, 0),
                    text_fg=(1, 1, 1, 1))
        DirectLabel(parent=f, text="email", text_scale=0.04, pos=(-0.55, 0, 0.03), frameColor=(0, 0, 0, 0),
                    text_fg=(1, 1, 1, 1))
        consent = DirectCheckButton(parent=f, text="I agree to share these details with this enterprise",
                                    text_scale=0.035, scale=1, pos=(0, 0, -0.1), boxPlacement="left",
                                    frameColor=(0, 0, 0, 0), text_fg=(1, 1, 1, 1))
        DirectButton(parent=f, text="Send", text_scale=0.045, pos=(-0.15, 0, -0.25), frameColor=(0.2, 0.45, 0.8, 1),
                     text_fg=(1, 1, 1, 1), pad=(0.03, 0.015),
                     command=lambda: self._send_card(name.get(), email.get(), bool(consent["indicatorValue"])))
        DirectButton(parent=f, text="Cancel", text_scale=0.045, pos=(0.15, 0, -0.25), frameColor=(0.4, 0.4, 0.45, 1),
                     text_fg=(1, 1, 1, 1), pad=(0.03, 0.015), command=self.close_card)

    def _send_card(self, name: str, email: str, consent: bool) -> None:
        if not consent:
            self.visit.notices.append("Tick the consent box to send your card")
            return
        self.on_card(name, email, consent)
        self.close_card()

    def close_card(self) -> None:
        if self.card_frame is not None:
            self.card_frame.destroy()
            self.card_frame = None

    def _chat_staff(self) -> None:
        self.channel = "booth"
        self.chat_channel["text"] = "booth"
        self.chat_entry["focus"] = 1

    # --- chat ----------------------------------------------------------------------

    def cycle_channel(self) -> None:
        order = ["near", "park"] + (["booth"] if self.visit.booth else [])
        self.channel = order[(order.index(self.channel) + 1) % len(order)] if self.channel in order else "near"
        self.chat_channel["text"] = self.channel

    def _send_chat(self, text: str) -> None:
        self.on_chat(self.channel, text)
        self.chat_entry.enterText("")
        self.chat_entry["focus"] = 0

    @property
    def typing(self) -> bool:
        return bool(self.chat_entry["focus"]) or self.card_frame is not None

    # --- minimap -------------------------------------------------------------------

    def set_map(self, layout: ParkLayout) -> None:
        if self.map_frame is not None:
            self.map_frame.destroy()
        self.map_layout = layout
        self.map_frame = DirectFrame(parent=self.base.a2dTopRight, image=minimap_texture(layout),  # type: ignore[attr-defined]
                                     image_scale=MAP_SIZE / 2, pos=(-MAP_SIZE / 2 - 0.03, 0, -MAP_SIZE / 2 - 0.16),
                                     frameColor=(0, 0, 0, 0))
        self.map_dot = DirectFrame(parent=self.map_frame, frameColor=(0.2, 1, 0.3, 1),
                                   frameSize=(-0.012, 0.012, -0.012, 0.012))

    # --- per frame -----------------------------------------------------------------

    def update(self, x: float | None, y: float | None, fps: float) -> None:
        v = self.visit
        park = v.joined.park if v.joined else (v.want_park or "-")
        info = v.park_info(park)
        title = f"{info.name_zh} · {info.name_en}" if info else park
        others = len(v.crowd.tracks) if v.crowd else 0
        self.status["text"] = (f"{v.status}  |  {title}  |  {v.online()} online, {others} near  |  "
                               f"{fps:.0f} fps")
        self.chat_lines["text"] = "\n".join(f"[{c.ch}] {c.name}: {c.text}" for c in list(v.chat)[-8:])
        self.notice["text"] = v.notices[-1] if v.notices else ""
        if self.map_layout is not None and self.map_dot is not None and x is not None and y is not None:
            scale = MAP_SIZE / max(self.map_layout.width, self.map_layout.depth)
            self.map_dot.setPos(x * scale, 0, y * scale)
        self.sync_booth()


def _wrap(text: str, width: int) -> str:
    out: list[str] = []
    for para in text.splitlines() or [""]:
        line = ""
        for word in para.split(" "):
            if len(line) + len(word) + 1 > width and line:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        out.append(line)
    return "\n".join(out[:12])
