"""The Chinese interface: every message has both languages, the Playground renders with no English left, the
language is kept in the link, and the library's and the state's messages are translated where they are shown."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import numpy as np
import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache, editor_events, i18n, messages_zh, wording
from app.i18n import using
from app.panels.details import share_query
from app.state import (
    DETAILS,
    edit_cells,
    load_kernel,
    paste_matrix,
    refuse_edit,
    refuse_kernel_file,
    set_option,
    set_param,
    set_scale,
    set_view,
    set_whole,
)
from imgkernel import acf, share
from imgkernel.borders import MODE_RULES
from imgkernel.limits import MAX_KERNEL_SIDE

from .apptest import edit, ok, start, state

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "streamlit_app.py", *sorted((ROOT / "app").rglob("*.py")), *sorted((ROOT / "pages").glob("*.py"))]
# The only places that hand ``_`` a text that is not written out: the function itself and the sample names.
DYNAMIC_CALLS = {"i18n.py", "wording.py"}

# Pages whose every text is translated (the "no English left" test walks them); the others are still English.
TRANSLATED_PAGES = [
    "pages/playground.py",
    "pages/walkthrough.py",
    "pages/gallery.py",
    "pages/cnn_layer.py",
    "pages/kernel_lab.py",
    "pages/sliding_window.py",
    "pages/mystery.py",
    "pages/fit.py",
]
# ASCII words allowed in Chinese text: proper names, units, formats, and the switch's "English" and its label
# "Language / 语言" (both languages on purpose: see ``i18n.language_switch``).
ALLOWED = {
    "English", "Language",
    "px", "MB", "dB", "PSNR", "PNG", "JPEG", "JSON", "AVIF", "WebP", "BMP", "GIF", "TIFF", "acf", "RGB", "sRGB",
    "CNN", "GIMP", "OpenCV", "Photoshop", "setosa", "sigma", "gamma", "NaN", "Prewitt", "Scharr", "Gabor", "LoG",
    "USM", "ReLU", "Pillow", "Adam",
    # CNN, sliding window: machine-learning libraries and their names (SAME_UPPER, Conv2d, ConvTranspose), floor/ceil
    "PyTorch", "TensorFlow", "Keras", "JAX", "ONNX", "SAME", "UPPER", "Conv", "floor", "ceil", "ConvTranspose",
    # the keys of a keyboard's shortcuts (undo and redo), as printed on the keys
    "Ctrl", "Shift", "Mac",
}  # fmt: skip
# Streamlit's own widget texts, which the app cannot translate (see the README).
STREAMLIT_TEXTS = ("Drag and drop file here", "Browse files", "Limit 50MB per file")


def literal_messages() -> dict[str, str]:
    """Every ``_("...")`` text in the app's source -> the file it is in."""
    found: dict[str, str] = {}
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.setdefault(arg.value, path.name)
                else:
                    assert path.name in DYNAMIC_CALLS, f"{path.name}:{node.lineno}: _() of a text the test cannot see"
    return found


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def english_words(text: str) -> list[str]:
    """Runs of ASCII letters in ``text`` that are not allowed names or units (HTML tags and styles removed, and
    Markdown code spans: data such as a link's query, not words)."""
    text = re.sub(r"<style.*?</style>|<[^>]+>|`[^`\n]*`", " ", text, flags=re.DOTALL)
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED]


def test_every_message_in_the_code_has_a_chinese_text_with_the_same_placeholders() -> None:
    found = literal_messages()
    assert len(found) > 150  # the scan sees the app's texts
    missing = sorted(text for text in found if not messages_zh.MESSAGES.get(text, "").strip())
    assert not missing, missing
    for english, chinese in messages_zh.MESSAGES.items():
        assert chinese.strip(), english
        assert placeholders(english) == placeholders(chinese), (english, chinese)


def test_the_chinese_texts_are_chinese() -> None:
    for english, chinese in messages_zh.MESSAGES.items():
        if english.strip(", ;"):
            assert not english_words(chinese.format(**dict.fromkeys(placeholders(chinese), ""))), (english, chinese)


