"""``cloudpark serve``, ``cloudpark accounts create``, ``cloudpark booths assign|list``,
``cloudpark demo seed``."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import signal
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

log = logging.getLogger("cloudpark.server")


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from server.config import load_config

    overrides = {k: getattr(args, k, None) for k in ("host", "port", "data_dir", "tick_rate", "view_radius", "snapshot_mode")}
    return load_config(getattr(args, "config", None), overrides=overrides)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="host every park: websocket game server + HTTP files on one port")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default 8765; 0 picks a free one)")
    p.add_argument("--data-dir", type=Path, default=None, help="scenes, database, web export (default ./var)")
    p.add_argument("--tick-rate", type=int, default=None, help="simulation ticks per second (default 20)")
    p.add_argument("--view-radius", type=float, default=None, help="metres a visitor sees (default 40)")
    p.add_argument("--config", type=Path, default=None, help="TOML file with [server] settings")
    p.add_argument("--snapshot-mode", choices=("aoi", "naive"), default=None,
                   help="aoi (default): interest-managed snapshots; naive: the benchmark baseline only")
    p.set_defaults(handler=cmd_serve)

    acc = sub.add_parser("accounts", help="manage accounts (staff, government, admin roles)")
    asub = acc.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    p = asub.add_parser("create", help="create an account with any role")
    p.add_argument("--user", required=True)
    p.add_argument("--role", required=True,
                   choices=["visitor", "enterprise", "organizer", "park_staff", "government", "admin"])
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--company", default="", help="the enterprise an enterprise account belongs to")
    p.add_argument("--parks", default="", help="park ids a park_staff account runs, comma separated")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--config", type=Path, default=None)
    p.set_defaults(handler=cmd_accounts_create)

    booths = sub.add_parser("booths", help="booth slots: who owns which (acts on the store of --data-dir)")
    bsub = booths.add_subparsers(dest="booths_command", metavar="ACTION", required=True)
    p = bsub.add_parser("assign", help="give a booth slot to an enterprise account (a running server picks "
                        "it up within seconds)")
    p.add_argument("--park", required=True, help="park id, e.g. 798-art-zone")
    p.add_argument("--booth", required=True, help="booth slot id within the park (see `booths list`)")
    p.add_argument("--owner", required=True, help='the enterprise account (user name) that gets the slot; "" frees it')
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--config", type=Path, default=None)
    p.set_defaults(handler=cmd_booths_assign)
    p = bsub.add_parser("list", help="every booth slot of a park with its owner")
    p.add_argument("--park", required=True, help="park id")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--config", type=Path, default=None)
    p.set_defaults(handler=cmd_booths_list)

    demo = sub.add_parser("demo", help="demo data (clearly labelled as demo)")
    dsub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    p = dsub.add_parser("seed", help="create demo enterprises owning booths in several parks")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--config", type=Path, default=None)
    p.set_defaults(handler=cmd_demo_seed)


def cmd_serve(args: argparse.Namespace) -> int:
    from server.app import App

    cfg = _config(args)
    if not getattr(args, "verbose", False):  # quiet by default: no line per HTTP request
        logging.getLogger("websockets").setLevel(logging.WARNING)

    async def main() -> None:
        app = App(cfg)
        await app.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print(f"cloudpark serving {len(app.parks)} parks: ws://{cfg.host}:{app.port}/ws  "  # noqa: T201
              f"health http://{cfg.host}:{app.port}/healthz", flush=True)
        await stop.wait()
        log.info("signal received: telling clients and flushing the store")
        await app.stop()

    _run_fast(main())
    return 0


def _run_fast(coro: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop when it is installed (the ``bench`` extra: a cheaper event
    loop on the hot receive/send path), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(coro)


def cmd_accounts_create(args: argparse.Namespace) -> int:
    from server.accounts import AccountError, Accounts
    from server.store import Store

    cfg = _config(args)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.user}: ")

    async def main() -> int:
        store = await Store(cfg.db_path).open()
        try:
            acc = await Accounts(store, scrypt_n=cfg.scrypt_n).create(
                args.user, password, args.name, args.role, args.company,
                parks=tuple(p for p in args.parks.split(",") if p), now=time.time())
        except AccountError as exc:
            print(f"refused: {exc}", file=sys.stderr)  # noqa: T201
            return 1
        finally:
            await store.close()
        print(f"created {acc.role} account {acc.user!r} ({acc.name})")  # noqa: T201
        return 0

    return asyncio.run(main())


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from server.demo import seed

    cfg = _config(args)
    logins = asyncio.run(seed(cfg))
    print("demo data seeded (every name is marked '(demo)'). Demo logins:")  # noqa: T201
    for user, password, company, booths in logins:
        print(f"  user {user:16} password {password:16} {company}: {', '.join(booths)}")  # noqa: T201
    return 0


def _park_slots(cfg, park: str) -> list[str] | str:  # type: ignore[no-untyped-def]
    """The park's booth slot ids from its scene, or why they cannot be read."""
    from world.glb import layout_from_glb

    scene = cfg.scenes_dir / f"{park}.glb"
    if not scene.is_file():
        return f"no scene for park {park!r} at {scene}: build it with `cloudpark scenes build --park {park}`"
    try:
        return [b.id for b in layout_from_glb(scene.read_bytes()).booths]
    except ValueError as exc:
        return f"scene {scene} is unreadable: {exc}"


