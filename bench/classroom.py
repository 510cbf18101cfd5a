"""A class of 30 on one server: students arrive, move sliders, edit the grid, upload photos — measured with Locust.

Run from the repo root (a few minutes per scenario; ``--quick`` for a smoke run of about two minutes)::

    .venv/bin/python -m bench.classroom                  # scenarios a, b, c and the ramp
    .venv/bin/python -m bench.classroom a --students 20 --duration 60
    .venv/bin/python -m bench.classroom --quick

Each student is a Locust ``User`` that speaks Streamlit's websocket protocol as Chromium's front end does
(``bench/st_protocol.py``): it loads the page (index HTML and its scripts, the health check), opens
``/_stcore/stream``, runs the page, fetches both pictures from ``/media/…``, then acts. An action is a
``BackMsg`` rerun carrying every widget's value, the changed one new, and the fragment id when the widget sits
in the playground's ``st.fragment``; the time of an action runs from sending it until the new result picture
(its ``/media`` URL read from the deltas) has been fetched over HTTP, as a browser would show it.

Scenarios (a fresh server for each, ``devtools.browser.start_app``):

- **a**: ``--students`` (30) arrive evenly within ``--arrival`` (60 s); each then moves the "Centre weight"
  slider of the default preset, Sharpen, about once a second (a random walk of 0.1-1.0 steps) for
  ``--duration`` (120 s), then keeps its tab open until the last student is done.
- **b**: the same, with ``--uploaders`` (5) of them first uploading their own ``--photo-mp`` (12 MP) JPEG
  (``file_urls_request``, a multipart PUT to ``/_stcore/upload_file/<session>/<file>``, the rerun): they then
  move the slider on that photo's preview.
- **c**: each student presses "Edit the weights", then types a new centre weight into the grid every 2.5-3.5 s.
- **ramp**: scenario a with 10, 20, 30, 40, 60 students (``--ramp``), shorter (``--ramp-arrival``,
  ``--ramp-duration``): where p95 crosses 1 s and 2 s (linear between the steps).

Students are a closed loop, like people: one waits for the picture before moving again (the next move comes
~1 s after the last one started, or at once when the picture took longer). Past capacity the class therefore
moves less often instead of piling up requests; "moves per student-minute" shows it. An action that gets no new
picture within ``--timeout`` (30 s), an exception or error message drawn by the app, a failed HTTP request or a
dropped websocket counts as an error; a student whose session broke reconnects (a reload) and goes on.

Measured beside the latencies: the server's CPU (utime + stime from /proc/<pid>/stat over the busy phase, in
cores), its resident memory (VmRSS, sampled twice a second: the peak), the load generator's own CPU (it runs on
the same two cores) and what the rest of the machine used meanwhile (/proc/stat less both: other people's tests
on a shared machine show up there, and in the latencies). ``--replicas N`` starts N servers and deals the
students to them in turn, as a load balancer with sticky sessions would; their CPU and memory are summed.
``--py-spy DIR`` records the server with py-spy during scenario a (raw stacks, one line per stack).
Nothing is asserted: this is a measurement. Wrap runs in ``flock /tmp/imgkernel-bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import gevent.pool
import locust  # monkey-patches the standard library for gevent: sorted before numpy, requests and websocket
import websocket
from locust import User, task
from locust.env import Environment
from locust.exception import StopUser
from requests import Session
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.machine import machine, rss_mb
from bench.photos import photo_jpeg
from bench.st_protocol import FRAGMENT_RUN_DONE, FULL_RUN_DONE, Page, uploader_state
from devtools.browser import start_app, stop_app

SLIDER_KEY = "pg_params"  # the kernel editor's live sliders; "inner" is the default preset's "Centre weight"
SLIDER_PARAM = "inner"  # (-10..20, step 0.1), at 5 at first
SLIDER_RANGE = (4.0, 15.0)  # where Sharpen shows a picture (below 4 the weights sum below 0: mostly black)
GRID_KEY = "pg_grid"  # the kernel editor's grid, editable from the first view
UPLOAD_KEY = "pg_upload"
RESULT, ORIGINAL = "pg-result", "pg-original"
OOPS = "Something went wrong"
TICK = os.sysconf("SC_CLK_TCK")
RERUN = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")


# ---- what a run is asked to do, and what it measured ----


@dataclass(frozen=True)
class Scenario:
    name: str
    students: int
    arrival_s: float
    duration_s: float
    uploaders: int = 0
    photo_mp: float = 12.0
    grid: bool = False
    timeout_s: float = 30.0
    server_env: tuple[tuple[str, str], ...] = ()
    replicas: int = 1  # servers on this machine; students are dealt to them in turn (a sticky load balancer)

    @property
    def pace_s(self) -> tuple[float, float]:
        """Seconds between one action's start and the next (uniform), unless the picture took longer."""
        return (2.5, 3.5) if self.grid else (0.8, 1.2)


