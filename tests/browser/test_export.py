"""The full-resolution export in the real browser: two visitors on a server with a small memory budget upload a
12 MP photo and ask for the PNG at the same moment. The budget lets one job run at a time, so one of them is
told it is queued; both files, downloaded through the browser, are exactly ``run_filter``'s picture (alpha
included), and once downloaded the server lets go of them (the page's export panel is in a fragment, whose
reruns alone would keep a download button's file in Streamlit's media store)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import imgkernel
from bench.photos import photo_jpeg
from devtools.browser import DESKTOP, start_app, stop_app
from devtools.st_page import QUEUED_JS, assert_no_exception, choose_kernel, open_app, settle, upload, wait_idle

pytestmark = pytest.mark.browser

# One 12 MP export (36 M samples: ~70 MB with its band) or decode (~120 MB) fills a 64 MB budget alone.
SMALL_BUDGET = {"IMGKERNEL_MEMORY_BUDGET_MB": "64"}
PREPARE = re.compile("Prepare full-resolution PNG")
DOWNLOAD = re.compile(r"Download PNG \(4000 × 3000 px")


def rgba_photo() -> np.ndarray:
    """A 4000 x 3000 RGBA picture: gradients, a block, and an alpha ramp with a hole."""
    y, x = np.mgrid[0:3000, 0:4000]
    px = np.dstack([x * 255 // 3999, y * 255 // 2999, (x // 40 + y // 30) % 2 * 200, 55 + x * 200 // 3999])
    px[1000:1500, 1500:2500, 3] = 0
    return px.astype(np.uint8)


def test_full_resolution_exports_at_once_queue_and_download_pixel_exact(browser, tmp_path):
    proc, url = start_app(env=SMALL_BUDGET)
    contexts = [browser.new_context(viewport=DESKTOP, accept_downloads=True) for _ in range(2)]
    try:
        paths = [tmp_path / "alpha.png", tmp_path / "photo.jpg"]
        Image.fromarray(rgba_photo(), "RGBA").save(paths[0], compress_level=1)
        paths[1].write_bytes(photo_jpeg(5, 12.0))
        kernels = ["sharpen", "outline"]
        pages = []
        for context, path, kernel in zip(contexts, paths, kernels, strict=True):
            context.add_init_script(QUEUED_JS)
            page = context.new_page()
            page.set_default_timeout(180_000)
            open_app(page, url)
            if kernel != "sharpen":  # the default
                choose_kernel(page, kernel)
                settle(page, f"Result: {imgkernel.get(kernel).title} ·")
            upload(page, path)
            settle(page, f"{path.name} ·")
            page.get_by_text("Export and share", exact=True).click()
            page.get_by_role("button", name=PREPARE).wait_for()
            wait_idle(page)
            pages.append(page)
        for page in pages:  # both at once (no actionability waits: a page in the background waits for frames)
            page.get_by_role("button", name=PREPARE).dispatch_event("click")
        queued, urls = [], []
        for i, page in enumerate(pages):
            page.get_by_role("button", name=DOWNLOAD).wait_for()
            wait_idle(page)
            queued.append(page.evaluate("window.__queued"))
            with page.expect_download() as info:
                page.get_by_role("button", name=DOWNLOAD).click()
            png = Path(info.value.path()).read_bytes()
            settle(page)
            assert_no_exception(page)
            loaded = imgkernel.load_image(paths[i])
            spec = imgkernel.get(kernels[i])
            settings = imgkernel.Settings(divisor=float(spec.divisor), offset=float(spec.offset))
            expected = imgkernel.run_filter(loaded.pixels, spec.matrix(), settings).mapped.image
            if loaded.alpha is not None:
                expected = np.dstack([expected, loaded.alpha])
            with Image.open(io.BytesIO(png)) as im:
                got = np.asarray(im)
            assert got.shape == expected.shape
            assert np.array_equal(got, expected), f"export {i}: {np.count_nonzero(got != expected)} samples differ"
            assert page.get_by_role("button", name=DOWNLOAD).count() == 0  # downloaded: dropped from the session
            urls.append(info.value.url)
        assert any(queued), "neither visitor was told its export was queued"
        for page in pages:  # one more run after the full one the download caused
            choose_kernel(page, "emboss")
            settle(page, f"Result: {imgkernel.get('emboss').title} ·")
        for url in urls:  # and Streamlit's media store let go of the files
            assert pages[0].request.get(url).status == 404, url
    finally:
        for c in contexts:
            c.close()
        stop_app(proc)