def cmd_booths_assign(args: argparse.Namespace) -> int:
    import msgspec

    from server.store import Store
    from world.booths import BoothRecord, BoothRuleError, check_owner, content_after_assign
    from world.protocol.messages import BoothContent

    cfg = _config(args)
    slots = _park_slots(cfg, args.park)
    if isinstance(slots, str):
        print(f"refused: {slots}", file=sys.stderr)  # noqa: T201
        return 1
    if args.booth not in slots:
        print(f"refused: park {args.park} has no booth slot {args.booth!r} "  # noqa: T201
              f"(slots: {', '.join(slots)})", file=sys.stderr)
        return 1

    async def main() -> int:
        store = await Store(cfg.db_path).open()
        try:
            company = ""
            if args.owner:
                row = await store.account(args.owner)
                if row is None:
                    print(f"refused: no account {args.owner!r}", file=sys.stderr)  # noqa: T201
                    return 1
                try:
                    check_owner(row.user, row.role, row.company)
                except BoothRuleError as exc:
                    print(f"refused: {exc.problem}", file=sys.stderr)  # noqa: T201
                    return 1
                company = row.company
            old = {r["booth"]: r for r in await store.booths(args.park)}.get(args.booth)
            record = BoothRecord(args.booth, args.park)
            if old is not None:
                record.owner_company = old["owner_company"]
                record.content = msgspec.json.decode(old["content"], type=BoothContent)
            content = content_after_assign(record, company)
            await store.save_booth(args.park, args.booth, company, args.owner,
                                   msgspec.json.encode(content).decode(), time.time())
        finally:
            await store.close()
        if company:
            print(f"{args.park}/{args.booth} now belongs to {company} (account {args.owner})")  # noqa: T201
        else:
            print(f"{args.park}/{args.booth} is free")  # noqa: T201
        return 0

    return asyncio.run(main())


def cmd_booths_list(args: argparse.Namespace) -> int:
    import msgspec

    from server.store import Store
    from world.protocol.messages import BoothContent

    cfg = _config(args)
    slots = _park_slots(cfg, args.park)
    if isinstance(slots, str):
        print(f"refused: {slots}", file=sys.stderr)  # noqa: T201
        return 1

    async def main() -> dict[str, tuple[str, str, str, bool]]:
        store = await Store(cfg.db_path).open()
        try:
            rows = await store.booths(args.park)
        finally:
            await store.close()
        out = {}
        for r in rows:
            try:
                name = msgspec.json.decode(r["content"], type=BoothContent).name
            except msgspec.DecodeError:
                name = "?"
            out[r["booth"]] = (r["owner_company"], r["owner_user"], name, bool(r["demo"]))
        return out

    owners = asyncio.run(main())
    print(f"{'booth':12} {'owner':32} {'account':16} name")  # noqa: T201
    for slot in slots:
        company, user, name, demo = owners.get(slot, ("", "", "", False))
        label = (company or "(free)") + (" [demo]" if demo else "")
        print(f"{slot:12} {label:32} {user or '-':16} {name}")  # noqa: T201
    return 0
