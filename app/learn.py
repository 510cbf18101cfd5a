"""Small Streamlit helpers shared by the Learn pages: they read and change the playground's one state."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from imgkernel.mapping import signed_colormap

from . import i18n, session, wording
from .i18n import _
from .panels import pictures
from .state import PlaygroundState, choose_preset, load_kernel

CURRENT = "__current__"
PLAYGROUND = "pages/playground.py"
HEATMAP_FONT = 12  # px, the numbers written in a kernel heat map's cells
HEATMAP_MIN_CELL = 36  # px, the smallest cell (a number in it stays easy to read)
HEATMAP_WIDTH = 420  # px, the widest a heat map with numbers gets before they lose digits
TEXT_DARK = (38, 39, 48)  # Streamlit's text colour
TEXT_LIGHT = (255, 255, 255)


def open_in_playground(change: Callable[[PlaygroundState], PlaygroundState], what: str) -> None:
    """Apply ``change`` to the playground's state and go there (or say so when the page is missing)."""
    session.apply(change)
    try:
        st.switch_page(PLAYGROUND)
    except st.errors.StreamlitAPIException:
        st.session_state["learn_notice"] = _(
            "{what} is now the current kernel; open the Playground to edit it.", what=what
        )
        # Needed (only when a page runs on its own, without the app's navigation): the callers open from an
        # ``if st.button(...)`` in the page, after ``show_notice`` and the "Current kernel (…)" pickers were drawn
        # with the old state, so without this run the notice and the new kernel's name would wait for the
        # visitor's next click. It cannot move to an ``on_click``: ``st.switch_page`` is not allowed there.
        st.rerun()


def open_preset(spec: imgkernel.KernelSpec) -> None:
    """A catalogue kernel at its defaults and suggested divisor/offset, opened in the playground."""
    open_in_playground(lambda s: choose_preset(s, spec.name), wording.kernel_title(spec.name, spec.title))


def open_matrix(matrix: np.ndarray, title: str) -> None:
    """A kernel built on a Learn page, opened in the playground as a custom kernel (current scale kept)."""

    def change(s: PlaygroundState) -> PlaygroundState:
        return load_kernel(s, matrix, title=title, divisor=s.settings.divisor, offset=s.settings.offset, where="kernel")

    open_in_playground(change, title)


def show_notice() -> None:
    """A one-off message left by ``open_in_playground`` when the playground page is missing."""
    notice = st.session_state.pop("learn_notice", None)
    if notice:
        st.info(notice)


def kernel_picker(label: str, key: str, default: str = CURRENT) -> tuple[str, np.ndarray]:
    """A selectbox of "the current kernel" plus every catalogue kernel (at its defaults): (title, matrix)."""
    current = session.current()
    options = [CURRENT, *imgkernel.CATALOGUE]
    name = st.selectbox(
        label,
        options,
        index=options.index(default) if default in options else 0,
        key=key,
        persist_state="session",
        format_func=lambda n: (
            _("Current kernel ({kernel})", kernel=_current_title(current))
            if n == CURRENT
            else wording.kernel_title(n, imgkernel.get(n).title)
        ),
    )
    if name == CURRENT:
        return _current_title(current), np.asarray(current.matrix, dtype=np.float64)
    spec = imgkernel.get(name)
    return wording.kernel_title(spec.name, spec.title), spec.matrix()


def _current_title(state: PlaygroundState) -> str:
    """The playground's kernel as named there, in the visitor's language."""
    return pictures.title(state)


def kernel_size(matrix: np.ndarray) -> str:
    """A kernel's size as width × height (columns × rows), the order photo sizes are written in."""
    rows, cols = np.shape(matrix)[:2]
    return f"{cols} × {rows}"


def _hex(rgb: tuple[int, int, int] | np.ndarray) -> str:
    r, g, b = (int(v) for v in rgb)
    return f"#{r:02x}{g:02x}{b:02x}"


def _luminance(rgb: tuple[int, int, int] | np.ndarray) -> float:
    """WCAG relative luminance of an sRGB colour (0..255 per channel)."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast(a: tuple[int, int, int] | np.ndarray, b: tuple[int, int, int] | np.ndarray) -> float:
    """WCAG contrast ratio of two sRGB colours (1 to 21; AA asks 4.5 for text)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def text_colour(fill: tuple[int, int, int] | np.ndarray) -> str:
    """White or dark text, whichever has the higher WCAG contrast with the cell colour ``fill``."""
    return _hex(TEXT_LIGHT if contrast(TEXT_LIGHT, fill) >= contrast(TEXT_DARK, fill) else TEXT_DARK)


