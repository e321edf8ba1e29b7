"""``cloudpark up``: the main job on the embedded default.

Builds every park's scene that is missing or stale, renders the portal's picture of
each park whose picture is missing or older than its scene into ``DATA_DIR/previews``
(offscreen in Panda3D: about 10 s for all 26 parks on a 2-core machine, nothing when
they are up to date; when it cannot be done the portal shows placeholders and ``up``
goes on), publishes the WebXR client for every built scene into ``DATA_DIR/web`` (only
when the scenes or the client changed), then runs Cloud Park on the same data folder as two processes, so slow web work never
shares a core with the world's tick: the world server (``cloudpark serve``: the game
websocket, on ``--game-port``) and the web app (``cloudpark web``: the portal, the
consoles, the API and the browser 3D client, on ``--port``). Both are watched: Ctrl-C
or SIGTERM stops both, and when one of them exits the other is stopped. ``--no-serve``
only builds and publishes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PICTURE_TIMEOUT_S = 180.0  # per way of rendering tried: a stuck GL driver does not hold up the start for long


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("up", help="build what is missing and run Cloud Park on the embedded default")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="where scenes and data live (default ./var)")
    p.add_argument("--host", default="127.0.0.1", help="address the server listens on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="the web app's port: portal, consoles, 3D in the browser "
                   "(default 8765; 0 picks free ports)")
    p.add_argument("--game-port", type=int, default=8766, help="the world server's game websocket port (default 8766)")
    p.add_argument("--park", action="append", metavar="ID",
                   help="only this park (repeatable; default every park of the catalogue)")
    p.add_argument("--database", default=None, metavar="URL",
                   help="database (default: SQLite in --data-dir; e.g. postgresql+asyncpg://postgres@127.0.0.1/cloudpark)")
    p.add_argument("--no-serve", action="store_true",
                   help="build the scenes, the park pictures and the web client, then stop")
    p.set_defaults(handler=cmd_up)


def say(line: str) -> None:
    sys.stdout.write(line + "\n")


def browser_host(host: str) -> str:
    """The address to put in a URL for a browser on this machine."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - listening everywhere; open it locally
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def publish(data_dir: Path, server: str | None = None) -> str | None:
    """Publish the web client into DATA_DIR/web; None, or why it could not be done."""
    from tools.webxr.export import ExportError, progress_bar, publish_web

    try:
        report = publish_web(data_dir, progress=progress_bar(), server=server)
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


def free_port(host: str) -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host if host not in ("", "0.0.0.0") else "127.0.0.1", 0))  # noqa: S104
        return int(s.getsockname()[1])


def has_command(exe: str, name: str) -> bool:
    return subprocess.run([exe, name, "--help"], capture_output=True, check=False, timeout=60).returncode == 0  # noqa: S603


def supervise(procs: list[subprocess.Popen[bytes]]) -> int:
    """Wait for the first to exit (or a signal), stop the others; the worst exit code."""
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(proc.poll() is None for proc in procs):
        time.sleep(0.2)
    if not stopping:
        sys.stderr.write("up: a Cloud Park process ended; stopping the other\n")
        stop(signal.SIGTERM, None)
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout=30))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    # a child that ends on the SIGTERM we sent it (uvicorn re-raises it after a clean
    # shutdown, as a well-behaved process does) stopped cleanly
    clean = {0, -signal.SIGTERM, -signal.SIGINT}
    if stopping and all(c in clean for c in codes):
        return 0
    return max(abs(c) for c in codes) or 1


def cmd_up(args: argparse.Namespace) -> int:
    from tools.scenes.cli import build_and_report, render_pictures

    live = args.data_dir / "catalogue"  # the database's live entries, as the world server last wrote them
    code = build_and_report(out=args.data_dir / "scenes", parks=args.park, previews=False,
                            catalogue=live if live.is_dir() and any(live.glob("*.toml")) else None)
    if code:
        return int(code)
    if render_pictures(args.data_dir, args.park, timeout=PICTURE_TIMEOUT_S):
        sys.stderr.write("up: going on without park pictures (the portal shows placeholders)\n")
    exe = shutil.which("cloudpark") or str(Path(sys.executable).with_name("cloudpark"))
    port = args.port or free_port(args.host)
    game_port = args.game_port if args.port and args.game_port else free_port(args.host)
    problem = publish(args.data_dir)  # pages find the game port from the page that serves them
    if problem is not None:
        sys.stderr.write(f"up: the web client was not published: {problem}\n")
        if args.no_serve:
            return 1
    if args.no_serve:
        return 0
    web = has_command(exe, "web")
    host = browser_host(args.host)
    where = f"database {_safe_url(args.database)}" if args.database else "the embedded default"
    say(f"Cloud Park starting on {where} (data in {args.data_dir}):")
    if web:
        say(f"  portal and consoles http://{host}:{port}/")
    if problem is None:
        say(f"  open in a browser  http://{host}:{port if web else game_port}/web/")
    say(f"  game websocket     ws://{host}:{game_port}/ws")
    say(f"  health             http://{host}:{game_port}/healthz")
    say(f"  parks              http://{host}:{game_port}/parks.json")
    say(f"  metrics            http://{host}:{game_port}/metrics")
    sys.stdout.flush()
    env = dict(os.environ)
    if args.park:  # host the parks asked for; do not build the rest at start
        env["CLOUDPARK_BUILD_SCENES"] = "0"
    common = ["--data-dir", str(args.data_dir), "--host", args.host]
    if args.database:
        common += ["--database", args.database]
    procs = [subprocess.Popen([exe, "serve", "--port", str(game_port), *common], env=env)]  # noqa: S603
    if web:
        procs.append(subprocess.Popen([exe, "web", "--port", str(port), "--game-url",  # noqa: S603
                                       f"ws://{host}:{game_port}/ws", *common], env=env))
    return supervise(procs)
