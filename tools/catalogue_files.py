"""Reading the park catalogue folder from disk for the tools."""

from __future__ import annotations

from pathlib import Path

from world.catalogue import DEFAULT_CATALOGUE_DIR, Catalogue, CatalogueError, parse_catalogue


def load_catalogue(folder: Path | None = None) -> Catalogue:
    folder = folder or DEFAULT_CATALOGUE_DIR
    if not folder.is_dir():
        raise CatalogueError([(str(folder), "(folder)", "catalogue folder does not exist")])
    files = {str(p): p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.toml"))}
    return parse_catalogue(files)
