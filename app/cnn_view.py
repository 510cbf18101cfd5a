"""The CNN layer page's parts: the layer run step by step with its shapes, and feature maps drawn readable.

Shapes follow PyTorch's convention, channels × height × width ("C × H × W"), and say so; the size of one
map or picture is written width × height in pixels, as everywhere else in the app.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from imgkernel.learn.layers import Padding, conv_layer, layer_output_size, padding_amounts, pool2d, relu
from imgkernel.learn.walkthrough import enlarge
from imgkernel.mapping import signed_colormap

from . import cache, wording
from .i18n import _, using
from .learn import kernel_size

COLUMNS = 3  # feature maps per row
MAP_SIDE = 480  # feature maps are enlarged by a whole factor to at least this long side (px)
SHAPE = "shape (C × H × W)"  # the steps table's shape column


def same_rule() -> str:
    """How 'same' padding splits its zeros, in the current language."""
    return _(
        "'same' padding follows TensorFlow/Keras, JAX, ONNX (SAME_UPPER) and PyTorch: each output side keeps "
        "ceil(n / s) pixels, and when the padding needed is odd the extra pixel goes after the image (bottom, right)."
    )


with using("en"):
    SAME_RULE = same_rule()


def padding_name(padding: str) -> str:
    """A padding's or pooling's name as shown (the library's identifiers)."""
    names = {"valid": _("valid"), "same": _("same"), "full": _("full")}
    names |= {"none": _("none"), "max": _("max"), "average": _("average")}
    return names.get(padding, padding)


def bank_title(title: str, name: str | None) -> str:
    """A kernel of the bank as shown: a preset's title, "Gabor 45°", "Random #2" in the current language."""
    if name is not None:
        return wording.kernel_title(name, title)
    if title.startswith("Random #"):
        return _("Random #{n}", n=title.removeprefix("Random #"))
    return title


@dataclass(frozen=True)
class Layer:
    """The layer's settings, as the sidebar chose them."""

    stride: int = 1
    padding: Padding = "same"
    dilation: int = 1
    bias: float = 0.0
    relu: bool = True
    pool: str = "none"  # "none" or one of imgkernel.learn.layers.POOLS
    pool_size: int = 2
    pool_stride: int = 2


@dataclass(frozen=True)
class Run:
    """What the layer made: the maps before ReLU, the maps shown (after ReLU and pooling) and one row per step."""

    maps: np.ndarray
    shown: np.ndarray
    steps: list[dict[str, str]]
    pads: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))  # zeros added (top, bottom), (left, right)


def _shape(c: int, h: int, w: int) -> str:
    return f"{c} × {h} × {w}"


def _formula(n: int, k: int, p: tuple[int, int], s: int, d: int = 1) -> str:
    """The output-size formula with the numbers filled in (padding before + after), and its result."""
    before, after = p
    pads = f"2·{before}" if before == after else f"{before} + {after}"
    inner = f"{n} + {pads} − {d}·({k}−1) − 1" if before or after or d > 1 else f"{n} − {k}"
    return f"floor(({inner}) / {s}) + 1 = {layer_output_size(n, k, p, s, d)}"


def _pixels(n: int) -> str:
    return _("{n} pixel", n=n) if n == 1 else _("{n} pixels", n=n)


def padding_note(pads: tuple[tuple[int, int], tuple[int, int]], padding: Padding) -> str:
    """The zeros this layer adds on each side, in words (rows above and below, columns left and right)."""
    (top, bottom), (left, right) = pads
    if not (top or bottom or left or right):
        return _("Padding '{padding}': no zeros are added.", padding=padding_name(padding))
    return _(
        "Padding '{padding}' adds zeros: {top} above and {bottom} below, {left} left and {right} right.",
        padding=padding_name(padding),
        top=_pixels(top),
        bottom=_pixels(bottom),
        left=_pixels(left),
        right=_pixels(right),
    )


