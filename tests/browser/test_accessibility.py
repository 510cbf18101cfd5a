"""axe-core on every page in Chromium: no serious or critical WCAG 2 A/AA violation beyond a minimal Streamlit app's.

axe-core comes from npm, pinned in ``package.json`` / ``package-lock.json`` (``npm ci`` installs it into
``node_modules/``). It is injected into each page (and each component iframe) once the page is idle and its pictures
are loaded. The floor, what Streamlit itself gets wrong, is measured in the same run on ``a11y_baseline_app.py``:
a violation of the app is forgiven only when the baseline has the same rule on the same piece of Streamlit's own
chrome (the same chain of ``data-testid`` elements, layout containers left out). Content the app writes (captions,
markdown, headings, pictures) and colour contrast (the theme in ``.streamlit/config.toml`` is the app's) are never
forgiven, even when the baseline fails there too: the app chooses them and can fix them.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from devtools.browser import DESKTOP, ROOT, start_app, stop_app
from devtools.st_page import assert_no_exception, wait_idle

pytestmark = pytest.mark.browser

AXE_DIR = ROOT / "node_modules" / "axe-core"
BASELINE_APP = Path(__file__).with_name("a11y_baseline_app.py")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0, 2.1 and 2.2, levels A and AA
FAILING_IMPACTS = {"serious", "critical"}

# page title in the sidebar → the URL path Streamlit serves it at (st.Page's default: the script's file name)
PAGES = {
    "Playground": "",
    "Pixel walkthrough": "walkthrough",
    "Gallery": "gallery",
    "CNN layer": "cnn_layer",
    "Kernel lab": "kernel_lab",
    "Fit a kernel": "fit",
    "Sliding window": "sliding_window",
    "Mystery kernel": "mystery",
    "CNN layer, trained filters": "cnn_layer",
    "Playground, In your code": "",
}
# what a visitor clicks (texts, in turn) to reach a part of a page that is not open at first
CLICKS = {
    "CNN layer, trained filters": ["Trained filters, channel by channel"],
    "Playground, In your code": ["In your code", "OpenCV"],
}

# data-testids that only lay elements out: left out of a violation's chrome path, so that the same widget in the
# sidebar, a column or an expander has the same path as in the baseline's main area
LAYOUT_TESTIDS = {
    "stScreencast",
    "stApp",
    "stAppViewContainer",
    "stMain",
    "stMainBlockContainer",
    "stSidebar",
    "stSidebarContent",
    "stSidebarUserContent",
    "stVerticalBlock",
    "stVerticalBlockBorderWrapper",
    "stHorizontalBlock",
    "stLayoutWrapper",
    "stElementContainer",
    "stColumn",
    "stExpander",
    "stExpanderDetails",
    "stTabs",
    "stTab",
    "stTabPanel",
    "stFullScreenFrame",
    "stForm",
}
# content the app writes: a violation inside one of these is the app's to fix, never Streamlit's chrome
CONTENT_TESTIDS = {
    "stMarkdown",
    "stCaptionContainer",
    "stHeading",
    "stText",
    "stCode",
    "stImage",
    "stImageContainer",
    "stImageCaption",
    "stAlert",
    "stHtml",
}

# colours come from the theme, which is the app's (.streamlit/config.toml, which the baseline app reads too, being
# started from the same directory): a colour finding is never forgiven, even on Streamlit's chrome
THEME_RULES = {"color-contrast", "color-contrast-enhanced", "link-in-text-block"}

# Runs axe in the page; returns plain data. A node's ``path`` is the chain of data-testids from the document down
# to the failing element (outermost first), the stable part of where Streamlit draws it.
RUN_AXE = """
async ([tags, layout]) => {
  const skip = new Set(layout);
  const pathOf = (el) => {
    const ids = [];
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const id = e.getAttribute("data-testid");
      if (id && !skip.has(id) && ids[0] !== id) ids.unshift(id);
    }
    return ids;
  };
  // a node inside an iframe has no element here: the path of its iframe in this document, then a marker
  const framePath = (target) => {
    try {
      return pathOf(document.querySelector([].concat(target[0])[0])).concat(["(inside its iframe)"]);
    } catch {
      return ["(inside an iframe)"];
    }
  };
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
    elementRef: true,
  });
  return {
    version: axe.version,
    violations: result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        impact: n.impact || v.impact,
        target: n.target.flat(Infinity).join(" >>> "),
        html: n.html,
        path: n.element ? pathOf(n.element) : framePath(n.target),
      })),
    })),
  };
}
"""


def _pinned_version() -> str:
    return json.loads((ROOT / "package.json").read_text())["dependencies"]["axe-core"]


def axe_source() -> str:
    """axe.min.js as pinned in package.json; fails the test (never skips it) when `npm ci` has not been run."""
    script, meta = AXE_DIR / "axe.min.js", AXE_DIR / "package.json"
    if not script.is_file() or not meta.is_file():
        pytest.fail(
            f"axe-core is not installed ({script.relative_to(ROOT)} is missing): run `npm ci` at the repository root "
            "(`make test` does it).",
            pytrace=False,
        )
    installed, pinned = json.loads(meta.read_text())["version"], _pinned_version()
    if installed != pinned:
        pytest.fail(
            f"node_modules has axe-core {installed} but package.json pins {pinned}: "
            "run `npm ci` at the repository root.",
            pytrace=False,
        )
    return script.read_text(encoding="utf-8")


def _wait_until_drawn(page) -> None:
    """Idle, no rerun pending, and every picture (in the page and in component iframes) loaded."""
    wait_idle(page, 60_000)
    page.wait_for_timeout(500)  # a page may rerun once as it opens
    wait_idle(page)
    page.locator('[data-testid="stMain"] img').first.wait_for()  # every page shows pictures
    for frame in page.frames:
        frame.wait_for_function("() => [...document.images].every((i) => i.complete && i.naturalWidth > 0)")
    wait_idle(page)


def _axe(page, source: str) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now, one dict per failing node."""
    for frame in page.frames:  # axe checks an iframe only when it runs inside it too
        frame.add_script_tag(content=source)
    report = page.evaluate(RUN_AXE, [WCAG_TAGS, sorted(LAYOUT_TESTIDS)])
    assert report["version"] == _pinned_version(), report["version"]
    return [
        {**node, "rule": v["id"], "help": v["help"], "helpUrl": v["helpUrl"]}
        for v in report["violations"]
        for node in v["nodes"]
        if node["impact"] in FAILING_IMPACTS
    ]


