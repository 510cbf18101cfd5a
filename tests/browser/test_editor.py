"""The kernel editor (app/editor.py, app/editor_frontend/editor.js) in Chromium: the grid of weights editable from
the first view (typed, refused and marked, restored with Escape, pasted, scrubbed), undo and redo by keys and
buttons, live parameter sliders whose last value lands, quick typing that all lands, big cells on a phone, and the
Mystery kernel page's guess in the same grid.

Waiting: each action is followed by a wait for what the app draws for it (a cell showing the value the server
formatted, the result line, the share link in the address bar), then for idle (``devtools.st_page``). The editor
draws in an open shadow root: Playwright's CSS locators pierce it, page scripts use the element handles.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from playwright.sync_api import expect

import imgkernel
from devtools.st_page import (
    CELL,
    GRID,
    MYSTERY_GRID,
    PARAM_SLIDER,
    RESULT_IMG,
    RESULT_WATCH_JS,
    assert_no_exception,
    blur,
    choose_kernel,
    edit_cell,
    grid_cell,
    grid_shape,
    image_pixels,
    open_app,
    result_changes,
    result_src,
    selected,
    settle,
    shown,
    wait_for_cell,
    wait_for_grid,
    wait_idle,
)
from tests.browser.test_core_loop import link_state, wait_for_link

pytestmark = pytest.mark.browser

SHARPEN = imgkernel.get("sharpen").matrix()
BOX_BLUR = imgkernel.get("box_blur").matrix()
RESULT = re.compile(r"^Result: ")


def _result_line(page) -> str:
    return page.get_by_text(RESULT).first.inner_text()


def _message(page, scope: str = GRID):
    return page.locator(f"{scope} .ke-msg")


def _fresh_result(browser, url: str) -> np.ndarray:
    """The result picture a new session opened on ``url`` (a share link) shows."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        fresh = context.new_page()
        fresh.set_default_timeout(30_000)
        open_app(fresh, url)
        return image_pixels(fresh, 1)
    finally:
        context.close()


def test_a_typed_value_changes_the_result_and_turns_the_kernel_custom(page, app_url):
    open_app(page, app_url)
    assert _result_line(page).startswith("Result: Sharpen")
    assert page.locator(f"{GRID} {CELL}").count() == 9  # editable from the first view, no button
    assert grid_cell(page, 1, 1).get_attribute("aria-label") == "weight, row 2, column 2"
    before = image_pixels(page, 1)

    edit_cell(page, 1, 1, "9")  # waits until the cell, left by Enter, shows the server's value
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))
    assert selected(page, "Kernel") == "Custom (from Sharpen)"
    after = image_pixels(page, 1)
    assert after.shape == before.shape and np.abs(after.astype(int) - before.astype(int)).mean() > 5
    # the cell below has focus now (Enter moves down), at full precision while edited
    assert grid_cell(page, 2, 1).evaluate("(c) => c.getRootNode().activeElement === c")

    # a negative and a fraction are shown as the app writes numbers (a real minus, at most 4 digits)
    edit_cell(page, 0, 0, "-2.5")
    edit_cell(page, 0, 2, "1/8")
    wait_for_grid(page, [[-2.5, -1, 0.125], [-1, 9, -1], [0, -1, 0]])
    assert grid_cell(page, 0, 0).input_value() == "−2.5"
    state = wait_for_link(page, lambda s: s.matrix is not None and s.matrix[0, 2] == 0.125)
    np.testing.assert_array_equal(state.matrix, [[-2.5, -1, 0.125], [-1, 9, -1], [0, -1, 0]])
    assert_no_exception(page)


