"""Helpers for driving the app in-process with AppTest, shared by the AppTest modules.

Pixel checks use an independent oracle (scipy.ndimage on float64) and compare with what the page shows in
its result caption ("values LOW to HIGH · N pixels clipped"), so a wrong wire-up fails even if the engine is
right.
"""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import json
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from streamlit.components.v2.bidi_component.main import _make_trigger_id
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache
from app.state import PlaygroundState, set_view

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
PLAYGROUND = str(ROOT / "pages" / "playground.py")
SHARPEN = imgkernel.get("sharpen").matrix()


def start(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def state(at: AppTest) -> PlaygroundState:
    """The playground's one state object."""
    s = at.session_state["playground"]
    assert isinstance(s, PlaygroundState)
    return s


def ok(at: AppTest) -> AppTest:
    """The run raised nothing and showed no error."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def result_captions(at: AppTest) -> list[str]:
    """The playground's result line: the caption of its result picture (one, or none while the live camera shows)."""
    return [img.caption for e in at.image for img in e.proto.imgs if img.caption.startswith("Result: ")]


def result_caption(at: AppTest) -> str:
    (cap,) = result_captions(at)
    return cap


def shown_numbers(at: AppTest) -> tuple[int, int, float, float, int | None]:
    m = re.search(
        r"· (\d+) × (\d+) px · values (-?[\d.]+) to (-?[\d.]+) · (?:([\d,]+) pixels clipped)?", result_caption(at)
    )
    assert m, result_caption(at)
    clipped = int(m[5].replace(",", "")) if m[5] else None
    return int(m[1]), int(m[2]), float(m[3]), float(m[4]), clipped


_correlations: OrderedDict[tuple, np.ndarray] = OrderedDict()  # the last few: tests often ask for the same


def oracle(
    pixels: np.ndarray, kernel: np.ndarray, mode: str = "reflect", divisor: float = 1.0, offset: float = 0.0
) -> np.ndarray:
    """Correlation per channel in float64 (scipy), then divisor and offset."""
    k = np.asarray(kernel, dtype=np.float64)
    key = (
        pixels.shape,
        pixels.dtype.str,
        hashlib.sha1(np.ascontiguousarray(pixels)).digest(),
        k.shape,
        k.tobytes(),
        mode,
    )
    if key in _correlations:
        _correlations.move_to_end(key)
    else:
        img = pixels.astype(np.float64)
        chans = [img] if img.ndim == 2 else [img[..., c] for c in range(img.shape[2])]
        out = np.stack([ndimage.correlate(c, k, mode=mode) for c in chans], axis=-1)
        _correlations[key] = out if img.ndim == 3 else out[..., 0]
        if len(_correlations) > 16:
            _correlations.popitem(last=False)
    return _correlations[key] / divisor + offset


def assert_shows(at: AppTest, expected: np.ndarray, clip_tolerance: int = 0) -> None:
    """The result caption agrees with the oracle: size, value range and clipped pixels.

    ``clip_tolerance`` allows a few pixels whose float64 value sits on the rounding edge of 0 or 255 to be
    counted differently by the float32 engine.
    """
    w, h, low, high, clipped = shown_numbers(at)
    assert (h, w) == expected.shape[:2]
    assert low == pytest.approx(expected.min(), abs=0.06) and high == pytest.approx(expected.max(), abs=0.06)
    if clipped is not None:
        outside = (expected < -0.5) | (expected >= 255.5)  # the pixel rounds outside 0..255
        assert abs(clipped - np.count_nonzero(outside.any(axis=-1) if outside.ndim == 3 else outside)) <= clip_tolerance


@functools.cache
def sample_pixels(name: str = cache.DEFAULT_SAMPLE) -> np.ndarray:
    pixels = imgkernel.load_image(cache.ASSETS / cache.SAMPLES[name]).pixels
    pixels.setflags(write=False)  # shared by every test that asks: none may change it
    return pixels


def png_bytes(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


def upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at.file_uploader(key="pg_upload").upload(name, data, mime)
    return at.run()


OPTION_CONTROLS = (
    "pg_mode",
    "pg_cval",
    "pg_stride",
    "pg_dil",
    "pg_conv",
    "pg_gray",
    "pg_linear",
    "pg_view",
    "pg_preview",
)


def open_options(at: AppTest) -> AppTest:
    """Open the sidebar's options panel (closed at first; AppTest cannot click an expander, so the state it
    shows is set, as the expander's ``on_change`` would)."""
    if not state(at).view.options:
        at.session_state["playground"] = set_view(state(at), options=True)
        at.run()
    return at


GRIDS = ("pg_grid", "mk_grid")  # the kernel editor's grid on the playground and on the Mystery kernel page
_seq = itertools.count(1)  # the browser's sequence numbers (echoed back as ``ack``)


def component(at: AppTest, key: str):
    """The custom component drawn with ``key``: the kernel editor's (``app.editor``: ``pg_grid``, ``pg_params``,
    ``mk_grid``) or plain controls (``app.controls``: see ``pick``)."""
    found = [e for e in at.get("bidi_component") if e.key == key]
    assert len(found) == 1, (key, [e.key for e in at.get("bidi_component")])
    return found[0]


def component_data(at: AppTest, key: str) -> dict:
    """The data the page gave the component ``key`` (the grid's ``rows``, ``bad``, ``caption``; the sliders'
    ``params``), as the browser receives it."""
    return json.loads(component(at, key).proto.bytes)


def _trigger(at: AppTest, key: str, event: str, value: object) -> AppTest:
    """Run the page with the browser's ``setTriggerValue(event, value)`` on the component ``key``."""
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())  # the other widgets keep their values
    ws = states.widgets.add()
    ws.id = _make_trigger_id(component(at, key).proto.id, "events")
    ws.json_trigger_value = json.dumps({"event": event, "value": value})
    at._run(states)
    return at


def pick(at: AppTest, key: str, name: str, value: object) -> AppTest:
    """A visitor's pick in the plain controls ``key`` (``app.controls``: ``pg_kernel``'s ``kernel``, ``pg_photo``'s
    ``sample``, ``pg_cameras``' ``camera`` and ``live``, ``lang_switch``'s ``lang``), sent as the browser sends it."""
    return _trigger(at, key, "pick", {"name": name, "value": value})


def control(at: AppTest, key: str, name: str) -> dict:
    """What the plain control ``name`` of the controls ``key`` shows: its ``label``, ``value``, ``options``."""
    (item,) = [i for i in component_data(at, key)["items"] if i.get("name") == name]
    return item


def control_texts(at: AppTest, key: str) -> list[str]:
    """The lines of text the plain controls ``key`` show (``**bold**`` as the browser receives it)."""
    return [i["text"] for i in component_data(at, key)["items"] if i["kind"] == "text"]


def grid_key(at: AppTest) -> str:
    (key,) = [e.key for e in at.get("bidi_component") if e.key in GRIDS]
    return key


def grid_rows(at: AppTest) -> np.ndarray:
    """The weights the grid on the page shows."""
    return np.array(component_data(at, grid_key(at))["rows"], dtype=np.float64)


def send(at: AppTest, key: str, payload: object) -> AppTest:
    """What the editor's browser side does for one user action: ``setTriggerValue("action", payload)`` on the
    component ``key``, which reruns the page with that trigger (the component's callback then runs once).
    ``payload`` goes as JSON text as Python writes it (NaN and infinity as JSON's non-standard literals, which
    the server's parser reads: a forged client can send them)."""
    _trigger(at, key, "action", payload)
    # The playground's callback reruns only the fragments a weight change redraws (``app.panels.grid.rerun_scope``); the
    # browser keeps the rest of the page, AppTest's tree holds only what the last run drew: run the whole page
    # once more (the trigger does not fire again) so the tests see every part. Which parts a change needs is
    # ``app.state.only_hot``'s, tested on its own.
    return at.run()


def edit(at: AppTest, row: int, col: int, value: object, gesture: str | None = None) -> AppTest:
    """Type ``value`` into grid cell (row, col), 0-based, as the editor reports it: a ``cells`` event on the grid
    drawn on the page (the playground's or the Mystery kernel's), for the shape it shows."""
    key = grid_key(at)
    shape = list(grid_rows(at).shape)
    payload = {"op": "cells", "cells": [[row, col, value]], "shape": shape, "gesture": gesture, "seq": next(_seq)}
    return send(at, key, payload)


def paste(at: AppTest, text: str) -> AppTest:
    """Paste ``text`` into the grid on the page (the editor sends the whole clipboard text)."""
    return send(at, grid_key(at), {"op": "paste", "text": text, "seq": next(_seq)})


def move(at: AppTest, param: str, value: float, gesture: str | None = None) -> AppTest:
    """Move the preset's slider ``param`` (its name in the catalogue, e.g. ``inner``) to ``value``, as the live
    sliders report it while dragged (one ``gesture`` per drag)."""
    payload = {"op": "param", "name": param, "value": value, "gesture": gesture, "seq": next(_seq)}
    return send(at, "pg_params", payload)


def resize(at: AppTest, rows: int, cols: int) -> AppTest:
    """Set the playground grid's size, as its Rows and Columns fields report it."""
    return send(at, "pg_grid", {"op": "shape", "shape": [rows, cols], "seq": next(_seq)})


def set_scale(at: AppTest, name: str, value: object, gesture: str | None = None) -> AppTest:
    """Type a divisor or offset (``value`` as typed) or switch normalise or mean, beside the playground's grid."""
    payload = {"op": "scale", "name": name, "value": value, "gesture": gesture, "seq": next(_seq)}
    return send(at, "pg_grid", payload)


def set_whole(at: AppTest, on: bool) -> AppTest:
    """Switch the playground grid's whole-number mode."""
    return send(at, "pg_grid", {"op": "whole", "on": on, "seq": next(_seq)})


def scale_shown(at: AppTest) -> dict:
    """What the editor shows beside the playground's grid (``app.panels.grid.scale_data``)."""
    return component_data(at, "pg_grid")["scale"]


def slider_values(at: AppTest) -> dict[str, float]:
    """The preset's sliders on the page: name -> the value shown."""
    return {p["name"]: p["value"] for p in component_data(at, "pg_params")["params"]}


def open_detail(at: AppTest, name: str) -> AppTest:
    """Open one of the panels under the pictures ("Difference", "Zoom", "Histogram", "Export and share")."""
    widget(at, "segmented_control", "pg_detail").set_value(name)
    return at.run()


def widget(at: AppTest, kind: str, name: str):
    """The playground's control ``name`` of type ``kind`` ("slider", "selectbox", ...). A control's key gets
    a revision suffix (``pg_stride.2``) each time something else changed what it shows (``app.state.SHOWN_BY``).
    The options (``OPTION_CONTROLS``) are opened when needed. The grid and the preset's sliders are the kernel
    editor's component: see ``edit``, ``paste`` and ``move``."""
    if name in OPTION_CONTROLS:
        open_options(at)
    found = [w for w in getattr(at, kind) if w.key is not None and w.key.split(".")[0] == name]
    assert len(found) == 1, (name, [w.key for w in getattr(at, kind)])
    return found[0]
