"""A new visitor opening the playground's address, in Chromium, beside a minimal Streamlit app in the same run.

Run from the repo root: ``.venv/bin/python -m bench.first_visit`` (``--quick`` for a smoke run).

Measured: from navigation start (``page.goto``) until both pictures are on screen and the grid is editable,
i.e. every ``img`` in ``.st-key-pg-original`` and in ``.st-key-pg-result`` is in the page, ``complete`` and
``naturalWidth > 0``, and, in an app with a kernel grid, its first cell is there and enabled: in the playground
the first ``input[data-r][data-c]`` of ``.st-key-pg-gridbox`` (the kernel editor draws it in an open shadow
root, searched from the box down), in the minimal app with an ``st.data_editor`` its grid's canvas (checked in
the page once a frame, by ``requestAnimationFrame``). Each visit is a new browser context (empty cache, new
Streamlit session), viewport 1400x1000; the browser process stays up, like a student's.

- first visitor: the app's server is started afresh for each visit (``streamlit run``, healthy, then 1 s of
  rest), so the visit pays the first script run: the imports of the page and every cache filled once.
  n = 5 (3 with ``--quick``).
- later visitor: one server per app, warmed by 2 visits; n = 15 (5 with ``--quick``).

Apps: the playground (``streamlit_app.py``, its default page); ``bench/minimal_first_app.py`` (the same photo
and its sharpened twin as PNG, one slider: the yardstick); and, for reference, ``bench/minimal_app.py`` (that
plus an ``st.data_editor``: what Streamlit's grid alone adds). The playground and the minimal apps run on a
server with the playground's fix for Streamlit's delayed responses (``app/sockets.py``); the minimal app runs once
more on the stock server, as a reference for what the fix alone is worth. All series are interleaved, one visit each in
turn with the order rotated, so drift on the machine hits them alike. Target (issue 21, with the grid editable
from the first view): a first visit <= 1.3x the minimal app, shown for both visitors; issue 14's earlier targets
were later visitor <= 1.5x, first visitor <= 2x.

Where the time goes, per series (medians, ms from navigation start): the page shell (DOMContentLoaded: the HTML
and Streamlit's main JS), the WebSocket open, the server's script run (start and end, from a timing hook the
benchmark loads into the server through ``PYTHONPATH``: a ``sitecustomize`` that wraps Streamlit's script
runner; no app code is touched), the element chunks Streamlit's front end loads lazily when an element first
needs them (resource timing: JS/CSS requested after the socket opened), the pictures' bytes received and their
``img`` elements in the DOM, and main-thread long tasks. "socket open → done" is the app's own part:
the page shell before it is the same for every app and carries most of the machine's noise. Then the chunks only
the playground loads, and a diagnosis of one fresh server's first run: each import statement that loaded
modules (with ``-X importtime``'s self time by package) and, in another fresh server, a cProfile of that run.

Absolute times swing by 30% or more on a shared machine; the ratios within one run are what count. Nothing is
asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import streamlit
from playwright.sync_api import Browser, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from bench import stock_server
from bench.core_loop import fmt, machine
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, start_app, stop_app

PICTURES = (".st-key-pg-original", ".st-key-pg-result")
VISIT_TIMEOUT_MS = 60_000
WARMUPS = 2  # later visitor: visits before the timed ones, per server
REST_S = 1.0  # after a fresh server answers its health check, before the visit


TARGET = 1.3  # issue 21: a first visit, grid editable, <= 1.3x the minimal app


@dataclass(frozen=True)
class App:
    label: str
    script: Path
    minimal: bool = False
    grid: tuple[str, str] | None = None  # the grid's box and, inside it (shadow roots too), its first editable cell
    env: tuple[tuple[str, str], ...] = ()  # set for its server


PLAYGROUND = App("playground", ROOT / "streamlit_app.py", grid=(".st-key-pg-gridbox", "input[data-r][data-c]"))
MINIMAL = App("minimal app", Path(__file__).resolve().with_name("minimal_first_app.py"), minimal=True)
MINIMAL_GRID = App(
    "minimal app + data_editor",
    Path(__file__).resolve().with_name("minimal_app.py"),
    grid=(".st-key-pg-gridbox", '[data-testid="data-grid-canvas"]'),
)
MINIMAL_STOCK = App("minimal app, stock server", MINIMAL.script, env=tuple(stock_server.ENV.items()))
APPS = (MINIMAL, PLAYGROUND, MINIMAL_GRID, MINIMAL_STOCK)

# ---- in the server: a sitecustomize that times each script run (loaded through PYTHONPATH) ----

HOOK = r'''
"""Written by bench.first_visit: time this Streamlit server's script runs (no app code is touched).

