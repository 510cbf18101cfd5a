"""How fast the playground answers, measured in-process with AppTest (no browser, no network).

Run from the repo root: ``.venv/bin/python -m bench.app_speed``. Prints medians in milliseconds of the
script rerun that follows each action (what a user waits for, minus the websocket and the browser):

* a kernel edit on the default photo (a new grid value each time, so the filter really runs);
* a preview update on a 12 MP upload (4000 x 3000, made here by upscaling a sample; a new kernel each time);
* a revisit of kernels used before (served from the cache);
* once each: the first run, the 12 MP upload itself (decode + preview) and the full-resolution PNG.
"""

from __future__ import annotations

import io
import logging
import statistics
import time
from pathlib import Path

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

import ui

# AppTest runs the page outside a server: Streamlit logs a harmless warning for every cached call
logging.getLogger("streamlit").setLevel(logging.ERROR)

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
REPEATS = 15


def timed(at: AppTest) -> float:
    t = time.perf_counter()
    at.run()
    ms = (time.perf_counter() - t) * 1e3
    assert not at.exception, [e.value for e in at.exception]
    return ms


def edit_cell(at: AppTest, value: float) -> None:
    at.session_state[at.session_state["pg_grid_key"]] = {
        "edited_rows": {1: {"1": value}}, "added_rows": [], "deleted_rows": []}


def twelve_megapixel_jpeg() -> bytes:
    sample = Image.open(ui.ASSETS / ui.SAMPLES[ui.DEFAULT_SAMPLE]).convert("RGB")
    buf = io.BytesIO()
    sample.resize((4000, 3000), Image.Resampling.BICUBIC).save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def main() -> None:
    rows: list[tuple[str, float, str]] = []
    at = AppTest.from_file(APP, default_timeout=120)
    rows.append(("first run (default photo, sharpen)", timed(at), "once"))

    edits = []
    for i in range(REPEATS):
        edit_cell(at, 5.0 + (i + 1) / 8)
        edits.append(timed(at))
    rows.append(("kernel edit, default photo 451 x 300", statistics.median(edits), "target < 100"))

    revisits = []
    for i in range(REPEATS):
        at.selectbox(key="pg_preset").select(("outline", "blur", "emboss")[i % 3])
        revisits.append(timed(at))
    rows.append(("revisit a used kernel, default photo (cache hit)", statistics.median(revisits[3:]), ""))

    at.file_uploader(key="pg_upload").upload("big.jpg", twelve_megapixel_jpeg(), "image/jpeg")
    rows.append(("12 MP upload: decode + preview + filter", timed(at), "once"))
    at.selectbox(key="pg_preset").select("sharpen")
    timed(at)
    updates = []
    for i in range(REPEATS):
        at.slider(key="pg_p_sharpen_inner").set_value(5.0 + (i + 1) / 10)
        updates.append(timed(at))
    rows.append(("preview update, 12 MP photo (1024 px preview)", statistics.median(updates), "target < 300"))

    revisits = []
    for i in range(REPEATS):
        at.slider(key="pg_p_sharpen_inner").set_value(5.0 + (i % 3 + 1) / 10)
        revisits.append(timed(at))
    rows.append(("revisit a used kernel, 12 MP photo (cache hit)", statistics.median(revisits), ""))

    at.button(key="pg_prepare").click()
    rows.append(("full-resolution PNG, 12 MP (on request)", timed(at), "once"))
    assert np.frombuffer(at.session_state["pg_download"][1][:8], np.uint8).tobytes().startswith(b"\x89PNG")

    width = max(len(r[0]) for r in rows)
    print(f"{'action':<{width}}  {'median ms':>9}  note")
    for name, ms, note in rows:
        print(f"{name:<{width}}  {ms:9.1f}  {note}")


if __name__ == "__main__":
    main()
