"""``cloudpark export-webxr`` as a user runs it."""

from __future__ import annotations

from pathlib import Path

from tools.cli import main


def test_export_webxr_writes_the_folder_and_says_where(scenes_dir: Path, tmp_path: Path, capsys) -> None:
    rc = main(["export-webxr", "--park", "test-park", "--scenes", str(scenes_dir), "--out", str(tmp_path / "w")])
    assert rc == 0
    assert (tmp_path / "w" / "index.html").is_file()
    assert "exported 1 park(s)" in capsys.readouterr().out


def test_all_shows_progress(scenes_dir: Path, tmp_path: Path, capsys) -> None:
    assert main(["export-webxr", "--all", "--scenes", str(scenes_dir), "--out", str(tmp_path / "w")]) == 0
    err = capsys.readouterr().err
    assert "[" in err and "2/2 done" in err


def test_errors_are_precise(tmp_path: Path, capsys) -> None:
    assert main(["export-webxr", "--park", "nope", "--scenes", str(tmp_path), "--out", str(tmp_path / "w")]) == 1
    assert "'nope'" in capsys.readouterr().err
    assert main(["export-webxr", "--park", "x", "--server", "http://a", "--out", str(tmp_path / "w")]) == 2
    assert "ws:// or wss://" in capsys.readouterr().err
