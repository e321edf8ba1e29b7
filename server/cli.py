"""``cloudpark serve``, ``accounts create|sign-out``, ``orgs list|add-member|create|appoint|organizer``,
``booths assign|list``, ``demo seed``: the server's command line.

Operator commands act on the store of ``--data-dir`` (or ``--database``); a running
server on that data dir hears of their booth changes at once through its bus hub
(``server.bus_hub``), or at its next catch-up (every ``booth_sync_s``) if the hint
could not be delivered.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

log = logging.getLogger("cloudpark.server")
OVERRIDES = ("host", "port", "web_port", "data_dir", "tick_rate", "view_radius", "snapshot_mode", "database",
             "game_url")


def _config(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from server.config import load_config

    overrides = {k: getattr(args, k, None) for k in OVERRIDES}
    return load_config(getattr(args, "config", None), overrides=overrides)


def _store_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument("--data-dir", type=Path, default=None, help="scenes, SQLite database, web export (default ./var)")
    p.add_argument("--database", default=None,
                   help="database URL (default: SQLite in --data-dir; e.g. postgresql+asyncpg://postgres@127.0.0.1/cloudpark)")
    p.add_argument("--config", type=Path, default=None, help="TOML file with [server] settings")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="host every park: websocket game server + HTTP files on one port")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="game port (default 8766; 0 picks a free one)")
    p.add_argument("--tick-rate", type=int, default=None, help="simulation ticks per second (default 20)")
    p.add_argument("--view-radius", type=float, default=None, help="metres a visitor sees (default 40)")
    p.add_argument("--snapshot-mode", choices=("aoi", "naive"), default=None,
                   help="aoi (default): interest-managed snapshots; naive: the benchmark baseline only")
    _store_flags(p)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("web", help="the web app: portal, consoles and /api/ (its own process; the world "
                       "server runs the game websocket on its own port)")
    p.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, dest="web_port",
                   help="the web app's port (default 8765; 0 picks a free one)")
    p.add_argument("--game-url", default=None,
                   help="the game websocket the portal announces (default ws://127.0.0.1:8766/ws)")
    _store_flags(p)
    p.set_defaults(handler=cmd_web)

    p = sub.add_parser("reload", help="tell the running server to rebuild a park's scene from the catalogue "
                       "and reload it (visitors stay; a new park goes online)")
    p.add_argument("--park", required=True, help="park id, e.g. 798-art-zone")
    _store_flags(p)
    p.set_defaults(handler=cmd_reload)

    acc = sub.add_parser("accounts", help="manage accounts (staff, government, admin roles)")
    asub = acc.add_subparsers(dest="accounts_command", metavar="ACTION", required=True)
    p = asub.add_parser("create", help="create an account with any role")
    p.add_argument("--user", required=True)
    p.add_argument("--role", required=True,
                   choices=["visitor", "enterprise", "organizer", "park_staff", "government", "admin"])
    p.add_argument("--name", required=True, help="display name")
    p.add_argument("--company", default="", help="enterprise accounts: found a NEW enterprise of this name, "
                   "owned by the account (to join an existing one: no --company, then `orgs add-member`)")
    p.add_argument("--parks", default="", help="park_staff accounts: park ids they work for, comma separated")
    p.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _store_flags(p)
    p.set_defaults(handler=cmd_accounts_create)
    p = asub.add_parser("sign-out", help="revoke every login token of an account (sign out everywhere)")
    p.add_argument("--user", required=True)
    _store_flags(p)
    p.set_defaults(handler=cmd_accounts_sign_out)

    orgs = sub.add_parser("orgs", help="organizations (enterprises, parks) and their members")
    osub = orgs.add_subparsers(dest="orgs_command", metavar="ACTION", required=True)
    p = osub.add_parser("list", help="every organization with its id, kind and members")
    _store_flags(p)
    p.set_defaults(handler=cmd_orgs_list)
    p = osub.add_parser("add-member", help="give an account a role in an organization")
    p.add_argument("--org", type=int, required=True, help="organization id (see `orgs list`)")
    p.add_argument("--user", required=True)
    p.add_argument("--role", required=True, choices=["owner", "admin", "member", "staff", "officer"])
    _store_flags(p)
    p.set_defaults(handler=cmd_orgs_add_member)
    p = osub.add_parser("create", help="create a government department or a service institution (audit-logged; "
                        "parks come online through a proposal an admin approves)")
    p.add_argument("--kind", required=True, choices=["department", "institution"])
    p.add_argument("--name-zh", default="", help="the Chinese name (this or --name-en is required)")
    p.add_argument("--name-en", default="", help="the English name")
    p.add_argument("--services", default="", help="institutions: what it offers, comma separated, of "
                   "legal, ip, finance, hr, tech_transfer")
    p.add_argument("--park", default="", help="institutions: the park id it sits in")
    _store_flags(p)
    p.set_defaults(handler=cmd_orgs_create)
    p = osub.add_parser("appoint", help="appoint an officer of a department or the owner, admin, staff or member of "
                        "an institution (audit-logged; the person is told in their inbox and their live 3D session "
                        "gets its new rights)")
    p.add_argument("--org", type=int, required=True, help="organization id (see `orgs list`)")
    p.add_argument("--user", required=True)
    p.add_argument("--role", required=True, choices=["owner", "admin", "staff", "member", "officer"])
    _store_flags(p)
    p.set_defaults(handler=cmd_orgs_appoint)
    p = osub.add_parser("organizer", help="grant a visitor's account the event organizer role (or --withdraw it); "
                        "audit-logged, the person told")
    p.add_argument("--user", required=True)
    p.add_argument("--withdraw", action="store_true", help="make the organizer a visitor again")
    _store_flags(p)
    p.set_defaults(handler=cmd_orgs_organizer)

    booths = sub.add_parser("booths", help="booth slots: who owns which")
    bsub = booths.add_subparsers(dest="booths_command", metavar="ACTION", required=True)
    p = bsub.add_parser("assign", help="give a booth slot to an enterprise (a running server takes it "
                        "within its catch-up interval, 5 s by default)")
    p.add_argument("--park", required=True, help="park id, e.g. 798-art-zone")
    p.add_argument("--booth", required=True, help="booth slot id within the park (see `booths list`)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--org", type=int, help="the enterprise (organization id) that gets the slot")
    who.add_argument("--owner", help="the account whose one enterprise gets the slot")
    who.add_argument("--free", action="store_true", help="free the slot")
    _store_flags(p)
    p.set_defaults(handler=cmd_booths_assign)
    p = bsub.add_parser("list", help="every booth slot of a park with its owner")
    p.add_argument("--park", required=True, help="park id")
    _store_flags(p)
    p.set_defaults(handler=cmd_booths_list)

    demo = sub.add_parser("demo", help="demo data (clearly labelled as demo)")
    dsub = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    p = dsub.add_parser("seed", help="create demo enterprises owning booths in several parks")
    p.add_argument("--zone", action="store_true",
                   help="also seed a zone-sized data set: 51 parks, 50,000 enterprises, 300 institutions, "
                        "100,000 employee accounts, 1,000 spaces (all marked demo; minutes)")
    p.add_argument("--scale", type=float, default=1.0, help="with --zone: a fraction of the zone's size (e.g. 0.01)")
    _store_flags(p)
    p.set_defaults(handler=cmd_demo_seed)


def cmd_serve(args: argparse.Namespace) -> int:
    from server.main import App

    cfg = _config(args)
    if not getattr(args, "verbose", False):  # quiet by default: no line per HTTP request
        logging.getLogger("websockets").setLevel(logging.WARNING)

    async def main() -> None:
        app = App(cfg)
        await app.start()
        # What start loaded (modules, catalogue, layouts, walk grids) lives as long as the
        # process: in the permanent generation, the collector's full passes skip it
        # (they took ~0.2 s each, a stalled tick, with 1,000 visitors in).
        gc.freeze()
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


def cmd_web(args: argparse.Namespace) -> int:
    from server.web.main import run

    run(_config(args))
    return 0


def _run_fast(coro: Coroutine[Any, Any, None]) -> None:
    """Run the server on uvloop when it is installed (the ``bench`` extra), else on asyncio."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(coro)


