"""The live camera's cost on this machine: what one 640 x 480 stream at 15 frames/s takes from the server, stage by
stage and whole, how many fit on its cores, how fast a kernel change shows, and whether streams leave anything
behind. Where ``app.live.DEFAULT_MAX_LIVE`` and the figures in docs/deployment.md ("Live camera") come from.

Run from the repo root (about three minutes; ``--quick`` for a smoke run)::

    .venv/bin/python -m bench.live
    .venv/bin/python -m bench.live --viewers 1 2 3 --seconds 10 --cycles 20

1. **Stages, in-process**, with the codecs the server uses (aiortc 1.16's ``Vp8Decoder`` and ``Vp8Encoder``, PyAV):
   decode a VP8 frame, convert it to RGB, filter it (``app.live.filter_frame``: ``run_filter`` and the split view),
   convert it back, encode it. Per frame: wall and CPU time (medians); "% of a core" is the CPU time at 15 frames/s.
   The frames are the browser test's pattern with a webcam's noise (sigma 4 grey levels), encoded by aiortc itself.
2. **The whole pipeline in Chromium**: a fresh server, 1, 2, 3 ... visitors streaming Chromium's fake camera (a
   y4m clip at 640 x 480, 15 frames/s), each in a browser context of its own (a window drawn as if in front). For
   10 s: frames shown per second in each (``requestVideoFrameCallback``; a frame not yet filtered is sent again, so
   this can exceed the next column), frames the server filtered per second and the filter's time (the page's own
   readout), the server's CPU (utime + stime of its process, in cores), Chromium's (all its processes: it shares
   the two cores here; on a real deployment the browsers are elsewhere) and the rest of the machine's ("other
   load", /proc/stat: other people's work on a shared machine). End-to-end latency with one visitor: the clip
   numbers its frames; from a number's first showing in the camera's own video to its first showing in the video
   back.
3. **A kernel change mid-stream**: from the click on the new kernel to the first video frame that shows it
   (``devtools.live_page.kernel_switch_delay``), sharpen and an edge detector in turn. The issue's target: 0.5 s.
4. **Streams opened and closed** (``--cycles``, 20): each in a new tab, ended in turn by Stop, by leaving the view
   and by closing the tab; the server's threads and RSS before and after, and how long until the next can start.

Nothing is asserted: this is a measurement. Wrap runs in ``flock /tmp/imgkernel-bench.lock`` on a shared machine.
"""

from __future__ import annotations

import argparse
import contextlib
import fractions
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import imgkernel
from app import live
from bench.machine import machine
from devtools import live_page as lp
from devtools.browser import CHROMIUM, DESKTOP, start_app, stop_app
from devtools.st_page import open_app, settle

FPS = lp.FPS
KERNELS: tuple[tuple[str, dict[str, float]], ...] = (
    ("sharpen", {}),
    ("sobel_left", {}),
    ("gaussian", {}),
    ("box_blur", {"size": 15}),
)


def _params(name: str, values: dict[str, float] | None = None) -> live.LiveParams:
    spec = imgkernel.get(name)
    settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
    return live.LiveParams(spec.matrix(values or {}), settings)


def _kernel_label(name: str, values: dict[str, float]) -> str:
    rows, cols = imgkernel.get(name).matrix(values).shape
    return f"{imgkernel.get(name).title} {rows}x{cols}"


def _timed(fn: Callable[[], object]) -> tuple[object, float, float]:
    """``fn()``, its wall and CPU milliseconds (this thread's CPU)."""
    w, c = time.perf_counter(), time.thread_time()
    out = fn()
    return out, (time.perf_counter() - w) * 1e3, (time.thread_time() - c) * 1e3


