"""``cloudpark up``: the main job on the embedded default.

Builds every park's scene that is missing or stale, publishes the WebXR client for
every built scene into ``DATA_DIR/web`` (only when the scenes or the client changed),
then runs ``cloudpark serve`` on the same data folder (the process is replaced by the
server, so Ctrl-C / SIGTERM reach it directly) after printing the URL to open.
``--no-serve`` only builds and publishes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="build what is missing and run Cloud Park on the embedded default")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="where scenes and data live (default ./var)")
    p.add_argument("--host", default="127.0.0.1", help="address the server listens on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="server port (default 8765)")
    p.add_argument("--park", action="append", metavar="ID",
                   help="only this park (repeatable; default every park of the catalogue)")
    p.add_argument("--database", default=None, metavar="URL",
                   help="database (default: SQLite in --data-dir; e.g. postgresql+asyncpg://postgres@127.0.0.1/cloudpark)")
    p.add_argument("--no-serve", action="store_true", help="build the scenes and the web client, then stop")
    p.set_defaults(handler=cmd_up)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def browser_host(host: str) -> str:
    """The address to put in a URL for a browser on this machine."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - listening everywhere; open it locally
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def publish(data_dir: Path) -> str | None:
    """Publish the web client into DATA_DIR/web; None, or why it could not be done."""
    from tools.webxr.export import ExportError, progress_bar, publish_web

    try:
        report = publish_web(data_dir, progress=progress_bar())
    except ExportError as exc:
        return str(exc)
    if report.up_to_date:
        say(f"web client for {len(report.parks)} park(s) in {report.out} is up to date")
    else:
        say(f"published the web client for {len(report.parks)} park(s) to {report.out}: "
            f"app.js {report.bundle_bytes / 1024:.0f} KiB, {report.total_bytes / 1024 / 1024:.1f} MiB in all")
    return None


def _safe_url(url: str) -> str:
    """A database URL fit to print: any password replaced."""
    head, sep, tail = url.rpartition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, cred = head.partition("//")
    return f"{scheme}//{cred.split(':', 1)[0]}:***@{tail}"


def cmd_up(args: argparse.Namespace) -> int:
    from tools.scenes.cli import build_and_report

    code = build_and_report(out=args.data_dir / "scenes", parks=args.park, previews=False)
    if code:
        return int(code)
    problem = publish(args.data_dir)
    if problem is not None:
        sys.stderr.write(f"up: the web client was not published: {problem}\n")
        if args.no_serve:
            return 1
    if args.no_serve:
        return 0
    base = f"{browser_host(args.host)}:{args.port or 'PORT'}"
    if not args.port:
        say("--port 0: the server picks a free port and prints it below; put it in place of PORT")
    where = f"database {_safe_url(args.database)}" if args.database else "the embedded default"
    say(f"Cloud Park starting on {where} (data in {args.data_dir}):")
    if problem is None:
        say(f"  open in a browser  http://{base}/web/")
    say(f"  game websocket     ws://{base}/ws")
    say(f"  health             http://{base}/healthz")
    say(f"  parks              http://{base}/parks.json")
    say(f"  metrics            http://{base}/metrics")
    sys.stdout.flush()
    exe = shutil.which("cloudpark") or str(Path(sys.executable).with_name("cloudpark"))
    env = dict(os.environ)
    if args.park:  # host the parks asked for; do not build the rest at start
        env["CLOUDPARK_BUILD_SCENES"] = "0"
    argv = [exe, "serve", "--data-dir", str(args.data_dir), "--host", args.host, "--port", str(args.port)]
    if args.database:
        argv += ["--database", args.database]
    os.execve(exe, argv, env)  # noqa: S606
    return 0  # not reached