def test_the_size_and_the_scale_beside_the_grid_change_the_kernel_and_refuse_text(page, app_url):
    """As in GIMP's Convolution Matrix dialog: the size under the grid, the divisor, offset, normalise and mean
    beside it, in the same editor (fields a keyboard and a screen reader find by their names)."""
    open_app(page, app_url)
    before = image_pixels(page, 1)
    divisor = page.get_by_role("textbox", name="Divisor")
    divisor.fill("2")
    divisor.press("Enter")
    wait_for_link(page, lambda s: s.settings.divisor == 2)
    expect(page.locator(f"{GRID} .ke-sum")).to_contain_text("(÷ 2)")
    halved = image_pixels(page, 1)
    assert np.abs(halved.astype(int) - before.astype(int)).mean() > 20  # about half as bright

    divisor.fill("two")  # text: said beside the field, the last good divisor kept
    divisor.press("Enter")
    expect(page.locator(f"{GRID} .ke-scale-msg")).to_contain_text("The last valid divisor (2) stays in use.")
    assert divisor.get_attribute("aria-describedby") == "ke-scale-msg"
    assert link_state(page).settings.divisor == 2

    blur(page)
    grip = page.locator(f"{GRID} .ke-num .ke-grip").first  # scrubbed as a cell is: 4 px a step of 0.1
    box = grip.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    for dx in range(4, 44, 4):
        page.mouse.move(box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2)
    page.mouse.up()
    wait_for_link(page, lambda s: s.settings.divisor == 3)
    assert divisor.input_value() == "3" and not divisor.evaluate("(i) => i.getRootNode().activeElement === i")
    expect(page.locator(f"{GRID} .ke-scale-msg")).to_be_hidden()  # a good divisor: the old refusal is gone

    page.get_by_role("checkbox", name="Normalise").check()  # the divisor is the sum's now: greyed
    wait_for_link(page, lambda s: s.settings.normalise)
    expect(divisor).to_be_disabled()

    rows = page.get_by_role("spinbutton", name="Rows")
    rows.fill("5")
    rows.press("Enter")
    wait_for_grid(page, np.pad(SHARPEN, ((1, 1), (0, 0))))
    assert grid_shape(page) == (5, 3) and link_state(page).matrix.shape == (5, 3)
    page.keyboard.press("Control+z")  # one step back: 3 x 3 again, normalise still on
    wait_for_grid(page, SHARPEN)
    assert rows.input_value() == "3" and link_state(page).settings.normalise
    assert_no_exception(page)


def test_a_refused_cell_is_marked_and_the_last_good_kernel_stays(page, app_url):
    open_app(page, app_url)
    src, pixels = result_src(page), image_pixels(page, 1)
    for typed, says in (
        ("abc", "holds 'abc', which is not a number"),
        ("", "is empty"),
        ("NaN", "is not a number (NaN)"),
    ):
        edit_cell(page, 0, 0, typed)  # waits for the cell marked aria-invalid, showing what was typed
        cell = grid_cell(page, 0, 0)
        assert cell.get_attribute("aria-describedby") == "ke-msg"
        message = _message(page)
        expect(message).to_be_visible()
        assert message.get_attribute("role") == "alert"
        text = message.inner_text()
        assert "row 1, column 1" in text and says in text and "previous kernel stays" in text, text
        assert result_src(page) == src and _result_line(page).startswith("Result: Sharpen")
        np.testing.assert_array_equal(image_pixels(page, 1), pixels)

    # typed too large: refused too (the digits typed on the way, "1", "1e4", "1e40", were live values)
    edit_cell(page, 0, 0, "1e400")
    assert "row 1, column 1 is too large" in _message(page).inner_text()

    edit_cell(page, 0, 0, "2")  # a good value: the mark and the message go
    expect(grid_cell(page, 0, 0)).not_to_have_attribute("aria-describedby", "ke-msg")
    expect(_message(page)).to_be_hidden()
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))
    assert result_src(page) != src
    assert_no_exception(page)


def test_escape_restores_the_cell_and_the_kernel(page, app_url):
    page.add_init_script(RESULT_WATCH_JS)
    open_app(page, app_url)
    src, pixels = result_src(page), image_pixels(page, 1)
    cell = grid_cell(page, 1, 1)
    cell.click()
    page.keyboard.type("7")  # a valid number: sent live, the result follows the typing
    page.wait_for_function("() => window.__results.length > 1")
    wait_idle(page)
    page.keyboard.press("Escape")
    assert cell.input_value() == "5"  # the value it had when it got focus, still selected for typing over
    assert cell.evaluate("(c) => c.selectionStart === 0 && c.selectionEnd === c.value.length")
    page.keyboard.press("Tab")  # leave it (Tab is native: the next cell)
    assert grid_cell(page, 1, 2).evaluate("(c) => c.getRootNode().activeElement === c")
    page.wait_for_function("(src) => window.__results[window.__results.length - 1] === src", arg=src)
    wait_idle(page)
    wait_for_grid(page, SHARPEN)
    np.testing.assert_array_equal(image_pixels(page, 1), pixels)

    # Escape after text that was never sent: the cell comes back, unmarked
    cell.click()
    page.keyboard.type("oops")
    page.keyboard.press("Escape")
    assert cell.input_value() == "5"
    blur(page)
    wait_for_cell(page, 1, 1, 5)
    assert_no_exception(page)