def stages(frames: int = 90) -> list[tuple[str, float, float]]:
    """(stage, median wall ms, median CPU ms) per frame of the server's path, in-process. The filter is timed twice:
    with glibc's default allocator, then as the server runs it, with ``app.budget``'s pinned mmap threshold (every
    buffer from 128 kB up is mapped fresh and given back when freed: a frame's few MB of arrays cost page faults)."""
    import av
    from aiortc.codecs.vpx import Vp8Decoder, Vp8Encoder, vp8_depayload
    from aiortc.jitterbuffer import JitterFrame

    rng = np.random.default_rng(25)
    camera = []
    for i in range(frames):
        noisy = lp.pattern(i).astype(np.int16) + rng.normal(0, 4, (lp.HEIGHT, lp.WIDTH, 3)).astype(np.int16)
        camera.append(np.clip(noisy, 0, 255).astype(np.uint8))
    base = fractions.Fraction(1, 90_000)
    browser_encoder, decoder, encoder = Vp8Encoder(), Vp8Decoder(), Vp8Encoder()
    sent = []
    for i, rgb in enumerate(camera):  # what the browser sends (aiortc's encoder stands in for Chromium's)
        f = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        f.pts, f.time_base = i * 90_000 // FPS, base
        payloads, stamp = browser_encoder.encode(f)
        sent.append((b"".join(vp8_depayload(p) for p in payloads), stamp))
    rows: dict[str, list[tuple[float, float]]] = {}
    pinned: list[np.ndarray] = []

    def add(name: str, wall: float, cpu: float) -> None:
        rows.setdefault(name, []).append((wall, cpu))

    for i, (data, stamp) in enumerate(sent):
        decoded, w, c = _timed(lambda data=data, stamp=stamp: decoder.decode(JitterFrame(data=data, timestamp=stamp)))
        add("decode VP8 (aiortc Vp8Decoder)", w, c)
        (frame,) = decoded  # type: ignore[misc]
        rgb, w, c = _timed(lambda frame=frame: np.ascontiguousarray(frame.to_ndarray(format="rgb24")[:, ::-1]))
        add("YUV → RGB and mirror (PyAV)", w, c)
        pinned.append(rgb)
        outs = []
        for name, values in KERNELS:
            p = _params(name, values)
            out, w, c = _timed(lambda rgb=rgb, p=p: live.filter_frame(rgb, p))
            outs.append(out)
            add(f"filter: {_kernel_label(name, values)} (run_filter + split view)", w, c)
        out = outs[0]  # the sharpened frame goes back (an edge map or a blur encodes in about the same time)
        back, w, c = _timed(lambda out=out: av.VideoFrame.from_ndarray(out, format="rgb24"))
        add("RGB → frame (PyAV)", w, c)
        back.pts, back.time_base = i * 90_000 // FPS, base  # type: ignore[attr-defined]
        _, w, c = _timed(lambda back=back: encoder.encode(back))
        add("encode VP8 (aiortc Vp8Encoder, RGB → YUV included)", w, c)
    from app.budget import ALLOCATOR_PINNED  # noqa: F401  (pins glibc's mmap threshold, as the server does)

    for rgb in pinned:
        for name, values in KERNELS:
            p = _params(name, values)
            _, w, c = _timed(lambda rgb=rgb, p=p: live.filter_frame(rgb, p))
            add(f"filter: {_kernel_label(name, values)}, the server's allocator (app.budget)", w, c)
    skip = 5  # the codecs' first frames (key frames, allocation)
    return [
        (name, statistics.median(w for w, _ in v[skip:]), statistics.median(c for _, c in v[skip:]))
        for name, v in rows.items()
    ]


# ---- the browser ----


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _browser_pids(clip: Path) -> list[int]:
    """Chromium's processes started for this bench (the browser's command line names the clip)."""
    import psutil  # type: ignore[import-untyped]

    top = [p for p in psutil.process_iter(["cmdline"]) if str(clip) in " ".join(p.info["cmdline"] or [])]
    pids = {p.pid for p in top}
    for p in top:
        pids |= {c.pid for c in p.children(recursive=True)}
    return sorted(pids)


def _cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):  # a process that ended meanwhile
            total += _cpu_seconds(pid)
    return total


