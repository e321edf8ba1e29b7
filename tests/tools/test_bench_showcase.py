"""``cloudpark bench showcase``'s pure parts: the verdicts, the stream's figures from pixel-clock
reads, the bots' reaction tally, the event's form times and the Markdown. (The bench itself runs
servers, bots and browsers: it is never part of the test suite.)"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tools.bench.report import machine
from tools.bench.showcase import decode_sample, event_times
from tools.bench.showcase_report import (
    markdown,
    over_capacity,
    step_holds,
    stream_figures,
    verdict,
    write,
)
from tools.bots.tally import Tally
from tools.cli import main
from world.stream_clock import render, strip_size


def _showcase(clients: int, every: int, *, expected: int = 12, halls: dict[str, int] | None = None,
              same: int = 12, with_counts: int = 12, per_second: int = 1, asked: int = 2, crossed: int = 2) -> dict:
    return {"seconds_expected": expected, "clients_every_second": every,
            "seconds_per_client": {"min": expected if every == clients else expected - 1, "mean": float(expected)},
            "reaction_delay_ms": {"p50": 320.0, "p99": 380.0}, "reactions_sent": clients * 15, "asks": 3,
            "upvotes": 5, "halls": halls or {"1": clients}, "seconds_same_counts_in_every_hall": same,
            "seconds_with_counts": with_counts, "halls_per_second_max": per_second,
            "questions_asked_in_window": asked, "questions_seen_in_another_hall": crossed}


def _step(clients: int, p99: float, rate_min: float, every: int, **kw: object) -> dict:
    return {"part": "hall", "clients": clients, "joined": clients, "mode": "real",
            "tick_ms": {"p50": p99 / 2, "p99": p99, "max": p99 + 5},
            "snapshots_per_client_per_s": {"mean": 19.9, "min": rate_min}, "server_cpu_percent": 60.0,
            "other_load_on_server_core_percent": 2.0, "hall_capacity": kw.pop("capacity", 400),
            "showcase": _showcase(clients, every, **kw)}  # type: ignore[arg-type]


def test_a_step_holds_only_with_the_crowd_targets_and_every_second_to_every_client() -> None:
    assert step_holds(_step(200, 30.0, 19.5, 200))
    assert not step_holds(_step(200, 30.0, 19.5, 199)), "one client missed a second of reaction counts"
    assert not step_holds(_step(200, 55.0, 19.5, 200)), "tick p99 over 50 ms"
    assert not step_holds(_step(200, 30.0, 18.0, 200)), "a client under 19 snapshots/s"
    no_window = _step(200, 30.0, 19.5, 200, expected=0)
    assert not step_holds(no_window), "no whole second measured: nothing shown"
    assert not step_holds({**_step(200, 30.0, 19.5, 200), "joined": 190})


def test_over_capacity_counts_halls_and_refuses_a_hall_over_its_capacity() -> None:
    ok = over_capacity(_step(120, 30.0, 19.5, 120, capacity=50, halls={"1": 50, "2": 50, "3": 20},
                             per_second=3))
    assert ok is not None
    assert (ok["halls_opened"], ok["halls_needed"], ok["largest_hall"], ok["seated"]) == (3, 3, 50, 120)
    assert ok["none_over_capacity"] and ok["reactions_shared"] and ok["qa_shared"]
    over = over_capacity(_step(120, 30.0, 19.5, 120, capacity=50, halls={"1": 51, "2": 49, "3": 20}, per_second=3))
    assert over is not None and not over["none_over_capacity"]
    split = over_capacity(_step(120, 30.0, 19.5, 120, capacity=50, halls={"1": 50, "2": 50, "3": 20}, same=11,
                                per_second=3))
    assert split is not None and not split["reactions_shared"], "one second's counts differed between halls"
    one_hall_heard = over_capacity(_step(120, 30.0, 19.5, 120, capacity=50, halls={"1": 50, "2": 50, "3": 20},
                                         per_second=1))
    assert one_hall_heard is not None and not one_hall_heard["reactions_shared"]
    unseen = over_capacity(_step(120, 30.0, 19.5, 120, capacity=50, halls={"1": 50, "2": 50, "3": 20}, per_second=3,
                                 asked=3, crossed=2))
    assert unseen is not None and not unseen["qa_shared"]
    assert over_capacity({"clients": 5, "error": "server died"}) is None


def _page(latency_s: float, start_ms: int = 1_700_000_000_000, n: int = 40, every_ms: int = 200) -> list[dict]:
    return [{"at": start_ms + i * every_ms, "source": start_ms + i * every_ms - int(latency_s * 1000), "delay": 3.5}
            for i in range(n)]


def test_stream_figures_give_latency_and_the_spread_between_viewers_at_the_same_moment() -> None:
    a, b = _page(3.9), _page(4.2, start_ms=1_700_000_000_050)
    b[5]["source"] = None  # a strip that could not be read is left out
    fig = stream_figures([a, b], grid_s=0.5)
    assert fig["viewers"] == 2 and fig["samples"] == 80 and fig["read"] == 79
    assert fig["latency_s"]["min"] == 3.9 and fig["latency_s"]["max"] == 4.2
    assert abs(fig["spread_s"]["max"] - 0.3) < 1e-9 and fig["spread_s"]["moments"] > 10
    assert [p["latency_p50_s"] for p in fig["per_page"]] == [3.9, 4.2]
    assert fig["per_page"][0]["program_clock_delay_p50_s"] == 3.5
    alone = stream_figures([a, []])
    assert alone["spread_s"]["max"] is None and alone["latency_s"]["p50"] == 3.9


def test_the_pixel_clock_grabbed_from_a_page_is_decoded() -> None:
    strip, _ = strip_size(640)
    ms = 1_764_604_800_123
    px = render(ms, 640)
    assert decode_sample(base64.b64encode(px.tobytes()).decode(), strip) == ms
    assert decode_sample(base64.b64encode(bytes(640 * strip)).decode(), strip) is None  # black: no clock
    assert decode_sample(base64.b64encode(b"short").decode(), strip) is None


def test_the_bots_tally_counts_the_seconds_each_client_heard() -> None:
    t = Tally(clients=3, window_s=10.0, showcase=True, wall_from=1000.2, wall_until=1010.2, reactions_sent=30)
    # whole seconds 1001..1008 are expected (the counts of second s come just after s + 1)
    t.reaction_seconds = [list(range(1000, 1010)), [s for s in range(1001, 1009) if s != 1004], []]
    t.reaction_counts = {1002: {1: {30}, 2: {30}, 0: {30}}, 1003: {1: {30}, 2: {29}}}  # 0: hall not known yet
    t.halls = [1, 2, 0]
    t.asked_in = {7: 2, 8: 1}
    t.question_halls = {7: {1, 2}, 8: {1}}
    sc = t.summary()["showcase"]
    assert sc["seconds_expected"] == 8
    assert sc["clients_every_second"] == 1 and sc["client_seconds_missed"] == 1 + 8
    assert sc["seconds_per_client"]["min"] == 0
    assert sc["halls"] == {"1": 1, "2": 1}
    assert (sc["seconds_same_counts_in_every_hall"], sc["seconds_with_counts"], sc["halls_per_second_max"]) == (1, 2, 2)
    assert (sc["questions_asked_in_window"], sc["questions_seen_in_another_hall"]) == (2, 1)
    merged = t.merge(Tally(clients=1, showcase=True, reaction_seconds=[[1001]], halls=[3],
                           reaction_counts={1003: {3: {29}}}, wall_from=1000.2, wall_until=1010.2))
    assert merged.reaction_counts[1003] == {1: {30}, 2: {29}, 3: {29}} and merged.halls == [1, 2, 0, 3]
    assert merged.showcase_summary()["halls_per_second_max"] == 3
    assert "showcase" not in Tally(clients=1).summary()


def test_the_event_starts_at_the_next_five_minute_mark_a_minute_ahead() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 12, 2, 1, 3, 30, tzinfo=tz).timestamp()
    assert event_times(now, tz) == ("2026-12-02T01:05", "2026-12-02T03:05")
    close = datetime(2026, 12, 2, 1, 4, 30, tzinfo=tz).timestamp()
    assert event_times(close, tz, minutes=30) == ("2026-12-02T01:10", "2026-12-02T01:40")
    # a booking stays within one local day: cut at 23:55, or from the next midnight
    late = datetime(2026, 12, 1, 22, 40, tzinfo=tz).timestamp()
    assert event_times(late, tz) == ("2026-12-01T22:45", "2026-12-01T23:55")
    later = datetime(2026, 12, 1, 23, 44, tzinfo=tz).timestamp()
    assert event_times(later, tz) == ("2026-12-02T00:00", "2026-12-02T02:00")


def test_the_markdown_names_the_largest_crowd_the_halls_and_the_stream(tmp_path) -> None:
    steps = [_step(100, 20.0, 19.9, 100), _step(200, 40.0, 19.5, 200), _step(300, 60.0, 15.0, 280)]
    for s in steps:
        s["holds"] = step_holds(s)
    control = {**_step(300, 45.0, 19.2, 300), "part": "control"}
    del control["showcase"]
    control["holds"] = True
    steps.append(control)
    over = _step(150, 30.0, 19.5, 150, capacity=50, halls={"1": 50, "2": 50, "3": 50}, per_second=3)
    over["holds"] = step_holds(over)
    stream = stream_figures([_page(3.9), _page(4.1)]) | {"pages": [], "sample_every_ms": 200}
    results = {"event": 1, "steps": steps, "over": over, "stream": stream}
    run = {"started": "2026-12-01 17:00:00", "started_epoch": 1764608400.0, "command": "cloudpark bench showcase",
           "machine": machine(), "results": results, "verdict": verdict(results),
           "settings": {"park": "798-art-zone", "seconds": 15.0, "tick_rate": 20, "react_every_s": 1.0,
                        "ask_share": 0.05, "ask_every_s": 20.0, "upvote_every_s": 10.0, "server_core": 0,
                        "bots_core": 1}}
    assert run["verdict"]["largest_held_one_hall"] == 200, "the control step does not count for the showcase"
    assert run["verdict"]["largest_held_control"] == 300
    assert run["verdict"]["over_capacity"]["halls_opened"] == 3
    assert run["verdict"]["spread_within_target"] and run["verdict"]["latency_p50_s"] == 4.0
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n", encoding="utf-8")
    paths = write(run, tmp_path / "out", docs)
    text = docs.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n") and "## Showcase benchmark, 2026-12-01 17:00:00" in text
    assert "in one hall on one core" in text and "**200**" in text
    assert "Largest control crowd held: **300**" in text
    assert "| 300 | 300 | 22.5 / 45.0 / 50.0 | 19.9 (19.2) | - | - / - | - |" in text
    assert "Halls opened: **3**" in text and "none over capacity: **yes**" in text
    assert "| 300 | 300 | 30.0 / 60.0 / 65.0 | 19.9 (15.0) | 280 of 300" in text
    assert "glass-to-glass latency s" in text and "| 4.00 | 4.10 | 3.90 | 4.10 |" in text
    assert json.loads(paths["json"].read_text(encoding="utf-8"))["verdict"]["largest_held_one_hall"] == 200
    broken = markdown(run | {"results": results | {"stream": {"error": "chromium is missing"}}})
    assert "The stream: not measured: chromium is missing" in broken


@pytest.mark.parametrize("args", [["--react", "-1"], ["--ask-share", "1.5"], ["--ask-every", "0"],
                                  ["--upvote-every", "-2"]])
def test_bad_showcase_audience_settings_are_refused_before_anything_connects(args, capsys) -> None:
    assert main(["bots", "--park", "798-art-zone", *args]) == 2
    assert "--ask-share in [0, 1]" in capsys.readouterr().err


@pytest.mark.parametrize("args, said", [(["--viewers", "1"], "2 or more pages"),
                                        (["--hall-capacity", "0"], "must be positive"),
                                        (["--ask-share", "-0.1"], "--ask-share in [0, 1]"),
                                        (["--seconds", "0"], "must be positive")])
def test_bad_bench_settings_are_refused_before_anything_starts(args, said, capsys) -> None:
    assert main(["bench", "showcase", "--no-docs", *args]) == 2
    assert said in capsys.readouterr().err
