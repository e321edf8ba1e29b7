"""``cloudpark bots``: N headless visitors against a running server."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tools.bots.route import SHAPES
from world.protocol.constants import MAX_INPUT_TICKS


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "bots", help="headless visitors that tour a park over the real protocol",
        description="Connect N bot visitors to a running server, let them tour a park, "
        "and print what they measured (snapshots delivered, input->ack latency, bytes, own CPU).",
    )
    p.add_argument("--url", default="ws://127.0.0.1:8766/ws", help="server websocket URL")
    p.add_argument("--clients", type=int, default=10, help="number of visitors (default 10)")
    p.add_argument("--park", required=True, help="park id to join")
    p.add_argument("--shape", choices=SHAPES, default="tour", help="crowd shape (default tour)")
    p.add_argument("--seconds", type=float, default=10.0, help="measurement window after the crowd joined")
    p.add_argument("--procs", type=int, default=1, help="generator processes (default 1)")
    p.add_argument("--ramp", type=float, default=250.0, help="new connections per second (default 250)")
    p.add_argument("--tick-rate", type=int, default=20, help="inputs per second per bot (default 20)")
    p.add_argument("--batch", type=int, default=2, choices=range(1, MAX_INPUT_TICKS + 1), metavar="N",
                   help="ticks per input message (`in.n`, 1-4; default 2: 10 Hz messages at 20 Hz)")
    p.add_argument("--seed", type=int, default=1, help="seed for routes and chatter")
    p.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                   help="event loop for the bots (auto: uvloop when the bench extra is installed)")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="local scenes if the server serves none")
    p.add_argument("--json", type=Path, default=None, help="also write the summary as JSON here")
    p.set_defaults(handler=cmd_bots)


def cmd_bots(args: argparse.Namespace) -> int:
    from tools.bots.scene import load_layout
    from tools.bots.swarm import SwarmSpec, run_swarm

    if args.clients < 1 or args.seconds <= 0 or args.procs < 1 or args.ramp <= 0 or args.tick_rate < 1:
        sys.stderr.write("cloudpark bots: --clients, --seconds, --procs, --ramp and --tick-rate must be positive\n")
        return 2
    layout = load_layout(args.url, args.park, args.data_dir)
    spec = SwarmSpec(
        url=args.url, park=args.park, clients=args.clients, shape=args.shape, seconds=args.seconds,
        procs=args.procs, ramp_per_s=args.ramp, tick_rate=args.tick_rate, seed=args.seed, loop=args.loop,
        batch=args.batch,
    )
    summary = run_swarm(spec, layout)
    text = json.dumps(summary, indent=2)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0
