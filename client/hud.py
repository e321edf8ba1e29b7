"""The 2D overlay (DirectGUI): status, park list, booth panel, chat, minimap, progress, help,
and the sign-in panel (a one-time code from the web console).

It only draws what ``Visit`` holds and calls back into the app for actions; it never
touches the network. Every word comes from the catalogue (``client.*`` keys) in
``Visit.lang``; ``relabel()`` redraws everything after a language switch.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from direct.gui.DirectGui import (
    DGG,
    DirectButton,
    DirectEntry,
    DirectFrame,
    DirectLabel,
    DirectWaitBar,
)
from panda3d.core import Filename, PNMImage, SamplerState, StringStream, TextNode, Texture

from client.booth_image import BoothImages
from client.texts import Notice, load_texts, say
from client.visit import Visit
from world.i18n import Texts
from world.layout import ParkLayout
from world.protocol import messages as M

CJK_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
# one style everywhere: flat dark translucent panels, flat buttons, light text
PANEL = (0.05, 0.07, 0.1, 0.78)
BUTTON = (0.17, 0.21, 0.28, 0.95)
ACCENT = (0.16, 0.45, 0.82, 1.0)
FIELD = (0.12, 0.14, 0.19, 1.0)
TEXT = (0.95, 0.96, 0.98, 1.0)
MUTED = (0.66, 0.71, 0.78, 1.0)
GOLD = (1.0, 0.84, 0.45, 1.0)
SKY = (0.62, 0.82, 1.0, 1.0)
WARN = (1.0, 0.62, 0.55, 1.0)
CLEAR = (0, 0, 0, 0)
MARGIN = 0.03
MAP_SIZE = 0.44  # aspect2d units
MAP_TOP = 0.14  # below the Parks button
BOOTH_W = 1.0
EMOTES = ("wave", "clap", "cheer", "dance", "sit")
CHANNELS = ("near", "park", "booth")
EMOTE_W = 0.2


def load_font(loader: object, window_height: int = 720) -> object | None:
    """A CJK-capable font as the default (park names are Chinese); None keeps Panda3D's."""
    for path in CJK_FONTS:
        if path.exists():
            font = loader.loadFont(str(path))  # type: ignore[attr-defined]
            if font is not None and font.isValid():
                # glyphs rendered near the size they are shown, so small text stays crisp
                font.setPixelsPerUnit(max(24, min(64, round(window_height * 0.045))))
                font.setMinfilter(SamplerState.FT_linear)
                font.setMagfilter(SamplerState.FT_linear)
                TextNode.setDefaultFont(font)
                return font
    return None


def text_size(text: str, scale: float, wrap: float | None = None) -> tuple[float, float]:
    """(width, height) of ``text`` at ``scale`` in the default font, wrapped at ``wrap`` units."""
    tn = TextNode("measure")
    if wrap:
        tn.setWordwrap(wrap / scale)
    tn.setText(text)
    rows = max(1, tn.getNumRows())
    return tn.getWidth() * scale, rows * tn.getLineHeight() * scale


def button(parent: object, text: str, command: Callable[..., None], pos: tuple[float, float],
           scale: float = 0.04, width: float | None = None, color: tuple[float, ...] = BUTTON,
           extra: list[object] | None = None, align: int = TextNode.ACenter) -> DirectButton:
    """A flat button whose frame is always wider than its label (padding on both sides)."""
    w = max(width or 0.0, text_size(text, scale)[0] + 2.2 * scale)
    h = 1.9 * scale
    left = -w / 2 if align == TextNode.ACenter else -0.8 * scale
    text_x = 0.0 if align == TextNode.ACenter else 0.0
    return DirectButton(parent=parent, text=text, text_scale=scale, text_fg=TEXT, text_align=align,
                        text_pos=(text_x, -0.32 * scale), relief=DGG.FLAT, frameColor=color,
                        frameSize=(left, left + w, -h / 2, h / 2), pos=(pos[0], 0, pos[1]),
                        command=command, extraArgs=extra or [], pressEffect=1)


