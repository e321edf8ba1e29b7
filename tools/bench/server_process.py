"""A ``cloudpark serve`` subprocess under test: pinned to a core, watched with psutil.

The server runs exactly as a user would start it (the console entry point, real
flags); the benchmark only raises the per-IP connection limits through the
server's ``CLOUDPARK_*`` environment settings, since every bot comes from 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil

START_TIMEOUT_S = 120.0  # the first start may build the park's scene


class BenchError(RuntimeError):
    """The server or the bots could not be run; the message says why."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cmd: list[str], core: int | None) -> list[str]:
    """``cmd`` under ``taskset -c core`` (psutil affinity is the fallback, set after start)."""
    if core is None or shutil.which("taskset") is None:
        return cmd
    return ["taskset", "-c", str(core), *cmd]


def pin(pid: int, core: int | None) -> None:
    if core is None:
        return
    try:
        psutil.Process(pid).cpu_affinity([core])
    except (psutil.Error, AttributeError, ValueError):
        pass  # taskset already did it, or the platform cannot


@dataclass
class Sample:
    t: float  # time.monotonic()
    cpu_s: float  # user + system seconds so far
    rss: int


class ServerUnderTest:
    def __init__(self, *, data_dir: Path, log_path: Path, core: int | None, tick_rate: int,
                 view_radius: float | None, naive: bool, max_clients: int,
                 env: dict[str, str] | None = None, cwd: Path | None = None) -> None:
        self.data_dir = data_dir
        self.cwd = cwd  # another checkout's server (``python -m tools.cli`` resolves from the working dir)
        self.log_path = log_path
        self.core = core
        self.tick_rate = tick_rate
        self.view_radius = view_radius
        self.naive = naive
        self.max_clients = max_clients
        self.env = dict(env or {})  # more CLOUDPARK_* settings (a showcase bench's hall capacity)
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.ps: psutil.Process | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "tools.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--data-dir", str(self.data_dir), "--tick-rate", str(self.tick_rate)]
        if self.view_radius is not None:
            cmd += ["--view-radius", str(self.view_radius)]
        if self.naive:
            cmd += ["--snapshot-mode", "naive"]
        return pinned(cmd, self.core)

    def start(self) -> None:
        self.port = free_port()
        env = dict(os.environ)
        limit = str(max(self.max_clients * 2, 100))
        env.update(CLOUDPARK_MAX_PER_IP=limit, CLOUDPARK_MAX_CONNECTIONS=limit, CLOUDPARK_MAX_PER_PARK=limit,
                   CLOUDPARK_MAX_PENDING_PER_IP=limit, CLOUDPARK_MAX_PENDING=limit, CLOUDPARK_BUILD_SCENES="0")
        env.update(self.env)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        if self.cwd is not None:  # that checkout's packages before the installed ones
            env["PYTHONPATH"] = str(self.cwd)
        self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,  # noqa: S603
                                     cwd=self.cwd)
        log.close()
        pin(self.proc.pid, self.core)
        self.ps = psutil.Process(self.proc.pid)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"server exited with {self.proc.returncode}: {self.log_tail()}")
            try:
                self.health()
                return
            except (urllib.error.URLError, OSError, ValueError):
                time.sleep(0.2)
        self.stop()
        raise BenchError(f"server did not answer /healthz within {START_TIMEOUT_S:.0f} s: {self.log_tail()}")

    def health(self) -> dict[str, object]:
        with urllib.request.urlopen(f"{self.http}/healthz", timeout=2) as resp:  # noqa: S310
            data = json.loads(resp.read())
        if not isinstance(data, dict):
            raise ValueError("healthz is not a JSON object")
        return data

    def scrape(self) -> str:
        with urllib.request.urlopen(f"{self.http}/metrics", timeout=5) as resp:  # noqa: S310
            return resp.read().decode("utf-8", "replace")

    def sample(self) -> Sample:
        assert self.ps is not None
        with self.ps.oneshot():
            t = self.ps.cpu_times()
            return Sample(time.monotonic(), t.user + t.system, self.ps.memory_info().rss)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def log_tail(self, chars: int = 2000) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return "(no server log)"
