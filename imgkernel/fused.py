"""The 8-bit picture straight from the filter: each strip of output rows is mapped to uint8 while it is in cache.

Why: ``run_filter`` makes the whole float32 result (a 12 MP photo: 144 MB), then reads it again to map it to
8 bits. When only the picture is wanted (the command line, batches, full-resolution exports:
``imgkernel.fullres.filter_uint8``), each strip the engine computes goes through the same mapping steps
(``mapping.map_rows``: divisor, offset, clip/abs/rescale, linear light to sRGB, rounding half up) into the
uint8 result on the thread that computed it, and no whole-image float32 array is made.

Two ways to compute a strip:

* **float32**, the engine's own methods (``_tiles.direct_strips``, ``gemm_strips``, ``separable_strips``; ``fft``
  by rows of tiles) with the same arithmetic as ``run_filter``: the same picture and figures, bit for bit;
* **exact integers** (``Exact``), for a uint8 photo and a kernel whose weights are whole numbers over one common
  denominator ``q`` small enough for 16 bits (``exact_kernel``: sharpen, emboss, outline, Laplacians):
  shift-and-add (or, for a rank-1 kernel, a column pass then a row pass) of the whole-number weights in int16,
  which NumPy runs on twice as many values per instruction and per byte of cache as float32. Sums wrap modulo
  2**16, which is exact: every final sum is known to lie in a range of fewer than 65536 whole numbers
  (``Exact.low..Exact.high``), so wrapped partial sums come back. Each sum ``r`` then goes through
  ``run_filter``'s float32 steps as the response ``float32(r) / float32(q)``, or, where a plain integer formula
  gives the same bytes for every possible sum (checked when the job is planned), through that formula
  (``IntegerSink``).

When the exact path runs: ``imgkernel.fullres`` takes it only where ``run_filter``'s own float32 sums are exact
as well (a power-of-two ``q``: whole numbers, 1/16; and ``auto`` picking ``direct`` for the job), so that both
give the same bytes and figures, bit for bit, and the command line writes the picture the app shows. Elsewhere
exact sums and ``run_filter``'s float32 ones (1/9 weights rounded to float32, a rank-1 kernel's SVD factors,
``fft``) can round to different sides of a tie (``x.5``), so those jobs take the float32 route. Measured speed:
``docs/engine.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from . import _tiles
from .mapping import OutOfRange, Scale, Tally, apply_scale, map_rows

# The exact path's int16 sums: at most 65536 distinct values, so a kernel qualifies when 255 times the sum of its
# positive numerators (or of its negative ones) fits; a normalised kernel therefore has a denominator <= 257.
_SPAN = 1 << 16
_MAX_DENOMINATOR = _SPAN // 255
EXACT_MAX_PASSES = 150
"""Int16 passes per output value above which the exact path is not taken. Shift-and-add makes a pass over the
strip per tap (or group of equal weights) where the float32 matrix products and ``fft`` do not, but an int16 pass
costs so little that dense whole-number kernels were still faster exactly at 13x13 (134 passes; measured:
``docs/engine.md``); the 16-bit range allows few denser ones."""
EXACT_STRIP_BYTES = 1 << 20
"""Output bytes per int16 strip (43 rows of a 4000-px RGB photo). Bigger than L2, yet measured faster than smaller
strips: NumPy's cost per call falls faster than the cache misses rise (``docs/engine.md``)."""

Sink = _tiles.StripFn
MakeSink = Callable[[], Sink]


@dataclass(frozen=True)
class Exact:
    """A kernel as whole numbers over a common denominator, and what its sums over a photo can be."""

    weights: np.ndarray  # int64, the kernel times ``denominator``
    denominator: int  # >= 1
    low: int  # smallest and largest possible sum of weights x pixels (the border value included)
    high: int
    factors: tuple[np.ndarray, np.ndarray] | None  # whole-number column and row of a rank-1 kernel

    @property
    def signed(self) -> bool:
        """Whether the sums are read as int16 (else uint16: a positive kernel whose sums pass 32767)."""
        return self.low < 0 or self.high < _SPAN // 2


