"""The engine's workhorses: cache-sized row strips (or tiles), padded on the fly, over a small thread pool.

Private to ``imgkernel`` (the engine, ``over_rows`` for the mapping to 8 bits, and the fused 8-bit path). Each
row-strip method is a ``Strips`` (``direct_strips``, ``gemm_strips``, ``separable_strips``): ``run`` fills a new
float32 output with its strips, ``stream`` hands each strip, still in cache, to a sink on the thread that computed
it (``imgkernel.fused`` maps it to 8 bits there); ``fft`` fills a float32 output by tiles. Nothing keeps state
except the lazily created thread pool (threads are reused, results never are), the count of calls holding BLAS
to one thread (``one_blas_thread``) and the calling context's thread cap (``threads``).

Threads: the pool has ``WORKERS - 1`` threads (``WORKERS``: the CPUs this process may use, capped by
``IMGKERNEL_THREADS``) and the calling thread works too. ``threads(n)`` caps one context's calls at ``n``
threads (a server's per-request cap); a call then hands ``min(n, WORKERS, tasks) - 1`` helpers to the pool.
Tasks write disjoint parts of the output and each sums the same taps in the same order, so the result does
not depend on how many threads ran it. Measured figures: ``docs/engine.md``.

Coordinates: the *padded* image is the input extended by the border mode (``pads`` rows/columns before
and after; none in ``valid`` mode). Output ``(i, j)`` is the window whose top-left corner is padded
``(i * stride, j * stride)``; tap ``(u, v)`` reads padded ``(i * stride + u * dilation, ...)``. The padded
image is never built whole: each strip copies its rows (converted to float32, or int16 for the exact
path) into a small buffer and
fills its border cells through index maps from ``borders.border_index`` (the walkthrough reads through the
same maps, so what it shows is what the engine computes).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import itertools
import math
import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .borders import Mode, border_index

THREADS_ENV = "IMGKERNEL_THREADS"  # a whole number >= 1: at most this many threads per call, for the whole process


def usable_cpus() -> int:
    """CPUs this process may run on: its affinity mask where the OS has one (a container's cpuset, a ``taskset``),
    else every CPU of the machine. A CPU quota (cgroup ``cpu.max``, Docker's ``--cpus``) is not a mask and is
    not seen here: cap with ``IMGKERNEL_THREADS`` there."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def whole_number_env(name: str, environ: Mapping[str, str] | None = None) -> int | None:
    """The environment variable ``name`` as a whole number >= 1; ``None`` when it is unset or empty, and also,
    with a ``RuntimeWarning`` naming it, when it is anything else (text, 0, negative): a typo in a deployment's
    settings must never stop the import."""
    raw = (os.environ if environ is None else environ).get(name, "")
    text = raw.strip()
    if not text:
        return None
    if re.fullmatch(r"\+?[0-9]+", text) and int(text) >= 1:
        return int(text)
    warnings.warn(f"{name}={raw!r} ignored: it must be a whole number of threads, at least 1", RuntimeWarning, 2)
    return None


def _default_workers(environ: Mapping[str, str] | None = None) -> int:
    cpus = usable_cpus()
    cap = whole_number_env(THREADS_ENV, environ)
    return cpus if cap is None else min(cap, cpus)


WORKERS = _default_workers()
"""Most threads one call uses (the calling thread included): the CPUs this process may use (``usable_cpus``),
at most ``IMGKERNEL_THREADS``. Read once, at import. ``threads(n)`` lowers it for one context's calls."""
_cap: ContextVar[int | None] = ContextVar("imgkernel_threads", default=None)  # ``threads``'s cap (None: none)
STRIP_BYTES = 1 << 20  # default output bytes per strip; the engine's calibration picks the machine's best size
PARALLEL_MIN_VALUES = 1 << 17  # below this many output values a thread hand-off costs more than it saves
GEMM_ROWS = 4
"""Output rows per matrix product of ``direct_gemm``. Each row costs ``span_h - 1`` wasted multiply-adds on the band's
zeros, so fewer is better until NumPy's per-call cost dominates; 4 matches the 4-wide column blocks of OpenBLAS's
float32 micro-kernels, and measured as fast as 8 and faster than 2 (``docs/engine.md``)."""

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_blas = threading.Lock()  # guards the three below
_blas_users = 0
_blas_controller: Any = None  # threadpoolctl's view of the loaded BLAS, found once
_blas_restore: Any = None


class Geom:
    """Where every output value reads from: the padded image described by index maps, plus the sizes."""

    def __init__(
        self,
        x: np.ndarray,
        mode: Mode,
        pads: tuple[tuple[int, int], tuple[int, int]],
        cval: np.float32,
        out_h: int,
        out_w: int,
        stride: int,
        dilation: int,
        span_h: int,
        span_w: int,
    ) -> None:
        self.x = x  # (H, W, C), any real dtype (bool already viewed as uint8)
        self.cval = cval
        self.out_h, self.out_w, self.stride, self.dilation = out_h, out_w, stride, dilation
        self.span_h, self.span_w = span_h, span_w
        self.left = pads[1][0]  # padded column of image column 0
        self.rmap = _axis_map(x.shape[0], pads[0], mode)  # source row of every padded row (-1: cval)
        self.cmap = _axis_map(x.shape[1], pads[1], mode)
        self.channels = x.shape[2]
        self.padded_w = len(self.cmap)
        self._border_columns: dict[tuple[int, int], tuple[np.ndarray, np.ndarray | None]] = {}

    def border_columns(self, j0: int, j1: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Padded columns ``j0:j1`` outside the image: the source column each reads (cval ones read column 0)
        and which of them are cval (None: none). Kept, as every strip asks for the same two runs."""
        key = (j0, j1)
        if key not in self._border_columns:
            cm = self.cmap[j0:j1]
            self._border_columns[key] = (np.maximum(cm, 0), np.flatnonzero(cm < 0) if cm.min() < 0 else None)
        return self._border_columns[key]

    @property
    def values(self) -> int:
        return self.out_h * self.out_w * self.channels

    def reading(self, x: np.ndarray, rmap: np.ndarray, out_h: int) -> Geom:
        """A copy that reads its rows from ``x`` (H', W, C) through ``rmap`` (padded row -> row of ``x``, -1: cval)
        and has ``out_h`` output rows: one band of a big image, filtered from just the rows it needs."""
        band = copy.copy(self)
        band.x, band.rmap, band.out_h = x, rmap, out_h
        return band


def as_hwc(x: np.ndarray) -> np.ndarray:
    """``x`` as (H, W, C) (a gray image gets one channel), bool viewed as uint8: what ``Geom.x`` holds."""
    x = x[:, :, None] if x.ndim == 2 else x
    return x.view(np.uint8) if x.dtype == np.bool_ else x


def _axis_map(n: int, pad: tuple[int, int], mode: Mode) -> np.ndarray:
    """The source pixel of every padded index along an axis of ``n`` pixels (-1: cval)."""
    return border_index(np.arange(-pad[0], n + pad[1]), n, mode)


def fill(dst: np.ndarray, g: Geom, p0: int, p1: int, q0: int, q1: int) -> np.ndarray:
    """Write padded rows ``p0:p1`` x columns ``q0:q1`` into ``dst`` (float32); returns that view of dst.

    Interior cells are one converting slice copy; border cells are gathered through the index maps.
    Called once per strip or tile, so it stays lean: a few NumPy calls for the common interior strip.
    """
    x, w = g.x, g.x.shape[1]
    d = dst[: p1 - p0, : q1 - q0]
    rm = g.rmap[p0:p1]
    rows: slice | np.ndarray = _as_slice(rm) or np.maximum(rm, 0)  # cval rows read row 0, then are overwritten
    a, b = max(q0, g.left), min(q1, g.left + w)  # interior columns, padded coordinates
    if a < b:
        d[:, a - q0 : b - q0] = x[rows, a - g.left : b - g.left]
    border = ((q0, a), (b, q1)) if a < b else ((q0, q1),)  # column runs outside the image
    for j0, j1 in border:
        if j0 >= j1:
            continue
        src_cols, cval_cols = g.border_columns(j0, j1)
        if isinstance(rows, slice):
            d[:, j0 - q0 : j1 - q0] = x[rows, src_cols]
        else:
            d[:, j0 - q0 : j1 - q0] = x[np.ix_(rows, src_cols)]
        if cval_cols is not None:
            d[:, (j0 - q0) + cval_cols] = g.cval
    if not isinstance(rows, slice) and rm.min() < 0:
        d[rm < 0] = g.cval
    return d


def _as_slice(m: np.ndarray) -> slice | None:
    """The index map as a slice when it is a plain run of source indices (the common, cheap case).

    Every step of a border map is at most +1 (runs, repeats, reflections, wrap jumps back, cval's -1 before 0;
    ``test_border_maps_never_step_up_by_more_than_one``), so first and last alone tell a run.
    """
    first, last = int(m[0]), int(m[-1])
    return slice(first, last + 1) if first >= 0 and last - first == len(m) - 1 else None


Groups = list[tuple[Any, list[tuple[int, int]]]]  # (weight as float32 or int16, tap positions)


def group_taps(taps: list[tuple[int, int, float]], dtype: type = np.float32) -> Groups:
    """Non-zero taps ``(r, c, w)`` grouped by equal weight (as ``dtype``: float32, or int16 for whole-number
    weights), biggest group first.

    Windows that share a weight are summed first and multiplied once: a box or a symmetric kernel
    (Gaussian) needs about half the passes.
    """
    groups: dict[Any, list[tuple[int, int]]] = {}
    for r, c, w in taps:
        if w != 0:
            groups.setdefault(dtype(w), []).append((r, c))
    ordered = sorted(groups.items(), key=lambda g: -len(g[1]))
    if np.issubdtype(dtype, np.integer):  # whole-number sums do not depend on the order: save a pass if one can
        # ``accumulate`` writes the first group straight into the output; one of -1s (sharpen's four neighbours)
        # would cost a negation there, so a group that is cheaper first goes first.
        cheaper = [g for g in ordered if g[0] not in (1, -1) or (g[0] == 1 and len(g[1]) > 1)]
        if cheaper:
            ordered.remove(cheaper[0])
            ordered.insert(0, cheaper[0])
    return ordered


def count_passes(groups: Groups) -> int:
    """Elementwise passes ``accumulate`` makes over the output for these groups (for the cost model)."""
    n = 0
    for k, (w, pos) in enumerate(groups):
        if k == 0:
            n += max(1, len(pos) - 1) + (len(pos) > 1 and w != 1)
        elif w in (1, -1):
            n += len(pos)
        else:
            n += len(pos) + 1
    return n


def accumulate(src: np.ndarray, groups: Groups, dst: np.ndarray, tmp: np.ndarray, step_r: int, step_c: int) -> None:
    """``dst = sum(w * src[window at (r, c)])`` over the grouped taps, in place, in the arrays' dtype (float32; int16
    wraps modulo 2**16, which the exact path allows for: ``fused``).

    The first group lands in ``dst`` directly; weights of +1 and -1 are added or subtracted straight in.
    """
    nr, nc = dst.shape[:2]
    er, ec = (nr - 1) * step_r + 1, (nc - 1) * step_c + 1

    def win(r: int, c: int) -> np.ndarray:
        return src[r : r + er : step_r, c : c + ec : step_c]

    if not groups:
        dst.fill(0)
    for k, (w, pos) in enumerate(groups):
        if k > 0 and w in (1, -1):
            op = np.add if w == 1 else np.subtract
            for p in pos:
                op(dst, win(*p), out=dst)
            continue
        acc = dst if k == 0 else tmp
        if len(pos) == 1:
            np.multiply(win(*pos[0]), w, out=acc) if w != 1 else np.copyto(acc, win(*pos[0]))
        else:
            np.add(win(*pos[0]), win(*pos[1]), out=acc)
            for p in pos[2:]:
                np.add(acc, win(*p), out=acc)
            if w != 1:
                np.multiply(acc, w, out=acc)
        if k > 0:
            np.add(dst, acc, out=dst)


def strip_rows(g: Geom, width: int, strip_bytes: int | None = None, itemsize: int = 4) -> int:
    """Output rows per strip: about ``strip_bytes`` (default STRIP_BYTES) of output values of ``itemsize`` bytes
    (float32: 4) in rows of ``width`` pixels, at least one row."""
    return max(1, min(g.out_h, (strip_bytes or STRIP_BYTES) // (itemsize * width * g.channels)))


def workers() -> int:
    """Threads a call made here may use: ``WORKERS``, or less under ``threads``."""
    cap = _cap.get()
    return WORKERS if cap is None else min(cap, WORKERS)


def threads(n: int | np.integer) -> contextlib.AbstractContextManager[None]:
    """At most ``n`` threads per engine call inside the block, in this context only (``engine.threads``).
    Checked here, when called, rather than on entering the block."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"threads(n) takes a whole number of threads, got {n!r}")
    if n < 1:
        raise ValueError(f"threads(n) takes at least 1 thread, got {n}")
    return _capped(int(n))


@contextlib.contextmanager
def _capped(n: int) -> Iterator[None]:
    outer = _cap.get()
    token = _cap.set(n if outer is None else min(outer, n))  # a cap inside a cap never lifts it
    try:
        yield
    finally:
        _cap.reset(token)


def for_each(n_tasks: int, make_worker: Callable[[], Callable[[int], None]], parallel: bool) -> None:
    """Run ``task(i)`` for every ``i < n_tasks``; each thread makes its own ``task`` (with its buffers).

    Threads pull the next index from a shared counter, so a busy core does not hold back the other.
    The calling thread works too, with at most ``workers() - 1`` helpers from the pool (never more than there
    are tasks to share); exceptions propagate.
    """
    counter = itertools.count()

    def loop() -> None:
        task = make_worker()
        while (i := next(counter)) < n_tasks:
            task(i)

    helpers = min(workers(), n_tasks) - 1 if parallel else 0
    if helpers < 1:
        loop()
        return
    futures = [_get_pool().submit(loop) for _ in range(helpers)]
    try:
        loop()
    finally:
        for f in futures:
            if not f.cancel():  # a helper still queued behind another caller's work is not waited for
                f.result()


def over_rows(n_rows: int, row_shape: tuple[int, ...], task: Callable[[int, int, np.ndarray], object]) -> None:
    """Call ``task(r0, r1, scratch)`` over cache-sized strips of rows, on the thread pool (its result is unused).

    For elementwise passes over big float32 arrays (mapping to 8 bits): ``scratch`` is a float32 buffer
    of at least ``r1 - r0`` rows of ``row_shape``, private to the thread.
    """
    row_values = max(1, math.prod(row_shape))
    rows = max(1, min(n_rows, STRIP_BYTES // (4 * row_values)))

    def make_worker() -> Callable[[int], None]:
        scratch = np.empty((rows, *row_shape), np.float32)

        def run(i: int) -> None:
            task(i * rows, min(n_rows, (i + 1) * rows), scratch)

        return run

    for_each(-(-n_rows // rows), make_worker, n_rows * row_values >= PARALLEL_MIN_VALUES)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS single-threaded while any ``direct_gemm`` call runs.

    Our pool already keeps every core busy with one product at a time; OpenBLAS's own threads on top of it
    spin and fight ours (much slower at 12 MP: ``docs/engine.md``). OpenBLAS has no per-thread setting
    (its ``openblas_set_num_threads_local`` is process-wide too), so the limit is taken by the first caller and
    given back by the last one, and other NumPy work in the process runs single-threaded BLAS meanwhile.
    """
    global _blas_users, _blas_controller, _blas_restore
    with _blas:
        if _blas_users == 0:
            if _blas_controller is None:
                import threadpoolctl  # only here: `import imgkernel` stays light

                _blas_controller = threadpoolctl.ThreadpoolController()
            _blas_restore = _blas_controller.limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_restore.restore_original_limits()


def _get_pool() -> ThreadPoolExecutor:
    """The process's pool: ``WORKERS - 1`` threads, started on first use and shared by every caller."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max(1, WORKERS - 1), thread_name_prefix="imgkernel")
        return _pool


# --------------------------------------------------------------------------------------------------
# the methods: shift-and-add and matrix products (both ``direct``), ``separable``, ``fft``


StripFn = Callable[[int, int, np.ndarray], None]
"""``compute(i0, i1, dst)``: output rows ``i0:i1`` of a method into ``dst`` (``(i1 - i0, out_w, C)``, C-contiguous);
also the shape of a sink that receives them (``stream``)."""


@dataclass(frozen=True)
class Strips:
    """A method cut into strips of output rows: each thread makes its own ``compute`` (with its own buffers)."""

    rows: int  # output rows per strip (the last one may have fewer)
    make: Callable[[], StripFn]  # called once per thread
    dtype: np.dtype[Any]  # what ``compute`` writes: float32, or int16 for the exact integer path (``fused``)


def run(g: Geom, strips: Strips) -> np.ndarray:
    """Every strip of ``strips`` into one new ``(out_h, out_w, C)`` array, on the engine's threads."""
    out = np.empty((g.out_h, g.out_w, g.channels), strips.dtype)

    def make_worker() -> Callable[[int], None]:
        compute = strips.make()

        def task(i: int) -> None:
            i0, i1 = i * strips.rows, min(g.out_h, (i + 1) * strips.rows)
            compute(i0, i1, out[i0:i1])

        return task

    for_each(-(-g.out_h // strips.rows), make_worker, g.values >= PARALLEL_MIN_VALUES)
    return out


def stream(g: Geom, strips: Strips, make_sink: Callable[[], StripFn]) -> None:
    """Every strip of ``strips`` into a buffer private to its thread, then ``sink(i0, i1, strip)`` on that thread
    while the strip is still in cache (the fused 8-bit path maps it there: ``imgkernel.fused``).

    Each thread makes its own ``sink = make_sink()`` (with its own scratch). A sink may change the strip (the
    thread's own, rewritten by the next strip); what sinks share must be thread-safe. No whole-image result is
    ever made.
    """

    def make_worker() -> Callable[[int], None]:
        compute = strips.make()
        sink = make_sink()
        buf = np.empty((strips.rows, g.out_w, g.channels), strips.dtype)

        def task(i: int) -> None:
            i0, i1 = i * strips.rows, min(g.out_h, (i + 1) * strips.rows)
            compute(i0, i1, buf[: i1 - i0])
            sink(i0, i1, buf[: i1 - i0])

        return task

    for_each(-(-g.out_h // strips.rows), make_worker, g.values >= PARALLEL_MIN_VALUES)


def direct(g: Geom, ker: np.ndarray, strip_bytes: int | None = None) -> np.ndarray:
    """Shift-and-add per strip: one fused pass over the (cached) strip per non-zero tap."""
    return run(g, direct_strips(g, ker, strip_bytes))


def direct_strips(g: Geom, ker: np.ndarray, strip_bytes: int | None = None, dtype: type = np.float32) -> Strips:
    """``direct``'s strips. With ``dtype=np.int16`` and integer weights it sums exactly, modulo 2**16 (``fused``)."""
    d, s = g.dilation, g.stride
    taps = group_taps([(u * d, v * d, w) for (u, v), w in np.ndenumerate(ker)], dtype)
    rows = strip_rows(g, g.out_w, strip_bytes, np.dtype(dtype).itemsize)
    n_in = (rows - 1) * s + g.span_h

    def make() -> StripFn:
        buf: np.ndarray = np.empty((n_in, g.padded_w, g.channels), dtype)
        tmp: np.ndarray = np.empty((rows, g.out_w, g.channels), dtype)

        def compute(i0: int, i1: int, dst: np.ndarray) -> None:
            src = fill(buf, g, i0 * s, (i1 - 1) * s + g.span_h, 0, g.padded_w)
            accumulate(src, taps, dst, tmp[: i1 - i0], s, s)

        return compute

    return Strips(rows, make, np.dtype(dtype))


def direct_gemm(g: Geom, ker: np.ndarray, strip_bytes: int | None = None) -> np.ndarray:
    """Stride-1 direct summation as small matrix products (BLAS), ``GEMM_ROWS`` output rows per product.

    With each padded row flattened to ``width * channels`` values, output rows ``i:i + GEMM_ROWS`` are a sum over
    the kernel's non-zero columns ``v``: a band matrix (``GEMM_ROWS`` x ``GEMM_ROWS + span_h - 1``, column ``v``
    of the kernel on its diagonals, ``dilation`` apart) times the strip's rows shifted by ``v * dilation`` pixels,
    a view, so channels never mix. BLAS keeps the multiply-adds in registers where shift-and-add makes one pass
    over memory per tap, so big photos run faster this way from 3x3 up (figures: ``docs/engine.md``).
    Every product has the same shape (a short last group of rows reads zero rows), so each output row gets the
    same arithmetic wherever a strip starts on a whole group: a photo filtered band by band (``imgkernel.fullres``
    starts its bands on whole groups) is bit-identical.
    """
    with one_blas_thread():
        return run(g, gemm_strips(g, ker, strip_bytes))


def gemm_strips(g: Geom, ker: np.ndarray, strip_bytes: int | None = None) -> Strips:
    """``direct_gemm``'s strips (hold ``one_blas_thread`` while they run)."""
    if g.stride != 1:
        raise ValueError("direct_gemm computes stride 1 only")
    c, d, r = g.channels, g.dilation, GEMM_ROWS
    used = [v for v in range(ker.shape[1]) if np.any(ker[:, v])] or [0]  # an all-zero kernel: one zero product
    cols = range(used[0], used[-1] + 1)  # evenly spaced, so one strided view holds every column's rows (below)
    band = np.zeros((len(cols), r, r + g.span_h - 1), np.float32)
    diag = np.arange(r)
    for k, v in enumerate(cols):
        for u in range(ker.shape[0]):
            band[k, diag, diag + u * d] = ker[u, v]
    width = g.out_w * c
    rows = -(-strip_rows(g, g.out_w, strip_bytes) // r) * r  # whole groups of r rows per strip

    def make() -> StripFn:
        buf = np.empty((rows + g.span_h - 1, g.padded_w, c), np.float32)
        flat = buf.reshape(len(buf), g.padded_w * c)
        products = np.empty((len(cols), r, width), np.float32)
        step = (d * c * flat.itemsize, flat.strides[0], flat.itemsize)  # next kernel column, next row, next value

        def compute(i0: int, i1: int, dst: np.ndarray) -> None:
            m = i1 - i0 + g.span_h - 1
            flat_out = dst.reshape(i1 - i0, width)
            fill(buf, g, i0, i0 + m, 0, g.padded_w)
            buf[m : m + r] = 0  # what a short last group reads below the image's last needed row
            for j in range(0, i1 - i0, r):
                n = min(r, i1 - i0 - j)
                # The rows under each kernel column v, shifted v * dilation pixels: views of one strip, so a
                # single batched product (one NumPy call, not one per column) multiplies every band, and one
                # reduction sums them in column order. A group never reads past the buffer: strips are whole
                # groups, and a short last one reads the zero rows above.
                src = as_strided(flat[j:, cols[0] * d * c :], (len(cols), band.shape[2], width), step, writeable=False)
                np.matmul(band, src, out=products)
                if n == r:
                    np.add.reduce(products, axis=0, out=flat_out[j : j + r])
                else:
                    flat_out[j:] = np.add.reduce(products, axis=0)[:n]

        return compute

    return Strips(rows, make, np.dtype(np.float32))


def separable(
    g: Geom, factors: tuple[np.ndarray, np.ndarray], strip_bytes: int | None = None, gemm: bool = False
) -> np.ndarray:
    """Rank-1 kernel as two 1-D passes per strip: down the columns (kept rows only), then along the rows; with
    ``gemm`` (stride 1) the column pass runs as band-matrix products (``separable_strips``)."""
    if not gemm:
        return run(g, separable_strips(g, factors, strip_bytes))
    with one_blas_thread():
        return run(g, separable_strips(g, factors, strip_bytes, gemm=True))


def separable_strips(
    g: Geom,
    factors: tuple[np.ndarray, np.ndarray],
    strip_bytes: int | None = None,
    dtype: type = np.float32,
    gemm: bool = False,
) -> Strips:
    """``separable``'s strips; with ``dtype=np.int16`` and integer factors, exact modulo 2**16 (``fused``).

    ``gemm`` (float32, stride 1; hold ``one_blas_thread`` while the strips run): the column pass as products of a
    band matrix (``GEMM_ROWS`` x ``GEMM_ROWS + span_h - 1``, the column factor on its diagonals) with the strip's
    rows flattened, as ``direct_gemm`` does for one kernel column, instead of a pass over memory per tap; the row
    pass stays shift-and-add. Every product has the same shape, so rows do not depend on where a strip starts.
    """
    d, s = g.dilation, g.stride
    col, row = factors
    vtaps = group_taps([(u * d, 0, w) for u, w in enumerate(col)], dtype)
    htaps = group_taps([(0, v * d, w) for v, w in enumerate(row)], dtype)
    rows = strip_rows(g, g.padded_w, strip_bytes, np.dtype(dtype).itemsize)
    r = GEMM_ROWS
    band = np.zeros((r, r + g.span_h - 1), np.float32)
    if gemm:
        if s != 1 or dtype is not np.float32:
            raise ValueError("the column pass runs as matrix products in float32 at stride 1 only")
        diag = np.arange(r)
        for u, w in enumerate(col):
            band[diag, diag + u * d] = w
        rows = -(-rows // r) * r  # whole groups of r rows per strip
    n_in = (rows - 1) * s + g.span_h + (r if gemm else 0)  # gemm: room for the zero rows a short group reads

    def make() -> StripFn:
        buf: np.ndarray = np.empty((n_in, g.padded_w, g.channels), dtype)
        mid: np.ndarray = np.empty((rows, g.padded_w, g.channels), dtype)
        tmp = np.empty_like(mid)
        flat, flat_mid = buf.reshape(n_in, -1), mid.reshape(rows, -1)

        def compute(i0: int, i1: int, dst: np.ndarray) -> None:
            n = i1 - i0
            m = (n - 1) * s + g.span_h
            src = fill(buf, g, i0 * s, i0 * s + m, 0, g.padded_w)
            if gemm:
                buf[m : m + r] = 0  # what a short last group reads below the strip's last needed row (0 x NaN = NaN)
                for j in range(0, n, r):
                    np.matmul(band, flat[j : j + band.shape[1]], out=flat_mid[j : j + r])
            else:
                accumulate(src, vtaps, mid[:n], tmp[:n], s, 1)
            accumulate(mid[:n], htaps, dst, tmp[:n, : g.out_w], 1, s)

        return compute

    return Strips(rows, make, np.dtype(dtype))


def fft(g: Geom, ker: np.ndarray, tile_max: int | None = None, tile_rows: tuple[int, int] | None = None) -> np.ndarray:
    """Overlap-save over tiles: each padded tile of fast FFT size gives its 'valid' part of the output.

    Tiles rather than one giant transform keep the work in cache and the memory small. Transforms are
    float32 (half the bytes of float64, so faster), well within the 1e-4 of the value range the engine
    promises (measured errors and speeds: ``docs/engine.md``).
    Stride > 1 computes every position of a tile and keeps the strided ones.
    ``tile_rows`` ``(t0, t1)``: only those rows of tiles, returning the output rows they keep (``fft_bands``),
    with the very values of the whole run (``imgkernel.fullres`` filters a big photo so, band by band).
    """
    s, d = g.stride, g.dilation
    dk = np.zeros((g.span_h, g.span_w))
    dk[::d, ::d] = ker
    (lh, lw), (n_tr, n_tc) = fft_plan(g, tile_max)
    need_h, need_w = (g.out_h - 1) * s + g.span_h, (g.out_w - 1) * s + g.span_w  # padded extent used
    th, tw = lh - g.span_h + 1, lw - g.span_w + 1  # stride-1 positions per tile
    # correlation = convolution with the flipped kernel; the valid part starts at (span - 1). The forward
    # transforms scale by 1/n (norm="forward") and the kernel's spectrum carries n back: the same product, but
    # NumPy 2.4's float32 transforms are much slower when their scale factor is exactly 1 (docs/engine.md).
    kf = (np.fft.rfftn(dk[::-1, ::-1], s=(lh, lw), axes=(0, 1)) * (lh * lw)).astype(np.complex64)
    t0, t1 = (0, n_tr) if tile_rows is None else tile_rows
    first = -(-(t0 * th) // s)  # the first output row kept by tile row t0
    out = np.empty((min(g.out_h, -(-(t1 * th) // s)) - first, g.out_w, g.channels), np.float32)

    def make_worker() -> Callable[[int], None]:
        buf = np.zeros((g.channels, lh, lw), np.float32)  # channels first: each 2-D transform is contiguous
        view = buf.transpose(1, 2, 0)

        def task(i: int) -> None:
            tr, tc = divmod(i, n_tc)
            tr += t0
            p0, q0 = tr * th, tc * tw
            p1, q1 = min(p0 + lh, need_h), min(q0 + lw, need_w)
            if p1 - p0 < lh or q1 - q0 < lw:
                buf.fill(0)
            fill(view, g, p0, p1, q0, q1)
            # kept outputs: positions p0 <= i*s < p0 + th (and likewise for columns)
            i0, i1 = -(-p0 // s), min(g.out_h, -(-(p0 + th) // s))
            j0, j1 = -(-q0 // s), min(g.out_w, -(-(q0 + tw) // s))
            r = g.span_h - 1 + i0 * s - p0
            c = g.span_w - 1 + j0 * s - q0
            for ch in range(g.channels):  # one channel at a time: the transforms stay in L2
                spec = np.fft.rfft2(buf[ch], norm="forward")
                spec *= kf
                res = np.fft.irfft2(spec, s=(lh, lw))
                out[i0 - first : i1 - first, j0:j1, ch] = res[
                    r : r + (i1 - i0 - 1) * s + 1 : s, c : c + (j1 - j0 - 1) * s + 1 : s
                ]

        return task

    for_each((t1 - t0) * n_tc, make_worker, g.values >= PARALLEL_MIN_VALUES)
    return out


def fft_bands(g: Geom, tile_max: int | None = None) -> list[tuple[int, int, int]]:
    """``(tile row, i0, i1)``: the output rows ``i0:i1`` each row of FFT tiles keeps, top to bottom (tile rows
    that keep none, possible with a stride, are left out); ``tile_max`` as for ``fft``."""
    (lh, _), (n_tr, _) = fft_plan(g, tile_max)
    th, s = lh - g.span_h + 1, g.stride
    bands = [(t, -(-(t * th) // s), min(g.out_h, -(-((t + 1) * th) // s))) for t in range(n_tr)]
    return [(t, i0, i1) for t, i0, i1 in bands if i1 > i0]


def fft_plan(g: Geom, tile_max: int | None = None) -> tuple[tuple[int, int], tuple[int, int]]:
    """``((tile_h, tile_w), (tile_rows, tile_cols))``: the FFT tile size and how many tiles cover the output."""
    need_h, need_w = (g.out_h - 1) * g.stride + g.span_h, (g.out_w - 1) * g.stride + g.span_w
    lh, lw = tile_lengths(g.span_h, g.span_w, need_h, need_w, tile_max)
    return (lh, lw), (_tiles_needed(g.span_h, need_h, lh), _tiles_needed(g.span_w, need_w, lw))


def _tiles_needed(span: int, need: int, length: int) -> int:
    return -(-(need - span + 1) // (length - span + 1))


def tile_lengths(span_h: int, span_w: int, need_h: int, need_w: int, tile_max: int | None = None) -> tuple[int, int]:
    """FFT tile size minimising the modelled work (pocketfft ~ n log n, plus a fixed cost per tile)."""
    return _best_tiles(span_h, span_w, need_h, need_w, tile_max or TILE_MAX, TILE_OVERHEAD)


@functools.lru_cache(maxsize=256)
def _best_tiles(span_h: int, span_w: int, need_h: int, need_w: int, tile_max: int, overhead: int) -> tuple[int, int]:
    """``tile_lengths`` for plain numbers, kept: every ``auto`` call prices the FFT, and the search costs
    milliseconds (``docs/engine.md``)."""
    widths = [(lw, _tiles_needed(span_w, need_w, lw)) for lw in _tile_candidates(span_w, need_w, tile_max)]
    best, best_cost = (0, 0), math.inf
    for lh in _tile_candidates(span_h, need_h, tile_max):
        rows = _tiles_needed(span_h, need_h, lh)
        for lw, cols in widths:
            cost = rows * cols * (lh * lw * math.log2(lh * lw) + overhead)
            if cost < best_cost:
                best, best_cost = (lh, lw), cost
    return best


def _tile_candidates(span: int, need: int, tile_max: int) -> list[int]:
    """Fast lengths from twice the kernel span up to ``tile_max`` (or 4 spans), never beyond what is needed."""
    top = min(fast_len(need), max(tile_max, fast_len(4 * span)))
    found = {top}
    p5 = 1
    while p5 <= top:
        p35 = p5
        while p35 <= top:
            m = p35
            while m <= top:
                if m >= 2 * span:
                    found.add(m)
                m *= 2
            p35 *= 3
        p5 *= 5
    return sorted(found)


def fast_len(n: int) -> int:
    """Smallest 2^a 3^b 5^c >= n: lengths pocketfft transforms fastest."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


TILE_MAX = 320  # default longest FFT tile side for small kernels (bigger ones fall out of L2); calibration may pick
TILE_OVERHEAD = 100_000  # fixed per-tile cost (Python calls, copies) in units of one n log n step
