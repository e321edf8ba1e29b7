"""``cloudpark bench crowd``: how many visitors one server core holds, measured."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def _counts(text: str) -> tuple[int, ...]:
    try:
        counts = tuple(int(c) for c in text.split(",") if c.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated client counts, got {text!r}") from None
    if not counts or any(c < 1 for c in counts):
        raise argparse.ArgumentTypeError("client counts must be positive integers")
    return counts


def _core(text: str) -> int | None:
    return None if text.lower() == "none" else int(text)


def _outputs(p: argparse.ArgumentParser, out_help: str = "data, logs, JSON and Markdown go here") -> None:
    """Where a bench writes: --out, and the Markdown it appends to (--docs, --no-docs)."""
    p.add_argument("--out", type=Path, default=Path("var/bench"), help=out_help)
    p.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="Markdown file to append to")
    p.add_argument("--no-docs", action="store_true", help="do not append to the Markdown file")


def _engines(text: str, bench: str) -> list[str] | None:
    """The engines --engines names (None, after saying why, when it names others or none)."""
    wanted = [e.strip() for e in text.split(",") if e.strip()]
    if not wanted or any(e not in ("sqlite", "postgresql") for e in wanted):
        sys.stderr.write(f"cloudpark bench {bench}: --engines takes sqlite and/or postgresql\n")
        return None
    return wanted


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bench = sub.add_parser("bench", help="benchmarks", description="Benchmarks that print figures and write JSON.")
    bsub = bench.add_subparsers(dest="bench_command", metavar="BENCH", required=True)
    p = bsub.add_parser(
        "crowd", help="step a pinned server through crowds of bots",
        description="Start `cloudpark serve` pinned to one core, drive it with `cloudpark bots` on another, "
        "step through client counts, and write JSON, a PNG plot and a Markdown table.",
    )
    p.add_argument("--clients", type=_counts, default=(250, 500, 1000, 1500, 2000), help="comma-separated counts")
    p.add_argument("--seconds", type=float, default=20.0, help="measured seconds per step (default 20)")
    p.add_argument("--shape", choices=("tour", "showcase"), default="tour")
    p.add_argument("--park", default="798-art-zone", help="park to fill (default 798-art-zone)")
    p.add_argument("--naive", action="store_true", help="also run every count against --snapshot-mode naive")
    p.add_argument("--naive-clients", type=_counts, default=(), help="other counts for naive mode (it saturates early)")
    _outputs(p, "where JSON, plot and logs go")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="the server's data dir (scenes)")
    p.add_argument("--tick-rate", type=int, default=20)
    p.add_argument("--view-radius", type=float, default=None, help="server view radius (default: the server's)")
    p.add_argument("--procs", type=int, default=1, help="bot processes (default 1)")
    p.add_argument("--ramp", type=float, default=250.0, help="bot connections per second (default 250)")
    p.add_argument("--batch", type=int, default=2, choices=(1, 2, 3, 4), metavar="N",
                   help="ticks per bot input message (`in.n`, default 2: 10 Hz messages)")
    p.add_argument("--server-core", type=_core, default=0, help="core for the server, or none")
    p.add_argument("--bots-core", type=_core, default=1, help="core for the bots, or none")
    p.add_argument("--before", type=Path, default=None, metavar="DIR",
                   help="a checkout of the code before a change (e.g. `git worktree add DIR REF`): its server "
                   "runs every count too, as mode `before`, interleaved with this one's (same bots)")
    p.add_argument("--rounds", type=int, default=1, help="runs of every count and mode, interleaved; the "
                   "summary takes the median (default 1)")
    p.set_defaults(handler=cmd_crowd)
    register_api(bsub)
    register_bookings(bsub)
    register_services(bsub)
    register_showcase(bsub)
    register_sends(bsub)
    register_browser_frames(bsub)


def _command(args: argparse.Namespace) -> str:
    """The command line that reproduces this run (for the table's caption)."""
    parts = ["cloudpark bench crowd", f"--clients {','.join(map(str, args.clients))}",
             f"--seconds {args.seconds:g}", f"--shape {args.shape}", f"--park {args.park}"]
    if args.naive_clients:
        parts.append(f"--naive-clients {','.join(map(str, args.naive_clients))}")
    elif args.naive:
        parts.append("--naive")
    if args.before is not None:
        parts.append(f"--before {args.before}")
    if args.rounds > 1:
        parts.append(f"--rounds {args.rounds}")
    return " ".join(parts)


def _commit_of(tree: Path) -> str | None:
    """The commit a checkout stands on (with ``+changes`` when its files differ from it)."""
    import subprocess

    try:
        head = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True,  # noqa: S607
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+changes" if dirty else "")


def cmd_crowd(args: argparse.Namespace) -> int:
    from tools.bench.crowd import CrowdBench, run_bench
    from tools.bench.report import machine, verdict, write
    from tools.bench.server_process import BenchError

    if args.seconds <= 0 or args.procs < 1 or args.ramp <= 0 or args.rounds < 1:
        sys.stderr.write("cloudpark bench crowd: --seconds, --procs, --ramp and --rounds must be positive\n")
        return 2
    if args.before is not None and not (args.before / "tools" / "cli.py").is_file():
        sys.stderr.write(f"cloudpark bench crowd: --before {args.before}: no checkout of Cloud Park there "
                         "(tools/cli.py missing)\n")
        return 2
    bench = CrowdBench(
        clients=args.clients, seconds=args.seconds, shape=args.shape, park=args.park,
        naive=args.naive or bool(args.naive_clients), naive_clients=args.naive_clients,
        tick_rate=args.tick_rate, view_radius=args.view_radius, data_dir=args.data_dir, work_dir=args.out,
        server_core=args.server_core, bots_core=args.bots_core, procs=args.procs, ramp_per_s=args.ramp,
        batch=args.batch, before_dir=args.before.resolve() if args.before else None, rounds=args.rounds,
    )
    started = time.time()
    host = machine()  # before the run: the load average says how busy the machine was
    try:
        steps = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench crowd: {exc}\n")
        return 1
    run = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
        "started_epoch": started,
        "command": _command(args),
        "machine": host,
        "settings": {"park": args.park, "shape": args.shape, "seconds": args.seconds, "tick_rate": args.tick_rate,
                     "batch": args.batch,
                     "view_radius": args.view_radius, "procs": args.procs, "ramp_per_s": args.ramp,
                     "server_core": args.server_core, "bots_core": args.bots_core, "clients": list(args.clients),
                     "before": str(args.before) if args.before else None, "rounds": args.rounds,
                     "before_commit": _commit_of(args.before) if args.before else None,
                     "naive_clients": list(args.naive_clients or (args.clients if args.naive else ()))},
        "steps": steps,
        "verdict": verdict(steps),
    }
    paths = write(run, args.out, None if args.no_docs else args.docs)
    from tools.bench.report import markdown

    sys.stdout.write(markdown(run) + "\n")
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in paths.items()))
    return 0 if any("error" not in s and "skipped" not in s for s in steps) else 1


