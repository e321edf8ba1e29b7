"""``cloudpark export-webxr``: a park (or all) as a static folder for browsers, VR and AR."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export-webxr",
        help="write a park as a self-contained web folder (browser, VR, AR)",
        description="Write a static folder (index.html, the park's .glb, the bundled client) that any "
        "static web host can serve. The page connects to --server, or ?server= in its URL, "
        "or else the same host's /ws.",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--park", metavar="ID", help="the park to export")
    which.add_argument("--all", action="store_true", help="every park with a built scene, plus a list page")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    p.add_argument("--server", metavar="URL", default=None, help="world server websocket URL (ws://HOST:PORT/ws)")
    p.add_argument("--scenes", type=Path, default=Path("var/scenes"), metavar="DIR",
                   help="where the park scenes are (default var/scenes)")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from tools.webxr.export import ExportError, export_all, export_park, progress_bar

    if args.server and not args.server.startswith(("ws://", "wss://")):
        sys.stderr.write(f"--server must be a ws:// or wss:// URL, got {args.server!r}\n")
        return 2
    try:
        if args.all:
            report = export_all(args.out, scenes_dir=args.scenes, server=args.server, progress=progress_bar())
        else:
            report = export_park(args.park, args.out, scenes_dir=args.scenes, server=args.server)
    except ExportError as exc:
        sys.stderr.write(f"export-webxr: {exc}\n")
        return 1
    sys.stdout.write(
        f"exported {len(report.parks)} park(s) to {report.out}: app.js {report.bundle_bytes / 1024:.0f} KiB, "
        f"{report.total_bytes / 1024 / 1024:.1f} MiB in all\n"
        f"open {report.out / 'index.html'} through a web server (e.g. the world server's /web/)\n"
    )
    return 0
