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
from app.wording import num, preset_label
from imgkernel import KernelError
from imgkernel.formats import kernel_io

IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
ROW_PX = 35  # glide-data-grid header and row height (st.data_editor, in the benchmarks' minimal app)
DATA_EDITOR_CANVAS = '[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]'
# The kernel editor (app/editor.py, app/editor_frontend/editor.js) draws in an open shadow root: Playwright's CSS
# locators pierce it, ``document.querySelector`` in page scripts does not.
GRID = ".st-key-pg-gridbox"  # the playground's kernel grid
MYSTERY_GRID = ".st-key-mk_grid"  # the Mystery kernel page's guess
CELL = "input[data-r][data-c]"  # one weight (0-based data-r, data-c; labelled 1-based "weight, row R, column C")
PARAM_SLIDER = ".st-key-pg-params input[type=range]"  # the preset's live sliders (label span, value in <output>)
RESULT_IMG = ".st-key-pg-result img"
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


def picker(page, label: str):
    """The plain select labelled ``label`` (``app.controls``: the Kernel box, the sample photo)."""
    return page.get_by_role("combobox", name=label, exact=True)


def selected(page, label: str) -> str:
    """The text of the option the select ``label`` shows."""
    return picker(page, label).evaluate("(s) => s.selectedOptions[0]?.textContent ?? ''")


def select(page, label: str, option: str) -> None:
    """Choose ``option`` (its text) in the select labelled ``label``, and wait until the page has answered."""
    wait_idle(page)
    picker(page, label).select_option(label=option)
    wait_idle(page)
    for _ in range(25):  # the server's answer shows what it took (app.controls: a refused pick goes back)
        if selected(page, label) == option:
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"could not choose {option!r} in {label!r}: it shows {selected(page, label)!r}")


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
    """Wait for a kernel grid to be drawn: the playground's editor (``app.editor``, editable from the first view) or
    a ``st.data_editor`` (the benchmarks' minimal app). Pressing "Edit the weights" first, if a page still has it."""
    button = page.get_by_role("button", name="Edit the weights")
    if button.count():
        button.click()
    page.locator(f"{GRID} {CELL}").or_(page.locator(DATA_EDITOR_CANVAS)).first.wait_for()
    wait_idle(page)


def edit_grid_cell(page, row: int, col: int, value: str, grid_index: int = 0, first_col_x: float = 60) -> None:
    """Type ``value`` into cell (row, col) of a ``st.data_editor`` (0-based data cells), checking where the editor
    opens. (The playground's own grid is no data editor any more: see ``edit_cell``. This one drives the minimal
    app of ``bench/core_loop.py``.)

    ``first_col_x`` is an x offset inside the first data column (past the index column, if shown). The grid is
    drawn on a canvas, so we open the editor on cell (0, 0), check it sits there, move with the arrow keys and
    check again where the editor opened before typing (a freshly re-mounted grid can put a naive edit elsewhere).
    """
    canvas = page.locator(DATA_EDITOR_CANVAS).nth(grid_index)
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


# ---- the kernel editor (app.editor): the grid of weights and the live sliders ----


def grid_cell(page, row: int, col: int, scope: str = GRID):
    """The input of weight (row, col), 0-based, in the grid inside ``scope``."""
    return page.locator(f'{scope} input[data-r="{row}"][data-c="{col}"]')


def grid_texts(page, scope: str = GRID) -> list[list[str]]:
    """The grid's texts row by row, as shown (``wording.num``: real minus signs, at most 4 significant digits;
    a focused cell shows its number at full precision, or what is being typed)."""
    page.locator(f"{scope} {CELL}").first.wait_for()
    cells = page.locator(f"{scope} {CELL}").evaluate_all(
        "(cells) => cells.map((c) => [Number(c.dataset.r), Number(c.dataset.c), c.value])"
    )  # one reading, so that a grid rebuilt meanwhile cannot mix two shapes
    rows: list[list[str]] = [[] for _ in range(max(r for r, _c, _t in cells) + 1)]
    for r, _c, text in sorted(cells):
        rows[r].append(text)
    return rows


def grid_shape(page, scope: str = GRID) -> tuple[int, int]:
    texts = grid_texts(page, scope)
    return len(texts), len(texts[0])


