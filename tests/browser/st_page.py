"""Small Playwright helpers for driving a Streamlit page reliably (recipes from the team's testing notes)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from PIL import Image

IDLE = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
ROW_PX = 35  # glide-data-grid header and row height


def wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def settle(page, text: str | re.Pattern | None = None, timeout: float = 30_000) -> None:
    """After an action: wait for the content we expect (the app reads idle for ~200 ms before a rerun starts)."""
    if text is not None:
        page.get_by_text(text).first.wait_for(timeout=timeout)
    page.wait_for_timeout(300)
    wait_idle(page, timeout)


def assert_no_exception(page) -> None:
    count = page.locator('[data-testid="stException"]').count()
    assert count == 0, page.locator('[data-testid="stException"]').first.inner_text()


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, 60_000)
    page.locator('[data-testid="stImage"] img').first.wait_for()
    page.wait_for_timeout(300)
    wait_idle(page)


def upload(page, path: Path | str) -> None:
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(str(path))


def select(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).click()


def image_pixels(page, index: int) -> np.ndarray:
    """The pixels of the index-th st.image on the page, fetched from the server as the browser got them."""
    img = page.locator('[data-testid="stImage"] img').nth(index)
    img.wait_for()
    src = img.get_attribute("src")
    if src.startswith("data:"):
        import base64

        data = base64.b64decode(src.split(",", 1)[1])
    else:
        data = page.request.get(page.url.split("/?")[0].rstrip("/") + src if src.startswith("/") else src).body()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def edit_grid_cell(page, row: int, col: int, value: str, grid_index: int = 0) -> None:
    """Type ``value`` into cell (row, col) of a st.data_editor (0-based, data rows), checking where the editor opens."""
    canvas = page.locator('[data-testid="stDataFrame"] [data-testid="data-grid-canvas"]').nth(grid_index)
    canvas.wait_for()
    page.wait_for_function("c => c.getBoundingClientRect().width > 0", arg=canvas.element_handle())
    box = canvas.bounding_box()
    overlay = page.locator('#portal [id^="gdg-overlay"] input, #portal [id^="gdg-overlay"] textarea')
    for attempt in range(6):
        if attempt % 2 == 0:
            canvas.click(position={"x": 8, "y": ROW_PX + ROW_PX / 2})
        page.keyboard.press("Enter")
        try:
            overlay.first.wait_for(timeout=1500)
            break
        except Exception:
            continue
    else:
        raise AssertionError("the grid's cell editor never opened")
    top0 = overlay.first.bounding_box()["y"]
    page.keyboard.press("Escape")
    assert abs(top0 - (box["y"] + ROW_PX)) < ROW_PX, "the editor did not open on row 0"
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(col):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    overlay.first.wait_for(timeout=5000)
    top = overlay.first.bounding_box()["y"]
    assert abs(top - (box["y"] + ROW_PX * (row + 1))) < ROW_PX, "the editor opened on the wrong row"
    overlay.first.fill(value)
    page.keyboard.press("Enter")