FIRST_VISIT_LOG: a JSON line per run (wall-clock start and end, the modules it imported). With
FIRST_VISIT_TRACE=1 the first run also records each import statement that loaded modules (and, when the server
runs with PYTHONPROFILEIMPORTTIME=1, -X importtime's lines go to FIRST_VISIT_LOG + ".importtime"); with
FIRST_VISIT_PROFILE set, the first run is profiled with cProfile into that file.
"""
import importlib.abc
import importlib.util
import json
import os
import sys
import threading
import time

_LOG = os.environ.get("FIRST_VISIT_LOG")
_TRACE = os.environ.get("FIRST_VISIT_TRACE") == "1"
_PROFILE = os.environ.get("FIRST_VISIT_PROFILE")
_TARGET = "streamlit.runtime.scriptrunner.script_runner"


def _traced_imports(records):
    """Wrap __import__ (this thread, outermost statements only); returns the function that undoes it."""
    import builtins

    real, me, state = builtins.__import__, threading.get_ident(), {"depth": 0}

    def traced(name, globals=None, locals=None, fromlist=(), level=0):
        if threading.get_ident() != me or state["depth"]:
            return real(name, globals, locals, fromlist, level)
        before, t = len(sys.modules), time.perf_counter()
        state["depth"] = 1
        try:
            return real(name, globals, locals, fromlist, level)
        finally:
            state["depth"] = 0
            ms = (time.perf_counter() - t) * 1000
            if len(sys.modules) > before:
                g = globals or {}
                records.append({"by": g.get("__file__") or g.get("__name__", "?"), "name": "." * level + name,
                                "fromlist": list(fromlist or ()), "ms": ms, "new": len(sys.modules) - before})

    builtins.__import__ = traced
    return lambda: setattr(builtins, "__import__", real)


def _wrap(module):
    original = module.exec_func_with_error_handling
    runs = [0]

    def timed(func, ctx):
        runs[0] += 1
        first = runs[0] == 1
        before = set(sys.modules)
        imports, undo, profiler, saved_fd = [], [], None, None
        if first and _TRACE:
            undo.append(_traced_imports(imports))
            if os.environ.get("PYTHONPROFILEIMPORTTIME"):
                sys.stderr.flush()
                saved_fd = os.dup(2)
                fd = os.open(_LOG + ".importtime", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
                os.dup2(fd, 2)
                os.close(fd)
        if first and _PROFILE:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        start = time.time()
        try:
            return original(func, ctx)
        finally:
            end = time.time()
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(_PROFILE)
            if saved_fd is not None:
                sys.stderr.flush()
                os.dup2(saved_fd, 2)
                os.close(saved_fd)
            for u in undo:
                u()
            record = {"pid": os.getpid(), "run": runs[0], "start": start, "end": end,
                      "fragment": bool(getattr(ctx, "fragment_ids_this_run", None)),
                      "new_modules": [m for m in sys.modules if m not in before], "imports": imports}
            with open(_LOG, "a") as f:
                f.write(json.dumps(record) + "\n")

    module.exec_func_with_error_handling = timed


class _Finder(importlib.abc.MetaPathFinder):
    """Patch the script runner right after Streamlit imports it, then step aside."""

    def find_spec(self, name, path, target=None):
        if name != _TARGET:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            _wrap(module)

        spec.loader.exec_module = exec_module
        return spec


if _LOG:
    sys.meta_path.insert(0, _Finder())
'''

# ---- in the page: when both pictures are loaded, and what happened before ----

PROBE_JS = """
(() => {
  if (window !== window.top) return;  // not in component iframes
  performance.setResourceTimingBufferSize(2000);
  const SELS = __PICTURES__, GRID = __GRID__;
  const fv = window.__fv = {done: null, pictures: null, grid: null, inserted: {}, wsCreated: null, wsOpen: null,
                            wsFirst: null, longTasks: []};
  const deep = (root, sel) => {  // querySelector that also searches open shadow roots
    const hit = root.querySelector(sel);
    if (hit) return hit;
    for (const el of root.querySelectorAll('*')) {
      const inner = el.shadowRoot && deep(el.shadowRoot, sel);
      if (inner) return inner;
    }
    return null;
  };
  const check = () => {  // once a frame: a picture is on screen when a frame shows it loaded
    const now = performance.now();
    let ok = true;
    for (const s of SELS) {
      const imgs = document.querySelectorAll(s + ' img');
      if (imgs.length && fv.inserted[s] === undefined) fv.inserted[s] = now;
      if (!imgs.length || ![...imgs].every((i) => i.complete && i.naturalWidth > 0)) ok = false;
    }
    if (ok && fv.pictures === null) fv.pictures = now;
    if (GRID && fv.grid === null) {
      const box = document.querySelector(GRID[0]);
      const cell = box && deep(box, GRID[1]);
      if (cell && !cell.disabled && !cell.readOnly) fv.grid = now;
    }
    if (fv.pictures !== null && (!GRID || fv.grid !== null)) fv.done = now;
    else requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
  const WS = window.WebSocket;
  window.WebSocket = class extends WS {
    constructor(...args) {
      super(...args);
      if (fv.wsCreated === null) fv.wsCreated = performance.now();
      this.addEventListener('open', () => { if (fv.wsOpen === null) fv.wsOpen = performance.now(); });
      this.addEventListener('message', () => { if (fv.wsFirst === null) fv.wsFirst = performance.now(); });
    }
  };
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) fv.longTasks.push([e.startTime, e.duration]);
    }).observe({type: 'longtask', buffered: true});
  } catch (e) {}
})();
"""


def probe_js(app: App) -> str:
    return PROBE_JS.replace("__PICTURES__", json.dumps(list(PICTURES))).replace("__GRID__", json.dumps(app.grid))


COLLECT_JS = """() => {
  const fv = window.__fv, nav = performance.getEntriesByType('navigation')[0];
  return {origin: performance.timeOrigin, done: fv.done, pictures: fv.pictures, grid: fv.grid,
          inserted: Object.values(fv.inserted),
          wsCreated: fv.wsCreated, wsOpen: fv.wsOpen, wsFirst: fv.wsFirst, longTasks: fv.longTasks,
          dcl: nav ? nav.domContentLoadedEventEnd : null,
          resources: performance.getEntriesByType('resource').map((e) => ({
            path: new URL(e.name).pathname, type: e.initiatorType, start: e.startTime, end: e.responseEnd,
            bytes: e.encodedBodySize}))};
}"""

CHUNK = re.compile(r"^/static/(?:js|css)/(?P<file>(?P<name>.+?)\.[A-Za-z0-9_-]{8}\.(?P<ext>js|css))$")


# ---- one visit ----


@dataclass
class Visit:
    """One new visitor's page load; times in ms from navigation start."""

    total: float  # pictures loaded and, in an app with a grid, the grid editable
    pictures: float  # both pictures loaded
    grid: float | None  # the grid's first cell there and enabled (None: the app has no grid)
    shell: float | None  # DOMContentLoaded
    ws_open: float | None
    run_start: float | None  # the server's script run for this session (None: no hook record)
    run_end: float | None
    chunks_end: float | None  # last lazily loaded element chunk (JS/CSS requested after the socket opened)
    chunks: dict[str, tuple[int, float]]  # lazy chunk file (hashed name) -> (bytes, loaded at)
    in_dom: float | None  # both pictures' img elements present
    media_end: float | None  # the pictures' bytes received
    long_tasks_ms: float  # main-thread long tasks before the pictures were loaded
    module_count: int = 0  # modules the script run imported (a fresh server's first run)

    @property
    def run_ms(self) -> float | None:
        return None if self.run_start is None or self.run_end is None else self.run_end - self.run_start

    @property
    def after_socket(self) -> float | None:
        """From the socket opening to done (pictures loaded, grid editable): the app's own part (the page shell is
        the same for all)."""
        return None if self.ws_open is None else self.total - self.ws_open

    @property
    def waited_for_chunks(self) -> bool:
        """Whether the pictures entered the DOM only after the page's last lazy chunk had arrived."""
        return self.in_dom is not None and self.chunks_end is not None and self.in_dom >= self.chunks_end


