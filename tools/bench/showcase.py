"""``cloudpark bench showcase``: a showcase's audience, its overflow halls and its stream, measured.

Everything runs as a person would run it, in subprocesses (tools never import server/):

1. **Set-up.** A scratch data dir holding the park's scene and the browser client
   (``publish_web``); an organizer account (``cloudpark accounts create``); the world
   server (``cloudpark serve``) and the web app (``cloudpark web``) on that data dir; the
   organizer signs in and schedules an event on the park's stage through the organizer
   console's form (the booking service books the stage).
2. **One hall.** Steps of crowd sizes, a fresh world server pinned to one core per step,
   ``cloudpark bots`` pinned to the other in the ``showcase`` shape (most of them packed
   before the stage, watching), each bot sending a reaction every second; a share of them
   register accounts and now and then ask a question or upvote one of the board's. Per
   step: the tick p99 (server's /metrics), every client's snapshots/s, and the seconds
   whose ``reactions`` message reached each client (every second, every client?).
3. **Over capacity.** The same with the world server's ``hall_capacity`` set low and a
   crowd of several times that: the halls the bots were seated in (none may hold more than
   the capacity), and whether every hall got the same reaction counts each second and saw
   the questions asked in the others.
4. **The stream.** The organizer goes live with the test pattern (the web app's own
   stream supervisor: ffmpeg with the source's wall clock burnt into every frame as the
   pixel clock, ``world.stream_clock``); several headless Chromium pages (Debian's
   chromium: H.264) open the park's web client served by the web app, which plays the
   stage's stream with hls.js on the stage screen; each page's playing video frame is
   read back through a canvas every 200 ms and its pixel clock decoded. Glass-to-glass
   latency = the page's wall clock minus the decoded source clock; the spread = the
   difference between the viewers' latencies at the same moment.

The figures (``tools.bench.showcase_report``) go to JSON and Markdown like the crowd bench's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import math
import os
import re
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import numpy as np

from tools.bench.api import Engine, WebUnderTest
from tools.bench.crowd import CrowdBench, holds, prepare_data_dir, run_step
from tools.bench.server_process import BenchError, ServerUnderTest
from tools.bench.showcase_report import step_holds
from world.stream_clock import decode, strip_size

log = logging.getLogger("cloudpark.bench")

ORGANIZER = "bench-organizer"
PASSWORD = "bench-organizer-password"
ZONE = "Asia/Shanghai"  # the zone's time zone, given to both servers (the form's times are local)
CHROMIUM = "/usr/bin/chromium"  # Debian's: H.264 built in (Playwright's own Chromium lacks it)
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--autoplay-policy=no-user-gesture-required",
]
WIDTH, HEIGHT = 640, 360  # the stream's frames (the encoding contract)
SAMPLE_MS = 200  # how often each page reads its video's pixel clock
GRID_S = 0.5  # the spread between viewers is compared on this grid of moments
SETTLE_S = 45.0  # at most this long for every page to hold its target delay before measuring
VIEWPORT = {"width": 480, "height": 300}
STATE = "() => window.cloudpark.state().stage"


@dataclass(frozen=True)
class ShowcaseBench:
    clients: tuple[int, ...] = (100, 200, 300)
    seconds: float = 15.0
    park: str = "798-art-zone"
    over_clients: int = 150  # the over-capacity crowd (0: skip that part)
    hall_capacity: int = 50  # the world server's hall capacity for that part
    viewers: int = 3  # browser pages on the stream (0: skip that part)
    stream_seconds: float = 20.0
    react_every_s: float = 1.0
    ask_share: float = 0.05
    ask_every_s: float = 20.0
    upvote_every_s: float = 10.0
    tick_rate: int = 20
    batch: int = 2
    ramp_per_s: float = 100.0
    procs: int = 1
    data_dir: Path = Path("var")
    work_dir: Path = Path("var/bench")
    server_core: int | None = 0
    bots_core: int | None = 1
    control: bool = False  # also each count without reactions and Q&A (the same crowd, same sitting)


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "tools.cli", *args]


def _env() -> None:
    os.environ["CLOUDPARK_ZONE_TIMEZONE"] = ZONE  # the children (servers, CLI) read it


def prepare(bench: ShowcaseBench) -> Path:
    """The scratch data dir: the park's scene, the browser client, an organizer account."""
    from tools.webxr.export import publish_web

    crowd = prepare_data_dir(CrowdBench(clients=(1,), park=bench.park, data_dir=bench.data_dir,
                                        work_dir=bench.work_dir / "showcase"))
    data = crowd.data_dir
    publish_web(data, force=True)
    logs = bench.work_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(_cli("accounts", "create", "--user", ORGANIZER, "--role", "organizer", "--name",  # noqa: S603
                               "Bench organizer (demo)", "--password-stdin", "--data-dir", str(data)),
                          input=PASSWORD + "\n", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"accounts create {ORGANIZER}: {(done.stderr or done.stdout)[-800:]}")
    return data