def test_every_catalogue_kernel_has_chinese_texts() -> None:
    for name, spec in imgkernel.CATALOGUE.items():
        entry = messages_zh.KERNELS[name]
        fields = {"title": spec.title, "category": spec.category, "summary": spec.summary}
        fields["explanation"] = spec.explanation
        for p in spec.params:
            fields[f"param.{p.name}.label"] = p.label
            if p.help:
                fields[f"param.{p.name}.help"] = p.help
        for field, english in fields.items():
            chinese = entry.get(field, "")
            assert chinese.strip() and chinese != english, (name, field)
            assert not english_words(chinese), (name, field, chinese)
        assert set(entry) == set(fields), (name, set(entry) ^ set(fields))


def test_samples_border_rules_and_patterns_are_translated() -> None:
    assert set(cache.SAMPLES) == wording.SAMPLE_NAMES
    with using("zh"):
        for name in cache.SAMPLES:
            assert not english_words(wording.photo_name(name)), name
        for rule in MODE_RULES.values():
            assert not english_words(i18n.message(rule)), rule
    for pattern, template in messages_zh.PATTERNS.items():
        assert placeholders(template) <= set(re.compile(pattern).groupindex), pattern


def test_english_is_the_default_and_outside_a_run() -> None:
    assert i18n.lang() == "en"
    assert i18n._("Kernel") == "Kernel"
    assert i18n.message("The divisor cannot be 0; use 1 to leave the values as they are.").startswith("The divisor")
    with using("zh"):
        assert i18n._("Kernel") == "卷积核"
        assert i18n._("Back to {kernel}", kernel="锐化") == "回到锐化"
        assert i18n._("a text nobody translated") == "a text nobody translated"  # never lost


def test_wording_has_a_chinese_template_for_each_sentence() -> None:
    matrix = imgkernel.get("sobel_top").matrix()
    scale = imgkernel.auto_normalise(matrix)
    with using("zh"):
        texts = [
            wording.sum_meaning(matrix, scale),
            wording.alt_photo("Chelsea the cat", 451, 300, gray=True),
            wording.alt_result("Chelsea the cat", "上索贝尔", 451, 300, -3.5, 412, "signed"),
            wording.alt_scale(12.5),
            wording.alt_difference("Coffee cup", "锐化", 128, 85, 3.25),
            wording.alt_zoom("原图", 15, wording.at_xy(3, 4), "该像素", np.array([1, 2, 3])),
            wording.heatmap_description(matrix, "上索贝尔"),
            wording.histogram_description(np.array([1, 5, 2]), np.array([0.0, 1, 2, 3])),
            wording.options_summary(imgkernel.Settings(mode="constant", dilation=2, gray=True, linear=True), "abs"),
            wording.preset_label(imgkernel.get("gaussian")),
        ]
    for text in texts:
        assert not english_words(text), text
    assert "0.5" in texts[0] or "127.5" in texts[0]  # numbers stay numbers
    assert "451 × 300 px" in texts[1]


def problems_in_chinese() -> list[str]:
    """What the state says when a visitor's value is refused, shown in Chinese."""
    base = state(start())
    spoilt = [
        set_param(base, "inner", 1e9),
        edit_cells(base, {(0, 0): "#"}),
        edit_cells(base, {(1, 2): None}),
        set_scale(base, divisor=0.0),
        set_option(base, "stride", 99),
        load_kernel(base, np.ones((MAX_KERNEL_SIDE + 1, 1))),
        refuse_kernel_file(
            base, "k.acf: The file's scale is 0; Photoshop divides by the scale, so it must be 1 to 9999."
        ),
        edit_cells(set_whole(base, True), {(0, 0): 0.5}),
        paste_matrix(base, "[[1, 2], [3]]"),
        paste_matrix(base, "x" * 300_000),
        refuse_edit(base, editor_events.REFUSED),
    ]
    shown = [text for s in spoilt for text in s.problems.values()]
    assert len(shown) == len(spoilt)
    with using("zh"):
        return [i18n.message(text) for text in shown]


def test_the_states_and_the_librarys_messages_are_shown_in_chinese() -> None:
    for text in problems_in_chinese():
        assert not english_words(text), text
    with using("zh"):
        try:
            acf.kernel_to_acf(np.ones((7, 7)), 49, 0)
        except imgkernel.KernelError as exc:
            assert not english_words(i18n.message(str(exc)))
        link = i18n.message("Some settings in the link were ignored: '9': unknown setting. k='7': no such kernel.")
        assert not english_words(link), link