def server_runs(log: Path, pid: int) -> list[dict]:
    if not log.exists():
        return []
    runs = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r for r in runs if r["pid"] == pid]


def visit(browser: Browser, app: App, url: str, log: Path, pid: int) -> Visit | None:
    """A new visitor opens ``url`` (served ``app``); the timeline of that visit, or None if the pictures never
    loaded or the grid never became editable."""
    context = browser.new_context(viewport=ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"]))
    context.add_init_script(probe_js(app))
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=VISIT_TIMEOUT_MS)
        page.wait_for_function("() => window.__fv && window.__fv.done !== null", polling=20, timeout=VISIT_TIMEOUT_MS)
        data = page.evaluate(COLLECT_JS)
        time.sleep(0.3)  # let the server finish the run's record
    except PlaywrightError as exc:
        print(f"lost: {str(exc).splitlines()[0][:160]}", file=sys.stderr)
        return None
    finally:
        context.close()
    origin, done = data["origin"], data["done"]

    def rel(wall_s: float) -> float:
        return wall_s * 1000 - origin

    runs = [r for r in server_runs(log, pid) if -50 <= rel(r["start"]) <= done]
    ws_open = data["wsOpen"]
    chunks: dict[str, tuple[int, float]] = {}
    media_end = None
    for r in data["resources"]:
        m = CHUNK.match(r["path"])
        if m and ws_open is not None and r["start"] >= ws_open:
            chunks[m["file"]] = (r["bytes"], r["end"])
        elif r["path"].startswith("/media/") and r["end"] <= done + 1:
            media_end = max(media_end or 0.0, r["end"])
    inserted = data["inserted"]
    return Visit(
        total=done,
        pictures=data["pictures"],
        grid=data["grid"],
        shell=data["dcl"],
        ws_open=ws_open,
        run_start=rel(runs[0]["start"]) if runs else None,
        run_end=rel(runs[0]["end"]) if runs else None,
        chunks_end=max((end for _, end in chunks.values() if end <= done), default=None),
        chunks=chunks,
        in_dom=max(inserted) if len(inserted) == len(PICTURES) else None,
        media_end=media_end,
        long_tasks_ms=sum(d for start, d in data["longTasks"] if start < done),
        module_count=len(runs[0]["new_modules"]) if runs else 0,
    )


