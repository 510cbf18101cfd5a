"""The whole filter as the app and the CLI use it: pixels + kernel + settings -> responses and 8-bit image."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .borders import Mode
from .engine import convolve, correlate, dilated_span
from .formats.images import to_gray
from .linear import luminance, to_linear
from .mapping import Mapped, OutOfRange, Scale, apply_scale, resolve_scale, to_uint8


@dataclass(frozen=True)
class Settings:
    """Every option of a filter run in one frozen value: hashable, so it can key caches and travel in URLs.

    Fields are not checked when a ``Settings`` is made; ``run_filter`` checks them and raises ``KernelError``.

    Parameters
    ----------
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}, default "reflect"
        Border mode, by scipy.ndimage's names (``imgkernel.correlate`` shows each).
    cval : float, default 0.0
        The grey level read outside the image in ``constant`` mode, 0..255 like the pixels (with ``linear`` it
        is decoded like them).
    stride, dilation : int, default 1
        As for ``imgkernel.correlate``.
    true_convolution : bool, default False
        Turn the kernel 180 degrees first (``convolve``); False correlates, as setosa, GIMP, OpenCV and CNNs do.
    divisor : float, default 1.0
        Divides the raw responses (not 0, at least 1e-6 in size).
    offset : float, default 0.0
        Added after the divisor, in 0..255 grey levels (GIMP's 0.5 is 127.5 here).
    normalise : bool, default False
        GIMP's auto-normalise (``auto_normalise``); overrides ``divisor``, ``offset`` and ``mean``.
    mean : bool, default False
        Divide by the number of cells (the original package's option); overrides ``divisor``.
    out_of_range : {"clip", "abs", "rescale"}, default "clip"
        How values outside 0..255 become 8 bits (``imgkernel.to_uint8``).
    gray : bool, default False
        Filter one luminance channel instead of each RGB channel.
    linear : bool, default False
        Filter linear light (decode sRGB, filter, encode), as GIMP 2.10+ does; divisor and offset then work on
        light, still in 0..255.
    """

    mode: Mode = "reflect"
    cval: float = 0.0
    stride: int = 1
    dilation: int = 1
    true_convolution: bool = False  # False: correlation, as setosa, GIMP, OpenCV and CNNs compute
    divisor: float = 1.0
    offset: float = 0.0
    normalise: bool = False  # GIMP's auto-normalise
    mean: bool = False  # divide by the number of cells (the original package's option)
    out_of_range: OutOfRange = "clip"
    gray: bool = False  # filter the luminance instead of each RGB channel
    linear: bool = False  # filter linear light (decode sRGB, filter, encode), as GIMP 2.10+ does

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (field name -> value), as ``dataclasses.replace``: settings never change in place.

        Raises
        ------
        TypeError
            A name that is not a field.
        """
        return replace(self, **changes)


@dataclass(frozen=True)
class Result:
    """What ``run_filter`` gives back: the numbers and the picture made of them."""

    values: np.ndarray  # float32 responses after divisor/offset (what the mapping saw)
    mapped: Mapped
    scale: Scale


def scale_for(kernel: np.ndarray, settings: Settings) -> Scale:
    """The divisor and offset ``settings`` apply to ``kernel`` (normalise and mean resolved)."""
    return resolve_scale(
        kernel, divisor=settings.divisor, offset=settings.offset, normalise=settings.normalise, mean=settings.mean
    )


def prepare(pixels: np.ndarray, settings: Settings) -> np.ndarray:
    """The pixels the filter sees: luminance when ``settings.gray``, linear light (0..255) when
    ``settings.linear`` (see ``imgkernel.linear``)."""
    if settings.linear:
        light = to_linear(pixels)
        return luminance(light) if settings.gray else light
    return to_gray(pixels) if settings.gray else pixels


def border_value(settings: Settings) -> float:
    """The constant border value the filter sees: ``cval`` is a grey level, decoded like the pixels."""
    return float(to_linear(np.array(settings.cval))) if settings.linear else settings.cval


def run_filter(pixels: np.ndarray, kernel: np.ndarray, settings: Settings = Settings()) -> Result:
    """The whole filter as the app and the CLI run it: filter, divide and offset, map to an 8-bit picture.

    Parameters
    ----------
    pixels : numpy.ndarray, shape (H, W) or (H, W, 3)
        The photo: uint8 sRGB codes, or floats in the same 0..255 units (``linear`` expects these two).
    kernel : array_like, shape (kh, kw)
        Finite weights.
    settings : Settings, optional
        Every other option; the defaults filter each channel in ``reflect`` mode and clip to 0..255.

    Returns
    -------
    Result
        ``values``: float32 responses after divisor and offset, shaped as ``imgkernel.output_shape`` says
        (``(H', W')`` with ``gray``); ``mapped``: the uint8 picture of the same shape and what the mapping did
        (``Mapped``); ``scale``: the divisor and offset used (``normalise`` and ``mean`` resolved).

    Raises
    ------
    KernelError
        Anything ``imgkernel.correlate`` refuses; a divisor of 0 or below 1e-6 in size, or a non-finite divisor
        or offset; an unknown ``out_of_range``. It is a ``ValueError``.
    """
    kernel = np.asarray(kernel, dtype=np.float64)
    scale = scale_for(kernel, settings)
    fn = convolve if settings.true_convolution else correlate
    raw = fn(
        prepare(pixels, settings),
        kernel,
        mode=settings.mode,
        cval=border_value(settings),
        stride=settings.stride,
        dilation=settings.dilation,
    )
    values = apply_scale(raw, scale, in_place=True)  # raw is ours: no copy
    return Result(values, to_uint8(values, out_of_range=settings.out_of_range, linear=settings.linear), scale)


def output_alpha(alpha: np.ndarray, kernel_shape: tuple[int, ...], settings: Settings) -> np.ndarray:
    """The alpha of the input pixel each output pixel is centred on: cropped and strided like the picture.

    Alpha is never filtered; this lets it be re-attached to a result that ``valid`` or a stride made smaller.
    """
    s = settings.stride
    if settings.mode == "valid":
        kh, kw = (dilated_span(k, settings.dilation) for k in kernel_shape[:2])
        h, w = alpha.shape
        return alpha[kh // 2 : kh // 2 + h - kh + 1 : s, kw // 2 : kw // 2 + w - kw + 1 : s]
    return alpha[::s, ::s]
