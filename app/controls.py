"""Plain HTML controls (a heading, lines of text, selects, switches, a radio group) drawn by one small Streamlit
component (components v2, inline JS/CSS from ``controls_frontend/``, no build step).

Why not Streamlit's widgets: every widget type a first view draws costs a chunk of Streamlit's front end, and
every widget its share of the first render (a styled wrapper, a markdown label, a tooltip). With the sidebar
(language, sample photo, camera switches) and the Kernel box as native controls, a first visit went from
1.29-1.40x the minimal app to 1.09-1.15x, a later visitor's from 1.34-1.48x to 1.25-1.26x (``bench/RESULTS.md``).
Native controls suit the job too: a phone opens its own picker for a ``<select>``, and a screen reader knows each
control by its role and label.

The browser only reports a visitor's pick, ``{"name": ..., "value": ...}``; what the controls show always comes
from the server (the page's state), so nothing lives in the browser. ``checked`` holds a pick against what was
drawn: a forged name, an option that was not offered or a switch that is not a bool is ignored.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import streamlit as st

_FRONTEND = Path(__file__).parent / "controls_frontend"
# Not in a shadow root: the controls' CSS is the page's, and it carries the app's own stylesheet (``page.css``).
# The language switch draws these controls on every page, so the stylesheet is on every page without
# ``st.html``, whose sanitiser (DOMPurify, 29 kB) a first visit would load for it.
_component = st.components.v2.component(
    "imgkernel.controls",
    html="",
    css="\n".join((_FRONTEND / name).read_text(encoding="utf-8") for name in ("page.css", "controls.css")),
    js=(_FRONTEND / "controls.js").read_text(encoding="utf-8"),
    isolate_styles=False,
)
log = logging.getLogger("imgkernel.controls")

Item = dict[str, Any]
Pick = Callable[[str, str | bool], None]


def heading(text: str) -> Item:
    """A section heading (``<h2>``, as ``st.sidebar.header``)."""
    return {"kind": "heading", "text": text}


def text(line: str) -> Item:
    """A line of text; ``**bold**`` is the only markup, the rest is shown as typed (file names included)."""
    return {"kind": "text", "text": line}


def select(name: str, label: str, options: Sequence[tuple[str, str]], value: str) -> Item:
    """A native ``<select>``; ``options`` are (value, shown text) pairs."""
    return {"kind": "select", "name": name, "label": label, "options": [list(o) for o in options], "value": value}


def switch(name: str, label: str, value: bool, *, help: str = "") -> Item:
    """An on/off switch (a checkbox with the switch role); ``help`` is shown under it and read with it."""
    return {"kind": "switch", "name": name, "label": label, "value": value, "help": help}


def radio(name: str, label: str, options: Sequence[tuple[str, str]], value: str, *, label_hidden: bool = False) -> Item:
    """A row of radio buttons; ``label_hidden`` keeps the label for screen readers only."""
    return {
        "kind": "radio",
        "name": name,
        "label": label,
        "options": [list(o) for o in options],
        "value": value,
        "labelHidden": label_hidden,
    }


def choices(items: Sequence[Item]) -> dict[str, frozenset[str] | type[bool]]:
    """What a visitor may pick in ``items``: each select's and radio group's option values, ``bool`` for a switch."""
    allowed: dict[str, frozenset[str] | type[bool]] = {}
    for item in items:
        if item["kind"] in ("select", "radio"):
            allowed[item["name"]] = frozenset(value for value, _shown in item["options"])
        elif item["kind"] == "switch":
            allowed[item["name"]] = bool
    return allowed


def checked(payload: object, allowed: Mapping[str, frozenset[str] | type[bool]]) -> tuple[str, str | bool] | None:
    """The (name, value) of a pick the visitor could have made among ``allowed``, else None."""
    if not isinstance(payload, Mapping):
        return None
    name, value = payload.get("name"), payload.get("value")
    if not isinstance(name, str) or name not in allowed:
        return None
    options = allowed[name]
    if options is bool:
        return (name, value) if isinstance(value, bool) else None
    return (name, value) if isinstance(value, str) and value in options else None


def _received(key: str, allowed: Mapping[str, frozenset[str] | type[bool]], on_pick: Pick) -> None:
    result = st.session_state.get(key)
    payload = result.get("pick") if result is not None else None
    pick = checked(payload, allowed)
    if pick is None:  # only a forged client sends these: nothing to tell a visitor
        log.warning("ignored a pick the controls %s did not offer: %.200r", key, payload)
        return
    on_pick(*pick)


def panel(key: str, items: Sequence[Item], on_pick: Pick) -> None:
    """Draw ``items`` as one element; a visitor's pick calls ``on_pick(name, value)`` before the next run (a
    callback, as a widget's ``on_change``). The picks are checked against these items, the ones the visitor saw."""
    # As JSON bytes, as the kernel editor's data (app/editor.py: a dict would make Streamlit import pandas)
    payload = json.dumps({"items": list(items)}, separators=(",", ":"), allow_nan=False).encode()
    _component(key=key, data=payload, on_pick_change=partial(_received, key, choices(items), on_pick), height="content")