def _machine_busy() -> float:
    """CPU seconds the whole machine spent busy since boot (/proc/stat: all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def _threads_rss(pid: int) -> tuple[int, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["Threads"]), int(fields["VmRSS"].split()[0]) / 1024


READOUT = re.compile(r"([\d.]+) frames/s filtered · ([\d.]+) ms per frame")


def _open_streaming(context, url: str):
    page = context.new_page()
    page.set_default_timeout(60_000)
    open_app(page, url)
    page.locator('[data-testid="stSidebar"]').get_by_text("Live camera", exact=True).click()
    return page, lp.start_stream(page, timeout=60_000)


def pipeline(pw, viewers: list[int], seconds: float, workdir: Path) -> tuple[list[dict], list[float]]:
    """For each number of visitors: shown and filtered frame rates, server and browser CPU. Also the end-to-end
    latencies with one visitor (ms)."""
    clip = lp.make_numbered_clip(workdir / "numbered.y4m")
    results, lat = [], []
    for n in viewers:
        proc, url = start_app(env={live.MAX_LIVE_ENV: str(max(viewers) + 1)})
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=lp.fake_camera_args(clip))
        try:
            tabs = []
            for _ in range(n):  # a context each: a window of its own, drawn as if in front (as on their devices)
                context = browser.new_context(viewport=DESKTOP, permissions=["camera"])
                context.add_init_script(lp.KEEP_CAMERA_JS)
                tabs.append(_open_streaming(context, url))
            time.sleep(3)  # past the first key frames and the bitrate's ramp
            for _, frame in tabs:
                lp.start_counting(frame)
            tabs[0][1].evaluate(lp.READ_CODES_JS, [lp.CODE_BITS, lp.CODE_X, lp.CODE_Y, lp.CODE_W, lp.CODE_H])
            bpids = _browser_pids(clip)
            s0, b0, m0, t0 = _cpu_seconds(proc.pid), _cpu_of(bpids), _machine_busy(), time.monotonic()
            time.sleep(seconds)
            s1, b1, m1, t1 = _cpu_seconds(proc.pid), _cpu_of(bpids), _machine_busy(), time.monotonic()
            shown = [lp.read_count(frame) for _, frame in tabs]
            filtered, filter_ms = [], []
            for page, _ in tabs:
                m = READOUT.search(page.locator('[data-testid="stCaptionContainer"]').all_inner_texts().__str__())
                if m:
                    filtered.append(float(m[1]))
                    filter_ms.append(float(m[2]))
            row_lat = lp.latencies(tabs[0][1].evaluate("() => window.__codes"))
            if n == 1:
                lat = row_lat
            results.append(
                {
                    "viewers": n,
                    "shown": shown,
                    "filtered": filtered,
                    "filter_ms": filter_ms,
                    "server_cores": (s1 - s0) / (t1 - t0),
                    "browser_cores": (b1 - b0) / (t1 - t0),
                    "other_cores": ((m1 - m0) - (s1 - s0) - (b1 - b0)) / (t1 - t0),
                    "rss": _threads_rss(proc.pid)[1],
                    "latency": (statistics.median(row_lat), float(np.percentile(row_lat, 90))) if row_lat else None,
                }
            )
        finally:
            browser.close()
            stop_app(proc)
    return results, lat


def switches(pw, rounds: int, workdir: Path) -> list[float]:
    """Milliseconds from a kernel's click to the first frame showing it, sharpen and an edge detector in turn."""
    clip = lp.make_clip(workdir / "clip.y4m")
    seen = np.ascontiguousarray(np.fliplr(lp.pattern(0)))
    proc, url = start_app()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=lp.fake_camera_args(clip))
    delays = []
    try:
        context = browser.new_context(viewport=DESKTOP, permissions=["camera"])
        page, frame = _open_streaming(context, url)
        time.sleep(2)
        for i in range(rounds):
            name = "sobel_left" if i % 2 == 0 else "sharpen"
            d = lp.kernel_switch_delay(page, frame, name, live.filter_frame(seen, _params(name)))
            if d is not None:
                delays.append(d)
            settle(page)
    finally:
        browser.close()
        stop_app(proc)
    return delays


def _admitted(page, timeout: float = 30.0) -> float:
    """Turn the live view on in ``page``; seconds it waited for a free slot (0: admitted at once). While the page
    says the live camera is full, it turns the view off and on again every half second, as a visitor would."""
    live_toggle = page.locator('[data-testid="stSidebar"]').get_by_text("Live camera", exact=True)
    streamer = page.locator(f'iframe[src*="{lp.COMPONENT_URL}"]')
    full = page.get_by_text("The live camera is full")
    start = time.monotonic()
    live_toggle.click()
    streamer.or_(full).first.wait_for()
    while full.count() and time.monotonic() - start < timeout:
        live_toggle.click()
        settle(page, "Result: ")
        time.sleep(0.5)
        live_toggle.click()
        streamer.or_(full).first.wait_for()
    return 0.0 if not full.count() and time.monotonic() - start < 3 else time.monotonic() - start