def register_api(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "api", help="the web app under load at zone scale, on SQLite and PostgreSQL",
        description="Seed the demo zone per engine, start `cloudpark web` pinned to one core, load it with "
        "concurrent HTTP clients (directory searches, portal, each role's console) and write JSON + Markdown; "
        "--with-crowd N also measures the world server's tick with N bots, alone and under the API load.",
    )
    p.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    p.add_argument("--pg-database", default="postgresql+asyncpg://postgres@127.0.0.1/cloudpark_bench",
                   help="the PostgreSQL URL (created when missing)")
    p.add_argument("--reuse", action="store_true", help="use the databases as they are (seeded before): no seed")
    p.add_argument("--scale", type=float, default=1.0, help="a fraction of the zone's size (default 1: 50,000 "
                   "enterprises)")
    p.add_argument("--enterprises", type=int, default=None, help="the zone's size by enterprises (overrides --scale)")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario (default 10)")
    p.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    p.add_argument("--scenario", action="append", default=[], help="only this scenario (repeatable)")
    p.add_argument("--web-core", type=_core, default=0, help="core for `cloudpark web`, or none")
    p.add_argument("--load-core", type=_core, default=1, help="core for the load generator, or none")
    p.add_argument("--with-crowd", type=int, default=0, metavar="N", help="also: the tick with N bots, "
                   "alone and under the directory load")
    p.add_argument("--crowd-core", type=_core, default=0, help="core for the world server (with --with-crowd)")
    p.add_argument("--bots-core", type=_core, default=1, help="core for the bots (with --with-crowd)")
    p.add_argument("--scenes-dir", type=Path, default=Path("var/scenes"), help="where the crowd park's scene is")
    _outputs(p)
    p.set_defaults(handler=cmd_api)


