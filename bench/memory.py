"""Never over the server's memory: N visitors export a 50-megapixel photo at once while another moves a slider.

Run from the repo root: ``.venv/bin/python -m bench.memory [N ...]`` (default: 3 then 6; minutes per N).
Not a test: it measures and prints, asserting nothing.

For each N, a fresh server (``devtools.browser.start_app``, the environment as it is, so the default budget
unless ``IMGKERNEL_MEMORY_BUDGET_MB`` is set) and one Chromium with N + 1 contexts (own sessions):

1. uploads: the N exporters each upload their own 8160 x 6120 JPEG at the same moment (the chelsea sample
   upscaled, with its own sensor-like noise: every photo is different, so no cache is shared);
2. exports: all N press "Prepare full-resolution PNG" at the same moment; meanwhile the other visitor, on the
   default photo, presses an arrow key on the kernel's first slider again and again, timed from the key press
   until the new result image is loaded (bench/core_loop.py's in-page timer);
3. downloads: each export is downloaded through the browser's own download, decoded with Pillow and compared
   with ``run_filter`` on the same photo in this process (pixel-exact or not).

A sampler thread reads the server's VmRSS from /proc every 50 ms throughout. Each page records whether it
ever showed "Queued:" (the budget's notice), during its upload and during its export.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

import imgkernel
from app.budget import budget_from_env
from app.state import Photo, initial
from bench.core_loop import ARM_JS, CHANGED_JS, PARAM_SLIDER, RESULT_IMG, TIMER_JS
from bench.machine import rss_mb
from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, start_app, stop_app
from devtools.st_page import IDLE, QUEUED_JS

SIZE = (8160, 6120)  # width x height: 49.9 MP, just under the app's 50 MP limit
TIMEOUT_MS = 900_000
SAMPLE_S = 0.05


# ---- the photos ----


def big_photo(i: int, folder: Path) -> Path:
    """A different photo-like 50 MP JPEG for each ``i``: the sample upscaled plus its own noise (+-8 levels)."""
    path = folder / f"visitor-{i}.jpg"
    base = Image.open(ROOT / "assets" / "chelsea.png").convert("RGB").resize(SIZE, Image.Resampling.BICUBIC)
    px = np.array(base)
    del base
    rng = np.random.default_rng(1000 + i)
    for r in range(0, px.shape[0], 512):  # in blocks: no 600 MB temporary
        block = px[r : r + 512].astype(np.int16) + rng.integers(-8, 9, px[r : r + 512].shape, dtype=np.int16)
        px[r : r + 512] = np.clip(block, 0, 255)
    Image.fromarray(px).save(path, quality=92)
    return path


def export_settings() -> tuple[np.ndarray, imgkernel.Settings]:
    """The kernel and settings of a new session (what the exporters export)."""
    px = np.zeros((1, 1, 3), np.uint8)
    state = initial(Photo("x", "x", px), "")
    return state.matrix, state.settings


def check_export(photo: Path, png: Path) -> tuple[bool, str]:
    """Whether the downloaded PNG is exactly ``run_filter`` on the photo (as the app decodes it)."""
    kernel, settings = export_settings()
    expected = imgkernel.run_filter(imgkernel.load_image(photo.read_bytes()).pixels, kernel, settings).mapped.image
    with Image.open(io.BytesIO(png.read_bytes())) as im:
        got = np.asarray(im)
    if got.shape != expected.shape:
        return False, f"shape {got.shape} != {expected.shape}"
    wrong = int(np.count_nonzero(np.any(got != expected, axis=-1)))
    return wrong == 0, f"{wrong} pixels differ"


# ---- the server's memory ----


class Sampler(threading.Thread):
    """VmRSS of ``pid`` every 50 ms, with phase marks: peak per phase."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.phase = pid, "start"
        self.samples: list[tuple[float, str, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.samples.append((time.monotonic(), self.phase, rss_mb(self.pid)))
            except (OSError, RuntimeError):
                return
            time.sleep(SAMPLE_S)

    def peak(self, phase: str | None = None) -> float:
        return max((mb for _, p, mb in self.samples if phase is None or p == phase), default=float("nan"))

    def last(self, phase: str) -> float:
        """RSS at the end of ``phase`` (what stays held rather than what passes)."""
        return next((mb for _, p, mb in reversed(self.samples) if p == phase), float("nan"))

    def write_csv(self, path: Path) -> None:
        t0 = self.samples[0][0] if self.samples else 0.0
        lines = ["seconds,phase,rss_mb"] + [f"{t - t0:.2f},{p},{mb:.1f}" for t, p, mb in self.samples]
        path.write_text("\n".join(lines) + "\n")


# ---- visitors ----


@dataclass
class Exporter:
    index: int
    photo: Path
    upload_s: float = float("nan")
    ready_s: float = float("nan")
    png_mb: float = float("nan")  # as the download button says
    queued_upload: bool = False
    queued_export: bool = False
    png: Path | None = None
    exact: bool | None = None
    note: str = ""


@dataclass
class SliderVisitor:
    times_ms: list[float] = field(default_factory=list)  # during the exports
    idle_ms: list[float] = field(default_factory=list)  # before the uploads
    upload_ms: list[float] = field(default_factory=list)  # during the uploads
    lost: int = 0


async def new_page(browser, url: str):
    context = await browser.new_context(viewport=DESKTOP, accept_downloads=True)
    await context.add_init_script(TIMER_JS)
    await context.add_init_script(QUEUED_JS)
    page = await context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    await page.goto(url)
    await page.wait_for_selector(IDLE)
    await page.locator('[data-testid="stImage"] img').first.wait_for()
    await page.wait_for_timeout(300)
    await page.wait_for_selector(IDLE)
    return page


async def settle(page, text: str | re.Pattern | None = None) -> None:
    """As devtools.st_page.settle: the content the action's run draws, then idle."""
    if text is None:
        await page.wait_for_timeout(300)
    else:
        await page.get_by_text(text).first.wait_for()
    await page.wait_for_selector(IDLE)


async def upload(page, who: Exporter) -> None:
    t = time.monotonic()
    await page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(who.photo))
    await settle(page, f"{who.photo.name} ·")
    who.upload_s = time.monotonic() - t
    who.queued_upload = await page.evaluate("window.__queued")
    await page.evaluate("window.__queued = false")


async def open_export(page) -> None:
    await page.get_by_text("Export and share", exact=True).click()
    await page.get_by_role("button", name=re.compile("Prepare full-resolution PNG")).wait_for()
    await page.wait_for_selector(IDLE)


async def export(page, who: Exporter) -> None:
    t = time.monotonic()
    await page.get_by_role("button", name=re.compile("Prepare full-resolution PNG")).click()
    button = page.get_by_role("button", name=re.compile(r"Download PNG"))
    await button.wait_for(timeout=TIMEOUT_MS)
    who.ready_s = time.monotonic() - t
    size = re.search(r"([\d.]+) MB\)", await button.inner_text())
    who.png_mb = float(size.group(1)) if size else float("nan")
    who.queued_export = await page.evaluate("window.__queued")


async def download(page, who: Exporter, folder: Path) -> None:
    async with page.expect_download(timeout=TIMEOUT_MS) as info:
        await page.get_by_role("button", name=re.compile(r"Download PNG")).click()
    dl = await info.value
    who.png = folder / f"export-{who.index}.png"
    await dl.save_as(who.png)
    await settle(page)


async def slider_press(page) -> float | None:
    """One arrow-key press on the kernel's first slider; ms until the new result image is loaded (None: lost)."""
    await page.bring_to_front()
    await page.evaluate(ARM_JS, [RESULT_IMG, "ArrowRight", None])
    try:
        await page.locator(PARAM_SLIDER).first.focus()
        await page.keyboard.press("ArrowRight")
        await page.wait_for_function(CHANGED_JS, arg=RESULT_IMG, polling=5, timeout=60_000)
        t0, t1 = await page.evaluate("[window.__bench.t0, window.__bench.t1]")
        ms: float | None = t1 - t0
    except Exception as exc:  # a lost press is counted, the run goes on
        print(f"  slider press lost: {str(exc).splitlines()[0][:120]}", file=sys.stderr)
        ms = None
    await page.wait_for_selector(IDLE)
    return ms


async def keep_sliding(page, visitor: SliderVisitor, times: list[float], done: asyncio.Event) -> None:
    while not done.is_set():
        ms = await slider_press(page)
        if ms is None:
            visitor.lost += 1
        else:
            times.append(ms)
        await asyncio.sleep(0.2)


# ---- one run ----


async def run(n: int, folder: Path, photos: list[Path]) -> tuple[list[Exporter], SliderVisitor, Sampler]:
    from playwright.async_api import async_playwright

    proc, url = start_app()
    sampler = Sampler(proc.pid)
    sampler.start()
    exporters = [Exporter(i, photos[i]) for i in range(n)]
    slider = SliderVisitor()
    try:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = [await new_page(browser, url) for _ in range(n)]
            other = await new_page(browser, url)
            for _ in range(2):  # warm-up
                await slider_press(other)
            for _ in range(5):
                ms = await slider_press(other)
                if ms is not None:
                    slider.idle_ms.append(ms)
            sampler.phase = "idle"
            await asyncio.sleep(1)

            print(f"  {n} uploads at once…", flush=True)
            sampler.phase = "uploads"
            done = asyncio.Event()
            sliding = asyncio.create_task(keep_sliding(other, slider, slider.upload_ms, done))
            await asyncio.gather(*(upload(p, who) for p, who in zip(pages, exporters, strict=True)))
            done.set()
            await sliding
            await asyncio.gather(*(open_export(p) for p in pages))

            print(f"  {n} exports at once, the other visitor sliding…", flush=True)
            sampler.phase = "exports"
            done = asyncio.Event()
            sliding = asyncio.create_task(keep_sliding(other, slider, slider.times_ms, done))
            await asyncio.gather(*(export(p, who) for p, who in zip(pages, exporters, strict=True)))
            done.set()
            await sliding

            print("  downloads…", flush=True)
            sampler.phase = "downloads"
            for p, who in zip(pages, exporters, strict=True):
                await download(p, who, folder)
            sampler.phase = "after"
            await asyncio.sleep(1)
            await browser.close()
    finally:
        sampler.stop.set()
        sampler.join()
        stop_app(proc)
    for who in exporters:
        assert who.png is not None
        who.exact, who.note = check_export(who.photo, who.png)
        who.png.unlink()
    return exporters, slider, sampler


def fmt_ms(times: list[float]) -> str:
    return f"{statistics.median(times):.0f} / {max(times):.0f}" if times else "—"


def report(n: int, exporters: list[Exporter], slider: SliderVisitor, sampler: Sampler) -> list[str]:
    ready = [w.ready_s for w in exporters]
    ups = [w.upload_s for w in exporters]
    exact = sum(bool(w.exact) for w in exporters)
    print(
        "  RSS at the end of each phase (MB): "
        + ", ".join(f"{p} {sampler.last(p):.0f}" for p in ("idle", "uploads", "exports", "downloads", "after"))
    )
    for w in exporters:
        print(
            f"  visitor {w.index}: upload {w.upload_s:.1f} s (queued: {w.queued_upload}), export ready "
            f"{w.ready_s:.1f} s after the click (queued: {w.queued_export}), PNG {w.png_mb:.0f} MB, "
            f"{'pixel-exact' if w.exact else 'NOT exact: ' + w.note}"
        )
    return [
        f"| {n} | {sampler.peak('idle'):.0f} | {sampler.peak('uploads'):.0f} | {sampler.peak('exports'):.0f} | "
        f"{sampler.peak('downloads'):.0f} | **{sampler.peak():.0f}** | {min(ups):.0f}-{max(ups):.0f} s "
        f"({sum(w.queued_upload for w in exporters)} queued) | {min(ready):.0f}-{max(ready):.0f} s "
        f"({sum(w.queued_export for w in exporters)} queued) | {exact}/{n} | {fmt_ms(slider.idle_ms)} | "
        f"{fmt_ms(slider.upload_ms)} (n={len(slider.upload_ms)}) | {fmt_ms(slider.times_ms)} "
        f"(n={len(slider.times_ms)}) | {slider.lost} |"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[3, 6], help="exporters per run (default: 3 6)")
    parser.add_argument("--csv", type=Path, help="folder for each run's RSS timeline (memory-N.csv)")
    args = parser.parse_args()
    counts = args.counts
    print(
        f"Memory bench: {SIZE[0]} x {SIZE[1]} photos, budget {budget_from_env() / 2**20:.0f} MB "
        f"(IMGKERNEL_MEMORY_BUDGET_MB), RSS sampled every {SAMPLE_S * 1000:.0f} ms"
    )
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.monotonic()
        photos = [big_photo(i, folder) for i in range(max(counts))]
        sizes = ", ".join(f"{p.stat().st_size / 1e6:.0f}" for p in photos)
        print(f"photos made in {time.monotonic() - t:.0f} s ({sizes} MB JPEGs)")
        for n in counts:
            print(f"N = {n}:", flush=True)
            t = time.monotonic()
            exporters, slider, sampler = asyncio.run(run(n, folder, photos))
            rows += report(n, exporters, slider, sampler)
            if args.csv:
                args.csv.mkdir(parents=True, exist_ok=True)
                sampler.write_csv(args.csv / f"memory-{n}.csv")
            print(f"  ({time.monotonic() - t:.0f} s)")
    print()
    print(
        "| exporters | RSS idle MB | peak uploads MB | peak exports MB | peak downloads MB | peak MB | uploads done "
        "| exports ready after the click | pixel-exact | slider before, median / max ms | slider during uploads "
        "| slider during exports | slider presses lost |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
