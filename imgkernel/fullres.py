"""The 8-bit picture without ``run_filter``'s whole float32 result: band by band for exports, or whole
(``filter_uint8``) for the command line and batches.

Why: ``run_filter`` on a 50-megapixel RGB photo holds 600 MB of float32 responses, then a 150 MB 8-bit picture,
then PNG's 150 MB of filtered rows, all at once; three visitors exporting together took a server near 3 GB.
Here each band of output rows (``BAND_BYTES`` of float32 by default) is filtered from just the input rows its
kernel reaches (its halo rows included, each read through the border mode's index map, so ``wrap`` at the top
reads the bottom rows exactly as the whole-photo pass does), and each strip of the band is scaled and mapped to
8 bits by the thread that computed it, while it is in cache (``imgkernel.fused``), straight into the band's
uint8 rows, which go to a streaming PNG writer and are dropped. What remains is the compressed file and one
band's working arrays. ``filter_uint8`` does the same over the whole photo at once (in bands only where the
pixels must first be decoded to linear light), into one uint8 result.

Exactness: the engine's ``direct`` and ``separable`` methods compute every output value by the same float32
operations whatever band or strip it falls in, and the 8-bit mapping is elementwise, so bands of any height give
the same bytes as ``run_filter``. The ``fft`` method's values depend on its tiles: its bands are its rows of
tiles, planned for the whole photo. With ``method="auto"``, a uint8 photo and a whole-number (or dyadic) kernel
that ``run_filter`` sums exactly with its ``direct`` method take the exact int16 path instead
(``imgkernel.fused``), the same arithmetic in fewer bytes: the same bytes again. ``rescale`` and the signed
colour map need the whole picture's range (min and max; the largest magnitude): a first pass filters band by
band for those two numbers only, so the filter runs twice for them. The method is the one ``run_filter`` would
pick for the whole photo (or ``method``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import _tiles, engine, fused
from .engine import Method
from .errors import KernelError
from .formats.png import PngWriter
from .mapping import OUT_OF_RANGE, Mapped, OutOfRange, Scale, Tally, apply_scale, signed_colormap
from .pipeline import Settings, border_value, output_alpha, prepare, scale_for

DEFAULTS = Settings()
BAND_BYTES = 4 << 20  # float32 responses per band (4 MiB: ~43 rows of an 8160-px-wide RGB photo)

Region = tuple[int, int, Callable[[fused.MakeSink], None]]  # output rows i0:i1 and how to compute them into sinks


@dataclass
class _Job:
    """One filter run planned for the whole (prepared) photo, computed band by band."""

    pixels: np.ndarray  # the photo as given; ``gray`` and ``linear`` are applied to the rows each band reads
    settings: Settings
    kernel: np.ndarray  # as the engine correlates it (rotated for true convolution)
    anchor: tuple[int, int] | None  # the turned kernel's anchor (true convolution)
    cval: float  # the border value as the filter sees it
    method: Method  # as asked for
    standin: np.ndarray  # no memory: the prepared photo's shape and dtype, for planning
    geom: _tiles.Geom  # the whole photo's geometry (its ``x`` is the stand-in: bands read their own rows)
    scale: Scale
    squeeze: bool  # the prepared photo is 2-D (responses (H, W))
    exact: fused.Exact | None  # the exact integer path, when ``auto`` takes it

    @property
    def gray(self) -> bool:
        return self.settings.gray and self.pixels.ndim == 3

    @property
    def shape(self) -> tuple[int, int]:
        return self.geom.out_h, self.geom.out_w

    @cached_property
    def plan(self) -> engine.Plan:
        """The engine's float32 plan for the whole photo (made on first use: a big job's first plan calibrates)."""
        s = self.settings
        return engine.plan(self.standin, self.kernel, s.mode, self.cval, s.stride, s.dilation, self.method, self.anchor)

    def bands(self, rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(i0, responses of output rows i0:i0+n)``, top to bottom; ``rows`` per band except for ``fft``."""
        p = self.plan
        g, s = p.geom, p.geom.stride
        if p.method == "fft":
            tile = p.model.tile_max
            for t, i0, _i1, p0, p1 in self._tile_rows(tile):
                x, local = self._rows(g.rmap[p0:p1])
                rmap = np.zeros_like(g.rmap)  # padded rows outside this tile row are never read
                rmap[p0:p1] = local
                yield i0, self._finish(_tiles.fft(g.reading(x, rmap, g.out_h), self.kernel, tile, (t, t + 1)))
            return
        for i0, i1 in self._row_bands(rows, p.gemm):
            x, local = self._rows(g.rmap[i0 * s : (i1 - 1) * s + g.span_h])
            band = g.reading(x, local, i1 - i0)
            if p.factors is not None:
                yield i0, self._finish(_tiles.separable(band, p.factors, gemm=p.gemm))
            else:
                yield i0, self._finish(engine.run_direct(band, self.kernel, p.model, p.gemm))

    def regions(self, rows: int | None = None) -> Iterator[Region]:
        """The bands as ``(i0, i1, run)``: ``run(make_sink)`` computes output rows ``i0:i1`` strip by strip and hands
        each strip (rows numbered from ``i0``, float32 or the exact path's int16) to a sink on its thread."""
        g, s = self.geom, self.geom.stride
        if self.exact is None and self.plan.method == "fft":
            tile = self.plan.model.tile_max
            for t, i0, i1, p0, p1 in self._tile_rows(tile):
                yield i0, i1, self._fft_run(t, p0, p1, tile)
            return
        for i0, i1 in self._row_bands(rows, self.exact is None and self.plan.gemm):
            yield i0, i1, self._strips_run(g.rmap[i0 * s : (i1 - 1) * s + g.span_h], i1 - i0)

    def _row_bands(self, rows: int | None, gemm: bool) -> Iterator[tuple[int, int]]:
        """Bands of ``rows`` output rows; with matrix products (``gemm``), rounded up to whole groups of
        ``_tiles.GEMM_ROWS`` so every band starts where the whole photo's run starts a group. A row's place in its
        group sets which of the product's inputs its taps are, and BLAS kernels may sum those in partial sums
        (OpenBLAS's Haswell ones do; its AVX-512 ones happened not to): the same place, the same bits."""
        g = self.geom
        if rows is None:
            rows = max(1, BAND_BYTES // (4 * g.out_w * g.channels))
        if gemm:
            rows = -(-rows // _tiles.GEMM_ROWS) * _tiles.GEMM_ROWS
        for i0 in range(0, g.out_h, rows):
            yield i0, min(g.out_h, i0 + rows)

    def _tile_rows(self, tile: int | None) -> Iterator[tuple[int, int, int, int, int]]:
        """``(tile row, output rows i0, i1 it keeps, padded rows p0, p1 it reads)`` of the ``fft`` plan."""
        g = self.geom
        (lh, _), _ = _tiles.fft_plan(g, tile)
        need_h, th = (g.out_h - 1) * g.stride + g.span_h, lh - g.span_h + 1
        for t, i0, i1 in _tiles.fft_bands(g, tile):
            yield t, i0, i1, t * th, min(t * th + lh, need_h)

    def _fft_run(self, t: int, p0: int, p1: int, tile: int | None) -> Callable[[fused.MakeSink], None]:
        """A row of ``fft`` tiles, then its rows mapped in cache-sized strips on the engine's threads."""

        def run(make_sink: fused.MakeSink) -> None:
            g = self.geom
            x, local = self._rows(g.rmap[p0:p1])
            rmap = np.zeros_like(g.rmap)  # padded rows outside this tile row are never read
            rmap[p0:p1] = local
            band = _tiles.fft(g.reading(x, rmap, g.out_h), self.kernel, tile, (t, t + 1))
            n, rows = band.shape[0], _tiles.strip_rows(g, g.out_w)

            def make_worker() -> Callable[[int], None]:
                sink = make_sink()
                return lambda i: sink(i * rows, min(n, (i + 1) * rows), band[i * rows : (i + 1) * rows])

            _tiles.for_each(-(-n // rows), make_worker, band.size >= _tiles.PARALLEL_MIN_VALUES)

        return run

    def _strips_run(self, rmap: np.ndarray, n_rows: int) -> Callable[[fused.MakeSink], None]:
        """A band of ``n_rows`` output rows reading padded rows ``rmap``, strip by strip into sinks."""

        def run(make_sink: fused.MakeSink) -> None:
            x, local = self._rows(rmap)
            band = self.geom.reading(x, local, n_rows)
            if self.exact is not None:
                _tiles.stream(band, fused.exact_strips(band, self.exact), make_sink)
                return
            p = self.plan
            if p.factors is not None and p.gemm:
                with _tiles.one_blas_thread():
                    strips = _tiles.separable_strips(band, p.factors, p.model.strip_bytes, gemm=True)
                    _tiles.stream(band, strips, make_sink)
            elif p.factors is not None:
                _tiles.stream(band, _tiles.separable_strips(band, p.factors, p.model.strip_bytes), make_sink)
            elif p.gemm:
                with _tiles.one_blas_thread():
                    _tiles.stream(band, _tiles.gemm_strips(band, self.kernel, p.model.strip_bytes), make_sink)
            else:
                _tiles.stream(band, _tiles.direct_strips(band, self.kernel, p.model.strip_bytes), make_sink)

        return run

    def _rows(self, rmap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The source rows a band reads (prepared, as (n, W, C)) and ``rmap`` renumbered into them."""
        src = rmap[rmap >= 0]  # padded modes always read at least the band's own rows
        lo, hi = int(src.min()), int(src.max()) + 1
        if hi - lo <= 2 * len(rmap):  # inside, or mirrored at an edge: one run of rows, a view
            block, local = self.pixels[lo:hi], np.where(rmap >= 0, rmap - lo, -1)
        else:  # wrap reads the other end of the photo too: just the rows used
            used = np.unique(src)
            block, local = self.pixels[used], np.where(rmap >= 0, np.searchsorted(used, rmap), -1)
        if block.dtype.kind == "f" and not np.all(np.isfinite(block)):
            raise KernelError(code="image_not_finite")
        return _tiles.as_hwc(prepare(block, Settings(gray=self.gray, linear=self.settings.linear))), local

    def _finish(self, raw: np.ndarray) -> np.ndarray:
        return apply_scale(raw[:, :, 0] if self.squeeze else raw, self.scale, in_place=True)


def _plan(pixels: np.ndarray, kernel: np.ndarray, settings: Settings, method: Method) -> _Job:
    """Check everything ``run_filter`` checks (same ``KernelError``s) and plan the run for the whole photo."""
    img = np.asarray(pixels)
    ker = np.asarray(kernel, dtype=np.float64)
    scale = scale_for(ker, settings)
    if img.ndim not in (2, 3):
        raise KernelError("image_not_2d", ndim=img.ndim)
    shape = img.shape[:2] if settings.gray and img.ndim == 3 else img.shape
    dtype = np.dtype(np.uint8) if settings.gray and img.ndim == 3 else img.dtype
    dtype = np.dtype(np.float32) if settings.linear else dtype
    # A stand-in with the prepared photo's shape and no memory: the geometry needs only shape and dtype. Float
    # photos are checked for NaN band by band instead of all at once.
    standin = np.broadcast_to(np.zeros((), np.uint8 if dtype.kind == "f" else dtype), shape)
    s = settings
    _, ker, cval = engine._validate(standin, ker, s.mode, border_value(s), s.stride, s.dilation, method)
    ker, anchor = engine.turned(ker, s.dilation) if s.true_convolution else (ker, None)  # as engine.convolve
    geom = engine._geometry(standin, ker.shape, s.mode, cval, s.stride, s.dilation, anchor)
    job = _Job(img, s, ker, anchor, cval, method, standin, geom, scale, len(shape) == 2, None)
    if method == "auto" and dtype in (np.uint8, np.bool_):
        exact = fused.exact_kernel(ker, cval if s.mode == "constant" else None)
        # Only where run_filter's own float32 sums are exact too (dyadic weights, its ``direct`` method): the
        # exact path is then the same arithmetic, so the command line writes run_filter's very picture.
        if (
            exact is not None
            and exact.denominator & (exact.denominator - 1) == 0
            and min(fused.exact_passes(geom, exact)) <= fused.EXACT_MAX_PASSES
            and job.plan.method == "direct"
        ):
            job.exact = exact
    return job


def response_bands(
    pixels: np.ndarray,
    kernel: np.ndarray,
    settings: Settings = DEFAULTS,
    *,
    rows: int | None = None,
    method: Method = "auto",
) -> Iterator[tuple[int, np.ndarray]]:
    """The responses after divisor and offset (float32), band by band: ``(first output row, band)``.

    Stacked, the bands are ``run_filter(pixels, kernel, settings).values`` bit for bit. ``rows``: output rows
    per band (default: ``BAND_BYTES`` of float32; rounded up to whole groups of ``_tiles.GEMM_ROWS`` where the plan
    runs matrix products); the ``fft`` method ignores it and yields its rows of tiles.
    Raises ``KernelError`` before the first band for settings ``run_filter`` refuses.
    """
    return _plan(pixels, kernel, settings, method).bands(rows)


def picture_bands(
    pixels: np.ndarray,
    kernel: np.ndarray,
    settings: Settings = DEFAULTS,
    *,
    signed: bool = False,
    rows: int | None = None,
    method: Method = "auto",
) -> Iterator[tuple[int, np.ndarray]]:
    """The 8-bit picture band by band, ``(first output row, uint8 band)``: stacked, ``run_filter(...).mapped.image``
    (by ``settings.out_of_range``), or ``signed_colormap(values)`` when ``signed``, byte for byte.

    ``rescale`` and ``signed`` filter the photo twice: first for the range, then for the picture.
    """
    return _pictures(_plan(pixels, kernel, settings, method), settings.out_of_range, signed, rows)


def filter_uint8(
    pixels: np.ndarray,
    kernel: np.ndarray,
    settings: Settings = DEFAULTS,
    *,
    method: Method = "auto",
    figures: bool = True,
) -> Mapped:
    """``run_filter``'s 8-bit picture without its float32 responses: for callers that keep only the picture.

    Each strip of output rows is filtered and mapped to uint8 on the thread that computed it, while in cache
    (``imgkernel.fused``), so no whole-image float32 result is made: the command line, batches and exports use
    it. A uint8 photo with a whole-number or dyadic kernel that ``run_filter`` sums exactly (sharpen, emboss,
    outline, Laplacians: its ``direct`` method) is summed in int16, the same sums in half the bytes; any other
    job runs the engine's float32 methods, as ``run_filter`` does.

    Parameters
    ----------
    pixels, kernel, settings
        As for ``run_filter``.
    method : {"auto", "direct", "separable", "fft"}, default "auto"
        The engine's method; ``auto`` may take the exact integer path. Another method runs as ``run_filter``'s
        float32 path would with it.
    figures : bool, default True
        Find what the mapping did (low, high, clipped pixels), as ``run_filter`` does. False maps only: the
        picture is the same, ``low`` and ``high`` are NaN (but for ``rescale``) and no pixel is counted as
        clipped. What the command line and exports do: the figures take a third of a 3x3 filter's time
        (``docs/engine.md``).

    Returns
    -------
    Mapped
        What ``run_filter(pixels, kernel, settings).mapped`` holds (image, low, high, clipped pixels), bit for bit.
        ``rescale`` filters the photo twice (first for its range); memory: the result and a strip per thread
        (``linear``: one band's decoded rows too).

    Raises
    ------
    KernelError
        As ``run_filter``.
    """
    job = _plan(pixels, kernel, settings, method)
    (h, w), c = job.shape, job.geom.channels
    image = np.empty((h, w, c), np.uint8)
    tally = Tally(figures)
    rows = None if settings.linear else max(1, h)  # one band (strips over the whole photo) unless decoding
    for _ in _pictures(job, settings.out_of_range, False, rows, dst=image, tally=tally):
        pass
    return tally.mapped(image[:, :, 0] if job.squeeze else image, h * w)


def _pictures(
    job: _Job,
    oor: OutOfRange,
    signed: bool,
    rows: int | None,
    progress: Callable[[float], None] | None = None,
    *,
    dst: np.ndarray | None = None,
    tally: Tally | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """The picture band by band (into ``dst``'s rows when given), recording into ``tally``."""
    if oor not in OUT_OF_RANGE:
        raise KernelError("mapping_unknown_out_of_range", value=oor, choices=", ".join(OUT_OF_RANGE))
    if signed:
        yield from _signed(job, rows, progress)
        return
    passes = 2 if oor == "rescale" else 1
    done = 0
    tally = Tally(figures=False) if tally is None else tally  # bands are pictures only

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done / (passes * job.shape[0]))

    integer = job.exact
    bounds: tuple[float, float] | None = None
    if oor == "rescale":  # the first pass: the whole picture's range
        for i0, i1, run in job.regions(rows):
            if integer is not None:
                run(fused.IntegerSink(integer, job.scale, oor, None).extremes(tally))
            else:
                run(fused.float_extremes(job.scale, tally))
            advance(i1 - i0)
        bounds = tally.bounds()
    sinks = None if integer is None else fused.IntegerSink(integer, job.scale, oor, bounds)
    w, c = job.shape[1], job.geom.channels
    for i0, i1, run in job.regions(rows):
        out = np.empty((i1 - i0, w, c), np.uint8) if dst is None else dst[i0:i1]
        if sinks is not None:
            run(sinks.into(out, tally))
        else:
            run(fused.float_sink(out, job.scale, oor, bounds, job.settings.linear, tally))
        advance(i1 - i0)
        yield i0, out[:, :, 0] if job.squeeze else out


def _signed(job: _Job, rows: int | None, progress: Callable[[float], None] | None) -> Iterator[tuple[int, np.ndarray]]:
    """``signed_colormap`` of the responses band by band: a pass for the largest magnitude, then the colours."""
    done = 0

    def counted(bands: Iterator[tuple[int, np.ndarray]]) -> Iterator[tuple[int, np.ndarray]]:
        nonlocal done
        for i0, band in bands:
            yield i0, band
            done += band.shape[0]
            if progress is not None:
                progress(done / (2 * job.shape[0]))

    limit = 0.0  # signed_colormap's default limit: the largest magnitude of the channel mean
    for _, band in counted(job.bands(rows)):
        limit = max(limit, float(np.max(np.abs(band.mean(axis=2) if band.ndim == 3 else band))))
    for i0, band in counted(job.bands(rows)):
        yield i0, signed_colormap(band, limit=limit)


def filtered_png(
    pixels: np.ndarray,
    kernel: np.ndarray,
    settings: Settings = DEFAULTS,
    *,
    alpha: np.ndarray | None = None,
    signed: bool = False,
    rows: int | None = None,
    level: int = 1,
    method: Method = "auto",
    progress: Callable[[float], None] | None = None,
) -> bytes:
    """The full-resolution result as PNG, written band by band: it decodes to the pixels of ``picture_bands``
    (``run_filter``'s 8-bit picture), with ``alpha`` (the photo's, (H, W)) cropped and strided like the result
    (``pipeline.output_alpha``) when given. Extra memory: the PNG itself plus one band's arrays.

    ``progress(fraction)`` is called after every band with the share of the work done (0 to 1); an exception
    it raises stops the work (the app's rerun does so when the visitor changes something meanwhile).
    """
    job = _plan(pixels, kernel, settings, method)
    out_alpha = None if alpha is None else output_alpha(alpha, np.shape(kernel), settings)
    samples = (3 if signed else job.geom.channels) + (out_alpha is not None)
    writer = PngWriter(job.shape[1], job.shape[0], samples, level=level)
    for i0, band in _pictures(job, settings.out_of_range, signed, rows, progress):
        writer.add(band, None if out_alpha is None else out_alpha[i0 : i0 + band.shape[0]])
    return writer.finish()