PASTES = [
    # (what, text, matrix it must give)
    (
        "NumPy 5 × 5",
        "[[0,0,1,0,0],[0,1,2,1,0],[1,2,-16,2,1],[0,1,2,1,0],[0,0,1,0,0]]",
        [[0, 0, 1, 0, 0], [0, 1, 2, 1, 0], [1, 2, -16, 2, 1], [0, 1, 2, 1, 0], [0, 0, 1, 0, 0]],
    ),
    ("MATLAB 3 × 3", "[0 -1 0; -1 5 -1; 0 -1 0]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    ("spreadsheet 2 × 4", "1\t2\t3\t4\n0.5\t-6\t7\t8\n", [[1, 2, 3, 4], [0.5, -6, 7, 8]]),
    ("CSV 3 × 2", "1,2\n3,4\n5,0.25", [[1, 2], [3, 4], [5, 0.25]]),
]


def test_pasted_matrices_fill_and_resize_the_grid(page, app_url):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    open_app(page, app_url)

    def paste(cell, text: str) -> None:
        """The real Ctrl+V (headless Chromium has its own clipboard) into ``cell``."""
        page.evaluate("(t) => navigator.clipboard.writeText(t)", text)
        cell.click()
        page.keyboard.press("Control+v")

    for what, text, matrix in PASTES:
        rows, cols = grid_shape(page)
        paste(grid_cell(page, rows - 1, cols - 1), text)  # into any cell, here the last one
        wait_for_grid(page, matrix)
        expected = np.asarray(matrix, dtype=float)
        assert page.locator(f"{GRID} {CELL}").count() == expected.size, what
        assert _result_line(page).startswith("Result: Custom (from Sharpen) · "), what
        state = link_state(page)
        np.testing.assert_array_equal(state.matrix, expected, err_msg=what)
        rows, cols = (page.get_by_role("spinbutton", name=n).input_value() for n in ("Rows", "Columns"))
        assert (rows, cols) == (str(len(matrix)), str(len(matrix[0])))

    # one number is an ordinary paste into the cell, sent as typed
    paste(grid_cell(page, 0, 0), "7")
    blur(page)
    wait_for_cell(page, 0, 0, 7)
    wait_idle(page)
    assert grid_shape(page) == (3, 2)

    # a ragged matrix is refused in plain words and the grid stays
    paste(grid_cell(page, 1, 1), "[[1, 2], [3]]")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="The pasted text is not a kernel")
    alert.wait_for()
    settle(page)
    wait_for_grid(page, [[7, 2], [3, 4], [5, 0.25]])
    assert_no_exception(page)


def test_scrubbing_a_cell_changes_it_and_the_result_while_dragging(page, app_url):
    page.add_init_script(RESULT_WATCH_JS)
    open_app(page, app_url)
    box = grid_cell(page, 1, 1).bounding_box()
    x, y = box["x"] + box["width"] / 3, box["y"] + box["height"] / 2  # on the text, left of the grip
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 21):  # 20 steps of 6 px, at a hand's pace (one every 50 ms)
        page.mouse.move(x + 6 * step, y)
        page.wait_for_timeout(50)
    # still held: the result has already followed the drag (it would not, were values sent on release only)
    page.wait_for_function("() => window.__results.length > 1", timeout=15_000)
    during = result_changes(page)
    page.mouse.up()
    # 120 px at 4 px a step of 0.1 (the value is below 10): 5 + 3.0
    wait_for_cell(page, 1, 1, 8)
    wait_idle(page)
    assert during >= 1, during
    state = wait_for_link(page, lambda s: s.matrix is not None and s.matrix[1, 1] == 8)
    np.testing.assert_array_equal(state.matrix, [[0, -1, 0], [-1, 8, -1], [0, -1, 0]])
    assert not grid_cell(page, 1, 1).evaluate("(c) => c.getRootNode().activeElement === c")  # a drag, not a click
    assert_no_exception(page)


