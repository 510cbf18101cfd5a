"""The app opens in a real browser on the default photo, already filtered, with no exception."""

import numpy as np
import pytest

from tests.browser.st_page import assert_no_exception, image_pixels, open_app

pytestmark = pytest.mark.browser


def test_app_opens_with_filtered_default_photo(page, app_url):
    open_app(page, app_url)
    assert_no_exception(page)
    original, filtered = image_pixels(page, 0), image_pixels(page, 1)
    assert original.shape[:2] == filtered.shape[:2]
    assert np.abs(original.astype(int) - filtered.astype(int)).mean() > 1.0
