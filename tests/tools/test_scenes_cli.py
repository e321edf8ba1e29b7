"""``cloudpark scenes``: help on every level, check exits 1 on failure."""

import pytest

from tests.tools.conftest import with_wrong_bounds
from tools.cli import main


@pytest.mark.parametrize("argv", [["scenes", "--help"], ["scenes", "build", "--help"], ["scenes", "check", "--help"]])
def test_help_on_every_level(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_check_passes_on_good_scenes_and_fails_on_a_corrupt_one(all_scenes, tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    (good / "zuiku.glb").write_bytes((all_scenes / "zuiku.glb").read_bytes())
    assert main(["scenes", "check", str(good)]) == 0
    (good / "zuiku.glb").write_bytes(with_wrong_bounds((all_scenes / "zuiku.glb").read_bytes()))
    assert main(["scenes", "check", str(good)]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_check_on_an_empty_folder_fails(tmp_path):
    assert main(["scenes", "check", str(tmp_path)]) == 1


def test_build_and_report_prints_per_park_lines(tmp_path, capsys):
    from tools.scenes.cli import build_and_report

    assert build_and_report(tmp_path, ["e9"], previews=False) == 0
    out = capsys.readouterr().out
    assert "e9.glb" in out and "draws" in out and "total:" in out


def test_without_the_node_tools_the_build_says_what_to_install(tmp_path, capsys, monkeypatch):
    import tools.scenes.checks as checks

    elsewhere = tmp_path / "node" / "validate.mjs"  # a tools/node without node_modules
    elsewhere.parent.mkdir()
    monkeypatch.setattr(checks, "VALIDATOR", elsewhere)
    assert main(["scenes", "build", "--out", str(tmp_path / "scenes"), "--park", "798-art-zone"]) == 1
    err = capsys.readouterr().err
    assert "glTF-Validator package is missing" in err and "bash tools/setup.sh" in err
    assert "Traceback" not in err
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    assert main(["scenes", "check", str(tmp_path / "scenes")]) == 1
    assert "Node.js is not installed" in capsys.readouterr().err
