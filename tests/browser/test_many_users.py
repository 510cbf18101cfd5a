"""Eight people at once on one server: nobody sees anyone else's photo or kernel.

One browser, eight contexts (separate cookies and websockets: separate Streamlit sessions), all open at once.
Each uploads its own generated photo (its own colours and shapes) and picks its own kernel; the uploads and
kernel choices are fired in every context before any result is awaited, so the server works on them
concurrently. Each context's filtered image is then fetched and compared with ``imgkernel.run_filter`` on
that context's own photo and kernel.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import imgkernel
from devtools.browser import DESKTOP
from devtools.st_page import assert_no_exception, choose_kernel, image_pixels, settle, upload, wait_idle

pytestmark = pytest.mark.browser

KERNELS = ["outline", "emboss", "box_blur", "sobel_left", "laplacian_8", "gaussian", "identity", "sharpen"]


def user_photo(i: int) -> np.ndarray:
    """Each user's own picture: its own background colour, size and a bright block at its own place."""
    px = np.zeros((90 + 7 * i, 120 + 5 * i, 3), np.uint8)
    px[:] = ((40 * i + 20) % 256, (90 * i + 60) % 256, (150 * i + 100) % 256)
    px[10 + 4 * i : 40 + 4 * i, 15 + 6 * i : 60 + 6 * i] = (255 - 20 * i, 30 * i % 256, 200)
    return px


def test_eight_concurrent_sessions_each_see_only_their_own_result(browser, app_url, tmp_path):
    contexts = [browser.new_context(viewport=DESKTOP) for _ in range(8)]
    try:
        pages = [c.new_page() for c in contexts]
        for p in pages:
            p.set_default_timeout(60_000)
            p.goto(app_url)  # all eight load at once
        for p in pages:
            wait_idle(p, 60_000)
            p.locator('[data-testid="stImage"] img').first.wait_for()
        photos = []
        for i, p in enumerate(pages):  # fire all uploads before waiting for any
            photos.append(user_photo(i))
            path = tmp_path / f"user{i}.png"
            Image.fromarray(photos[-1]).save(path)
            upload(p, path)
        for i, p in enumerate(pages):
            settle(p, f"user{i}.png ·")
        for i, p in enumerate(pages):  # and all kernel choices
            choose_kernel(p, KERNELS[i])
        for i, p in enumerate(pages):
            settle(p, f"Result: {imgkernel.get(KERNELS[i]).title} ·")
        for i, p in enumerate(pages):
            assert_no_exception(p)
            spec = imgkernel.get(KERNELS[i])
            settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
            expected = imgkernel.run_filter(photos[i], spec.matrix(), settings).mapped.image
            shown = image_pixels(p, 1)  # the filtered picture (PNG: exact)
            assert shown.shape == expected.shape, (i, shown.shape, expected.shape)
            np.testing.assert_array_equal(shown, expected, err_msg=f"session {i} ({KERNELS[i]})")
            original = image_pixels(p, 0)  # the original (JPEG): this session's own colours
            assert np.abs(original.astype(int) - photos[i].astype(int)).mean() < 4, f"session {i} sees another photo"
    finally:
        for c in contexts:
            c.close()
