"""8-bit photo in, 8-bit picture out: ``run_filter`` (float32 result, then mapped) and ``filter_uint8`` (fused
strips) against OpenCV's ``filter2D`` with uint8 output, which rounds and saturates to 8 bits itself.

Run from the repository root: ``python -m bench.uint8`` (a 12 MP RGB photo, medians of 9) or ``--quick``
(1 MP, 5 repeats, writes nothing). ``make bench`` runs it after ``bench.speed``.

The kernels are the catalogue's, as a user would pick them: sharpen (3x3, whole numbers), a 9x9 box blur
(weights 1/81) and a 15x15 Gaussian (sigma 2.5, float weights); and a 9x9 of random float weights (full rank, as
``bench.speed`` makes them), the case neither the exact nor the separable path helps. OpenCV gets the same weights
as float32 with ``BORDER_REFLECT`` (scipy's and our ``reflect``) and the same number of threads as the engine.
The three contenders' runs are interleaved (old, new, OpenCV, old, new, ...), so another process's load hits them
alike; the ratios to OpenCV within one run are what count. Before timing, the new picture is compared with the old
one and with OpenCV's. Targets (issue 26): 3x3 at most 2x OpenCV's time, 9x9 and up at most 1x. The table is printed
and written to bench/RESULTS-uint8.md (not with --quick or --no-write).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import imgkernel
import imgkernel.fused
from bench.machine import machine
from bench.speed import cv2, make_photo, random_kernel
from imgkernel import _tiles, fullres
from imgkernel.pipeline import Settings, run_filter

RESULTS = Path(__file__).resolve().parent / "RESULTS-uint8.md"
KERNELS: dict[str, Callable[[], np.ndarray]] = {
    "3x3 sharpen": lambda: imgkernel.get("sharpen").matrix(),
    "9x9 box": lambda: imgkernel.get("box_blur").matrix({"size": 9}),
    "15x15 Gaussian": lambda: imgkernel.get("gaussian").matrix({"size": 15, "sigma": 2.5}),
    # not a catalogue kernel: full rank, float weights (neither exact nor separable), as bench.speed makes them
    "9x9 random": lambda: random_kernel(9, np.random.default_rng(0)),
}
TARGETS = {"3x3 sharpen": 2.0, "9x9 box": 1.0, "15x15 Gaussian": 1.0, "9x9 random": 1.0}


def opencv(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    return cv2.filter2D(img, -1, ker.astype(np.float32), borderType=cv2.BORDER_REFLECT)


def medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median ms per call of each function, the rounds interleaved, after one warm-up call each."""
    for fn in fns.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) * 1000 for name, ts in times.items()}


def path_of(img: np.ndarray, ker: np.ndarray) -> str:
    """What ``filter_uint8`` runs for this job: the exact int16 path (which way) or the engine's float method."""
    job = fullres._plan(img, ker, Settings(), "auto")
    if job.exact is not None:
        direct, separable = imgkernel.fused.exact_passes(job.geom, job.exact)
        return "exact int16, " + ("column + row passes" if separable < direct else "shift-and-add")
    p = job.plan
    if p.method == "separable":
        return "float32, separable" + (" (column products)" if p.gemm else "")
    return "float32, " + ("matrix products" if p.gemm else p.method)


def table(img: np.ndarray, repeats: int) -> list[str]:
    values = img.size
    out = [
        "| kernel | `filter_uint8` runs | `run_filter` (old) | `filter_uint8` (new) | new, picture only | OpenCV "
        "| old ÷ OpenCV | new ÷ OpenCV | picture only ÷ OpenCV | target | new vs old | new vs OpenCV |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    rate = ""
    for label, make_kernel in KERNELS.items():
        ker = make_kernel()
        old, new, ref = run_filter(img, ker).mapped.image, fullres.filter_uint8(img, ker).image, opencv(img, ker)
        assert np.array_equal(fullres.filter_uint8(img, ker, figures=False).image, new)
        vs_old, vs_cv = (np.abs(new.astype(np.int16) - b) for b in (old, ref))
        t = medians(
            {
                "old": lambda ker=ker: run_filter(img, ker),
                "new": lambda ker=ker: fullres.filter_uint8(img, ker),
                "bare": lambda ker=ker: fullres.filter_uint8(img, ker, figures=False),
                "cv": lambda ker=ker: opencv(img, ker),
            },
            repeats,
        )
        r_old, r_new, r_bare = t["old"] / t["cv"], t["new"] / t["cv"], t["bare"] / t["cv"]
        target = TARGETS[label]
        verdict = f"≤ {target:g}: {'met' if r_bare <= target else 'not met'}"
        out.append(
            f"| {label} | {path_of(img, ker)} | {t['old']:.1f} | {t['new']:.1f} | {t['bare']:.1f} | {t['cv']:.1f} "
            f"| {r_old:.2f} | {r_new:.2f} | **{r_bare:.2f}** | {verdict} "
            f"| max {vs_old.max()}, {np.count_nonzero(vs_old) / values:.1e} differ "
            f"| max {vs_cv.max()}, {np.count_nonzero(vs_cv) / values:.1e} differ |"
        )
        print(out[-1], flush=True)
        if label.startswith("3x3"):
            rate = (
                f"3x3: OpenCV moves {values / t['cv'] / 1e6:.2f} G values/s, the picture-only path "
                f"{values / t['bare'] / 1e6:.2f} ({values / 1e6:.0f} M uint8 values in, as many out)."
            )
    return [*out, "", rate]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.uint8", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 MP photo, 5 repeats; writes nothing")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per contender (default 9, 5 with --quick)")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = ap.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 9)
    h, w = (866, 1155) if args.quick else (3000, 4000)
    cv2.setNumThreads(_tiles.WORKERS)  # the same threads as ours
    img = make_photo(h, w)
    load = os.getloadavg()[0]
    head = [
        "# 8-bit in, 8-bit out",
        "",
        *(f"- {line}" for line in machine()),
        f"- Peers: OpenCV {cv2.__version__} ({cv2.getNumThreads()} threads; dispatch {cv2.getCPUFeaturesLine()})",
        "",
        f"Photo: assets/chelsea.png resized to {w}x{h} RGB uint8; border `reflect`; times are medians of {repeats} "
        "interleaved runs in ms; ratios are time ÷ OpenCV's time (≤ 1: as fast or faster). `run_filter`: the "
        "float32 result then `to_uint8`; `filter_uint8`: filtered and mapped strip by strip (imgkernel.fused), "
        "with the mapping's figures (low, high, clipped pixels) as `run_filter` gives them; picture only: "
        "`filter_uint8(..., figures=False)`, what the command line, batches and exports run and what OpenCV "
        "returns, so the targets are judged on it. The last two columns: largest difference and the share of "
        "values that differ.",
        "",
    ]
    print("\n".join(head), flush=True)
    body = table(img, repeats)
    tail = ["", f"Load average (1 min) before and after: {load:.2f}, {os.getloadavg()[0]:.2f}"]
    print("\n".join(tail))
    if not (args.quick or args.no_write):
        RESULTS.write_text("\n".join(head + body + tail) + "\n")
        print(f"wrote {RESULTS.relative_to(RESULTS.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
