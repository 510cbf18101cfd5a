"""Speed of imgkernel's engine next to scipy.ndimage, Pillow, OpenCV and the seed's Python loop.

Run from the repository root: ``python -m bench.speed`` (12 MP photo, medians of 5) or ``--quick``
(1 MP, 3 repeats). Peers come from requirements-bench.txt (``make .venv/bench.stamp``).

Everything is measured in ONE run and the peers' repeats are interleaved with ours (ours, scipy, Pillow,
OpenCV, ours, scipy, ...), so a neighbour's load on this shared 2-core machine hits every column alike:
compare ratios within a run, not absolute numbers between runs. Before timing, every method is checked
against scipy.ndimage on a small image and on a crop of the big one. The table is printed and written to
bench/RESULTS.md (not with --quick or --no-write).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

import imgkernel
from bench.machine import machine
from imgkernel import _tiles, engine
from imgkernel.formats.images import load_image
from imgkernel.formats.png import encode_png
from imgkernel.mapping import apply_scale, resolve_scale, to_uint8

ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "assets" / "chelsea.png"
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SIZES = (3, 5, 9, 15, 31)
PILLOW_SIZES = (3, 5)  # the only sizes ImageFilter.Kernel accepts
TOLERANCE = 1e-4  # of the value range: the engine's stated accuracy


def need_peers() -> tuple:
    """Import the peers or stop with a plain message (no traceback) saying how to install them."""
    missing, mods = [], []
    for name, pip_name in (("scipy.ndimage", "scipy"), ("cv2", "opencv-python-headless")):
        try:
            mods.append(importlib.import_module(name))
        except ImportError:
            missing.append(pip_name)
    if missing:
        sys.exit(
            f"bench.speed: missing benchmark peer(s): {', '.join(missing)}. Install them with "
            "`make .venv/bench.stamp` (pip install -r requirements-bench.txt) and run `make bench` again."
        )
    return tuple(mods)


ndi, cv2 = need_peers()


# --------------------------------------------------------------------------------------------------
# the peers, each as "image in, result out"


def seed_apply_img_kernel(img, kernel, strides=1, mean=False):
    """The seed blog post's loop (section 2.2), copied faithfully (its zeros restored); timed, never used."""
    img = np.asarray(img)

    h, w = img.shape[:2]
    k_h, k_w = kernel.shape[:2]
    x_range = range(0, w - k_w + 1, strides)
    y_range = range(0, h - k_h + 1, strides)

    if mean:
        prosum = lambda a, b: min((a * b).mean(), 255)  # noqa: E731
    else:
        prosum = lambda a, b: min((a * b).sum(), 255)  # noqa: E731

    def cal(img):
        return np.array([[prosum(img[i : i + k_h, j : j + k_w], kernel) for j in x_range] for i in y_range]).astype(
            np.uint8
        )

    if len(img.shape) == 2:
        data = cal(img)
        return Image.fromarray(data)
    elif len(img.shape) == 3:
        r, g, b = np.transpose(img, (2, 0, 1))
        _r, _g, _b = cal(r), cal(g), cal(b)
        return Image.merge("RGB", [Image.fromarray(d) for d in [_r, _g, _b]])


