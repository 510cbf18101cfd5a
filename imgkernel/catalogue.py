"""The kernel catalogue: every named kernel defined once, as data plus a factory.

The app, the CLI and the tests all read this module; nothing else spells out a preset's values.
Default values of the first six families are setosa.io's (which the original package copied).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from .errors import KernelError


@dataclass(frozen=True)
class Param:
    """A kernel parameter: a slider in the app, ``--param name=value`` in the CLI."""

    name: str
    label: str
    default: float
    min: float
    max: float
    step: float
    integer: bool = False
    help: str = ""

    def coerce(self, value: object, *, kernel: str = "") -> float | int:
        """The value as a number within range, or a ``KernelError`` saying what is allowed.

        The message names the parameter by its ``label``: catalogue data, like a kernel's title, which an app
        translates with the catalogue's other texts, by the names the message also carries (``kernel``: the
        catalogue name of the kernel the parameter belongs to, when the caller gives it; ``param``: its own).

        Parameters
        ----------
        value : object
            A number, or anything ``float()`` reads as one (``"3"`` from ``--param size=3`` or a URL).
        kernel : str, optional
            The catalogue name of the kernel this parameter belongs to, carried in the message.

        Returns
        -------
        int or float
            An ``int`` for an ``integer`` parameter, else a ``float``; between ``min`` and ``max`` inclusive.

        Raises
        ------
        KernelError
            Not a number; not finite or outside ``min..max``; not whole for an ``integer`` parameter.
        """
        named = {"label": self.label, "param": self.name, "kernel": kernel}
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise KernelError("param_not_number", **named, value=value) from None
        if not math.isfinite(v) or not self.min <= v <= self.max:
            raise KernelError("param_out_of_range", **named, low=self.min, high=self.max, value=value)
        if self.integer:
            if v != int(v):
                raise KernelError("param_not_whole", **named, value=value)
            return int(v)
        return v


@dataclass(frozen=True)
class KernelSpec:
    """One catalogue entry."""

    name: str  # identifier used in URLs, the CLI and JSON
    title: str  # what people call it
    category: str
    summary: str  # one line: what it does
    explanation: str  # a few sentences: why it works
    build: Callable[..., np.ndarray]
    params: tuple[Param, ...] = ()
    # Suggested display scaling (``raw / divisor + offset``, see mapping.py). Smoothers and sharpeners keep
    # 1 and 0. Zero-sum finders whose both signs mean something (Laplacian, LoG, high-pass, Gabor) suggest a
    # mid-grey offset of 127.5, so flat areas are grey and both sides of an edge show; the one-sided finders
    # (Sobel, Prewitt, Scharr, outline, ridge) keep 0 like setosa.io: the edges they look for light up on black.
    divisor: float = 1.0
    offset: float = 0.0

    def defaults(self) -> dict[str, float | int]:
        """Each parameter's default by name: what ``matrix()`` uses for the ones not given."""
        return {p.name: p.default for p in self.params}

    def matrix(self, params: Mapping[str, object] | None = None) -> np.ndarray:
        """The kernel's weights for these parameter values: what the app, the CLI and the tests filter with.

        Parameters
        ----------
        params : mapping of str to object, optional
            Parameter name -> value (numbers or text, checked by ``Param.coerce``); missing ones take their
            defaults.

        Returns
        -------
        numpy.ndarray
            float64, 2-D: the weights as written (``correlate`` applies them as they are).

        Raises
        ------
        KernelError
            A name the kernel has no parameter for, or a value its ``Param`` refuses.
        """
        given = dict(params or {})
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise KernelError(
                "catalogue_unknown_param", title=self.title, kernel=self.name, names=", ".join(sorted(unknown))
            )
        values = {p.name: p.coerce(given.get(p.name, p.default), kernel=self.name) for p in self.params}
        return np.asarray(self.build(**values), dtype=np.float64)


def _identity(iden: float) -> np.ndarray:
    return np.array([[0, 0, 0], [0, iden, 0], [0, 0, 0]], float)


def _sharpen(inner: float, edge: float) -> np.ndarray:
    return np.array([[0, edge, 0], [edge, inner, edge], [0, edge, 0]], float)


def _blur(inner: float, edge: float, corner: float) -> np.ndarray:
    return np.array([[corner, edge, corner], [edge, inner, edge], [corner, edge, corner]], float)