def exact_kernel(kernel: np.ndarray, border: float | None = None) -> Exact | None:
    """``kernel`` as whole numbers over a common denominator when its sums over uint8 pixels fit 16 bits, else
    ``None``.

    Parameters
    ----------
    kernel : numpy.ndarray
        float64 weights, as the engine correlates them.
    border : float, optional
        The value read outside the photo (``constant`` mode's ``cval``); it must be a whole number, and widens
        the range of the sums when outside 0..255.

    Returns
    -------
    Exact or None
        ``None`` unless every weight is the float64 nearest to ``p / q`` with ``q <= 257`` (whole numbers, 1/16,
        1/9, 1/81 ...), the sums ``sum(weights * pixels)`` span fewer than 65536 whole numbers, and ``border``
        (if any) is a whole number.
    """
    if border is not None and border != math.floor(border):
        return None
    pixel_low, pixel_high = (0, 255) if border is None else (min(0, int(border)), max(255, int(border)))
    fractions = {}
    for w in np.unique(kernel):
        f = Fraction(float(w)).limit_denominator(_MAX_DENOMINATOR)
        if float(f) != w:  # not the double nearest to a small fraction: float32 weights, as for any kernel
            return None
        fractions[float(w)] = f
    denominator = math.lcm(*(f.denominator for f in fractions.values()))
    numerators = {w: int(f * denominator) for w, f in fractions.items()}
    weights = np.vectorize(numerators.__getitem__, otypes=[np.int64])(kernel)
    positive, negative = int(weights[weights > 0].sum()), -int(weights[weights < 0].sum())
    low = positive * pixel_low - negative * pixel_high
    high = positive * pixel_high - negative * pixel_low
    in_int16 = low >= -_SPAN // 2 and high < _SPAN // 2
    in_uint16 = low >= 0 and high < _SPAN
    if not (in_int16 or in_uint16):
        return None
    return Exact(weights, denominator, low, high, _integer_factors(weights))


