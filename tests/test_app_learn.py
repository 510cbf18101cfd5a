"""The Learn pages render on the default photo and react to their controls (AppTest, no browser)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache, cnn_view, learn, wording
from app import state as transitions
from imgkernel.kernel_props import compose
from imgkernel.learn.layers import conv_layer, kernel_bank, pool2d
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
    # the channel picker switches the tap tables and the written sum from red to blue; the steps show all three
    window = photo.pixels[4:7, 6:9].astype(float)  # the 3 x 3 sharpen's neighbourhood of input pixel (5, 7)
    sharpen = imgkernel.get("sharpen").matrix()
    for channel, name in ((0, "Red"), (2, "Blue")):
        if name != "Red":  # red is the default
            at.segmented_control(key="walk_channel").set_value(name)
            at.run()
            assert not at.exception
        hood, kernel, products = (t.value.to_numpy() for t in at.table[:3])
        np.testing.assert_array_equal(hood, window[..., channel])
        np.testing.assert_array_equal(kernel, sharpen)
        np.testing.assert_array_equal(products, window[..., channel] * sharpen)
        (line,) = [m.value for m in at.markdown if m.value.startswith(("Red:", "Green:", "Blue:"))]
        assert line.startswith(f"{name}: ") and f"= **{res.values[5, 7, channel]:.4g}**" in line
        np.testing.assert_array_equal(at.table[-1].value.to_numpy(), steps.to_numpy())


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
    for change in (
        lambda s: transitions.choose_preset(s, "blur"),
        lambda s: transitions.set_option(s, "mode", "valid"),
        lambda s: transitions.set_option(s, "stride", 2),
        lambda s: transitions.set_view(s, mode="rescale"),
    ):
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
    first = table[cnn_view.SHAPE].iloc[1]
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
    sh, sw = _cnn_input(128)
    oh, ow = (sh - 3) // 2 + 1, (sw - 3) // 2 + 1
    assert table[cnn_view.SHAPE].iloc[1] == f"{n_kernels} × {oh} × {ow}" != first  # C × H × W, as PyTorch
    assert table["each map"].iloc[1] == f"{ow} × {oh} px"  # width × height, as every picture size
    assert "ReLU" in table.index


def _cnn_input(side: int) -> tuple[int, int]:
    """(height, width) of the CNN page's input: the sample photo shrunk to ``side`` on its long side."""
    h, w = cache.sample_photo().pixels.shape[:2]
    f = side / max(h, w)
    return max(1, round(h * f)), max(1, round(w * f))


def test_cnn_layer_maps_are_captioned_width_by_height_with_a_legend():
    at = _run("cnn_layer", cnn_side=64)
    sh, sw = _cnn_input(64)
    ph, pw = (sh - 2) // 2 + 1, (sw - 2) // 2 + 1  # same padding keeps the size; max pool 2, stride 2
    captions = _captions(at)
    assert f"Input · {sw} × {sh} px · gray" in captions
    for title in ("Top Sobel", "Bottom Sobel", "Left Sobel", "Right Sobel"):
        assert f"{title} · {pw} × {ph} px" in captions
    assert any(c.startswith("white 0 · orange +") for c in captions)  # after ReLU: no blue in the legend
    assert any("After ReLU nothing is negative" in c.value for c in at.caption)
    at.checkbox(key="cnn_relu").uncheck()
    at.run()
    x = imgkernel.to_gray(cache.preview(cache.sample_photo(), 64).pixels)  # the page's input, as an oracle
    _, bank, _ = kernel_bank(at.multiselect(key="cnn_names").value)
    limit = cnn_view.display_limit(pool2d(conv_layer(x, bank, padding="same"), 2, 2, "max"))
    assert f"blue −{wording.num(limit)} · white 0 · orange +{wording.num(limit)}" in _captions(at)
    shapes = " ".join(str(v) for v in at.table[0].value[cnn_view.SHAPE])
    assert "×" in shapes and " x " not in shapes


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
    assert not at.exception
    state = at.session_state["playground"]
    assert state.name == "custom"
    assert state.title == "Blur (3 × 3 Gaussian) ∗ Left Sobel"  # "<A> ∗ <B>", the kernels picked as A and B
    np.testing.assert_allclose(
        state.matrix, compose(imgkernel.get("blur").matrix(), imgkernel.get("sobel_left").matrix())
    )
    assert any("Playground" in info.value for info in at.info)  # standalone: the notice instead of the page


def _chart_text(at: AppTest) -> str:
    """Every Vega-Lite spec on the page, as readable text (titles, labels, data)."""
    return " ".join(json.dumps(json.loads(c.proto.spec), ensure_ascii=False) for c in at.get("vega_lite_chart"))


