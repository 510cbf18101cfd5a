"""The Learn pages render on the default photo and react to their controls (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache
from app import state as transitions
from imgkernel.pipeline import run_filter

ROOT = Path(__file__).resolve().parents[1]

TIMEOUT = 30


def _run(page: str, **state) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / f"{page}.py"), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _captions(at: AppTest) -> list[str]:
    return [c for img in at.image for c in img.captions]


def _default_output():
    photo = cache.sample_photo()
    s = transitions.initial(photo, cache.DEFAULT_SAMPLE)
    return photo, run_filter(photo.pixels, s.matrix, s.settings)


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


def test_walkthrough_marks_padding_at_the_corner():
    at = _run("walkthrough", walk_row=0, walk_col=0)
    assert any("outside the photo" in c.value for c in at.caption)
    at.number_input(key="walk_row").set_value(10)
    at.number_input(key="walk_col").set_value(10)
    at.run()
    assert not any("outside the photo" in c.value for c in at.caption)


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
    photo = cache.sample_photo()
    choice = transitions.initial(photo, cache.DEFAULT_SAMPLE)
    for change in (lambda s: transitions.choose_preset(s, "blur"), lambda s: transitions.set_option(s, "mode", "valid"),
                   lambda s: transitions.set_option(s, "stride", 2), lambda s: transitions.set_view(s, mode="rescale")):
        choice = change(choice)
    at = _run("walkthrough", playground=choice)
    res = run_filter(photo.pixels, spec.matrix(), choice.settings)
    r, c = at.number_input(key="walk_row").value, at.number_input(key="walk_col").value
    assert list(at.table[-1].value["output pixel"]) == [int(v) for v in np.atleast_1d(res.mapped.image[r, c])]


def test_gallery_renders_every_kernel_and_filters_by_category():
    at = _run("gallery")
    titles = [spec.title for spec in imgkernel.CATALOGUE.values()]
    captions = _captions(at)
    for title in titles:
        assert title in captions
    assert captions.count("Top Sobel") == 2  # in the grid and among the four Sobels
    category = next(iter(imgkernel.categories()))
    at.selectbox(key="gallery_category").select(category)
    at.run()
    assert not at.exception
    captions = _captions(at)
    grid = [spec.title for spec in imgkernel.categories()[category]]
    assert set(captions) - {"Top Sobel", "Bottom Sobel", "Left Sobel", "Right Sobel"} <= set(grid)


def test_gallery_open_sets_the_kernel():
    at = _run("gallery")
    at.button(key="gallery_open_emboss").click()
    at.run()
    assert not at.exception  # no playground page when run standalone: a notice instead of a crash
    assert at.session_state["playground"].name == "emboss"
    np.testing.assert_array_equal(at.session_state["playground"].matrix, imgkernel.get("emboss").matrix())
    assert any("Playground" in info.value for info in at.info)


def test_cnn_layer_shapes_follow_the_controls():
    at = _run("cnn_layer")
    table = at.table[0].value
    assert len(at.image) > 0
    first = table["shape"].iloc[1]
    at.slider(key="cnn_stride").set_value(2)
    at.segmented_control(key="cnn_padding").set_value("valid")
    at.segmented_control(key="cnn_pool").set_value("average")
    at.checkbox(key="cnn_second").check()
    at.number_input(key="cnn_random").set_value(2)
    at.run()
    assert not at.exception
    table = at.table[0].value
    n_kernels = len(at.multiselect(key="cnn_names").value) + 2
    # 128 long side, gray; 3x3 kernels, valid padding, stride 2: floor((n - 3) / 2) + 1
    photo = cache.sample_photo()
    h, w = photo.pixels.shape[:2]
    f = 128 / max(h, w)
    sh, sw = max(1, round(h * f)), max(1, round(w * f))
    assert table["shape"].iloc[1] == f"{n_kernels} × {(sh - 3) // 2 + 1} × {(sw - 3) // 2 + 1}" != first
    assert "ReLU" in table.index


def test_kernel_lab_reacts_to_kernel_and_mode():
    at = _run("kernel_lab")
    at.selectbox(key="lab_kernel").select("blur")
    at.run()
    assert not at.exception
    assert "low-pass" in " ".join(md.value for md in at.markdown)
    assert any("Separable" in s.value for s in at.success)
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Largest difference, whole image"]) < 1e-2  # wrap: identical up to float32 rounding
    at.segmented_control(key="lab_mode").set_value("constant")
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Largest difference, away from the border"]) < 1e-2
    assert float(metrics["Largest difference, whole image"]) > 1  # zero padding: the borders do differ
    at.button(key="lab_use").click()
    at.run()
    assert at.session_state["playground"].name == "custom"
    assert at.session_state["playground"].matrix.shape == (5, 5)
