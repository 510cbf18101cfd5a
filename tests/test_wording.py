"""What the app says in words (``app.wording``, pure functions): numbers, the sum of weights, and the text
alternatives of its pictures and descriptions of its charts, which a screen reader reads instead of the picture.

A text alternative says what the picture shows with the numbers a sighted visitor sees next to it: the photo,
the kernel, the size and the value range, the colours of the signed view and the spot a loupe enlarges."""

from __future__ import annotations

import numpy as np
import pytest

import imgkernel
from app import learn, wording
from app.wording import (
    alt_difference,
    alt_photo,
    alt_pick,
    alt_result,
    alt_scale,
    alt_signed,
    alt_thumbnail,
    alt_zoom,
    at_row_col,
    at_xy,
    heatmap_description,
    histogram_description,
    kernel_rows,
    pixel_value,
    response_description,
    signed_legend,
    value_range,
)
from imgkernel.mapping import NEGATIVE_RGB, POSITIVE_RGB


def test_the_photo_and_the_result_in_words():
    assert alt_photo("Chelsea the cat", 451, 300) == "Chelsea the cat, original, 451 × 300 px"
    assert alt_photo("cat.jpg", 451, 300, gray=True) == "cat.jpg, original, in grey (luminance), 451 × 300 px"
    assert alt_photo("Coffee cup", 128, 85, what="the layer's input, gray") == (
        "Coffee cup, the layer's input, gray, 128 × 85 px"
    )
    assert alt_result("Chelsea the cat", "Top Sobel", 451, 300, -340.0, 412.0) == (
        "Chelsea the cat filtered with Top Sobel, 451 × 300 px, values −340 to 412"
    )


@pytest.mark.parametrize(
    ("view", "says"),
    [
        ("clip", ""),
        ("abs", ", drawn as absolute values"),
        ("rescale", ", stretched so the lowest is black and the highest white"),
        ("signed", ", drawn blue below 0, white at 0, orange above"),
    ],
)
def test_the_result_says_how_its_view_draws_the_values(view, says):
    text = alt_result("Astronaut", "Sharpen", 512, 512, -140.25, 539.0, view)
    assert text == f"Astronaut filtered with Sharpen, 512 × 512 px, values −140.2 to 539{says}"


def test_value_ranges_use_four_significant_digits_and_a_real_minus():
    assert value_range(-1234.5678, 0.015625) == "values −1235 to 0.01562"
    assert value_range(0.0, 255.0) == "values 0 to 255"
    assert value_range(7.0, 7.0) == "every value 7"  # a flat result


def test_the_colour_scale_names_the_colours_the_map_draws():
    # the names stand for the map's colours: blue is mostly blue, orange mostly red-green (a warm colour)
    assert np.argmax(NEGATIVE_RGB) == 2 and POSITIVE_RGB[0] > POSITIVE_RGB[1] > POSITIVE_RGB[2]
    assert (wording.NEGATIVE, wording.ZERO, wording.POSITIVE) == ("blue", "white", "orange")
    assert alt_scale(12.5) == "Colour scale from blue at −12.5 through white at 0 to orange at +12.5"
    assert alt_scale(489.0, signed=False) == "Colour scale from white at 0 to orange at +489"
    assert signed_legend(12.5) == "blue −12.5 · white 0 · orange +12.5"
    assert signed_legend(489.0, signed=False) == "white 0 · orange +489"


def test_the_difference_and_the_loupe():
    assert alt_difference("Chelsea the cat", "Sharpen", 451, 300, 12.345) == (
        "Difference between Chelsea the cat and its Sharpen result, 451 × 300 px: black where the kernel left the "
        "photo alone, bright where it changed it most; mean 12.35 grey levels"
    )
    assert alt_zoom("Original", 15, at_xy(120, 80), "the kernel's 3 × 3 window", np.array([12, 34, 56])) == (
        "Original enlarged: 15 × 15 pixels around x 120, y 80, the kernel's 3 × 3 window outlined; "
        "its value R 12, G 34, B 56"
    )
    assert alt_zoom("Result", 7, at_xy(60, 40), "that pixel", np.uint8(200)) == (
        "Result enlarged: 7 × 7 pixels around x 60, y 40, that pixel outlined; its value 200"
    )
    assert alt_zoom("Input", 9, at_row_col(150, 225), "the 3 × 3 window the kernel reads") == (
        "Input enlarged: 9 × 9 pixels around row 150, column 225, the 3 × 3 window the kernel reads outlined"
    )


