"""Draws every panel of the desktop client's HUD in both languages, offscreen, with the
strict catalogue (a missing key raises ``MissingText``), and writes what is on screen.

Run as ``python -m tests.client.hud_panels OUT`` (a process of its own: Panda3D's ShowBase
is one per process). Writes ``OUT/panels.json`` ({"texts": {lang: {panel: [text, ...]}},
"relabelled": {panel: [...]}, "missing_glyphs": [...], "font": name}) and a screenshot of
each panel per language, ``OUT/<panel>_<lang>.png``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

from client.app import ClientConfig, configure_panda
from client.texts import Notice, load_texts
from client.visit import ChatEntry, Visit
from world.protocol import messages as M
from world.protocol.constants import CloseCode, ErrorCode

PARKS = [M.ParkInfo("798-art-zone", "七九八艺术区", "798 Art Zone", 12, "/scenes/798-art-zone.glb", "ab"),
         M.ParkInfo("langyuan", "郎园", "Langyuan Vintage", 3, "/scenes/langyuan.glb", "cd")]
BOOTH = M.BoothView(
    id="b07", owner="墨石动画工作室", likes=5, liked=True, staff=["李娜", "王芳"],
    content=M.BoothContent(name="墨石动画", tagline="水墨与光影的短片", logo="https://example.com/logo.png",
                           image="https://example.com/pic.png",
                           description="我们为展览和舞台制作水墨风格的动画短片，欢迎来展位聊聊春季展。",
                           products=(M.Product(name="水墨短片定制", price="￥8000 起"), M.Product(name="展陈动画"))))
PLAIN_BOOTH = M.BoothView(id="b12", owner="", likes=0, staff=[], content=M.BoothContent())
KIOSK = {"why": "", "org": "墨石动画工作室", "org_id": 7, "manages": True, "eligible": 1, "possibly": 1,
         "url": "/console/enterprise/7/policies",
         "items": [{"policy": 3, "title_zh": "文化企业房租补贴", "title_en": "Rent subsidy for cultural enterprises",
                    "verdict": "eligible", "amount": 180000, "apply_to": "2026-06-30", "url": "/x"},
                   {"policy": 4, "title_zh": "数字化转型补助", "title_en": "Digital transformation grant",
                    "verdict": "possibly", "amount": None, "apply_to": None, "url": "/y"}]}


class Pictures:
    """Booth pictures as the HUD asks for them: the logo still loading, the picture failed."""

    def state(self, url: str) -> SimpleNamespace:
        return SimpleNamespace(state="loading" if "logo" in url else "failed", path=None)

    def settled(self, urls: list[str]) -> bool:
        return True


def notices() -> list[Notice]:
    from client.texts import Ref

    out = [Notice.of("client.notice.liked"), Notice.of("client.notice.card_left"),
           Notice.of("client.notice.consent_needed"), Notice.of("client.lang.changed"),
           Notice.of("client.notice.scene_failed", detail="scene download failed: HTTP 404"),
           Notice.of("client.notice.no_booth", id="b99")]
    for what in ("request", "guest", "join", "parks", "like", "card", "chat", "set_lang", "kiosk"):
        out.append(Notice.of("client.notice.failed", what=Ref(f"client.request.{what}"),
                             why=Ref("client.error.not_allowed"), detail="sign in first"))
    for code in [c.value for c in ErrorCode] + ["unknown"]:
        out.append(Notice.of("client.notice.failed", what=Ref("client.request.like"), why=Ref(f"client.error.{code}"),
                             detail="refused"))
    for close in [str(int(c)) for c in CloseCode] + ["unknown"]:
        out.append(Notice.of("client.notice.bye", why=Ref(f"client.close.{close}"), detail="server restarting"))
    return out


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    configure_panda(ClientConfig(offscreen=True, size=(1280, 720), lang="zh", server=""))
    from direct.showbase.ShowBase import ShowBase
    from panda3d.core import Filename, PGItem, TextNode

    from client.hud import CJK_FONTS, Hud, load_font

    base = ShowBase(windowType="offscreen")
    base.setBackgroundColor(0.36, 0.52, 0.68, 1)
    font = load_font(base.loader, 720)
    texts = load_texts(strict=True)
    visit = Visit("王芳", lang="zh", want_park="798-art-zone")
    visit.status = "online"
    visit.parks = list(PARKS)
    noop = lambda *a: None  # noqa: E731
    hud = Hud(base, visit, noop, noop, noop, noop, noop, images=Pictures(), texts=texts,  # type: ignore[arg-type]
              on_lang=lambda: None)
    from client.kiosk_panel import KioskPanel
    kiosk = KioskPanel(base, visit, texts.translate)

    def shown() -> list[str]:
        """Every text drawn under aspect2d (DirectGUI keeps a widget's text in the state
        definitions of its PGItem, outside the ordinary children): what is visible now."""
        seen: list[str] = []

        def visit_node(np_) -> None:  # type: ignore[no-untyped-def]
            if np_.isStashed() or np_.isHidden():
                return
            node = np_.node()
            if isinstance(node, TextNode) and node.getText().strip():
                seen.append(node.getText())
            if isinstance(node, PGItem):
                visit_node(node.getStateDef(node.getState()))
            for child in np_.getChildren():
                visit_node(child)

        visit_node(base.aspect2d)
        return seen

    def snap(name: str, lang: str) -> None:
        base.graphicsEngine.renderFrame()
        base.graphicsEngine.renderFrame()
        base.win.saveScreenshot(Filename.fromOsSpecific(str(out / f"{name}_{lang}.png")))

    def hud_frame() -> None:
        hud.update(3.0, 4.0, 58.4)

    def panels(lang: str, screenshots: bool) -> dict[str, list[str]]:
        visit.lang = lang
        got: dict[str, list[str]] = {}
        # the HUD in a park: status, chat of every channel, a notice, the booth panel, loading
        visit.booth = BOOTH
        visit.chat.clear()
        visit.chat.extend([ChatEntry("near", "李娜", "你好！"), ChatEntry("park", "赵磊", "舞台几点开始？"),
                           ChatEntry("booth", "王芳", "请问有样片吗？")])
        visit.notices.clear()
        visit.notices.append(Notice.of("client.notice.liked"))
        hud_frame()
        hud.show_progress(hud.t("client.loading"), 0.4)
        got["hud"] = shown()
        if screenshots:
            snap("hud", lang)
        hud.hide_progress()
        # a booth with nothing filled in yet
        visit.booth = PLAIN_BOOTH
        hud_frame()
        got["booth_plain"] = shown()
        visit.booth = BOOTH
        hud_frame()
        for name, show, close in (
            ("parks_start", lambda: hud.show_parks(start=True), hud.toggle_parks),
            ("parks_switch", lambda: hud.show_parks(start=False), hud.toggle_parks),
            ("card", lambda: (hud.open_card(), hud._toggle_consent()), hud.close_card),
            ("help", hud.show_help, hud.toggle_help),
        ):
            show()
            hud_frame()
            got[name] = shown()
            if screenshots:
                snap(name, lang)
            close()
        # the sign-in panel: as a guest, each way a code can be refused, signing in, signed in
        visit.session = None
        got["code"] = []
        for state, why in (("", ""), ("refused", "client.code.why.empty"), ("sending", ""),
                           *(("refused", f"client.code.why.{r}")
                             for r in ("unknown", "used", "expired", "rate_limited")),
                           ("refused", "client.error.auth_failed")):
            visit.code, visit.code_why = state, why
            hud.show_code() if hud.code_frame is None else hud_frame()
            hud_frame()
            got["code"] += shown()
            if screenshots and why == "client.code.why.used":
                snap("code", lang)
        visit.session = M.Session(user=M.UserInfo("mei", "王美", "visitor", 0x3080FF), resume="r", resume_ttl=60,
                                  perms={})
        visit.code, visit.code_why = "", ""
        hud_frame()
        got["code"] += shown()
        hud.close_code()
        visit.session = None
        visit.parks = []
        hud.show_parks(start=True)
        got["parks_none"] = shown()
        hud.toggle_parks()
        visit.parks = list(PARKS)
        # every notice the client can show: one at a time, as the HUD shows the newest
        said = []
        for n in notices():
            visit.notices.append(n)
            hud_frame()
            said.append(hud.notice["text"])
        got["notices"] = said
        for status in ("connecting", "reconnecting", "offline", "online"):
            visit.status = status
            hud_frame()
            got.setdefault("status", []).append(hud.status["text"])
        # the channel button through every channel
        for _ in range(3):
            hud.cycle_channel()
            got.setdefault("channels", []).append(hud.chat_channel["text"])  # type: ignore[index]
        # the policy kiosk: an owner's matches, a member's, a guest, someone without an enterprise
        visit.booth = None
        got["kiosk"] = []
        for data in (KIOSK, {**KIOSK, "manages": False}, {"why": "guest", "items": [], "url": "/policies"},
                     {"why": "no_enterprise", "items": [], "url": "/policies"}):
            visit.kiosk = data
            kiosk.sync()
            hud_frame()
            got["kiosk"] += shown()
            if screenshots and data is KIOSK:
                snap("kiosk", lang)
        visit.kiosk = None
        kiosk.sync()
        visit.booth = BOOTH
        return got

    result: dict[str, object] = {"texts": {}}
    for lang in ("zh", "en"):
        result["texts"][lang] = panels(lang, screenshots=True)  # type: ignore[index]
    # switching back redraws every word (nothing of the other language stays behind)
    hud.open_card()
    hud.show_help()
    visit.lang = "zh"
    hud_frame()
    result["relabelled"] = shown()
    hud.toggle_help()
    hud.close_card()
    result["relabelled_panels"] = panels("zh", screenshots=False)
    missing = set()
    for panel in result["texts"]["zh"].values():  # type: ignore[index]
        for text in panel:
            for ch in text:
                if not ch.isspace() and font is not None and type(font.getGlyph(ord(ch))).__name__ != "DynamicTextGlyph":
                    missing.add(ch)
    result["missing_glyphs"] = sorted(missing)
    result["font"] = next((str(p) for p in CJK_FONTS if p.exists()), "") if font is not None else ""
    (out / "panels.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    base.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
