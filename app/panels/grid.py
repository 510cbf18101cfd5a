"""The kernel's weights as an editable grid, with its size and the scale (sum of weights, normalise, mean,
divisor and offset) beside it in the same editor.

The grid is ``app.editor``'s: one input per weight, editable from the first view, live while typing or
scrubbing. Every event it sends (and the parameter sliders', see ``panels.kernel``) goes through ``apply_event``
to a pure transition of ``app.state``; a drag or one cell's typing is one undo step (``gesture``).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import imgkernel
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.pipeline import scale_for

from .. import editor, i18n, session, wording
from ..editor_events import Event
from ..i18n import _
from ..state import PlaygroundState, change_for, only_hot
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
            scale=scale_data(state),
        )
    for where in ("grid", "file"):
        if where in state.problems and not (where == "grid" and bad is not None):  # a bad cell says it on the cell
            st.error(i18n.message(state.problems[where]))


def scale_data(state: PlaygroundState) -> dict[str, Any]:
    """What the editor draws beside the weights: their size, whole numbers, their sum and what it does to a flat
    grey, normalise, mean, divisor and offset (a refused divisor or offset said there, the last good one kept)."""
    s = state.settings
    auto = imgkernel.auto_normalise(state.matrix) if s.normalise else None
    return {
        "shape": list(state.matrix.shape),
        "max_side": MAX_KERNEL_SIDE,
        "whole": state.whole,
        "normalise": s.normalise,
        "mean": s.mean,
        "divisor": s.divisor,
        "offset": s.offset,
        "shown": {"divisor": wording.num(s.divisor), "offset": wording.num(s.offset)},
        "disabled": {"divisor": s.normalise or s.mean, "offset": s.normalise},
        "sum": wording.sum_meaning(state.matrix, scale_for(state.matrix, s)),
        "auto": ""
        if auto is None
        else _(
            "Normalise uses divisor {divisor} and offset {offset}.",
            divisor=wording.num(auto.divisor),
            offset=wording.num(auto.offset),
        ),
        "problem": " ".join(i18n.message(state.problems[w]) for w in ("divisor", "scale") if w in state.problems),
        "labels": {
            "rows": _("Rows"),
            "cols": _("Columns"),
            "whole": _("Whole numbers (like Photoshop)"),
            "normalise": _("Normalise"),
            "mean": _("Mean"),
            "divisor": _("Divisor"),
            "offset": _("Offset"),
        },
        "helps": {
            "rows": _("Resizing keeps the weights around the centre cell and fills new cells with 0."),
            "whole": _(
                "Weights, divisor and offset as whole numbers, as in Photoshop's Custom filter dialog. Turning it "
                "on writes a kernel of fractions as the same filter in whole numbers (1/16, 2/16 … become 1, 2 … "
                "÷ 16)."
            ),
            "normalise": _("GIMP's auto-normalise: divide by the sum (or mid-grey offset when it is 0)."),
            "mean": _("Divide by the number of cells (the original package's option)."),
            "divisor": _("Each response is divided by this."),
            "offset": _("Added after dividing, in grey levels 0..255 (127.5 = mid-grey)."),
        },
    }
