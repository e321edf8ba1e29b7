"""The desktop client's sign-in panel: a one-time code typed on screen signs in as its
person; a refused one says why in the catalogue's words and leaves a guest.

The end-to-end test runs the real client offscreen (``tests/client/code_panel.py``, a
process of its own) against a real world server; the screenshots go to
build/screenshots/client/.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path

from client.texts import load_texts
from client.visit import CODE_RID, Visit, code_reason
from server.desks.front import CODE_REFUSALS
from tests.server.harness import running_app
from world.protocol import messages as M
from world.protocol.constants import ErrorCode

ROOT = Path(__file__).resolve().parents[2]


def test_each_refusal_of_the_server_has_its_own_words_in_both_languages() -> None:
    texts = load_texts(strict=True)
    keys = {why: code_reason(M.Error(code="auth_failed", msg=msg, re=CODE_RID)) for why, msg in CODE_REFUSALS.items()}
    assert keys == {why: f"client.code.why.{why}" for why in CODE_REFUSALS}
    assert code_reason(M.Error(code=ErrorCode.RATE_LIMITED.value, msg="code: too many", re=CODE_RID)) == \
        "client.code.why.rate_limited"
    assert code_reason(M.Error(code="bad_state", msg="?", re=CODE_RID)) == "client.error.bad_state"
    for key in (*keys.values(), "client.code.why.rate_limited", "client.code.why.empty"):
        assert texts.translate("zh", key) != texts.translate("en", key)


def test_the_visit_follows_a_code_from_typing_to_the_session() -> None:
    v = Visit("访客", lang="zh")
    assert v.use_code("   ") is None and (v.code, v.code_why) == ("refused", "client.code.why.empty")
    assert v.use_code(" k7qp-m2xd ") == "k7qp-m2xd" and v.code == "sending"
    v.handle(M.Error(code="auth_failed", msg=CODE_REFUSALS["expired"], re=CODE_RID), 0.0)
    assert (v.code, v.code_why) == ("refused", "client.code.why.expired")
    guest = M.Session(user=M.UserInfo("g1", "访客", "guest", 1), resume="r", resume_ttl=60, perms={})
    v.handle(guest, 0.0)
    assert v.code == "refused" and not v.signed_in  # a guest still, and still told why
    v.use_code("K7QP-M2XD")
    v.handle(M.Session(user=M.UserInfo("mei", "王美", "visitor", 1), resume="r", resume_ttl=60, perms={}), 0.0)
    assert v.code == "done" and v.signed_in and v.notices[-1].key == "client.code.welcome"
    # an error to another request is not taken for the code's refusal
    v.handle(M.Error(code="auth_failed", msg="nope", re=7), 0.0)
    assert v.code == "done"


def test_the_client_signs_in_with_a_code_typed_into_its_panel(tmp_path: Path) -> None:
    out = tmp_path / "shots"

    async def go() -> dict:
        async with running_app(tmp_path) as app:
            await app.accounts.create("mei", "long enough", "王美", "visitor", now=app.clock.now())
            code = (await app.store.signin_codes.desktop_code("mei", now=app.clock.now())).code
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tests.client.code_panel", f"ws://127.0.0.1:{app.port}/ws", code, str(out),
                cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
            _, err = await asyncio.wait_for(proc.communicate(), 240)
            assert proc.returncode == 0, err.decode()[-3000:]
            return json.loads((out / "code_panel.json").read_text(encoding="utf-8"))

    report = asyncio.run(go())
    shots = ROOT / "build" / "screenshots" / "client"
    shots.mkdir(parents=True, exist_ok=True)
    for png in out.glob("*.png"):
        shutil.copy(png, shots / png.name)
    assert report["first"]["role"] == "guest"
    assert "用登录码登录" in report["opened"] and "您正以访客身份参观。" in report["opened"]
    refused = report["refused"]
    assert refused["role"] == "guest" and refused["why"] == "client.code.why.unknown"
    said = "登录码无效：没有这个登录码：请核对输入，或在网页控制台重新获取"
    assert said in refused["panel"] and refused["notice"] == said
    signed = report["signed_in"]
    assert signed["id"] == "mei" and signed["code"] == "done"
    assert not signed["panel_open"] and signed["notice"] == "已登录：王美"
    assert any(t.startswith("已登录：王美") for t in report["reopened"])