def cmd_api(args: argparse.Namespace) -> int:
    from tools.bench.api import ApiBench, Engine, machine, run_bench, with_scale
    from tools.bench.api_report import markdown, write
    from tools.bench.server_process import BenchError

    wanted = _engines(args.engines, "api")
    if wanted is None:
        return 2
    if args.seconds <= 0 or args.clients < 1 or args.with_crowd < 0 or not 0 < args.scale <= 1 or (
            args.enterprises is not None and args.enterprises < 10):
        sys.stderr.write("cloudpark bench api: --seconds, --clients, --scale (0..1] and --enterprises (>= 10) "
                         "must be positive\n")
        return 2
    engines = tuple(Engine(e, args.out / f"api-{e}", args.pg_database if e == "postgresql" else None)
                    for e in wanted)
    bench = with_scale(ApiBench(engines=engines, seconds=args.seconds, clients=args.clients, scale=args.scale,
                                reuse=args.reuse, web_core=args.web_core, load_core=args.load_core,
                                work_dir=args.out, with_crowd=args.with_crowd, crowd_core=args.crowd_core,
                                bots_core=args.bots_core, scenes_dir=args.scenes_dir,
                                scenarios=tuple(args.scenario)), args.enterprises)
    started = time.time()
    host = machine()
    try:
        results = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench api: {exc}\n")
        return 1
    command = " ".join(["cloudpark bench api", f"--engines {','.join(wanted)}", f"--seconds {args.seconds:g}",
                        f"--clients {args.clients}", f"--scale {bench.scale:g}"]
                       + (["--reuse"] if args.reuse else []) + ([f"--with-crowd {args.with_crowd}"]
                                                                 if args.with_crowd else []))
    run = {"bench": "api", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started, "command": command, "machine": host,
           "settings": {"seconds": args.seconds, "clients": args.clients, "scale": bench.scale,
                        "web_core": args.web_core, "load_core": args.load_core, "engines": wanted,
                        "with_crowd": args.with_crowd},
           "results": results}
    paths = write(run, args.out, None if args.no_docs else args.docs)
    sys.stdout.write(markdown(run) + "\n")
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in paths.items()))
    bad = [n for e in results["engines"] for n, r in e["scenarios"].items()
           for part in r.values() if any(k != "200" for k in part["statuses"])]
    if bad:
        sys.stderr.write(f"cloudpark bench api: answers other than 200 in {', '.join(sorted(set(bad)))}\n")
    return 1 if bad else 0