def _emboss(diag: float, iden: float) -> np.ndarray:
    return np.array([[-diag, -iden, 0], [-iden, iden, iden], [0, iden, diag]], float)


def _outline(inner: float, outer: float) -> np.ndarray:
    k = np.full((3, 3), outer, float)
    k[1, 1] = inner
    return k


def _turn(top: np.ndarray, direction: str) -> np.ndarray:
    """A "top" edge kernel turned to ``direction``; the side named is the one whose brightness gives positive."""
    turns = {"top": top, "bottom": top[::-1], "left": top.T, "right": top.T[:, ::-1]}
    return np.array(turns[direction], dtype=float)


def sobel_matrix(direction: str, base: float = 2.0, corner: float | None = None) -> np.ndarray:
    """Sobel for ``direction`` in top/bottom/left/right: ``base`` on the edge, ``corner`` (default ``base/2``)
    in the corners."""
    edge = base
    corner = base / 2 if corner is None else corner
    return _turn(np.array([[corner, edge, corner], [0, 0, 0], [-corner, -edge, -corner]], float), direction)


def _centred(size: int) -> np.ndarray:
    """Tap positions ``-(size-1)/2 .. (size-1)/2`` (symmetric also for even sizes)."""
    return np.arange(size, dtype=float) - (size - 1) / 2


def _gaussian(size: int, sigma: float) -> np.ndarray:
    g = np.exp(-(_centred(size) ** 2) / (2 * sigma**2))
    k = np.outer(g, g)
    return k / k.sum()


def _box(size: int) -> np.ndarray:
    return np.full((size, size), 1.0 / (size * size))


def _identity_like(size: int) -> np.ndarray:
    k = np.zeros((size, size))
    k[size // 2, size // 2] = 1.0
    return k


_LAPLACIAN = {
    4: np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float),
    8: np.array([[1, 1, 1], [1, -8, 1], [1, 1, 1]], float),
}


def _scaled_zero_sum(k: np.ndarray, positive_total: float) -> np.ndarray:
    """Scale a zero-sum kernel so its positive weights add up to ``positive_total`` (all zeros stay zeros)."""
    pos = float(k[k > 0].sum())
    return k * (positive_total / pos) if pos > 0 else np.zeros_like(k)


def _log(size: int, sigma: float) -> np.ndarray:
    x = _centred(size)
    r2 = x[:, None] ** 2 + x[None, :] ** 2
    k = (r2 - 2 * sigma**2) * np.exp(-r2 / (2 * sigma**2))
    return _scaled_zero_sum(k - k.mean(), 4.0)


def _unsharp(amount: float, radius: float) -> np.ndarray:
    size = 2 * math.ceil(3 * radius) + 1
    ident = _identity_like(size)
    return ident + amount * (ident - _gaussian(size, radius))


def _motion(length: float, angle: float) -> np.ndarray:
    """A ``length``-pixel line at ``angle`` degrees (0 = horizontal, counter-clockwise), drawn anti-aliased.

    The line is the segment through the centre between the centres of its end pixels; each tap weighs
    ``1 - its distance to that segment`` (0 beyond one pixel), so lines at any angle and of fractional length
    look smooth, and a horizontal line of length 3 is exactly [1/3, 1/3, 1/3]. The result adds up to 1.
    """
    r = (length - 1) / 2
    a = math.radians(angle)
    ux, uy = math.cos(a), math.sin(a)
    half = math.ceil(r * max(abs(ux), abs(uy)) - 1e-9)  # the line's reach in rows or columns
    x = np.arange(-half, half + 1, dtype=float)
    xx, yy = np.meshgrid(x, -x)  # y up, so angles turn counter-clockwise as on paper
    t = np.clip(xx * ux + yy * uy, -r, r)  # nearest point of the segment, as a position along it
    dist = np.hypot(xx - t * ux, yy - t * uy)
    k = np.clip(1.0 - dist, 0.0, None)
    return k / k.sum()


