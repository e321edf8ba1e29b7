"""Every panel of the desktop client in Chinese and in English, from the catalogue only.

``tests/client/hud_panels.py`` draws each panel offscreen with the strict catalogue (a
key the catalogue lacks raises) and reports what is on screen; here: nothing is missing,
no English word is left in Chinese mode (the test data is Chinese, so every English word
would come from the client), English mode is English, a switch back redraws everything,
and every Chinese character has a glyph in the loaded font (no boxes). The screenshots
go to build/screenshots/client/.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from client.texts import Notice, load_texts, locale_lang, say
from world.i18n import MissingText

ROOT = Path(__file__).resolve().parents[2]
# Letters allowed in Chinese mode: key caps named in the help, the booth slot ids of the
# test data, and the language switch, which names the other language in that language.
KEY_CAPS = {"WASD", "Shift", "Enter", "Esc", "English"}
PANELS = ("hud", "booth_plain", "parks_start", "parks_switch", "card", "help", "parks_none", "notices",
          "status", "channels", "code", "kiosk")


@pytest.fixture(scope="module")
def panels(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("hud")
    done = subprocess.run([sys.executable, "-m", "tests.client.hud_panels", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    shots = ROOT / "build" / "screenshots" / "client"
    shots.mkdir(parents=True, exist_ok=True)
    for png in out.glob("*.png"):
        shutil.copy(png, shots / png.name)
    data = json.loads((out / "panels.json").read_text(encoding="utf-8"))
    data["folder"] = str(out)
    return data


def english_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in KEY_CAPS and not re.fullmatch(r"b\d\d", w)]


def test_every_panel_is_drawn_in_both_languages(panels: dict) -> None:
    for lang in ("zh", "en"):
        assert set(panels["texts"][lang]) == set(PANELS)
        for name, texts in panels["texts"][lang].items():
            assert texts, f"{lang}/{name}: nothing on screen"
            for text in texts:
                assert not re.search(r"\bclient\.[a-z_.]+", text), f"{lang}/{name}: a raw key on screen: {text!r}"


def test_chinese_mode_leaves_no_english_on_screen(panels: dict) -> None:
    left = {(name, text): english_words(text) for name, texts in panels["texts"]["zh"].items() for text in texts}
    assert {k: v for k, v in left.items() if v} == {}
    hud = panels["texts"]["zh"]["hud"]
    for needle in ("值守人员：李娜、王芳", "点赞 5（您已点赞）", "留下名片", "与工作人员交谈", "正在加载园区场景……",
                   "七九八艺术区", "[附近] 李娜：你好！"):
        assert any(needle in t for t in hud), (needle, hud)


def test_english_mode_is_english(panels: dict) -> None:
    hud = panels["texts"]["en"]["hud"]
    for needle in ("Staff on duty: 李娜, 王芳", "Likes: 5  (you liked this)", "Leave my card", "Chat with staff",
                   "798 Art Zone · 七九八艺术区", "Parks", "中文", "[near] 李娜: 你好！"):
        assert any(needle in t for t in hud), (needle, hud)
    assert "Booth b12" in panels["texts"]["en"]["booth_plain"]
    notices = panels["texts"]["en"]["notices"]
    assert "like: refused" in notices and "server: server restarting" in notices  # the server's own words
    zh_words = {t for texts in panels["texts"]["zh"].values() for t in texts}
    en_words = {t for texts in panels["texts"]["en"].values() for t in texts}
    assert len(zh_words - en_words) > 40, "the two languages should differ on most panels"


def test_the_sign_in_panel_says_who_you_are_and_why_a_code_was_refused(panels: dict) -> None:
    zh, en = panels["texts"]["zh"]["code"], panels["texts"]["en"]["code"]
    for needle in ("用登录码登录", "您正以访客身份参观。", "登录码无效：该登录码已被使用：请在网页控制台重新获取",
                   "登录码无效：该登录码已过期：请在网页控制台重新获取", "登录码无效：没有这个登录码：请核对输入，或在网页控制台重新获取",
                   "登录码无效：来自您地址的错误登录码过多：请稍等一分钟再试", "登录码无效：登录失败或已过期，请重新登录",
                   "正在登录……", "登录", "关闭"):
        assert needle in zh, (needle, zh)
    assert any(t.startswith("已登录：王美") for t in zh), zh
    for needle in ("Sign in with a code", "You are visiting as a guest.", "Signing in ...",
                   "Sign-in code refused: this code was already used: get a new one on the web console"):
        assert needle in en, (needle, en)
    assert any(t.startswith("Signed in as 王美") for t in en), en


def test_the_kiosk_panel_lists_the_enterprises_policies_in_either_language(panels: dict) -> None:
    zh, en = panels["texts"]["zh"]["kiosk"], panels["texts"]["en"]["kiosk"]
    for needle in ("政策服务点", "墨石动画工作室：符合 1 项，可能符合 1 项", "文化企业房租补贴", "符合条件，可申领 180,000 元 · 截至 2026-06-30",
                   "可能符合", "按 P 打开网页", "申报由企业负责人或管理员办理。", "登录后即可查看与您企业匹配的政策。"):
        assert needle in zh, (needle, zh)
    for needle in ("Policy service point", "Rent subsidy for cultural enterprises",
                   "Eligible, up to 180,000 yuan · until 2026-06-30", "Possibly eligible", "Press P to open it on the web",
                   "Sign in to see the policies that match your enterprise."):
        assert needle in en, (needle, en)


def test_a_switch_back_redraws_every_word(panels: dict) -> None:
    assert not [t for t in panels["relabelled"] if english_words(t)], panels["relabelled"]
    assert "操作说明" in panels["relabelled"] and "留下您的名片" in panels["relabelled"]
    assert panels["relabelled_panels"] == panels["texts"]["zh"]


def test_every_error_and_close_code_reads_as_a_sentence(panels: dict) -> None:
    zh = panels["texts"]["zh"]["notices"]
    codes = zh[14:29]  # after the 6 notices and the 8 requests: one per error code, then "unknown"
    assert len(set(codes)) == len(codes) == 15, "each error code has its own words"
    assert "点赞未成功：操作过于频繁，请稍后再试" in zh
    assert "服务器：服务器正在重启或关闭" in zh


def test_chinese_glyphs_render_and_the_screenshots_have_content(panels: dict) -> None:
    assert panels["font"], "no CJK font found: run tools/setup.sh (it installs fonts-noto-cjk)"
    assert panels["missing_glyphs"] == []
    folder = Path(panels["folder"])
    for name in ("hud", "parks_start", "card", "help"):
        for lang in ("zh", "en"):
            img = np.asarray(Image.open(folder / f"{name}_{lang}.png").convert("RGB"), dtype=np.int32)
            light = (img.min(axis=-1) > 200).sum()  # text is drawn light on dark panels
            assert light > 500, f"{name}_{lang}: hardly any text drawn ({light} px)"


def test_a_key_missing_from_the_catalogue_fails_loudly() -> None:
    texts = load_texts(strict=True)
    with pytest.raises(MissingText):
        say(texts, "zh", Notice.of("client.no.such.key"))


def test_the_locale_picks_the_language() -> None:
    assert locale_lang({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert locale_lang({"LANG": "en_GB.UTF-8"}) == "en"
    assert locale_lang({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert locale_lang({"LANG": "C.UTF-8"}) == "zh"  # no language: the zone's
    assert locale_lang({}) == "zh"
    assert locale_lang({"LANG": "de_DE.UTF-8"}) == "zh"
