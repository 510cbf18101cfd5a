"""Real-browser fixtures: the app served by `streamlit run`, driven by Playwright in Debian's Chromium.

Starting the app and finding Chromium live in ``devtools.browser`` (the benchmarks use them too); the page helpers
in ``devtools.st_page``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, ROOT, server_logs, start_app, stop_app


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    proc, url = start_app()
    try:
        yield url
    finally:
        stop_app(proc)


@pytest.fixture(scope="session")
def pw():
    """Playwright, once per session (its sync API runs one instance per thread): every Chromium of the tier starts
    from it, through ``launch``."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium package.")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def page_errors() -> list[str]:
    """Uncaught errors in the scripts of any page of this worker's browsers, in order (see ``no_page_errors``)."""
    return []


@pytest.fixture(scope="session")
def launch(pw, page_errors):
    """Starts a Chromium, with ``CHROMIUM_ARGS`` or a module's own arguments (tests/browser/test_live.py's fake
    camera), every context of which reports an uncaught error in a page's scripts to ``page_errors``. The caller
    closes it."""

    def start(args: list[str] = CHROMIUM_ARGS):
        b = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        new_context = b.new_context

        def reporting_context(*a, **kw):
            context = new_context(*a, **kw)
            context.on("weberror", lambda e: page_errors.append(str(e.error)))
            return context

        b.new_context = reporting_context
        return b

    return start


@pytest.fixture(scope="session")
def browser(launch):
    """The tier's Chromium: the shared tabs, and the contexts tests open for a new visitor or a phone."""
    b = launch()
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(autouse=True)
def no_page_errors(page_errors):
    """A test fails, once it has passed otherwise, on any uncaught error in the page's scripts (the kernel
    editor's or Streamlit's) during it: a visitor would not see it, but something stopped working."""
    before = len(page_errors)
    yield
    assert not page_errors[before:], f"errors in the page's scripts: {page_errors[before:][:5]}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.failed_call = report.failed
    if report.failed:  # a page says only that the app hit an error: the server's log says which
        for i, log in enumerate(server_logs()):
            report.sections.append((f"app server log {i + 1} (it holds a traceback)", log[-20_000:]))


@pytest.fixture(scope="session")
def tabs(browser):
    """One browser context per worker, whose tabs the ``page`` fixture opens: the tabs share its HTTP and compiled-
    code caches, so a test's page does not download and compile Streamlit's JavaScript again (measured here: 0.5 s
    of CPU less per page load, browser and server together, on a tier that is CPU-bound). Each tab is still a
    Streamlit session of its own (its own WebSocket and session state), as a visitor's second tab is. Tests that
    need a new visitor's empty cache, a phone or a camera open their own context."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(tabs, app_url, request):
    p = tabs.new_page()
    p.set_default_timeout(30_000)
    try:
        yield p
    finally:
        if getattr(request.node, "failed_call", False):  # keep a picture of what the browser showed
            out = ROOT / "test-artifacts"
            out.mkdir(exist_ok=True)
            p.screenshot(path=str(out / f"{request.node.name}.png"), full_page=True)
        p.close()
