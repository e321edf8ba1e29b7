"""bench sends: the loopback write floor (real sockets, a real reader process)."""

from __future__ import annotations

from tools.bench.sends import SendsBench, markdown, run_bench, summary


def test_summary_turns_round_times_into_per_write_costs_and_a_ceiling() -> None:
    # 100 writes a round taking 1.0 ms (and 0.8 ms of CPU): 10 us a write; a 50 ms tick fits 5,000
    got = summary(100, [0.001] * 9 + [0.002], [0.0008] * 10, tick_rate=20, size=640)
    assert got["write_us"]["p50"] == 10.0
    assert got["write_us"]["cpu_p50"] == 8.0
    assert got["write_us"]["p90"] == 10.0  # the slow round is the tenth of ten
    assert got["tick_share_percent"] == 2.0
    assert got["ceiling_clients"] == 5000


def test_a_small_run_writes_to_every_connection_and_reports_it() -> None:
    bench = SendsBench(clients=(3, 5), size=64, rounds=4, tick_rate=200, server_core=None, bots_core=None)
    results = run_bench(bench)
    assert [r["clients"] for r in results] == [3, 5]
    for r in results:
        assert r["rounds"] == 4 and r["size"] == 64
        assert r["write_us"]["p50"] > 0 and r["ceiling_clients"] > 0
    text = markdown({"started": "now", "machine": {"nproc": 2, "cpu_model": "cpu", "platform": "linux"},
                     "settings": {"size": 64, "rounds": 4, "tick_rate": 200, "server_core": None, "bots_core": None},
                     "results": results})
    assert "| 3 |" in text and "| 5 |" in text