@dataclass
class Server:
    """Samples of the server processes (summed over replicas): CPU seconds and resident memory."""

    pids: list[int]
    cpu: list[tuple[float, float, float, float]] = field(default_factory=list)  # wall; CPU s: server, us, machine
    rss_mb: list[tuple[float, float]] = field(default_factory=list)

    def sample(self) -> None:
        now = time.monotonic()
        server = sum(cpu_seconds(p) for p in self.pids)
        self.cpu.append((now, server, cpu_seconds("self"), machine_cpu_seconds()))
        self.rss_mb.append((now, sum(rss_mb(p) for p in self.pids)))

    def cores(self, start: float, end: float, who: int = 1) -> float:
        """Average CPU use between two instants, in cores: of the server (``who`` 1), of this load generator (2),
        of the whole machine (3)."""
        inside = [c for c in self.cpu if start <= c[0] <= end]
        if len(inside) < 2:
            return math.nan
        return (inside[-1][who] - inside[0][who]) / (inside[-1][0] - inside[0][0])

    def others(self, start: float, end: float) -> float:
        """Cores used by everything else on the machine (other people's tests share these two cores)."""
        return self.cores(start, end, 3) - self.cores(start, end, 1) - self.cores(start, end, 2)

    def peak_rss(self) -> float:
        return max((m for _, m in self.rss_mb), default=math.nan)


@dataclass
class Outcome:
    scenario: Scenario
    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # action -> ms
    errors: Counter[str] = field(default_factory=Counter)  # "action: reason" -> count
    reconnects: int = 0
    server: Server | None = None
    busy: tuple[float, float] = (0.0, 0.0)  # wall clock of the first arrival and the last student's end
    client_cpu_s: float = 0.0
    notices: Counter[str] = field(default_factory=Counter)  # warnings the app drew (e.g. that it is busy)
    playing: set[int] = field(default_factory=set)  # students arrived and not yet done

    def moves_per_minute(self, action: str) -> float:
        """Actions of this kind per student and minute of play (the uploaders' slider moves count as moves)."""
        span = self.scenario.duration_s * self.scenario.students / 60
        n = len(self.times.get(action, [])) + (len(self.times.get(OWN_PHOTO, [])) if action == SLIDER else 0)
        return n / span if span else math.nan


def cpu_seconds(pid: int | str) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime (fields 14, 15 of stat(5))


