"""``python -m server.db revision MESSAGE | upgrade URL``: write the next migration file,
or migrate a database to the newest revision (``cloudpark serve`` does that at start too)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from server.db.database import Database
from server.db.migrate import head, new_revision

log = logging.getLogger("cloudpark.db")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.db", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="write the next numbered revision file")
    rev.add_argument("message")
    up = sub.add_parser("upgrade", help="migrate a database (a SQLAlchemy async URL) to the newest revision")
    up.add_argument("url")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.cmd == "revision":
        log.info("wrote %s", new_revision(args.message))
        return 0

    async def run() -> None:
        db = await Database.open(args.url)  # its engines set SQLite's pragmas and BEGIN
        await db.close()
    asyncio.run(run())
    log.info("%s is at revision %s", args.url, head())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