def _with_store(cfg: Any, work: Callable[[Any], Awaitable[int]]) -> int:
    from server.db import Store

    async def main() -> int:
        store = await Store.open(cfg.database_url)
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(main())


async def _bus(cfg: Any) -> Any:
    """A link to the running server's bus hub, so it hears of a change at once; without
    a running server, a bus nobody listens on (the server catches up when it starts)."""
    from server.bus_link import LinkBus

    link = LinkBus(cfg.bus_socket)
    await link.connect_once(timeout=0.5)
    return link


def cmd_reload(args: argparse.Namespace) -> int:
    from server.park_reload import CHANGED

    cfg = _config(args)

    async def main() -> int:
        bus = await _bus(cfg)
        try:
            if not bus.connected.is_set():
                return _refuse(f"no running server on data dir {cfg.data_dir} (its bus hub {cfg.bus_socket} "
                               "does not answer); a server builds missing scenes when it starts")
            bus.publish(CHANGED, {"park": args.park})
        finally:
            await bus.close()
        print(f"asked the running server to rebuild and reload {args.park}")  # noqa: T201
        return 0

    return asyncio.run(main())


def _operator() -> str:
    """Who runs an operator command, for the audit log."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


def _refuse(text: str) -> int:
    print(f"refused: {text}", file=sys.stderr)  # noqa: T201
    return 1


def cmd_accounts_create(args: argparse.Namespace) -> int:
    from server.accounts import AccountError, Accounts

    cfg = _config(args)
    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(
        f"password for {args.user}: ")
    parks = [p for p in args.parks.split(",") if p]

    async def work(store: Any) -> int:
        accounts = Accounts(store, scrypt_n=cfg.scrypt_n)
        now = time.time()
        try:
            acc = await accounts.create(args.user, password, args.name, args.role, company=args.company,
                                        parks=tuple(parks), now=now)
        except AccountError as exc:
            return _refuse(str(exc))
        await store.audit.add(_operator(), "account.create", f"account:{acc.user}",
                              {"role": acc.role, "company": args.company, "parks": parks}, now=now)
        print(f"created {acc.role} account {acc.user!r} ({acc.name})")  # noqa: T201
        return 0

    return _with_store(cfg, work)


def cmd_accounts_sign_out(args: argparse.Namespace) -> int:
    cfg = _config(args)

    async def work(store: Any) -> int:
        n = await store.accounts.revoke_all(args.user)
        await store.audit.add(_operator(), "account.sign_out_everywhere", f"account:{args.user}", {"tokens": n},
                              now=time.time())
        bus = await _bus(cfg)  # a running server closes the account's sessions at once
        bus.publish("account.changed", {"user": args.user, "signed_out": True})
        await bus.close()
        print(f"revoked {n} login token(s) of {args.user!r}")  # noqa: T201
        return 0

    return _with_store(cfg, work)


def cmd_orgs_list(args: argparse.Namespace) -> int:
    async def work(store: Any) -> int:
        print(f"{'id':>6} {'kind':11} {'name':40} members")  # noqa: T201
        after = 0
        while batch := await store.orgs.all(after=after, limit=500):
            for org in batch:
                members = ", ".join(f"{m.user} ({m.role})" for m in await store.orgs.members(org.id))
                label = org.name + (" [demo]" if org.demo else "")
                print(f"{org.id:>6} {org.kind:11} {label:40} {members or '-'}")  # noqa: T201
            after = batch[-1].id
        return 0

    return _with_store(_config(args), work)


def cmd_orgs_add_member(args: argparse.Namespace) -> int:
    cfg = _config(args)

    async def work(store: Any) -> int:
        org = await store.orgs.get(args.org)
        if org is None:
            return _refuse(f"no organization {args.org} (see `cloudpark orgs list`)")
        if await store.accounts.get(args.user) is None:
            return _refuse(f"no account {args.user!r}")
        await store.orgs.add_member(org.id, args.user, args.role, time.time())
        await store.audit.add(_operator(), "org.add_member", f"org:{org.id}", {"user": args.user, "role": args.role},
                              now=time.time())
        bus = await _bus(cfg)  # the account's live sessions get their new rights at once
        bus.publish("account.changed", {"user": args.user})
        await bus.close()
        print(f"{args.user} is now {args.role} of {org.name} ({org.kind} {org.id})")  # noqa: T201
        return 0

    return _with_store(cfg, work)


def cmd_orgs_create(args: argparse.Namespace) -> int:
    from server import org_admin
    from server.parks import load_catalogue

    cfg = _config(args)
    services = tuple(part.strip() for part in args.services.split(",") if part.strip())
    new = org_admin.NewOrg(kind=args.kind, name_zh=args.name_zh, name_en=args.name_en, service_kinds=services,
                           park_id=args.park)

    async def work(store: Any) -> int:
        parks = {p.id for p in load_catalogue(cfg.catalogue_dir)}
        try:
            org_id = await org_admin.create(store, new, parks=parks, actor=_operator(), now=time.time())
        except org_admin.OrgProblems as exc:
            return _refuse(str(exc))  # each field named: name_zh, service_kinds (--services), park_id (--park)
        print(f"created {args.kind} {org_admin.org_name(new)!r} with id {org_id}")  # noqa: T201
        return 0

    return _with_store(cfg, work)


def _role_change(args: argparse.Namespace, change: Callable[[Any, Any], Awaitable[Any]],
                 told: Callable[[Any], Awaitable[str]]) -> int:
    """A platform role change (``server.org_admin``) with the running server told over its
    bus: ``change(store, bus)`` gives a problem or None; ``told(store)`` what to print."""
    from server import org_admin

    cfg = _config(args)

    async def work(store: Any) -> int:
        bus = await _bus(cfg)
        try:
            problem = await change(store, bus)
        finally:
            await bus.close()
        if problem is not None:
            return _refuse(org_admin.said(problem))
        print(await told(store))  # noqa: T201
        return 0

    return _with_store(cfg, work)


def cmd_orgs_appoint(args: argparse.Namespace) -> int:
    from server import org_admin

    async def told(store: Any) -> str:
        org = await store.orgs.get(args.org)
        return f"{args.user} is now {args.role} of {org.name} ({org.kind} {org.id})"

    return _role_change(args, lambda store, bus: org_admin.appoint(
        store, bus, args.org, args.user, args.role, actor=_operator(), by=_operator(), now=time.time()), told)


def cmd_orgs_organizer(args: argparse.Namespace) -> int:
    from server import org_admin

    async def told(_: Any) -> str:
        return f"{args.user} is {'a visitor again' if args.withdraw else 'an event organizer now'}"

    return _role_change(args, lambda store, bus: org_admin.set_organizer(
        store, bus, args.user, not args.withdraw, actor=_operator(), by=_operator(), now=time.time()), told)


def _seed_zone(cfg: Any, scale: float) -> None:
    from server.db import Store
    from server.demo import DEMO_PASSWORD
    from server.demo_zone import seed_zone
    from server.demo_zone_data import ZoneSize
    from server.parks import load_catalogue

    def progress(line: str) -> None:
        print(f"  {line}", flush=True)  # noqa: T201

    async def work() -> None:
        store = await Store.open(cfg.database_url)
        try:
            size = ZoneSize().scaled(scale)
            print(f"seeding the demo zone into {store.db.url}: {size}", flush=True)  # noqa: T201
            done = await seed_zone(store, load_catalogue(cfg.catalogue_dir), size, now=time.time(),
                                   progress=progress)
        finally:
            await store.close()
        if done.nothing_new:
            print(f"the demo zone was seeded already: nothing new ({done.seconds:.1f} s)")  # noqa: T201
        else:
            print(f"demo zone seeded in {done.seconds:.1f} s: {done.parks} parks, {done.enterprises:,} enterprises, "  # noqa: T201
                  f"{done.institutions} institutions, {done.accounts:,} accounts, {done.spaces} spaces, "
                  f"{done.policies:,} policies ({done.policy_matches:,} matches) new; "
                  f"every demo account's password is {DEMO_PASSWORD!r}")

    asyncio.run(work())


def cmd_demo_seed(args: argparse.Namespace) -> int:
    from server.demo import seed

    cfg = _config(args)
    if args.zone:
        _seed_zone(cfg, args.scale)
    logins = asyncio.run(seed(cfg))
    print("demo data seeded (every name is marked '(demo)'). Demo logins:")  # noqa: T201
    for user, password, company, booths in logins:
        print(f"  user {user:16} password {password:16} {company}: {', '.join(booths)}")  # noqa: T201
    return 0


def _park_slots(cfg: Any, park: str) -> list[str] | str:
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
    from server.booths import assign, enterprise_of
    from world.booths import BoothRuleError

    cfg = _config(args)
    slots = _park_slots(cfg, args.park)
    if isinstance(slots, str):
        return _refuse(slots)
    if args.booth not in slots:
        return _refuse(f"park {args.park} has no booth slot {args.booth!r} (slots: {', '.join(slots)})")

    async def work(store: Any) -> int:
        bus = await _bus(cfg)
        try:
            org_id = await enterprise_of(store, args.owner) if args.owner else args.org
            org = await assign(store, bus, args.park, args.booth, org_id, time.time(), actor=_operator())
        except (LookupError, BoothRuleError) as exc:
            return _refuse(str(exc.args[0]) if isinstance(exc, LookupError) else str(exc))
        finally:
            await bus.close()
        where = f"{args.park}/{args.booth}"
        print(f"{where} now belongs to {org.name} (organization {org.id})" if org else f"{where} is free")  # noqa: T201
        return 0

    return _with_store(cfg, work)


def cmd_booths_list(args: argparse.Namespace) -> int:
    cfg = _config(args)
    slots = _park_slots(cfg, args.park)
    if isinstance(slots, str):
        return _refuse(slots)

    async def work(store: Any) -> int:
        rows = {r.booth: r for r in await store.booths.all() if r.park == args.park}
        print(f"{'booth':12} {'owner':40} {'org':>6} name")  # noqa: T201
        for slot in slots:
            r = rows.get(slot)
            label = ((r.owner_name or "(free)") + (" [demo]" if r.demo else "")) if r else "(free)"
            org = str(r.owner_org) if r and r.owner_org is not None else "-"
            print(f"{slot:12} {label:40} {org:>6} {r.content.name if r else ''}")  # noqa: T201
        return 0

    return _with_store(cfg, work)
