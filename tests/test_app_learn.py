"""The Learn pages render on the default photo and react to their controls (AppTest, no browser)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import imgkernel
from imgkernel.pipeline import Settings, run_filter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the pages import ``ui`` and ``learn_ui`` from the app's root, as streamlit run does
import ui  # noqa: E402

TIMEOUT = 30


def _run(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _default_output():
    photo = ui.sample_photo()
    kernel = ui.default_kernel()
    return photo, run_filter(photo.pixels, kernel.matrix, kernel.settings)


def test_walkthrough_renders_and_follows_the_inputs():
    at = _run("walkthrough")
    photo, res = _default_output()
    assert at.number_input(key="walk_row").value == res.values.shape[0] // 2
    at.number_input(key="walk_row").set_value(5)
    at.number_input(key="walk_col").set_value(7)
    at.run()
    assert not at.exception
    steps = at.table[-1].value
    assert list(steps["output pixel"]) == [int(v) for v in res.mapped.image[5, 7]]
    at.segmented_control(key="walk_channel").set_value("Blue")
    at.run()
    assert not at.exception


def test_walkthrough_click_is_scaled_to_image_pixels():
    photo, res = _default_output()
    h, w = photo.pixels.shape[:2]
    # a click at displayed (100, 50) on a 480-pixel-wide rendering of the photo
    click = {"x": 100, "y": 50, "width": 480, "height": round(480 * h / w), "unix_time": 1}
    at = _run("walkthrough", walk_click=click)
    assert at.number_input(key="walk_col").value == int(100 * w / 480)
    assert at.number_input(key="walk_row").value == int(50 * h / round(480 * h / w))


def test_walkthrough_with_valid_mode_and_stride():
    spec = imgkernel.get("blur")
    choice = ui.KernelChoice(spec.name, spec.title, spec.defaults(), spec.matrix(),
                             Settings(mode="valid", stride=2, out_of_range="rescale"))
    at = _run("walkthrough", kernel=choice)
    photo = ui.sample_photo()
    res = run_filter(photo.pixels, spec.matrix(), choice.settings)
    r, c = at.number_input(key="walk_row").value, at.number_input(key="walk_col").value
    assert list(at.table[-1].value["output pixel"]) == [int(v) for v in np.atleast_1d(res.mapped.image[r, c])]
