"""The convolution engine: array in, float32 array out.

Conventions (the same as scipy.ndimage, so its docs apply):

* ``correlate`` slides the kernel as written over the image; this is what setosa.io, GIMP's Convolution
  Matrix, Photoshop's Custom filter, OpenCV's ``filter2D``, the original ``imgkernel`` package and every
  CNN layer compute, although they all call it "convolution".
* ``convolve`` is true convolution: the kernel is rotated 180 degrees about its anchor first
  (identical to ``scipy.ndimage.convolve``, also for even sizes).
* The anchor (the tap that lands on the output pixel) is at ``span // 2`` on each axis of the *dilated*
  kernel, i.e. of the kernel with ``dilation - 1`` zeros inserted between taps, which spans
  ``dilated_span(k, d) = d*(k-1) + 1`` pixels.
* Border modes: ``reflect``, ``mirror``, ``nearest``, ``wrap`` and ``constant`` pad as scipy.ndimage does
  (``imgkernel.borders`` describes them in ``MODE_RULES`` and computes them in ``border_index``); ``valid``
  does not pad: only positions where the whole kernel fits (the original package's behaviour).
* Output size per axis, for image size ``n``, kernel size ``k``, stride ``s`` and dilation ``d``:
  ``ceil(n / s)`` for the padded modes and ``floor((n - d*(k-1) - 1) / s) + 1`` for ``valid``;
  output row ``i`` is the filter response centred on input row ``i * s`` (padded modes) or whose window
  starts at input row ``i * s`` (``valid``).

Methods (all compute in float32 over cache-sized row strips or tiles on 2 threads; see ``_tiles``):

* ``direct``: shift-and-add, one pass per non-zero tap (weights of +-1 cost half);
* ``separable``: rank-1 kernels as a column pass then a row pass (``kh + kw`` taps instead of ``kh * kw``);
* ``fft``: overlap-save over FFT tiles of ~256-320 pixels (float32 transforms, one channel at a time);
* ``auto``: the smallest modelled cost, with constants measured on a 2-core machine. For random
  full-rank square kernels ``direct`` gives way to ``fft`` at k >= 8 on the default photo (0.14 MP RGB),
  k >= 7 at 1 MP and k >= 6 at 12 MP. Rank-1 kernels go ``separable`` at every size up to 31 on the
  default photo, up to k = 19 at 1 MP and 12 MP, and ``fft`` beyond. Stride > 1 favours ``direct`` and
  ``separable``, which compute only the kept positions.
"""

from __future__ import annotations

import math
from typing import Literal, get_args

import numpy as np

from . import _tiles
from .borders import MODES, Mode
from .errors import KernelError
from .numeric import finite

Method = Literal["auto", "direct", "separable", "fft"]
METHODS: tuple[Method, ...] = get_args(Method)

# Relative size of the second singular value under which a kernel counts as rank 1 (separable).
_RANK1_TOL = 1e-6


def dilated_span(size: int, dilation: int) -> int:
    """Pixels covered by ``size`` taps with ``dilation - 1`` gaps between neighbours: ``dilation * (size - 1) + 1``."""
    return dilation * (size - 1) + 1