def run_layer(x: np.ndarray, bank: np.ndarray, layer: Layer, source: str) -> Run:
    """Conv (+ bias), ReLU and pooling on ``x`` (H, W[, C]); ``KernelError`` when the settings do not fit."""
    h, w = x.shape[:2]
    n, k_h, k_w = bank.shape
    p_h = padding_amounts(h, k_h, layer.padding, layer.stride, layer.dilation)
    p_w = padding_amounts(w, k_w, layer.padding, layer.stride, layer.dilation)
    maps = conv_layer(x, bank, layer.bias, stride=layer.stride, padding=layer.padding, dilation=layer.dilation)

    def row(step: str, a: np.ndarray | tuple[int, int, int], how: str) -> dict[str, str]:
        c, mh, mw = a.shape if isinstance(a, np.ndarray) else a
        return {
            _("step"): step,
            _("shape (C × H × W)"): _shape(c, mh, mw),
            _("each map"): wording.size(mw, mh),
            _("how"): how,
        }

    steps = [
        row(_("input"), (x.shape[2] if x.ndim == 3 else 1, h, w), source),
        row(
            _("conv, {n} kernels of {size}", n=n, size=kernel_size(bank[0])),
            maps,
            f"H: {_formula(h, k_h, p_h, layer.stride, layer.dilation)} · "
            f"W: {_formula(w, k_w, p_w, layer.stride, layer.dilation)}",
        ),
    ]
    shown = maps
    if layer.relu:
        shown = relu(maps)
        negatives = int(np.count_nonzero(maps < 0))
        steps.append(
            row(
                "ReLU",
                shown,
                _(
                    "{negatives} of {total} values were negative and became 0 ({share})",
                    negatives=f"{negatives:,}",
                    total=f"{maps.size:,}",
                    share=f"{negatives / maps.size:.0%}",
                ),
            )
        )
    if layer.pool != "none":
        size, stride = layer.pool_size, layer.pool_stride
        _c, in_h, in_w = shown.shape
        shown = pool2d(shown, size, stride, layer.pool)
        steps.append(
            row(
                _(
                    "{pool} pool {size} × {size}, stride {stride}",
                    pool=padding_name(layer.pool),
                    size=size,
                    stride=stride,
                ),
                shown,
                f"H: {_formula(in_h, size, (0, 0), stride)} · W: {_formula(in_w, size, (0, 0), stride)}",
            )
        )
    return Run(maps, shown, steps, (p_h, p_w))


def display_limit(maps: np.ndarray) -> float:
    """The shared colour scale: the 99.5th percentile of |value|, so a few huge responses (e.g. where zero padding
    meets a bright border) do not wash every map out."""
    return float(np.percentile(np.abs(maps), 99.5)) or float(np.abs(maps).max()) or 1.0


def readable(image: np.ndarray, side: int = MAP_SIDE) -> np.ndarray:
    """``image`` enlarged by the smallest whole factor that gives it a long side of at least ``side`` pixels."""
    return enlarge(image, max(1, -(-side // max(image.shape[:2]))))


def legend(limit: float, after_relu: bool) -> None:
    """What the colours mean and the values they stand for (no blue after ReLU: nothing is negative)."""
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.image(
        cache.colour_scale(not after_relu),
        caption=wording.signed_legend(limit, signed=not after_relu),
        output_format="PNG",
        width="stretch",
        alt=wording.alt_scale(limit, signed=not after_relu),
    )
    negative, zero, positive = wording.colours()
    pos, zero_c, neg = (c.capitalize() for c in (positive, zero, negative))
    right.caption(
        _("**{colour}**: the input looks like the kernel there (positive response). ", colour=pos)
        + ("" if after_relu else _("**{colour}**: it looks like the kernel's opposite (negative). ", colour=neg))
        + _(
            "**{colour}**: no response (0). Values beyond {limit} (the 99.5th percentile of |value| over these "
            "maps) show at full colour.",
            colour=zero_c,
            limit=f"{'' if after_relu else '±'}{wording.num(limit)}",
        )
        + (_(" After ReLU nothing is negative, so there is no {colour}.", colour=negative) if after_relu else "")
    )


def map_grid(maps: np.ndarray, titles: list[str], *, after_relu: bool, kind: str = "") -> None:
    """Feature maps on one shared colour scale (so strengths compare), enlarged with crisp pixels, each captioned
    with its kernel and its size, under a legend; each map's text alternative is "<kind> <title>", its size and
    its values."""
    kind = kind or _("Feature map of")
    limit = display_limit(maps)
    legend(limit, after_relu)
    for start in range(0, len(maps), COLUMNS):
        for col, m, title in zip(
            st.columns(COLUMNS), maps[start : start + COLUMNS], titles[start : start + COLUMNS], strict=False
        ):
            col.image(
                readable(signed_colormap(m, limit=limit)),
                output_format="PNG",
                width="stretch",
                caption=f"{title} · {wording.size(m.shape[1], m.shape[0])}",
                alt=wording.alt_signed(
                    _("{kind} {title}", kind=kind, title=title), m.shape[1], m.shape[0], float(m.min()), float(m.max())
                ),
            )