def shown(value: float | str) -> str:
    """How the grid shows a value once its cell has lost focus: ``wording.num`` of a number, a refused text as
    typed."""
    if not isinstance(value, str):
        return num(float(value))
    try:
        return num(kernel_io.parse_number(value))
    except KernelError:
        return value


def wait_for_cell(page, row: int, col: int, value: float | str, scope: str = GRID, timeout: float = 30_000) -> None:
    """Wait until the app shows ``value`` in cell (row, col): the number as the server formatted it and no mark, or
    a refused text marked ``aria-invalid`` (the cell must not have focus: a focused cell shows what is typed)."""
    from playwright.sync_api import expect

    cell = grid_cell(page, row, col, scope)
    expect(cell).to_have_value(shown(value), timeout=timeout)
    # The grid shows a value still on its way to the server (and a value typed live reaches it in steps): wait
    # until the server has answered the last one.
    expect(page.locator(f"{scope} .ke").first).to_have_attribute("aria-busy", "false", timeout=timeout)
    if isinstance(value, str) and not _is_number(value):
        expect(cell).to_have_attribute("aria-invalid", "true", timeout=timeout)
    else:
        expect(cell).not_to_have_attribute("aria-invalid", "true", timeout=timeout)


def _is_number(text: str) -> bool:
    try:
        kernel_io.parse_number(text)
    except KernelError:
        return False
    return True


def edit_cell(page, row: int, col: int, value: str, scope: str = GRID, wait: bool = True) -> None:
    """Click weight (row, col) (0-based), type ``value`` over it (focus selects it all; an empty ``value``
    deletes it) and press Enter (focus moves down a row). With ``wait``: the cell is left if it still has focus
    (the last row), then wait until the app shows the value in it (or marks it refused) and is idle. A value the
    cell already shows proves nothing: then the wait is only for idle after 300 ms, as ``settle`` without text."""
    cell = grid_cell(page, row, col, scope)
    before = cell.input_value()
    cell.click()
    if value:
        page.keyboard.type(value)
    else:
        page.keyboard.press("Delete")  # the whole text is selected
    page.keyboard.press("Enter")
    if not wait:
        return
    if cell.evaluate("(c) => c.getRootNode().activeElement === c"):
        cell.evaluate("(c) => c.blur()")
    if shown(value) == before:
        settle(page)
        return
    wait_for_cell(page, row, col, value, scope)
    wait_idle(page)


def blur(page) -> None:
    """Take focus off whatever has it (inside shadow roots too): the page's body has it then."""
    page.evaluate(
        """() => {
          let a = document.activeElement;
          while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
          if (a && a !== document.body) a.blur();
        }"""
    )


def wait_for_grid(page, matrix, scope: str = GRID, timeout: float = 30_000) -> None:
    """Wait until the grid shows ``matrix`` (its shape, and each weight as ``shown``), then for idle. Focus is
    taken off the grid first: a focused cell shows its number at full precision."""
    expected = [[shown(float(v)) for v in row] for row in np.asarray(matrix, dtype=np.float64)]
    blur(page)
    texts = None
    for _ in range(int(timeout / 100)):
        texts = grid_texts(page, scope)
        if texts == expected:
            wait_idle(page, timeout)
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"the grid shows {texts}, not {expected}")


def paste_text(locator, text: str) -> None:
    """A paste of ``text`` into ``locator`` (a synthetic ClipboardEvent, as headless Chromium's Ctrl+V would fire)."""
    locator.evaluate(
        """(el, t) => {
          const dt = new DataTransfer();
          dt.setData('text/plain', t);
          el.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, composed: true,
                                                        cancelable: true}));
        }""",
        text,
    )


# An init script: the page notes every new picture of the playground's result (``window.__results``: its srcs
# in order, the first being the one shown when the page opened), whether the <img> is replaced or its src changes.
RESULT_WATCH_JS = """
window.__results = [];
new MutationObserver(() => {
  const img = document.querySelector('.st-key-pg-result img');
  const src = img && img.getAttribute('src');
  if (src && src !== window.__results[window.__results.length - 1]) window.__results.push(src);
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
"""


def result_changes(page) -> int:
    """How many times the result picture changed since ``RESULT_WATCH_JS`` started watching (the first is not a
    change)."""
    return max(0, page.evaluate("() => window.__results.length") - 1)


def result_src(page) -> str:
    return page.locator(RESULT_IMG).first.get_attribute("src")
