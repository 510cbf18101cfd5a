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

Methods (all compute in float32 over cache-sized row strips or tiles, on up to ``_tiles.WORKERS`` threads: the
CPUs this process may use, capped by ``IMGKERNEL_THREADS`` for the process and by ``threads(n)`` per call):

* ``direct``: the taps summed as written, one of two ways: shift-and-add, one pass per non-zero tap (weights of
  +-1 cost half; the only way for stride > 1), or, at stride 1, small matrix products (``_tiles.direct_gemm``:
  a band matrix per kernel column times the strip's rows, in BLAS with one BLAS thread per engine thread), which
  keep the multiply-adds in registers instead of making one pass over memory per tap. The model picks the
  cheaper (sparse kernels such as sharpen, and 3x3 on small photos, keep shift-and-add);
* ``separable``: rank-1 kernels as a column pass then a row pass (``kh + kw`` taps instead of ``kh * kw``); at
  stride 1 the column pass runs as band-matrix products where the model finds it cheaper (from 5-tap columns:
  ``_tiles.separable_strips``), the row pass always by shift-and-add;
* ``fft``: overlap-save over FFT tiles of a few hundred pixels (float32 transforms, one channel at a time);
* ``auto``: the smallest modelled cost. Cost = ns per unit x units: shift-and-add counts one unit per output
  value per ufunc pass, ``separable`` the same over its two 1-D passes (or its column pass as one kernel column
  of the matrix products), the matrix products one unit per
  multiply-add plus a fixed share per kernel column and NumPy's cost per call, ``fft`` one unit per n*log2(n)
  step of each tile's transforms plus a fixed cost per tile and per call.

How ``auto`` decides, and why so. Small jobs (under ``CALIBRATE_MIN_VALUES`` output values, ~1.4 MP RGB: the
app's default photo and its previews) use fixed reference constants, so the first screen never waits and picks
the same method on every machine. The first bigger job in a process (the CLI, full-resolution exports) first runs
``calibration()``: shift-and-add, the matrix products and ``fft`` timed through the real code on small synthetic
images, once per process, which yields this machine's ns per unit and its best strip and FFT tile sizes. Machines
differ where it matters here (cache sizes, OpenBLAS's kernels, memory bandwidth, two cores or one core's two
hyperthreads), so the crossovers move with the machine. ``IMGKERNEL_CALIBRATE=0`` keeps the reference constants
(reproducible choices). The choice never changes the values beyond float32 rounding: every method matches
scipy.ndimage within 1e-4 of the value range, and the thread count changes no bit.

The measured crossovers, the constants' provenance, the machines and what AVX-512 does and does not change are in
``docs/engine.md``.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Literal, get_args

import numpy as np

from . import _tiles
from .borders import MODES, Mode
from .errors import KernelError
from .messages import Message
from .numeric import finite

Method = Literal["auto", "direct", "separable", "fft"]
METHODS: tuple[Method, ...] = get_args(Method)

# Relative size of the second singular value under which a kernel counts as rank 1 (separable).
_RANK1_TOL = 1e-6


def dilated_span(size: int, dilation: int) -> int:
    """Pixels a row (or column) of taps covers once ``dilation`` spreads it out: what sizes borders and outputs.

    Parameters
    ----------
    size : int
        Taps along the axis (the kernel's height or width), at least 1.
    dilation : int
        Spacing of the taps, at least 1: ``dilation - 1`` pixels are skipped between neighbours.

    Returns
    -------
    int
        ``dilation * (size - 1) + 1``; the anchor sits at ``span // 2``.
    """
    return dilation * (size - 1) + 1


def output_shape(
    image_shape: tuple[int, ...],
    kernel_shape: tuple[int, ...],
    *,
    mode: Mode = "reflect",
    stride: int = 1,
    dilation: int = 1,
) -> tuple[int, ...]:
    """The shape ``correlate`` and ``convolve`` return, without filtering anything (to size buffers and previews).

    Parameters
    ----------
    image_shape : tuple of int
        ``(H, W)`` or ``(H, W, C)``; only ``H`` and ``W`` change.
    kernel_shape : tuple of int
        ``(kh, kw)``.
    mode, stride, dilation
        As for ``correlate``.

    Returns
    -------
    tuple of int
        Per axis, for image side ``n`` and kernel side ``k``: ``ceil(n / stride)`` for the padded modes,
        ``(n - dilated_span(k, dilation)) // stride + 1`` for ``valid``; channels kept.

    Raises
    ------
    KernelError
        An unknown ``mode``; a ``stride`` or ``dilation`` that is not a whole number >= 1; ``valid`` with a
        dilated kernel longer than the image on either axis.
    """
    check_options(mode, stride, dilation)
    out = []
    for n, k in zip(image_shape[:2], kernel_shape, strict=True):
        if mode == "valid":
            span = dilated_span(k, dilation)
            if span > n:
                raise KernelError(
                    "engine_valid_too_small",
                    span=Message("pixel_count_plain", n=span),
                    dilation=dilation,
                    size=Message("pixel_count_plain", n=n),
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
    """Filter an image by sliding the kernel over it as written (what most tools call "convolution").

    Each output value is the sum of the kernel's weights times the pixels under them, the kernel's anchor (its
    tap at ``span // 2`` per axis) on the output's pixel; channels are filtered independently. This is what
    setosa.io, GIMP, OpenCV's ``filter2D`` and CNN layers compute and equals ``scipy.ndimage.correlate``;
    ``convolve`` turns the kernel first. Every method gives the same values to within float32 rounding (at most
    1e-4 of the value range, checked against scipy), whichever ``method`` and however many threads run it.

    Parameters
    ----------
    image : array_like, shape (H, W) or (H, W, C)
        Real pixels of any dtype (uint8, integers, floats, bool), read as they are: no rescaling, so uint8 stays
        0..255. Must be finite and not empty.
    kernel : array_like, shape (kh, kw)
        Finite weights, any size; on an even side the anchor (``span // 2``) is the later of the two middle
        taps. Read as float64, applied in float32.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}, default "reflect"
        What the kernel reads beyond the edge, by scipy.ndimage's names; for a row ``a b c d``:
        ``reflect`` ``d c b a | a b c d | d c b a``; ``mirror`` ``d c b | a b c d | c b a``; ``nearest``
        ``a a a | a b c d | d d d``; ``wrap`` ``a b c d | a b c d | a b c d``; ``constant`` ``cval`` outside.
        ``valid`` reads nothing outside: only positions where the whole kernel fits are computed, so the output
        is smaller (the original ``imgkernel`` package's behaviour).
    cval : float, default 0.0
        The value read outside the image in ``constant`` mode, in the image's units; ignored otherwise.
    stride : int, default 1
        Step between computed positions, at least 1: output ``(i, j)`` is centred on input
        ``(i * stride, j * stride)`` (in ``valid`` mode: its window starts there).
    dilation : int, default 1
        Spacing of the taps, at least 1: ``dilation - 1`` pixels are skipped between neighbouring taps, so a
        ``k``-tap axis spans ``dilated_span(k, dilation)`` pixels.
    method : {"auto", "direct", "separable", "fft"}, default "auto"
        How to compute: ``auto`` picks the cheapest by a cost model (``auto_method`` says which);
        ``separable`` needs a rank-1 kernel (``is_separable``). Only the speed differs.

    Returns
    -------
    numpy.ndarray
        float32, shape ``output_shape(image.shape, kernel.shape, mode=..., stride=..., dilation=...)``:
        ``(H', W')`` or ``(H', W', C)``. Raw responses in the image's units, not clipped or scaled
        (``imgkernel.mapping`` turns them into an 8-bit picture). A new array; the image is not changed.

    Raises
    ------
    KernelError
        The kernel is not a 2-D grid of finite numbers, or is empty; the image is not 2-D or 3-D, is empty,
        holds non-real values (complex, text, objects) or NaN/infinity; ``mode`` or ``method`` is unknown;
        ``stride`` or ``dilation`` is not a whole number >= 1; ``cval`` is not a finite number; ``valid`` with a
        dilated kernel longer than the image; ``method="separable"`` with a kernel that is not rank 1.

    See Also
    --------
    convolve, output_shape, auto_method, threads
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
    """True convolution, as in the maths books: ``correlate`` with the kernel rotated 180 degrees about its anchor.

    Equal to ``scipy.ndimage.convolve``, also for even sizes (the dilated kernel turns about its anchor, so the
    tap at ``span // 2`` lands at ``span - 1 - span // 2``); with ``dilation`` it equals scipy's convolve with the
    zero-inserted (dilated) kernel. For odd-sized kernels that a half turn leaves unchanged (blurs, Laplacians)
    it equals ``correlate``.

    Parameters
    ----------
    image, kernel, mode, cval, stride, dilation, method
        As for ``correlate``.

    Returns
    -------
    numpy.ndarray
        float32, the same shape as ``correlate`` returns.

    Raises
    ------
    KernelError
        As ``correlate``.
    """
    img, ker, cval = _validate(image, kernel, mode, cval, stride, dilation, method)
    flipped, anchor = turned(ker, dilation)
    return _correlate(img, flipped, mode, cval, stride, dilation, method, anchor=anchor)


def threads(n: int | np.integer) -> contextlib.AbstractContextManager[None]:
    """Use at most ``n`` threads per engine call inside a ``with`` block, for this context only: a server's cap.

    A server sets it around each request (a Streamlit page run, a web handler) so one visitor's big photo cannot
    take every core from the others; ``IMGKERNEL_THREADS`` caps the whole process instead. The cap lives in a
    ``contextvars.ContextVar``: it holds for the calling thread (or asyncio task) and no other, so concurrent
    requests each keep their own. Threads started inside the block do not inherit it (run them through
    ``contextvars.copy_context()`` to pass it on). Caps nest: inside another cap the smaller holds, so code a
    capped server runs cannot lift its cap; leaving the block restores the one before. Every engine call is
    covered (``correlate``, ``convolve``, ``run_filter``, the mapping to 8 bits); results are identical whatever
    the cap, only the time changes.

    Parameters
    ----------
    n : int
        Threads one call may use, the calling thread included, at least 1. More than the process's own count
        (the CPUs it may use, at most ``IMGKERNEL_THREADS``: ``imgkernel._tiles.WORKERS``) gives that count.

    Returns
    -------
    contextlib.AbstractContextManager
        To use in a ``with`` statement; it yields nothing.

    Raises
    ------
    TypeError
        ``n`` is not a whole number (a bool is not one either).
    ValueError
        ``n`` is below 1.

    Examples
    --------
    >>> import numpy as np, imgkernel
    >>> with imgkernel.threads(1):  # this request: one thread, whatever the machine has
    ...     out = imgkernel.correlate(np.zeros((300, 400)), np.ones((3, 3)))
    """
    return _tiles.threads(n)


def turned(ker: np.ndarray, dilation: int) -> tuple[np.ndarray, tuple[int, int]]:
    """True convolution as a correlation: the kernel rotated 180 degrees, and its anchor. The dilated kernel turns
    about its anchor, so the tap at ``span // 2`` lands at ``span - 1 - span // 2``."""
    span_h, span_w = (dilated_span(k, dilation) for k in ker.shape)
    return np.ascontiguousarray(ker[::-1, ::-1]), (span_h - 1 - span_h // 2, span_w - 1 - span_w // 2)


def as_2d_kernel(kernel: object) -> np.ndarray:
    """``kernel`` as a float64 2-D array, or a ``KernelError`` when it is not a grid of numbers."""
    try:
        ker = np.asarray(kernel, dtype=np.float64)
    except (TypeError, ValueError):
        raise KernelError(code="kernel_not_grid") from None
    if ker.ndim != 2:
        raise KernelError("kernel_not_2d", ndim=ker.ndim)
    return ker


def is_separable(kernel: np.ndarray) -> bool:
    """Whether the kernel can run as a column pass then a row pass (``kh + kw`` taps instead of ``kh * kw``).

    Parameters
    ----------
    kernel : array_like
        The weights.

    Returns
    -------
    bool
        True when the kernel is rank 1 (an outer product of a column and a row; Gaussian, box, Sobel), its second
        singular value below 1e-6 of the first. False for anything else, an all-zero, empty or non-2-D kernel
        included.
    """
    return separable_factors(kernel) is not None


def separable_factors(kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The column and row a rank-1 kernel is made of, as the ``separable`` method applies them.

    Parameters
    ----------
    kernel : array_like
        The weights.

    Returns
    -------
    tuple of numpy.ndarray or None
        ``(column, row)``, float64 of lengths ``kh`` and ``kw``, with ``numpy.outer(column, row)`` equal to the
        kernel up to float rounding and the column's largest-magnitude entry positive; ``None`` when the kernel is
        not rank 1 (see ``is_separable``).
    """
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
    for code, v in (("engine_bad_stride", stride), ("engine_bad_dilation", dilation)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise KernelError(code, value=v)
    if mode not in MODES:
        raise KernelError("engine_unknown_mode", mode=mode, modes=", ".join(MODES))


def _validate(
    image: object, kernel: object, mode: Mode, cval: float, stride: int, dilation: int, method: Method
) -> tuple[np.ndarray, np.ndarray, float]:
    """The image and kernel as arrays and ``cval`` as a float, or a ``KernelError`` saying what is wrong."""
    check_options(mode, stride, dilation)
    if method not in METHODS:
        raise KernelError("engine_unknown_method", method=method, methods=", ".join(METHODS))
    cval = finite(cval, "cval")
    ker = as_2d_kernel(kernel)
    if ker.size == 0:
        raise KernelError(code="kernel_empty")
    if not np.all(np.isfinite(ker)):
        raise KernelError(code="kernel_not_finite")

    img = np.asarray(image)
    if img.ndim not in (2, 3):
        raise KernelError("image_not_2d", ndim=img.ndim)
    if img.size == 0:
        raise KernelError(code="image_empty")
    if img.dtype.kind not in "uif" and img.dtype != np.bool_:
        raise KernelError("image_not_real", dtype=str(img.dtype))
    if img.dtype.kind == "f" and not np.all(np.isfinite(img)):
        raise KernelError(code="image_not_finite")
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
    x = _tiles.as_hwc(img)
    out_h, out_w = output_shape(x.shape[:2], (kh, kw), mode=mode, stride=stride, dilation=dilation)[:2]
    if mode == "valid":
        pads = ((0, 0), (0, 0))
    else:
        pads = ((anchor[0], span_h - 1 - anchor[0]), (anchor[1], span_w - 1 - anchor[1]))
    return _tiles.Geom(x, mode, pads, np.float32(cval), out_h, out_w, stride, dilation, span_h, span_w)


def auto_method(
    image: np.ndarray, kernel: np.ndarray, *, mode: Mode = "reflect", stride: int = 1, dilation: int = 1
) -> Method:
    """The method ``method="auto"`` would run, for benchmarks and for knowing why a call is as fast as it is.

    The cost model's choice: the reference constants for jobs under ``CALIBRATE_MIN_VALUES`` output values
    (the same on every machine), this machine's calibration for bigger ones (the first such call in a process
    runs it). It does not filter anything.

    Parameters
    ----------
    image, kernel, mode, stride, dilation
        As for ``correlate``.

    Returns
    -------
    {"direct", "separable", "fft"}
        Never ``"auto"``.

    Raises
    ------
    KernelError
        As ``correlate``, for the same arguments.
    """
    img, ker, cval = _validate(image, kernel, mode, 0.0, stride, dilation, "auto")
    g = _geometry(img, ker.shape, mode, cval, stride, dilation, None)
    return _choose_method(ker, g, _model_for(g))


@dataclass(frozen=True)
class Plan:
    """How a call runs: where its pixels come from, the cost model it uses and the method it picked."""

    geom: _tiles.Geom
    model: Model
    method: Method  # never "auto"
    gemm: bool  # ``direct`` (``_tiles.direct_gemm``), or ``separable``'s column pass, as matrix products
    factors: tuple[np.ndarray, np.ndarray] | None  # the column and row of a ``separable`` run


def plan(
    img: np.ndarray,
    ker: np.ndarray,
    mode: Mode,
    cval: float,
    stride: int,
    dilation: int,
    method: Method,
    anchor: tuple[int, int] | None,
) -> Plan:
    """The plan of a checked call (``imgkernel.fullres`` runs the same plan band by band)."""
    geom = _geometry(img, ker.shape, mode, cval, stride, dilation, anchor)
    model = _model_for(geom)
    if method == "auto":
        method = _choose_method(ker, geom, model)
    factors = separable_factors(ker) if method == "separable" else None
    if method == "separable" and factors is None:
        raise KernelError(code="engine_separable_not_rank1")
    if method == "direct":
        gemm = direct_as_gemm(ker, geom, model)
    else:
        gemm = factors is not None and separable_as_gemm(factors, geom, model)
    return Plan(geom, model, method, gemm, factors)


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
    p = plan(img, ker, mode, cval, stride, dilation, method, anchor)
    if p.factors is not None:
        out = _tiles.separable(p.geom, p.factors, p.model.strip_bytes, gemm=p.gemm)
    elif p.method == "fft":
        out = _tiles.fft(p.geom, ker, p.model.tile_max)
    else:
        out = run_direct(p.geom, ker, p.model, p.gemm)
    return out[:, :, 0] if squeeze else out


# Cost model of ``auto``: nanoseconds of wall time per unit of work with ``_REFERENCE_THREADS`` threads busy. These
# defaults are used for jobs under CALIBRATE_MIN_VALUES (previews, the default photo, up to ~1.4 MP), so they were
# fitted on such jobs (451x300 and 1155x866 photos, 3x3 to 13x13 kernels, NumPy 2.4) on a 2-core machine: which one
# and when, in docs/engine.md. ``calibration()`` replaces them for big jobs by figures measured where it runs.
_NS_PER_PASS = 0.24  # one ufunc pass of shift-and-add over one output value (multiply, add, or the strip copy)
_NS_PER_MAC = 0.06  # one unit of direct_gemm (a multiply-add of its band products; see _gemm_work)
_GEMM_COLUMN_UNITS = 12  # a kernel column's fixed share of direct_gemm, in units (see _gemm_work)
_NS_PER_CALL = 2000.0  # NumPy's cost per call: what keeps direct_gemm (many small calls) off small images
_NS_PER_FFT_UNIT = 0.5  # one n*log2(n) step of a tile's forward + inverse transform and product
_FFT_FIXED_NS = 1.5e6  # kernel transform, thread start-up and plan set-up of the FFT path
_REFERENCE_THREADS = 2  # the threads the constants above were fitted with (all of that machine's cores)

# Calibration: jobs this big (output values; ~1.4 MP RGB) are worth its fraction of a second (docs/engine.md), once
# per process. Previews and the app's default photo (0.14 MP) stay below, so the first screen never waits for it.
CALIBRATE_MIN_VALUES = 1 << 22
CALIBRATE_ENV = "IMGKERNEL_CALIBRATE"  # "0": never calibrate (the reference constants); "measure": measure again
_STRIP_CHOICES = (1 << 18, 1 << 19, 1 << 20)  # output bytes per strip tried by the calibration
_TILE_CHOICES = (256, 320)  # longest FFT tile side tried by the calibration
_CALIBRATE_BUDGET_S = 0.5  # no repeats after this long (a loaded machine): one timing per candidate then
# The calibration's images grow with its threads (two strips or tiles per thread); past this many the test images
# would take hundreds of MB on a big server, so it measures on this many and the model says so (Model.threads).
_CALIBRATE_MAX_THREADS = 8


@dataclass(frozen=True)
class Model:
    """The constants of ``auto``'s cost model and the strip/tile sizes the methods run with."""

    ns_per_pass: float = _NS_PER_PASS
    ns_per_mac: float = _NS_PER_MAC
    ns_per_fft_unit: float = _NS_PER_FFT_UNIT
    fft_fixed_ns: float = _FFT_FIXED_NS
    strip_bytes: int | None = None  # None: _tiles.STRIP_BYTES
    tile_max: int | None = None  # None: _tiles.TILE_MAX
    seconds: float = 0.0  # how long measuring took (0: not measured)
    threads: int = _REFERENCE_THREADS  # threads busy while the ns figures were measured (NumPy's per-call cost
    # is shared among them). The costs compare methods with one another, so a call under another cap keeps them.


REFERENCE = Model()
_calibrated: Model | None = None
_calibration_lock = threading.Lock()


def calibration() -> Model:
    """This machine's cost model, measured on first use and kept for the process (thread-safe, at most once).

    Measured through the real code paths on small synthetic images (a 5x5 kernel for shift-and-add at each
    strip size in ``_STRIP_CHOICES`` and for the matrix products; a 9x9 one for ``fft`` at each tile size in
    ``_TILE_CHOICES``, on 1 and 4 rows of tiles; best of 3 each, one each once ``_CALIBRATE_BUDGET_S`` has
    passed), with the threads the calling context may use (``threads``), at most ``_CALIBRATE_MAX_THREADS``:
    a fraction of a second (``docs/engine.md``). A machine measures once: the figures are saved in the user's cache
    folder and later processes read them (``imgkernel._model_store``: CPU, threads and versions must match).
    ``IMGKERNEL_CALIBRATE=0`` returns ``REFERENCE`` instead; ``IMGKERNEL_CALIBRATE=measure`` measures afresh and
    replaces the saved figures.
    """
    global _calibrated
    setting = os.environ.get(CALIBRATE_ENV, "1")
    if setting == "0":
        return REFERENCE
    with _calibration_lock:
        if _calibrated is None:
            _calibrated = _saved_or_measured(fresh=setting == "measure")
        return _calibrated


_MODEL_FIELDS = ("ns_per_pass", "ns_per_mac", "ns_per_fft_unit", "fft_fixed_ns", "strip_bytes", "tile_max", "seconds")


def _saved_or_measured(fresh: bool) -> Model:
    """The model saved for this machine and thread count, else a measured one (then saved)."""
    from . import __version__, _model_store

    n = min(_tiles.workers(), _CALIBRATE_MAX_THREADS)
    key = _model_store.key(n, __version__)
    saved = None if fresh else _model_from(_model_store.load(key), n)
    if saved is not None:
        return saved
    model = _measure_model()
    _model_store.save(key, {name: getattr(model, name) for name in _MODEL_FIELDS})
    return model


def _model_from(fields: dict[str, object] | None, threads: int) -> Model | None:
    """A saved model, only if every figure is what a measurement yields (positive finite numbers, the sizes one
    of the choices): anything else in the file is ignored."""
    if fields is None or set(fields) != set(_MODEL_FIELDS):
        return None
    times = [fields[name] for name in ("ns_per_pass", "ns_per_mac", "ns_per_fft_unit", "fft_fixed_ns", "seconds")]
    ns = [float(v) for v in times if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(ns) < len(times) or not all(math.isfinite(v) and v >= 0 for v in ns) or min(ns[:3]) <= 0:
        return None
    if fields["strip_bytes"] not in _STRIP_CHOICES or fields["tile_max"] not in _TILE_CHOICES:
        return None
    return Model(**{name: fields[name] for name in _MODEL_FIELDS}, threads=threads)  # type: ignore[arg-type]


def _best_seconds(fn: Callable[[], object], deadline: float, repeats: int = 3) -> float:
    """The fastest of ``repeats`` calls (fewer past ``deadline``): the figure least disturbed by other work."""
    best = math.inf
    for r in range(repeats):
        if r and time.perf_counter() > deadline:
            break
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _measure_model() -> Model:
    """Time shift-and-add, the matrix products and ``fft`` per unit of modelled work here (see ``calibration``)."""
    n = min(_tiles.workers(), _CALIBRATE_MAX_THREADS)
    with _tiles.threads(n):  # the images below are sized for n threads: run on exactly those
        return _measure_model_on(n)


def _measure_model_on(n_threads: int) -> Model:
    t_start = time.perf_counter()
    deadline = t_start + _CALIBRATE_BUDGET_S
    rng = np.random.default_rng(0)
    width, channels = 2048, 3
    ker5, ker9 = rng.uniform(-1, 1, (5, 5)), rng.uniform(-1, 1, (9, 9))
    passes = _tiles.count_passes(_tiles.group_taps(_taps(ker5))) + 1
    per_pass: dict[int, float] = {}
    for strip in _STRIP_CHOICES:  # two strips per thread, so each thread runs as in a big job
        rows = 2 * n_threads * max(1, strip // (4 * width * channels))
        g = _geometry(rng.integers(0, 256, (rows, width, channels), np.uint8), ker5.shape, "reflect", 0.0, 1, 1, None)
        _tiles.direct(g, ker5, strip)  # warm-up: page faults of the first buffers
        per_pass[strip] = _best_seconds(partial(_tiles.direct, g, ker5, strip), deadline) * 1e9 / (g.values * passes)
    strip = min(per_pass, key=per_pass.__getitem__)
    # direct_gemm on a photo-wide image (4096 px, 1.2 MP): narrower ones overstate its per-call costs
    g = _geometry(rng.integers(0, 256, (384, 2 * width, channels), np.uint8), ker5.shape, "reflect", 0.0, 1, 1, None)
    _tiles.direct_gemm(g, ker5, strip)
    macs, calls_ns = _gemm_work(ker5, g, n_threads)
    gemm_ns = _best_seconds(partial(_tiles.direct_gemm, g, ker5, strip), deadline) * 1e9
    ns_per_mac = max(gemm_ns - calls_ns, 0.5 * gemm_ns) / (g.values * macs)
    per_unit: dict[int, tuple[float, float]] = {}  # tile side -> (ns per unit, fixed ns per call)
    for tile in _TILE_CHOICES:  # 1 and 4 rows of tiles, 2 tiles per thread each: the slope is the cost per unit
        side = tile - 8
        fit = []
        for tile_rows in (1, 4):
            img = rng.integers(0, 256, (tile_rows * side, 2 * n_threads * side, channels), np.uint8)  # 8-bit
            g = _geometry(img, ker9.shape, "reflect", 0.0, 1, 1, None)
            _tiles.fft(g, ker9, tile)
            fit.append((_fft_units(g, tile), _best_seconds(partial(_tiles.fft, g, ker9, tile), deadline) * 1e9))
        (u1, t1), (u4, t4) = fit
        unit = max((t4 - t1) / (u4 - u1), 0.5 * t4 / u4)  # a noisy small run must not make units look free
        per_unit[tile] = (unit, max(0.0, t1 - unit * u1))
    tile = min(per_unit, key=lambda t: per_unit[t][0])
    fft_unit, fft_fixed = per_unit[tile]
    return Model(
        ns_per_pass=per_pass[strip],
        ns_per_mac=ns_per_mac,
        ns_per_fft_unit=fft_unit,
        fft_fixed_ns=fft_fixed,
        strip_bytes=strip,
        tile_max=tile,
        seconds=time.perf_counter() - t_start,
        threads=n_threads,
    )


def _model_for(g: _tiles.Geom) -> Model:
    """The calibrated model for big jobs, the reference constants for small ones (never worth measuring)."""
    return calibration() if g.values >= CALIBRATE_MIN_VALUES else REFERENCE


def _fft_units(g: _tiles.Geom, tile_max: int | None) -> float:
    (lh, lw), (rows, cols) = _tiles.fft_plan(g, tile_max)
    return rows * cols * g.channels * (lh * lw * math.log2(lh * lw) + _tiles.TILE_OVERHEAD)


def _gemm_work(ker: np.ndarray, g: _tiles.Geom, n_threads: int) -> tuple[int, float]:
    """``direct_gemm``'s units per output value and the modelled nanoseconds of its NumPy calls on ``n_threads``.

    A unit is one multiply-add of a band product; each non-zero kernel column costs ``GEMM_ROWS + span_h - 1`` of
    them plus ``_GEMM_COLUMN_UNITS`` for writing and adding its product and packing its operand (a column's time
    hardly depends on the kernel's height: ``docs/engine.md``). Calls: a product and an add per column per group
    of rows, shared among the model's threads (``Model.threads``, not the caller's: the model stays one scale).
    The groups now run as one batched product and one sum (``_tiles.gemm_strips``), 12-20 % faster at 9x9; the
    reference constants and the documented crossovers were fitted with this count, so it is kept: it leans
    against the matrix products a little, never toward them.
    """
    cols = max(1, int(np.count_nonzero(np.any(ker, axis=0))))
    calls = -(-g.out_h // _tiles.GEMM_ROWS) * 2 * cols
    return cols * (_tiles.GEMM_ROWS + g.span_h - 1 + _GEMM_COLUMN_UNITS), _NS_PER_CALL * calls / n_threads


def _cost_ns(method: str, ker: np.ndarray, g: _tiles.Geom, m: Model = REFERENCE) -> float:
    """Modelled run time of one method (``inf`` when it does not apply); ``direct`` is the cheaper of
    ``shift`` (shift-and-add) and ``gemm`` (band matrix products, stride 1)."""
    if method == "direct":
        return min(_cost_ns("shift", ker, g, m), _cost_ns("gemm", ker, g, m))
    if method == "gemm":
        if g.stride != 1:
            return math.inf
        macs, calls_ns = _gemm_work(ker, g, m.threads)
        return m.ns_per_mac * g.values * macs + calls_ns
    if method == "shift":
        return m.ns_per_pass * g.values * (_tiles.count_passes(_tiles.group_taps(_taps(ker))) + 1)
    if method == "separable":
        factors = separable_factors(ker)
        if factors is None:
            return math.inf
        return min(_separable_cost(factors, g, m, gemm=False), _separable_cost(factors, g, m, gemm=True))
    return m.fft_fixed_ns + m.ns_per_fft_unit * _fft_units(g, m.tile_max)


def _separable_cost(factors: tuple[np.ndarray, np.ndarray], g: _tiles.Geom, m: Model, *, gemm: bool) -> float:
    """Modelled time of ``separable``: its row pass by shift-and-add, its column pass by shift-and-add or (stride 1)
    as band-matrix products, costed as ``direct_gemm`` costs one kernel column over the padded width."""
    nv, nh = (_tiles.count_passes(_tiles.group_taps(_taps(f[:, None]))) for f in factors)
    column_values = g.out_h * g.padded_w * g.channels
    if not gemm:
        return m.ns_per_pass * (column_values * (nv + 1) + g.values * nh)
    if g.stride != 1:
        return math.inf
    units = _tiles.GEMM_ROWS + g.span_h - 1 + _GEMM_COLUMN_UNITS
    calls_ns = _NS_PER_CALL * -(-g.out_h // _tiles.GEMM_ROWS) / m.threads
    return m.ns_per_mac * column_values * units + calls_ns + m.ns_per_pass * (column_values + g.values * nh)


def separable_as_gemm(factors: tuple[np.ndarray, np.ndarray], g: _tiles.Geom, m: Model = REFERENCE) -> bool:
    """Whether ``separable``'s column pass runs as matrix products rather than shift-and-add: stride 1 only, and
    only where the model finds it cheaper (measured: ``docs/engine.md``)."""
    return bool(_separable_cost(factors, g, m, gemm=True) < _separable_cost(factors, g, m, gemm=False))


def _taps(ker: np.ndarray) -> list[tuple[int, int, float]]:
    return [(u, v, w) for (u, v), w in np.ndenumerate(ker)]


def _choose_method(ker: np.ndarray, g: _tiles.Geom, m: Model = REFERENCE) -> Method:
    """The method with the smallest modelled cost (see the module docstring for the crossovers)."""
    return min(("direct", "separable", "fft"), key=lambda name: _cost_ns(name, ker, g, m))


def direct_as_gemm(ker: np.ndarray, g: _tiles.Geom, m: Model = REFERENCE) -> bool:
    """Whether ``direct`` runs as matrix products (``_tiles.direct_gemm``) rather than shift-and-add: stride 1
    only (the strided windows are not a BLAS operand), and only where the model finds it cheaper."""
    return g.stride == 1 and _cost_ns("gemm", ker, g, m) < _cost_ns("shift", ker, g, m)


def run_direct(g: _tiles.Geom, ker: np.ndarray, m: Model, gemm: bool) -> np.ndarray:
    """``direct`` the chosen way (both sum the same taps in float32; the choice is only about speed)."""
    return _tiles.direct_gemm(g, ker, m.strip_bytes) if gemm else _tiles.direct(g, ker, m.strip_bytes)
