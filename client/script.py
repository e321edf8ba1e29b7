"""Scripted sessions for headless runs: a JSON list of timed steps.

Each step is an object with ``do`` and optional ``at`` (seconds after joining; default:
right after the previous step ends). Steps:

- ``{"do": "move", "dir": [mx, my], "for": 2.0, "run": false}``: world-frame direction.
- ``{"do": "walk_to", "booth": "b01"}`` or ``{"do": "walk_to", "x": 1, "y": 2}``: steer
  there in a straight line (gives up after ``timeout``, default 30 s).
- ``{"do": "wait_booth", "timeout": 10}``: until a booth panel is open.
- ``{"do": "wait_kiosk", "timeout": 10}``: until the policy kiosk's panel has its answer.
- ``{"do": "wait_space", "timeout": 10}``: until the space panel has the zone's free times
  (or its refusal); ``"until": "result"``: until a booking's answer; ``"until": "checked"``:
  until a check-in's answer. ``{"do": "book", "slot": 1}``: book the panel's first time (the
  number key 1). ``{"do": "check_in"}``: check in to your booking there (the C key).
- ``{"do": "wait_visitors", "count": 1, "timeout": 10}``: until others are in view.
- ``{"do": "wait", "for": 1.0}``, ``{"do": "emote", "name": "wave"}``,
  ``{"do": "chat", "ch": "near", "text": "hi"}``, ``{"do": "like"}``,
  ``{"do": "card", "name": "...", "email": "..."}`` (consent given by the script),
  ``{"do": "camera", "heading": 90, "pitch": 20, "distance": 8}`` (or ``"face": "visitor"``
  with an optional ``"offset"`` in degrees: look towards the nearest other visitor),
  ``{"do": "wait_images", "timeout": 10}``: until the booth panel's pictures are loaded
  or have failed, ``{"do": "drop"}``: break the connection (the client resumes),
  ``{"do": "screenshot", "name": "booth"}``, ``{"do": "quit"}``,
  ``{"do": "lang", "to": "zh"}`` (switch the interface language; without ``to``: the other
  one), ``{"do": "help"}`` (show or hide the help panel).
- ``{"do": "stage", "state": "live", "url": "http://.../live.m3u8", "title": "..."}``: show a
  stage state on the stage screen as the ``stage`` message would (states: live,
  interrupted, ended, scheduled, none); ``{"do": "wait_stage", "shown": "video"}``: until the
  screen shows that (video, connecting, interrupted, ended, title, idle);
  ``{"do": "replay"}``: play the ended event's replay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STEPS = {"move", "walk_to", "wait_booth", "wait_visitors", "wait", "emote", "chat", "like", "card",
         "camera", "screenshot", "quit", "drop", "wait_images", "lang", "help", "wait_kiosk",
         "wait_space", "book", "check_in", "stage", "wait_stage", "replay"}


class ScriptError(ValueError):
    """A script file is not a list of valid steps."""


@dataclass(frozen=True, slots=True)
class Step:
    do: str
    args: dict[str, Any] = field(default_factory=dict)
    index: int = 0

    def num(self, key: str, default: float) -> float:
        return float(self.args.get(key, default))


def parse(text: str) -> list[Step]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScriptError(f"script is not valid JSON: {exc}") from None
    if not isinstance(data, list):
        raise ScriptError("script must be a JSON list of steps")
    steps = []
    for i, item in enumerate(data):
        if not isinstance(item, dict) or not isinstance(item.get("do"), str):
            raise ScriptError(f"step {i}: must be an object with a string 'do'")
        if item["do"] not in STEPS:
            raise ScriptError(f"step {i}: unknown step {item['do']!r} (known: {', '.join(sorted(STEPS))})")
        args = {k: v for k, v in item.items() if k != "do"}
        for key in ("at", "for", "timeout", "x", "y", "count", "heading", "pitch", "distance",
                    "offset"):
            if key in args and (isinstance(args[key], bool) or not isinstance(args[key], int | float)):
                raise ScriptError(f"step {i}: {key!r} must be a number")
        if item["do"] == "move":
            d = args.get("dir")
            if (not isinstance(d, list) or len(d) != 2
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in d)):
                raise ScriptError(f"step {i}: move needs 'dir': [mx, my]")
        if item["do"] == "camera" and args.get("face", "visitor") != "visitor":
            raise ScriptError(f"step {i}: camera 'face' can only be 'visitor'")
        if item["do"] == "stage" and args.get("state") not in ("live", "interrupted", "ended", "scheduled", "none"):
            raise ScriptError(f"step {i}: stage 'state' must be live, interrupted, ended, scheduled or none")
        if item["do"] == "stage" and not isinstance(args.get("url", ""), str):
            raise ScriptError(f"step {i}: stage 'url' must be a string")
        if item["do"] == "walk_to" and "booth" not in args and not ("x" in args and "y" in args):
            raise ScriptError(f"step {i}: walk_to needs 'booth' or 'x' and 'y'")
        steps.append(Step(item["do"], args, i))
    return steps


def load(path: Path) -> list[Step]:
    try:
        return parse(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScriptError(f"cannot read script {path}: {exc}") from None
