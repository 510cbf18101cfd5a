"""The core loop in Chromium as a quick user drives it: every slider press and grid edit lands, the pictures
are drawn at their natural size, a strided result at its true relative size, and a phone shows a slider with
its result."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

import imgkernel
from app import cache, share
from devtools.st_page import (
    PARAM_SLIDER,
    assert_no_exception,
    choose_kernel,
    edit_cell,
    open_app,
    open_options,
    settle,
    wait_idle,
)

pytestmark = pytest.mark.browser
SLIDER = PARAM_SLIDER  # the preset's live sliders (app.editor)


def link_state(page) -> share.ShareState:
    """The kernel the page is using, read back from its own share link in the address bar."""
    query = {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}
    state, notices = share.decode(query, cache.SAMPLES)
    assert not notices, notices
    return state


def wait_for_link(page, predicate, timeout: float = 15_000) -> share.ShareState:
    """Poll the address bar until the state it encodes satisfies ``predicate`` (then wait for idle)."""
    for _ in range(int(timeout / 100)):
        state = link_state(page)
        if predicate(state):
            wait_idle(page)
            return link_state(page)
        page.wait_for_timeout(100)
    raise AssertionError(f"the link never reached the expected state; it is {page.url}")


def test_quick_presses_on_a_size_slider_keep_the_preset(page, app_url):
    open_app(page, app_url)  # (the grid's size fields were server-set widgets then: their stale echoes once won)
    for attempt in range(3):
        choose_kernel(page, "gaussian")
        settle(page, re.compile(r"^Result: Gaussian blur"))
        slider = page.locator(SLIDER).first
        start = int(link_state(page).params.get("size", 5))
        slider.focus()
        for _ in range(4):
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(100)
        state = wait_for_link(page, lambda s, start=start: int(s.params.get("size", 5)) == start + 4)
        assert state.kernel == "gaussian", f"attempt {attempt}: the preset turned into {state.kernel}"
        size = start + 4
        np.testing.assert_allclose(imgkernel.get("gaussian").matrix({"size": size}).sum(), 1.0)
        settle(page, re.compile(r"^Result: Gaussian blur"))
        assert page.locator(SLIDER).count() == 2  # the sliders are still there
        assert page.get_by_role("spinbutton", name="Rows").input_value() == str(size)
        assert_no_exception(page)
        choose_kernel(page, "sharpen")  # and the next round starts from another kernel
        settle(page, re.compile(r"^Result: Sharpen"))


def test_the_address_bar_follows_each_slider_step_without_a_history_entry_each(page, app_url):
    open_app(page, app_url)
    slider = page.locator(SLIDER).first
    slider.focus()
    page.keyboard.press("ArrowRight")  # the first change enables Undo: a run of the whole kernel area
    wait_for_link(page, lambda s: abs(s.params.get("inner", 5.0) - 5.1) < 1e-9)
    entries = page.evaluate("history.length")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(150)
    state = wait_for_link(page, lambda s: abs(s.params.get("inner", 5.0) - 5.4) < 1e-9)
    assert page.evaluate("history.length") == entries  # Back leaves the page, it does not step through ticks
    page.reload()
    settle(page, re.compile(r"^Result: Sharpen"))
    assert page.locator(SLIDER).first.input_value() == "5.4", "a reload lost the kernel the link showed"
    assert link_state(page).params == state.params


def test_ten_grid_edits_typed_one_after_another_all_land(page, app_url):
    open_app(page, app_url)
    expected = imgkernel.get("sharpen").matrix()
    cells = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1), (2, 2), (1, 1), (0, 0)]
    for i, (r, c) in enumerate(cells):
        value = float(i + 2) / 4
        edit_cell(page, r, c, f"{value:g}", wait=False)  # clicks, types and commits at about a person's speed
        expected[r, c] = value
        page.wait_for_timeout(250)  # no waiting for the app: the next edit follows at once
    state = wait_for_link(page, lambda s: s.matrix is not None and np.array_equal(s.matrix, expected))
    assert state.kernel == share.CUSTOM
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))
    assert_no_exception(page)
    page.get_by_role("button", name="Back to Sharpen").click()
    wait_for_link(page, lambda s: s.kernel == "sharpen")


def _natural_and_drawn(page, selector: str) -> tuple[int, float]:
    img = page.locator(selector).first
    img.wait_for()
    natural = page.evaluate("s => document.querySelector(s).naturalWidth", selector)
    return natural, img.bounding_box()["width"]


def test_pictures_are_drawn_at_natural_size_and_a_stride_at_its_true_size(page, app_url):
    open_app(page, app_url)  # 1400 px wide, sidebar open
    for selector in (".st-key-pg-original img", ".st-key-pg-result img"):
        natural, drawn = _natural_and_drawn(page, selector)
        assert natural == 451 and drawn >= 0.95 * natural, (selector, drawn)
    original, result = (page.locator(f".st-key-pg-{k} img").first.bounding_box() for k in ("original", "result"))
    assert abs(original["y"] - result["y"]) < 2  # side by side
    open_options(page)
    stride = page.get_by_role("slider", name=re.compile(r"^Stride\b"))
    stride.focus()
    page.keyboard.press("ArrowRight")
    settle(page, re.compile(r"^Result: Sharpen · 226 × 150 px"))
    natural, drawn = _natural_and_drawn(page, ".st-key-pg-result img")
    orig_natural, orig_drawn = _natural_and_drawn(page, ".st-key-pg-original img")
    assert natural == 226 and abs(drawn / orig_drawn - 226 / 451) < 0.03, (drawn, orig_drawn)


def test_on_a_phone_a_slider_and_its_result_are_seen_together(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        open_app(page, app_url)
        slider = page.locator(SLIDER).first.bounding_box()
        result = page.locator(".st-key-pg-result img").first.bounding_box()
        assert result["y"] > slider["y"]  # the result comes right after the controls
        assert result["y"] + result["height"] - slider["y"] <= 844, (slider, result)
        assert_no_exception(page)
    finally:
        context.close()