# -- the pages in Chinese ------------------------------------------------------------------------------------


def _strings(msg: Message, out: list[str]) -> None:
    skip = {"id", "key", "form_id", "url", "src", "type", "format", "data", "file_name", "icon", "spec", "mimetype"}
    skip |= {"component_name", "name", "theme"}  # a custom component's module path, a chart's theme
    skip |= {"code_text", "language"}  # st.code: data (the kernel JSON, the share link), not words
    skip |= {"styles", "uuid"}  # a styled table's CSS, not words
    skip |= {"js_content", "css_content", "html_content", "js_source_path", "css_source_path"}  # a component's code
    for field, value in msg.ListFields():
        if field.name in skip:
            continue
        if field.name == "spec":
            continue
        values = list(value) if type(value).__name__.startswith("Repeated") else [value]
        for v in values:
            if isinstance(v, Message):
                _strings(v, out)
            elif isinstance(v, str) and not v.startswith("{"):  # (a data grid's column config: JSON, not text)
                out.append(v)


def component_texts(data: dict) -> list[str]:
    """The texts the kernel editor (``app.editor``) shows from its data: the grid's caption, its cells' labels
    (filled in as the browser does), a refused cell's message; the sliders' labels and help."""
    texts = [data.get("caption", "")]
    labels = data.get("labels") or {}
    texts += [label.replace("{row}", "1").replace("{col}", "2") for label in labels.values()]
    texts.append((data.get("bad") or {}).get("message", ""))
    for p in data.get("params", ()):
        texts += [p["label"], p["help"]]
    return [t for t in texts if t]


def shown_texts(at: AppTest) -> list[str]:
    """Every text of the page: labels, options, help, markdown, captions, alt texts, chart descriptions, the
    kernel editor's texts."""
    out: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if isinstance(proto, Message):
            _strings(proto, out)
            if getattr(proto, "component_name", "") == "imgkernel.editor":
                out.extend(component_texts(json.loads(proto.bytes)))
            if hasattr(proto, "spec") and proto.spec:
                spec = json.loads(proto.spec)
                out.append(spec.get("description", ""))
                out.extend(re.findall(r'"title": "([^"]*)"', json.dumps(spec, ensure_ascii=False)))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return [t for t in out if t and t not in STREAMLIT_TEXTS and t not in ("visible", "collapsed", "hidden")]


def english_left(at: AppTest) -> list[str]:
    return [f"{words} in {text[:90]!r}" for text in shown_texts(at) if (words := english_words(text))]


def rerun(at: AppTest) -> AppTest:
    """Run a Chinese session again. AppTest re-applies the app's ``format_func`` in the test's own thread to find
    each selectbox's choice among the shown (Chinese) options: it must speak Chinese there too."""
    with using("zh"):
        return ok(at.run())


def playground_views(at: AppTest) -> list[list[str]]:
    """The playground's texts with each part open once: options, the grid editor, every detail panel, the signed
    view, a refused value."""
    runs = [shown_texts(at)]
    for detail in DETAILS:
        at.session_state["playground"] = set_view(state(at), options=True, detail=detail, mode="signed")
        runs.append(shown_texts(rerun(at)))
    at.session_state["playground"] = set_param(set_view(state(at), detail=None), "inner", 1e9)
    with using("zh"):
        texts = shown_texts(at.run())
    assert [e.value for e in at.error] == ["中心权重必须介于 -10 和 20 之间(收到 1000000000.0)。之前的卷积核继续使用。"]
    runs.append(texts)
    with using("zh"):
        texts = shown_texts(edit(at, 0, 1, "#"))  # a refused cell: its message is shown on the cell, by the editor
        (bad,) = [t for t in texts if "第 1 行" in t and "第 2 列" in t and "#" in t]
    runs.append(texts)
    return runs


