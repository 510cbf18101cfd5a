"""The kernel picker and its parameter sliders, above the pictures so a slider and its result are seen together."""

from __future__ import annotations

import streamlit as st

import imgkernel

from .. import session, wording
from ..state import CUSTOM, PlaygroundState, back_to_preset, choose_preset, set_param


def slider_key(kernel: str, param: str) -> str:
    return f"pg_p_{kernel}_{param}"


def kernel_controls(state: PlaygroundState) -> None:
    k = state.kernel
    spec = imgkernel.CATALOGUE.get(k.preset)
    pick, sliders = st.columns([2, 3], gap="medium")
    with pick:
        custom_label = k.label if k.custom else "Custom · your own grid"
        st.selectbox(
            "Kernel",
            [*imgkernel.CATALOGUE, CUSTOM],
            format_func=lambda n: custom_label if n == CUSTOM else wording.preset_label(imgkernel.get(n)),
            **session.control(state, "kernel", "pg_preset", k.name, choose_preset),
            help="Presets grouped by what they do. Editing a cell of the grid turns the kernel into Custom.",
        )
        if k.custom:
            st.caption("Your own weights: edit any cell, resize the grid, or load a kernel file.")
            if spec is not None:
                st.button(
                    f"Back to {spec.title}",
                    key="pg_back",
                    on_click=session.act,
                    args=(back_to_preset,),
                    help=f"Drop your edits and use {spec.title} with its sliders again.",
                )
        elif spec is not None:
            st.caption(spec.summary)
            with st.expander(f"How {spec.title} works"):
                st.write(spec.explanation)
        if "kernel" in state.problems:
            st.error(state.problems["kernel"])
    if spec is None or not spec.params:
        return
    with sliders, st.container(key="pg-params"):
        columns = st.columns(min(3, len(spec.params)))
        for i, p in enumerate(spec.params):
            value = k.params.get(p.name, p.default)
            value = int(value) if p.integer else float(value)
            lo, hi = (int(p.min), int(p.max)) if p.integer else (float(p.min), float(p.max))
            step = (int(p.step) or 1) if p.integer else float(p.step)
            columns[i % len(columns)].slider(
                p.label,
                lo,
                hi,
                step=step,
                disabled=k.custom,
                help=p.help or None,
                format=None if p.integer else "%.4g",
                **session.control(state, "kernel", slider_key(spec.name, p.name), value, set_param, p.name),
            )
