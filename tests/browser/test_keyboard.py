"""The core loop with the keyboard alone, in Chromium on a school laptop's screen (1366 × 768).

After the page has loaded, only ``page.keyboard`` is used: Tab to the Kernel box and go down its presets with the
arrow key (each is used as it is reached, as in a native select), Tab to a parameter slider and move it with the
arrow keys, Tab on into the grid's first weight (its text is selected), type over it and Enter, Tab round to the
sidebar's Options, open them and move the Stride slider, then Tab back into the main area to read the result's
numbers. Each change is read back from the share link in the address bar (as tests/browser/test_core_loop.py does)
and from the "Result: ..." line. Wherever focus lands for a step, it must be visible: the focused element (or the
widget's own parts around it) gains an outline, a box-shadow or a border colour it did not have, and the widget's
pixels change. The kernel editor (the sliders and the grid) draws in an open shadow root: the scripts below follow
focus into it and walk out of it through its host.
"""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

import imgkernel
from app import share
from devtools.browser import ROOT
from devtools.st_page import GRID, PARAM_SLIDER, assert_no_exception, grid_cell, open_app, settle, wait_idle
from tests.browser.test_core_loop import link_state, wait_for_link

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 768}
RESULT = re.compile(r"^Result: ")
ARTIFACTS = ROOT / "test-artifacts"

# Shared by the scripts below: the focused element (inside shadow roots too), an element's parent (a shadow root's
# host for its top elements), a short description of an element, its focus-relevant style, and whether it can be
# seen at all (not transparent, not hidden, not clipped to nothing by an ancestor).
JS_HELPERS = """
const focusedDeep = () => {
  let a = document.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return a;
};
const parentOf = (e) => e.parentElement || (e.parentNode instanceof ShadowRoot ? e.parentNode.host : null);
const within = (root, e) => {
  for (let a = e; a; a = parentOf(a)) if (a === root) return true;
  return false;
};
const everyElement = (root) => {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    out.push(...out[i].children);
    if (out[i].shadowRoot) out.push(...out[i].shadowRoot.children);
  }
  return out;
};
const styleOf = (e) => {
  const s = getComputedStyle(e);
  const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
    ? "none" : `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`;
  const borders = ["Top", "Right", "Bottom", "Left"]
    .map((side) => `${s["border" + side + "Style"]} ${s["border" + side + "Width"]} ${s["border" + side + "Color"]}`)
    .join(" / ");
  return { outline, shadow: s.boxShadow, borders };
};
const visible = (e) => {
  const r = e.getBoundingClientRect();
  if (r.width < 4 || r.height < 4) return false;
  for (let a = e; a && a.nodeType === 1; a = parentOf(a)) {
    const s = getComputedStyle(a);
    if (s.visibility === "hidden" || s.display === "none" || parseFloat(s.opacity) === 0) return false;
    if (a !== e && s.overflow !== "visible") {
      const c = a.getBoundingClientRect();
      if (c.width < 4 || c.height < 4) return false;
    }
  }
  return true;
};
const describe = (e) => {
  if (!e || e === document.body) return "<body>";
  const name = e.getAttribute("aria-label") || (e.labels && e.labels[0] && e.labels[0].innerText)
    || (e.innerText || "").trim().split("\\n")[0].slice(0, 40);
  let holder = e;
  while (holder && !holder.getAttribute("data-testid")) holder = parentOf(holder);
  return `<${e.tagName.toLowerCase()}${e.getAttribute("role") ? " role=" + e.getAttribute("role") : ""}> `
    + `${JSON.stringify(name)} in ${holder ? holder.getAttribute("data-testid") : "?"}`;
};
"""

# Before focus arrives: remember the style of every element of the widget.
REMEMBER = (
    "(root) => {"
    + JS_HELPERS
    + """
  window.__a11yBefore = new Map();
  for (const e of everyElement(root)) window.__a11yBefore.set(e, styleOf(e));
}"""
)