def test_the_playground_in_chinese_has_no_english_left() -> None:
    at = ok(start({"lang": "zh"}))
    checked = 0
    for texts in playground_views(at):
        checked += len(texts)
        left = [f"{words} in {t[:90]!r}" for t in texts if (words := english_words(t))]
        assert not left, left
    assert checked > 200  # the walk sees the page's texts
    assert any("卷积核" in t for t in shown_texts(at)) and any(t.startswith("结果:") for t in shown_texts(at))


def test_the_english_playground_is_seen_as_english() -> None:
    """The detector can fail: the same walk on the English page finds English everywhere."""
    at = ok(start())
    assert len(english_left(at)) > 20


@pytest.mark.parametrize("page", TRANSLATED_PAGES)
def test_each_translated_page_says_nothing_in_english(page: str) -> None:
    at = ok(start({"lang": "zh"}))
    if page != "pages/playground.py":
        at.switch_page(page)
        rerun(at)
    assert not english_left(at), english_left(at)


# -- the switch and the link -----------------------------------------------------------------------------------


def test_lang_zh_in_the_link_opens_chinese_and_stays_in_the_link() -> None:
    at = ok(start({"lang": "zh"}))
    assert at.radio(key="lang").value == "zh"
    assert at.query_params["lang"] == "zh"
    assert not state(at).notices  # lang is not an "unknown setting"
    with using("zh"):
        assert share_query(state(at))[0]["lang"] == "zh"
    # a change of kernel rewrites the address bar: the language stays in it
    with using("zh"):
        at.selectbox(key="pg_preset").select("emboss")
    rerun(at)
    assert at.query_params["lang"] == "zh" and at.query_params["k"] == "emboss"


def test_the_switch_changes_the_language_and_the_link() -> None:
    at = ok(start())
    assert at.selectbox(key="pg_preset").label == "Kernel"
    assert "lang" not in at.query_params
    at.radio(key="lang").set_value("zh")
    ok(at.run())
    assert at.selectbox(key="pg_preset").label == "卷积核"
    assert at.query_params["lang"] == "zh"
    # (AppTest drops the entry script's sidebar widgets from its tree after the first run; the browser test
    # clicks the real switch back. Here the switch's value is set as a click would set it.)
    at.session_state["lang"] = "en"
    rerun(at)
    assert at.selectbox(key="pg_preset").label == "Kernel"
    assert "lang" not in at.query_params


def test_share_decode_knows_lang() -> None:
    link, notices = share.decode({"lang": "zh", "k": "blur"}, cache.SAMPLES)
    assert link.kernel == "blur" and notices == []
    assert share.decode({"lang2": "zh"}, cache.SAMPLES)[1]  # a really unknown key is still reported


def test_the_sliding_windows_drawn_titles_are_chinese_when_a_font_can_draw_them(monkeypatch) -> None:
    from app import sweep_view as sv

    with using("zh"):
        text, _font = sv._title_and_font("Output", 13)
        assert text == ("输出" if sv._cjk_font(13) is not None else "Output")
        sv._cjk_font.cache_clear()
        monkeypatch.setattr(sv, "CJK_FONTS", ())
        try:
            assert sv._title_and_font("Output", 13)[0] == "Output"  # no font for Chinese: drawn in English
        finally:
            sv._cjk_font.cache_clear()
    assert sv._title_and_font("Output", 13)[0] == "Output"


def test_every_mystery_hint_is_shown_in_chinese() -> None:
    from app import mystery_view
    from imgkernel import puzzle

    with using("zh"):
        for seed in range(60):
            for hint in puzzle.hints(puzzle.puzzle(seed).matrix):
                assert not english_words(mystery_view.hint_text(hint)), (seed, hint)
    assert mystery_view.hint_text("Symmetry: no mirror symmetry.") == "Symmetry: no mirror symmetry."


def test_the_memory_queue_speaks_chinese():
    from app.budget import queued_message

    then = "Yours starts as soon as there is room (changing the kernel or options cancels it)."
    with i18n.using("zh"):
        two = i18n.message(queued_message(2, then))
        one = i18n.message(queued_message(1, "cat.jpg is opened as soon as there is room."))
    assert two.startswith("排队中:有 2 个大任务") and two.endswith("一有空间就开始你的任务(更改卷积核或选项会取消它)。")
    assert one.startswith("排队中:有 1 个大任务") and one.endswith("一有空间就打开 cat.jpg。")
