"""The ``cloudpark`` command: one entry point that dispatches to each area's subcommands.

Each command module exposes ``register(subparsers)``; heavy imports stay inside the
handlers so ``cloudpark --help`` is instant. This module is the one place allowed to
reach into server/ and client/ (see the layering contracts in pyproject.toml).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

COMMAND_MODULES = (
    "tools.up",
    "tools.parks",
    "tools.scenes.cli",
    "tools.bots.cli",
    "tools.bench.cli",
    "tools.webxr.cli",
    "client.cli",
    "server.cli",
)
EXTENSIONS = ("server.catalogue_cli",)  # cloudpark parks export (reads the database)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cloudpark",
        description="Cloud Park: the Chaoyang cultural industry parks as shared 3D places.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for name in EXTENSIONS:  # subcommands added to another module's command
        importlib.import_module(name).extend(sub.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # migrations say what they apply at INFO; their plugin set-up is noise
        logging.getLogger("alembic").setLevel(logging.WARNING)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