def test_quick_scrubs_one_after_another_all_count(page, app_url):
    """Three short drags of the centre cell in quick succession (+0.5 each): each starts from where the last one
    ended, not from an older value the server had not yet caught up on."""
    open_app(page, app_url)
    box = grid_cell(page, 1, 1).bounding_box()
    x, y = box["x"] + box["width"] / 3, box["y"] + box["height"] / 2
    for _drag in range(3):
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 6):  # 5 steps of 4 px: +0.5
            page.mouse.move(x + 4 * step, y)
            page.wait_for_timeout(20)
        page.mouse.up()
        page.wait_for_timeout(80)  # the next drag follows at a quick hand's pace, before the app has answered
    wait_for_cell(page, 1, 1, 6.5)
    state = wait_for_link(page, lambda s: s.matrix is not None and s.matrix[1, 1] == 6.5)
    np.testing.assert_array_equal(state.matrix, [[0, -1, 0], [-1, 6.5, -1], [0, -1, 0]])
    assert_no_exception(page)


def test_undo_and_redo_by_keys_and_buttons(page, app_url):
    open_app(page, app_url)
    undo_button = page.locator(".st-key-pg-history").get_by_role("button", name="↶ Undo")
    redo_button = page.locator(".st-key-pg-history").get_by_role("button", name="↷ Redo")
    expect(undo_button).to_be_disabled()
    expect(redo_button).to_be_disabled()
    custom = SHARPEN.copy()
    custom[1, 1] = 9

    edit_cell(page, 1, 1, "9")
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))
    choose_kernel(page, "box_blur")
    settle(page, re.compile(r"^Result: Box blur"))
    wait_for_grid(page, BOX_BLUR)

    # Ctrl+Z inside a cell is the cell's own undo of typing: the kernel stays
    grid_cell(page, 0, 0).click()
    page.keyboard.press("Control+z")
    settle(page)
    wait_for_grid(page, BOX_BLUR)

    blur(page)  # focus on the page's body
    page.keyboard.press("Control+z")
    wait_for_grid(page, custom)
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))

    undo_button.click()
    wait_for_grid(page, SHARPEN)
    settle(page, re.compile(r"^Result: Sharpen"))
    expect(undo_button).to_be_disabled()
    expect(redo_button).to_be_enabled()

    blur(page)
    page.keyboard.press("Control+Shift+Z")
    wait_for_grid(page, custom)
    settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))

    redo_button.click()
    wait_for_grid(page, BOX_BLUR)
    settle(page, re.compile(r"^Result: Box blur"))
    expect(redo_button).to_be_disabled()
    expect(undo_button).to_be_enabled()
    assert selected(page, "Kernel") == "Blur · Box blur"
    assert_no_exception(page)


def test_a_live_slider_drag_lands_its_last_value(page, app_url, browser):
    page.add_init_script(RESULT_WATCH_JS)
    open_app(page, app_url)
    slider = page.locator(PARAM_SLIDER).first
    name = slider.get_attribute("data-name")
    lo, hi = float(slider.get_attribute("min")), float(slider.get_attribute("max"))
    value = float(slider.input_value())
    box = slider.bounding_box()
    thumb = 16  # Chromium's range thumb is about this wide: its centre travels width - thumb
    x0 = box["x"] + thumb / 2 + (value - lo) / (hi - lo) * (box["width"] - thumb)
    y = box["y"] + box["height"] / 2
    page.mouse.move(x0, y)
    page.mouse.down()
    for step in range(1, 21):  # 20 steps of 4 px to the right, at a hand's pace (one every 50 ms)
        page.mouse.move(x0 + 4 * step, y)
        page.wait_for_timeout(50)
    page.wait_for_function("() => window.__results.length > 1", timeout=15_000)  # live while held
    during = result_changes(page)
    page.mouse.up()
    final = float(slider.input_value())
    assert final > value, (value, final)
    output = page.locator(".st-key-pg-params output").first
    assert output.inner_text() == shown(final)  # the slider's own label follows at once
    state = wait_for_link(page, lambda s: s.kernel == "sharpen" and float(s.params.get(name, value)) == final)
    expect(output).to_have_text(shown(final))  # and the server, last, said the same
    assert during >= 1, during
    # the picture is the one the last value makes: a new session opened on the page's link shows the same
    np.testing.assert_array_equal(image_pixels(page, 1), _fresh_result(browser, page.url))
    assert float(state.params[name]) == final
    assert_no_exception(page)