def _gabor(theta: float, sigma: float, wavelength: float, aspect: float, size: int) -> np.ndarray:
    """Real (cosine) Gabor: stripes across ``theta`` degrees under a Gaussian, made zero-mean.

    The mean is removed in proportion to the Gaussian envelope (not as a flat constant), so far corners stay
    near 0; then positive weights are scaled to add up to 1, so responses lie within -255..255.
    """
    x = _centred(size)
    xx, yy = np.meshgrid(x, -x)  # y up
    a = math.radians(theta)
    xr = xx * math.cos(a) + yy * math.sin(a)
    yr = -xx * math.sin(a) + yy * math.cos(a)
    env = np.exp(-(xr**2 + (aspect * yr) ** 2) / (2 * sigma**2))
    g = env * np.cos(2 * math.pi * xr / wavelength)
    g = g - env * (g.sum() / env.sum())
    return _scaled_zero_sum(g, 1.0)


def _emboss_angle(angle: float, strength: float) -> np.ndarray:
    """Emboss lit from ``angle`` degrees (0 = from the right, 90 = from above, counter-clockwise).

    Each neighbour gets ``-strength * sqrt(2) * (its offset . light direction)``, the centre 1; at 135 degrees
    and strength 1 this is exactly the classic (setosa) emboss.
    """
    a = math.radians(angle)
    dx, dy = np.meshgrid([-1.0, 0.0, 1.0], [1.0, 0.0, -1.0])  # column offset, row offset with y up
    k = -strength * math.sqrt(2) * (dx * math.cos(a) + dy * math.sin(a))
    k[1, 1] = 1.0
    return np.round(k, 12) + 0.0  # drop 1e-17 noise and negative zeros, so the matrix reads cleanly


_SOBEL_BASE = Param("base", "Edge weight", 2.0, -10.0, 10.0, 0.1, help="Corners get half of it.")

CATALOGUE: dict[str, KernelSpec] = {}


def _add(spec: KernelSpec) -> None:
    """Register ``spec``; a second entry under the same name is a mistake (it would silently replace the first)."""
    if spec.name in CATALOGUE:
        raise KernelError("catalogue_duplicate", name=spec.name)
    CATALOGUE[spec.name] = spec


_add(
    KernelSpec(
        "identity",
        "Identity",
        "Basics",
        "Leaves the photo unchanged.",
        "Only the centre weight is non-zero, so every output pixel is a copy of the input pixel under it. "
        "Raising the centre above 1 brightens, below 1 darkens.",
        _identity,
        (Param("iden", "Centre weight", 1.0, -10.0, 10.0, 0.1),),
    )
)
_add(
    KernelSpec(
        "sharpen",
        "Sharpen",
        "Sharpen",
        "Makes differences between neighbours stronger.",
        "The centre counts five times and its four neighbours are subtracted once each. On flat areas the "
        "weights add up to 1 and nothing changes; where a pixel differs from its neighbours the difference "
        "is exaggerated, so edges and texture look crisper.",
        _sharpen,
        (
            Param("inner", "Centre weight", 5.0, -10.0, 20.0, 0.1),
            Param("edge", "Neighbour weight", -1.0, -10.0, 10.0, 0.05),
        ),
    )
)
_add(
    KernelSpec(
        "blur",
        "Blur (3 × 3 Gaussian)",
        "Blur",
        "Softens the photo by averaging each pixel with its neighbours.",
        "Each output pixel is a weighted average: the centre counts most, the edges half as much, the corners "
        "a quarter. The weights add up to 1, so brightness is kept while fine detail is smoothed away.",
        _blur,
        (
            Param("inner", "Centre weight", 0.25, -1.0, 1.0, 0.0125),
            Param("edge", "Edge weight", 0.125, -1.0, 1.0, 0.0125),
            Param("corner", "Corner weight", 0.0625, -1.0, 1.0, 0.0125),
        ),
    )
)
_add(
    KernelSpec(
        "emboss",
        "Emboss",
        "Stylise",
        "Makes the photo look carved, lit from the top left.",
        "Pixels up-left of the centre are subtracted and those down-right are added, so a brightness step in "
        "that direction becomes a highlight or a shadow; flat areas keep their value because the weights add "
        "up to 1.",
        _emboss,
        (
            Param("diag", "Diagonal weight", 2.0, -10.0, 10.0, 0.1),
            Param("iden", "Centre and side weight", 1.0, -10.0, 10.0, 0.1),
        ),
    )
)
_add(
    KernelSpec(
        "outline",
        "Outline",
        "Edges",
        "Finds edges in every direction; flat areas turn black.",
        "The centre counts 8 and its eight neighbours -1 each: the weights add up to 0, so a flat area gives "
        "0 (black) and only places that differ from their surroundings light up.",
        _outline,
        (
            Param("inner", "Centre weight", 8.0, -20.0, 20.0, 0.1),
            Param("outer", "Neighbour weight", -1.0, -10.0, 10.0, 0.05),
        ),
    )
)
# The one-sided edge finders' four directions, as ``_turn`` builds them: the side whose cells are added, the side
# subtracted, the words for "brighter here than there", the edges' orientation, and what lights up.
_SIDES = {
    "top": (
        "row above the centre",
        "row below the centre",
        "above",
        "below",
        "horizontal",
        "the lower edge of bright things and the upper edge of dark ones",
    ),
    "bottom": (
        "row below the centre",
        "row above the centre",
        "below",
        "above",
        "horizontal",
        "the upper edge of bright things and the lower edge of dark ones",
    ),
    "left": (
        "column left of the centre",
        "column right of the centre",
        "on the left",
        "on the right",
        "vertical",
        "the right edge of bright things and the left edge of dark ones",
    ),
    "right": (
        "column right of the centre",
        "column left of the centre",
        "on the right",
        "on the left",
        "vertical",
        "the left edge of bright things and the right edge of dark ones",
    ),
}
_OPPOSITE = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}


