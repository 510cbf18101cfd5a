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
