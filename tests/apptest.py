"""Helpers for driving the app in-process with AppTest, shared by the AppTest modules.

Pixel checks use an independent oracle (scipy.ndimage on float64) and compare with what the page shows in
its result caption ("values LOW to HIGH · N pixels clipped"), so a wrong wire-up fails even if the engine is
right.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
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


def result_caption(at: AppTest) -> str:
    (cap,) = [c.value for c in at.caption if c.value.startswith("Result: ")]
    return cap


def shown_numbers(at: AppTest) -> tuple[int, int, float, float, int | None]:
    m = re.search(
        r"· (\d+) × (\d+) px · values (-?[\d.]+) to (-?[\d.]+) · (?:([\d,]+) pixels clipped)?", result_caption(at)
    )
    assert m, result_caption(at)
    clipped = int(m[5].replace(",", "")) if m[5] else None
    return int(m[1]), int(m[2]), float(m[3]), float(m[4]), clipped


def oracle(
    pixels: np.ndarray, kernel: np.ndarray, mode: str = "reflect", divisor: float = 1.0, offset: float = 0.0
) -> np.ndarray:
    """Correlation per channel in float64 (scipy), then divisor and offset."""
    img = pixels.astype(np.float64)
    chans = [img] if img.ndim == 2 else [img[..., c] for c in range(img.shape[2])]
    out = np.stack([ndimage.correlate(c, kernel, mode=mode) for c in chans], axis=-1)
    return (out if img.ndim == 3 else out[..., 0]) / divisor + offset


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


def sample_pixels(name: str = cache.DEFAULT_SAMPLE) -> np.ndarray:
    return imgkernel.load_image(cache.ASSETS / cache.SAMPLES[name]).pixels


def png_bytes(pixels: np.ndarray, fmt: str = "PNG") -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format=fmt)
    return buf.getvalue()


def upload(at: AppTest, name: str, data: bytes, mime: str = "image/png") -> AppTest:
    at.file_uploader(key="pg_upload").upload(name, data, mime)
    return at.run()


EDITOR_CONTROLS = ("pg_rows", "pg_cols", "pg_whole", "pg_div", "pg_off")  # drawn with the grid, once it is opened


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


def open_editor(at: AppTest) -> AppTest:
    """Press "Edit the weights" when the weights are read-only (the grid and its fields are then drawn)."""
    pressed = [b for b in at.button if b.key == "pg_edit"]
    return pressed[0].click().run() if pressed else at


def edit(at: AppTest, row: int, col: int, value: object) -> AppTest:
    """Type ``value`` into grid cell (row, col), 0-based, as the browser reports it: the editor's cumulative
    edits since it was drawn, sent as the widget's value (so its ``on_change`` runs, as in a real session).
    AppTest cannot set a data editor's value, so the widget state is built here the way the front end does.
    The grid is opened first if the weights are read-only."""
    (editor,) = open_editor(at).data_editor
    edits = at.session_state[editor.key] if editor.key in at.session_state else {}  # noqa: SIM401 (no .get)
    rows = {str(r): {str(c): v for c, v in cells.items()} for r, cells in edits.get("edited_rows", {}).items()}
    rows.setdefault(str(row), {})[str(col)] = value
    states = WidgetStates()
    states.CopyFrom(at._tree.get_widget_states())  # the other widgets keep their values
    ws = states.widgets.add()
    ws.id = editor.proto.id
    ws.string_value = json.dumps({"edited_rows": rows, "added_rows": [], "deleted_rows": []})
    return at._run(states)


def open_detail(at: AppTest, name: str) -> AppTest:
    """Open one of the panels under the pictures ("Difference", "Zoom", "Histogram", "Export and share")."""
    widget(at, "segmented_control", "pg_detail").set_value(name)
    return at.run()


def widget(at: AppTest, kind: str, name: str):
    """The playground's control ``name`` of type ``kind`` ("slider", "selectbox", ...). A control's key gets
    a revision suffix (``pg_div.2``) each time something else changed what it shows (``app.state.SHOWN_BY``).
    The grid's own fields (``EDITOR_CONTROLS``) and the options (``OPTION_CONTROLS``) are opened when needed."""
    if name in EDITOR_CONTROLS:
        open_editor(at)
    elif name in OPTION_CONTROLS:
        open_options(at)
    found = [w for w in getattr(at, kind) if w.key is not None and w.key.split(".")[0] == name]
    assert len(found) == 1, (name, [w.key for w in getattr(at, kind)])
    return found[0]