def machine_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (/proc/stat: all but idle and iowait)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / TICK


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between closest ranks; NaN for no values."""
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---- one student ----


class Broken(Exception):
    """The session cannot go on (socket closed, page script failed to run): reconnect."""


class Student(User):
    """One browser tab on the playground (see the module's docstring). Set up by ``run_scenario``."""

    abstract = False
    scenario: Scenario
    outcome: Outcome
    photos: dict[int, bytes] = {}
    numbers = itertools.count()
    hosts: list[str] = []

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.index = next(Student.numbers)
        self.host = self.hosts[self.index % len(self.hosts)]
        self.rng = random.Random(self.index)
        self.http = Session()
        self.ws: websocket.WebSocket | None = None
        self.page = Page()
        self.value = 5.0
        self.cell = 5.0
        self.next_at = 0.0
        self.until = math.inf

    def wait_time(self) -> float:
        return max(0.0, self.next_at - time.monotonic())

    # -- bookkeeping --

    def record(self, action: str, started: float, exception: BaseException | str | None = None) -> None:
        ms = (time.perf_counter() - started) * 1000
        if exception is None:
            self.outcome.times[action].append(ms)
        else:
            self.outcome.errors[f"{action}: {exception}"] += 1
        self.environment.events.request.fire(
            request_type="ST",
            name=action,
            response_time=ms,
            response_length=0,
            exception=None if exception is None else Exception(str(exception)),
            context={},
        )

    def get(self, path: str, what: str) -> bytes:
        r = self.http.get(self.host + path, timeout=self.scenario.timeout_s)
        if r.status_code != 200:
            raise Broken(f"GET {what} {r.status_code}")
        return r.content

    # -- the socket --

    def connect(self) -> None:
        """Load the page as a first-time visitor does, open the socket and run the page once."""
        started = time.perf_counter()
        html = self.get("/", "page").decode()
        assets = re.findall(r'(?:src|href)="\./(static/(?:js|css)/[^"]+)"', html)
        pool = gevent.pool.Pool(6)  # a browser's connections per host
        for fetch in [pool.spawn(self.get, "/" + a, "static") for a in assets]:
            fetch.get()
        self.get("/_stcore/health", "health")  # also sets the XSRF cookie, as in the browser
        self.get("/_stcore/host-config", "host-config")
        xsrf = self.http.cookies.get("_streamlit_xsrf", "")
        self.ws = websocket.create_connection(
            self.host.replace("http", "ws", 1) + "/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            cookie="; ".join(f"{k}={v}" for k, v in self.http.cookies.items()),
            timeout=self.scenario.timeout_s,
        )
        self.page = Page(url=self.host + "/")
        self.send(self.page.first_run())
        self.settle("arrive → pictures", started, need=(ORIGINAL, RESULT))

    def send(self, msg) -> None:
        assert self.ws is not None
        self.ws.send_binary(msg.SerializeToString())

    def receive(self, deadline: float) -> str:
        assert self.ws is not None
        self.ws.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            raise TimeoutError from None
        except (websocket.WebSocketException, OSError) as exc:
            raise Broken(f"socket: {type(exc).__name__}") from exc
        if not isinstance(data, bytes):
            return ""
        kind = self.page.feed(ForwardMsg.FromString(data))
        if kind == "script_finished" and self.page.finished not in (FULL_RUN_DONE, FRAGMENT_RUN_DONE, RERUN):
            raise Broken("script did not run")
        return kind

    def settle(self, action: str, started: float, need: tuple[str, ...] = (RESULT,)) -> None:
        """Read until the run is over. Each needed picture counts once this run has drawn it: fetched at once
        when its URL is new, as a browser does, or already on screen when it is the same picture (a kernel that
        makes the photo all black twice). ``action`` is recorded when the last needed picture is there."""
        deadline = time.monotonic() + self.scenario.timeout_s
        before = {block: self.page.picture(block) for block in need}
        shown: set[str] = set()
        done = not need
        try:
            while True:
                kind = self.receive(deadline)
                if kind == "delta" and not done:
                    for block in need:
                        pic = self.page.picture(block)
                        if pic is not None and pic is not before[block] and block not in shown:
                            old = before[block]
                            if old is None or pic.url != old.url:
                                self.get(pic.url, "picture")
                            shown.add(block)
                    if len(shown) == len(need):
                        self.record(action, started)
                        done = True
                elif kind == "script_finished" and self.page.finished in (FULL_RUN_DONE, FRAGMENT_RUN_DONE):
                    break
        except TimeoutError:
            self.record(action, started, "timeout")
            raise Broken("timeout") from None
        except Broken as exc:
            self.record(action, started, str(exc))
            raise
        for n in self.page.notices:
            self.outcome.notices[n[:80]] += 1
        if self.page.problems:
            self.record(action, started, f"app error: {self.page.problems[0][:60]}")
        elif not done:
            self.record(action, started, "no picture drawn")

    # -- life of a student --

    def on_start(self) -> None:
        self.outcome.playing.add(self.index)
        self.session_up()
        self.until = time.monotonic() + self.scenario.duration_s
        if self.index in self.photos:
            self.guarded(self.upload)

    def session_up(self) -> None:
        for _attempt in range(3):
            try:
                self.connect()
                return
            except (Broken, OSError, websocket.WebSocketException) as exc:
                self.outcome.errors[f"arrive: {exc}"[:90]] += 1
                self.close()
                gevent.sleep(1)
        raise StopUser()

    def guarded(self, action) -> None:
        try:
            action()
        except (Broken, OSError, websocket.WebSocketException) as exc:
            if not isinstance(exc, Broken):
                self.outcome.errors[f"{action.__name__}: {type(exc).__name__}"] += 1
            self.outcome.reconnects += 1
            self.close()
            self.session_up()

    def on_stop(self) -> None:
        self.close()

    def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                self.ws.close()
            self.ws = None

    @task
    def play(self) -> None:
        now = time.monotonic()
        if now >= self.until:  # done playing: the tab stays open, the session stays on the server
            self.outcome.playing.discard(self.index)
            self.next_at = now + 5
            return
        self.next_at = now + self.rng.uniform(*self.scenario.pace_s)
        self.guarded(self.grid_edit if self.scenario.grid else self.slide)

    def slide(self) -> None:
        wid = self.page.widget_id(SLIDER_KEY)
        if wid is None:
            raise Broken("no slider")
        step = self.rng.choice((-1, 1)) * self.rng.randint(1, 10) / 10
        lo, hi = SLIDER_RANGE
        value = self.value + step
        self.value = round(value if lo <= value <= hi else self.value - step, 1)
        started = time.perf_counter()
        self.send(self.page.send_event(wid, {"op": "param", "name": SLIDER_PARAM, "value": self.value}))
        self.settle(OWN_PHOTO if self.index in self.photos else SLIDER, started)

    def grid_edit(self) -> None:
        wid = self.page.widget_id(GRID_KEY)
        if wid is None:
            raise Broken("no grid")
        self.cell = round(self.cell + self.rng.choice((-1, 1)) * self.rng.randint(1, 10) / 10, 1)
        started = time.perf_counter()
        self.send(self.page.send_event(wid, {"op": "cells", "cells": [[1, 1, self.cell]], "shape": [3, 3]}))
        self.settle("grid edit → picture", started)

    def upload(self) -> None:
        data = self.photos[self.index]
        name = f"student-{self.index}.jpg"
        wid = self.page.widget_id(UPLOAD_KEY)
        if wid is None:
            raise Broken("no uploader")
        started = time.perf_counter()
        self.send(self.page.file_urls_request(name))
        deadline = time.monotonic() + self.scenario.timeout_s
        urls: FileURLs | None = None
        while urls is None:
            assert self.ws is not None
            self.ws.settimeout(max(0.05, deadline - time.monotonic()))
            msg = ForwardMsg.FromString(self.ws.recv())
            if msg.WhichOneof("type") == "file_urls_response":
                urls = msg.file_urls_response.file_urls[0]
            else:
                self.page.feed(msg)
        r = self.http.put(
            self.host + urls.upload_url,
            files={"file": (name, data, "image/jpeg")},
            headers={"X-Xsrftoken": self.http.cookies.get("_streamlit_xsrf", "")},
            timeout=self.scenario.timeout_s,
        )
        if r.status_code not in (200, 204):
            self.record("upload → picture", started, f"PUT {r.status_code}")
            return
        self.send(self.page.rerun([uploader_state(wid, name, len(data), urls)]))
        self.settle("upload → picture", started, need=(ORIGINAL, RESULT))


# ---- running a scenario ----


def run_scenario(sc: Scenario, log=print, py_spy: Path | None = None) -> Outcome:
    """Start a fresh server, let ``sc.students`` students loose on it, and return what was measured."""
    out = Outcome(sc)
    Student.scenario, Student.outcome = sc, out
    Student.numbers = itertools.count()
    step = max(1, sc.students // max(1, sc.uploaders)) if sc.uploaders else 0
    Student.photos = {
        i * step: photo_jpeg(1000 + i, sc.photo_mp, tilt=0.05) for i in range(sc.uploaders)
    }  # spread over the arrivals
    procs = [start_app(env=dict(sc.server_env)) for _ in range(sc.replicas)]
    Student.hosts = [url for _, url in procs]
    proc = procs[0][0]
    server = out.server = Server([p.pid for p, _ in procs])
    spy: subprocess.Popen | None = None
    try:
        locust_env = Environment(user_classes=[Student], host=Student.hosts[0], stop_timeout=10)
        runner = locust_env.create_local_runner()
        sampler = gevent.spawn(_sample, server)
        me0 = cpu_seconds("self")
        if py_spy is not None:
            spy = _start_py_spy(proc.pid, py_spy / f"{sc.name}.txt", sc.arrival_s + sc.duration_s)
        t0 = time.monotonic()
        runner.start(sc.students, spawn_rate=sc.students / sc.arrival_s if sc.arrival_s else sc.students)
        last_end = t0 + sc.arrival_s * (sc.students - 1) / max(1, sc.students) + sc.duration_s
        while time.monotonic() < last_end + 2 or (out.playing and time.monotonic() < last_end + sc.timeout_s * 2):
            gevent.sleep(5)
            moves = sum(len(v) for v in out.times.values())
            log(
                f"  {time.monotonic() - t0:5.0f} s: {runner.user_count} students, {moves} actions, "
                f"{sum(out.errors.values())} errors, server RSS {server.rss_mb[-1][1] if server.rss_mb else 0:.0f} MB"
            )
        out.busy = (t0, time.monotonic())
        out.client_cpu_s = cpu_seconds("self") - me0
        server.sample()
        runner.quit()
        sampler.kill()
    finally:
        if spy is not None:
            spy.wait(timeout=60)
        for p, _ in procs:
            stop_app(p)
    return out


def _sample(server: Server) -> None:
    while True:
        try:
            server.sample()
        except (OSError, RuntimeError):  # the server has gone (or is a zombie)
            return
        gevent.sleep(0.5)


def _start_py_spy(pid: int, path: Path, seconds: float) -> subprocess.Popen | None:
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        print("py-spy not installed: no profile", file=sys.stderr)
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "50"]
    cmd += ["--format", "raw", "--output", str(path), "--nonblocking", "--threads"]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ---- reporting ----

SLIDER, OWN_PHOTO = "slider → picture", "slider → picture (uploaders, own photo)"
ACTIONS = (SLIDER, OWN_PHOTO, "grid edit → picture", "upload → picture", "arrive → pictures")
MOVES = (SLIDER, "grid edit → picture")


def fmt_ms(ms: float) -> str:
    return "—" if ms != ms else f"{ms:,.0f}"


def result_rows(outcomes: list[Outcome]) -> list[str]:
    """One markdown row per scenario and kind of action; the server's figures on the row of the main action."""
    lines = [
        "| scenario | students | action | n | p50 ms | p95 ms | max ms | errors | moves / student-min "
        "| server CPU (cores) | peak RSS MB | other load (cores) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        sc, srv = o.scenario, o.server
        for action in ACTIONS:
            t = o.times.get(action, [])
            errors = sum(n for k, n in o.errors.items() if k.split(": ")[0] == action)
            if not t and not errors:
                continue
            row = f"| {sc.name} | {sc.students} | {action} | {len(t)} | {fmt_ms(percentile(t, 50))} "
            row += f"| {fmt_ms(percentile(t, 95))} | {fmt_ms(max(t, default=math.nan))} | {errors} "
            if action in MOVES and srv is not None:
                row += f"| {o.moves_per_minute(action):.0f} | {srv.cores(*o.busy):.2f} | {srv.peak_rss():,.0f} "
                row += f"| {srv.others(*o.busy):.2f} |"
            else:
                row += "| | | | |"
            lines.append(row)
    return lines


def crossing(points: list[tuple[int, float]], limit_ms: float) -> str:
    """Students at which p95 first reaches ``limit_ms``, linear between measured steps."""
    for (n0, p0), (n1, p1) in itertools.pairwise(points):
        if p0 < limit_ms <= p1:
            return f"~{n0 + (limit_ms - p0) / (p1 - p0) * (n1 - n0):.0f} students"
    if points and points[0][1] >= limit_ms:
        return f"≤ {points[0][0]} students"
    return f"> {points[-1][0]} students" if points else "—"


def machine_lines() -> list[str]:
    """``bench.machine``'s lines (CPU, SIMD, BLAS, threads, code state) and this bench's own versions."""
    import streamlit

    return [
        *machine(),
        f"Streamlit {streamlit.__version__}, Locust {locust.__version__}; "
        f"load average before: {os.getloadavg()[0]:.1f}",
    ]


# ---- command line ----


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("scenarios", nargs="*", default=["a", "b", "c", "ramp"], help="a, b, c, ramp (default: all)")
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--arrival", type=float, default=60.0, help="seconds over which the students arrive")
    ap.add_argument("--duration", type=float, default=120.0, help="seconds each student plays")
    ap.add_argument("--uploaders", type=int, default=5, help="scenario b: students who upload a photo first")
    ap.add_argument("--photo-mp", type=float, default=12.0, help="scenario b: megapixels of each uploaded photo")
    ap.add_argument("--ramp", default="10,20,30,40,60", help="ramp: class sizes")
    ap.add_argument("--ramp-arrival", type=float, default=30.0)
    ap.add_argument("--ramp-duration", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds an action may take before it is an error")
    ap.add_argument("--replicas", type=int, default=1, help="servers on this machine, students dealt in turn")
    ap.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE", help="for the server")
    ap.add_argument("--py-spy", type=Path, help="record the server with py-spy (raw stacks) into this folder")
    ap.add_argument("--quick", action="store_true", help="smoke run: 6 students, 6 s arrival, 15 s play")
    args = ap.parse_args(argv)
    if args.quick:
        args.students, args.arrival, args.duration, args.uploaders, args.photo_mp = 6, 6.0, 15.0, 1, 3.0
        args.ramp, args.ramp_arrival, args.ramp_duration = "4,8", 4.0, 10.0
    env = tuple(tuple(kv.split("=", 1)) for kv in args.server_env)
    base = {
        "arrival_s": args.arrival,
        "duration_s": args.duration,
        "timeout_s": args.timeout,
        "server_env": env,
        "replicas": args.replicas,
    }
    tag = f" ×{args.replicas}" if args.replicas > 1 else ""
    print("\n".join(machine_lines()))
    outcomes: list[Outcome] = []
    ramp: list[Outcome] = []
    for name in args.scenarios:
        if name == "ramp":
            for n in (int(x) for x in args.ramp.split(",")):
                timing = {"arrival_s": args.ramp_arrival, "duration_s": args.ramp_duration}
                sc = Scenario(f"ramp {n}{tag}", n, **{**base, **timing})
                print(f"\n## {sc.name}: {n} students within {sc.arrival_s:g} s, sliders for {sc.duration_s:g} s")
                ramp.append(run_scenario(sc))
            continue
        if name not in ("a", "b", "c"):
            ap.error(f"unknown scenario {name!r}")
        sc = Scenario(
            name + tag,
            args.students,
            uploaders=args.uploaders if name == "b" else 0,
            photo_mp=args.photo_mp,
            grid=name == "c",
            **base,
        )
        print(f"\n## scenario {name}: {sc.students} students within {sc.arrival_s:g} s, {sc.duration_s:g} s each")
        outcomes.append(run_scenario(sc, py_spy=args.py_spy if name == "a" else None))
    report(outcomes, ramp)
    return 0


def report(outcomes: list[Outcome], ramp: list[Outcome]) -> None:
    everything = outcomes + ramp
    print("\n## Results\n")
    print("\n".join(result_rows(everything)))
    for o in everything:
        if o.errors:
            print(f"\n{o.scenario.name}: errors " + ", ".join(f"{k} ×{n}" for k, n in o.errors.most_common(6)))
        if o.reconnects:
            print(f"{o.scenario.name}: {o.reconnects} reconnects")
        if o.notices:
            print(f"{o.scenario.name}: notices " + ", ".join(f"{k!r} ×{n}" for k, n in o.notices.most_common(3)))
        span = o.busy[1] - o.busy[0]
        if span:
            print(f"{o.scenario.name}: load generator CPU {o.client_cpu_s / span:.2f} cores")
    if ramp:
        pts = [(o.scenario.students, percentile(o.times.get(SLIDER, []), 95)) for o in ramp]
        print("\nRamp p95 (slider → picture): " + ", ".join(f"{n}: {fmt_ms(p)} ms" for n, p in pts))
        print(f"p95 crosses 1 s at {crossing(pts, 1000)}; 2 s at {crossing(pts, 2000)}")
        medians = [(o.scenario.students, percentile(o.times.get(SLIDER, []), 50)) for o in ramp]
        print("Ramp p50: " + ", ".join(f"{n}: {fmt_ms(m)} ms" for n, m in medians))


if __name__ == "__main__":
    sys.exit(main())
