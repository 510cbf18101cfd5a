"""The kernel catalogue: every named kernel defined once, as data plus a factory.

The app, the CLI and the tests all read this module; nothing else spells out a preset's values.
Default values of the first six families are setosa.io's (which the original package copied).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from .engine import KernelError


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

    def coerce(self, value: object) -> float | int:
        """The value as a number within range, or a ``KernelError`` saying what is allowed."""
        try:
            v = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise KernelError(f"{self.label} must be a number (got {value!r}).") from None
        if not math.isfinite(v) or not self.min <= v <= self.max:
            raise KernelError(f"{self.label} must be between {self.min:g} and {self.max:g} (got {value!r}).")
        if self.integer:
            if v != int(v):
                raise KernelError(f"{self.label} must be a whole number (got {value!r}).")
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
    divisor: float = 1.0  # suggested display divisor/offset (e.g. mid-grey for edge finders)
    offset: float = 0.0
    tags: tuple[str, ...] = field(default=())

    def defaults(self) -> dict[str, float | int]:
        return {p.name: p.default for p in self.params}

    def matrix(self, params: Mapping[str, object] | None = None) -> np.ndarray:
        """The kernel for ``params`` (missing ones take their defaults), as float64."""
        given = dict(params or {})
        unknown = set(given) - {p.name for p in self.params}
        if unknown:
            raise KernelError(f"{self.title} has no parameter {', '.join(sorted(unknown))}.")
        values = {p.name: p.coerce(given.get(p.name, p.default)) for p in self.params}
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


def sobel_matrix(direction: str, base: float = 2.0) -> np.ndarray:
    """Sobel for ``direction`` in top/bottom/left/right: ``base`` on the edge, ``base/2`` in the corners."""
    edge, corner = base, base / 2
    top = np.array([[corner, edge, corner], [0, 0, 0], [-corner, -edge, -corner]], float)
    turns = {"top": top, "bottom": top[::-1], "left": top.T, "right": top.T[:, ::-1]}
    return turns[direction].copy()


_SOBEL_BASE = Param("base", "Edge weight", 2.0, -10.0, 10.0, 0.1, help="Corners get half of it.")

CATALOGUE: dict[str, KernelSpec] = {}


def _add(spec: KernelSpec) -> None:
    CATALOGUE[spec.name] = spec


_add(KernelSpec(
    "identity", "Identity", "Basics", "Leaves the photo unchanged.",
    "Only the centre weight is non-zero, so every output pixel is a copy of the input pixel under it. "
    "Raising the centre above 1 brightens, below 1 darkens.",
    _identity, (Param("iden", "Centre weight", 1.0, -10.0, 10.0, 0.1),),
))
_add(KernelSpec(
    "sharpen", "Sharpen", "Sharpen", "Makes differences between neighbours stronger.",
    "The centre counts five times and its four neighbours are subtracted once each. On flat areas the "
    "weights add up to 1 and nothing changes; where a pixel differs from its neighbours the difference "
    "is exaggerated, so edges and texture look crisper.",
    _sharpen, (Param("inner", "Centre weight", 5.0, -10.0, 20.0, 0.1),
               Param("edge", "Neighbour weight", -1.0, -10.0, 10.0, 0.05)),
))
_add(KernelSpec(
    "blur", "Blur (3x3 Gaussian)", "Blur", "Softens the photo by averaging each pixel with its neighbours.",
    "Each output pixel is a weighted average: the centre counts most, the edges half as much, the corners "
    "a quarter. The weights add up to 1, so brightness is kept while fine detail is smoothed away.",
    _blur, (Param("inner", "Centre weight", 0.25, -1.0, 1.0, 0.0125),
            Param("edge", "Edge weight", 0.125, -1.0, 1.0, 0.0125),
            Param("corner", "Corner weight", 0.0625, -1.0, 1.0, 0.0125)),
))
_add(KernelSpec(
    "emboss", "Emboss", "Stylise", "Makes the photo look carved, lit from the top left.",
    "Pixels up-left of the centre are subtracted and those down-right are added, so a brightness step in "
    "that direction becomes a highlight or a shadow; flat areas keep their value because the weights add "
    "up to 1.",
    _emboss, (Param("diag", "Diagonal weight", 2.0, -10.0, 10.0, 0.1),
              Param("iden", "Centre and side weight", 1.0, -10.0, 10.0, 0.1)),
))
_add(KernelSpec(
    "outline", "Outline", "Edges", "Finds edges in every direction; flat areas turn black.",
    "The centre counts 8 and its eight neighbours -1 each: the weights add up to 0, so a flat area gives "
    "0 (black) and only places that differ from their surroundings light up.",
    _outline, (Param("inner", "Centre weight", 8.0, -20.0, 20.0, 0.1),
               Param("outer", "Neighbour weight", -1.0, -10.0, 10.0, 0.05)),
))
for _d, _what in (("top", "brighter above than below"), ("bottom", "brighter below than above"),
                  ("left", "brighter on the left than on the right"),
                  ("right", "brighter on the right than on the left")):
    _add(KernelSpec(
        f"sobel_{_d}", f"{_d.capitalize()} Sobel", "Edges", f"Lights up edges where the photo is {_what}.",
        "One side of the kernel is added and the opposite side subtracted, with the middle row counted "
        "twice: the output is large where brightness changes in that direction and 0 on flat areas. "
        "Negative responses (the opposite edge) are clipped to black unless you show absolute values.",
        lambda base, _d=_d: sobel_matrix(_d, base), (_SOBEL_BASE,),
    ))


def get(name: str) -> KernelSpec:
    """The catalogue entry called ``name``, or a ``KernelError`` listing what exists."""
    try:
        return CATALOGUE[name]
    except (KeyError, TypeError):
        raise KernelError(f"No kernel called {name!r}; known kernels: {', '.join(CATALOGUE)}.") from None


def categories() -> dict[str, list[KernelSpec]]:
    """Entries grouped by category, in catalogue order."""
    groups: dict[str, list[KernelSpec]] = {}
    for spec in CATALOGUE.values():
        groups.setdefault(spec.category, []).append(spec)
    return groups
