"""The kernel picker and its parameter sliders, above the pictures so a slider and its result are seen together."""

from __future__ import annotations

import streamlit as st

import imgkernel

from .. import i18n, session, wording
from ..i18n import _, kernel_text
from ..state import CUSTOM, PlaygroundState, back_to_preset, choose_preset, set_param
from .pictures import title


def slider_key(kernel: str, param: str) -> str:
    return f"pg_p_{kernel}_{param}"


def kernel_controls(state: PlaygroundState) -> None:
    k = state.kernel
    spec = imgkernel.CATALOGUE.get(k.preset)
    pick, sliders = st.columns([2, 3], gap="medium")
    with pick:
        custom_label = title(state) if k.custom else _("Custom · your own grid")
        st.selectbox(
            _("Kernel"),
            [*imgkernel.CATALOGUE, CUSTOM],
            format_func=lambda n: custom_label if n == CUSTOM else wording.preset_label(imgkernel.get(n)),
            **session.control(state, "kernel", "pg_preset", k.name, choose_preset),
            help=_("Presets grouped by what they do. Editing a cell of the grid turns the kernel into Custom."),
        )
        if k.custom:
            st.caption(_("Your own weights: edit any cell, resize the grid, or load a kernel file."))
            if spec is not None:
                name = wording.kernel_title(spec.name, spec.title)
                st.button(
                    _("Back to {kernel}", kernel=name),
                    key="pg_back",
                    on_click=session.act,
                    args=(back_to_preset,),
                    help=_("Drop your edits and use {kernel} with its sliders again.", kernel=name),
                )
        elif spec is not None:
            st.caption(kernel_text(spec.name, "summary", spec.summary))
            with st.expander(_("How {kernel} works", kernel=wording.kernel_title(spec.name, spec.title))):
                st.write(kernel_text(spec.name, "explanation", spec.explanation))
        if "kernel" in state.problems:
            st.error(i18n.message(state.problems["kernel"]))
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
                kernel_text(spec.name, f"param.{p.name}.label", p.label),
                lo,
                hi,
                step=step,
                disabled=k.custom,
                help=kernel_text(spec.name, f"param.{p.name}.help", p.help) or None,
                format=None if p.integer else "%.4g",
                **session.control(state, "kernel", slider_key(spec.name, p.name), value, set_param, p.name),
            )