def test_pixel_values():
    assert pixel_value(np.array([128])) == "128"
    assert pixel_value(127.5) == "127.5"
    assert pixel_value(np.array([1.0, 2.5, 3.25], np.float32)) == "R 1, G 2.5, B 3.25"


def test_pictures_to_click_thumbnails_and_signed_pictures():
    assert alt_pick("Chelsea the cat", 451, 300, "click a pixel") == "Chelsea the cat, 451 × 300 px: click a pixel"
    assert alt_thumbnail("Chelsea the cat", "Top Sobel") == "Chelsea the cat through Top Sobel"
    assert alt_signed("Feature map of Top Sobel", 64, 43, 0.0, 412.0) == (
        "Feature map of Top Sobel, 64 × 43 px, values 0 to 412, drawn blue below 0, white at 0, orange above"
    )


def test_a_small_kernel_heat_map_lists_its_weights_row_by_row():
    sharpen = imgkernel.get("sharpen").matrix()
    assert kernel_rows(sharpen) == "row 1: 0, −1, 0; row 2: −1, 5, −1; row 3: 0, −1, 0"
    assert heatmap_description(sharpen, "Sharpen") == (
        "Heat map of the kernel Sharpen, 3 × 3 cells, orange cells positive, blue negative, white 0; "
        "weights from −1 to 5; row 1: 0, −1, 0; row 2: −1, 5, −1; row 3: 0, −1, 0."
    )
    wide = np.arange(6.0).reshape(2, 3) / 3  # 3 wide, 2 high: width × height, as every size in the app
    assert heatmap_description(wide).startswith("Heat map of the kernel, 3 × 2 cells,")
    assert "row 2: 1, 1.333, 1.667." in heatmap_description(wide)


def test_a_big_kernel_heat_map_does_not_list_its_cells():
    k = np.ones((9, 9)) / 81
    text = heatmap_description(k, "Box blur")
    assert text.startswith("Heat map of the kernel Box blur, 9 × 9 cells")
    assert "weights from 0.01235 to 0.01235 (too many cells to list)." in text and "row 1" not in text


def test_chart_descriptions_carry_the_numbers():
    gains = np.array([0.0, 0.25, 1.0])
    assert response_description("low-pass", gains, 1.0) == (
        "Heat map of the kernel's frequency response, a low-pass filter: |gain| from 0 to 1, 1 at the centre "
        "(flat areas), the finest stripes at the edges; brighter (yellow) is a larger gain."
    )
    counts, edges = np.array([5, 1200, 30]), np.array([-140.0, 0.0, 255.0, 539.0])
    assert histogram_description(counts, edges) == (
        "Histogram of 1,235 filter responses from −140 to 539; the tallest bar, 1,200 values, lies between 0 and "
        "255. Dashed lines mark 0 and 255, the range the screen can show."
    )


def test_chart_text_meets_wcag_aa_on_white():
    def luminance(hex_colour: str) -> float:
        c = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert 1.05 / (luminance(wording.CHART_TEXT) + 0.05) >= 4.5
    assert (
        wording.CHART_CONFIG["axis"]
        == wording.CHART_CONFIG["legend"]
        == {
            "labelColor": wording.CHART_TEXT,
            "titleColor": wording.CHART_TEXT,
        }
    )


def test_the_grid_tints_each_weight_by_its_sign_and_keeps_the_numbers_readable():
    tints = wording.weight_tints(imgkernel.get("sharpen").matrix())
    assert tints.shape == (3, 3, 3)
    assert tuple(tints[0, 0]) == (255, 255, 255)  # 0: white
    centre, neighbour = tints[1, 1].astype(int), tints[0, 1].astype(int)
    assert centre[0] > centre[2] and neighbour[2] > neighbour[0]  # orange above 0, blue below
    # the strongest tint keeps the near-black text at AAA contrast (7:1)
    for rgb in tints.reshape(-1, 3):
        assert learn.contrast(tuple(int(v) for v in rgb), (0x14, 0x13, 0x12)) >= 7


def test_the_closed_options_panel_says_what_is_in_use():
    assert wording.options_summary(imgkernel.Settings(), "clip") == "reflect borders, stride 1, clip"
    busy = imgkernel.Settings(mode="constant", cval=-12.5, stride=2, dilation=3, true_convolution=True, gray=True)
    assert wording.options_summary(busy, "signed") == (
        "constant −12.5 borders, stride 2, dilation 3, flipped, gray, signed"
    )
