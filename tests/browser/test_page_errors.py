"""The guard every browser test runs under (``no_page_errors`` in conftest.py) sees what it is there to see."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("own", [False, True], ids=["the tier's browser", "a module's own browser"])
def test_an_error_thrown_by_a_pages_script_is_caught(browser, launch, page_errors, own):
    """An uncaught error in a page's script reaches ``page_errors``: in a context of the tier's browser, and in one
    of a browser a module launches itself (test_live.py's, with its fake camera)."""
    b = launch() if own else browser
    context = b.new_context()
    try:
        before = len(page_errors)
        page = context.new_page()
        page.evaluate("setTimeout(() => { throw new Error('thrown on purpose') }, 0)")
        deadline = time.monotonic() + 10
        while len(page_errors) == before and time.monotonic() < deadline:
            page.wait_for_timeout(50)  # Playwright hands events over while one of its calls runs
        assert any("thrown on purpose" in e for e in page_errors[before:]), page_errors[before:]
        del page_errors[before:]  # thrown on purpose: not this test's failure
    finally:
        context.close()
        if own:
            b.close()
