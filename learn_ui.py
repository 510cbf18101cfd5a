"""Small Streamlit helpers shared by the Learn pages (on top of ``ui``'s session contract)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
import ui

CURRENT = "__current__"


def spec_choice(spec: imgkernel.KernelSpec, settings: imgkernel.Settings) -> ui.KernelChoice:
    """A catalogue preset at its defaults, with its suggested divisor/offset on top of ``settings``."""
    return ui.KernelChoice(spec.name, spec.title, spec.defaults(), spec.matrix(),
                           settings.with_(divisor=spec.divisor, offset=spec.offset, normalise=False, mean=False))


def open_in_playground(spec: imgkernel.KernelSpec) -> None:
    """Make ``spec`` the current kernel and go to the playground (or say so when it is not there)."""
    ui.set_kernel(spec_choice(spec, ui.current_kernel().settings))
    try:
        st.switch_page("pages/playground.py")
    except st.errors.StreamlitAPIException:
        st.session_state["learn_notice"] = f"{spec.title} is now the current kernel; open the Playground to edit it."
        st.rerun()


def show_notice() -> None:
    """A one-off message left by ``open_in_playground`` when the playground page is missing."""
    notice = st.session_state.pop("learn_notice", None)
    if notice:
        st.info(notice)


def kernel_picker(label: str, key: str, default: str = CURRENT) -> tuple[str, np.ndarray]:
    """A selectbox of "the current kernel" plus every catalogue kernel (at its defaults): (title, matrix)."""
    current = ui.current_kernel()
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