# Focus is in the widget now: what changed on the focused element and its ancestors up to the widget's root.
FOCUS_INDICATOR = (
    "(root) => {"
    + JS_HELPERS
    + """
  const focused = focusedDeep();
  const found = [];
  for (let e = focused; e && e.nodeType === 1; e = parentOf(e)) {
    const before = window.__a11yBefore.get(e) || { outline: "none", shadow: "none", borders: "" };
    const now = styleOf(e);
    if (visible(e)) {
      if (now.outline !== "none" && now.outline !== before.outline) found.push(`outline ${now.outline}`);
      if (now.shadow !== "none" && now.shadow !== before.shadow) found.push(`box-shadow ${now.shadow}`);
      if (before.borders && now.borders !== before.borders) found.push(`border ${now.borders}`);
    }
    if (e === root) break;
  }
  return { focused: describe(focused), inside: within(root, focused), found };
}"""
)

DESCRIBE_FOCUS = "() => {" + JS_HELPERS + "return describe(focusedDeep()); }"
HAS_FOCUS = "(t) => {" + JS_HELPERS + "return within(t, focusedDeep()); }"


def _pixels(locator) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(locator.screenshot(animations="disabled"))).convert("RGB"), dtype=int)


def tab_to(page, target, root, what: str, max_presses: int = 80) -> str | None:
    """Press Tab until focus is on (or inside) ``target``; None if the focus can be seen on its widget ``root``,
    else what is wrong. Not reaching ``target`` at all fails the test at once.

    Styles and pixels of the widget are taken before focus arrives (``locator.screenshot`` scrolls it into view: a
    reading, not an input) and compared with those once focus is there.
    """
    root.wait_for()
    root.evaluate(REMEMBER)
    before = _pixels(root)
    stops = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.evaluate(HAS_FOCUS):
            break
        stops.append(page.evaluate(DESCRIBE_FOCUS))
    else:
        raise AssertionError(
            f"{what}: not reached with {max_presses} presses of Tab; focus went through:\n  " + "\n  ".join(stops)
        )
    page.wait_for_timeout(300)  # focus rings fade in
    seen = root.evaluate(FOCUS_INDICATOR)
    after = _pixels(root)
    changed = int((np.abs(after - before).max(axis=2) > 48).sum()) if after.shape == before.shape else after.size
    if changed >= 12 and seen["found"]:
        return None
    return (
        f"{what}: focus is on {seen['focused']} after {len(stops) + 1} presses of Tab, but it cannot be seen: "
        f"{', '.join(seen['found']) or 'no outline, box-shadow or border appeared on it or its widget'}; "
        f"{changed} pixels of the widget changed"
    )