def output_shape(
    image_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    *,
    mode: Mode = "reflect",
    stride: int = 1,
    dilation: int = 1,
) -> tuple[int, ...]:
    """The shape ``correlate`` returns (channels, if any, are kept)."""
    check_options(mode, stride, dilation)
    out = []
    for n, k in zip(image_shape[:2], kernel_shape, strict=True):
        if mode == "valid":
            span = dilated_span(k, dilation)
            if span > n:
                raise KernelError(
                    f"In 'valid' mode the kernel (spanning {span} pixels with dilation {dilation}) must fit "
                    f"inside the image ({n} pixels); use a padded border mode or a smaller kernel."
                )
            out.append((n - span) // stride + 1)
        else:
            out.append(-(-n // stride))
    return (*out, *image_shape[2:])


def correlate(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    mode: Mode = "reflect",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
    method: Method = "auto",
) -> np.ndarray:
    """Cross-correlate ``image`` (H, W) or (H, W, C) with a 2-D ``kernel``; returns float32.

    Channels are filtered independently. See the module docstring for anchor, border modes and sizes.
    All methods agree to within 1e-4 of the value range; ``auto`` picks the fastest for the sizes.
    """
    img, ker, cval = _validate(image, kernel, mode, cval, stride, dilation, method)
    return _correlate(img, ker, mode, cval, stride, dilation, method, anchor=None)


def convolve(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    mode: Mode = "reflect",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
    method: Method = "auto",
) -> np.ndarray:
    """True convolution: ``correlate`` with the kernel rotated 180 degrees about its anchor.

    Equal to ``scipy.ndimage.convolve`` (also for even sizes); with ``dilation`` it equals scipy's convolve
    with the zero-inserted (dilated) kernel.
    """
    img, ker, cval = _validate(image, kernel, mode, cval, stride, dilation, method)
    flipped = np.ascontiguousarray(ker[::-1, ::-1])
    # the dilated kernel turns about its anchor: the tap at span // 2 lands at span - 1 - span // 2
    span_h, span_w = (dilated_span(k, dilation) for k in ker.shape)
    anchor = (span_h - 1 - span_h // 2, span_w - 1 - span_w // 2)
    return _correlate(img, flipped, mode, cval, stride, dilation, method, anchor=anchor)


def as_2d_kernel(kernel: object) -> np.ndarray:
    """``kernel`` as a float64 2-D array, or a ``KernelError`` when it is not a grid of numbers."""
    try:
        ker = np.asarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise KernelError("The kernel must be a grid of numbers.") from None
    if ker.ndim != 2:
        raise KernelError(f"The kernel must be 2-D (rows x columns); got {ker.ndim} dimension(s).")
    return ker


def is_separable(kernel: np.ndarray) -> bool:
    """True when the kernel is rank 1, i.e. an outer product of a column and a row."""
    return separable_factors(kernel) is not None


def separable_factors(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(column, row)`` with ``outer(column, row) == kernel`` for a rank-1 kernel, else ``None``."""
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0 or not np.any(k):
        return None
    u, s, vt = np.linalg.svd(k)
    if len(s) > 1 and s[1] > _RANK1_TOL * s[0]:
        return None
    root = math.sqrt(s[0])
    col, row = u[:, 0] * root, vt[0] * root
    if col[np.argmax(np.abs(col))] < 0:  # make the factors read naturally (mostly positive)
        col, row = -col, -row
    return col, row


# --------------------------------------------------------------------------------------------------
# validation


def check_options(mode: object, stride: object, dilation: object) -> None:
    """A ``KernelError`` in plain words for a border mode, stride or dilation that no image could take
    (checked once up front by callers that filter many images, e.g. the CLI on a folder)."""
    for name, v in (("stride", stride), ("dilation", dilation)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise KernelError(f"{name} must be a whole number of at least 1 (got {v!r}).")
    if mode not in MODES:
        raise KernelError(f"Unknown border mode {mode!r}; choose one of {', '.join(MODES)}.")


def _validate(
    image: object, kernel: object, mode: Mode, cval: float, stride: int, dilation: int, method: Method
) -> tuple[np.ndarray, np.ndarray, float]:
    """The image and kernel as arrays and ``cval`` as a float, or a ``KernelError`` saying what is wrong."""
    check_options(mode, stride, dilation)
    if method not in METHODS:
        raise KernelError(f"Unknown method {method!r}; choose one of {', '.join(METHODS)}.")
    cval = finite(cval, "cval")
    ker = as_2d_kernel(kernel)
    if ker.size == 0:
        raise KernelError("The kernel is empty; it needs at least one row and one column.")
    if not np.all(np.isfinite(ker)):
        raise KernelError("The kernel contains a value that is not a finite number (NaN or infinity).")

    img = np.asarray(image)
    if img.ndim not in (2, 3):
        raise KernelError(f"The image must be 2-D (H, W) or 3-D (H, W, C); got {img.ndim} dimension(s).")
    if img.size == 0:
        raise KernelError("The image is empty.")
    if img.dtype.kind not in "uif" and img.dtype != np.bool_:
        raise KernelError(f"The image must hold real numbers, not {img.dtype}.")
    if img.dtype.kind == "f" and not np.all(np.isfinite(img)):
        raise KernelError("The image contains a value that is not a finite number (NaN or infinity).")
    output_shape(img.shape, ker.shape, mode=mode, stride=stride, dilation=dilation)
    return img, ker, cval


# --------------------------------------------------------------------------------------------------
# the computation: row strips (or tiles) of the output, each padded on the fly into a small float32
# buffer that stays in cache, spread over a small thread pool (NumPy ufuncs and FFTs release the GIL).


def _geometry(
    img: np.ndarray,
    kernel_shape: tuple[int, ...],
    mode: Mode,
    cval: float,
    stride: int,
    dilation: int,
    anchor: tuple[int, int] | None,
) -> _tiles.Geom:
    """Where the output's pixels come from: padding, output size, stride and the dilated kernel's span."""
    kh, kw = kernel_shape[:2]
    span_h, span_w = dilated_span(kh, dilation), dilated_span(kw, dilation)
    if anchor is None:
        anchor = (span_h // 2, span_w // 2)
    x = img[:, :, None] if img.ndim == 2 else img
    if x.dtype == np.bool_:
        x = x.view(np.uint8)
    out_h, out_w = output_shape(x.shape[:2], (kh, kw), mode=mode, stride=stride, dilation=dilation)[:2]
    if mode == "valid":
        pads = ((0, 0), (0, 0))
    else:
        pads = ((anchor[0], span_h - 1 - anchor[0]), (anchor[1], span_w - 1 - anchor[1]))
    return _tiles.Geom(x, mode, pads, np.float32(cval), out_h, out_w, stride, dilation, span_h, span_w)


def auto_method(
    image: np.ndarray, kernel: np.ndarray, *, mode: Mode = "reflect", stride: int = 1, dilation: int = 1
) -> Method:
    """The method ``method="auto"`` picks for this image and kernel (the cost model's choice; for benchmarks
    and for people who want to know why a call is as fast as it is)."""
    img, ker, cval = _validate(image, kernel, mode, 0.0, stride, dilation, "auto")
    return _choose_method(ker, _geometry(img, ker.shape, mode, cval, stride, dilation, None))


def _correlate(
    img: np.ndarray,
    ker: np.ndarray,
    mode: Mode,
    cval: float,
    stride: int,
    dilation: int,
    method: Method,
    anchor: tuple[int, int] | None,
) -> np.ndarray:
    squeeze = img.ndim == 2
    geom = _geometry(img, ker.shape, mode, cval, stride, dilation, anchor)
    if method == "auto":
        method = _choose_method(ker, geom)
    if method == "separable":
        factors = separable_factors(ker)
        if factors is None:
            raise KernelError("method='separable' needs a rank-1 kernel (an outer product of a column and a row).")
        out = _tiles.separable(geom, factors)
    elif method == "fft":
        out = _tiles.fft(geom, ker)
    else:
        out = _tiles.direct(geom, ker)
    return out[:, :, 0] if squeeze else out


# Cost model of ``auto``, fitted to timings on the target machine (2 cores, NumPy 2.4; `python -m bench.speed`
# prints them): nanoseconds per unit of work with both threads busy.
_NS_PER_PASS = 0.08  # one in-cache ufunc pass over one output value (multiply, add, or the strip copy)
_NS_PER_FFT_UNIT = 0.30  # one n*log2(n) step of a tile's forward + inverse transform and product
_FFT_FIXED_NS = 1.5e6  # kernel transform, thread start-up and plan set-up of the FFT path


def _cost_ns(method: str, ker: np.ndarray, g: _tiles.Geom) -> float:
    """Modelled run time of one method (``inf`` when it does not apply)."""
    if method == "direct":
        return _NS_PER_PASS * g.values * (_tiles.count_passes(_tiles.group_taps(_taps(ker))) + 1)
    if method == "separable":
        factors = separable_factors(ker)
        if factors is None:
            return math.inf
        nv, nh = (_tiles.count_passes(_tiles.group_taps(_taps(f[:, None]))) for f in factors)
        return _NS_PER_PASS * (g.out_h * g.padded_w * g.channels * (nv + 1) + g.values * nh)
    (lh, lw), (rows, cols) = _tiles.fft_plan(g)
    units = rows * cols * g.channels * (lh * lw * math.log2(lh * lw) + _tiles.TILE_OVERHEAD)
    return _FFT_FIXED_NS + _NS_PER_FFT_UNIT * units


def _taps(ker: np.ndarray) -> list[tuple[int, int, float]]:
    return [(u, v, w) for (u, v), w in np.ndenumerate(ker)]


def _choose_method(ker: np.ndarray, g: _tiles.Geom) -> Method:
    """The method with the smallest modelled cost (see the module docstring for the crossovers)."""
    return min(("direct", "separable", "fft"), key=lambda m: _cost_ns(m, ker, g))
