"""The kernel lab page's parts: what a kernel's numbers say (gain, separability, symmetry, frequency response)
and the composition of two kernels checked on the photo.

The functions and the ``Composition`` above the line are pure (no Streamlit): texts, tables, the response chart
and the composition check. Those below draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from imgkernel.engine import Mode
from imgkernel.kernel_props import classify_response, dc_gain, frequency_response, separability, symmetries
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.mapping import signed_colormap

from . import cache, learn, wording
from .i18n import _
from .state import Photo

FREQ_SIZE = 48  # DFT size for the response plot (48 × 48 cells)
LAB_MODES: tuple[Mode, ...] = ("wrap", "reflect", "nearest", "constant")
COMPOSE_SIDE = 256  # long side of the photo used to demonstrate composition
FREQ_TICKS = [-0.5, -0.25, 0.0, 0.25]  # cycles per pixel


def class_text(kind: str) -> str:
    """What a kind of filter does, in the current language (``KeyError`` for an unknown kind)."""
    return {
        "low-pass": _("keeps smooth areas and removes fine detail and noise (it blurs)"),
        "high-pass": _("removes smooth areas and keeps edges and fine detail"),
        "high-boost": _("keeps smooth areas and amplifies edges and fine detail (it sharpens)"),
        "band-pass": _(
            "responds to one range of stripe spacings (textures), ignoring flat areas and the finest detail"
        ),
        "all-pass": _("treats every frequency about equally"),
        "mixed": _("has no simple low/high-pass shape"),
    }[kind]


def class_name(kind: str) -> str:
    """A kind of filter's name as shown."""
    names = {"low-pass": _("low-pass"), "high-pass": _("high-pass"), "high-boost": _("high-boost")}
    names |= {"band-pass": _("band-pass"), "all-pass": _("all-pass"), "mixed": _("mixed")}
    return names.get(kind, kind)


def symmetry_name(name: str) -> str:
    """A symmetry's name as shown (``imgkernel.kernel_props.symmetries``' keys)."""
    names = {"left-right": _("left-right"), "up-down": _("up-down"), "180-degree": _("180-degree")}
    names |= {"90-degree": _("90-degree"), "transpose": _("transpose")}
    names |= {"anti-symmetric (180)": _("anti-symmetric (180)")}
    return names.get(name, name)


# ------------------------------------------------------------------------------------------- pure (no Streamlit)
def gain_note(gain: float) -> str:
    """What the sum of weights does to flat areas."""
    if gain == 0:
        return _("The weights add up to 0: flat areas give 0, only changes show.")
    if abs(gain - 1) < 1e-9:
        return _("The weights add up to 1: flat areas keep their brightness.")
    return _("Flat areas are multiplied by {gain}; the divisor (or 'normalise') can undo that.", gain=wording.num(gain))


def separable_note(shape: tuple[int, int]) -> str:
    """The saving of a separable kernel of ``shape`` (rows, columns): two 1-D passes instead of one 2-D one."""
    rows, cols = shape
    return _(
        "Separable: the kernel is a column times a row, so it can be applied as two 1-D passes "
        "({cols} + {rows} multiplications per pixel instead of {cells}).",
        cols=cols,
        rows=rows,
        cells=rows * cols,
    )


def factor_table(label: str, values: np.ndarray) -> pd.DataFrame:
    """A 1-D factor as one labelled row of numbers in words."""
    return pd.DataFrame({label: [wording.num(v) for v in values]}).T


def symmetry_table(sym: dict[str, bool]) -> pd.DataFrame:
    """One row per symmetry: yes or no."""
    return pd.DataFrame(
        {_("symmetric?"): [_("yes") if v else _("no") for v in sym.values()]}, index=[symmetry_name(s) for s in sym]
    )


def response_heading(kind: str) -> str:
    return _("**Frequency response: {kind}** — it {does}.", does=class_text(kind), kind=class_name(kind))


def response_cells(kernel: np.ndarray, size: int = FREQ_SIZE) -> pd.DataFrame:
    """One row per frequency: horizontal and vertical (cycles/pixel, rounded to 3 decimals) and |gain|."""
    mag, f = frequency_response(kernel, size)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    return pd.DataFrame(
        {"horizontal": np.round(fx.ravel(), 3), "vertical": np.round(fy.ravel(), 3), "gain": mag.ravel()}
    )


