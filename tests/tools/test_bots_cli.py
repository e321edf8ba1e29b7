"""`cloudpark bots`: bad settings are refused with a message before anything connects."""

from __future__ import annotations

import pytest

from tools.cli import main


@pytest.mark.parametrize("flag", ["--clients", "--procs", "--tick-rate"])
def test_non_positive_settings_are_refused(flag, capsys) -> None:
    assert main(["bots", "--park", "798-art-zone", flag, "0"]) == 2
    assert "must be positive" in capsys.readouterr().err


def test_an_unknown_shape_is_refused_by_the_parser(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["bots", "--park", "798-art-zone", "--shape", "parade"])
    assert "invalid choice: 'parade'" in capsys.readouterr().err
