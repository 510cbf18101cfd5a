"""The kernel's weights as an editable grid with its size, and the scale box (sum of weights, normalise, mean,
divisor and offset).

The grid is ``app.editor``'s: one input per weight, editable from the first view, live while typing or
scrubbing. Every event it sends (and the parameter sliders', see ``panels.kernel``) goes through ``apply_event``
to a pure transition of ``app.state``; a drag or one cell's typing is one undo step (``gesture``).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

import imgkernel
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_SIDE
from imgkernel.pipeline import scale_for

from .. import editor, i18n, session, wording
from ..editor_events import Event
from ..i18n import _
from ..state import PlaygroundState, change_for, only_hot, resize, set_scale, set_whole
from .pictures import title

GRID_KEY = "pg_grid"


# The playground's fragments (``pages/playground.py``): the whole kernel area; inside it, everything a weight or a
# parameter changes (the live sliders, the result, the grid, the sum: one fragment drawing into four containers);
# the panel under the pictures.
CORE, HOT, DETAILS = "pg-core", "pg-hot", "pg-details"


def apply_event(event: Event | imgkernel.KernelError) -> None:
    """One checked event from the grid or the sliders, applied to the playground's state, then the parts that
    show something new rerun (``rerun_scope``)."""
    old = session.current()
    change = change_for(event)
    new = session.apply(change.transition, *change.args, by=change.by, gesture=change.gesture)
    scope = rerun_scope(old, new)
    if scope != HOT:
        st.rerun(scope)
    # Else the event's own rerun is the one needed: the grid and the sliders are the hot fragment's widgets. A
    # callback's st.rerun(...) would end that run and start another (two script runs per drag step).


def rerun_scope(old: PlaygroundState, new: PlaygroundState) -> str | tuple[str, ...]:
    """The fragments an editor event reruns. Anything but weights and parameter values changed (``only_hot``):
    the whole kernel area. Else the hot fragment (sliders, result, grid, sum), and the panel under the pictures
    only when one is open, since each element a rerun sends costs the browser time (about 1.5 ms each here,
    ``bench/RESULTS.md``) and each extra script run more."""
    if not only_hot(old, new):
        return CORE
    return HOT if new.view.detail is None else (HOT, DETAILS)


def _rows(state: PlaygroundState, rows: int) -> PlaygroundState:
    return resize(state, rows, state.matrix.shape[1])


def _cols(state: PlaygroundState, cols: int) -> PlaygroundState:
    return resize(state, state.matrix.shape[0], cols)


def grid_editor(state: PlaygroundState, address: str) -> None:
    """The weights as an editable grid, a refused cell marked on it (rerun with every weight change); the browser
    puts ``address`` (the share link's query) in the address bar (``app.editor.grid``)."""
    rows, cols = state.matrix.shape
    bad = state.bad_cell
    with st.container(key="pg-gridbox"):
        editor.grid(
            GRID_KEY,
            state.matrix,
            apply_event,
            caption=_("Weights of {title}, {cols} × {rows}", title=title(state), cols=cols, rows=rows),
            bad=None if bad is None else (bad.row, bad.col, bad.text, i18n.message(state.problems.get("grid", ""))),
            whole=state.whole,
            address=address,
        )
    if "grid" in state.problems and bad is None:
        st.error(i18n.message(state.problems["grid"]))


def grid_size(state: PlaygroundState) -> None:
    """Rows, columns and whole numbers under the grid."""
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
    if "file" in state.problems:
        st.error(i18n.message(state.problems["file"]))


def sum_of_weights(state: PlaygroundState) -> None:
    """What the weights do to a flat grey, and the divisor *Normalise* uses (rerun with every weight change)."""
    s = state.settings
    st.markdown(wording.sum_meaning(state.matrix, scale_for(state.matrix, s)))
    if s.normalise:
        auto = imgkernel.auto_normalise(state.matrix)
        st.caption(
            _(
                "Normalise uses divisor {divisor} and offset {offset}.",
                divisor=wording.num(auto.divisor),
                offset=wording.num(auto.offset),
            )
        )


def scale_box(state: PlaygroundState) -> None:
    """Normalise, mean, divisor and offset."""
    s = state.settings

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
    _divisor_offset(state, scale)
    for where in ("divisor", "scale"):
        if where in state.problems:
            st.error(i18n.message(state.problems[where]))


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
