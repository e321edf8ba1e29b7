"""The frame-stats arithmetic of ``cloudpark bench browser-frames`` (no browser here)."""

from tools.bench.browser_frames import frame_stats, markdown, percentile


def test_percentile_interpolates_between_order_statistics() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5.0], 0.99) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile([float(i) for i in range(1, 101)], 0.95) == 95.05


def test_frame_stats_from_deltas() -> None:
    s = frame_stats([16.0] * 98 + [50.0, 100.0])
    assert s["frames"] == 100 and s["median_ms"] == 16.0 and s["max_ms"] == 100.0
    assert s["p99_ms"] == 50.5
    assert s["fps"] == round(1000 * 100 / (16 * 98 + 150), 1)
    assert frame_stats([])["median_ms"] is None and frame_stats([])["fps"] is None


def test_markdown_names_the_cpu_and_each_step() -> None:
    step = {"bots": 0, "avatars_held": 0, "avatars_in_view": 0} | frame_stats([16.0, 17.0])
    run = {"started": "now", "command": "cloudpark bench browser-frames", "renderer": "SwiftShader",
           "machine": {"cpu_model": "Test CPU", "nproc": 2, "load_average_1m": 0.1},
           "settings": {"park": "p", "shape": "showcase"}, "steps": [step]}
    text = markdown(run)
    assert "Test CPU" in text and "SwiftShader" in text and "| 0 | 0 | 0 | 2 | 16.5 |" in text
