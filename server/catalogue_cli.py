"""``cloudpark parks export``: the database's live catalogue written back as TOML files.

The ``parks`` command itself belongs to tools/ (list, show, seed read files); export
reads the database, so it is added here, to the same command (``tools.cli`` calls
``extend`` after every module registered its commands).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from world.catalogue import DEFAULT_CATALOGUE_DIR


def extend(commands: dict[str, argparse.ArgumentParser]) -> None:
    parks = commands["parks"]
    sub = next(a for a in parks._actions if isinstance(a, argparse._SubParsersAction))  # noqa: SLF001
    p = sub.add_parser("export", help="write the database's live catalogue back to TOML files",
                       description="One <id>.toml per live park, byte for byte the text the database holds "
                                   "(an unedited catalogue comes back as it was seeded); unchanged files are "
                                   "left alone, files of parks not in the database are kept.")
    p.add_argument("--out", type=Path, default=DEFAULT_CATALOGUE_DIR, help=f"folder to write (default {DEFAULT_CATALOGUE_DIR})")
    p.add_argument("--data-dir", type=Path, default=None, help="data folder of the SQLite database (default ./var)")
    p.add_argument("--database", default=None, help="database URL (default: SQLite in --data-dir)")
    p.add_argument("--config", type=Path, default=None, help="TOML file with [server] settings")
    p.set_defaults(handler=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    from server.catalogue_sync import write_files
    from server.config import load_config
    from server.db import Store

    cfg = load_config(args.config, overrides={"data_dir": args.data_dir, "database": args.database})

    async def main() -> int:
        store = await Store.open(cfg.database_url)
        try:
            entries = await store.catalogue.live()
        finally:
            await store.close()
        if not entries:
            sys.stderr.write("refused: the database holds no park catalogue yet (a server seeds it when it "
                             "starts)\n")
            return 1
        written = await asyncio.to_thread(write_files, entries, args.out, prune=False)
        sys.stdout.write(f"exported {len(entries)} parks to {args.out}: {len(written)} files written, "
                         f"{len(entries) - len(written)} unchanged\n")
        return 0

    return asyncio.run(main())
