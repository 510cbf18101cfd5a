"""The playground's core loop as a user feels it, in Chromium, beside a minimal Streamlit app in the same run.

Run from the repo root: ``.venv/bin/python -m bench.core_loop`` (``--quick`` for a smoke run, n=5).

Both apps are served by ``streamlit run`` on localhost and driven by Playwright in Debian's Chromium
(viewport 1400x1000). Each series gets its own page in a fresh browser context (its own Streamlit session).
All series are interleaved, one repeat each in turn, so drift on the machine hits them alike; each has 2
warm-ups, then n timed repeats. After every repeat the app is let go idle before the next.

The playground's kernel editor (``app/editor.py``, ``app/editor_frontend/editor.js``) draws in an open shadow
root: Playwright's CSS locators pierce it; the scripts timing in the page only listen on ``window`` (capture)
and read the result pictures, which are Streamlit's own ``st.image`` elements (``.st-key-pg-result img``).

Key press to pixels (timed in the page): from the ``keydown`` of the key that triggers the change (a capturing
listener) until every result image that showed the old picture is gone and the new one is ``complete`` with
``naturalWidth > 0`` (checked every 5 ms).

1. slider key: focus the kernel's first parameter slider, press an arrow key (always the same direction, so
   every value is new and no result cache answers). The playground's live slider (Sharpen's "Centre weight",
   a range input in the editor component) vs ``bench/minimal_app.py`` (one ``st.slider``, a NumPy 3x3
   correlate, two ``st.image``), on the 451x300 sample. Target (issue 21): ratio <= 1.2. Both servers carry
   the playground's fix for Streamlit's delayed responses (``app/sockets.py``); the minimal app on the stock
   server is timed too, as a reference for what the fix alone is worth.
2. grid edit: focus the grid's centre cell (focus selects its text), type a new value over it and time from
   the keydown of its last character (the text before it is put in at once and its own rerun, if it makes a
   number, is let finish: the last key is the one that turns the cell into the new value). Values 5.05, 5.15,
   5.25, ...: each is new, off the slider's 0.1 grid (no slider repeat computed it), and in the same range as
   the slider's (below a centre weight of about 4 the sharpened sample turns black, a cheaper picture).
   Target (issue 21): <= 1.1x the playground's slider key time. For reference, the minimal app's
   ``st.data_editor``: the editor opened on the centre cell and filled first, only the committing Enter timed
   (glide-data-grid sends on commit only).
3. 12 MP photo: a 4000x3000 JPEG (the sample upscaled, made in a temp dir) uploaded into the playground, then
   slider key presses as in 1. Ratio to the default photo's slider time. Target: <= 1.5. The minimal app's
   ``?photo=big`` (the same job through a 1024-px preview) is shown for reference.

Drags (2 s, 40 mouse moves evenly spaced in wall time: each move is scheduled on a ``time.perf_counter()``
deadline, as ``page.mouse.move`` is a round trip). The page notes each ``pointermove`` and each new result
picture (new ``src``, loaded, ``naturalWidth > 0``; checked every 5 ms). Counted: the pictures shown between
the first and the last move, per second of that span; the lag from the last move to the last new picture, once
no new picture came for 1 s and the app is idle (0 when the last picture came before the last move); and
whether that final picture is the final value's (the server's echo of the value, read back after the drag,
equals what the pointer left: the grid's centre cell for the slider, the cell itself for a scrub, the result's
caption in the minimal app).

4. slider drag: press on the thumb of the playground's first slider and move it across 25% of the slider's
   width, alternately right and left between the default 5 and 12.5 (below a weight of about 4 every picture is
   the same black one: no new picture to count). Before each drag (untimed), the Offset box is set to a new
   value 0.01 higher (the picture does not change, 8-bit rounding, but the settings do), so every value of
   every drag is new to the result cache (shared by all sessions of a server). Target (issue 21): >= 5
   updates/s on the default photo. The minimal app's ``st.slider`` (it sends on release only: 0 during the
   drag) for reference.
5. scrub: press on the grid's centre cell (not focused) and move 160 px sideways (4 px per step of 0.1: one
   new value per move), alternately right and left between 5 and 9; the Offset is stepped before each, for
   the same reason. Target: as 4.

Reading the tables: medians and p90 (p10 for rates: the bad side) in ms, n = timed repeats that completed (a
repeat whose picture never changed within 30 s is counted as lost and left out). Absolute times swing by 30% or
more on a shared machine; the ratios within one run are what count. Nothing is asserted: this is a measurement,
not a test. An exception shown by an app (``stException``) is reported under the tables.

If the playground does not offer the DOM contract below (the keyed containers), it is reported and only the
minimal app is measured.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy
import streamlit
from PIL import Image
from playwright.sync_api import Browser, Locator, Page, ViewportSize, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import imgkernel
from bench import stock_server
from bench.machine import machine
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, start_app, stop_app
from devtools.st_page import IDLE, edit_grid_cell, open_app, open_weights_editor, settle, upload, wait_idle

# ---- the DOM contract (keyed Streamlit containers get the class st-key-<key>) ----
ORIGINAL_IMG = ".st-key-pg-original img"
RESULT_IMG = ".st-key-pg-result img"
# The playground's live sliders (in the editor's shadow root) and, in the minimal app, st.slider's hidden input.
PARAM_SLIDER = ".st-key-pg-params input[type=range]"
PARAM_LABEL = ".st-key-pg-params label span"  # the playground's slider labels
GRID_BOX = ".st-key-pg-gridbox"
CELL = GRID_BOX + ' input[data-r="{r}"][data-c="{c}"]'  # the playground's grid: one text input per weight
EXCEPTION = '[data-testid="stException"]'
MIN_GRID_FIRST_COL_X = 90  # minimal app's data editor: px from the canvas' left edge into the first weights
GRID_CELL = (1, 1)  # the centre weight of the default 3x3 Sharpen
SHARPEN = imgkernel.get("sharpen")  # the playground's default kernel; its first slider is the one pressed
GRID_CENTRE = float(SHARPEN.matrix()[GRID_CELL])  # grid edits go alternately above and below it

MINIMAL_APP = Path(__file__).resolve().with_name("minimal_app.py")
BIG_SIZE = (4000, 3000)
WARMUPS = 2
CHANGE_TIMEOUT_MS = 30_000
DRAG_MOVES, DRAG_S = 40, 2.0
DRAG_SPAN = 0.25  # a slider drag crosses this share of the slider's width
SCRUB_PX = 160  # a scrub's sideways travel (editor.js: 4 px per step)
QUIET_MS = 1000  # a drag is over once no new picture came for this long (and the app is idle)
RATE_TARGET = 5.0  # updates per second during a drag

# In every page, before any script. Key presses: remember when the armed key went down (with ``overlay`` set,
# only an Enter pressed while the minimal app's data-editor overlay holds that value counts). Drags: when the
# pointer went down, each move, when it went up and the value of the input it left.
TIMER_JS = """
window.__bench = {armed: null, old: [], t0: null, t1: null};
window.__drag = null;
window.addEventListener('keydown', (e) => {
  const b = window.__bench;
  if (!b.armed || b.t0 !== null || e.key !== b.armed.key) return;
  if (b.armed.overlay !== null) {
    const el = document.querySelector('#portal [id^="gdg-overlay"] input, #portal [id^="gdg-overlay"] textarea');
    if (!el || el.value !== b.armed.overlay) return;
  }
  b.t0 = performance.now();
}, true);
window.addEventListener('pointerdown', () => {
  const d = window.__drag;
  if (d && d.down === null) d.down = performance.now();
}, true);
window.addEventListener('pointermove', () => {
  const d = window.__drag;
  if (d && d.down !== null && d.up === null) d.moves.push(performance.now());
}, true);
window.addEventListener('pointerup', (e) => {
  const d = window.__drag;
  if (!d || d.down === null || d.up !== null) return;
  d.up = performance.now();
  const t = e.composedPath()[0];
  d.upValue = t && typeof t.value === 'string' ? t.value : null;
}, true);
"""
ARM_JS = """([sel, key, overlay]) => {
  window.__bench = {armed: key === null ? null : {key, overlay}, t0: key === null ? performance.now() : null,
                    t1: null, old: [...document.querySelectorAll(sel)].map((i) => i.src)};
}"""
# True (and t1 noted) once no result image shows an old picture and all of them are loaded.
CHANGED_JS = """(sel) => {
  const b = window.__bench;
  if (b.t0 === null) return false;
  const imgs = [...document.querySelectorAll(sel)];
  if (!imgs.length || imgs.some((i) => b.old.includes(i.src))) return false;
  if (!imgs.every((i) => i.complete && i.naturalWidth > 0)) return false;
  if (b.t1 === null) b.t1 = performance.now();
  return true;
}"""
# A drag: watch the result pictures every 5 ms; a picture is shown once its srcs are new and all loaded.
DRAG_ARM_JS = """(sel) => {
  const key = () => {
    const imgs = [...document.querySelectorAll(sel)];
    if (!imgs.length || !imgs.every((i) => i.complete && i.naturalWidth > 0)) return null;
    return imgs.map((i) => i.src).join(' ');
  };
  if (window.__drag) clearInterval(window.__drag.timer);
  const d = window.__drag = {down: null, up: null, upValue: null, moves: [], pics: [], last: key()};
  d.timer = setInterval(() => {
    const k = key();
    if (k !== null && k !== d.last) { d.last = k; d.pics.push(performance.now()); }
  }, 5);
}"""
DRAG_STATE_JS = """() => {
  const d = window.__drag;
  return {now: performance.now(), down: d.down, up: d.up, upValue: d.upValue, moves: d.moves, pics: d.pics};
}"""
DRAG_STOP_JS = "() => { if (window.__drag) clearInterval(window.__drag.timer); }"


def quantile(values: list[float], q: int) -> float:
    """The q-th decile (inclusive method); the median of fewer than 2 values."""
    if len(values) < 2:
        return statistics.median(values) if values else float("nan")
    return statistics.quantiles(values, n=10, method="inclusive")[q - 1]


@dataclass
class Series:
    """Timings of one key-press measurement on one page."""

    label: str
    times_ms: list[float] = field(default_factory=list)
    lost: int = 0

    def add(self, ms: float | None) -> None:
        if ms is None:
            self.lost += 1
        else:
            self.times_ms.append(ms)

    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    def p90(self) -> float:
        return quantile(self.times_ms, 9)


@dataclass
class DragSample:
    """One 2 s drag: pictures shown during it, their rate, the lag after it, the drive's own timing."""

    during: int  # new pictures between the first and the last move
    rate: float  # per second of that span
    lag_ms: float  # last move to the last new picture (0 if none came after the last move)
    span_ms: float  # first to last move, as the page saw them
    max_gap_ms: float  # the longest gap between two moves
    final_ok: bool  # the server's echo of the value equals the one the pointer left