def test_the_core_loop_with_the_keyboard_alone(browser, app_url):
    """Each step must work (or the test stops there); an invisible focus or a share link that lags behind is
    noted and the loop goes on, so that one run lists every such problem."""
    problems: list[str | None] = []
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, app_url)  # the last use of anything but the keyboard
        main, sidebar = page.locator('[data-testid="stMain"]'), page.locator('[data-testid="stSidebar"]')
        assert link_state(page).kernel == "sharpen"

        # 1. Tab to the Kernel box; the down arrow goes through the presets to the Gaussian blur
        kernel = page.get_by_role("combobox", name="Kernel", exact=True)  # (a `has` filter is relative)
        widget = main.locator(".kc-field").filter(has=kernel)
        problems.append(tab_to(page, kernel, widget, "the Kernel box"))
        for _ in imgkernel.CATALOGUE:
            if kernel.evaluate("(s) => s.value") == "gaussian":  # a reading, not an input
                break
            page.keyboard.press("ArrowDown")
            page.wait_for_timeout(100)
        state = wait_for_link(page, lambda s: s.kernel == "gaussian")
        settle(page, re.compile(r"^Result: Gaussian blur"))
        size = int(state.params.get("size", imgkernel.get("gaussian").defaults()["size"]))

        # 2. Tab to its Size slider; two presses of the left arrow make it smaller
        size_slider = page.get_by_role("slider", name=re.compile(r"^Size \(pixels\)"))
        slider = page.locator(PARAM_SLIDER).and_(size_slider)  # the preset's own, not the sidebar's
        widget = main.locator(".st-key-pg-params .ke-slider").filter(has=size_slider)
        problems.append(tab_to(page, slider, widget, "the Size slider"))
        for _ in range(2):
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(150)
        state = wait_for_link(page, lambda s: s.kernel == "gaussian" and int(s.params.get("size", 0)) == size - 2)
        settle(page, re.compile(r"^Result: Gaussian blur"))
        expected = imgkernel.get("gaussian").matrix({**state.params})
        assert expected.shape == (size - 2, size - 2)

        # 3. Tab on into the grid: its first weight gets focus with its text selected; type over it, Enter
        first = grid_cell(page, 0, 0)
        problems.append(tab_to(page, first, main.locator(GRID), "the first weight of the kernel's grid"))
        assert first.evaluate("(c) => c.selectionStart === 0 && c.selectionEnd === c.value.length"), (
            "the first weight's text is not selected when Tab brings focus to it"
        )
        page.wait_for_timeout(150)  # a person reads the cell before typing
        page.keyboard.type("2")
        assert first.input_value() == "2", f"the first weight holds {first.input_value()!r} after typing 2"
        page.keyboard.press("Enter")
        expected[0, 0] = 2.0
        settle(page, re.compile(r"^Result: Custom \(from Gaussian blur\)"))
        try:  # (the cell is checked in step 4 in any case, once focus has left the grid)
            wait_for_link(page, lambda s: s.matrix is not None and np.allclose(s.matrix, expected), 5_000)
        except AssertionError:
            problems.append(
                "the grid edit shows in the result line (Result: Custom (from Gaussian blur)), but 5 s later the "
                f"share link in the address bar is still {page.url}"
            )

        # 4. Tab round to the sidebar's Options (closed), Enter opens them; Tab to the Stride slider; the right
        # arrow halves the result
        options = sidebar.locator('[data-testid="stExpander"] summary').filter(has_text="Options")
        problems.append(tab_to(page, options, options, "the Options in the sidebar", max_presses=150))
        page.keyboard.press("Enter")
        stride = page.get_by_role("slider", name=re.compile(r"^Stride\b"))
        widget = sidebar.locator('[data-testid="stSlider"]').filter(has=stride)
        problems.append(tab_to(page, stride, widget, "the Stride slider in the sidebar", max_presses=150))
        page.keyboard.press("ArrowRight")
        state = wait_for_link(page, lambda s: s.settings.stride == 2)
        kept = state.kernel == share.CUSTOM and state.matrix is not None and np.allclose(state.matrix, expected)
        assert kept, f"the kernel is not the edited one: {state.kernel} {state.matrix}"  # (the cell checked here)
        settle(page, re.compile(r"^Result: Custom \(from Gaussian blur\) · 226 × 150 px · values "))

        # 5. Tab back into the main area: the result's numbers are on screen and readable by a screen reader
        problems.append(tab_to(page, main, main, "the main area, where the result is"))
        line = page.get_by_text(RESULT).first
        box = line.bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"], (
            f"the result's line is off screen once focus is back in the main area: {box}"
        )
        assert re.search(r"226 × 150 px · values -?\d+(\.\d+)? to -?\d+(\.\d+)?", line.inner_text()), line.inner_text()
        assert "Result: Custom (from Gaussian blur)" in main.aria_snapshot()  # in the accessibility tree
        wait_idle(page)
        assert_no_exception(page)
    except BaseException:  # keep a picture of what the browser showed, as the `page` fixture does
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "test_the_core_loop_with_the_keyboard_alone.png"))
        raise
    finally:
        context.close()
    found = [p for p in problems if p]
    assert not found, f"{len(found)} problem(s) on the keyboard-only core loop:\n- " + "\n- ".join(found)
