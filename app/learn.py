"""Small Streamlit helpers shared by the Learn pages: they read and change the playground's one state."""

from __future__ import annotations

from collections.abc import Callable

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel

from . import session
from .state import PlaygroundState, choose_preset, load_kernel

CURRENT = "__current__"
PLAYGROUND = "pages/playground.py"


def open_in_playground(change: Callable[[PlaygroundState], PlaygroundState], what: str) -> None:
    """Apply ``change`` to the playground's state and go there (or say so when the page is missing)."""
    session.apply(change)
    try:
        st.switch_page(PLAYGROUND)
    except st.errors.StreamlitAPIException:
        st.session_state["learn_notice"] = f"{what} is now the current kernel; open the Playground to edit it."
        st.rerun()


def open_preset(spec: imgkernel.KernelSpec) -> None:
    """A catalogue kernel at its defaults and suggested divisor/offset, opened in the playground."""
    open_in_playground(lambda s: choose_preset(s, spec.name), spec.title)


def open_matrix(matrix: np.ndarray, title: str) -> None:
    """A kernel built on a Learn page, opened in the playground as a custom kernel (current scale kept)."""
    def change(s: PlaygroundState) -> PlaygroundState:
        return load_kernel(s, matrix, title=title, divisor=s.settings.divisor, offset=s.settings.offset,
                           where="kernel")

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
        label, options, index=options.index(default) if default in options else 0, key=key,
        format_func=lambda n: f"Current kernel ({current.title})" if n == CURRENT else imgkernel.get(n).title,
    )
    if name == CURRENT:
        return current.title, np.asarray(current.matrix, dtype=np.float64)
    spec = imgkernel.get(name)
    return spec.title, spec.matrix()


def kernel_heatmap(matrix: np.ndarray, *, title: str = "", numbers: bool | None = None) -> alt.Chart:
    """The kernel as coloured cells (red positive, blue negative, white 0) with its values written in them."""
    k = np.asarray(matrix, dtype=np.float64)
    rows, cols = np.indices(k.shape)
    df = pd.DataFrame({"row": rows.ravel(), "column": cols.ravel(), "weight": k.ravel()})
    df["label"] = [f"{v:.3g}" for v in df["weight"]]
    limit = float(np.abs(k).max()) or 1.0
    base = alt.Chart(df, title=title).encode(
        x=alt.X("column:O", title=None, axis=alt.Axis(labelAngle=0)), y=alt.Y("row:O", title=None))
    cells = base.mark_rect(stroke="#bbb").encode(
        color=alt.Color("weight:Q", scale=alt.Scale(scheme="redblue", domain=[limit, -limit]), legend=None),
        tooltip=["row", "column", "weight"])
    side = max(k.shape)
    size = max(10, min(40, 360 // side))
    chart = cells
    if numbers if numbers is not None else side <= 11:
        chart = cells + base.mark_text(fontSize=max(8, min(13, size // 3))).encode(text="label:N")
    return chart.properties(width=alt.Step(size), height=alt.Step(size))
