"""The playground's core loop as a user feels it, in Chromium, beside a minimal Streamlit app in the same run.

Run from the repo root: ``.venv/bin/python -m bench.core_loop`` (``--quick`` for a smoke run, n=5).

Both apps are served by ``streamlit run`` on localhost and driven by Playwright in Debian's Chromium
(viewport 1400x1000). Each series gets its own page in a fresh browser context (its own Streamlit session).
Every timing runs in the page: from the ``keydown`` of the key that triggers the change (seen by a capturing
listener) until every result image (``.st-key-pg-result img``) that showed the old picture is gone and the
new one is ``complete`` with ``naturalWidth > 0`` (checked every 5 ms); the app is then let go idle before
the next change. Each series has 2 warm-ups, then n timed repeats; all series are interleaved, one repeat
each in turn, so drift on the machine hits them alike.

Measurements:

1. slider: focus the kernel's first parameter slider, press an arrow key (always the same direction, so
   every value is new and no result cache answers). Playground vs ``bench/minimal_app.py`` (one slider, a
   NumPy 3x3 correlate, two ``st.image``), on the 451x300 sample. Target: ratio <= 1.3.
2. grid edit: the grid's editor is opened on the centre cell and filled before the clock starts; only the
   Enter that commits the value is timed. Every value is new (alternately above and below the default centre
   weight), so each edit changes the pixels and no result cache answers. Ratio to the playground's slider
   time of 1 (target: <= 1.5), and to the minimal app doing the same with a bare ``st.data_editor`` (what
   Streamlit's grid itself costs).
3. 12 MP photo: a 4000x3000 JPEG (the sample upscaled, made in a temp dir) uploaded into the playground,
   then slider presses as in 1. Ratio to the default photo's slider time. Target: <= 1.5. The minimal app's
   ``?photo=big`` (the same job through a 1024-px preview) is shown for reference.

Reading the table: medians and p90 in ms, n = timed repeats that completed (a repeat whose image never
changed within 30 s is counted as lost and left out). Absolute times swing by 30% or more on a shared
machine; the ratios within one run are what count. Nothing is asserted: this is a measurement, not a test.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy
import streamlit
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

import imgkernel
from bench.machine import machine
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, start_app, stop_app
from devtools.st_page import edit_grid_cell, open_app, open_weights_editor, settle, upload, wait_idle

# ---- the playground's DOM contract (keyed Streamlit containers get the class st-key-<key>) ----
ORIGINAL_IMG = ".st-key-pg-original img"
RESULT_IMG = ".st-key-pg-result img"
PARAM_SLIDER = '.st-key-pg-params [data-testid="stSlider"] input[type="range"]'  # Streamlit 1.67: react-aria
GRID_BOX = ".st-key-pg-gridbox"
GRID_FIRST_COL_X = 90  # px from the grid canvas' left edge: past the row-index column (~50 px), in the first weights
GRID_CELL = (1, 1)  # the centre weight of the default 3x3 Sharpen
SHARPEN = imgkernel.get("sharpen")  # the playground's default kernel; its first slider is the one pressed
GRID_CENTRE = float(SHARPEN.matrix()[GRID_CELL])  # grid edits go alternately above and below it

MINIMAL_APP = Path(__file__).resolve().with_name("minimal_app.py")
BIG_SIZE = (4000, 3000)
WARMUPS = 2
CHANGE_TIMEOUT_MS = 30_000

# In every page, before any script: remember when the armed key went down. With ``overlay`` set, only an
# Enter pressed while the grid's editor holds that value counts (the Enters that open the editor do not).
TIMER_JS = """
window.__bench = {armed: null, old: [], t0: null, t1: null};
window.addEventListener('keydown', (e) => {
  const b = window.__bench;
  if (!b.armed || b.t0 !== null || e.key !== b.armed.key) return;
  if (b.armed.overlay !== null) {
    const el = document.querySelector('#portal [id^="gdg-overlay"] input, #portal [id^="gdg-overlay"] textarea');
    if (!el || el.value !== b.armed.overlay) return;
  }
  b.t0 = performance.now();
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


@dataclass
class Series:
    """Timings of one measurement on one page."""

    label: str
    times_ms: list[float] = field(default_factory=list)
    lost: int = 0

    def median(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    def p90(self) -> float:
        if len(self.times_ms) < 2:
            return self.median()
        return statistics.quantiles(self.times_ms, n=10, method="inclusive")[8]


# ---- serving ----


def new_page(browser: Browser, url: str) -> Page:
    """A page in a fresh browser context, opened on ``url`` with the timer installed and the app idle."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(TIMER_JS)
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_app(page, url)
    return page


def has_contract(page: Page) -> bool:
    """Whether the page shows the keyed original/result images and a parameter slider."""
    try:
        page.locator(RESULT_IMG).first.wait_for(timeout=10_000)
    except PlaywrightTimeout:
        return False
    return page.locator(ORIGINAL_IMG).count() > 0 and page.locator(PARAM_SLIDER).count() > 0


# ---- one timed change ----


def timed_change(
    page: Page,
    act: Callable[[], None],
    key: str | None,
    overlay: str | None = None,
    timeout_ms: float = CHANGE_TIMEOUT_MS,
) -> float | None:
    """Arm the timer on ``key`` (None: start now), do ``act``, wait for the new result image; ms or None if lost.

    Afterwards the app is left idle, so the next change does not land in the tail of this rerun.
    """
    page.bring_to_front()  # pages take turns: the one measured is the visible one (timers unthrottled)
    page.evaluate(ARM_JS, [RESULT_IMG, key, overlay])
    ms: float | None = None
    try:
        act()
        page.wait_for_function(CHANGED_JS, arg=RESULT_IMG, polling=5, timeout=timeout_ms)
        t0, t1 = page.evaluate("[window.__bench.t0, window.__bench.t1]")
        ms = t1 - t0
    except (PlaywrightError, AssertionError) as exc:  # lost: no new image, or the grid's editor would not open
        print(f"lost: {str(exc).splitlines()[0][:160]}", file=sys.stderr)
        page.keyboard.press("Escape")
    settle(page, timeout=timeout_ms)
    return ms


class Slider:
    """Presses on a page's first parameter slider, always in the direction with room for ``presses``."""

    def __init__(self, page: Page, presses: int) -> None:
        self.page = page
        self.input = page.locator(PARAM_SLIDER).first
        lo, hi, step, value = (float(self.input.get_attribute(a) or 0) for a in ("min", "max", "step", "value"))
        self.key = "ArrowRight" if (hi - value) / step >= presses or hi - value >= value - lo else "ArrowLeft"

    def press(self) -> float | None:
        def act() -> None:
            self.input.focus()
            self.page.keyboard.press(self.key)

        return timed_change(self.page, act, self.key)


def grid_index(page: Page) -> int:
    """The index, among the page's data editors, of the one in the kernel grid's box."""
    return page.evaluate(
        """(box) => [...document.querySelectorAll('[data-testid="stDataFrame"]')]
                     .findIndex((g) => g.closest(box) !== null)""",
        GRID_BOX,
    )


def grid_edit(page: Page, i: int) -> float | None:
    """Commit a new centre weight (new on every call); only the committing Enter is timed."""
    step = (i // 2 + 1) * 0.25
    value = f"{GRID_CENTRE + step if i % 2 == 0 else GRID_CENTRE - step:g}"
    index = grid_index(page)
    if index < 0:
        print(f"lost: no data editor inside {GRID_BOX}", file=sys.stderr)
        return None
    row, col = GRID_CELL
    return timed_change(
        page, lambda: edit_grid_cell(page, row, col, value, index, GRID_FIRST_COL_X), "Enter", overlay=value
    )


def upload_big(page: Page, folder: Path) -> float | None:
    """Upload a 12 MP JPEG (the sample upscaled) and wait for its result; ms from upload to result loaded."""
    path = folder / "big-4000x3000.jpg"
    if not path.exists():
        Image.open(ROOT / "assets" / "chelsea.png").convert("RGB").resize(BIG_SIZE, Image.Resampling.BICUBIC).save(
            path, quality=90
        )
    return timed_change(page, lambda: upload(page, path), None, timeout_ms=180_000)


# ---- running the series ----


def interleave(series: list[tuple[Series, Callable[[int], float | None]]], n: int) -> None:
    """Run each series' step once in turn, ``WARMUPS`` + ``n`` times; keep the last ``n`` timings."""
    for i in range(WARMUPS + n):
        for s, step in series:
            ms = step(i)
            if i < WARMUPS:
                continue
            if ms is None:
                s.lost += 1
            else:
                s.times_ms.append(ms)


def fmt(ms: float) -> str:
    return "—" if ms != ms else f"{ms:,.0f}"  # NaN: nothing measured


Row = tuple[Series, str, Series | None, str]  # series, what its ratio is to, that reference series, target


def table(rows: list[Row]) -> str:
    """Markdown: one row per series, with its ratio to a reference series and the target."""
    lines = [
        "| measurement | median ms | p90 ms | n | lost | ratio | ratio to | target |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for s, ref_label, ref, target in rows:
        ratio = f"{s.median() / ref.median():.2f}x" if ref is not None and ref.times_ms and s.times_ms else ""
        lines.append(
            f"| {s.label} | {fmt(s.median())} | {fmt(s.p90())} | {len(s.times_ms)} | {s.lost} | {ratio} "
            f"| {ref_label} | {target} |"
        )
    return "\n".join(lines)


def measure(browser: Browser, min_url: str, pg_url: str, n: int, tmp: Path) -> tuple[list[Row], list[str]]:
    """Open one page per series, then run all series interleaved. Returns the table rows and notes."""
    notes: list[str] = []
    presses = WARMUPS + n + 2
    s_min, s_min_big = Series("slider, minimal app, 451x300"), Series("slider, minimal app, 12 MP (1024-px preview)")
    s_pg, s_pg_big = Series("slider, playground, 451x300"), Series("slider, playground, 12 MP photo")
    s_grid = Series("grid edit (commit Enter), playground, 451x300")
    s_min_grid = Series("grid edit (commit Enter), minimal app, 451x300")
    slider_min, slider_min_big = (
        Slider(new_page(browser, min_url), presses),
        Slider(new_page(browser, f"{min_url}/?photo=big"), presses),
    )
    steps: list[tuple[Series, Callable[[int], float | None]]] = [
        (s_min, lambda _i: slider_min.press()),
        (s_min_big, lambda _i: slider_min_big.press()),
    ]
    min_grid_page = new_page(browser, min_url)
    steps.append((s_min_grid, lambda i: grid_edit(min_grid_page, i)))
    rows: list[Row] = [
        (s_min, "", None, ""),
        (s_min_big, "minimal app slider, 451x300", s_min, ""),
        (s_min_grid, "minimal app slider", s_min, ""),
    ]

    playground = new_page(browser, pg_url)
    if not has_contract(playground):
        notes.append(
            f"The playground at {pg_url} lacks the DOM contract ({RESULT_IMG}, {PARAM_SLIDER}): "
            "only the minimal app was measured."
        )
        interleave(steps, n)
        return rows, notes
    slider_pg = Slider(playground, presses)
    label = slider_pg.input.get_attribute("aria-label")
    if label != SHARPEN.params[0].label:
        notes.append(f"The playground's first slider is {label!r}, not Sharpen's {SHARPEN.params[0].label!r}.")
    grid_page = new_page(browser, pg_url)  # its own session: the first grid edit turns the kernel into Custom
    open_weights_editor(grid_page)
    steps[1:1] = [(s_pg, lambda _i: slider_pg.press()), (s_grid, lambda i: grid_edit(grid_page, i))]
    rows[1:1] = [(s_pg, "minimal app slider", s_min, "<= 1.3x"), (s_grid, "playground slider", s_pg, "<= 1.5x")]
    rows.append((s_grid, "minimal app grid edit", s_min_grid, ""))

    big_page = new_page(browser, pg_url)
    big_upload = upload_big(big_page, tmp)
    wait_idle(big_page)
    if big_upload is not None and has_contract(big_page):
        slider_big = Slider(big_page, presses)
        steps.append((s_pg_big, lambda _i: slider_big.press()))
        rows.append((s_pg_big, "playground slider, 451x300", s_pg, "<= 1.5x"))
        notes.append(f"12 MP upload (4000x3000 JPEG) until its result was on screen, once: {big_upload:,.0f} ms.")
    else:
        notes.append("The 12 MP upload showed no new result within 180 s: its series was skipped.")

    interleave(steps, n)
    if s_pg_big.times_ms and s_min_big.times_ms:
        notes.append(f"Playground 12 MP vs minimal app 12 MP (preview): {s_pg_big.median() / s_min_big.median():.2f}x.")
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run: n=5")
    parser.add_argument("-n", type=int, default=None, help="timed repeats per series (default 15, 5 with --quick)")
    args = parser.parse_args(argv)
    n = args.n or (5 if args.quick else 15)

    procs: list[subprocess.Popen] = []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            urls = []
            for script in (MINIMAL_APP, ROOT / "streamlit_app.py"):
                proc, url = start_app(script=script)
                procs.append(proc)
                urls.append(url)
            min_url, pg_url = urls
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            head = [
                *machine(),
                f"Versions: Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
                f"NumPy {numpy.__version__}, Chromium {browser.version}; n={n} after {WARMUPS} warm-ups",
            ]
            rows, notes = measure(browser, min_url, pg_url, n, Path(tmp))
            browser.close()
    finally:
        for proc in procs:
            stop_app(proc)

    print("# Core loop: key press to new result image loaded\n")
    print("  \n".join(head) + "\n")
    print(table(rows))
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