def test_kernel_lab_writes_sizes_width_by_height():
    photo = cache.sample_photo()
    wide = transitions.load_kernel(
        transitions.initial(photo, cache.DEFAULT_SAMPLE), np.full((1, 3), 1 / 3), title="Row average", where="kernel"
    )  # 3 columns, 1 row: 3 wide, 1 high
    at = _run("kernel_lab", playground=wide)
    at.selectbox(key="lab_a").select(learn.CURRENT)
    at.run()
    assert not at.exception
    text = _chart_text(at)
    assert "Row average · 3 × 1" in text
    assert "A ∗ B · 5 × 3" in text  # (3 + 3 − 1) wide, (1 + 3 − 1) high with the 3 × 3 Left Sobel
    assert at.button(key="lab_use").label == "Open A ∗ B in the playground"


# -- text alternatives: every picture and chart is described for screen readers ----------------------------------


def _alts(at: AppTest) -> list[str | None]:
    """The text alternative of every picture on the page (None: it has none)."""
    return [img.alt if img.HasField("alt") else None for element in at.image for img in element.proto.imgs]


def _described(at: AppTest) -> list[str | None]:
    """The description (the accessible name) of every chart on the page."""
    return [json.loads(c.proto.spec).get("description") for c in at.get("vega_lite_chart")]


def test_every_gallery_thumbnail_says_which_photo_through_which_kernel():
    at = _run("gallery")
    alts = _alts(at)
    assert len(alts) == len(imgkernel.CATALOGUE) + 4  # every kernel, and the four Sobels again
    expected = {f"{cache.DEFAULT_SAMPLE} through {spec.title}" for spec in imgkernel.CATALOGUE.values()}
    assert set(alts) == expected


def test_the_walkthrough_crops_say_where_they_are_and_the_output_value():
    at = _run("walkthrough")
    photo, res = _default_output()
    r, c = at.number_input(key="walk_row").value, at.number_input(key="walk_col").value
    inp, out = _alts(at)
    assert inp.startswith("Input enlarged: ") and f"around row {r}, column {c}, the 3 × 3 window" in inp
    value = ", ".join(f"{ch} {v}" for ch, v in zip("RGB", res.mapped.image[r, c], strict=True))
    assert out.endswith(f"around row {r}, column {c}, the output pixel outlined; its value {value}")


def test_every_cnn_picture_has_a_text_alternative_with_its_values():
    at = _run("cnn_layer", cnn_side=64, cnn_relu=False, cnn_second=True)
    alts = _alts(at)
    assert alts and all(alts), alts
    sh, sw = _cnn_input(64)
    assert f"{cache.DEFAULT_SAMPLE}, the layer's input, gray, {sw} × {sh} px" in alts
    assert any(a.startswith("Colour scale from blue at −") for a in alts)
    maps = [a for a in alts if a.startswith("Feature map of Top Sobel, ")]
    assert maps and all("values −" in a and a.endswith("drawn blue below 0, white at 0, orange above") for a in maps)
    assert any(a.startswith("Second-layer map 1, ") for a in alts)


def test_every_kernel_lab_picture_and_chart_is_described():
    at = _run("kernel_lab")
    alts = _alts(at)
    assert len(alts) == 3 and all(alts), alts
    assert alts[0].startswith("The photo in grey filtered with Blur (3 × 3 Gaussian), then with Left Sobel, ")
    assert alts[1].startswith("The photo in grey filtered once with Blur (3 × 3 Gaussian) ∗ Left Sobel, ")
    assert alts[2].startswith("The difference of the two, ")
    described = _described(at)
    assert len(described) == 5 and all(described), described  # the kernel, its response, A, B and A ∗ B
    assert described[0].startswith("Heat map of the kernel Sharpen, 3 × 3 cells") and "row 2: −1, 5, −1" in described[0]
    assert described[1].startswith("Heat map of the kernel's frequency response, a high-boost filter")
    assert [d.split(",")[0] for d in described[2:]] == [f"Heat map of the kernel {n}" for n in ("A", "B", "A ∗ B")]


# -- the kernel heat map's pure parts (no browser) ---------------------------------------------------------------


def _contrast(a: str, b: str) -> float:
    return learn.contrast(*(tuple(int(c[i : i + 2], 16) for i in (1, 3, 5)) for c in (a, b)))


def test_heatmap_labels_are_short_one_based_and_readable():
    k = np.array([[1 / 3, -123456.7, 0.0], [-0.000123456, 5.0, -2.5]])
    cells = learn.heatmap_cells(k)
    assert list(cells["row"]) == [1, 1, 1, 2, 2, 2] and list(cells["column"]) == [1, 2, 3, 1, 2, 3]
    assert list(cells["label"]) == ["0.3333", "−1.235e+05", "0", "−0.0001235", "5", "−2.5"]
    for label in cells["label"]:
        mantissa = label.lstrip("−").split("e")[0].replace(".", "").lstrip("0")
        assert len(mantissa) <= 4, label
    # strong colours get white text, white and pale cells dark text; the choice is always the better contrast
    strong = cells.set_index("label")
    assert strong.loc["−1.235e+05", "text"] == "#ffffff"  # the largest |weight|: full blue
    assert strong.loc["0", "text"] == strong.loc["0.3333", "text"] == "#262730"
    for fill, text in zip(cells["fill"], cells["text"], strict=True):
        other = "#262730" if text == "#ffffff" else "#ffffff"
        assert _contrast(fill, text) >= _contrast(fill, other) and _contrast(fill, text) >= 3.5, fill