def _edge_summary(direction: str) -> str:
    _, _, here, there, _, _ = _SIDES[direction]
    return f"Lights up edges where the photo is brighter {here} than {there}."


def _edge_explanation(direction: str, family: str, weights: str) -> str:
    """How a one-sided edge finder works, for its own direction: what it adds and subtracts, what lights up, and
    what clipping does to the opposite edge."""
    added, subtracted, here, there, lines, lit = _SIDES[direction]
    line = added.split()[0]
    return (
        f"The {added} is added and the {subtracted} subtracted ({weights}); the middle {line} counts 0, so on "
        f"flat areas the two sides cancel. {lines.capitalize()} edges where the photo is brighter {here} than "
        f"{there} give large positive values and light up: {lit}. The opposite edge, brighter {there} than "
        f"{here}, gives negative values, which clipping turns black, so each edge shows on one side only; show "
        f"absolute values to see both (the {direction.capitalize()} {family} then looks like the "
        f"{_OPPOSITE[direction].capitalize()} {family})."
    )


for _d in _SIDES:
    _add(
        KernelSpec(
            f"sobel_{_d}",
            f"{_d.capitalize()} Sobel",
            "Edges",
            _edge_summary(_d),
            _edge_explanation(_d, "Sobel", "weights 1, 2, 1 by default: the cell in line with the centre counts twice"),
            lambda base, _d=_d: sobel_matrix(_d, base),
            (_SOBEL_BASE,),
        )
    )


_SIZE = Param("size", "Size (pixels)", 5, 1, 31, 1, integer=True, help="Width and height of the kernel.")
_SIGMA = Param("sigma", "Spread (sigma, pixels)", 1.0, 0.3, 10.0, 0.1, help="Larger spreads weight further out.")

