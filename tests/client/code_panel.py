"""The real desktop client (offscreen) types one-time codes into its sign-in panel.

Run as ``python -m tests.client.code_panel URL GOOD_CODE OUT`` against a running world
server (``tests/client/test_code_panel.py`` starts one): the client comes in as a guest,
opens the panel (the HUD's button), types a code the server does not know and clicks
"Sign in", waits for the refusal, then types ``GOOD_CODE`` and clicks again. Writes
``OUT/code_panel.json`` (what the panel and the notice said at each step, who the session
was) and screenshots ``OUT/code_refused_zh.png`` and ``OUT/code_signed_in_zh.png``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from client.app import ClientConfig, build_app


def main(url: str, good: str, out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    app = build_app(ClientConfig(server=url, offscreen=True, lang="zh", size=(1280, 720), screenshot=out))
    from panda3d.core import PGItem, TextNode

    def shown(root: object) -> list[str]:
        seen: list[str] = []

        def walk(np_) -> None:  # type: ignore[no-untyped-def]
            if np_.isStashed() or np_.isHidden():
                return
            node = np_.node()
            if isinstance(node, TextNode) and node.getText().strip():
                seen.append(node.getText())
            if isinstance(node, PGItem):
                walk(node.getStateDef(node.getState()))
            for child in np_.getChildren():
                walk(child)

        walk(root)
        return seen

    def until(what: str, done: Callable[[], bool], seconds: float = 20.0) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for {what}")
            app.taskMgr.step()
            time.sleep(0.01)
        for _ in range(3):
            app.taskMgr.step()

    v, hud = app.visit, app.hud
    report: dict[str, object] = {}
    until("a guest session", lambda: v.session is not None and v.status == "online")
    report["first"] = {"role": v.session.user.role, "id": v.session.user.id}  # type: ignore[union-attr]
    if hud.parks_frame is not None:
        hud.toggle_parks()  # the start panel (no park chosen) out of the way
    hud.code_button.commandFunc(None)  # type: ignore[union-attr]  # the "Sign-in code" button
    report["opened"] = shown(hud.code_frame)
    hud.code_entry.enterText("zzzz-zzzz")  # type: ignore[union-attr]
    hud.code_submit.commandFunc(None)
    until("the refusal", lambda: v.code == "refused")
    until("the guest session again", lambda: v.session is not None and v.status == "online")
    report["refused"] = {"panel": shown(hud.code_frame), "notice": hud.notice["text"],
                         "role": v.session.user.role, "why": v.code_why}  # type: ignore[union-attr]
    app.screenshot_to("code_refused_zh")
    hud.code_entry.enterText(f"  {good.lower()} ")  # type: ignore[union-attr]  # as people type it
    hud.code_submit.commandFunc(None)
    until("the code's person", lambda: v.signed_in and v.status == "online")
    report["signed_in"] = {"id": v.session.user.id, "name": v.session.user.name,  # type: ignore[union-attr]
                           "panel_open": hud.code_frame is not None, "notice": hud.notice["text"],
                           "code": v.code}
    hud.toggle_code()
    report["reopened"] = shown(hud.code_frame)
    app.screenshot_to("code_signed_in_zh")
    (out / "code_panel.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    app.link.close()
    app.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
