"""The kernel picker and its parameter sliders, above the pictures so a slider and its result are seen together."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import imgkernel

from .. import controls, editor, i18n, session, wording
from ..i18n import _, kernel_text
from ..state import CUSTOM, PlaygroundState, back_to_preset, choose_preset, redo, undo
from .grid import apply_event
from .pictures import title

SLIDERS_KEY = "pg_params"


def _picked(name: str, value: str | bool) -> None:
    session.apply(choose_preset, value)


def kernel_controls(state: PlaygroundState) -> DeltaGenerator:
    """The picker, what the kernel does, the way back from a custom grid, undo and redo; returns the column beside
    them where the page draws the live sliders (``kernel_sliders``, in the fragment that reruns while they move)."""
    k = state.kernel
    spec = imgkernel.CATALOGUE.get(k.preset)
    pick, sliders = st.columns([2, 3], gap="medium")
    with pick:
        custom_label = title(state) if k.custom else _("Custom · your own grid")
        names = [(name, wording.preset_label(imgkernel.get(name))) for name in imgkernel.CATALOGUE]
        if k.custom:
            line = _("Your own weights: edit any cell, resize the grid, or load a kernel file.")
        else:
            line = kernel_text(spec.name, "summary", spec.summary) if spec is not None else ""
        picker = controls.select("kernel", _("Kernel"), [*names, (CUSTOM, custom_label)], k.name)
        controls.panel("pg_kernel", [picker, controls.text(line)] if line else [picker], _picked)
        if k.custom:
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
            with st.expander(_("How {kernel} works", kernel=wording.kernel_title(spec.name, spec.title))):
                st.write(kernel_text(spec.name, "explanation", spec.explanation))
        if "kernel" in state.problems:
            st.error(i18n.message(state.problems["kernel"]))
        history(state)
    return sliders


def kernel_sliders(state: PlaygroundState) -> None:
    """The preset's parameters as live sliders (greyed while the grid is the visitor's own)."""
    k = state.kernel
    spec = imgkernel.CATALOGUE.get(k.preset)
    if spec is None or not spec.params:
        return
    params = []
    for p in spec.params:
        value = k.params.get(p.name, p.default)
        params.append(
            {
                "name": p.name,
                "label": kernel_text(spec.name, f"param.{p.name}.label", p.label),
                "help": kernel_text(spec.name, f"param.{p.name}.help", p.help),
                "min": p.min,
                "max": p.max,
                "step": (int(p.step) or 1) if p.integer else float(p.step),
                "value": int(value) if p.integer else float(value),
                "disabled": k.custom,
            }
        )
    with st.container(key="pg-params"):
        editor.sliders(SLIDERS_KEY, params, apply_event)


def history(state: PlaygroundState) -> None:
    """Undo and redo: every change of kernel, parameters or options is a step (Ctrl+Z / Ctrl+Shift+Z too)."""
    h = state.history
    with st.container(horizontal=True, key="pg-history"):
        st.button(
            _("↶ Undo"),
            key="pg_undo",
            disabled=not h.past,
            on_click=session.act,
            args=(undo,),
            help=_("Undo the last change of kernel, weights or options (Ctrl+Z, ⌘Z on a Mac)."),
        )
        st.button(
            _("↷ Redo"),
            key="pg_redo",
            disabled=not h.future,
            on_click=session.act,
            args=(redo,),
            help=_("Redo what was undone (Ctrl+Shift+Z, ⌘⇧Z on a Mac)."),
        )