# ---- series ----


@dataclass
class Series:
    app: App
    visitor: str  # "first" or "later"
    visits: list[Visit] = field(default_factory=list)
    lost: int = 0

    @property
    def label(self) -> str:
        return f"{'first visitor (fresh server)' if self.visitor == 'first' else 'later visitor'}, {self.app.label}"

    def values(self, name: str) -> list[float]:
        return [v for v in (getattr(x, name) for x in self.visits) if v is not None]

    def median(self, name: str = "total") -> float:
        values = self.values(name)
        return statistics.median(values) if values else float("nan")

    def p90(self) -> float:
        values = self.values("total")
        if len(values) < 2:
            return self.median()
        return statistics.quantiles(values, n=10, method="inclusive")[8]


def add(series: Series, v: Visit | None) -> None:
    if v is None:
        series.lost += 1
    else:
        series.visits.append(v)


def rotated(items: tuple[App, ...], i: int) -> list[App]:
    k = i % len(items)
    return [*items[k:], *items[:k]]


def run_first(browser: Browser, env: dict[str, str], log: Path, n: int) -> dict[App, Series]:
    """n visits per app, each to a server started for it alone."""
    series = {app: Series(app, "first") for app in APPS}
    for i in range(n):
        for app in rotated(APPS, i):
            proc, url = start_app(script=app.script, env={**env, **dict(app.env)})
            try:
                time.sleep(REST_S)
                add(series[app], visit(browser, app, url, log, proc.pid))
            finally:
                stop_app(proc)
    return series