def test_quick_key_presses_on_a_live_slider_all_count(page, app_url):
    """Twelve presses of the right arrow, one every 60 ms (faster than the app answers): each press starts from
    the value the last one made, never from an older one the server sends back meanwhile."""
    open_app(page, app_url)
    slider = page.locator(PARAM_SLIDER).first
    name, start, step = (
        slider.get_attribute("data-name"),
        float(slider.input_value()),
        float(slider.get_attribute("step")),
    )
    slider.focus()
    for _ in range(12):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(60)
    final = round(start + 12 * step, 6)
    assert float(slider.input_value()) == pytest.approx(final)
    state = wait_for_link(page, lambda s: float(s.params.get(name, start)) == pytest.approx(final))
    expect(page.locator(".st-key-pg-params output").first).to_have_text(shown(final))
    assert float(slider.input_value()) == pytest.approx(final) and state.kernel == "sharpen"
    assert_no_exception(page)


def test_twenty_quick_typed_edits_all_land(page, app_url, browser):
    open_app(page, app_url)
    values = [f"{i * 0.75 - 3:g}" for i in range(20)]  # -3, -2.25, ... 11.25: each one new
    grid_cell(page, 1, 1).click()
    for value in values:  # as fast as Playwright types: no waiting for the app in between
        page.keyboard.type(value)
        page.keyboard.press("Enter")  # commits, down a row
        page.keyboard.press("ArrowUp")  # back to the centre, selected for typing over
    blur(page)
    last = float(values[-1])
    wait_for_cell(page, 1, 1, last)
    wait_idle(page)
    expected = SHARPEN.copy()
    expected[1, 1] = last
    wait_for_grid(page, expected)
    state = wait_for_link(page, lambda s: s.matrix is not None and s.matrix[1, 1] == last)
    np.testing.assert_array_equal(state.matrix, expected)
    assert _result_line(page).startswith("Result: Custom (from Sharpen)")
    np.testing.assert_array_equal(image_pixels(page, 1), _fresh_result(browser, page.url))
    assert_no_exception(page)


def test_on_a_phone_the_cells_ask_for_a_number_pad_and_are_big_enough(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        open_app(page, app_url)
        cells = page.locator(f"{GRID} {CELL}")
        assert cells.count() == 9
        for i in range(9):
            cell = cells.nth(i)
            cell.scroll_into_view_if_needed()
            box = cell.bounding_box()
            assert cell.get_attribute("inputmode") == "decimal", i
            assert box["height"] >= 44 and box["width"] >= 44, (i, box)
        sliders = page.locator(PARAM_SLIDER)
        for i in range(sliders.count()):
            assert sliders.nth(i).bounding_box()["height"] >= 44, i
        # a tap edits the cell (touch scrubs only on the grip): focus, the text selected for typing over
        cell = grid_cell(page, 1, 1)
        cell.tap()
        assert cell.evaluate("(c) => c.getRootNode().activeElement === c")
        page.keyboard.type("6")
        blur(page)
        wait_for_cell(page, 1, 1, 6)
        settle(page, re.compile(r"^Result: Custom \(from Sharpen\)"))
        assert page.locator(RESULT_IMG).count() == 1
        assert_no_exception(page)
    finally:
        context.close()


def test_the_mystery_guess_is_typed_into_the_grid_and_scored(page, app_url):
    open_app(page, f"{app_url}/mystery")
    score = page.get_by_text(re.compile(r"^Match: ")).first
    score.wait_for()
    before = score.inner_text()
    assert page.locator(f"{MYSTERY_GRID} {CELL}").count() == 9  # the guess starts as 3 × 3 zeros
    wait_for_grid(page, np.zeros((3, 3)), MYSTERY_GRID)

    edit_cell(page, 1, 1, "1", scope=MYSTERY_GRID)  # the identity: the guess's result is the photo itself
    expect(score).not_to_have_text(before)
    wait_idle(page)
    scored = score.inner_text()

    edit_cell(page, 0, 0, "x", scope=MYSTERY_GRID)  # refused on its cell; the guess and its score stay
    message = _message(page, MYSTERY_GRID)
    expect(message).to_contain_text("row 1, column 1")
    assert "previous guess stays" in message.inner_text()
    assert score.inner_text() == scored
    edit_cell(page, 0, 0, "0", scope=MYSTERY_GRID)
    expect(message).to_be_hidden()
    assert score.inner_text() == scored  # 0 again: the same guess
    assert_no_exception(page)
