"""The kernel editor: a grid of real inputs and live sliders, one Streamlit component (components v2, inline
HTML/CSS/JS from ``editor_frontend/``, no build step).

Streamlit's data grid and ``st.slider`` are the wrong instruments for the product's central act: the grid is a
1.6 MB canvas behind a button, and a slider reports only when released. Here each weight is an ``<input>``
editable from the first view, and a drag (of a cell or a slider) reports while it moves, latest value wins
(the protocol is in ``editor.js``; what the server accepts from it in ``app.editor_events``).

A page mounts ``grid(...)`` or ``sliders(...)`` with a ``handle`` callback that receives each checked event
(or the ``KernelError`` a hostile payload earned); the browser's sequence number is echoed back so it sends
the next value only once the previous one has been answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from imgkernel import KernelError

from . import editor_events, wording
from .i18n import _

_FRONTEND = Path(__file__).parent / "editor_frontend"
_component = st.components.v2.component(
    "imgkernel.editor",
    html="",
    css=(_FRONTEND / "editor.css").read_text(encoding="utf-8"),
    js=(_FRONTEND / "editor.js").read_text(encoding="utf-8"),
)
Handler = Callable[[editor_events.Event | KernelError], None]


def _ack_key(key: str) -> str:
    return f"{key}.ack"


def _received(key: str, handle: Handler) -> None:
    result = st.session_state.get(key)
    payload = result.get("action") if result is not None else None
    seq = editor_events.seq_of(payload)
    if seq is not None:  # (first: ``handle`` may end the callback with ``st.rerun``)
        st.session_state[_ack_key(key)] = seq
    try:
        event: editor_events.Event | KernelError = editor_events.parse(payload)
    except KernelError as exc:
        event = exc
    handle(event)


def _mount(key: str, data: dict[str, Any], handle: Handler) -> None:
    data["ack"] = st.session_state.get(_ack_key(key))
    # As JSON bytes: a dict would be searched for data frames, and that imports pandas (~0.4 s of a first visit)
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False).encode()
    _component(key=key, data=payload, on_action_change=partial(_received, key, handle), height="content")


def grid(
    key: str,
    matrix: np.ndarray,
    handle: Handler,
    *,
    caption: str,
    bad: tuple[int, int, str, str] | None = None,
    whole: bool = False,
    address: str | None = None,
    scale: Mapping[str, Any] | None = None,
) -> None:
    """The weights as an editable grid; ``bad`` is (row, col, text, message) of a refused cell, shown on it.

    ``scale``: the grid's size, whole numbers, the sum of weights, normalise, mean, divisor and offset drawn
    beside it, as in GIMP's Convolution Matrix dialog (the playground's: ``app.panels.grid.scale_data``); each
    sends its own event (``app.editor_events``: shape, whole, scale).

    ``address``: the query string (no ``?``) the address bar should show, put there by the browser in place
    (``history.replaceState``). Written through ``st.query_params`` instead, each change makes Streamlit's
    front end re-render the whole app and add a history entry: about 10 ms of a key press here, once per
    slider step (``bench/RESULTS.md``)."""
    k = np.asarray(matrix, dtype=np.float64)
    tints = wording.weight_tints(k)
    data = {
        "kind": "grid",
        "rows": k.tolist(),
        "shown": [[wording.num(float(v)) for v in row] for row in k],
        "tints": [[f"rgb({r},{g},{b})" for r, g, b in row.tolist()] for row in tints],
        "caption": caption,
        "whole": whole,
        "address": address,
        "bad": None if bad is None else dict(zip(("row", "col", "text", "message"), bad, strict=True)),
        "scale": scale,
        "labels": {
            "cell": _("weight, row {row}, column {col}", row="{row}", col="{col}"),
            "scrub": _("Drag sideways to change the value"),
        },
    }
    _mount(key, data, handle)


def sliders(key: str, params: Sequence[Mapping[str, Any]], handle: Handler) -> None:
    """Range inputs that report while dragged. Each param: name, label, help, min, max, step, value, disabled."""
    data = {
        "kind": "sliders",
        "params": [{**p, "shown": wording.num(float(p["value"]))} for p in params],
    }
    _mount(key, data, handle)
