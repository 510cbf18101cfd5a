"""The playground end to end in Chromium: it opens on the default photo already filtered; upload, choose a preset,
edit a grid cell and the result really changes; text typed into a cell is refused and the kernel stays."""

import re
from pathlib import Path

import numpy as np
import pytest

from devtools.st_page import (
    GRID,
    assert_no_exception,
    edit_cell,
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


def test_opens_filtered_then_upload_preset_and_grid_edits_change_the_pixels(page, app_url):
    # the app opens on the default photo, already filtered, with no exception
    open_app(page, app_url)
    assert_no_exception(page)
    assert "Sharpen" in _result_caption(page)
    original, filtered = image_pixels(page, 0), image_pixels(page, 1)
    assert original.shape[:2] == filtered.shape[:2]
    assert np.abs(original.astype(int) - filtered.astype(int)).mean() > 1.0

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

    edit_cell(page, 1, 1, "-30")  # the centre of the 3x3 box blur: now mostly a negative
    settle(page, re.compile(r"Result: Custom"))
    assert_no_exception(page)
    custom = image_pixels(page, 1)
    assert custom.shape == blurred.shape
    assert np.abs(custom.astype(int) - blurred.astype(int)).mean() > 20

    # text in a grid cell is refused, marked on the cell, and the kernel in use stays
    edit_cell(page, 0, 0, "abc")  # waits for the cell marked invalid
    message = page.locator(f"{GRID} .ke-msg")
    assert re.search(r"row 1, column 1 holds 'abc', which is not a number", message.inner_text()), message.inner_text()
    assert_no_exception(page)
    np.testing.assert_array_equal(image_pixels(page, 1), custom)
