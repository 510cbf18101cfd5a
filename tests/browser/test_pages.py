"""Every page in Chromium: it renders without an exception and follows the playground's photo and kernel; the CNN
page draws crisp, captioned maps; the gallery opens a kernel in the playground; the fit page shows its pictures,
trains and opens the kernel it found in the playground."""

import re

import pytest

from devtools.st_page import CELL, MYSTERY_GRID, assert_no_exception, edit_cell, open_app, select, settle

pytestmark = pytest.mark.browser

PAGES = {
    "Pixel walkthrough": "How is this output pixel computed?",
    "Gallery": "Gallery",
    "CNN layer": "A convolutional layer, made of image kernels",
    "Kernel lab": "Kernel lab",
    "Fit a kernel": "Fit a kernel",
    "Sliding window": "The sliding window",
    "Mystery kernel": "Mystery kernel",
}


def _go(page, name: str) -> None:
    """Open the page ``name`` from the sidebar and wait until its run is over."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).click()
    # the title, not the text: "Gallery" and "Kernel lab" are also the sidebar's links
    page.get_by_role("heading", name=PAGES[name], exact=True).first.wait_for()
    page.wait_for_timeout(500)  # a page may rerun once as it opens
    settle(page)


def _check_cnn_feature_maps(page) -> None:
    """The CNN page's maps are crisp PNGs, captioned with their size, with a legend."""
    page.get_by_text(re.compile(r"^Feature maps \(\d+\)$")).first.wait_for()
    maps = page.locator('[data-testid="stImage"]').filter(has_text=re.compile(r"Sobel · \d+ × \d+ px$")).all()
    maps = [m for m in maps if m.is_visible()]  # (the maps before ReLU wait in a closed expander)
    assert len(maps) == 4
    for m in maps:
        src, natural, shown = m.locator("img").evaluate("i => [i.src, i.naturalWidth, i.clientWidth]")
        assert src.endswith(".png"), src  # not re-encoded as JPEG
        # enlarged with whole pixel blocks to at least the size it is shown at: the browser only ever shrinks it
        assert natural >= shown > 150, (natural, shown)
    assert page.get_by_text(re.compile(r"^white 0 · orange \+")).count() >= 1  # the legend, with its value range


def _check_fit_pictures(page) -> None:
    """The fit page's before, after and residual pictures are loaded, described, and the residual is a PNG."""
    page.get_by_text(re.compile(r"^Residual: after − prediction · \d+ × \d+ px")).first.wait_for()
    pictures = page.locator('[data-testid="stMain"] [data-testid="stImage"] img')
    assert pictures.count() == 3
    for i in range(3):
        img = pictures.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
        assert img.get_attribute("alt"), i
    alts = [pictures.nth(i).get_attribute("alt") for i in range(3)]
    assert alts[0].startswith("Mystery 1 · Chelsea the cat, before, ") and "hidden kernel" in alts[1]
    assert alts[2].startswith("Residual map of the fit") and pictures.nth(2).get_attribute("src").endswith(".png")


def _check_sweep_picture(page) -> None:
    """The sliding window's frame is a loaded, described PNG; Next moves the window one step."""
    page.get_by_text(re.compile(r"^Step 1 of \d+ · the window computes output")).first.wait_for()
    img = page.locator('[data-testid="stMain"] [data-testid="stImage"] img').first
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
    assert img.get_attribute("alt").startswith("Left, input, padded") and img.get_attribute("src").endswith(".png")
    page.get_by_role("button", name="Next ▶").click()
    settle(page, re.compile(r"^Step 2 of \d+ · the window computes output \(row 1, column 2\)"))
    page.get_by_role("button", name="▶ Play the whole sweep").click()
    settle(page, re.compile(r"^The sweep, animated \(\d+ frames\)$"))
    gif = page.locator('[data-testid="stImage"]').filter(has_text="The sweep, animated").locator("img")
    page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=gif.element_handle())
    assert gif.get_attribute("src").endswith(".gif") and gif.get_attribute("alt")


def _check_mystery_pictures(page) -> None:
    """The mystery page's three pictures are loaded and described; the guess is typed into the kernel editor's
    grid; the address bar holds the puzzle, no weights, even after a guess."""
    page.get_by_text(re.compile(r"^Match: ")).first.wait_for()
    pictures = page.locator('[data-testid="stMain"] [data-testid="stImage"] img')
    assert pictures.count() == 3
    for i in range(3):
        img = pictures.nth(i)
        page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=img.element_handle())
        assert img.get_attribute("alt"), i
    assert page.locator(f"{MYSTERY_GRID} {CELL}").count() == 9  # a 3 × 3 guess, editable at once
    edit_cell(page, 1, 1, "1", scope=MYSTERY_GRID)
    assert re.search(r"[?&]puzzle=\d+", page.url) and "k=" not in page.url and "m=" not in page.url


def test_every_page_renders_follows_the_playground_and_the_gallery_opens_a_kernel(page, app_url):
    open_app(page, app_url)
    select(page, "Kernel", "Edges · Outline")
    settle(page, re.compile(r"^Result: Outline"))
    for name in PAGES:
        _go(page, name)
        assert_no_exception(page)
        assert page.locator('[data-testid="stAlert"]').filter(has_text="Traceback").count() == 0
        if name == "CNN layer":
            _check_cnn_feature_maps(page)
        if name == "Fit a kernel":
            _check_fit_pictures(page)
        if name == "Sliding window":
            _check_sweep_picture(page)
        if name == "Mystery kernel":
            _check_mystery_pictures(page)
    # the walkthrough explains the playground's kernel
    _go(page, "Pixel walkthrough")
    settle(page, re.compile(r"kernel: Outline"))
    # the gallery opens a kernel in the playground
    _go(page, "Gallery")
    page.locator(".st-key-gallery_open_emboss button").first.click()
    settle(page, re.compile(r"^Result: Emboss"))
    assert_no_exception(page)


def test_the_fit_page_trains_and_opens_its_kernel_in_the_playground(page, app_url):
    open_app(page, app_url)
    _go(page, "Fit a kernel")
    assert page.get_by_text(re.compile(r"^Step 0 · loss ")).count() == 1
    page.get_by_role("button", name="Run 1000 steps").click()
    settle(page, re.compile(r"^Step 1000 · loss "))
    page.get_by_role("button", name="Step", exact=True).click()
    settle(page, re.compile(r"^Step 1001 · loss "))
    assert_no_exception(page)
    page.get_by_role("button", name="Open in the playground").click()
    settle(page, re.compile(r"^Result: Fitted 3 × 3 \(Mystery 1"))
    assert_no_exception(page)
