"""The kernel's weights (a read-only table, or an editable grid with its size) and the scale box (sum of
weights, normalise, mean, and with the grid: divisor and offset).

The weights start read-only: Streamlit's data grid is the page's most expensive widget to load (its front-end
code and pandas on the server), and most visits never type a weight. "Edit the weights" mounts it, and it
stays for the session; a custom kernel always shows it (``PlaygroundState.editing``).

The grid is drawn from ``state.grid.base`` under ``state.grid_key``; its edits arrive in ``on_change`` as a
delta against that base (never fed back as its input: Streamlit issues #7749 / #7354), so every edit lands
and only a real change of a value makes the kernel custom.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st

import imgkernel
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_SIDE
from imgkernel.pipeline import scale_for

from .. import i18n, session, wording
from ..i18n import _
from ..state import PlaygroundState, edit_cells, resize, set_scale, set_view, set_whole
from .pictures import title

open_editor = partial(set_view, editor=True)


def _on_grid(key: str) -> None:
    if key != session.current().grid_key:
        return  # an editor already replaced (see ``session._changed``)
    delta = st.session_state.get(key) or {}
    edits = {(int(r), int(c)): v for r, row in delta.get("edited_rows", {}).items() for c, v in row.items()}
    session.apply(edit_cells, edits, by="grid")


def _rows(state: PlaygroundState, rows: int) -> PlaygroundState:
    return resize(state, rows, state.matrix.shape[1])


def _cols(state: PlaygroundState, cols: int) -> PlaygroundState:
    return resize(state, state.matrix.shape[0], cols)


def grid_box(state: PlaygroundState) -> None:
    if state.editing:
        _editor(state)
    else:
        st.html(wording.weights_table(state.matrix, title(state)))  # Html.js is loaded for the stylesheet anyway
        st.button(
            _("Edit the weights"),
            key="pg_edit",
            on_click=session.act,
            args=(open_editor,),
            help=_("Type your own numbers, resize the grid, set a divisor and an offset."),
        )
    if "file" in state.problems:
        st.error(i18n.message(state.problems["file"]))


def _editor(state: PlaygroundState) -> None:
    import pandas as pd  # here, not at the top: a visit that never edits a weight never imports pandas

    base = state.grid.base
    rows, cols = state.matrix.shape
    a, b = st.columns(2)
    a.number_input(
        _("Rows"),
        1,
        MAX_KERNEL_SIDE,
        step=1,
        **session.control(state, "shape", "pg_rows", rows, _rows),
        help=_("Resizing keeps the weights around the centre cell and fills new cells with 0."),
    )
    b.number_input(_("Columns"), 1, MAX_KERNEL_SIDE, step=1, **session.control(state, "shape", "pg_cols", cols, _cols))
    st.toggle(
        _("Whole numbers (like Photoshop)"),
        help=_(
            "Weights, divisor and offset as whole numbers, as in Photoshop's Custom filter dialog. Turning it on "
            "writes a kernel of fractions as the same filter in whole numbers (1/16, 2/16 … become 1, 2 … ÷ 16)."
        ),
        **session.control(state, "shape", "pg_whole", state.whole, set_whole),
    )
    # Columns are named by 0-based strings (the keys of the editor's edit state); people see 1-based labels,
    # like the rows and like the cell names in error messages ("row 3, column 1").
    frame = pd.DataFrame(base, columns=[str(j) for j in range(base.shape[1])], index=range(1, base.shape[0] + 1))
    config = {c: st.column_config.NumberColumn(str(j + 1), format="%.4g") for j, c in enumerate(frame.columns)}

    with st.container(key="pg-gridbox"):
        st.data_editor(
            frame,
            key=state.grid_key,
            hide_index=False,
            num_rows="fixed",
            column_config=config,
            on_change=_on_grid,
            args=(state.grid_key,),
        )
    if "grid" in state.problems:
        st.error(i18n.message(state.problems["grid"]))


def scale_box(state: PlaygroundState) -> None:
    s = state.settings
    st.markdown(wording.sum_meaning(state.matrix, scale_for(state.matrix, s)))

    def scale(key: str, name: str) -> dict:
        return session.control(state, "scale", key, getattr(s, name), set_scale, field=name)

    a, b = st.columns(2)
    a.toggle(
        _("Normalise"),
        **scale("pg_norm", "normalise"),
        help=_("GIMP's auto-normalise: divide by the sum (or mid-grey offset when it is 0)."),
    )
    b.toggle(
        _("Mean"), **scale("pg_mean", "mean"), help=_("Divide by the number of cells (the original package's option).")
    )
    if state.editing:
        _divisor_offset(state, scale)
    for where in ("divisor", "scale"):
        if where in state.problems:
            st.error(i18n.message(state.problems[where]))
    if s.normalise:
        auto = imgkernel.auto_normalise(state.matrix)
        st.caption(
            _(
                "Normalise uses divisor {divisor} and offset {offset}.",
                divisor=wording.num(auto.divisor),
                offset=wording.num(auto.offset),
            )
        )


def _divisor_offset(state: PlaygroundState, scale: Callable[[str, str], dict]) -> None:
    s = state.settings
    a, b = st.columns(2)
    lo, hi = -float(MAX_KERNEL_ABS), float(MAX_KERNEL_ABS)
    a.number_input(
        _("Divisor"),
        lo,
        hi,
        step=1.0,
        format="%g",
        disabled=s.normalise or s.mean,
        **scale("pg_div", "divisor"),
        help=_("Each response is divided by this."),
    )
    b.number_input(
        _("Offset"),
        lo,
        hi,
        step=1.0,
        format="%g",
        disabled=s.normalise,
        **scale("pg_off", "offset"),
        help=_("Added after dividing, in grey levels 0..255 (127.5 = mid-grey)."),
    )