def register_bookings(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "bookings", help="the booking storm: concurrent bookers on contested slots, SQLite and PostgreSQL",
        description="Per engine: a fresh database and demo zone, `cloudpark web` pinned to one core, spaces added "
        "through the park console, then a storm of concurrent booking attempts from real HTTP clients on the same "
        "popular hours (exactly one per slot may win; an independent query counts overlaps), sustained "
        "bookings/s and the free-slot search's p50/p99; JSON + Markdown.",
    )
    p.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    p.add_argument("--pg-database", default="postgresql+asyncpg://postgres@127.0.0.1/cloudpark_bench_bookings",
                   help="the PostgreSQL URL: DROPPED and created again (its name must contain 'bench')")
    p.add_argument("--clients", type=int, default=200, help="concurrent bookers (default 200)")
    p.add_argument("--attempts", type=int, default=1000, help="booking attempts in the storm (default 1000)")
    p.add_argument("--spaces", type=int, default=25, help="contested spaces (default 25)")
    p.add_argument("--hours", type=int, default=2, help="contested hours per space, from 10:00 (default 2)")
    p.add_argument("--sustain-spaces", type=int, default=1000, help="spaces for the sustained run (default 1000, "
                   "the issue's case; 0: none)")
    p.add_argument("--no-waitlists", action="store_true", help="the sustained run only books (default: each booking "
                   "is then asked for by a rival who joins its waitlist, and every 4th is cancelled: offered on)")
    p.add_argument("--search-rounds", type=int, default=30, help="rounds of the search service with the fast path "
                   "and the rule engine side by side (default 30)")
    p.add_argument("--sustain-clients", type=int, default=8, help="clients of the sustained run (default 8)")
    p.add_argument("--seconds", type=float, default=10.0, help="length of the sustained run (default 10)")
    p.add_argument("--searches", type=int, default=100, help="free-slot searches of each kind (default 100)")
    p.add_argument("--scale", type=float, default=0.05, help="the demo zone's size (default 0.05: 2,500 "
                   "enterprises, 5,000 employees)")
    p.add_argument("--web-core", type=_core, default=0, help="core for `cloudpark web`, or none")
    p.add_argument("--load-core", type=_core, default=1, help="core for the load (this process), or none")
    _outputs(p)
    p.set_defaults(handler=cmd_bookings)


def cmd_bookings(args: argparse.Namespace) -> int:
    from tools.bench.api import Engine, machine
    from tools.bench.bookings import BookingBench, markdown, run_bench, write
    from tools.bench.server_process import BenchError

    wanted = _engines(args.engines, "bookings")
    if wanted is None:
        return 2
    if not args.no_waitlists and 2 * args.sustain_clients > args.clients:
        sys.stderr.write("cloudpark bench bookings: with waitlists the sustained run needs 2 x --sustain-clients "
                         "bookers: at most --clients\n")
        return 2
    if min(args.clients, args.attempts, args.spaces, args.hours, args.sustain_clients, args.searches,
           args.search_rounds) < 1 or (
            args.seconds <= 0 or args.sustain_spaces < 0 or not 0 < args.scale <= 1 or args.hours > 8):
        sys.stderr.write("cloudpark bench bookings: --clients, --attempts, --spaces, --hours (1..8), "
                         "--sustain-clients, --searches, --seconds must be positive; --scale in (0, 1]\n")
        return 2
    engines = tuple(Engine(e, args.out / f"bookings-{e}", args.pg_database if e == "postgresql" else None)
                    for e in wanted)
    bench = BookingBench(engines=engines, clients=args.clients, attempts=args.attempts, spaces=args.spaces,
                         hours=args.hours, sustain_spaces=args.sustain_spaces, sustain_clients=args.sustain_clients,
                         seconds=args.seconds, waitlists=not args.no_waitlists, searches=args.searches,
                         search_rounds=args.search_rounds, scale=args.scale, web_core=args.web_core,
                         load_core=args.load_core, work_dir=args.out)
    started = time.time()
    host = machine()
    try:
        results = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench bookings: {exc}\n")
        return 1
    command = " ".join(["cloudpark bench bookings", f"--engines {','.join(wanted)}", f"--clients {args.clients}",
                        f"--attempts {args.attempts}", f"--spaces {args.spaces}", f"--hours {args.hours}",
                        f"--sustain-spaces {args.sustain_spaces}", f"--seconds {args.seconds:g}",
                        *(["--no-waitlists"] if args.no_waitlists else []),
                        f"--scale {args.scale:g}"])
    run = {"bench": "bookings", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started, "command": command, "machine": host,
           "settings": {k: getattr(args, k) for k in ("clients", "attempts", "spaces", "hours", "sustain_spaces",
                                                      "sustain_clients", "seconds", "searches", "search_rounds",
                                                      "scale", "web_core", "load_core")}
           | {"engines": wanted, "waitlists": not args.no_waitlists},
           "results": results}
    paths = write(run, args.out, None if args.no_docs else args.docs)
    sys.stdout.write(markdown(run) + "\n")
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in paths.items()))
    wrong = [w for e in results["engines"] for w in e["wrong"]]
    if wrong:
        sys.stderr.write("cloudpark bench bookings: " + "; ".join(wrong) + "\n")
    return 1 if wrong else 0