_add(
    KernelSpec(
        "box_blur",
        "Box blur",
        "Blur",
        "Replaces each pixel by the plain average of a square around it.",
        "Every cell of an N × N square gets the same weight 1/(N × N), so the output is the average of the "
        "square. The weights add up to 1, so brightness is kept, but detail smaller than the square disappears. "
        "Because all neighbours count equally, bright points become little squares.",
        _box,
        (Param("size", "Size (pixels)", 3, 1, 31, 1, integer=True),),
    )
)
_add(
    KernelSpec(
        "gaussian",
        "Gaussian blur",
        "Blur",
        "A smooth, natural-looking blur with a bell-shaped weighting.",
        "Weights follow a bell curve: the centre counts most and the weight fades smoothly with distance, "
        "controlled by sigma. They are scaled to add up to 1, so brightness is kept. Because there is no sharp "
        "cut-off, bright points become soft round blobs instead of squares. Make the size about 6 × sigma to "
        "hold the whole bell.",
        _gaussian,
        (_SIZE, _SIGMA),
    )
)
_add(
    KernelSpec(
        "motion_blur",
        "Motion blur",
        "Blur",
        "Smears the photo along a line, as if the camera moved.",
        "The weights lie on a straight line of the chosen length and angle (0 degrees = horizontal, turning "
        "counter-clockwise) and add up to 1, so each output pixel is the average of the pixels along that line: "
        "exactly what a camera records when it moves that far during the exposure. The line is drawn "
        "anti-aliased so every angle looks smooth.",
        _motion,
        (
            Param("length", "Length (pixels)", 9.0, 1.0, 31.0, 0.5),
            Param("angle", "Angle (degrees)", 0.0, -180.0, 180.0, 1.0),
        ),
    )
)
_add(
    KernelSpec(
        "unsharp_mask",
        "Unsharp mask",
        "Sharpen",
        "The photographer's sharpening: adds back the detail a blur removes.",
        "A Gaussian blur keeps only the coarse shapes, so photo minus blur is the fine detail. Adding that detail "
        "back 'amount' times makes it stronger: kernel = identity + amount × (identity − Gaussian). The weights "
        "add up to 1, so flat areas do not change. 'Radius' is the blur's sigma: small radii sharpen fine "
        "texture, large ones boost local contrast.",
        _unsharp,
        (Param("amount", "Amount", 1.0, 0.0, 5.0, 0.1), Param("radius", "Radius (sigma, pixels)", 1.0, 0.3, 5.0, 0.1)),
    )
)
_add(
    KernelSpec(
        "highpass_box",
        "High-pass (box)",
        "Edges",
        "Keeps only fine detail: the photo minus its box blur.",
        "The box blur keeps the slow changes in brightness; subtracting it from the photo leaves what changes "
        "quickly: edges and texture. The weights add up to 0, so flat areas give 0; the suggested offset of "
        "127.5 shows them mid-grey, with details brighter or darker around it.",
        lambda size: _identity_like(size) - _box(size),
        (Param("size", "Size (pixels)", 3, 1, 31, 1, integer=True),),
        offset=127.5,
    )
)
_add(
    KernelSpec(
        "highpass_gaussian",
        "High-pass (Gaussian)",
        "Edges",
        "Keeps only fine detail: the photo minus its Gaussian blur.",
        "Like the box high-pass, but subtracting a Gaussian blur, which removes the coarse shapes without "
        "square artefacts. The weights add up to 0; the suggested offset of 127.5 shows flat areas mid-grey.",
        lambda size, sigma: _identity_like(size) - _gaussian(size, sigma),
        (_SIZE, _SIGMA),
        offset=127.5,
    )
)
for _n, _how in ((4, "above, below, left and right"), (8, "all round, diagonals included")):
    _add(
        KernelSpec(
            f"laplacian_{_n}",
            f"Laplacian ({_n} neighbours)",
            "Edges",
            f"Measures how a pixel differs from its {_n} neighbours, in every direction.",
            f"The neighbours {_how} are added and the centre subtracted {_n} times: the result is 0 on flat areas "
            "and on smooth ramps, and large only where brightness bends, i.e. at edges and fine detail (it is "
            "the discrete second derivative). Each edge gives a pair of responses of opposite sign, so the "
            "suggested offset of 127.5 shows 0 as mid-grey and both sides of the edge.",
            lambda _k=_LAPLACIAN[_n]: _k.copy(),
            offset=127.5,
        )
    )
for _n in (4, 8):
    _add(
        KernelSpec(
            f"ridge_{_n}",
            f"Ridge / edge detection ({_n} neighbours)",
            "Edges",
            "Lights up thin lines and edges that are brighter than their surroundings.",
            f"The classic 'edge detection' kernel: the centre counts {_n} and its {_n} neighbours -1 each (the "
            "Laplacian turned upside down). The weights add up to 0, so flat areas turn black and only pixels "
            "brighter than their neighbours, such as thin bright lines and the bright side of edges, light up.",
            lambda _k=_LAPLACIAN[_n]: -_k,
        )
    )
