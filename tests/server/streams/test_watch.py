"""The stream's states from what is seen, without ffmpeg: times are plain numbers."""

from __future__ import annotations

from server.streams.watch import BACKOFF, ENDED, IDLE, INTERRUPTED, LIVE, RELISTEN_S, Watch


def test_a_pattern_goes_live_stalls_restarts_and_comes_back() -> None:
    w = Watch(push=False, stall_s=4.0)
    w.run_started(0.0)
    assert w.state == IDLE and w.check(3.0) == (False, False)
    assert w.segments(1, 3.0) and w.state == LIVE
    assert not w.segments(0, 3.5) and not w.segments(2, 4.0)  # more segments: still live, no change
    assert w.check(7.9) == (False, False)
    assert w.check(8.0) == (True, True)  # 4 s without a segment: interrupted, restart
    assert w.state == INTERRUPTED and w.reason == "no new segment for 4 s"
    changed, delay = w.run_ended("no new segment for 4 s")
    assert delay == BACKOFF[0] and w.state == INTERRUPTED
    w.run_started(9.0)
    assert w.segments(1, 10.0) and w.state == LIVE and w.reason == ""


def test_runs_that_give_nothing_back_off_longer_until_one_works() -> None:
    w = Watch(push=False, backoff=(1.0, 2.0, 4.0))
    delays = []
    for i in range(5):
        w.run_started(float(i))
        delays.append(w.run_ended("ffmpeg exited with status 1: boom")[1])
    assert delays == [1.0, 2.0, 4.0, 4.0, 4.0]
    assert w.state == INTERRUPTED and w.reason == "ffmpeg exited with status 1: boom" and w.failures == 5
    w.run_started(10.0)
    w.segments(1, 11.0)
    assert w.failures == 0 and w.run_ended("died")[1] == 1.0  # a run that worked starts the backoff over


def test_a_pattern_with_no_first_segment_is_restarted_after_the_startup_time() -> None:
    w = Watch(push=False, startup_s=20.0)
    w.run_started(100.0)
    assert w.check(119.0) == (False, False)
    assert w.check(120.0) == (False, True) and w.state == IDLE


def test_a_push_source_waits_for_its_broadcaster_and_is_relistened_at_once() -> None:
    w = Watch(push=True, stall_s=4.0, push_restart_s=10.0)
    w.run_started(0.0)
    assert w.check(1000.0) == (False, False)  # nobody has connected: wait, do not restart
    changed, delay = w.run_ended("ffmpeg exited with status 1: Connection refused")
    assert w.state == IDLE and changed and delay == BACKOFF[0]  # still waiting, with the reason
    w.run_started(1001.0)
    w.segments(1, 1002.0)
    assert w.state == LIVE
    assert w.check(1006.0) == (True, False)  # silent 4 s: viewers see it interrupted, the encoder stays
    assert w.check(1011.9) == (False, False)
    assert w.check(1012.0) == (False, True)  # silent 10 s: listen afresh for a reconnect
    changed, delay = w.run_ended("the broadcaster stopped sending")
    assert w.state == INTERRUPTED and delay == RELISTEN_S


def test_ended_is_final_for_the_watch() -> None:
    w = Watch(push=False)
    w.run_started(0.0)
    w.segments(3, 1.0)
    assert w.end() and w.state == ENDED
    assert w.check(100.0) == (False, False)
    assert w.run_ended("killed") == (False, 0.0) and w.state == ENDED
