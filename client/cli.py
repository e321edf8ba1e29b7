"""``cloudpark client`` (the desktop client) and ``cloudpark client-bench`` (frame benchmark)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("client", help="open the Panda3D desktop client")
    p.add_argument("--server", default="ws://127.0.0.1:8766/ws", help="game server websocket URL")
    p.add_argument("--park", default=None, help="park id to join (default: pick from a list)")
    p.add_argument("--web", default="", help="the web app's address, where the policy kiosk's links open "
                   "(default: the game server's host, port 8765)")
    p.add_argument("--code", default="", help="a one-time sign-in code from the web console (K7QP-M2XD): "
                   "enter the parks as yourself")
    p.add_argument("--name", default="", help="display name (default: the word for a visitor in your language)")
    p.add_argument("--lang", default="", choices=("", "zh", "en"),
                   help="interface language (default: your account's once signed in, else the system locale)")
    p.add_argument("--spawn", default=None, help="spawn point id for the first join (default: the server picks)")
    p.add_argument("--color", default=None, help="avatar colour as RRGGBB hex")
    p.add_argument("--offscreen", action="store_true", help="render to an offscreen buffer (no window)")
    p.add_argument("--software", action="store_true", help="use the software renderer (p3tinydisplay)")
    p.add_argument("--script", type=Path, default=None, help="JSON script of timed steps (see docs/client.md)")
    p.add_argument("--screenshot", type=Path, default=None, help="folder for screenshots (script steps, exit)")
    p.add_argument("--stream", default="", help="an HLS address to play on the stage screen (testing: the "
                   "world server's `stage` message names the showcase's stream)")
    p.add_argument("--size", default="1280x720", help="window size WxH")
    p.add_argument("--max-seconds", type=float, default=None, help="give up after this long (exit 3)")
    p.set_defaults(handler=_client)

    b = sub.add_parser("client-bench", help="draw calls and frame time with 0/50/200 avatars")
    b.add_argument("--park", default=None, help="park id (default: the busiest scene in var/scenes)")
    b.add_argument("--scenes", type=Path, default=Path("var/scenes"))
    b.add_argument("--out", type=Path, default=Path("var/bench/client_frames.json"))
    b.add_argument("--frames", type=int, default=120)
    b.add_argument("--renderer", choices=("all", "software", "opengl"), default="all")
    b.set_defaults(handler=_bench)


def _client(args: argparse.Namespace) -> int:
    from client.app import ClientConfig, run
    from client.script import ScriptError, load

    try:
        script = load(args.script) if args.script else None
        w, h = (int(v) for v in args.size.lower().split("x"))
        color = int(args.color, 16) if args.color else None
    except (ScriptError, ValueError) as exc:
        sys.stderr.write(f"cloudpark client: {exc}\n")
        return 2
    cfg = ClientConfig(server=args.server, park=args.park, name=args.name, lang=args.lang, color=color, spawn=args.spawn,
                       offscreen=args.offscreen, software=args.software, script=script,
                       screenshot=args.screenshot, size=(w, h), code=args.code, web=args.web,
                       stream=args.stream)
    return run(cfg, max_seconds=args.max_seconds)


def _bench(args: argparse.Namespace) -> int:
    from client.bench_frames import main

    return main(args)