_add(
    KernelSpec(
        "log",
        "Laplacian of Gaussian",
        "Edges",
        "Finds edges and blobs of a chosen size, ignoring fine noise.",
        "A Gaussian blur first removes detail smaller than sigma, then a Laplacian finds where brightness bends; "
        "both steps are combined in one 'Mexican hat' shaped kernel (negative centre, positive ring). It is "
        "made to add up to exactly 0 so flat areas give 0, and scaled like the 4-neighbour Laplacian. The "
        "suggested offset of 127.5 shows flat areas mid-grey. Make the size about 6 × sigma or more.",
        _log,
        (Param("size", "Size (pixels)", 9, 3, 31, 1, integer=True), Param("sigma", _SIGMA.label, 1.4, 0.3, 10.0, 0.1)),
        offset=127.5,
    )
)
for _family, _top, _weights in (
    (
        "prewitt",
        np.array([[1, 1, 1], [0, 0, 0], [-1, -1, -1]], float),
        "weights 1, 1, 1: all three cells count equally, where the Sobel counts the middle one twice",
    ),
    (
        "scharr",
        np.array([[3, 10, 3], [0, 0, 0], [-3, -10, -3]], float),
        "weights 3, 10, 3, chosen so the response depends less on the edge's angle than the Sobel's",
    ),
):
    for _d in _SIDES:
        _add(
            KernelSpec(
                f"{_family}_{_d}",
                f"{_d.capitalize()} {_family.capitalize()}",
                "Edges",
                _edge_summary(_d),
                _edge_explanation(_d, _family.capitalize(), _weights),
                lambda _top=_top, _d=_d: _turn(_top, _d),
            )
        )
_add(
    KernelSpec(
        "gabor",
        "Gabor",
        "Texture",
        "Responds to stripes of one direction and spacing, like cells in the eye.",
        "A wave of stripes (one period = 'wavelength' pixels, turned by 'angle') fades out under a bell curve "
        "of width sigma. Where the photo has stripes of the same direction and spacing the products all add up "
        "and the response is strong; elsewhere they cancel. 'Aspect' below 1 makes the stripes longer. The "
        "kernel is made zero-mean so flat areas give 0 (shown mid-grey by the suggested offset of 127.5), and "
        "its positive weights add up to 1. Banks of such filters model the brain's first visual cortex and "
        "the first layer of many trained CNNs.",
        _gabor,
        (
            Param("theta", "Angle (degrees)", 0.0, 0.0, 180.0, 1.0),
            Param("sigma", _SIGMA.label, 3.0, 1.0, 10.0, 0.1),
            Param("wavelength", "Wavelength (pixels)", 8.0, 2.0, 30.0, 0.5),
            Param("aspect", "Aspect (gamma)", 0.5, 0.1, 2.0, 0.05),
            Param("size", "Size (pixels)", 21, 3, 31, 1, integer=True),
        ),
        offset=127.5,
    )
)
_add(
    KernelSpec(
        "emboss_angle",
        "Emboss (any angle)",
        "Stylise",
        "Emboss with the light coming from the angle you choose.",
        "Neighbours on the side the light comes from are subtracted and those on the far side added, in "
        "proportion to how far along the light's direction they sit; the centre keeps weight 1 so the weights "
        "add up to 1 and flat areas keep their brightness. Angles: 0 = light from the right, 90 = from above, "
        "counter-clockwise; 135 degrees at strength 1 is exactly the classic emboss.",
        _emboss_angle,
        (
            Param("angle", "Light from (degrees)", 135.0, -180.0, 180.0, 5.0),
            Param("strength", "Strength", 1.0, 0.0, 10.0, 0.1),
        ),
    )
)


def get(name: str) -> KernelSpec:
    """The catalogue entry called ``name`` (as in URLs, the CLI and kernel files).

    Parameters
    ----------
    name : str
        A key of ``CATALOGUE``, e.g. ``"gaussian"``; case matters.

    Returns
    -------
    KernelSpec

    Raises
    ------
    KernelError
        No kernel has that name (or it is not a string); the message lists the ones that exist.
    """
    try:
        return CATALOGUE[name]
    except (KeyError, TypeError):
        raise KernelError("catalogue_unknown_kernel", name=name, known=", ".join(CATALOGUE)) from None


def categories() -> dict[str, list[KernelSpec]]:
    """Entries grouped by category, for menus: categories and entries in catalogue order.

    Returns
    -------
    dict of str to list of KernelSpec
        A new dict on every call (changing it changes nothing in the catalogue).
    """
    groups: dict[str, list[KernelSpec]] = {}
    for spec in CATALOGUE.values():
        groups.setdefault(spec.category, []).append(spec)
    return groups
