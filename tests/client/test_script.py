"""Script files for headless sessions: valid steps parse, bad ones get precise errors."""

from __future__ import annotations

import pytest

from client.script import ScriptError, parse


def test_parses_steps_in_order() -> None:
    steps = parse('[{"do": "walk_to", "booth": "b01"}, {"do": "wait_booth", "timeout": 5},'
                  ' {"do": "screenshot", "name": "booth"}]')
    assert [s.do for s in steps] == ["walk_to", "wait_booth", "screenshot"]
    assert steps[1].num("timeout", 30) == 5


@pytest.mark.parametrize(("text", "needle"), [
    ("{}", "list"),
    ("[1]", "step 0"),
    ('[{"do": "fly"}]', "unknown step 'fly'"),
    ('[{"do": "move", "dir": [1]}]', "dir"),
    ('[{"do": "wait", "for": "long"}]', "'for' must be a number"),
    ('[{"do": "walk_to"}]', "booth"),
    ("[", "not valid JSON"),
])
def test_bad_scripts_are_refused_precisely(text: str, needle: str) -> None:
    with pytest.raises(ScriptError, match=needle):
        parse(text)


def test_resume_and_picture_steps_parse() -> None:
    steps = parse('[{"do": "camera", "face": "visitor", "offset": 10}, {"do": "drop"}, {"do": "wait_images"}]')
    assert [s.do for s in steps] == ["camera", "drop", "wait_images"]
    with pytest.raises(ScriptError, match="'face' can only be 'visitor'"):
        parse('[{"do": "camera", "face": "booth"}]')