def _integer_factors(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Whole-number ``(column, row)`` with ``outer(column, row) == weights`` exactly, else ``None``."""
    if not np.any(weights):
        return None
    j = int(np.argmax(np.abs(weights).sum(axis=0)))
    col = weights[:, j] // math.gcd(*(int(v) for v in weights[:, j]))
    i = int(np.argmax(np.abs(col)))
    if col[i] < 0:
        col = -col
    if np.any(weights[i] % col[i]):
        return None
    row = weights[i] // col[i]
    return (col, row) if np.array_equal(np.outer(col, row), weights) else None


def exact_strips(g: _tiles.Geom, exact: Exact, strip_bytes: int | None = None) -> _tiles.Strips:
    """The exact path's int16 strips for geometry ``g``: shift-and-add, or the two 1-D passes of a rank-1 kernel
    when they make fewer passes."""
    direct_passes, separable_passes = exact_passes(g, exact)
    if exact.factors is not None and separable_passes < direct_passes:
        return _tiles.separable_strips(g, exact.factors, strip_bytes or EXACT_STRIP_BYTES, np.int16)
    return _tiles.direct_strips(g, exact.weights, strip_bytes or EXACT_STRIP_BYTES, np.int16)


def exact_passes(g: _tiles.Geom, exact: Exact) -> tuple[float, float]:
    """Passes per output value of shift-and-add and of the rank-1 path (``inf`` without factors), each with its
    strip copy: the cost model of the exact path."""
    taps = [(u, v, w) for (u, v), w in np.ndenumerate(exact.weights)]
    direct = _tiles.count_passes(_tiles.group_taps(taps, np.int16)) + 1.0
    if exact.factors is None:
        return direct, math.inf
    col, row = exact.factors
    nv = _tiles.count_passes(_tiles.group_taps([(u, 0, w) for u, w in enumerate(col)], np.int16)) + 1
    nh = _tiles.count_passes(_tiles.group_taps([(0, v, w) for v, w in enumerate(row)], np.int16))
    return direct, (nv * g.out_h * g.padded_w * g.channels + nh * g.values) / max(1, g.values)


# --------------------------------------------------------------------------------------------------
# sinks: what happens to each strip once computed, on the thread that computed it


def float_sink(
    dst: np.ndarray,
    scale: Scale,
    out_of_range: OutOfRange,
    bounds: tuple[float, float] | None,
    linear: bool,
    tally: Tally,
) -> MakeSink:
    """Sinks that scale a float32 strip in place and map it into ``dst``'s rows: ``run_filter``'s steps exactly
    (``apply_scale(..., in_place=True)`` then ``mapping.map_rows``)."""

    def make() -> Sink:
        def sink(i0: int, i1: int, strip: np.ndarray) -> None:
            map_rows(apply_scale(strip, scale, in_place=True), dst[i0:i1], out_of_range, bounds, linear, tally)

        return sink

    return make


def float_extremes(scale: Scale, tally: Tally) -> MakeSink:
    """Sinks that only record each scaled strip's smallest and largest value (``rescale``'s first pass)."""

    def make() -> Sink:
        def sink(i0: int, i1: int, strip: np.ndarray) -> None:
            tally.extremes(apply_scale(strip, scale, in_place=True))

        return sink

    return make


class IntegerSink:
    """Maps the exact path's int16 strips to 8 bits with ``run_filter``'s float32 steps, or by a formula.

    The response of a sum ``r`` is ``float32(r) / float32(denominator)``, the float32 nearest to the exact
    response (no division for a denominator of 1), then ``apply_scale``: with dyadic weights that is bit for
    bit the float32 sum ``run_filter`` scales, and a response that is exactly ``x.5`` stays so. Every
    possible sum is mapped once when the sink is made (at most 65536 values, through ``mapping.map_rows``
    itself); where the table equals ``clip(r + k, 0, 255)`` (``clip``) or ``min(|r + k|, 255)`` (``abs``)
    for one whole ``k``, strips are mapped by that formula in int16 (a divisor of 1 and an offset such as
    0 or 128: sharpen, emboss, edges), else converted to float32 and mapped as ``run_filter`` maps.
    """

    def __init__(
        self, exact: Exact, scale: Scale, out_of_range: OutOfRange, bounds: tuple[float, float] | None
    ) -> None:
        self.exact, self.scale, self.out_of_range, self.bounds = exact, scale, out_of_range, bounds
        sums = np.arange(exact.low, exact.high + 1)
        self.values = self.value_of(sums)  # the value of every possible sum, as run_filter's float32 has it
        self.offset: int | None = None  # k of the formula, when it gives the table's bytes
        self.inside = (exact.low, exact.high)  # sums whose value rounds into 0..255 (clip mode's count)
        if out_of_range == "rescale":
            return
        mapped = np.empty((len(sums), 1, 1), np.uint8)
        map_rows(self.values.reshape(-1, 1, 1).copy(), mapped, out_of_range, None, False, Tally())
        table = mapped.ravel().astype(np.int64)
        within = (self.values >= -0.5) & (self.values < 255.5)
        kept = sums[within]
        if kept.size and kept[-1] - kept[0] + 1 != kept.size:
            return  # not one run of sums (never, as the steps are monotonic): keep the float32 steps
        self.inside = (int(kept[0]), int(kept[-1])) if kept.size else (exact.high + 1, exact.high)
        clear = (self.values >= 0.5) & (self.values < 254.5)  # neither clipped nor turned by abs
        k = int(np.median(table[clear] - sums[clear])) if clear.any() else int(round(scale.offset))
        if out_of_range == "abs":
            formula = np.minimum(np.abs(sums + k), 255)
        else:
            formula = np.clip(sums + k, 0, 255)
        # int16 must hold r + k (and |r + k|); a uint16 sum takes no k
        fits = exact.low + k > -_SPAN // 2 and exact.high + k < _SPAN // 2 if exact.signed else k == 0
        if fits and np.array_equal(formula, table):
            self.offset = k

    def value_of(self, sums: np.ndarray) -> np.ndarray:
        """The float32 values (after divisor and offset) of whole-number sums, as ``run_filter`` computes them."""
        v = np.asarray(sums).astype(np.float32)
        if self.exact.denominator != 1:
            v /= np.float32(self.exact.denominator)
        return apply_scale(v, self.scale, in_place=True)

    def _sums(self, strip: np.ndarray) -> np.ndarray:
        return strip if self.exact.signed else strip.view(np.uint16)

    def _record(self, lo: int, hi: int, tally: Tally) -> None:
        """The smallest and largest value among sums ``lo..hi`` (the steps may run downhill: a negative divisor)."""
        a, b = (float(self.values[r - self.exact.low]) for r in (lo, hi))
        tally.lows.append(min(a, b))
        tally.highs.append(max(a, b))

    def extremes(self, tally: Tally) -> MakeSink:
        """Sinks that only record each strip's smallest and largest value (``rescale``'s first pass)."""

        def make() -> Sink:
            def sink(i0: int, i1: int, strip: np.ndarray) -> None:
                r = self._sums(strip)
                self._record(int(r.min()), int(r.max()), tally)

            return sink

        return make

    def into(self, dst: np.ndarray, tally: Tally) -> MakeSink:
        """Sinks that map each int16 strip into ``dst``'s rows, recording what ``mapping.map_rows`` records."""

        def make() -> Sink:
            scratch = _Scratch()  # this thread's buffers
            sums_type = np.int16 if self.exact.signed else np.uint16
            zero, top = sums_type(0), sums_type(255)

            def by_formula(i0: int, i1: int, strip: np.ndarray) -> None:
                k = self.offset or 0
                r = self._sums(strip)
                if tally.figures:
                    lo, hi = int(r.min()), int(r.max())
                    self._record(lo, hi, tally)
                    clipping = self.out_of_range == "clip" and (lo < self.inside[0] or hi > self.inside[1])
                if k:
                    np.add(r, r.dtype.type(k), out=r)
                if tally.figures and clipping:
                    tally.clipped.append(_count_outside(r, self.inside[0] + k, self.inside[1] + k, scratch))
                if self.out_of_range == "abs" and self.exact.signed:
                    np.abs(r, out=r)
                np.clip(r, zero, top, out=r)  # scalars of r's dtype: NumPy's clip is 2x slower with Python ints
                np.copyto(dst[i0:i1], r, casting="unsafe")

            def by_steps(i0: int, i1: int, strip: np.ndarray) -> None:
                f = scratch.get("values", strip.shape, np.float32)
                np.copyto(f, self._sums(strip), casting="unsafe")
                if self.exact.denominator != 1:
                    f /= np.float32(self.exact.denominator)
                values = apply_scale(f, self.scale, in_place=True)
                map_rows(values, dst[i0:i1], self.out_of_range, self.bounds, False, tally)

            return by_formula if self.offset is not None else by_steps

        return make