def register_services(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "services", help="public policy services at zone scale: search, matches, publish -> notified",
        description="Per engine: a fresh database, the demo zone (50,000 enterprises and 20,000 policies at scale 1), "
        "then policy search p50/p99, one enterprise's matches p50/p99 and publish -> every eligible enterprise "
        "notified end to end, measured by server.policies.bench in its own process; JSON + Markdown.",
    )
    p.add_argument("--engines", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    p.add_argument("--pg-database", default="postgresql+asyncpg://postgres@127.0.0.1/cloudpark_bench_services",
                   help="the PostgreSQL URL: DROPPED and created again (its name must contain 'bench')")
    p.add_argument("--scale", type=float, default=1.0, help="the demo zone's size (default 1: the whole zone)")
    p.add_argument("--rounds", type=int, default=50, help="rounds of the search query mix (default 50)")
    p.add_argument("--enterprises", type=int, default=300, help="enterprises whose matches are read (default 300)")
    p.add_argument("--reuse", action="store_true", help="keep the databases of an earlier run (seed adds nothing)")
    _outputs(p)
    p.set_defaults(handler=cmd_services)


def cmd_services(args: argparse.Namespace) -> int:
    from tools.bench.api import Engine, machine
    from tools.bench.server_process import BenchError
    from tools.bench.services import ServicesBench, markdown, run_bench, write

    wanted = _engines(args.engines, "services")
    if wanted is None:
        return 2
    try:
        if not 0 < args.scale <= 1 or args.rounds < 1 or args.enterprises < 1:
            raise BenchError("--scale must be in (0, 1]; --rounds and --enterprises positive")
        engines = tuple(Engine(e, args.out / f"services-{e}", args.pg_database if e == "postgresql" else None)
                        for e in wanted)
        bench = ServicesBench(engines=engines, scale=args.scale, rounds=args.rounds, enterprises=args.enterprises,
                              work_dir=args.out, reuse=args.reuse)
        started = time.time()
        host = machine()
        results = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench services: {exc}\n")
        return 2 if "--" in str(exc) else 1
    command = f"cloudpark bench services --engines {','.join(wanted)} --scale {args.scale:g} --rounds {args.rounds}"
    run = {"bench": "services", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started, "command": command, "machine": host, "results": results}
    paths = write(run, args.out, None if args.no_docs else args.docs)
    sys.stdout.write(markdown(run) + "\n")
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in paths.items()))
    wrong = [w for e in results["engines"] for w in e["wrong"]]
    if wrong:
        sys.stderr.write("cloudpark bench services: " + "; ".join(wrong) + "\n")
    return 1 if wrong else 0


def register_sends(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "sends", help="the kernel's cost of one snapshot write on loopback: the floor under bench crowd",
        description="Open N loopback TCP connections to a reader on the bots' core and write one frame to each, "
        "round after round at the tick rate, from the server's core: the cost of a write with no server at all, "
        "and how many clients one core could write to if it did nothing else. JSON + Markdown.",
    )
    p.add_argument("--clients", type=_counts, default=(500, 1000, 2000), help="connection counts (comma-separated)")
    p.add_argument("--size", type=int, default=640, help="bytes a write (default 640: a tour snapshot)")
    p.add_argument("--rounds", type=int, default=100, help="rounds of writes per count (default 100)")
    p.add_argument("--tick-rate", type=int, default=20)
    p.add_argument("--server-core", type=_core, default=0, help="core for the writer, or none")
    p.add_argument("--bots-core", type=_core, default=1, help="core for the reader, or none")
    _outputs(p)
    p.set_defaults(handler=cmd_sends)