def cycles(pw, n: int, workdir: Path) -> dict:
    """``n`` streams opened and closed one after another with a limit of one stream, each in a new tab, ended in
    turn by Stop, by leaving the view and by closing the tab: the server's threads and RSS before the first, after
    the first and after the last; how long each way of ending took to give the stream's threads back; how long the
    next visitor waited for the slot."""
    clip = lp.make_clip(workdir / "clip.y4m")
    proc, url = start_app(env={live.MAX_LIVE_ENV: "1"})
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=lp.fake_camera_args(clip))
    out: dict = {"ends": {"stop": [], "leave": [], "close": []}, "waits": []}
    try:
        context = browser.new_context(viewport=DESKTOP, permissions=["camera"])
        warm: int | None = None
        for i in range(n):
            how = ("stop", "leave", "close")[i % 3]
            page = context.new_page()
            page.set_default_timeout(60_000)
            open_app(page, url)
            if i == 0:
                out["before"] = _threads_rss(proc.pid)
            out["waits"].append(_admitted(page))
            frame = lp.start_stream(page, timeout=60_000)
            time.sleep(1)
            ended = time.monotonic()
            if how == "stop":
                lp.stop_stream(frame)
                settle(page, "Press Start")
            elif how == "leave":
                page.locator('[data-testid="stSidebar"]').get_by_text("Live camera", exact=True).click()
                settle(page, "Result: ")
            else:
                page.close()
            while warm is not None and _threads_rss(proc.pid)[0] > warm + 1 and time.monotonic() - ended < 30:
                time.sleep(0.1)
            if warm is not None:
                out["ends"][how].append(time.monotonic() - ended)
            if how != "close":
                page.close()
            if i == 0:
                time.sleep(3)  # the first stream's threads settle: what every later end must come back to
                warm = _threads_rss(proc.pid)[0]
                out["first"] = _threads_rss(proc.pid)
        time.sleep(3)
        out["last"] = _threads_rss(proc.pid)
    finally:
        browser.close()
        stop_app(proc)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--viewers", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--switches", type=int, default=10)
    parser.add_argument("--cycles", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="one visitor, 4 s, 4 switches, 6 cycles")
    args = parser.parse_args()
    if args.quick:
        args.viewers, args.seconds, args.switches, args.cycles = [1], 4.0, 4, 6
    os.environ.setdefault("GIT_OPTIONAL_LOCKS", "0")  # bench.machine's `git status` must not touch the index
    print("\n".join(f"- {line}" for line in machine()))
    import aiortc
    import av
    import streamlit_webrtc

    print(
        f"- Versions: streamlit-webrtc {streamlit_webrtc.__version__}, aiortc {aiortc.__version__}, av {av.__version__}"
    )
    print()

    print(f"## Stages of one frame ({lp.WIDTH} x {lp.HEIGHT}), in-process\n")
    print("| stage | wall ms | CPU ms | % of a core at 15 fps |\n|---|---:|---:|---:|")
    for name, wall, cpu in stages():
        print(f"| {name} | {wall:.1f} | {cpu:.1f} | {cpu * FPS / 10:.0f} % |")
    print()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        work = Path(tmp)
        results, lat = pipeline(pw, args.viewers, args.seconds, work)
        print("## The whole pipeline: visitors streaming from Chromium on the same machine\n")
        print(
            "| visitors | frames/s shown (each) | frames/s filtered (each) | filter ms | server CPU (cores) "
            "| per visitor | Chromium CPU (cores) | other load (cores) | server RSS MB | latency ms (first visitor: "
            "median, p90) |\n|---:|---|---|---|---:|---:|---:|---:|---:|---|"
        )
        for r in results:
            print(
                f"| {r['viewers']} | {', '.join(f'{x:.1f}' for x in r['shown'])} "
                f"| {', '.join(f'{x:.1f}' for x in r['filtered'])} | {', '.join(f'{x:.1f}' for x in r['filter_ms'])} "
                f"| {r['server_cores']:.2f} | {r['server_cores'] / r['viewers']:.2f} | {r['browser_cores']:.2f} "
                f"| {r['other_cores']:.2f} | {r['rss']:.0f} "
                f"| {'—' if not r['latency'] else '{:.0f}, {:.0f}'.format(*r['latency'])} |"
            )
        if lat:
            print(
                f"\nEnd-to-end latency, one visitor (camera's own video → the video back, n={len(lat)}): median "
                f"{statistics.median(lat):.0f} ms, p90 {np.percentile(lat, 90):.0f} ms, max {max(lat):.0f} ms"
            )
        one = next((r for r in results if r["viewers"] == 1), None)
        if one:
            per = one["server_cores"]
            print(
                f"\nOne stream takes {per:.2f} of a core on the server. Half of {os.cpu_count()} cores for live video "
                f"(the rest for the class's pictures): IMGKERNEL_MAX_LIVE = {int(os.cpu_count() * 0.5 / per)}."
            )
        delays = switches(pw, args.switches, work)
        if delays:
            print(
                f"\n## A kernel change mid-stream\n\nClick → first frame showing the new kernel, n={len(delays)}: "
                f"median {statistics.median(delays):.0f} ms, max {max(delays):.0f} ms "
                f"({sum(d <= 500 for d in delays)} of {len(delays)} within 0.5 s)"
            )
        c = cycles(pw, args.cycles, work)
        print(f"\n## {args.cycles} streams opened and closed (limit 1)\n")
        waited = [w for w in c["waits"] if w > 0]
        print(
            f"Server threads / RSS before the first: {c['before'][0]} / {c['before'][1]:.0f} MB; after the first: "
            f"{c['first'][0]} / {c['first'][1]:.0f} MB; after the last: {c['last'][0]} / {c['last'][1]:.0f} MB. "
            f"Visitors who found the slot still taken: {len(waited)}"
            + (f" (waited {', '.join(f'{w:.1f}' for w in waited)} s)" if waited else "")
            + "."
        )
        for how, times in c["ends"].items():
            if times:
                print(
                    f"- ended by {how}: threads back within median {statistics.median(times):.1f} s, "
                    f"max {max(times):.1f} s (n={len(times)})"
                )


if __name__ == "__main__":
    main()
