"""Every page in Chromium: it renders without an exception and follows the playground's photo and kernel."""

import re

import pytest

from tests.browser.st_page import assert_no_exception, open_app, select, settle

pytestmark = pytest.mark.browser

PAGES = {
    "Pixel walkthrough": "How is this output pixel computed?",
    "Gallery": "Gallery",
    "CNN layer": "A convolutional layer, made of image kernels",
    "Kernel lab": "Kernel lab",
}


def _go(page, name: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()


def test_every_page_renders_and_sees_the_playground_choice(page, app_url):
    open_app(page, app_url)
    select(page, "Kernel", "Edges · Outline")
    settle(page, re.compile(r"^Result: Outline"))
    for name, heading in PAGES.items():
        _go(page, name)
        settle(page, heading)
        page.wait_for_timeout(500)
        settle(page)
        assert_no_exception(page)
        assert page.locator('[data-testid="stAlert"]').filter(has_text="Traceback").count() == 0
    # the walkthrough explains the playground's kernel
    _go(page, "Pixel walkthrough")
    settle(page, re.compile(r"kernel: Outline"))


def test_gallery_opens_a_kernel_in_the_playground(page, app_url):
    open_app(page, app_url)
    _go(page, "Gallery")
    settle(page, "Gallery")
    page.locator(".st-key-gallery_open_emboss button").first.click()
    settle(page, re.compile(r"^Result: Emboss"))
    assert_no_exception(page)


def test_cnn_feature_maps_are_crisp_pngs_captioned_with_their_size(page, app_url):
    open_app(page, app_url)
    _go(page, "CNN layer")
    settle(page, re.compile(r"^Feature maps \(\d+\)$"))
    assert_no_exception(page)
    maps = page.locator('[data-testid="stImage"]').filter(has_text=re.compile(r"Sobel · \d+ × \d+ px$")).all()
    maps = [m for m in maps if m.is_visible()]  # (the maps before ReLU wait in a closed expander)
    assert len(maps) == 4
    for m in maps:
        src, natural, shown = m.locator("img").evaluate("i => [i.src, i.naturalWidth, i.clientWidth]")
        assert src.endswith(".png"), src  # not re-encoded as JPEG
        # enlarged with whole pixel blocks to at least the size it is shown at: the browser only ever shrinks it
        assert natural >= shown > 150, (natural, shown)
    assert page.get_by_text(re.compile(r"^white 0 · red \+")).count() >= 1  # the legend, with its value range