def scipy_rgb(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    """scipy.ndimage.correlate per channel into a float32 result (its output dtype follows the input)."""
    out = np.empty(img.shape, np.float32)
    for c in range(img.shape[2]):
        ndi.correlate(img[:, :, c], ker.astype(np.float32), output=out[:, :, c], mode="reflect")
    return out


def cv2_float(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    return cv2.filter2D(img, cv2.CV_32F, ker.astype(np.float32), borderType=cv2.BORDER_REFLECT)


def pillow_kernel(pil: Image.Image, ker: np.ndarray) -> Image.Image:
    k = ker.shape[0]
    return pil.filter(ImageFilter.Kernel((k, k), ker.ravel().tolist(), scale=1, offset=0))


def ours(img: np.ndarray, ker: np.ndarray, method: str = "auto") -> np.ndarray:
    return engine.correlate(img, ker, method=method)


def ours_to_8bit(img: np.ndarray, ker: np.ndarray) -> np.ndarray:
    """What the Pillow comparison needs: the filter plus the app's mapping to 8 bits (clip)."""
    return to_uint8(engine.correlate(img, ker)).image


# --------------------------------------------------------------------------------------------------
# measuring


def interleaved(fns: dict[str, Callable[[], object]], repeats: dict[str, int]) -> dict[str, list[float]]:
    """Time every function ``repeats[name]`` times, rounds interleaved; seconds per call."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for r in range(max(repeats.values())):
        for name, fn in fns.items():
            if r < repeats[name]:
                t0 = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - t0)
    return times


def med_ms(ts: list[float]) -> float:
    return statistics.median(ts) * 1000


def peak_extra_bytes(fn: Callable[[], object]) -> int:
    """Peak memory traced during one call (NumPy reports its buffers to tracemalloc)."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "—"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def ratio(peer: float | None, mine: float) -> str:
    return "—" if peer is None else f"{peer / mine:.2f}x"


# --------------------------------------------------------------------------------------------------
# the parts of the run


def make_photo(h: int, w: int) -> np.ndarray:
    """A real photo (the default sample) resized to h x w with Lanczos, RGB uint8."""
    with Image.open(PHOTO) as im:
        return np.asarray(im.convert("RGB").resize((w, h), Image.Resampling.LANCZOS))


def random_kernel(k: int, rng: np.random.Generator) -> np.ndarray:
    """A full-rank kernel (random weights, summing to 1 so results stay in the photo's range)."""
    ker = rng.uniform(-1, 1, (k, k)) + 2.0 / (k * k)
    return ker / ker.sum()


def picked(img: np.ndarray, ker: np.ndarray) -> str:
    """``auto``'s choice, saying which way ``direct`` (and ``separable``'s column pass) runs."""
    p = engine.plan(img, ker, "reflect", 0.0, 1, 1, "auto", None)
    if p.method == "direct":
        return "direct, matrix products" if p.gemm else "direct, shift-add"
    if p.method == "separable" and p.gemm:
        return "separable, column products"
    return p.method


def check_methods(small: np.ndarray, crop: np.ndarray, kernels: dict[str, np.ndarray], out: list[str]) -> bool:
    """Every method against scipy.ndimage (float64) on the small photo and on a crop of the big one."""
    ok = True
    out.append("Agreement with scipy.ndimage.correlate (max |error| / value range, reflect mode):\n")
    out.append(
        "| kernel | image | " + " | ".join(("direct", "direct (matrix products)", "separable", "fft", "auto")) + " |"
    )
    out.append("|---|---|---|---|---|---|---|")
    for name, ker in kernels.items():
        for label, img in (("small", small), ("crop", crop)):
            ref = np.stack(
                [ndi.correlate(img[:, :, c].astype(np.float64), ker, mode="reflect") for c in range(img.shape[2])],
                axis=-1,
            )
            span = max(1.0, float(np.ptp(ref)))
            cells = []
            for method in ("direct", "gemm", "separable", "fft", "auto"):
                if method == "separable" and not engine.is_separable(ker):
                    cells.append("n/a")
                    continue
                if method == "gemm":  # auto picks it for big photos only: forced here
                    g = engine._geometry(img, ker.shape, "reflect", 0.0, 1, 1, None)
                    got = _tiles.direct_gemm(g, ker)
                else:
                    got = engine.correlate(img, ker, method=method)
                err = float(np.abs(got - ref).max()) / span
                ok &= err <= TOLERANCE
                cells.append(f"{err:.1e}" + ("" if err <= TOLERANCE else " FAIL"))
            out.append(f"| {name} | {label} {img.shape[1]}x{img.shape[0]} | " + " | ".join(cells) + " |")
    out.append("")
    return ok


def seed_ms_per_pixel(k: int, rng: np.random.Generator) -> float:
    """The seed loop on a small RGB image, in ms per output pixel (its cost does not depend on the size)."""
    side = 40 + k
    img = rng.integers(0, 256, (side, side, 3), dtype=np.uint8)
    ker = rng.uniform(-1, 1, (k, k))
    t0 = time.perf_counter()
    seed_apply_img_kernel(img, ker)
    return (time.perf_counter() - t0) * 1000 / (side - k + 1) ** 2


def speed_table(big: np.ndarray, kernels: dict[int, np.ndarray], repeats: int, out: list[str]) -> None:
    pil = Image.fromarray(big)
    rng = np.random.default_rng(1)
    pixels = big.shape[0] * big.shape[1]
    out.append(
        "| kernel | ours (auto picks) | ours + 8-bit | scipy | Pillow | OpenCV | seed loop (extrapolated) "
        "| vs scipy | vs Pillow (both 8-bit) | vs OpenCV |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for k, ker in kernels.items():
        slow = k >= 15 and pixels > 4e6
        fns = {
            "ours": lambda ker=ker: ours(big, ker),
            "scipy": lambda ker=ker: scipy_rgb(big, ker),
            "cv2": lambda ker=ker: cv2_float(big, ker),
        }
        reps = {"ours": repeats, "scipy": (1 if k >= 31 else 3) if slow else repeats, "cv2": repeats}
        if k in PILLOW_SIZES:
            fns["ours8"] = lambda ker=ker: ours_to_8bit(big, ker)
            fns["pillow"] = lambda ker=ker: pillow_kernel(pil, ker)
            reps["ours8"] = reps["pillow"] = repeats
        for fn in fns.values():  # warm-up: thread pool, FFT plans, page faults of the first output
            if fn is not fns["scipy"] or not slow:
                fn()
        t = {name: med_ms(ts) for name, ts in interleaved(fns, reps).items()}
        seed = seed_ms_per_pixel(k, rng) * pixels
        mine = t["ours"]
        note = f" ({reps['scipy']} runs)" if reps["scipy"] != repeats else ""
        out.append(
            f"| {k}x{k} | {fmt_ms(mine)} ({picked(big, ker)}) | {fmt_ms(t.get('ours8'))} "
            f"| {fmt_ms(t['scipy'])}{note} | {fmt_ms(t.get('pillow'))} | {fmt_ms(t['cv2'])} | {seed / 1000:,.0f} s "
            f"| {ratio(t['scipy'], mine)} | {ratio(t.get('pillow'), t.get('ours8', mine)) if 'pillow' in t else '—'} "
            f"| {ratio(t['cv2'], mine)} |"
        )
        print(out[-1], flush=True)
    out.append("")


def rank1_table(big: np.ndarray, repeats: int, out: list[str]) -> None:
    g = np.exp(-0.5 * ((np.arange(15) - 7) / 2.5) ** 2)
    kernels = {"Gaussian 15x15 (sigma 2.5)": np.outer(g, g) / g.sum() ** 2, "box 9x9": np.full((9, 9), 1 / 81)}
    out.append("Rank-1 kernels: `auto` (separable) against the same kernel treated as full rank.\n")
    out.append(
        "| kernel | ours auto (separable) | ours direct | ours fft | OpenCV filter2D | OpenCV sepFilter2D "
        "| vs direct | vs fft | vs OpenCV filter2D |"
    )
    out.append("|---|---|---|---|---|---|---|---|---|")
    for name, ker in kernels.items():
        col, row = engine.separable_factors(ker)
        fns = {
            "auto": lambda ker=ker: ours(big, ker),
            "direct": lambda ker=ker: ours(big, ker, "direct"),
            "fft": lambda ker=ker: ours(big, ker, "fft"),
            "cv2": lambda ker=ker: cv2_float(big, ker),
            "sep": lambda col=col, row=row: cv2.sepFilter2D(
                big, cv2.CV_32F, row.astype(np.float32), col.astype(np.float32), borderType=cv2.BORDER_REFLECT
            ),
        }
        for fn in fns.values():
            fn()
        t = {n: med_ms(ts) for n, ts in interleaved(fns, dict.fromkeys(fns, repeats)).items()}
        out.append(
            f"| {name} | {fmt_ms(t['auto'])} ({picked(big, ker)}) | {fmt_ms(t['direct'])} "
            f"| {fmt_ms(t['fft'])} "
            f"| {fmt_ms(t['cv2'])} | {fmt_ms(t['sep'])} | {ratio(t['direct'], t['auto'])} "
            f"| {ratio(t['fft'], t['auto'])} | {ratio(t['cv2'], t['auto'])} |"
        )
        print(out[-1], flush=True)
    out.append("")


def memory_table(big: np.ndarray, kernels: dict[int, np.ndarray], out: list[str]) -> None:
    image_bytes = big.size * 4
    cells = []
    for k, ker in kernels.items():
        peak = peak_extra_bytes(lambda ker=ker: ours(big, ker))
        cells.append(f"{k}x{k}: {peak / image_bytes:.2f}x")
    out.append(
        "Peak memory of one `correlate` call (tracemalloc, output included), as a multiple of the "
        f"float32 image ({image_bytes / 2**20:.0f} MiB): " + ", ".join(cells) + "\n"
    )


def end_to_end(big: np.ndarray, repeats: int, out: list[str]) -> None:
    """decode -> filter -> map to 8-bit -> PNG encode, as the app does, with the default kernel (sharpen)."""
    ker = imgkernel.get("sharpen").matrix()
    scale = resolve_scale(ker)
    photos = {"default photo": PHOTO.read_bytes(), f"{big.shape[1]}x{big.shape[0]}": encode_png(big)}
    out.append("End to end (the app's path; default kernel `sharpen`, medians in ms):\n")
    out.append("| photo | decode | filter | map to 8-bit | PNG encode | total | filter + map |")
    out.append("|---|---|---|---|---|---|---|")
    for name, data in photos.items():
        stages: dict[str, list[float]] = {s: [] for s in ("decode", "filter", "map", "encode")}
        for _ in range(repeats + 1):  # the first round warms up and is dropped
            t0 = time.perf_counter()
            px = load_image(data).pixels
            t1 = time.perf_counter()
            raw = engine.correlate(px, ker)
            t2 = time.perf_counter()
            mapped = to_uint8(apply_scale(raw, scale)).image
            t3 = time.perf_counter()
            encode_png(mapped)
            t4 = time.perf_counter()
            for s, dt in zip(stages, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
                stages[s].append(dt)
        m = {s: med_ms(ts[1:]) for s, ts in stages.items()}
        total = sum(m.values())
        out.append(
            f"| {name} ({px.shape[1]}x{px.shape[0]}) | {fmt_ms(m['decode'])} | {fmt_ms(m['filter'])} "
            f"| {fmt_ms(m['map'])} | {fmt_ms(m['encode'])} | {fmt_ms(total)} "
            f"| {fmt_ms(m['filter'] + m['map'])} |"
        )
        print(out[-1], flush=True)
    out.append("")


def machine_lines() -> list[str]:
    """``bench.machine``'s lines plus the peers' versions, OpenCV's CPU dispatch and the engine's calibration."""
    import PIL
    import scipy

    model = engine.calibration()
    calib = (
        "not measured (IMGKERNEL_CALIBRATE=0): reference constants"
        if model is engine.REFERENCE
        else f"{model.seconds * 1000:.0f} ms; {model.ns_per_pass:.3f} ns per pass-value, "
        f"{model.ns_per_mac:.4f} ns per matrix-product unit, {model.ns_per_fft_unit:.3f} ns per FFT unit, "
        f"strips of {model.strip_bytes // 1024} KiB, FFT tiles up to {model.tile_max} px"
    )
    return [
        *machine(),
        f"Versions: NumPy {np.__version__}, SciPy {scipy.__version__}, OpenCV {cv2.__version__}, "
        f"Pillow {PIL.__version__}, imgkernel {imgkernel.__version__}",
        f"OpenCV CPU dispatch (* = dispatched, ? = switched off): {cv2.getCPUFeaturesLine()}; "
        f"{cv2.getNumThreads()} threads",
        f"Engine calibration (`auto`'s cost model on this machine): {calib}",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1 MP image, 3 repeats (a sanity run); writes nothing")
    ap.add_argument("--repeats", type=int, default=None, help="timed runs per cell (default 5, or 3 with --quick)")
    ap.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 5)
    h, w = (866, 1155) if args.quick else (3000, 4000)

    cv2.setNumThreads(_tiles.WORKERS)  # the same threads as ours
    rng = np.random.default_rng(0)
    big = make_photo(h, w)
    small = make_photo(300, 451)
    kernels = {k: random_kernel(k, rng) for k in SIZES}
    g9 = np.exp(-0.5 * ((np.arange(9) - 4) / 1.5) ** 2)
    out: list[str] = [
        "# Engine speed",
        "",
        *(f"- {line}" for line in machine_lines()),
        "",
        f"Photo: assets/chelsea.png resized to {w}x{h} RGB uint8 ({w * h / 1e6:.1f} MP); float32 results, "
        "border mode `reflect`; random full-rank kernels. Times are medians of "
        f"{repeats} runs in ms, the peers' runs interleaved with ours. Ratios: peer time / our time "
        "(> 1 means we are faster). `ours + 8-bit` adds the app's mapping (`imgkernel.mapping.to_uint8`, clip) "
        "and is what the Pillow column is compared with, as Pillow returns 8-bit. OpenCV: `filter2D`, "
        "CV_32F output, the same threads as ours (imgkernel._tiles.WORKERS). Seed: the blog post's per-pixel loop "
        "timed on a small image, scaled to this size. The cores are shared with other work: absolute times swing "
        "by 30% or more between runs, ratios within one run are what count.",
        "",
    ]
    checks = {f"{k}x{k} random": kernels[k] for k in SIZES}
    checks["9x9 Gaussian (rank 1)"] = np.outer(g9, g9)
    ok = check_methods(small, big[h // 3 : h // 3 + 200, w // 3 : w // 3 + 260], checks, out)
    print("\n".join(out), flush=True)
    if not ok:
        print("bench.speed: a method disagrees with scipy.ndimage beyond 1e-4 of the range; not timing.")
        return 1
    start = len(out)
    speed_table(big, kernels, repeats, out)
    rank1_table(big, repeats, out)
    memory_table(big, kernels, out)
    end_to_end(big, repeats, out)
    print("\n".join(out[start:]))
    if not (args.quick or args.no_write):
        RESULTS.write_text("\n".join(out).rstrip() + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