def _chrome_key(node: dict) -> tuple[str, tuple[str, ...]] | None:
    """(rule, testid path) when the node is Streamlit's own chrome, None when it is content the app writes or a
    colour the app's theme decides."""
    if node["rule"] in THEME_RULES or CONTENT_TESTIDS.intersection(node["path"]):
        return None
    return node["rule"], tuple(node["path"])


def _describe(nodes: list[dict]) -> str:
    lines = []
    for n in nodes:
        lines.append(
            f"- {n['rule']} ({n['impact']}): {n['help']} [{n['helpUrl']}]\n"
            f"    target: {n['target']}\n"
            f"    where:  {' > '.join(n['path']) or '(no data-testid)'}\n"
            f"    html:   {n['html'][:200]}"
        )
    return "\n".join(lines)


@pytest.fixture(scope="module")
def baseline(browser) -> Iterator[dict]:
    """The minimal Streamlit app's violations, measured in this run: the chrome keys to forgive, and (for the
    failure message) those on content, which are not forgiven."""
    proc, url = start_app(script=BASELINE_APP)
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(url)
        _wait_until_drawn(page)
        assert_no_exception(page)
        nodes = _axe(page, axe_source())
    finally:
        context.close()
        stop_app(proc)
    yield {
        "chrome": {k for k in map(_chrome_key, nodes) if k is not None},
        "content": Counter(f"{n['rule']} on {' > '.join(n['path'])}" for n in nodes if _chrome_key(n) is None),
    }


@pytest.mark.parametrize("title", list(PAGES))
def test_no_serious_or_critical_violation_beyond_streamlits_own(page, app_url, request, title):
    source = axe_source()  # first: without axe-core the test fails here, saying to run `npm ci`
    baseline = request.getfixturevalue("baseline")
    page.goto(f"{app_url}/{PAGES[title]}")
    _wait_until_drawn(page)
    assert urlparse(page.url).path.strip("/") == PAGES[title], page.url  # the page we meant, not a redirect
    for text in CLICKS.get(title, []):
        page.get_by_text(text, exact=True).click()
        _wait_until_drawn(page)
    assert_no_exception(page)

    nodes = _axe(page, source)
    found = [n for n in nodes if _chrome_key(n) not in baseline["chrome"]]
    if found:
        counts = Counter(n["rule"] for n in found)
        forgiven = Counter(f"{n['rule']} on {' > '.join(n['path'])}" for n in nodes if n not in found)
        pytest.fail(
            f"{title} (/{PAGES[title]}): {len(found)} serious or critical axe-core violation(s) beyond a minimal "
            f"Streamlit app's ({', '.join(f'{r} ×{c}' for r, c in sorted(counts.items()))}):\n{_describe(found)}\n"
            f"Forgiven as Streamlit's own chrome (the baseline app has them too): "
            f"{', '.join(f'{k} ×{c}' for k, c in sorted(forgiven.items())) or 'none'}. "
            f"Not forgiven (content the app writes, or theme colours), though the baseline has them too: "
            f"{', '.join(f'{k} ×{c}' for k, c in sorted(baseline['content'].items())) or 'none'}",
            pytrace=False,
        )