@contextlib.contextmanager
def _stack(bench: ShowcaseBench, data: Path, tag: str) -> Any:
    """The world server (server core) and the web app (bots core) on one data dir and bus."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    world = ServerUnderTest(data_dir=data, log_path=bench.work_dir / "logs" / f"showcase-{tag}-serve-{stamp}.log",
                            core=bench.server_core, tick_rate=bench.tick_rate, view_radius=None, naive=False,
                            max_clients=max(bench.viewers, 10))
    world.start()
    web = WebUnderTest(Engine("sqlite", data, None), bench.bots_core,
                       bench.work_dir / "logs" / f"showcase-{tag}-web-{stamp}.log", world.ws_url)
    try:
        web.start()
        yield world, web
    finally:
        web.stop()
        world.stop()


async def _organizer(base: str) -> tuple[httpx.AsyncClient, str]:
    client = httpx.AsyncClient(base_url=base, timeout=60, headers={"Accept-Language": "en"})
    csrf = (await client.get("/api/session")).json()["csrf"]
    reply = await client.post("/api/session", json={"user": ORGANIZER, "password": PASSWORD},
                              headers={"X-CSRF-Token": csrf})
    if reply.status_code != 200:
        await client.aclose()
        raise BenchError(f"sign-in as {ORGANIZER}: {reply.status_code} {reply.text[:300]}")
    return client, str(reply.json().get("csrf", csrf))


def event_times(now: float, tz: ZoneInfo, minutes: int = 120) -> tuple[str, str]:
    """The form's start and end (local ``YYYY-MM-DDTHH:MM``): the next 5-minute mark at least a
    minute ahead (going live is allowed 15 minutes before the start), ``minutes`` long, within
    one local day (the stage's booking may not cross midnight): cut at 23:55, or, with under
    20 minutes left in the day, from the next midnight (at most 15 minutes away)."""
    start = datetime.fromtimestamp(math.ceil((now + 60) / 300) * 300, tz)
    midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tz)
    end = start + timedelta(minutes=minutes)
    if end > midnight - timedelta(minutes=5):
        if midnight - start >= timedelta(minutes=20):
            end = midnight - timedelta(minutes=5)
        else:
            start, end = midnight, midnight + timedelta(minutes=minutes)
    return start.strftime("%Y-%m-%dT%H:%M"), end.strftime("%Y-%m-%dT%H:%M")


def _form_error(html: str) -> str:
    """The refusals a console page shows (their text, for the bench's message)."""
    found = re.findall(r'class="sc-problem[^"]*"[^>]*data-field="([^"]+)"[^>]*>([^<]{1,300})<', html)
    return "; ".join(dict.fromkeys(f"{f}: {s.strip()}" for f, s in found))[:600] or html[:600]


async def _schedule(base: str, park: str) -> int:
    client, csrf = await _organizer(base)
    try:
        start, end = event_times(time.time(), ZoneInfo(ZONE))
        reply = await client.post("/console/showcases/new", headers={"X-CSRF-Token": csrf}, data={
            "csrf": csrf, "title_zh": "基准测试发布会", "title_en": "Benchmark showcase", "park_id": park,
            "stage_id": "main", "start": start, "end": end, "capacity": "5000", "registration": "open",
            "description_en": "cloudpark bench showcase (demo)"})
        where = reply.headers.get("location", "")
        got = re.search(r"/console/showcases/(\d+)", where)
        if reply.status_code != 303 or got is None:
            raise BenchError(f"scheduling the event ({start} - {end}, {ZONE}): {reply.status_code} "
                             f"{_form_error(reply.text)}")
        return int(got.group(1))
    finally:
        await client.aclose()


async def _go_live(base: str, event_id: int) -> None:
    client, csrf = await _organizer(base)
    try:
        reply = await client.post(f"/console/showcases/{event_id}/live", headers={"X-CSRF-Token": csrf},
                                  data={"csrf": csrf, "kind": "test_pattern"})
        if reply.status_code != 303:
            raise BenchError(f"going live: {reply.status_code} {_form_error(reply.text)}")
    finally:
        await client.aclose()


async def _stop_stream(base: str, event_id: int) -> None:
    client, csrf = await _organizer(base)
    try:
        await client.post(f"/console/showcases/{event_id}/stop", headers={"X-CSRF-Token": csrf}, data={"csrf": csrf})
    finally:
        await client.aclose()


def schedule_event(bench: ShowcaseBench, data: Path) -> int:
    with _stack(bench, data, "schedule") as (_, web):
        return asyncio.run(_schedule(web.base, bench.park))


# -- the crowds ------------------------------------------------------------------------------

def _crowd(bench: ShowcaseBench, data: Path, *, tag: str, env: dict[str, str]) -> CrowdBench:
    bots = ("--react", f"{bench.react_every_s:g}", "--ask-share", f"{bench.ask_share:g}",
            "--ask-every", f"{bench.ask_every_s:g}", "--upvote-every", f"{bench.upvote_every_s:g}",
            "--accounts", f"sb{time.strftime('%H%M%S')}{tag}-")
    settings = {"CLOUDPARK_REGISTER_BURST": "100000", "CLOUDPARK_REGISTER_PER_HOUR": "1000000", **env}
    return CrowdBench(clients=bench.clients, seconds=bench.seconds, shape="showcase", park=bench.park,
                      tick_rate=bench.tick_rate, data_dir=data, work_dir=bench.work_dir, server_core=bench.server_core,
                      bots_core=bench.bots_core, procs=bench.procs, ramp_per_s=bench.ramp_per_s, batch=bench.batch,
                      bot_args=bots, server_env=tuple(settings.items()))


def crowd_step(bench: ShowcaseBench, data: Path, clients: int, *, part: str,
               hall_capacity: int | None = None) -> dict[str, Any]:
    env = {"CLOUDPARK_HALL_CAPACITY": str(hall_capacity or max(clients + 10, 400))}
    crowd = _crowd(bench, data, tag=f"{part[0]}{clients}", env=env)
    if part == "control":  # the same crowd without the showcase's reactions and questions
        crowd = replace(crowd, bot_args=())
    try:
        step = run_step(crowd, clients, "real")
    except BenchError as exc:
        return {"part": part, "clients": clients, "holds": False, "error": str(exc)}
    step["part"] = part
    step["hall_capacity"] = int(env["CLOUDPARK_HALL_CAPACITY"])
    step["holds"] = step_holds(step) if part != "control" else holds(step)
    return step


# -- the stream ------------------------------------------------------------------------------

SAMPLER = """([every, strip, width, height]) => {
  const v = document.querySelector('video');
  const c = document.createElement('canvas');
  c.width = width; c.height = strip;
  const g = c.getContext('2d', { willReadFrequently: true });
  window.__clock = [];
  window.__clockTimer = setInterval(() => {
    if (v.readyState < 2 || !v.videoWidth) return;
    const at = Date.now();
    g.drawImage(v, 0, 0, v.videoWidth, strip * v.videoHeight / height, 0, 0, c.width, strip);
    const d = g.getImageData(0, 0, c.width, strip).data;
    const grey = new Uint8Array(c.width * strip);
    for (let i = 0; i < grey.length; i++) grey[i] = d[4 * i + 1];
    let s = '';
    for (let i = 0; i < grey.length; i += 8192) s += String.fromCharCode.apply(null, grey.subarray(i, i + 8192));
    const st = window.cloudpark.state().stage;
    window.__clock.push({ at, px: btoa(s), delay: st.delay, shown: st.shown });
  }, every);
}"""
DRAIN = "() => { const out = window.__clock; window.__clock = []; return out; }"


def decode_sample(px_b64: str, strip: int) -> int | None:
    """The source clock (ms) in one page's grabbed strip of the video's top rows."""
    raw = np.frombuffer(base64.b64decode(px_b64), np.uint8)
    if raw.size != WIDTH * strip:
        return None
    return decode(raw.reshape(strip, WIDTH))


def _wait_playlist(base: str, event_id: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"{base}/streams/{event_id}/live.m3u8"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 - our own web app
                if reply.status == 200 and reply.read().count(b"#EXTINF") >= 3:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise BenchError(f"no live playlist with 3 segments at {url} within {timeout:.0f} s")


def _settle(pages: list[Any], timeout: float) -> bool:
    """Wait until every page's player holds its target delay (within 0.3 s, by its program
    clock); whether they all did within ``timeout`` (reads before that are thrown away)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = [page.evaluate(STATE) for page in pages]
        for page in pages:
            page.evaluate(DRAIN)
        if all(st.get("delay") is not None and abs(st["delay"] - st["target"]) < 0.3 for st in states):
            return True
        time.sleep(1.0)
    return False


def measure_stream(bench: ShowcaseBench, data: Path, event_id: int) -> dict[str, Any]:
    """Go live with the test pattern, watch it in ``viewers`` Chromium pages, read the pixel clock."""
    from playwright.sync_api import sync_playwright

    from tools.bench.showcase_report import stream_figures

    if not os.access(CHROMIUM, os.X_OK):
        raise BenchError(f"{CHROMIUM} is missing (Debian's chromium: bash tools/setup.sh --test)")
    strip, _ = strip_size(WIDTH)
    samples: list[list[dict[str, Any]]] = [[] for _ in range(bench.viewers)]
    states: list[dict[str, Any]] = []
    settled = False
    shots: list[str] = []
    with _stack(bench, data, "stream") as (world, web):
        asyncio.run(_go_live(web.base, event_id))
        _wait_playlist(web.base, event_id)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
                pages = []
                for i in range(bench.viewers):
                    ctx = browser.new_context(viewport=VIEWPORT)  # small: software GL on a shared machine
                    page = ctx.new_page()
                    page.goto(f"{web.base}/web/{bench.park}/?server={world.ws_url}&spawn=stage&name=Viewer{i + 1}"
                              "&lang=en", timeout=120_000)
                    pages.append(page)
                for page in pages:
                    page.wait_for_function("() => window.cloudpark && window.cloudpark.stage && "
                                           "window.cloudpark.state().stage.shown === 'video'", timeout=120_000)
                    page.evaluate(SAMPLER, [SAMPLE_MS, strip, WIDTH, HEIGHT])
                settled = _settle(pages, SETTLE_S)  # the players reach their target delay (or time runs out)
                until = time.monotonic() + bench.stream_seconds
                while time.monotonic() < until:
                    time.sleep(1.0)
                    for i, page in enumerate(pages):
                        for s in page.evaluate(DRAIN):
                            ms = decode_sample(s["px"], strip)
                            samples[i].append({"at": s["at"], "source": ms, "delay": s["delay"], "shown": s["shown"]})
                states = [page.evaluate(STATE) for page in pages]
                shots = []
                for i, page in enumerate(pages[:2], 1):  # what a viewer sees (to look at); best effort
                    shot = bench.work_dir / f"showcase-stream-page{i}.png"
                    try:
                        page.set_viewport_size({"width": 1024, "height": 640})
                        page.evaluate("() => { for (const id of ['account', 'left']) { const e = "
                                      "document.getElementById(id); if (e) e.hidden = true; } }")
                        page.wait_for_timeout(1500)
                        page.screenshot(path=str(shot), timeout=90_000)
                        shots.append(str(shot))
                    except Exception as exc:  # noqa: BLE001 - a slow page's picture is not a figure
                        log.warning("no screenshot of page %d: %s", i, str(exc).splitlines()[0])
                browser.close()
        finally:
            with contextlib.suppress(Exception):
                asyncio.run(_stop_stream(web.base, event_id))
    figures = stream_figures(samples, grid_s=GRID_S)
    figures["pages"] = [{k: st.get(k) for k in ("shown", "mode", "delay", "target", "rate", "seeks", "retries",
                                                "stalled", "src")} for st in states]
    figures["sample_every_ms"] = SAMPLE_MS
    figures["settled"] = settled
    figures["screenshots"] = shots
    figures["viewport"] = f"{VIEWPORT['width']}x{VIEWPORT['height']}"
    return figures


# -- the whole run ---------------------------------------------------------------------------

def run_bench(bench: ShowcaseBench) -> dict[str, Any]:
    _env()
    data = prepare(bench)
    event_id = schedule_event(bench, data)
    log.info("event %d scheduled on the stage of %s", event_id, bench.park)
    steps: list[dict[str, Any]] = []
    for clients in bench.clients:
        log.info("one hall: %d clients, %.0f s", clients, bench.seconds)
        steps.append(crowd_step(bench, data, clients, part="hall"))
        log.info("  %s", _line(steps[-1]))
        if bench.control:
            log.info("control: %d clients without reactions and questions", clients)
            steps.append(crowd_step(bench, data, clients, part="control"))
            log.info("  %s", _line(steps[-1]))
    over: dict[str, Any] | None = None
    if bench.over_clients:
        log.info("over capacity: %d clients, %d a hall", bench.over_clients, bench.hall_capacity)
        over = crowd_step(bench, data, bench.over_clients, part="over", hall_capacity=bench.hall_capacity)
        log.info("  %s", _line(over))
    stream: dict[str, Any] | None = None
    if bench.viewers:
        log.info("the stream: %d Chromium pages, %.0f s", bench.viewers, bench.stream_seconds)
        try:
            stream = measure_stream(bench, data, event_id)
        except BenchError as exc:
            stream = {"error": str(exc)}
        except Exception as exc:  # noqa: BLE001 - a browser failure is reported, the crowd figures kept
            stream = {"error": f"{type(exc).__name__}: {exc}"[:1500]}
    return {"event": event_id, "steps": steps, "over": over, "stream": stream}


def _line(step: dict[str, Any]) -> str:
    if "error" in step:
        return f"error: {step['error'][:300]}"
    t, r, sc = step["tick_ms"], step["snapshots_per_client_per_s"], step.get("showcase", {})
    return (f"tick p99 {t['p99']} ms, snaps/s min {r['min']}, reactions every second to "
            f"{sc.get('clients_every_second')}/{step['clients']} clients, halls {sc.get('halls')}, "
            f"{'holds' if step['holds'] else 'misses'}")


__all__ = ["ShowcaseBench", "event_times", "run_bench"]