def run_later(browser: Browser, env: dict[str, str], log: Path, n: int) -> dict[App, Series]:
    """n visits per app to one warm server per app (after WARMUPS visits each)."""
    series = {app: Series(app, "later") for app in APPS}
    servers = {}
    try:
        for app in APPS:
            servers[app] = start_app(script=app.script, env={**env, **dict(app.env)})
        for i in range(WARMUPS + n):
            for app in rotated(APPS, i):
                proc, url = servers[app]
                v = visit(browser, app, url, log, proc.pid)
                if i >= WARMUPS:
                    add(series[app], v)
    finally:
        for proc, _url in servers.values():
            stop_app(proc)
    return series


# ---- diagnosis: one fresh server's first run, traced ----


def trace_first_run(browser: Browser, env: dict[str, str], folder: Path) -> dict:
    """Two fresh playground servers: one tracing imports (statements and -X importtime), one under cProfile."""
    out: dict = {}
    log = folder / "trace.jsonl"
    proc, url = start_app(
        script=PLAYGROUND.script,
        env={**env, "FIRST_VISIT_LOG": str(log), "FIRST_VISIT_TRACE": "1", "PYTHONPROFILEIMPORTTIME": "1"},
    )
    try:
        time.sleep(REST_S)
        v = visit(browser, PLAYGROUND, url, log, proc.pid)
        runs = server_runs(log, proc.pid)
    finally:
        stop_app(proc)
    if v is None or not runs:
        return out
    first = runs[0]
    out["traced_run_ms"] = (first["end"] - first["start"]) * 1000
    out["imports"] = first["imports"]
    out["new_modules"] = first["new_modules"]
    importtime = Path(str(log) + ".importtime")
    if importtime.exists():
        out["self_by_package"] = importtime_by_package(importtime.read_text())

    prof = folder / "first_run.prof"
    log2 = folder / "profile.jsonl"
    proc, url = start_app(
        script=PLAYGROUND.script, env={**env, "FIRST_VISIT_LOG": str(log2), "FIRST_VISIT_PROFILE": str(prof)}
    )
    try:
        time.sleep(REST_S)
        visit(browser, PLAYGROUND, url, log2, proc.pid)
    finally:
        stop_app(proc)
    if prof.exists():
        out["profile"] = profile_rows(prof)
    return out


def importtime_by_package(text: str) -> Counter[str]:
    """-X importtime's self time (µs) summed by top-level package."""
    by: Counter[str] = Counter()
    for line in text.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if m:
            by[m[2].split(".")[0]] += int(m[1])  # µs
    return by


