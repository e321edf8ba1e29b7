"""The layering rules of DESIGN.md, executable: world/ is pure, the shells never import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_WORLD = {
    "asyncio", "socket", "threading", "multiprocessing", "subprocess", "sqlite3", "aiosqlite",
    "websockets", "panda3d", "direct", "trimesh", "pygltflib", "shapely", "time", "zoneinfo",
    "os", "secrets", "server", "client", "tools",
}
GLOBAL_RANDOM = {"random", "randint", "randrange", "choice", "choices", "uniform", "shuffle", "sample", "gauss", "seed"}
SHELLS = ("server", "client", "tools")


def _python_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", _python_files("world"), ids=lambda p: str(p.relative_to(ROOT)))
def test_world_imports_no_io_engine_or_shell_module(path: Path) -> None:
    bad = _imported_roots(ast.parse(path.read_text(encoding="utf-8"))) & FORBIDDEN_IN_WORLD
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}: world/ must stay pure"


CLOCK_CALLS = {"now", "utcnow", "today", "fromtimestamp", "utcfromtimestamp"}


@pytest.mark.parametrize("path", _python_files("world"), ids=lambda p: str(p.relative_to(ROOT)))
def test_world_never_reads_the_clock(path: Path) -> None:
    """``datetime`` is allowed in world/ for calendar arithmetic on times passed in; reading
    the clock is not (``now`` comes from the caller), nor loading time zones (``zoneinfo``
    reads files: the server passes the ``tzinfo`` in)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS and isinstance(node.value, ast.Name) \
                and node.value.id in ("datetime", "date"):
            pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} reads the clock ({node.value.id}.{node.attr}): "
                        "pass now in")


@pytest.mark.parametrize("path", _python_files("world"), ids=lambda p: str(p.relative_to(ROOT)))
def test_world_never_uses_the_global_random_generator(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "random"
            and node.attr in GLOBAL_RANDOM
        ):
            pytest.fail(f"{path.relative_to(ROOT)}:{node.lineno} uses random.{node.attr}: pass a random.Random in")
        if isinstance(node, ast.ImportFrom) and node.module == "random":
            names = {a.name for a in node.names} & GLOBAL_RANDOM
            assert not names, f"{path.relative_to(ROOT)} imports global random functions {names}"


@pytest.mark.parametrize("shell", SHELLS)
def test_shells_never_import_each_other(shell: str) -> None:
    others = set(SHELLS) - {shell}
    offenders = []
    for path in _python_files(shell):
        if path.name == "cli.py" and path.parent.name == "tools":
            continue  # the one dispatching entry point
        bad = _imported_roots(ast.parse(path.read_text(encoding="utf-8"))) & others
        if bad:
            offenders.append(f"{path.relative_to(ROOT)} -> {sorted(bad)}")
    assert not offenders, "siblings talk through world/ or the wire, not imports:\n" + "\n".join(offenders)