def label(parent: object, text: str, pos: tuple[float, float], scale: float = 0.036,
          fg: tuple[float, ...] = TEXT, wrap: float | None = None, align: int = TextNode.ALeft) -> DirectLabel:
    """Text whose top edge is at ``pos`` (y), wrapped at ``wrap`` units when given."""
    return DirectLabel(parent=parent, text=text, text_scale=scale, text_fg=fg, text_align=align,
                       text_wordwrap=(wrap / scale) if wrap else None, frameColor=CLEAR,
                       pos=(pos[0], 0, pos[1] - 0.92 * scale), relief=None)


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
                 on_card: Callable[[str, str, bool], None], on_emote: Callable[[str], None],
                 images: BoothImages | None = None, texts: Texts | None = None,
                 on_lang: Callable[[], None] | None = None, on_code: Callable[[str], None] | None = None) -> None:
        self.base = base
        self.visit = visit
        self.images = images
        self.texts = texts or load_texts()
        self.lang = visit.lang  # the language the widgets are drawn in
        self.on_park, self.on_chat, self.on_like, self.on_card = on_park, on_chat, on_like, on_card
        self.on_emote = on_emote
        self.on_lang = on_lang or (lambda: None)
        self.on_code = on_code or (lambda _code: None)
        b = base
        a2d = b.aspect2d  # type: ignore[attr-defined]
        # status, top left: the park's name, then connection and counts
        self.status_frame = DirectFrame(parent=b.a2dTopLeft, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                        frameSize=(0, 1.0, -0.165, 0), pos=(MARGIN, 0, -MARGIN))
        self.title = label(self.status_frame, self.t("client.title"), (0.03, -0.025), 0.05, TEXT)
        self.status = label(self.status_frame, self.t("client.status.connecting"), (0.03, -0.1), 0.034, MUTED)
        self._status_key: tuple[str, str] | None = None
        # top right: park switcher, minimap under it; help and language beside it (_chrome)
        self.switch: DirectButton | None = None
        self.lang_button: DirectButton | None = None
        self.help_button: DirectButton | None = None
        self.help_frame: DirectFrame | None = None
        self.code_button: DirectButton | None = None
        self.code_frame: DirectFrame | None = None
        self.code_entry: DirectEntry | None = None
        self.code_key: tuple[object, ...] | None = None
        self.code_line = ""  # the sign-in panel's state line (signing in, or why a code was refused)
        self.parks_frame: DirectFrame | None = None
        self.parks_start = False
        self.progress = DirectWaitBar(parent=a2d, text="", value=0, range=100, pos=(0, 0, -0.1),
                                      scale=(0.6, 1, 0.04), barColor=ACCENT, frameColor=PANEL, relief=DGG.FLAT,
                                      barRelief=DGG.FLAT)
        self.progress_label = DirectLabel(parent=a2d, text="", text_scale=0.05, pos=(0, 0, 0), relief=None,
                                          text_fg=TEXT, text_shadow=(0, 0, 0, 1))
        self.hide_progress()
        # chat, bottom left: recent lines above the channel button and the entry
        self.channel = "near"
        self.chat_lines = DirectLabel(parent=b.a2dBottomLeft, text="", text_scale=0.034,  # type: ignore[attr-defined]
                                      text_align=TextNode.ALeft, pos=(MARGIN + 0.02, 0, 0.4), relief=None,
                                      text_fg=TEXT, text_shadow=(0, 0, 0, 0.9), text_wordwrap=0.95 / 0.034)
        self.chat_channel: DirectButton | None = None
        self.chat_entry = DirectEntry(parent=b.a2dBottomLeft, scale=0.036, width=22,  # type: ignore[attr-defined]
                                      pos=(MARGIN + 0.2, 0, MARGIN + 0.028), command=self._send_chat, focus=0,
                                      frameColor=PANEL, relief=DGG.FLAT, text_fg=TEXT, initialText="", numLines=1,
                                      frameSize=(-0.3, 22.3, -0.45, 1.05))
        # booth panel, right, under the minimap
        self.booth_frame: DirectFrame | None = None
        self.booth_key: tuple[object, ...] | None = None
        self.booth_lines: list[str] = []
        self.card_frame: DirectFrame | None = None
        self.consent = False  # the card form's tick box
        self.map_frame: DirectFrame | None = None
        self.map_dot: DirectFrame | None = None
        self.map_layout: ParkLayout | None = None
        self.notice = DirectLabel(parent=b.a2dTopCenter, text="", text_scale=0.042, pos=(0, 0, -0.3),  # type: ignore[attr-defined]
                                  relief=None, text_fg=(1, 0.95, 0.6, 1), text_shadow=(0, 0, 0, 1),
                                  text_wordwrap=1.4 / 0.042)
        # emotes, bottom centre: one flat bar of equal buttons (key number and name)
        n = len(EMOTES)
        self.emote_bar = DirectFrame(parent=b.a2dBottomCenter, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                     frameSize=(-(n * EMOTE_W) / 2 - 0.02, (n * EMOTE_W) / 2 + 0.02, 0, 0.1),
                                     pos=(0, 0, MARGIN - 0.01))
        self.emotes: list[DirectButton] = []
        self._chrome()

    # --- words ---------------------------------------------------------------------

    def t(self, key: str, **params: object) -> str:
        """The catalogue's text for ``key`` in the language the HUD is drawn in."""
        return self.texts.translate(self.lang, key, **params)

    def say(self, notice: Notice) -> str:
        return say(self.texts, self.lang, notice)

    def park_name(self, park: M.ParkInfo) -> str:
        return self.t("client.park.name", zh=park.name_zh, en=park.name_en)

    def _chrome(self) -> None:
        """The buttons whose labels are words: built again after a language switch."""
        b = self.base
        for old in (self.switch, self.lang_button, self.help_button, self.code_button, self.chat_channel,
                    *self.emotes):
            if old is not None:
                old.destroy()
        top = -MARGIN - 0.04
        self.switch = button(b.a2dTopRight, self.t("client.parks.button"), self.toggle_parks,  # type: ignore[attr-defined]
                             (-MARGIN - 0.1, top), 0.04, width=0.2)
        lang_text = self.t("client.lang.switch")
        lang_w = max(0.2, text_size(lang_text, 0.036)[0] + 0.08)
        x = -MARGIN - 0.2 - 0.02 - lang_w / 2
        self.lang_button = button(b.a2dTopRight, lang_text, self.on_lang, (x, top), 0.036,  # type: ignore[attr-defined]
                                  width=lang_w)
        help_text = self.t("client.help.button")
        help_w = max(0.16, text_size(help_text, 0.036)[0] + 0.08)
        x -= lang_w / 2 + 0.02 + help_w / 2
        self.help_button = button(b.a2dTopRight, help_text, self.toggle_help, (x, top), 0.036,  # type: ignore[attr-defined]
                                  width=help_w)
        code_text = self.t("client.code.button")
        code_w = max(0.2, text_size(code_text, 0.036)[0] + 0.08)
        x -= help_w / 2 + 0.02 + code_w / 2
        self.code_button = button(b.a2dTopRight, code_text, self.toggle_code, (x, top), 0.036,  # type: ignore[attr-defined]
                                  width=code_w)
        self.chat_channel = button(b.a2dBottomLeft, self.t(f"client.chat.{self.channel}"),  # type: ignore[attr-defined]
                                   self.cycle_channel, (MARGIN + 0.085, MARGIN + 0.04), 0.036, width=0.17)
        n = len(EMOTES)
        self.emotes = [
            button(self.emote_bar, self.t("client.emote.button", n=i + 1, name=self.t(f"client.emote.{name}")),
                   self.on_emote, (-(n - 1) * EMOTE_W / 2 + i * EMOTE_W, 0.05),
                   0.032, width=EMOTE_W - 0.015, extra=[name])
            for i, name in enumerate(EMOTES)
        ]

    def relabel(self) -> None:
        """Draw every word again in ``Visit.lang`` (the open panels stay open)."""
        self.lang = self.visit.lang
        self._chrome()
        self._status_key = None
        self.booth_key = None
        if self.parks_frame is not None:
            self.show_parks(self.parks_start)
        if self.help_frame is not None:
            self.show_help()
        if self.card_frame is not None:
            self.open_card(*self._card_values, consent=self.consent)
        if self.code_frame is not None:
            self.show_code()
        self.progress_label["text"] = ""

    # --- help ----------------------------------------------------------------------

    HELP = ("move", "run", "look", "emotes", "chat", "booth", "parks", "lang", "code", "toggle")

    def toggle_help(self) -> None:
        if self.help_frame is not None:
            self.help_frame.destroy()
            self.help_frame = None
        else:
            self.show_help()

    def show_help(self) -> None:
        if self.help_frame is not None:
            self.help_frame.destroy()
        step, width = 0.075, 1.5
        height = 0.3 + len(self.HELP) * step
        f = self.help_frame = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                          frameSize=(-width / 2, width / 2, -height / 2, height / 2))
        label(f, self.t("client.help.title"), (0, height / 2 - 0.04), 0.05, GOLD, align=TextNode.ACenter)
        for i, key in enumerate(self.HELP):
            label(f, self.t(f"client.help.{key}"), (-width / 2 + 0.06, height / 2 - 0.15 - i * step), 0.034,
                  TEXT, wrap=width - 0.12)
        button(f, self.t("client.help.close"), self.toggle_help, (0, -height / 2 + 0.06), 0.038, width=0.3)

    # --- sign-in with a code ----------------------------------------------------------

    def toggle_code(self) -> None:
        if self.code_frame is not None:
            self.close_code()
        else:
            self.show_code()

    def _code_state(self) -> tuple[object, ...]:
        v = self.visit
        who = v.session.user.name if v.signed_in and v.session is not None else ""
        return (v.code, v.code_why, who)

    def show_code(self) -> None:
        """The sign-in panel: where to get a code, who you are now, the code field, and
        what became of the last code (the server's refusal in the catalogue's words)."""
        typed = self.code_entry.get() if self.code_entry is not None else ""
        if self.code_frame is not None:
            self.code_frame.destroy()
        self.code_key = self._code_state()
        state, why, who = self.code_key
        width, height = 1.4, 0.76
        inner = width - 0.12
        f = self.code_frame = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                          frameSize=(-width / 2, width / 2, -height / 2, height / 2))
        x0 = -width / 2 + 0.06
        y = height / 2 - 0.04
        label(f, self.t("client.code.title"), (0, y), 0.05, GOLD, align=TextNode.ACenter)
        y -= 0.1
        hint = self.t("client.code.hint")
        label(f, hint, (x0, y), 0.032, MUTED, wrap=inner)
        y -= text_size(hint, 0.032, inner)[1] + 0.03
        you = self.t("client.code.signed_in", name=who) if who else self.t("client.code.guest")
        label(f, you, (x0, y), 0.034, TEXT, wrap=inner)
        y -= text_size(you, 0.034, inner)[1] + 0.05
        label(f, self.t("client.code.field"), (x0, y - 0.012), 0.038, MUTED)
        field_x = x0 + max(0.22, text_size(self.t("client.code.field"), 0.038)[0] + 0.04)
        self.code_entry = DirectEntry(parent=f, scale=0.05, width=12, pos=(field_x, 0, y - 0.045),
                                      initialText=typed, command=self._submit_code, focus=1, numLines=1,
                                      frameColor=FIELD, relief=DGG.FLAT, text_fg=TEXT,
                                      frameSize=(-0.3, 12.3, -0.45, 1.05))
        y -= 0.14
        if state == "refused" and why:
            line, colour = self.t("client.code.refused", reason=self.t(str(why))), WARN
        elif state == "sending":
            line, colour = self.t("client.code.sending"), SKY
        else:
            line, colour = "", TEXT
        self.code_line = line
        if line:
            label(f, line, (x0, y), 0.036, colour, wrap=inner)
        self.code_submit = button(f, self.t("client.code.submit"),
                                  lambda: self._submit_code(self.code_entry.get()),  # type: ignore[union-attr]
                                  (-0.16, -height / 2 + 0.08), 0.042, width=0.26, color=ACCENT)
        button(f, self.t("client.code.close"), self.close_code, (0.16, -height / 2 + 0.08), 0.042, width=0.26)

    def _submit_code(self, typed: str) -> None:
        self.on_code(typed)
        self.show_code()  # "signing in ..." or what was wrong with it

    def close_code(self) -> None:
        if self.code_frame is not None:
            self.code_frame.destroy()
        self.code_frame, self.code_entry, self.code_key = None, None, None

    def _sync_code(self) -> None:
        if self.code_frame is None or self._code_state() == self.code_key:
            return
        if self.visit.code == "done":  # signed in as the code's person: the panel's work is done
            self.close_code()
        else:
            self.show_code()

    # --- loading -------------------------------------------------------------------

    def show_progress(self, label_text: str, fraction: float) -> None:
        self.progress.show()
        self.progress_label.show()
        self.progress["value"] = max(0.0, min(1.0, fraction)) * 100
        self.progress_label["text"] = label_text

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
        self.parks_start = start
        parks = sorted(self.visit.parks, key=lambda p: (-p.online, p.id))
        rows = min(len(parks), 14)
        step = 0.085
        height = 0.22 + max(rows, 1) * step
        self.parks_frame = f = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                           frameSize=(-0.9, 0.9, -height / 2, height / 2))
        label(f, self.t("client.parks.choose" if start else "client.parks.switch"), (0, height / 2 - 0.04), 0.055,
              GOLD, align=TextNode.ACenter)
        if not parks:
            label(f, self.t("client.parks.none"), (0, height / 2 - 0.15), 0.04, MUTED, align=TextNode.ACenter)
        for i, p in enumerate(parks[:rows]):
            button(f, self.t("client.parks.row", name=self.park_name(p), n=p.online), self._pick,
                   (-0.84, height / 2 - 0.17 - i * step), 0.04, width=1.68, extra=[p.id], align=TextNode.ALeft)

    def _pick(self, park_id: str) -> None:
        if self.parks_frame is not None:
            self.parks_frame.destroy()
            self.parks_frame = None
        self.on_park(park_id)

    # --- booth panel -----------------------------------------------------------------

    def _picture_urls(self) -> list[str]:
        b = self.visit.booth
        if b is None:
            return []
        return [u for u in (b.content.logo, b.content.image) if u]

    def images_settled(self) -> bool:
        return self.images is None or self.images.settled(self._picture_urls())

    def booth_texts(self) -> list[str]:
        """The panel's text, in order (what the headless tests read)."""
        return list(self.booth_lines)

    def sync_booth(self) -> None:
        b = self.visit.booth
        pics = tuple(self.images.state(u) for u in self._picture_urls()) if self.images else ()
        key = None if b is None else (b.id, b.owner, b.content, b.likes, b.liked, tuple(b.staff), pics)
        if key == self.booth_key:
            return
        self.booth_key = key
        if self.booth_frame is not None:
            self.booth_frame.destroy()
            self.booth_frame = None
        if b is None:
            self.booth_lines = []
            self.close_card()
            return
        self._draw_booth(b)

    def _draw_booth(self, b: M.BoothView) -> None:
        c = b.content
        top = -(MAP_TOP + MAP_SIZE + 0.04)
        bottom = -2.0 + MARGIN + 0.12
        w, pad = BOOTH_W, 0.035
        inner = w - 2 * pad
        f = self.booth_frame = DirectFrame(parent=self.base.a2dTopRight, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                           frameSize=(-w, 0, bottom - top, 0), pos=(-MARGIN, 0, top))
        f.setTransparency(True)
        x0 = -w + pad
        y = -pad
        lines: list[str] = []
        # header: logo, name (the title), the slot id and owner small
        text_x = x0
        if c.logo:
            self._picture(f, c.logo, (x0, y), 0.15, 0.15)
            text_x = x0 + 0.18
        title = c.name or self.t("client.booth.title", id=b.id)
        y_name = y - 0.005
        label(f, title, (text_x, y_name), 0.055, GOLD, wrap=inner - (text_x - x0))
        h = text_size(title, 0.055, inner - (text_x - x0))[1]
        sub = (self.t("client.booth.slot_owner", id=b.id, owner=b.owner) if b.owner and b.owner != c.name
               else self.t("client.booth.slot", id=b.id))
        label(f, sub, (text_x, y_name - h - 0.005), 0.03, MUTED)
        lines += [title, sub]
        y = min(y - 0.16 if c.logo else y, y_name - h - 0.05)
        buttons_top = bottom - top + 0.11
        if c.tagline:
            y = self._block(f, c.tagline, (x0, y - 0.015), 0.038, SKY, inner, buttons_top, lines)
        if c.image:
            pic_h = min(0.3, y - buttons_top - 0.2)
            if pic_h > 0.1:
                self._picture(f, c.image, (x0, y - 0.02), inner, pic_h)
                y -= pic_h + 0.04
        if c.description:
            y = self._block(f, c.description, (x0, y - 0.01), 0.032, TEXT, inner, buttons_top, lines, max_rows=5)
        if c.products:
            y = self._block(f, self.t("client.booth.products"), (x0, y - 0.02), 0.034, GOLD, inner, buttons_top,
                            lines)
            for p in c.products[:4]:
                item = (self.t("client.booth.product_price", name=p.name, price=p.price) if p.price
                        else self.t("client.booth.product", name=p.name))
                y = self._block(f, item, (x0 + 0.01, y - 0.005), 0.032, TEXT, inner - 0.01, buttons_top, lines,
                                max_rows=1)
        names = self.t("client.booth.staff_sep").join(b.staff) if b.staff else self.t("client.booth.staff_none")
        staff = self.t("client.booth.staff", names=names)
        y = self._block(f, staff, (x0, y - 0.02), 0.032, TEXT, inner, buttons_top, lines, max_rows=2)
        likes = self.t("client.booth.likes", n=b.likes) + (self.t("client.booth.liked") if b.liked else "")
        self._block(f, likes, (x0, y - 0.005), 0.032, MUTED, inner, buttons_top, lines)
        self.booth_lines = lines
        # actions: three equal flat buttons along the bottom
        gap = 0.02
        bw = (inner - 2 * gap) / 3
        for i, (text, cmd) in enumerate(((self.t("client.booth.like"), self.on_like),
                                         (self.t("client.booth.card"), self.open_card),
                                         (self.t("client.booth.chat"), self._chat_staff))):
            button(f, text, cmd, (x0 + bw / 2 + i * (bw + gap), bottom - top + 0.06), 0.032, width=bw,
                   color=ACCENT if i == 0 else BUTTON)

    def _block(self, parent: DirectFrame, text: str, pos: tuple[float, float], scale: float,
               fg: tuple[float, ...], wrap: float, floor: float, lines: list[str], max_rows: int = 3) -> float:
        """A wrapped text block from ``pos`` down, cut (with an ellipsis) to ``max_rows`` rows
        and to the space above ``floor``; returns the y under it."""
        line_h = text_size("Ag", scale)[1]
        rows_fit = int((pos[1] - floor) / line_h)
        rows = min(max_rows, rows_fit)
        if rows <= 0:
            return pos[1]
        shown = _cut(text, scale, wrap, rows)
        label(parent, shown, pos, scale, fg, wrap=wrap)
        lines.append(shown)
        return pos[1] - text_size(shown, scale, wrap)[1]

    def _picture(self, parent: DirectFrame, url: str, top_left: tuple[float, float], w: float, h: float) -> None:
        """The picture at ``url`` fitted into a w x h box (aspect kept), or a placeholder."""
        x, y = top_left
        st = self.images.state(url) if self.images else None
        pic = _texture(st.path) if st is not None and st.state == "ready" and st.path else None
        if pic is None:
            msg = self.t("client.image.loading" if st is not None and st.state == "loading"
                         else "client.image.unavailable")
            box = DirectFrame(parent=parent, frameColor=FIELD, relief=DGG.FLAT, frameSize=(0, w, -h, 0),
                              pos=(x, 0, y))
            if h >= 0.08:
                label(box, msg if w > 0.3 else self.t("client.image.none"), (w / 2, -h / 2 + 0.014), 0.028, MUTED,
                      align=TextNode.ACenter)
            return
        tex, aspect = pic
        pw, ph = (w, w / aspect) if w / aspect <= h else (h * aspect, h)
        frame = DirectFrame(parent=parent, image=tex, image_scale=(pw / 2, 1, ph / 2), relief=None,
                            pos=(x + pw / 2, 0, y - ph / 2))
        frame.setTransparency(True)

    def open_card(self, name: str | None = None, email: str = "", consent: bool = False) -> None:
        """The consent step: nothing is sent until the box is ticked and Send pressed."""
        self.close_card()
        self.consent = consent
        f = self.card_frame = DirectFrame(parent=self.base.aspect2d, frameColor=PANEL, relief=DGG.FLAT,  # type: ignore[attr-defined]
                                          frameSize=(-0.75, 0.75, -0.4, 0.4))
        label(f, self.t("client.card.title"), (0, 0.36), 0.05, GOLD, align=TextNode.ACenter)
        fields = []
        values = (self.visit.name if name is None else name, email)
        for i, (field_name, initial) in enumerate(zip((self.t("client.card.name"), self.t("client.card.email")),
                                                       values, strict=True)):
            yy = 0.18 - i * 0.12
            label(f, field_name, (-0.68, yy + 0.035), 0.038, MUTED)
            fields.append(DirectEntry(parent=f, scale=0.04, width=24, pos=(-0.42, 0, yy), initialText=initial,
                                      frameColor=FIELD, relief=DGG.FLAT, text_fg=TEXT,
                                      frameSize=(-0.3, 24.3, -0.45, 1.05)))
        self._card_fields = fields
        # the consent tick box: a flat toggle (a box mark and the sentence), off until clicked
        self.consent_button = button(f, "", self._toggle_consent, (0, -0.07), 0.034, width=1.36, color=FIELD)
        self._show_consent()
        button(f, self.t("client.card.send"),
               lambda: self._send_card(fields[0].get(), fields[1].get(), self.consent),
               (-0.16, -0.27), 0.042, width=0.26, color=ACCENT)
        button(f, self.t("client.card.cancel"), self.close_card, (0.16, -0.27), 0.042, width=0.26)

    def _toggle_consent(self) -> None:
        self.consent = not self.consent
        self._show_consent()

    def _show_consent(self) -> None:
        mark = "■" if self.consent else "□"
        self.consent_button["text"] = f"{mark}  {self.t('client.card.consent')}"

    @property
    def _card_values(self) -> tuple[str, str]:
        """What the visitor typed into the open card form (kept across a language switch)."""
        fields = getattr(self, "_card_fields", [])
        return (fields[0].get(), fields[1].get()) if len(fields) == 2 else (self.visit.name, "")

    def _send_card(self, name: str, email: str, consent: bool) -> None:
        if not consent:
            self.visit.notices.append(Notice.of("client.notice.consent_needed"))
            return
        self.on_card(name, email, consent)
        self.close_card()

    def close_card(self) -> None:
        if self.card_frame is not None:
            self.card_frame.destroy()
            self.card_frame = None

    def _chat_staff(self) -> None:
        self.channel = "booth"
        if self.chat_channel is not None:
            self.chat_channel["text"] = self.t("client.chat.booth")
        self.chat_entry["focus"] = 1

    # --- chat ----------------------------------------------------------------------

    def cycle_channel(self) -> None:
        order = ["near", "park"] + (["booth"] if self.visit.booth else [])
        self.channel = order[(order.index(self.channel) + 1) % len(order)] if self.channel in order else "near"
        if self.chat_channel is not None:
            self.chat_channel["text"] = self.t(f"client.chat.{self.channel}")

    def _send_chat(self, text: str) -> None:
        self.on_chat(self.channel, text)
        self.chat_entry.enterText("")
        self.chat_entry["focus"] = 0

    @property
    def typing(self) -> bool:
        return bool(self.chat_entry["focus"]) or self.card_frame is not None or self.code_frame is not None

    # --- minimap -------------------------------------------------------------------

    def set_map(self, layout: ParkLayout) -> None:
        if self.map_frame is not None:
            self.map_frame.destroy()
        self.map_layout = layout
        self.map_frame = DirectFrame(parent=self.base.a2dTopRight, image=minimap_texture(layout),  # type: ignore[attr-defined]
                                     image_scale=MAP_SIZE / 2, relief=None,
                                     pos=(-MAP_SIZE / 2 - MARGIN, 0, -MAP_SIZE / 2 - MAP_TOP))
        self.map_frame.setTransparency(True)
        self.map_dot = DirectFrame(parent=self.map_frame, frameColor=(0.2, 1, 0.3, 1), relief=DGG.FLAT,
                                   frameSize=(-0.012, 0.012, -0.012, 0.012))

    # --- per frame -----------------------------------------------------------------

    def update(self, x: float | None, y: float | None, fps: float) -> None:
        v = self.visit
        if v.lang != self.lang:
            self.relabel()
        park = v.joined.park if v.joined else v.want_park
        info = v.park_info(park) if park else None
        title = self.park_name(info) if info else (park or self.t("client.title"))
        others = len(v.crowd.tracks) if v.crowd else 0
        status = self.t("client.status.line", status=self.t(f"client.status.{v.status}"), online=v.online(),
                        near=others, fps=f"{fps:.0f}")
        if (title, status) != self._status_key:
            self._status_key = (title, status)
            self.title["text"] = title
            self.status["text"] = status
            width = max(text_size(title, 0.05)[0], text_size(status, 0.034)[0]) + 0.06
            self.status_frame["frameSize"] = (0, max(0.8, width), -0.165, 0)
        self.chat_lines["text"] = "\n".join(
            self.t("client.chat.line", ch=self.t(f"client.chat.{c.ch}") if c.ch in CHANNELS else c.ch, name=c.name,
                   text=c.text)
            for c in list(v.chat)[-6:])
        self.notice["text"] = self.say(v.notices[-1]) if v.notices else ""
        if self.map_layout is not None and self.map_dot is not None and x is not None and y is not None:
            scale = MAP_SIZE / max(self.map_layout.width, self.map_layout.depth)
            self.map_dot.setPos(x * scale, 0, y * scale)
        self.sync_booth()
        self._sync_code()


def _cut(text: str, scale: float, wrap: float, rows: int) -> str:
    """``text`` shortened (ending in an ellipsis) until it wraps to at most ``rows`` rows."""
    if text_size(text, scale, wrap)[1] <= text_size("Ag", scale)[1] * rows + 1e-6:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_size(text[:mid].rstrip() + " ...", scale, wrap)[1] <= text_size("Ag", scale)[1] * rows + 1e-6:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + " ..."


def _texture(path: Path) -> tuple[Texture, float] | None:
    """The picture as a texture, with its width / height."""
    image = PNMImage()
    if not image.read(Filename.fromOsSpecific(str(path))) or not image.getYSize():
        return None
    tex = Texture(path.stem)
    tex.load(image)
    tex.setMinfilter(SamplerState.FT_linear)
    tex.setMagfilter(SamplerState.FT_linear)
    return tex, image.getXSize() / image.getYSize()
