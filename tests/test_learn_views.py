"""The pure parts of the walkthrough, kernel lab and CNN layer pages (``app.walkthrough_view``, ``app.lab_view``,
``app.cnn_view``): no browser; one AppTest checks the CNN page says how it pads."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cnn_view
from app import lab_view as lab
from app import walkthrough_view as walk
from app.state import Photo, digest_of
from imgkernel.kernel_props import compose
from imgkernel.learn.walkthrough import explain_pixel
from imgkernel.pipeline import Settings, run_filter

RNG = np.random.default_rng(7)
RGB = RNG.integers(0, 256, (9, 11, 3), dtype=np.uint8)
SHARPEN = np.array([[0.0, -1, 0], [-1, 5, -1], [0, -1, 0]])


def _photo(name: str, h: int, w: int) -> Photo:
    pixels = np.zeros((h, w, 3), np.uint8)
    return Photo(name, digest_of(pixels), pixels)


def _explain(kernel=SHARPEN, row=0, col=0, pixels=RGB, **options):
    settings = Settings(**options)
    return explain_pixel(pixels, kernel, settings, row, col), settings


# -- the walkthrough --------------------------------------------------------------------------------------------


def test_photo_caption_names_photo_kernel_options_and_the_preview():
    full = _photo("cat.jpg", 6, 8)
    text = walk.photo_caption(full, full, "Sharpen", Settings(mode="wrap", stride=2, dilation=3))
    assert text == (
        "Photo: **cat.jpg** · kernel: **Sharpen** · border **wrap**, stride 2, dilation 3. "
        "Change them in the Playground."
    )
    small = _photo("cat.jpg", 3, 4)
    text = walk.photo_caption(small, full, "Blur", Settings(true_convolution=True))
    assert "dilation 1, true convolution. Change them" in text
    assert text.endswith(" Working on the 4 × 3 px preview of the 8 × 6 px photo.")


def test_click_is_scaled_from_displayed_to_photo_pixels():
    assert walk.click_to_input({"x": 100, "y": 50, "width": 480, "height": 320}, 960, 640) == (100, 200)
    assert walk.click_to_input({"x": 7, "y": 3}, 960, 640) == (3, 7)  # no displayed size: shown as is
    assert walk.click_to_input({"x": 480, "y": 320, "width": 480, "height": 320}, 960, 640) == (639, 959)


@pytest.mark.parametrize(("value", "n", "kept"), [(None, 10, 5), (9, 10, 9), (0, 1, 0), (10, 10, 5), (-1, 10, 5)])
def test_an_output_index_is_kept_while_it_fits(value, n, kept):
    assert walk.kept_or_middle(value, n) == kept


def test_crop_geometry_frames_the_window():
    e, _ = _explain()
    assert walk.crop_geometry(e) == ((-1, -1, 1, 1), 4, 26)  # 3 × 3 at the corner: radius 4, 9 × 26 = 234 px
    e, _ = _explain(np.ones((5, 5)), 4, 5, dilation=3)  # the taps span 13 pixels
    assert walk.crop_geometry(e) == ((-2, -1, 10, 11), 8, 14)
    e, _ = _explain(np.ones((31, 31)), 4, 5)
    box, radius, factor = walk.crop_geometry(e)
    assert box == (-11, -10, 19, 20) and (radius, factor) == (12, 9)  # capped at 12: 25 × 9 = 225 px


def test_channels_and_labels():
    e, _ = _explain(row=0, col=4)
    assert walk.channel_names(e) == ["Red", "Green", "Blue"]
    np.testing.assert_array_equal(walk.channel_of(e.neighbourhood, 2), e.neighbourhood[:, :, 2])
    assert walk.input_labels(e) == (["row -1", "row 0", "row 1"], ["col 3", "col 4", "col 5"])
    assert walk.offset_labels(e) == (["dy -1", "dy +0", "dy +1"], ["dx -1", "dx +0", "dx +1"])
    gray, _ = _explain(row=2, col=2, gray=True, dilation=2)
    assert walk.channel_names(gray) == ["Gray"]
    assert walk.channel_of(gray.neighbourhood, 0) is gray.neighbourhood
    assert walk.offset_labels(gray) == (["dy -2", "dy +0", "dy +2"], ["dx -2", "dx +0", "dx +2"])


def test_value_format_keeps_decimals_only_when_needed():
    assert walk.value_format(np.array([[0.0, 255.0], [12.0, 3.0]])) == "{:.0f}"
    assert walk.value_format(np.array([[0.0, 127.25]])) == "{:.2f}"


def test_tap_css_shades_padding_and_outlines_the_anchor():
    e, _ = _explain()
    css = walk.tap_css(e, "reflect")
    assert css[0, 0] == css[0, 2] == css[2, 0] == walk.PADDING_CSS  # row -1 and column -1 are padding
    assert css[1, 1] == walk.ANCHOR_CSS and css[2, 2] == css[1, 2] == ""
    inner, _ = _explain(row=4, col=5)
    css = walk.tap_css(inner, "reflect")
    assert css[1, 1] == walk.ANCHOR_CSS and not any(c for i, c in np.ndenumerate(css) if i != (1, 1))
    assert walk.ANCHOR_CSS not in "".join(walk.tap_css(inner, "valid").ravel())  # valid: no anchor
    between, _ = _explain(np.ones((2, 2)), 4, 5, dilation=2)  # the taps read offsets -1 and +1: no tap on the centre
    assert walk.ANCHOR_CSS not in "".join(walk.tap_css(between, "reflect").ravel())


def test_tap_table_formats_labels_and_styles():
    e, _ = _explain(np.full((3, 3), 1 / 3))
    html = walk.tap_table(e.kernel, "{:.4g}", walk.offset_labels(e), walk.tap_css(e, "reflect")).to_html()
    assert "dy -1" in html and "dx +1" in html
    assert "0.3333" in html and "0.33333" not in html
    assert "font-weight: bold" in html and "font-style: italic" in html


def test_notes_under_the_tables():
    assert walk.padding_note("constant") == (
        "Shaded cells lie outside the photo: their values are padding from the 'constant' border mode. "
    )
    assert walk.padding_note("reflect").endswith("(e.g. row -1 is the row above row 0).")
    assert "'reflect' border mode" in walk.padding_note("reflect")
    assert walk.dilation_note(3) == (
        "Dilation 3: the taps read every 3th pixel, so the rows and columns above skip pixels."
    )


def test_written_sum_leaves_zero_weights_out_and_brackets_negatives():
    values = np.array([[1.0, 2.0], [3.0, 4.5]])
    weights = np.array([[1.0, 0.0], [-2.0, 0.5]])
    assert (
        walk.written_sum(values, weights, "Red", -2.75)
        == "Red: 1×1 + 3×(-2) + 4.5×0.5 = **-2.75** (zero weights left out)"
    )
    assert walk.written_sum(values, np.zeros((2, 2)), "Gray", 0.0) == "Gray: 0 = **0** (zero weights left out)"
    assert walk.written_sum(np.ones((5, 5)), np.ones((5, 5)), "Gray", 25.0) is not None  # 25 cells: written out
    assert walk.written_sum(np.ones((5, 6)), np.ones((5, 6)), "Gray", 30.0) is None  # 30: too long to read


def test_mapping_in_words():
    assert walk.mapping_text("clip", None) == "values below 0 become 0, above 255 become 255"
    assert walk.mapping_text("abs", None) == "the absolute value, clipped at 255"
    assert walk.mapping_text("rescale", (-10.5, 300.0)) == "stretched from the image's -10.5..300 to 0..255"
    with pytest.raises(KeyError):
        walk.mapping_text("wrap", None)


def test_steps_heading_and_table_match_the_filter():
    for options, row, col in (
        ({}, 0, 0),
        ({"out_of_range": "rescale", "mode": "valid"}, 2, 3),
        ({"gray": True}, 8, 10),
    ):
        settings = Settings(**options)
        res = run_filter(RGB, SHARPEN, settings)
        e = explain_pixel(RGB, SHARPEN, settings, row, col, value_range=(res.mapped.low, res.mapped.high))
        table = walk.steps_table(e)
        assert list(table["output pixel"]) == [int(v) for v in np.atleast_1d(res.mapped.image[row, col])]
        assert list(table.index) == (["Gray"] if settings.gray else ["Red", "Green", "Blue"])
        assert list(table.columns) == ["sum of products", "÷ 1 + 0", "output pixel"]
        assert list(table["sum of products"]) == [f"{v:.4f}" for v in e.raw]
    e, settings = _explain(np.ones((3, 3)), normalise=True, out_of_range="abs")
    assert walk.steps_heading(e, settings) == (
        "**4 · Sum → ÷ 9 + 0 → 8 bits** (auto-normalised, out of range: the absolute value, clipped at 255)"
    )
    e, settings = _explain(np.ones((3, 3)), mean=True, offset=10)
    assert walk.steps_heading(e, settings) == (
        "**4 · Sum → ÷ 9 + 10 → 8 bits** (mean of the cells, out of range: values below 0 become 0, above 255 "
        "become 255)"
    )


# -- the kernel lab ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gain", "start"),
    [
        (0.0, "The weights add up to 0"),
        (1.0, "The weights add up to 1"),
        (1 + 1e-12, "The weights add up to 1"),
        (2.0, "Flat areas are multiplied by 2;"),
        (-0.123456, "Flat areas are multiplied by −0.1235;"),
    ],
)
def test_gain_note(gain, start):
    assert lab.gain_note(gain).startswith(start)


def test_separable_note_counts_multiplications():
    assert lab.separable_note((3, 5)).endswith("(5 + 3 multiplications per pixel instead of 15).")


def test_factor_and_symmetry_tables():
    row = lab.factor_table("row factor", np.array([0.25, 0.5, -1 / 3]))
    assert list(row.index) == ["row factor"] and list(row.iloc[0]) == ["0.25", "0.5", "−0.3333"]
    sym = lab.symmetry_table({"left-right": True, "up-down": False})
    assert list(sym.index) == ["left-right", "up-down"] and list(sym["symmetric?"]) == ["yes", "no"]


def test_response_heading_says_what_the_kind_does():
    assert lab.response_heading("low-pass") == (
        "**Frequency response: low-pass** — it keeps smooth areas and removes fine detail and noise (it blurs)."
    )
    with pytest.raises(KeyError):
        lab.response_heading("notch")


def test_response_cells_cover_the_frequencies_with_dc_in_the_middle():
    cells = lab.response_cells(np.ones((3, 3)))
    assert len(cells) == lab.FREQ_SIZE**2
    assert cells["horizontal"].min() == cells["vertical"].min() == -0.5
    assert cells["horizontal"].max() == pytest.approx(0.5 - 1 / lab.FREQ_SIZE, abs=1e-3)
    dc = cells[(cells["horizontal"] == 0) & (cells["vertical"] == 0)]["gain"]
    assert dc.tolist() == pytest.approx([9.0]) and cells["gain"].max() == pytest.approx(9.0)  # the box blur: low-pass
    np.testing.assert_allclose(lab.response_cells(np.ones((1, 1)), 8)["gain"], 1.0)  # the identity passes everything


def test_response_chart_is_a_heat_map_of_the_cells():
    spec = lab.response_chart(imgkernel.get("sobel_left").matrix()).to_dict()
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["x"]["field"] == "horizontal" and spec["encoding"]["y"]["sort"] == "descending"
    assert spec["encoding"]["color"]["field"] == "gain"
    assert len(next(iter(spec["datasets"].values()))) == lab.FREQ_SIZE**2


def test_fits():
    assert lab.fits(np.ones((5, 3)), np.zeros((5, 40)))
    assert not lab.fits(np.ones((3, 6)), np.zeros((5, 40)))


def test_composition_agrees_everywhere_with_wrap_and_inside_otherwise():
    x = RNG.uniform(0, 255, (40, 50)).astype(np.float32)
    a, b = imgkernel.get("blur").matrix(), imgkernel.get("sobel_left").matrix()
    combined = compose(a, b)
    wrapped = lab.compose_check(x, a, b, combined, "wrap")
    assert wrapped.largest < 1e-3 and wrapped.interior < 1e-3 and wrapped.margin == (3, 3)
    np.testing.assert_allclose(wrapped.once, wrapped.twice, atol=1e-3)
    padded = lab.compose_check(x, a, b, combined, "constant")
    assert padded.largest > 1 and padded.interior < 1e-3
    assert padded.largest == pytest.approx(float(np.abs(padded.once - padded.twice).max()))
    row = np.array([[1.0, 2.0, 1.0]])
    assert lab.compose_check(x, row, a, compose(row, a), "reflect").margin == (2, 3)  # 5 wide, 3 high
    tiny = lab.compose_check(x[:5, :5], a, b, combined, "reflect")
    assert tiny.interior == 0.0 and tiny.largest > 0  # nothing is far enough from the border


def test_composition_colour_scales():
    def comp(twice_max: float, largest: float) -> lab.Composition:
        return lab.Composition(np.array([[twice_max]]), np.zeros((1, 1)), (2, 2), largest, 0.0)

    assert comp(0.5, 0.0).scale == 1.0 and comp(-300.0, 0.0).scale == 300.0
    assert comp(1.0, 0.0).diff_limit == 1e-3 and comp(1.0, 0.5).diff_limit == 0.5


def test_border_note():
    assert lab.border_note("wrap", (3, 4)).startswith("With 'wrap' the photo is treated as periodic")
    note = lab.border_note("nearest", (3, 4))
    assert note.startswith("With 'nearest' the second pass pads") and "(2 rows, 3 columns)" in note


# -- the CNN layer's padding ------------------------------------------------------------------------------------


def test_cnn_steps_show_the_framework_pads_and_sizes():
    x = np.zeros((10, 7))
    run = cnn_view.run_layer(x, np.ones((2, 4, 4)), cnn_view.Layer(stride=2, padding="same"), "test")
    # ceil(10 / 2) = 5 rows: (5 − 1)·2 + 4 − 10 = 2 → 1 + 1; ceil(7 / 2) = 4 columns: 3·2 + 4 − 7 = 3 → 1 + 2
    assert run.pads == ((1, 1), (1, 2))
    assert run.maps.shape == (2, 5, 4)
    how = run.steps[1]["how"]
    assert how == "H: floor((10 + 2·1 − 1·(4−1) − 1) / 2) + 1 = 5 · W: floor((7 + 1 + 2 − 1·(4−1) − 1) / 2) + 1 = 4"
    assert cnn_view.padding_note(run.pads, "same") == (
        "Padding 'same' adds zeros: 1 pixel above and 1 pixel below, 1 pixel left and 2 pixels right."
    )
    valid = cnn_view.run_layer(x, np.ones((1, 3, 3)), cnn_view.Layer(padding="valid", relu=False), "test")
    assert valid.pads == ((0, 0), (0, 0)) and valid.steps[1]["how"] == (
        "H: floor((10 − 3) / 1) + 1 = 8 · W: floor((7 − 3) / 1) + 1 = 5"
    )
    assert cnn_view.padding_note(valid.pads, "valid") == "Padding 'valid': no zeros are added."


def test_cnn_page_says_how_same_padding_is_split():
    root = Path(__file__).resolve().parents[1]
    at = AppTest.from_file(str(root / "pages" / "cnn_layer.py"), default_timeout=30)
    at.session_state["cnn_side"] = 64
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    captions = [c.value for c in at.caption]
    assert cnn_view.SAME_RULE in captions
    assert "Padding 'same' adds zeros: 1 pixel above and 1 pixel below, 1 pixel left and 1 pixel right." in captions
    at.slider(key="cnn_stride").set_value(2).run()  # 64 × 43: ceil(43 / 2) = 22 → 21·2 + 3 − 43 = 2; 64 → 1
    captions = [c.value for c in at.caption]
    assert "Padding 'same' adds zeros: 1 pixel above and 1 pixel below, 0 pixels left and 1 pixel right." in captions
    at.segmented_control(key="cnn_padding").set_value("valid").run()
    captions = [c.value for c in at.caption]
    assert cnn_view.SAME_RULE not in captions and "Padding 'valid': no zeros are added." in captions