def cmd_sends(args: argparse.Namespace) -> int:
    from tools.bench.report import machine, save
    from tools.bench.sends import SendsBench, markdown, run_bench

    if args.size < 8 or args.size > 65535 or args.rounds < 1 or args.tick_rate < 1:
        sys.stderr.write("cloudpark bench sends: --size must be 8 to 65535 bytes; --rounds and --tick-rate positive\n")
        return 2
    bench = SendsBench(clients=args.clients, size=args.size, rounds=args.rounds, tick_rate=args.tick_rate,
                       server_core=args.server_core, bots_core=args.bots_core)
    started = time.time()
    try:
        results = run_bench(bench)
    except OSError as exc:
        sys.stderr.write(f"cloudpark bench sends: {exc}\n")
        return 1
    run = {"bench": "sends", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started, "machine": machine(),
           "settings": {"size": args.size, "rounds": args.rounds, "tick_rate": args.tick_rate,
                        "server_core": args.server_core, "bots_core": args.bots_core},
           "results": results}
    paths = save(run, args.out, None if args.no_docs else args.docs, "sends", markdown)
    sys.stdout.write(markdown(run) + "".join(f"{k}: {v}\n" for k, v in paths.items()))
    return 0


def register_showcase(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "showcase", help="a showcase's audience in one hall, over capacity in overflow halls, and its stream",
        description="Schedule an event on a park's stage through the organizer console, then: steps of bot "
        "audiences (the showcase shape, a reaction a second each, some questions and upvotes) against a pinned "
        "`cloudpark serve` (tick p99, snapshots/s per client, reaction counts every second to every client); a "
        "crowd over a low hall capacity (halls opened, the largest, reactions and Q&A shared); the test-pattern "
        "stream watched by headless Chromium pages (glass-to-glass latency and the spread between viewers from "
        "the pixel clock read back from each page's video). JSON + Markdown.",
    )
    p.add_argument("--clients", type=_counts, default=(100, 200, 300), help="one-hall crowd sizes (comma-separated)")
    p.add_argument("--seconds", type=float, default=15.0, help="measured seconds per crowd step (default 15)")
    p.add_argument("--park", default="798-art-zone", help="park whose stage hosts the event (default 798-art-zone)")
    p.add_argument("--over-clients", type=int, default=150, help="the over-capacity crowd (0: skip; default 150)")
    p.add_argument("--hall-capacity", type=int, default=50, help="hall capacity for the over-capacity crowd "
                   "(default 50)")
    p.add_argument("--viewers", type=int, default=3, help="Chromium pages on the stream (0: skip; default 3)")
    p.add_argument("--stream-seconds", type=float, default=20.0, help="seconds of pixel-clock reads (default 20)")
    p.add_argument("--react-every", type=float, default=1.0, help="seconds between a bot's reactions (default 1)")
    p.add_argument("--ask-share", type=float, default=0.05, help="share of bots that sign in and ask / upvote "
                   "(default 0.05)")
    p.add_argument("--ask-every", type=float, default=20.0, help="an asker's question about every S s (default 20)")
    p.add_argument("--upvote-every", type=float, default=10.0, help="an asker's upvote about every S s (default 10)")
    p.add_argument("--control", action="store_true", help="also run each one-hall count without reactions and "
                   "questions, right after it (what they cost, on a shared machine)")
    p.add_argument("--ramp", type=float, default=100.0, help="bot connections per second (default 100)")
    p.add_argument("--procs", type=int, default=1, help="bot processes (default 1)")
    p.add_argument("--tick-rate", type=int, default=20)
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="where the park's scene is (scenes/)")
    p.add_argument("--server-core", type=_core, default=0, help="core for the world server, or none")
    p.add_argument("--bots-core", type=_core, default=1, help="core for the bots and the web app, or none")
    _outputs(p)
    p.set_defaults(handler=cmd_showcase)