def response_chart(kernel: np.ndarray) -> alt.Chart:
    """The frequency response as a heat map, the highest vertical frequencies on top; described in words for
    screen readers (the chart's accessible name)."""
    cells = response_cells(kernel)
    about = wording.response_description(
        class_name(classify_response(kernel)), cells["gain"].to_numpy(), abs(dc_gain(kernel))
    )
    return (
        alt.Chart(cells, description=about)
        .mark_rect()
        .encode(
            x=alt.X(
                "horizontal:O",
                title=_("horizontal frequency (cycles/pixel)"),
                axis=alt.Axis(values=FREQ_TICKS, labelAngle=0),
            ),
            y=alt.Y("vertical:O", title=_("vertical frequency"), sort="descending", axis=alt.Axis(values=FREQ_TICKS)),
            color=alt.Color("gain:Q", scale=alt.Scale(scheme="viridis"), title=_("|gain|")),
            tooltip=[
                alt.Tooltip("horizontal", title=_("horizontal")),
                alt.Tooltip("vertical", title=_("vertical")),
                alt.Tooltip("gain:Q", format=".3f", title=_("|gain|")),
            ],
        )
        .properties(width=300, height=300)
        .configure(**wording.CHART_CONFIG)
    )


def fits(kernel: np.ndarray, image: np.ndarray) -> bool:
    """Whether ``kernel`` is no longer than ``image``'s shorter side."""
    return max(kernel.shape) <= min(image.shape)


@dataclass(frozen=True)
class Composition:
    """A then B against A ∗ B once, on one image with one border mode."""

    twice: np.ndarray  # correlate with A, then the result with B
    once: np.ndarray  # correlate once with A ∗ B
    margin: tuple[int, int]  # (rows, columns) per side left out of ``interior``: half the combined kernel, + 1
    largest: float  # largest |once − twice| over the whole image
    interior: float  # the same away from the border (0 when nothing is left)

    @property
    def scale(self) -> float:
        """The colour scale the two results share (at least 1)."""
        return max(1.0, float(np.abs(self.twice).max()))

    @property
    def diff_limit(self) -> float:
        """The difference picture's colour scale: its largest value (at least 1e-3)."""
        return max(self.largest, 1e-3)


def compose_check(x: np.ndarray, a: np.ndarray, b: np.ndarray, combined: np.ndarray, mode: Mode) -> Composition:
    """Filter ``x`` with ``a`` then ``b``, and once with ``combined`` (``compose(a, b)``), and compare."""
    twice = imgkernel.correlate(imgkernel.correlate(x, a, mode=mode), b, mode=mode)
    once = imgkernel.correlate(x, combined, mode=mode)
    diff = np.abs(once - twice)
    m_h, m_w = combined.shape[0] // 2 + 1, combined.shape[1] // 2 + 1
    interior = diff[m_h:-m_h, m_w:-m_w]
    return Composition(twice, once, (m_h, m_w), float(diff.max()), float(interior.max()) if interior.size else 0.0)


def border_note(mode: str, margin: tuple[int, int]) -> str:
    """Why the two may differ near the border, for ``mode``."""
    if mode == "wrap":
        return _(
            "With 'wrap' the photo is treated as periodic, so there is no border at all: the two agree "
            "everywhere up to float32 rounding."
        )
    m_h, m_w = margin
    return _(
        "With '{mode}' the second pass pads the *first pass's result*, not the photo, so pixels within "
        "half the combined kernel of the border ({rows} rows, {cols} columns) can differ; the interior "
        "agrees up to float32 rounding.",
        mode=wording.mode_name(mode),
        rows=m_h - 1,
        cols=m_w - 1,
    )


# ------------------------------------------------------------------------------------------------ Streamlit parts
def kernel_facts(title: str, k: np.ndarray) -> None:
    """The kernel's heat map, sum of weights, rank, separability (with its two factors) and symmetries."""
    st.altair_chart(learn.kernel_heatmap(k, title=f"{title} · {learn.kernel_size(k)}", name=title), width="content")
    gain = dc_gain(k)
    sep = separability(k)
    c1, c2 = st.columns(2)
    c1.metric(
        _("Sum of weights (DC gain)"),
        wording.num(gain),
        help=_("How a flat area's brightness is multiplied: 1 keeps it, 0 turns it black (edge finders)."),
    )
    c2.metric(_("Rank"), sep.rank, help=_("1 = separable; otherwise the least number of separable kernels it sums."))
    st.caption(gain_note(gain))
    if sep.column is not None and sep.row is not None:  # separable: the kernel is outer(column, row)
        st.success(separable_note((k.shape[0], k.shape[1])))
        st.dataframe(factor_table(_("column factor"), sep.column))
        st.dataframe(factor_table(_("row factor"), sep.row))
    else:
        st.info(_("Not separable (rank {rank}): no column × row gives this kernel.", rank=sep.rank))
    st.markdown(_("**Symmetry**"))
    st.table(symmetry_table(symmetries(k)))


