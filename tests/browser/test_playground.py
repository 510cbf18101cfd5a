"""The playground end to end in Chromium: upload, choose a preset, edit a grid cell; the result really changes."""

import re
from pathlib import Path

import numpy as np
import pytest

from tests.browser.st_page import (
    assert_no_exception,
    edit_grid_cell,
    image_pixels,
    open_app,
    select,
    settle,
    upload,
)

pytestmark = pytest.mark.browser
ROOT_ASSETS = Path(__file__).resolve().parents[2] / "assets"


def _result_caption(page) -> str:
    return page.get_by_text(re.compile(r"^Result: ")).first.inner_text()


def test_upload_preset_and_grid_edit_change_the_filtered_pixels(page, app_url):
    open_app(page, app_url)
    assert_no_exception(page)
    assert "Sharpen" in _result_caption(page)

    upload(page, ROOT_ASSETS / "coffee.png")  # 600 x 400, the default is the 451 x 300 cat
    settle(page, re.compile(r"Result: .* 600 × 400 px"))
    assert_no_exception(page)
    sharpened = image_pixels(page, 1)
    assert sharpened.shape[:2] == (400, 600)

    select(page, "Kernel", "Blur · Box blur")
    settle(page, re.compile(r"Result: Box blur"))
    blurred = image_pixels(page, 1)
    assert blurred.shape == sharpened.shape

    # a blur smooths: neighbouring pixels differ far less than after sharpening
    def roughness(a):
        return np.abs(np.diff(a.astype(int), axis=1)).mean()

    assert roughness(blurred) < 0.6 * roughness(sharpened)

    edit_grid_cell(page, 1, 1, "-30")  # the centre of the 3x3 box blur: now mostly a negative
    settle(page, re.compile(r"Result: Custom"))
    assert_no_exception(page)
    custom = image_pixels(page, 1)
    assert custom.shape == blurred.shape
    assert np.abs(custom.astype(int) - blurred.astype(int)).mean() > 20


def test_text_in_a_grid_cell_is_refused_and_the_kernel_stays(page, app_url):
    open_app(page, app_url)
    before = image_pixels(page, 1)
    edit_grid_cell(page, 0, 0, "abc")
    # the grid's number column sends text as an empty cell
    page.get_by_text(re.compile("row 1, column 1 (is empty|holds .* not a number)")).first.wait_for()
    settle(page)
    assert_no_exception(page)
    np.testing.assert_array_equal(image_pixels(page, 1), before)