def cmd_showcase(args: argparse.Namespace) -> int:
    from tools.bench.report import machine
    from tools.bench.server_process import BenchError
    from tools.bench.showcase import ShowcaseBench, run_bench
    from tools.bench.showcase_report import markdown, verdict, write

    if (args.seconds <= 0 or args.stream_seconds <= 0 or args.react_every <= 0 or args.ramp <= 0 or args.procs < 1
            or args.over_clients < 0 or args.hall_capacity < 1 or args.viewers < 0 or not 0 <= args.ask_share <= 1
            or args.ask_every <= 0 or args.upvote_every <= 0):
        sys.stderr.write("cloudpark bench showcase: --seconds, --stream-seconds, --react-every, --ramp, --procs, "
                         "--hall-capacity, --ask-every, --upvote-every must be positive; --over-clients and "
                         "--viewers at least 0; --ask-share in [0, 1]\n")
        return 2
    if args.viewers == 1:
        sys.stderr.write("cloudpark bench showcase: --viewers needs 2 or more pages for the spread (or 0)\n")
        return 2
    bench = ShowcaseBench(clients=args.clients, seconds=args.seconds, park=args.park, over_clients=args.over_clients,
                          hall_capacity=args.hall_capacity, viewers=args.viewers, stream_seconds=args.stream_seconds,
                          react_every_s=args.react_every, ask_share=args.ask_share, ask_every_s=args.ask_every,
                          upvote_every_s=args.upvote_every, tick_rate=args.tick_rate, ramp_per_s=args.ramp,
                          procs=args.procs, data_dir=args.data_dir, work_dir=args.out, server_core=args.server_core,
                          bots_core=args.bots_core, control=args.control)
    started = time.time()
    host = machine()
    try:
        results = run_bench(bench)
    except BenchError as exc:
        sys.stderr.write(f"cloudpark bench showcase: {exc}\n")
        return 1
    command = " ".join(["cloudpark bench showcase", f"--clients {','.join(map(str, args.clients))}",
                        f"--seconds {args.seconds:g}", f"--park {args.park}", f"--over-clients {args.over_clients}",
                        f"--hall-capacity {args.hall_capacity}", f"--viewers {args.viewers}",
                        f"--stream-seconds {args.stream_seconds:g}"] + (["--control"] if args.control else []))
    run = {"bench": "showcase", "started": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)),
           "started_epoch": started, "command": command, "machine": host,
           "settings": {"park": args.park, "seconds": args.seconds, "tick_rate": args.tick_rate,
                        "react_every_s": args.react_every, "ask_share": args.ask_share, "ask_every_s": args.ask_every,
                        "upvote_every_s": args.upvote_every, "server_core": args.server_core,
                        "bots_core": args.bots_core, "clients": list(args.clients), "over_clients": args.over_clients,
                        "hall_capacity": args.hall_capacity, "viewers": args.viewers,
                        "stream_seconds": args.stream_seconds},
           "results": results, "verdict": verdict(results)}
    paths = write(run, args.out, None if args.no_docs else args.docs)
    sys.stdout.write(markdown(run) + "\n")
    sys.stdout.write("".join(f"{k}: {v}\n" for k, v in paths.items()))
    return 0 if any("error" not in s for s in results["steps"]) else 1


def register_browser_frames(bsub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = bsub.add_parser(
        "browser-frames", help="the browser client's frame times with a crowd of avatars in view",
        description="Serve a park and its web client, open it in headless Chromium (1280x720) as a guest standing "
        "before the stage's audience, and read requestAnimationFrame frame times with no bots and with N bots. "
        "JSON + a Markdown table.",
    )
    p.add_argument("--bots", type=int, default=200, help="bots in the crowd (default 200)")
    p.add_argument("--seconds", type=float, default=10.0, help="measured seconds per step (default 10)")
    p.add_argument("--park", default="798-art-zone")
    p.add_argument("--shape", choices=("tour", "showcase"), default="showcase")
    p.add_argument("--ramp", type=float, default=100.0, help="bot connections per second (default 100)")
    p.add_argument("--data-dir", type=Path, default=Path("var"), help="where the park's scene is (scenes/)")
    p.add_argument("--server-core", type=_core, default=0, help="core for the world server, or none")
    p.add_argument("--bots-core", type=_core, default=1, help="core for the bots, or none")
    _outputs(p, "JSON and screenshots go here")
    from tools.bench.browser_frames import cmd_browser_frames

    p.set_defaults(handler=cmd_browser_frames)