def profile_rows(path: Path, limit: int = 16) -> list[tuple[float, float, str]]:
    """(cumulative ms, own ms, where) of the first run's costliest calls in the app, imgkernel and st.* elements
    (module bodies left out: the import table covers them)."""
    stats = pstats.Stats(str(path))
    rows = []
    root = str(ROOT)
    for (file, line, func), (_cc, _nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if func == "<module>":
            continue  # imports: see the import table
        if file.startswith(root) and "/.venv/" not in file:
            where = f"{Path(file).relative_to(ROOT)}:{line} {func}"
        elif "/streamlit/elements/" in file and not func.startswith("_"):
            where = f"st.{func} ({file.split('/streamlit/')[1]})"
        else:
            continue
        rows.append((ct * 1000, tt * 1000, where))
    rows.sort(reverse=True)
    return rows[:limit]


# ---- report ----


def results_table(series: list[Series]) -> str:
    lines = [
        "| visit (to pictures loaded and grid editable) | median ms | p90 ms | n | lost | ratio to minimal app "
        "| target | result |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in series:
        ref = next(r for r in series if r.visitor == s.visitor and r.app.minimal)
        ratio = s.median() / ref.median() if s is not ref and s.visits and ref.visits else float("nan")
        shown = "" if ratio != ratio else f"{ratio:.2f}x"
        target, word = "", ""
        if s.app is PLAYGROUND:
            earlier = {"first": "2x", "later": "1.5x"}[s.visitor]
            target = f"<= {TARGET:g}x (issue 14: <= {earlier})"
            word = "—" if ratio != ratio else ("pass" if ratio <= TARGET else "FAIL")
        lines.append(
            f"| {s.label} | {fmt(s.median())} | {fmt(s.p90())} | {len(s.visits)} | {s.lost} | {shown} | {target} "
            f"| {word} |"
        )
    return "\n".join(lines)


def timeline_table(series: list[Series]) -> str:
    cols = [
        ("page shell (DOMContentLoaded)", "shell"),
        ("socket open", "ws_open"),
        ("script run start", "run_start"),
        ("script run end", "run_end"),
        ("script run ms", "run_ms"),
        ("lazy chunks loaded", "chunks_end"),
        ("pictures in DOM", "in_dom"),
        ("pictures' bytes in", "media_end"),
        ("pictures loaded", "pictures"),
        ("grid editable", "grid"),
        ("pictures loaded and grid editable", "total"),
        ("socket open → done", "after_socket"),
        ("long tasks (sum)", "long_tasks_ms"),
    ]
    lines = [
        "| visit | " + " | ".join(c for c, _ in cols) + " | lazy chunks (kB) | pictures after last chunk |",
        "|---|" + "---:|" * (len(cols) + 2),
    ]
    for s in series:
        if not s.visits:
            continue
        kb = statistics.median(sum(b for b, _ in v.chunks.values()) / 1000 for v in s.visits)
        count = statistics.median(len(v.chunks) for v in s.visits)
        lines.append(
            f"| {s.label} | "
            + " | ".join(fmt(s.median(name)) for _, name in cols)
            + f" | {count:.0f} ({kb:,.0f} kB) | {sum(v.waited_for_chunks for v in s.visits)}/{len(s.visits)} |"
        )
    return "\n".join(lines)


def chunk_table(playground: Series, minimal: Series, limit: int = 25) -> str:
    """The lazy chunks the playground loads and the minimal app does not, by size, with when they arrived."""
    seen_min = {name for v in minimal.visits for name in v.chunks}
    sizes: dict[str, int] = {}
    ends: dict[str, list[float]] = defaultdict(list)
    for v in playground.visits:
        for name, (size, end) in v.chunks.items():
            if name not in seen_min:
                sizes[name] = size
                ends[name].append(end)
    ranked = sorted(sizes, key=lambda k: -sizes[k])
    total = sum(sizes.values())
    lines = [
        f"{len(sizes)} chunks, {total / 1000:,.0f} kB in all (the {limit} largest):\n",
        "| chunk | kB | loaded at (median ms) |",
        "|---|---:|---:|",
    ]
    for name in ranked[:limit]:
        m = CHUNK.match(f"/static/js/{name}")
        shown = f"{m['name']}.{m['ext']}" if m else name
        lines.append(f"| {shown} | {sizes[name] / 1000:,.1f} | {fmt(statistics.median(ends[name]))} |")
    return "\n".join(lines)


def diagnosis_text(d: dict) -> str:
    if not d:
        return "The traced fresh server's first run left no record."
    out = [
        f"Traced first run of a fresh playground server: {d['traced_run_ms']:,.0f} ms (tracing adds a little), "
        f"{len(d['new_modules'])} modules imported.\n",
        "Import statements run by the first run that loaded modules (outermost only; ms include everything "
        "they pulled in):\n",
        "| importing file | statement | ms | modules |",
        "|---|---|---:|---:|",
    ]
    for r in sorted(d["imports"], key=lambda r: -r["ms"]):
        if r["ms"] < 2:
            continue
        by = r["by"]
        with contextlib.suppress(ValueError):
            by = str(Path(by).relative_to(ROOT))
        by = re.sub(r".*/site-packages/", "", by)
        what = f"from {r['name']} import {', '.join(r['fromlist'])}" if r["fromlist"] else f"import {r['name']}"
        out.append(f"| {by} | `{what}` | {r['ms']:,.0f} | {r['new']} |")
    if "self_by_package" in d:
        top = d["self_by_package"].most_common(10)
        total = sum(d["self_by_package"].values()) / 1000
        out.append(
            f"\n`-X importtime` self time of those imports by package ({total:,.0f} ms in all): "
            + ", ".join(f"{k} {v / 1000:,.0f}" for k, v in top)
            + "."
        )
    if "profile" in d:
        out += [
            "\ncProfile of another fresh server's first run, module bodies left out (profiling inflates "
            "Python-heavy code; cumulative includes imports done inside the call):\n",
            "| cumulative ms | own ms | where |",
            "|---:|---:|---|",
        ]
        out += [f"| {ct:,.0f} | {tt:,.0f} | {where} |" for ct, tt, where in d["profile"]]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 first and 5 later visits per app")
    parser.add_argument("--first", type=int, default=None, help="first visits per app (default 5)")
    parser.add_argument("--later", type=int, default=None, help="later visits per app (default 15)")
    parser.add_argument("--no-diagnosis", action="store_true", help="skip the traced first run")
    args = parser.parse_args(argv)
    n_first = args.first or (3 if args.quick else 5)
    n_later = args.later or (5 if args.quick else 15)

    with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "sitecustomize.py").write_text(HOOK)
        log = folder / "runs.jsonl"
        env = {
            "PYTHONPATH": os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p),
            "FIRST_VISIT_LOG": str(log),
        }
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        head = [
            *machine(),
            f"Load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())}",
            f"Versions: Python {sys.version.split()[0]}, Streamlit {streamlit.__version__}, "
            f"NumPy {numpy.__version__}, Chromium {browser.version}; first visitor n={n_first} "
            f"(fresh server each), later visitor n={n_later} after {WARMUPS} warm-ups",
        ]
        started = time.monotonic()
        first = run_first(browser, env, log, n_first)
        later = run_later(browser, env, log, n_later)
        diagnosis = {} if args.no_diagnosis else trace_first_run(browser, env, folder)
        browser.close()
        head.append(f"Wall time: {time.monotonic() - started:,.0f} s")

    series = [first[a] for a in APPS] + [later[a] for a in APPS]
    print("# First visit: opening the address until both pictures are loaded and the grid is editable\n")
    print("  \n".join(head) + "\n")
    print(results_table(series))
    print("\n## Where the time goes (medians, ms from navigation start)\n")
    print(timeline_table(series))
    fresh = first[PLAYGROUND].values("module_count")
    if fresh:
        print(f"\nA fresh playground server's first run imported {statistics.median(fresh):.0f} modules (median).")
    print("\n## Lazy front-end chunks the playground loads and the minimal app does not (later visitor)\n")
    print(chunk_table(later[PLAYGROUND], later[MINIMAL]))
    if not args.no_diagnosis:
        print("\n## The first run of a fresh playground server\n")
        print(diagnosis_text(diagnosis))
    return 0


if __name__ == "__main__":
    sys.exit(main())
