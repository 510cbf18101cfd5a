"""Memory soak: many different photos uploaded one after another must not grow the server without bound.

Run from the repo root: ``.venv/bin/python -m bench.soak [N] [MEGAPIXELS]`` (default 50 uploads of 3 MP).
Starts the app (``devtools.browser.start_app``), drives one real browser session, and prints the
server's resident memory (VmRSS from /proc/<pid>/status) before the first upload and after every 10.
Every photo is different (its own gradient, colours and noise), so every cache entry is new: what bounds
the memory is ``max_entries`` on app/cache.py's caches and the one uploaded file Streamlit keeps per uploader.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from bench.machine import rss_mb
from bench.photos import photo_jpeg
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, start_app, stop_app
from devtools.st_page import open_app, settle, upload


def soak(
    page, url: str, pid: int, count: int, megapixels: float, folder: Path, every: int = 10, log=print
) -> dict[int, float]:
    """Upload ``count`` different photos in one browser session; return {uploads done: RSS MB}."""
    open_app(page, url)
    figures = {0: rss_mb(pid)}
    log(f"before: {figures[0]:.0f} MB")
    for i in range(1, count + 1):
        path = folder / f"soak-{i:03d}.jpg"
        path.write_bytes(photo_jpeg(i, megapixels))
        upload(page, path)
        settle(page, f"soak-{i:03d}.jpg ·", timeout=120_000)
        path.unlink()
        if i % every == 0:
            figures[i] = rss_mb(pid)
            log(f"after {i:3d} uploads: {figures[i]:.0f} MB")
    return figures


def main() -> None:
    import tempfile

    from playwright.sync_api import sync_playwright

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    mp = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    proc, url = start_app()
    t = time.perf_counter()
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_context(viewport=DESKTOP).new_page()
            print(f"{count} uploads of different {mp:g} MP JPEGs, one session; server pid {proc.pid}")
            soak(page, url, proc.pid, count, mp, Path(tmp))
            browser.close()
    finally:
        stop_app(proc)
    print(f"total {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