def frequency_panel(k: np.ndarray) -> None:
    """The kind of filter the kernel is, and its frequency response as a heat map."""
    st.markdown(response_heading(classify_response(k)))
    st.altair_chart(response_chart(k), width="content")
    st.caption(
        _(
            "Magnitude of the kernel's 2-D Fourier transform (zero-padded to {n} × {n}): the centre is a flat "
            "area (its value is |sum of weights|), the edges are the finest stripes a photo can hold (0.5 cycles "
            "per pixel). Bright centre = low-pass.",
            n=FREQ_SIZE,
        )
    )


def composed_kernels(a: np.ndarray, b: np.ndarray, combined: np.ndarray) -> None:
    """A, B and A ∗ B as heat maps in a row."""
    g1, g2, g3 = st.columns([1, 1, 2])
    g1.altair_chart(learn.kernel_heatmap(a, title=f"A · {learn.kernel_size(a)}", name="A"), width="content")
    g2.altair_chart(learn.kernel_heatmap(b, title=f"B · {learn.kernel_size(b)}", name="B"), width="content")
    g3.altair_chart(
        learn.kernel_heatmap(combined, title=f"A ∗ B · {learn.kernel_size(combined)}", name="A ∗ B"), width="content"
    )


def compose_input(photo: Photo) -> np.ndarray:
    """The photo the composition is shown on: gray, float32, at most ``COMPOSE_SIDE`` on its long side."""
    return imgkernel.to_gray(cache.preview(photo, COMPOSE_SIDE).pixels).astype(np.float32)


def composition_alts(c: Composition, names: tuple[str, str] = ("A", "B")) -> tuple[str, str, str]:
    """The three pictures' text alternatives: A then B, A ∗ B once, their difference (size and values of each)."""
    a, b = names
    h, w = c.twice.shape[:2]
    diff = c.once - c.twice
    return (
        wording.alt_signed(
            _("The photo in grey filtered with {a}, then with {b}", a=a, b=b), w, h, c.twice.min(), c.twice.max()
        ),
        wording.alt_signed(
            _("The photo in grey filtered once with {a} ∗ {b}", a=a, b=b), w, h, c.once.min(), c.once.max()
        ),
        wording.alt_signed(_("The difference of the two"), w, h, diff.min(), diff.max()),
    )


def composition_results(c: Composition, mode: str, names: tuple[str, str] = ("A", "B")) -> None:
    """A then B, A ∗ B once and their difference; the largest differences; why the border may differ. ``names``:
    the titles of A and B, for the pictures' text alternatives."""
    alts = composition_alts(c, names)
    i1, i2, i3 = st.columns(3)
    i1.image(
        signed_colormap(c.twice, limit=c.scale),
        caption=_("A, then B"),
        width="stretch",
        output_format="PNG",
        alt=alts[0],
    )
    i2.image(
        signed_colormap(c.once, limit=c.scale),
        caption=_("A ∗ B once"),
        width="stretch",
        output_format="PNG",
        alt=alts[1],
    )
    i3.image(
        signed_colormap(c.once - c.twice, limit=c.diff_limit),
        caption=_("difference (full colour at ±{limit})", limit=f"{c.diff_limit:.1e}"),
        width="stretch",
        output_format="PNG",
        alt=alts[2],
    )
    d1, d2 = st.columns(2)
    d1.metric(_("Largest difference, whole image"), f"{c.largest:.2e}")
    d2.metric(_("Largest difference, away from the border"), f"{c.interior:.2e}")
    st.caption(border_note(mode, c.margin))


def open_button(combined: np.ndarray, name: str) -> None:
    """A button opening ``combined`` in the playground as the custom kernel ``name`` (when it fits there)."""
    if max(combined.shape) > MAX_KERNEL_SIDE:
        st.caption(_("A ∗ B is too big for the playground (at most {n} × {n} cells).", n=MAX_KERNEL_SIDE))
    elif st.button(
        _("Open A ∗ B in the playground"),
        key="lab_use",
        help=_(
            "The playground then filters with “{name}” as a custom kernel (editable in its grid); its "
            "divisor and offset stay as they are.",
            name=name,
        ),
    ):
        learn.open_matrix(combined, name)
