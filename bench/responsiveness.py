"""Does full-resolution work for one user freeze everyone else? Two real browser sessions on one server.

Run from the repo root: ``.venv/bin/python -m bench.responsiveness [ROUNDS]``.
Session B keeps choosing a new kernel (cycling the whole catalogue, more kernels than the result caches
hold, so every choice really filters) and times each choice until its result is on screen. First while
session A is idle, then while A has a 12 MP photo (4000 x 3000) and keeps preparing the full-resolution PNG
with a new kernel each time. Prints B's median and maximum response times in both phases.
"""

from __future__ import annotations

import itertools
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import imgkernel
from bench.photos import photo_jpeg
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, start_app, stop_app
from devtools.st_page import choose_kernel, open_app, settle, upload, wait_idle

KERNELS = [s.name for specs in imgkernel.categories().values() for s in specs]


def b_choice(page, name: str) -> float:
    """Choose a kernel in session B; seconds until its result caption is shown and the run has finished."""
    t = time.perf_counter()
    choose_kernel(page, name)
    page.get_by_text(f"Result: {imgkernel.get(name).title} ·").first.wait_for(timeout=300_000)
    wait_idle(page, 300_000)
    return time.perf_counter() - t


def a_prepare(page, name: str) -> None:
    """Session A: choose a kernel, then ask for the full-resolution PNG (returns without waiting for it)."""
    choose_kernel(page, name)
    settle(page, f"Result: {imgkernel.get(name).title} ·", timeout=300_000)
    page.get_by_text("Export and share", exact=True).click()  # the panel under the pictures (closed at first)
    page.get_by_role("button", name=re.compile("Prepare full-resolution PNG")).wait_for()
    page.get_by_role("button", name=re.compile("Prepare full-resolution PNG")).click()


def summary(times: list[float]) -> str:
    ms = [t * 1e3 for t in times]
    return f"n={len(ms)} median {statistics.median(ms):.0f} ms, max {max(ms):.0f} ms"


def main() -> None:
    from playwright.sync_api import sync_playwright

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 12
    proc, url = start_app()
    labels = itertools.cycle([k for k in KERNELS if k != "sharpen"])  # never the default: each choice changes
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            a, b = (browser.new_context(viewport=DESKTOP).new_page() for _ in range(2))
            for p in (a, b):
                p.set_default_timeout(300_000)
                open_app(p, url)
            idle = [b_choice(b, next(labels)) for _ in range(rounds)]
            print(f"B while A is idle:                   {summary(idle)}")

            path = Path(tmp) / "twelve.jpg"
            path.write_bytes(photo_jpeg(12, 12.0))
            upload(a, path)
            settle(a, "twelve.jpg ·", timeout=300_000)
            a_kernels = itertools.cycle([k for k in reversed(KERNELS) if k != "sharpen"])
            busy, prepared = [], 0
            download = a.get_by_role("button", name=re.compile(r"Download PNG \(4000 x 3000"))
            while len(busy) < rounds:
                a_prepare(a, next(a_kernels))
                t_a = time.perf_counter()
                while download.count() == 0 and len(busy) < rounds:
                    busy.append(b_choice(b, next(labels)))
                download.first.wait_for(timeout=300_000)
                prepared += 1
                print(f"  A's full-resolution PNG #{prepared} ready {time.perf_counter() - t_a:.1f} s after the click")
            print(f"B while A prepares 12 MP downloads:  {summary(busy)}")
            browser.close()
    finally:
        stop_app(proc)


if __name__ == "__main__":
    main()
