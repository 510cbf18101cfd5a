"""The "In your code" panel in the real browser: a visitor edits a weight, picks OpenCV, downloads the script and
runs it on the photo; its result.png is the playground's full-resolution picture, pixel for pixel."""

from __future__ import annotations

import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import imgkernel
from app import cache
from devtools.st_page import assert_no_exception, edit_cell, open_app, settle, wait_idle

pytestmark = pytest.mark.browser


def test_the_downloaded_opencv_script_reproduces_the_playground(page, app_url, tmp_path):
    open_app(page, app_url)
    edit_cell(page, 1, 1, "5.5")  # a weight that is not the preset's, at full precision
    settle(page)
    page.get_by_text("In your code", exact=True).click()
    page.get_by_text("OpenCV", exact=True).click()
    settle(page)
    code = page.locator("[data-testid='stCode']").filter(has_text="cv2.filter2D")
    code.wait_for()
    assert "5.5" in code.inner_text()
    wait_idle(page)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the script").click()
    assert info.value.suggested_filename == "filter_opencv.py"
    script = tmp_path / "filter_opencv.py"
    shutil.copyfile(info.value.path(), script)
    assert_no_exception(page)

    shutil.copyfile(cache.ASSETS / cache.SAMPLES[cache.DEFAULT_SAMPLE], tmp_path / "photo.png")
    subprocess.run([sys.executable, script.name], cwd=tmp_path, check=True, timeout=120)
    with Image.open(tmp_path / "result.png") as im:
        got = np.asarray(im)
    kernel = imgkernel.get("sharpen").matrix()
    kernel[1, 1] = 5.5
    expected = imgkernel.run_filter(imgkernel.load_image(tmp_path / "photo.png").pixels, kernel).mapped.image
    np.testing.assert_array_equal(got, expected)
