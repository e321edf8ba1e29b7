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
    p.add_argument("--react", type=float, default=0.0, metavar="S",
                   help="showcase audience: each bot reacts every S seconds (0: no showcase behaviour)")
    p.add_argument("--ask-share", type=float, default=0.0, metavar="F",
                   help="showcase: the share of bots that register accounts and ask / upvote questions")
    p.add_argument("--ask-every", type=float, default=60.0, metavar="S", help="showcase: an asker's question "
                   "about every S seconds (default 60)")
    p.add_argument("--upvote-every", type=float, default=15.0, metavar="S", help="showcase: an asker's upvote "
                   "about every S seconds (default 15)")
    p.add_argument("--accounts", default="sbot-", help="showcase: prefix of the askers' user names "
                   "(default sbot-; give a new one per run: they are registered)")
    p.add_argument("--json", type=Path, default=None, help="also write the summary as JSON here")
    p.set_defaults(handler=cmd_bots)


def cmd_bots(args: argparse.Namespace) -> int:
    from tools.bots.scene import load_layout
    from tools.bots.swarm import ShowcasePlan, SwarmSpec, run_swarm

    if args.clients < 1 or args.seconds <= 0 or args.procs < 1 or args.ramp <= 0 or args.tick_rate < 1:
        sys.stderr.write("cloudpark bots: --clients, --seconds, --procs, --ramp and --tick-rate must be positive\n")
        return 2
    if args.react < 0 or not 0 <= args.ask_share <= 1 or args.ask_every <= 0 or args.upvote_every <= 0:
        sys.stderr.write("cloudpark bots: --react >= 0, --ask-share in [0, 1], --ask-every and --upvote-every > 0\n")
        return 2
    showcase = ShowcasePlan(react_every_s=args.react, ask_share=args.ask_share, ask_every_s=args.ask_every,
                            upvote_every_s=args.upvote_every, accounts=args.accounts) if (
        args.react > 0 or args.ask_share > 0) else None
    layout = load_layout(args.url, args.park, args.data_dir)
    spec = SwarmSpec(
        url=args.url, park=args.park, clients=args.clients, shape=args.shape, seconds=args.seconds,
        procs=args.procs, ramp_per_s=args.ramp, tick_rate=args.tick_rate, seed=args.seed, loop=args.loop,
        batch=args.batch, showcase=showcase,
    )
    summary = run_swarm(spec, layout)
    text = json.dumps(summary, indent=2)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text + "\n", encoding="utf-8")
    sys.stdout.write(text + "\n")
    return 0