class _Scratch:
    """A thread's named work arrays, made on first use and grown when a strip is bigger."""

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, shape: tuple[int, ...], dtype: npt.DTypeLike) -> np.ndarray:
        n = math.prod(shape)
        a = self._arrays.get(name)
        if a is None or a.dtype != dtype or a.size < n:
            a = self._arrays[name] = np.empty(n, dtype)
        return a[:n].reshape(shape)

    def first_channels(self, n: int, channels: int) -> np.ndarray:
        """``n`` bytes, 1 on every ``channels``-th from the first, else 0 (kept: every strip asks for it)."""
        key = f"first_channels_{channels}"
        mask = self._arrays.get(key)
        if mask is None or mask.size < n:
            mask = self._arrays[key] = np.zeros(n, np.uint8)
            mask[::channels] = 1
        return mask[:n]


def _count_outside(r: np.ndarray, p: int, q: int, scratch: _Scratch) -> int:
    """Pixels of the (n, W, C) int16 or uint16 strip ``r`` with a channel outside ``p..q``.

    One subtraction, wrapping, puts the inside at ``0..q - p`` read as uint16, and one comparison flags the
    values outside. A pixel's channels are neighbours, so OR-ing each flag with the next ``C - 1`` leaves the
    pixel's verdict on its first channel, kept by a mask: contiguous passes only, about twice as fast as
    combining the channels through strided views.
    """
    if p > q:
        return r.shape[0] * r.shape[1]
    u = r
    if p:
        u = scratch.get("shifted", r.shape, r.dtype)
        np.subtract(r, r.dtype.type(p), out=u)
    flags = scratch.get("flags", r.shape, np.bool_).reshape(-1)
    np.greater(u.reshape(-1).view(np.uint16), np.uint16(q - p), out=flags)
    c = r.shape[2]
    if c == 1:
        return int(np.count_nonzero(flags))
    f = flags.view(np.uint8)
    n = f.size - (c - 1)
    pixel = scratch.get("pixel", (n,), np.uint8)
    np.bitwise_or(f[:n], f[1 : n + 1], out=pixel)
    for j in range(2, c):
        np.bitwise_or(pixel, f[j : n + j], out=pixel)
    np.bitwise_and(pixel, scratch.first_channels(n, c), out=pixel)
    return int(np.count_nonzero(pixel))