def heatmap_cells(matrix: np.ndarray, digits: int = wording.DISPLAY_DIGITS) -> pd.DataFrame:
    """One row per cell: 1-based row and column (as the playground's grid), weight, its label (``digits``
    significant digits at most), the cell's colour (the signed map: orange +, white 0, blue −, full colour at the
    largest |weight|), a text colour that stands out on it and the cell in words for screen readers."""
    k = np.asarray(matrix, dtype=np.float64)
    rows, cols = np.indices(k.shape)
    fill = signed_colormap(k, limit=float(np.abs(k).max()) or 1.0).reshape(-1, 3)
    return pd.DataFrame(
        {
            "row": rows.ravel() + 1,
            "column": cols.ravel() + 1,
            "weight": k.ravel(),
            "label": [wording.num(v, digits) for v in k.ravel()],
            "fill": [_hex(c) for c in fill],
            "text": [text_colour(c) for c in fill],
            "about": [
                f"{wording.at_row_col(int(r) + 1, int(c) + 1)}: {wording.num(v)}"
                for r, c, v in zip(rows.ravel(), cols.ravel(), k.ravel(), strict=True)
            ],
        }
    )


def heatmap_layout(matrix: np.ndarray, numbers: bool | None = None) -> tuple[int, int | None]:
    """(cell side in screen pixels, significant digits of the labels or None for no labels).

    Cells are made wide enough for their labels at ``HEATMAP_FONT``; when a wide kernel would not fit in
    ``HEATMAP_WIDTH`` the labels lose digits (4, then 3, then 2) and finally go (the tooltip still has them).
    """
    k = np.asarray(matrix, dtype=np.float64)
    side = max(k.shape)
    if numbers is not False:
        for digits in (wording.DISPLAY_DIGITS, 3, 2):
            longest = max(len(wording.num(v, digits)) for v in k.ravel())
            cell = max(HEATMAP_MIN_CELL, round(longest * HEATMAP_FONT * 0.62) + 8)
            if numbers or cell * side <= HEATMAP_WIDTH:
                return cell, digits
    return max(8, min(40, HEATMAP_WIDTH // side)), None


def kernel_heatmap(matrix: np.ndarray, *, title: str = "", name: str = "", numbers: bool | None = None) -> alt.Chart:
    """The kernel as coloured cells (orange positive, blue negative, white 0) with its values written in them.

    For screen readers the chart is named by a description of the kernel ``name`` (its size, colours and weights
    row by row when it is small) and each cell by its row, column and weight; the numbers written in the cells
    are hidden from them (the cells already say them). Kept per kernel, titles and language: building one took
    ~37 ms, and the Kernel lab draws four on every rerun."""
    k = np.ascontiguousarray(matrix, dtype=np.float64)
    return _kernel_heatmap(k.tobytes(), k.shape, title, name, numbers, i18n.lang())


@st.cache_resource(max_entries=64, show_spinner=False)
def _kernel_heatmap(
    data: bytes, shape: tuple[int, ...], title: str, name: str, numbers: bool | None, language: str
) -> alt.Chart:
    matrix = np.frombuffer(data, dtype=np.float64).reshape(shape)
    cell, digits = heatmap_layout(matrix, numbers)
    df = heatmap_cells(matrix, digits or wording.DISPLAY_DIGITS)
    base = alt.Chart(df, title=title).encode(
        x=alt.X("column:O", title=_("column"), axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("row:O", title=_("row")),
    )
    chart = base.mark_rect(stroke="#bbb").encode(
        color=alt.Color("fill:N", scale=None),
        tooltip=[
            alt.Tooltip("row", title=_("row")),
            alt.Tooltip("column", title=_("column")),
            alt.Tooltip("weight:Q", format=".6g", title=_("weight")),
        ],
        description="about:N",
    )
    if digits is not None:
        chart += base.mark_text(fontSize=HEATMAP_FONT, aria=False).encode(
            text="label:N", color=alt.Color("text:N", scale=None)
        )
    return chart.properties(
        width=alt.Step(cell), height=alt.Step(cell), description=wording.heatmap_description(matrix, name)
    ).configure(**wording.CHART_CONFIG)
