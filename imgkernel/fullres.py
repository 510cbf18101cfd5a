"""The full-resolution result in horizontal bands: the very pixels of ``run_filter`` on the whole photo, in a
fraction of its memory.

Why: ``run_filter`` on a 50-megapixel RGB photo holds 600 MB of float32 responses, then a 150 MB 8-bit picture,
then PNG's 150 MB of filtered rows, all at once; three visitors exporting together took a server near 3 GB.
Here each band of output rows (``BAND_BYTES`` of float32 by default) is filtered from just the input rows its
kernel reaches (its halo rows included, each read through the border mode's index map, so ``wrap`` at the top
reads the bottom rows exactly as the whole-photo pass does), scaled, mapped to 8 bits, handed to a streaming PNG
writer and dropped. What remains is the compressed file and one band's working arrays.

Exactness: the engine's ``direct`` and ``separable`` methods compute every output value by the same float32
operations whatever band it falls in, and the 8-bit mapping is elementwise, so bands of any height give the
same bytes. The ``fft`` method's values depend on its tiles: its bands are its rows of tiles, planned for the
whole photo. ``rescale`` and the signed colour map need the whole picture's range (min and max; the largest
magnitude): a first pass filters band by band for those two numbers only, so the filter runs twice for them.
The method is the one ``run_filter`` would pick for the whole photo (or ``method``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from . import _tiles, engine
from .engine import Method
from .errors import KernelError
from .formats.png import PngWriter
from .mapping import OutOfRange, Scale, apply_scale, signed_colormap, to_uint8
from .pipeline import Settings, border_value, output_alpha, prepare, scale_for

DEFAULTS = Settings()
BAND_BYTES = 4 << 20  # float32 responses per band (4 MiB: ~43 rows of an 8160-px-wide RGB photo)


@dataclass(frozen=True)
class _Job:
    """One filter run planned for the whole (prepared) photo, computed band by band."""

    pixels: np.ndarray  # the photo as given; ``gray`` and ``linear`` are applied to the rows each band reads
    gray: bool
    linear: bool
    kernel: np.ndarray  # as the engine correlates it (rotated for true convolution)
    plan: engine.Plan  # the engine's, for the whole photo (its geometry's ``x`` is a stand-in: bands read their rows)
    scale: Scale
    squeeze: bool  # the prepared photo is 2-D (responses (H, W))

    @property
    def shape(self) -> tuple[int, int]:
        return self.plan.geom.out_h, self.plan.geom.out_w

    def bands(self, rows: int | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """``(i0, responses of output rows i0:i0+n)``, top to bottom; ``rows`` per band except for ``fft``."""
        p = self.plan
        g, s = p.geom, p.geom.stride
        if p.method == "fft":
            tile = p.model.tile_max
            (lh, _), _ = _tiles.fft_plan(g, tile)
            need_h, th = (g.out_h - 1) * s + g.span_h, lh - g.span_h + 1
            for t, i0, _i1 in _tiles.fft_bands(g, tile):
                p0, p1 = t * th, min(t * th + lh, need_h)
                x, local = self._rows(g.rmap[p0:p1])
                rmap = np.zeros_like(g.rmap)  # padded rows outside this tile row are never read
                rmap[p0:p1] = local
                yield i0, self._finish(_tiles.fft(g.reading(x, rmap, g.out_h), self.kernel, tile, (t, t + 1)))
            return
        if rows is None:
            rows = max(1, BAND_BYTES // (4 * g.out_w * g.channels))
        for i0 in range(0, g.out_h, rows):
            i1 = min(g.out_h, i0 + rows)
            x, local = self._rows(g.rmap[i0 * s : (i1 - 1) * s + g.span_h])
            band = g.reading(x, local, i1 - i0)
            if p.factors is not None:
                yield i0, self._finish(_tiles.separable(band, p.factors))
            else:
                yield i0, self._finish(engine.run_direct(band, self.kernel, p.model, p.gemm))

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
        return _tiles.as_hwc(prepare(block, Settings(gray=self.gray, linear=self.linear))), local

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
    # A stand-in with the prepared photo's shape and no memory: the geometry needs only shape and dtype. Float
    # photos are checked for NaN band by band instead of all at once.
    standin = np.broadcast_to(np.zeros((), np.uint8 if dtype.kind == "f" else dtype), shape)
    s = settings
    _, ker, cval = engine._validate(standin, ker, s.mode, border_value(s), s.stride, s.dilation, method)
    ker, anchor = engine.turned(ker, s.dilation) if s.true_convolution else (ker, None)  # as engine.convolve
    job_plan = engine.plan(standin, ker, s.mode, cval, s.stride, s.dilation, method, anchor)
    return _Job(img, s.gray and img.ndim == 3, s.linear, ker, job_plan, scale, len(shape) == 2)


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
    per band (default: ``BAND_BYTES`` of float32); the ``fft`` method ignores it and yields its rows of tiles.
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
    return _pictures(_plan(pixels, kernel, settings, method), settings.out_of_range, signed, rows, settings.linear)


def _pictures(
    job: _Job,
    oor: OutOfRange,
    signed: bool,
    rows: int | None,
    linear: bool = False,
    progress: Callable[[float], None] | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    passes = 2 if signed or oor == "rescale" else 1
    done = 0

    def counted(bands: Iterator[tuple[int, np.ndarray]]) -> Iterator[tuple[int, np.ndarray]]:
        nonlocal done
        for i0, band in bands:
            yield i0, band
            done += band.shape[0]
            if progress is not None:
                progress(done / (passes * job.shape[0]))

    bounds: tuple[float, float] | None = None
    limit = 0.0
    if signed:  # signed_colormap's default limit: the largest magnitude of the channel mean
        for _, band in counted(job.bands(rows)):
            limit = max(limit, float(np.max(np.abs(band.mean(axis=2) if band.ndim == 3 else band))))
    elif oor == "rescale":
        lows, highs = zip(*((float(b.min()), float(b.max())) for _, b in counted(job.bands(rows))), strict=True)
        bounds = (min(lows), max(highs))
    for i0, band in counted(job.bands(rows)):
        if signed:
            yield i0, signed_colormap(band, limit=limit)
        else:
            yield i0, to_uint8(band, out_of_range=oor, bounds=bounds, linear=linear).image


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
    samples = (3 if signed else job.plan.geom.channels) + (out_alpha is not None)
    writer = PngWriter(job.shape[1], job.shape[0], samples, level=level)
    for i0, band in _pictures(job, settings.out_of_range, signed, rows, settings.linear, progress):
        writer.add(band, None if out_alpha is None else out_alpha[i0 : i0 + band.shape[0]])
    return writer.finish()