def test_heatmap_text_colour_flips_where_the_colour_gets_strong():
    from imgkernel.mapping import signed_colormap

    for sign in (1, -1):
        ramp = signed_colormap(sign * np.linspace(0, 1, 11)[None, :], limit=1.0)[0]
        colours = [learn.text_colour(c) for c in ramp]
        assert colours[0] == "#262730" and colours[-1] == "#ffffff"
        assert colours == sorted(colours, key=lambda c: c == "#ffffff")  # dark on light, then white on strong


@pytest.mark.parametrize("name", ["sharpen", "blur", "gaussian", "box_blur", "log", "gabor"])
def test_heatmap_cells_hold_their_labels_or_drop_them(name):
    k = imgkernel.get(name).matrix()
    cell, digits = learn.heatmap_layout(k)
    if digits is None:  # too wide even with 2-digit numbers: they go (the tooltip has them)
        longest = max(len(label) for label in learn.heatmap_cells(k, 2)["label"])
        assert (longest * learn.HEATMAP_FONT * 0.6 + 8) * max(k.shape) > learn.HEATMAP_WIDTH
        return
    longest = max(len(label) for label in learn.heatmap_cells(k, digits)["label"])
    assert cell >= longest * learn.HEATMAP_FONT * 0.6 and cell * max(k.shape) <= learn.HEATMAP_WIDTH
    assert 2 <= digits <= 4


@pytest.mark.parametrize(("h", "w"), [(42, 64), (7, 3), (128, 85), (600, 500)])
def test_feature_maps_are_enlarged_by_the_smallest_whole_factor(h, w):
    img = np.random.default_rng(h).integers(0, 256, (h, w, 3), dtype=np.uint8)
    big = cnn_view.readable(img)
    f = big.shape[0] // h
    assert big.shape == (h * f, w * f, 3)
    assert max(h, w) * f >= cnn_view.MAP_SIDE or f == 1
    assert max(h, w) * (f - 1) < cnn_view.MAP_SIDE  # no bigger than needed
    np.testing.assert_array_equal(big[::f, ::f], img)  # nearest neighbour: each pixel a uniform block
    np.testing.assert_array_equal(big[f - 1 :: f, f - 1 :: f], img)


def test_a_learn_page_keeps_its_settings_and_training_when_the_visitor_comes_back():
    """Streamlit forgets a widget's value once a run does not draw it (any other page's run): the Fit page's
    optimiser came back as Adam, so its training, keyed on it, started again from step 0. Widgets whose choices do
    not depend on the photo or the model keep their value for the session (``persist_state="session"``), and so
    does the walkthrough's pixel, brought back inside a smaller photo's output."""
    from tests.apptest import APP, png_bytes, upload

    def visit(page: str) -> None:
        at.switch_page(str(ROOT / "pages" / f"{page}.py")).run()
        assert not at.exception, [e.value for e in at.exception]

    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    visit("fit")
    at.select_slider(key="fit_size").set_value(5).run()
    at.selectbox(key="fit_optimizer").select("momentum").run()
    at.number_input(key="fit_steps").set_value(300).run()
    at.button(key="fit_run").click().run()
    trained = at.session_state["fit_training"]
    assert trained.step == 300
    visit("cnn_layer")
    at.slider(key="cnn_stride").set_value(2).run()
    at.segmented_control(key="cnn_pool").set_value("none").run()
    visit("sliding_window")
    at.selectbox(key="sw_kernel").select("outline").run()
    visit("gallery")
    at.selectbox(key="gallery_category").select(at.selectbox(key="gallery_category").options[1]).run()
    category = at.selectbox(key="gallery_category").value
    visit("walkthrough")
    at.number_input(key="walk_row").set_value(100)
    at.number_input(key="walk_col").set_value(120).run()
    visit("playground")
    visit("fit")
    assert at.select_slider(key="fit_size").value == 5 and at.selectbox(key="fit_optimizer").value == "momentum"
    assert at.session_state["fit_training"] is trained  # the same training, at step 300: nothing started again
    visit("cnn_layer")
    assert at.slider(key="cnn_stride").value == 2 and at.segmented_control(key="cnn_pool").value == "none"
    visit("sliding_window")
    assert at.selectbox(key="sw_kernel").value == "outline"
    visit("gallery")
    assert at.selectbox(key="gallery_category").value == category
    visit("walkthrough")
    assert (at.number_input(key="walk_row").value, at.number_input(key="walk_col").value) == (100, 120)
    visit("playground")
    upload(at, "small.png", png_bytes(np.zeros((16, 20, 3), np.uint8)))
    visit("walkthrough")  # the pixel is outside the smaller output: its middle instead, and no error
    assert (at.number_input(key="walk_row").value, at.number_input(key="walk_col").value) == (8, 10)
