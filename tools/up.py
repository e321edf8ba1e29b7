"""``cloudpark up``: the main job on the embedded default.

Builds every park's scene that is missing or stale and prints where they are and
their budgets.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="build what is missing and run Cloud Park on the embedded default")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="where scenes and data live (default ./var)")
    p.set_defaults(handler=cmd_up)


def cmd_up(args: argparse.Namespace) -> int:
    from tools.scenes.cli import build_and_report

    return build_and_report(out=args.data_dir / "scenes", parks=None, previews=False)
