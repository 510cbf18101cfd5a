"""From filter responses (any float) to a displayable 8-bit image, kept apart from the maths.

Units: ``divisor`` divides the raw response, ``offset`` is then added in 0..255 grey levels (GIMP shows
its offset as 0..1; 0.5 there is 127.5 here). ``value = raw / divisor + offset``; then values outside
0..255 are mapped by ``out_of_range``:

* ``clip``: below 0 becomes 0, above 255 becomes 255 (and the pixels whose rounded value was outside
  0..255 are counted);
* ``abs``: the absolute value, then clipped at 255 (edge strength whatever its sign);
* ``rescale``: the actual min..max is stretched to 0..255 (nothing clipped, contrast lost to scaling).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from ._tiles import over_rows
from .errors import KernelError
from .linear import to_srgb
from .numeric import finite

OutOfRange = Literal["clip", "abs", "rescale"]
OUT_OF_RANGE: tuple[OutOfRange, ...] = get_args(OutOfRange)

# Smaller divisors would multiply responses past float32's range (then 0 x inf gives NaN pixels).
_MIN_DIVISOR = 1e-6


@dataclass(frozen=True)
class Scale:
    """The divisor and offset applied to raw responses."""

    divisor: float = 1.0
    offset: float = 0.0


@dataclass(frozen=True)
class Mapped:
    """An 8-bit image plus what the mapping did, for captions ("1,204 pixels clipped")."""

    image: np.ndarray  # uint8, same shape as the responses
    low: float  # smallest value after divisor/offset, before mapping
    high: float  # largest value after divisor/offset, before mapping
    clipped_pixels: int  # pixels with a channel that rounds outside 0..255 (clip mode only)
    clipped_fraction: float


def auto_normalise(kernel: np.ndarray) -> Scale:
    """GIMP's "Normalise": keep the average brightness whatever the weights add up to.

    Positive sum: divide by the sum. Negative sum: divide by minus the sum and offset to 255, which
    inverts. Zero sum (edge finders): divisor 1 and a mid-grey offset, so negative responses stay visible.

    Parameters
    ----------
    kernel : array_like
        The weights.

    Returns
    -------
    Scale
        ``Scale(sum, 0)``, ``Scale(-sum, 255)`` or ``Scale(1, 127.5)``; a sum within 1e-9 of the largest weight's
        magnitude counts as zero.
    """
    total = float(np.sum(kernel, dtype=np.float64))
    scale = max(1e-12, float(np.max(np.abs(kernel)))) * 1e-9
    if total > scale:
        return Scale(total, 0.0)
    if total < -scale:
        return Scale(-total, 255.0)
    return Scale(1.0, 127.5)


def resolve_scale(
    kernel: np.ndarray, *, divisor: float = 1.0, offset: float = 0.0, normalise: bool = False, mean: bool = False
) -> Scale:
    """The divisor and offset a filter run applies: ``normalise`` (GIMP) wins, then ``mean`` (the cell count).

    Parameters
    ----------
    kernel : array_like
        The weights (their sum for ``normalise``, their count for ``mean``).
    divisor : float, default 1.0
        Used when neither ``normalise`` nor ``mean`` is set.
    offset : float, default 0.0
        In 0..255 grey levels; used unless ``normalise`` is set.
    normalise, mean : bool, default False
        See ``auto_normalise``; ``mean`` divides by ``kernel.size``.

    Returns
    -------
    Scale

    Raises
    ------
    KernelError
        A divisor that ``check_divisor`` refuses (when it is used), or an offset that is not a finite number.
    """
    if normalise:
        return auto_normalise(kernel)
    if mean:
        return Scale(float(np.asarray(kernel).size), finite(offset, "offset"))
    return Scale(check_divisor(divisor), finite(offset, "offset"))


def check_divisor(divisor: object) -> float:
    """``divisor`` as a float if responses can be divided by it: for checking a typed divisor before it is used.

    Parameters
    ----------
    divisor : object
        A number, or anything ``float()`` reads as one (a typed ``"16"``).

    Returns
    -------
    float

    Raises
    ------
    KernelError
        Not a finite number; 0; or smaller than 1e-6 in size (it would multiply responses past float32's range).
    """
    value = finite(divisor, "divisor")
    if value == 0:
        raise KernelError(code="divisor_zero")
    if abs(value) < _MIN_DIVISOR:
        raise KernelError("divisor_too_small", least=_MIN_DIVISOR, value=divisor)
    return value


def apply_scale(values: np.ndarray, scale: Scale, *, in_place: bool = False) -> np.ndarray:
    """``values / divisor + offset`` as float32: the step between raw responses and the 8-bit mapping.

    Parameters
    ----------
    values : array_like
        Raw responses, any real dtype and shape.
    scale : Scale
        Divisor and offset (the offset in 0..255 grey levels).
    in_place : bool, default False
        Write into ``values`` when it is already float32 (a 12 MP photo's copy saved: ``docs/engine.md``);
        for callers that own the responses.

    Returns
    -------
    numpy.ndarray
        float32, the shape of ``values``: a new array, or ``values`` itself when ``in_place`` and float32.
        Multiplies by ``float32(1 / divisor)``, so within float32 rounding of a true division.

    Raises
    ------
    KernelError
        A divisor that ``check_divisor`` refuses.
    """
    check_divisor(scale.divisor)
    v = np.asarray(values)
    if in_place and v.dtype == np.float32:
        out = v
        if scale.divisor != 1:
            out *= np.float32(1.0 / scale.divisor)
    else:
        out = v.astype(np.float32) * np.float32(1.0 / scale.divisor)
    if scale.offset:
        out += np.float32(scale.offset)
    return out


def to_uint8(
    values: np.ndarray,
    *,
    out_of_range: OutOfRange = "clip",
    bounds: tuple[float, float] | None = None,
    linear: bool = False,
) -> Mapped:
    """Turn scaled responses into an 8-bit picture, saying what it took (pixels clipped, the range seen).

    Values round half up (``+ 0.5``, then truncated). Runs over cache-sized strips on the engine's threads
    (``threads`` caps them); the result is the same on any number.

    Parameters
    ----------
    values : array_like
        Responses after divisor and offset (``apply_scale``), in 0..255 grey levels; any shape, usually
        ``(H, W)`` or ``(H, W, C)``.
    out_of_range : {"clip", "abs", "rescale"}, default "clip"
        What happens to values outside 0..255 (the module docstring has each).
    bounds : tuple of float, optional
        The ``(min, max)`` that ``rescale`` stretches, when ``values`` are one band of a bigger picture
        (``imgkernel.fullres``); by default those of ``values``.
    linear : bool, default False
        The values are linear light: mapped the same way, then encoded to sRGB codes (``imgkernel.linear``).

    Returns
    -------
    Mapped
        ``image``: uint8, the shape of ``values``; ``low``/``high``: the smallest and largest value before
        mapping (the band's own, even with ``bounds``); ``clipped_pixels``/``clipped_fraction``: pixels with a
        channel that rounds outside 0..255, counted in ``clip`` mode only.

    Raises
    ------
    KernelError
        An unknown ``out_of_range``.
    """
    if out_of_range not in OUT_OF_RANGE:
        raise KernelError("mapping_unknown_out_of_range", value=out_of_range, choices=", ".join(OUT_OF_RANGE))
    v = np.asarray(values, dtype=np.float32)
    if v.size == 0:
        return Mapped(np.zeros(v.shape, np.uint8), 0.0, 0.0, 0, 0.0)
    flat = v.reshape(v.shape[0], v.shape[1], -1) if v.ndim >= 2 else v.reshape(-1, 1, 1)
    image = np.empty(flat.shape, np.uint8)
    # Cache-sized strips on the engine's threads, the same float32 steps as a whole-array version; per-strip
    # results (min, max, clipped pixels) are gathered in a Tally (thread-safe) and combined.
    tally = Tally()
    own_bounds = out_of_range == "rescale" and bounds is None
    if own_bounds:
        over_rows(flat.shape[0], flat.shape[1:], lambda r0, r1, _: tally.extremes(flat[r0:r1]))
        bounds = tally.bounds()

    def strip(r0: int, r1: int, scratch: np.ndarray) -> None:
        if out_of_range == "rescale" and not own_bounds:
            tally.extremes(flat[r0:r1])  # the band's own low and high, for the returned Mapped
        map_rows(flat[r0:r1], image[r0:r1], out_of_range, bounds, linear, tally, scratch[: r1 - r0])

    over_rows(flat.shape[0], flat.shape[1:], strip)
    return tally.mapped(image.reshape(v.shape), v.shape[0] * v.shape[1] if v.ndim >= 2 else v.size)


class Tally:
    """What ``map_rows`` found in each strip (smallest, largest value, clipped pixels), gathered from any thread
    (list appends are atomic) and combined into a ``Mapped``.

    ``figures=False``: the strips are only mapped, nothing is found (a caller that keeps only the picture saves
    the passes: ``imgkernel.fullres.filter_uint8``); ``mapped`` then reports NaN for low and high (unless a
    ``rescale`` pass recorded them) and no clipped pixels.
    """

    def __init__(self, figures: bool = True) -> None:
        self.figures = figures
        self.lows: list[float] = []
        self.highs: list[float] = []
        self.clipped: list[int] = []

    def extremes(self, src: np.ndarray) -> tuple[float, float]:
        """Record and return the smallest and largest value of ``src``."""
        lo, hi = float(src.min()), float(src.max())
        self.lows.append(lo)
        self.highs.append(hi)
        return lo, hi

    def bounds(self) -> tuple[float, float]:
        """The smallest and largest value recorded so far."""
        return min(self.lows), max(self.highs)

    def mapped(self, image: np.ndarray, pixels: int) -> Mapped:
        """``image`` with what was recorded, ``pixels`` being its pixel count (for the clipped fraction)."""
        nothing = 0.0 if self.figures else math.nan  # an empty picture has 0..0; one whose figures were skipped, NaN
        low, high = self.bounds() if self.lows else (nothing, nothing)
        n_clipped = sum(self.clipped)
        return Mapped(image, low, high, n_clipped, n_clipped / pixels if pixels else 0.0)


def map_rows(
    src: np.ndarray,
    dst: np.ndarray,
    out_of_range: OutOfRange,
    bounds: tuple[float, float] | None,
    linear: bool,
    tally: Tally,
    work: np.ndarray | None = None,
) -> None:
    """Map one strip of scaled responses to 8 bits: the steps of ``to_uint8``, for it and for the fused path.

    Parameters
    ----------
    src : numpy.ndarray, shape (n, W, C)
        float32 responses after divisor and offset.
    dst : numpy.ndarray, shape (n, W, C)
        uint8, where the strip's picture goes.
    out_of_range : {"clip", "abs", "rescale"}
        As for ``to_uint8``; ``rescale`` needs ``bounds``.
    bounds : tuple of float or None
        The ``(min, max)`` that ``rescale`` stretches (the whole picture's, so that strips agree).
    linear : bool
        Encode linear light to sRGB codes before rounding.
    tally : Tally
        Receives the strip's smallest and largest value (not for ``rescale``: its caller has them already) and,
        in ``clip`` mode, how many of its pixels have a channel that rounds outside 0..255; nothing if its
        ``figures`` is False.
    work : numpy.ndarray, optional
        float32 scratch of ``src``'s shape; by default ``src`` itself is worked in (and changed).
    """
    work = src if work is None else work
    if out_of_range == "rescale":
        if bounds is None:
            raise ValueError("rescale needs the bounds of the whole picture")
        low, high = bounds
        if high > low:
            np.subtract(src, np.float32(low), out=work)
            np.multiply(work, np.float32(255.0 / (high - low)), out=work)
        else:
            np.clip(src, 0, 255, out=work)
    elif out_of_range == "abs":
        if tally.figures:
            tally.extremes(src)
        np.abs(src, out=work)
    else:
        lo, hi = tally.extremes(src) if tally.figures else (0.0, 0.0)
        if lo < -0.5 or hi >= 255.5:  # values that round into 0..255 lose nothing to clipping
            outside = src < -0.5
            outside |= src >= 255.5
            pixel = outside[:, :, 0].copy()
            for c in range(1, outside.shape[2]):  # any channel: cheaper than .any(axis=2) on 3 values
                pixel |= outside[:, :, c]
            tally.clipped.append(int(np.count_nonzero(pixel)))
        if work is not src:
            np.copyto(work, src)
    if linear:
        to_srgb(work, out=work)
    # Round half up into 0..255: clip(floor(v + 0.5), 0, 255) is floor(clip(v, -0.5, 254.5) + 0.5), the same float32
    # sum wherever it is not clipped, and the add then writes the uint8 picture itself: a pass fewer.
    np.clip(work, np.float32(-0.5), np.float32(254.5), out=work)
    np.add(work, np.float32(0.5), out=dst, casting="unsafe")


# The signed map's two ends: ColorBrewer's diverging blue (RdBu, PuOr's partner) and PuOr's dark orange. Blue and
# orange stay apart for red-green colour-blind eyes (tests/test_mapping.py simulates protanopia and deuteranopia),
# the two ends are about equally dark (CIELAB L* 42 and 48), and white text reads on both at full colour.
NEGATIVE_RGB = (33, 102, 172)  # #2166ac, blue: below 0
ZERO_RGB = (255, 255, 255)  # white: 0
POSITIVE_RGB = (179, 88, 6)  # #b35806, orange: above 0


def signed_colormap(values: np.ndarray, *, limit: float | None = None) -> np.ndarray:
    """A diverging picture of signed responses: blue below 0, white at 0, orange above.

    The two ends stay apart for red-green colour-blind eyes; each half fades linearly from white to its end
    colour (``NEGATIVE_RGB``, ``POSITIVE_RGB``).

    Parameters
    ----------
    values : array_like, shape (H, W) or (H, W, C)
        Signed responses, any units; colour ones are shown by their channel mean.
    limit : float, optional
        The magnitude drawn at full colour; larger ones are clipped to it. Default: the largest magnitude
        present, so the map uses its whole range. Not positive or not finite: 1.

    Returns
    -------
    numpy.ndarray
        uint8 RGB, shape ``(H, W, 3)``.
    """
    v = np.asarray(values, dtype=np.float32)
    if v.ndim == 3:
        v = v.mean(axis=2)
    if limit is None:
        limit = float(np.max(np.abs(v))) if v.size else 1.0
    limit = limit if limit > 0 and math.isfinite(limit) else 1.0
    t = np.clip(v / np.float32(limit), -1, 1)
    pos, neg = np.clip(t, 0, 1), np.clip(-t, 0, 1)
    channels = [z - pos * (z - p) - neg * (z - n) for z, p, n in zip(ZERO_RGB, POSITIVE_RGB, NEGATIVE_RGB, strict=True)]
    return np.stack(channels, axis=-1).round().astype(np.uint8)
