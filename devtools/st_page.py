"""Small Playwright helpers for driving a Streamlit page reliably (recipes from the team's testing notes).

Used by the browser tests (``tests/browser/``) and the browser benchmarks (``bench/``).
"""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

import imgkernel
from app.wording import preset_label

IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
ROW_PX = 35  # glide-data-grid header and row height
# An init script: the page notes whether "Queued:" (the memory budget's notice) was ever in it, however briefly
# (``window.__queued``).
QUEUED_JS = """
window.__queued = false;
new MutationObserver(() => {
  if (!window.__queued && document.body && document.body.innerText.includes('Queued:')) window.__queued = true;
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


def wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def settle(page, text: str | re.Pattern | None = None, timeout: float = 30_000) -> None:
    """After an action: wait until the run it caused is over.

    With ``text``, content the action's run draws, wait for it, then for idle: once the run has drawn it, the run
    is under way or over. (Text that may be on the page already proves nothing: use it only after something else
    showed that the run started, as the address bar does in tests/browser/test_core_loop.py.) Without ``text``,
    wait 300 ms first, since the app reads idle for ~200 ms after an action before its rerun starts.
    """
    if text is not None:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    else:
        page.wait_for_timeout(300)
    wait_idle(page, timeout)


def assert_no_exception(page) -> None:
    """No uncaught exception, and no page fell back on its catch-all "Something went wrong" message."""
    count = page.locator('[data-testid="stException"]').count()
    assert count == 0, page.locator('[data-testid="stException"]').first.inner_text()
    assert page.get_by_text("Something went wrong").count() == 0


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, 60_000)
    page.locator('[data-testid="stImage"] img').first.wait_for()
    page.wait_for_timeout(300)
    wait_idle(page)


def upload(page, path: Path | str) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))


def select(page, label: str, option: str) -> None:
    """Choose ``option`` in the selectbox labelled ``label``; retried if a rerun swallowed the choice."""
    wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    for _attempt in range(3):
        box.click()
        page.keyboard.type(option)  # long option lists are virtualised: filter so the option is in the page
        page.get_by_role("option", name=option, exact=True).click()
        for _ in range(25):
            if box.locator("input").input_value() == option:
                return
            page.wait_for_timeout(200)
        page.keyboard.press("Escape")
        wait_idle(page)
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def choose_kernel(page, name: str) -> None:
    """Pick the catalogue kernel ``name`` in the playground's Kernel box (labelled as the app labels it)."""
    select(page, "Kernel", preset_label(imgkernel.get(name)))


def image_pixels(page, index: int) -> np.ndarray:
    """The pixels of the index-th st.image on the page, fetched from the server as the browser got them."""
    img = page.locator('[data-testid="stImage"] img').nth(index)
    img.wait_for()
    src = img.get_attribute("src")
    if src.startswith("data:"):
        data = base64.b64decode(src.split(",", 1)[1])
    else:
        data = page.request.get(page.url.split("/?")[0].rstrip("/") + src if src.startswith("/") else src).body()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def open_options(page) -> None:
    """Open the playground's Options in the sidebar (closed at first) and wait for their widgets."""
    sidebar = page.locator('[data-testid="stSidebar"]')
    if not sidebar.get_by_role("slider", name=re.compile(r"^Stride\b")).count():
        sidebar.locator('[data-testid="stExpander"] summary').filter(has_text="Options").click()
    sidebar.get_by_role("slider", name=re.compile(r"^Stride\b")).wait_for()
    wait_idle(page)


def open_weights_editor(page) -> None:
    """The playground shows its weights read-only until "Edit the weights" is pressed: press it (if it is there)
    and wait for the data grid."""
    button = page.get_by_role("button", name="Edit the weights")
    if button.count():
        button.click()
    page.locator('[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]').first.wait_for()
    wait_idle(page)


def edit_grid_cell(page, row: int, col: int, value: str, grid_index: int = 0, first_col_x: float = 60) -> None:
    """Type ``value`` into cell (row, col) of a st.data_editor (0-based data cells), checking where the editor opens.

    ``first_col_x`` is an x offset inside the first data column (past the index column, if shown). The grid is
    drawn on a canvas, so we open the editor on cell (0, 0), check it sits there, move with the arrow keys and
    check again where the editor opened before typing (a freshly re-mounted grid can put a naive edit elsewhere).
    """
    canvas = page.locator('[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]').nth(grid_index)
    canvas.wait_for()
    page.wait_for_function("c => c.getBoundingClientRect().width > 0", arg=canvas.element_handle())
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    overlay = page.locator('#portal [id^="gdg-overlay"] input, #portal [id^="gdg-overlay"] textarea').first

    def opened() -> dict | None:
        page.keyboard.press("Enter")
        try:
            overlay.wait_for(timeout=1500)
        except Exception:
            return None
        return overlay.bounding_box()

    for _attempt in range(4):
        page.mouse.click(box["x"] + first_col_x, box["y"] + ROW_PX * 1.5)  # the scroller overlays the canvas
        first = opened()
        if first is None or abs(first["y"] - (box["y"] + ROW_PX)) > ROW_PX:
            page.keyboard.press("Escape")
            page.wait_for_timeout(300)
            continue
        page.keyboard.press("Escape")
        page.wait_for_timeout(200)
        for key, n in (("ArrowDown", row), ("ArrowRight", col)):
            for _ in range(n):
                page.keyboard.press(key)
        target = opened()
        if (
            target
            and abs(target["y"] - (box["y"] + ROW_PX * (row + 1))) < ROW_PX
            and (col == 0) == (abs(target["x"] - first["x"]) < 5)
        ):
            overlay.fill(value)
            page.keyboard.press("Enter")
            return
        page.keyboard.press("Escape")
        page.wait_for_timeout(300)
    raise AssertionError(f"could not open the grid's editor on cell ({row}, {col})")