@dataclass
class DragSeries:
    label: str
    samples: list[DragSample] = field(default_factory=list)
    lost: int = 0

    def add(self, sample: DragSample | None) -> None:
        if sample is None:
            self.lost += 1
        else:
            self.samples.append(sample)

    def values(self, name: str) -> list[float]:
        return [float(getattr(s, name)) for s in self.samples]

    def median(self, name: str) -> float:
        values = self.values(name)
        return statistics.median(values) if values else float("nan")


# ---- pages ----


def new_page(browser: Browser, url: str) -> Page:
    """A page in a fresh browser context, opened on ``url`` with the timers installed and the app idle."""
    context = browser.new_context(viewport=ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"]))
    context.add_init_script(TIMER_JS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_app(page, url)
    return page


def has_contract(page: Page) -> bool:
    """Whether the page shows the keyed original/result images and a parameter slider."""
    try:
        page.locator(RESULT_IMG).first.wait_for(timeout=10_000)
        page.locator(PARAM_SLIDER).first.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        return False
    return page.locator(ORIGINAL_IMG).count() > 0


def number(text: str | None) -> float | None:
    """A number as the apps show it (a real minus sign allowed); None if it is none."""
    try:
        return float((text or "").strip().replace("\u2212", "-"))
    except ValueError:
        return None


def same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= 1e-3 * max(1.0, abs(a))


class Exceptions:
    """Exceptions an app showed (``stException``), and a kernel grid drawn more than once, noted once per page
    and text."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.seen:
            self.seen.append(text)
            print(f"exception: {text}", file=sys.stderr)

    def check(self, page: Page, where: str) -> None:
        shown = page.locator(EXCEPTION)
        for i in range(shown.count()):
            self.note(f"{where}: {' '.join(shown.nth(i).inner_text().split())[:300]}")
        grids = page.locator(CELL.format(r=0, c=0)).count()
        if grids > 1:
            self.note(f"{where}: the kernel grid is drawn {grids} times")


# ---- one timed key press ----


def timed_change(
    page: Page,
    act: Callable[[], None],
    key: str | None,
    overlay: str | None = None,
    timeout_ms: float = CHANGE_TIMEOUT_MS,
    prepare: Callable[[], None] | None = None,
) -> float | None:
    """Do ``prepare`` (untimed), arm the timer on ``key`` (None: start now), do ``act``, wait for the new
    result image; ms or None if lost. Afterwards the app is left idle, so the next change does not land in the
    tail of this rerun."""
    page.bring_to_front()  # pages take turns: the one measured is the visible one (timers unthrottled)
    ms: float | None = None
    try:
        if prepare is not None:
            prepare()
        page.evaluate(ARM_JS, [RESULT_IMG, key, overlay])
        act()
        page.wait_for_function(CHANGED_JS, arg=RESULT_IMG, polling=5, timeout=timeout_ms)
        t0, t1 = page.evaluate("[window.__bench.t0, window.__bench.t1]")
        ms = t1 - t0
    except (PlaywrightError, AssertionError) as exc:  # lost: no new image, or the grid's editor would not open
        print(f"lost: {' '.join(str(exc).split())[:400]}", file=sys.stderr)
        page.keyboard.press("Escape")
    settle(page, timeout=timeout_ms)
    return ms


class Slider:
    """Key presses on a page's first parameter slider, always in the direction with room for ``presses``."""

    def __init__(self, page: Page, presses: int) -> None:
        self.page = page
        self.input = page.locator(PARAM_SLIDER).first
        lo, hi, step = (float(self.input.get_attribute(a) or 0) for a in ("min", "max", "step"))
        value = float(self.input.input_value())
        self.key = "ArrowRight" if (hi - value) / step >= presses or hi - value >= value - lo else "ArrowLeft"

    def press(self) -> float | None:
        def act() -> None:
            self.input.focus()
            self.page.keyboard.press(self.key)

        return timed_change(self.page, act, self.key)


def typed_value(i: int) -> str:
    """The i-th typed centre weight: 5.05, 5.15, 5.25, ... (two decimals: off the slider's 0.1 grid)."""
    return f"{GRID_CENTRE + 0.05 + 0.1 * i:.2f}"


def grid_type(page: Page, i: int) -> float | None:
    """Type a new centre weight over the playground's centre cell; only its last key is timed."""
    cell = page.locator(CELL.format(r=GRID_CELL[0], c=GRID_CELL[1]))
    text = typed_value(i)

    def prepare() -> None:
        cell.evaluate("(c) => c.blur()")  # then focus again: focus selects the whole text
        cell.focus()
        page.keyboard.insert_text(text[:-1])  # one input event; if it makes a number, its rerun is let finish
        settle(page)

    return timed_change(page, lambda: page.keyboard.press(text[-1]), text[-1], prepare=prepare)


def grid_index(page: Page) -> int:
    """The index, among the page's data editors, of the one in the grid's box (the minimal app)."""
    return page.evaluate(
        """(box) => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                     .findIndex((g) => g.closest(box) !== null)""",
        GRID_BOX,
    )


def data_editor_edit(page: Page, i: int) -> float | None:
    """Commit a new centre weight in the minimal app's st.data_editor; only the committing Enter is timed."""
    step = (i // 2 + 1) * 0.25
    value = f"{GRID_CENTRE + step if i % 2 == 0 else GRID_CENTRE - step:g}"
    index = grid_index(page)
    if index < 0:
        print(f"lost: no data editor inside {GRID_BOX}", file=sys.stderr)
        return None
    row, col = GRID_CELL
    return timed_change(
        page, lambda: edit_grid_cell(page, row, col, value, index, MIN_GRID_FIRST_COL_X), "Enter", overlay=value
    )


def upload_big(page: Page, folder: Path) -> float | None:
    """Upload a 12 MP JPEG (the sample upscaled) and wait for its result; ms from upload to result loaded."""
    path = folder / "big-4000x3000.jpg"
    if not path.exists():
        Image.open(ROOT / "assets" / "chelsea.png").convert("RGB").resize(BIG_SIZE, Image.Resampling.BICUBIC).save(
            path, quality=90
        )
    return timed_change(page, lambda: upload(page, path), None, timeout_ms=180_000)


# ---- drags ----


def steady_drag(page: Page, x: float, y: float, dx: float, moves: int = DRAG_MOVES, seconds: float = DRAG_S) -> None:
    """Press the mouse at (x, y), move it ``dx`` sideways in ``moves`` moves evenly spaced over ``seconds`` (each
    on its own ``perf_counter`` deadline: a move is a round trip to the browser), release."""
    page.mouse.move(x, y)
    page.mouse.down()
    t0 = time.perf_counter()
    for k in range(moves):
        delay = t0 + k * seconds / (moves - 1) - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        page.mouse.move(x + dx * (k + 1) / moves, y)
    page.mouse.up()


class DragTarget:
    """What a drag presses on: where (and which way) it starts, the untimed step before it, and the check that
    the final picture is the final value's."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def prepare(self, i: int) -> None:
        """Before drag ``i`` (untimed)."""

    def start(self, i: int) -> tuple[float, float, float]:
        raise NotImplementedError

    def final_ok(self, up_value: str | None) -> bool:
        raise NotImplementedError


def new_offset(page: Page, i: int) -> None:
    """Offset 0.01 (i + 1): the same picture (8-bit rounding), new settings: drag ``i``'s values are new to the
    result cache."""
    box = page.get_by_role("textbox", name="Offset")  # beside the grid, in the kernel editor
    box.fill(f"{0.01 * (i + 1):.2f}")
    box.press("Enter")
    settle(page)


def drag_dx(slider: Locator, width: float) -> float:
    """A drag of DRAG_SPAN of ``width``: to the right from the lower half of the band it spans above the default
    centre weight, else to the left; so it goes to and fro between the default and DRAG_SPAN of the range above."""
    lo, hi = (float(slider.get_attribute(a) or 0) for a in ("min", "max"))
    middle = GRID_CENTRE + DRAG_SPAN * (hi - lo) / 2
    return (1 if float(slider.input_value()) < middle else -1) * DRAG_SPAN * width


class LiveSliderDrag(DragTarget):
    """The playground's first slider (a native range input: the thumb is 16 px wide in Chromium)."""

    THUMB_PX = 16

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.input = page.locator(PARAM_SLIDER).first
        self.centre = page.locator(CELL.format(r=GRID_CELL[0], c=GRID_CELL[1]))

    def prepare(self, i: int) -> None:
        new_offset(self.page, i)

    def start(self, i: int) -> tuple[float, float, float]:
        box = self.input.bounding_box()
        assert box is not None
        lo, hi = (float(self.input.get_attribute(a) or 0) for a in ("min", "max"))
        frac = (float(self.input.input_value()) - lo) / (hi - lo)
        x = box["x"] + self.THUMB_PX / 2 + frac * (box["width"] - self.THUMB_PX)
        return x, box["y"] + box["height"] / 2, drag_dx(self.input, box["width"])

    def final_ok(self, up_value: str | None) -> bool:  # the grid shows the server's kernel
        return any(same(number(up_value), number(t)) for t in self.centre.evaluate_all("(a) => a.map((c) => c.value)"))


class StSliderDrag(DragTarget):
    """The minimal app's st.slider (react-aria: a thumb div around a hidden range input)."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.input = page.locator(PARAM_SLIDER).first
        self.thumb = self.input.locator("xpath=../..")
        self.track = self.input.locator("xpath=../../..")

    def start(self, i: int) -> tuple[float, float, float]:
        thumb, track = self.thumb.bounding_box(), self.track.bounding_box()
        assert thumb is not None and track is not None
        return thumb["x"] + thumb["width"] / 2, thumb["y"] + thumb["height"] / 2, drag_dx(self.input, track["width"])

    def final_ok(self, up_value: str | None) -> bool:
        caption = self.page.locator(".st-key-pg-result").inner_text()  # "Sharpen, centre 7.3"
        return same(number(self.input.input_value()), number(caption.rsplit("centre", 1)[-1]))


class ScrubDrag(DragTarget):
    """The playground's grid: a sideways drag on the centre cell."""

    def __init__(self, page: Page) -> None:
        super().__init__(page)
        self.cell = page.locator(CELL.format(r=GRID_CELL[0], c=GRID_CELL[1]))

    def prepare(self, i: int) -> None:
        new_offset(self.page, i)
        self.cell.evaluate("(c) => c.blur()")  # a focused cell is typed into, not scrubbed

    def start(self, i: int) -> tuple[float, float, float]:
        box = self.cell.bounding_box()
        assert box is not None
        value = number(self.cell.input_value()) or GRID_CENTRE
        dx = SCRUB_PX if value < GRID_CENTRE + SCRUB_PX / 4 * 0.1 / 2 else -SCRUB_PX  # to and fro above 5
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, dx

    def final_ok(self, up_value: str | None) -> bool:
        return same(number(up_value), number(self.cell.input_value()))  # repainted from the server once let go


def drag(target: DragTarget, i: int) -> DragSample | None:
    """One 2 s drag on ``target``, measured in the page; None if lost (no picture at all within 30 s)."""
    page = target.page
    page.bring_to_front()
    try:
        target.prepare(i)
        x, y, dx = target.start(i)
        page.evaluate(DRAG_ARM_JS, RESULT_IMG)
        steady_drag(page, x, y, dx)
        deadline = time.monotonic() + CHANGE_TIMEOUT_MS / 1000
        while True:  # until no new picture for QUIET_MS and the app idle
            state: dict[str, Any] = page.evaluate(DRAG_STATE_JS)
            last = max([state["up"] or 0.0, *state["pics"][-1:]])
            if state["now"] - last >= QUIET_MS and page.locator(IDLE).count():
                break
            if time.monotonic() > deadline:
                raise PlaywrightTimeout("the result kept changing or the app stayed busy for 30 s")
            page.wait_for_timeout(100)
        page.evaluate(DRAG_STOP_JS)
        moves, pics = state["moves"], state["pics"]
        if len(moves) < 2 or not pics:
            print(f"lost: {len(moves)} moves seen, {len(pics)} new pictures", file=sys.stderr)
            return None
        span = moves[-1] - moves[0]
        during = sum(moves[0] <= t <= moves[-1] for t in pics)
        return DragSample(
            during=during,
            rate=during / (span / 1000),
            lag_ms=max(0.0, pics[-1] - moves[-1]),
            span_ms=span,
            max_gap_ms=max(b - a for a, b in zip(moves, moves[1:], strict=False)),
            final_ok=target.final_ok(state["upValue"]),
        )
    except (PlaywrightError, AssertionError) as exc:
        print(f"lost: {' '.join(str(exc).split())[:400]}", file=sys.stderr)
        page.mouse.up()
        settle(page)
        return None


# ---- running the series ----

Step = tuple[Series | DragSeries, Page, Callable[[int], Any]]


def interleave(steps: list[Step], n: int, exceptions: Exceptions) -> None:
    """Run each series' step once in turn, ``WARMUPS`` + ``n`` times; keep the last ``n`` results."""
    for i in range(WARMUPS + n):
        for s, page, step in steps:
            result = step(i)
            exceptions.check(page, s.label)
            if i >= WARMUPS:
                s.add(result)


def fmt(ms: float) -> str:
    return "—" if ms != ms else f"{ms:,.0f}"  # NaN: nothing measured


def verdict(value: float, limit: float, at_most: bool = True) -> str:
    if value != value:
        return "—"
    return "pass" if (value <= limit if at_most else value >= limit) else "FAIL"


Row = tuple[Series, str, Series | None, float | None]  # series, what its ratio is to, that series, target ratio


def table(rows: list[Row]) -> str:
    """Markdown: one row per key-press series, with its ratio to a reference series, the target and a verdict."""
    lines = [
        "| key press → new pixels | median ms | p90 ms | n | lost | ratio | ratio to | target | result |",
        "|---|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for s, ref_label, ref, target in rows:
        ratio = s.median() / ref.median() if ref is not None and ref.times_ms and s.times_ms else float("nan")
        shown = "" if ratio != ratio else f"{ratio:.2f}x"
        goal, word = ("", "") if target is None else (f"<= {target:g}x", verdict(ratio, target))
        lines.append(
            f"| {s.label} | {fmt(s.median())} | {fmt(s.p90())} | {len(s.times_ms)} | {s.lost} | {shown} "
            f"| {ref_label} | {goal} | {word} |"
        )
    return "\n".join(lines)


def drag_table(rows: list[tuple[DragSeries, bool]]) -> str:
    """Markdown: one row per drag series (``True``: the >= RATE_TARGET updates/s target applies)."""
    lines = [
        f"| {DRAG_S:g} s drag, {DRAG_MOVES} moves | pictures during (median) | updates/s median | updates/s p10 "
        "| lag to final picture, median ms | lag p90 ms | moves span ms (median) | longest gap between moves ms "
        "(median) | final picture is the final value | n | lost | target | result |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for s, targeted in rows:
        rates, lags = s.values("rate"), s.values("lag_ms")
        rate = s.median("rate")
        ok = sum(x.final_ok for x in s.samples)
        goal, word = (f">= {RATE_TARGET:g}/s", verdict(rate, RATE_TARGET, at_most=False)) if targeted else ("", "")
        lines.append(
            f"| {s.label} | {s.median('during'):.0f} | {rate:.1f} | {quantile(rates, 1):.1f} "
            f"| {fmt(s.median('lag_ms'))} | {fmt(quantile(lags, 9))} | {fmt(s.median('span_ms'))} "
            f"| {fmt(s.median('max_gap_ms'))} "
            f"| {ok}/{len(s.samples)} | {len(s.samples)} | {s.lost} | {goal} | {word} |"
        )
    return "\n".join(lines)


@dataclass
class Results:
    rows: list[Row] = field(default_factory=list)
    drags: list[tuple[DragSeries, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def measure(
    browser: Browser, min_url: str, stock_url: str, pg_url: str, n: int, tmp: Path, exceptions: Exceptions
) -> Results:
    """Open one page per series, then run all series interleaved."""
    out = Results()
    presses = WARMUPS + n + 2
    s_min, s_min_big = Series("slider key, minimal app, 451x300"), Series("slider key, minimal app, 12 MP (preview)")
    s_stock = Series("slider key, minimal app on the stock server, 451x300")
    s_pg, s_pg_big = Series("slider key, playground, 451x300"), Series("slider key, playground, 12 MP photo")
    s_grid = Series("grid edit (last key typed), playground, 451x300")
    s_min_grid = Series("grid edit (Enter commits), minimal app st.data_editor, 451x300")
    d_min = DragSeries("slider drag, minimal app st.slider (sends on release)")
    d_pg, d_scrub = DragSeries("slider drag, playground"), DragSeries("scrub on the centre cell, playground")

    slider_min, slider_min_big, slider_stock = (
        Slider(new_page(browser, min_url), presses),
        Slider(new_page(browser, f"{min_url}/?photo=big"), presses),
        Slider(new_page(browser, stock_url), presses),
    )
    min_grid_page = new_page(browser, min_url)
    open_weights_editor(min_grid_page)
    min_drag = StSliderDrag(new_page(browser, min_url))
    steps: list[Step] = [
        (s_min, slider_min.page, lambda _i: slider_min.press()),
        (s_min_big, slider_min_big.page, lambda _i: slider_min_big.press()),
        (s_stock, slider_stock.page, lambda _i: slider_stock.press()),
        (s_min_grid, min_grid_page, lambda i: data_editor_edit(min_grid_page, i)),
        (d_min, min_drag.page, lambda i: drag(min_drag, i)),
    ]
    out.rows = [
        (s_min, "", None, None),
        (s_min_big, "minimal app slider, 451x300", s_min, None),
        (s_stock, "minimal app slider", s_min, None),
        (s_min_grid, "minimal app slider", s_min, None),
    ]
    out.drags = [(d_min, False)]

    playground = new_page(browser, pg_url)
    if not has_contract(playground):
        out.notes.append(
            f"The playground at {pg_url} lacks the DOM contract ({RESULT_IMG}, {PARAM_SLIDER}): "
            "only the minimal app was measured."
        )
        interleave(steps, n, exceptions)
        return out
    exceptions.check(playground, "playground, first view")
    slider_pg = Slider(playground, presses)
    label = playground.locator(PARAM_LABEL).first.inner_text()
    if label != SHARPEN.params[0].label:
        out.notes.append(f"The playground's first slider is {label!r}, not Sharpen's {SHARPEN.params[0].label!r}.")
    grid_page = new_page(browser, pg_url)  # its own session: the first grid edit turns the kernel into Custom
    pg_drag = LiveSliderDrag(new_page(browser, pg_url))
    scrub = ScrubDrag(new_page(browser, pg_url))
    steps[1:1] = [
        (s_pg, playground, lambda _i: slider_pg.press()),
        (s_grid, grid_page, lambda i: grid_type(grid_page, i)),
    ]
    steps += [(d_pg, pg_drag.page, lambda i: drag(pg_drag, i)), (d_scrub, scrub.page, lambda i: drag(scrub, i))]
    out.rows[1:1] = [(s_pg, "minimal app slider", s_min, 1.2), (s_grid, "playground slider", s_pg, 1.1)]
    out.rows.append((s_grid, "minimal app grid edit", s_min_grid, None))
    out.drags = [(d_pg, True), (d_scrub, True), (d_min, False)]

    big_page = new_page(browser, pg_url)
    big_upload = upload_big(big_page, tmp)
    wait_idle(big_page)
    exceptions.check(big_page, "playground, 12 MP upload")
    if big_upload is not None and has_contract(big_page):
        slider_big = Slider(big_page, presses)
        steps.append((s_pg_big, big_page, lambda _i: slider_big.press()))
        out.rows.append((s_pg_big, "playground slider, 451x300", s_pg, 1.5))
        out.notes.append(f"12 MP upload (4000x3000 JPEG) until its result was on screen, once: {big_upload:,.0f} ms.")
    else:
        out.notes.append("The 12 MP upload showed no new result within 180 s: its series was skipped.")

    interleave(steps, n, exceptions)
    if s_pg_big.times_ms and s_min_big.times_ms:
        out.notes.append(
            f"Playground 12 MP vs minimal app 12 MP (preview): {s_pg_big.median() / s_min_big.median():.2f}x."
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: n=5")
    parser.add_argument("-n", type=int, default=None, help="timed repeats per series (default 15, 5 with --quick)")
    args = parser.parse_args(argv)
    n = args.n or (5 if args.quick else 15)

    procs: list[subprocess.Popen] = []
    exceptions = Exceptions()
    started = time.monotonic()
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            urls = []
            for script, env in (
                (MINIMAL_APP, None),
                (MINIMAL_APP, stock_server.ENV),
                (ROOT / "streamlit_app.py", None),
            ):
                proc, url = start_app(script=script, env=env)
                procs.append(proc)
                urls.append(url)
            min_url, stock_url, pg_url = urls
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            head = [
                *machine(),
                f"Versions: Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
                f"NumPy {numpy.__version__}, Chromium {browser.version}; n={n} after {WARMUPS} warm-ups",
            ]
            results = measure(browser, min_url, stock_url, pg_url, n, Path(tmp), exceptions)
            browser.close()
    finally:
        for proc in procs:
            stop_app(proc)
    head.append(f"Wall time: {time.monotonic() - started:,.0f} s")

    print("# Core loop: key press or drag to new result pixels\n")
    print("  \n".join(head) + "\n")
    print(table(results.rows))
    print()
    print(drag_table(results.drags))
    for note in results.notes:
        print(f"\n{note}")
    if exceptions.seen:
        print("\nExceptions (or a grid drawn twice) the apps showed while measured:\n")
        print("\n".join(f"- {e}" for e in exceptions.seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
