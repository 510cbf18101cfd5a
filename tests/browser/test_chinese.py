"""The Chinese and Spanish interfaces in Chromium: ``/?lang=zh`` opens the app in Chinese (sidebar, kernel box,
result line, the kernel editor's labels and messages), the address bar and the share link keep ``lang=zh`` through a
change, and the switch goes back to English; the switch offers Spanish and the whole playground follows it; two
visitors in two languages at once each see their own."""

import re

import pytest
from playwright.sync_api import expect

import imgkernel
from app.i18n import using
from app.wording import preset_label
from devtools.browser import ROOT
from devtools.st_page import (
    GRID,
    assert_no_exception,
    edit_cell,
    grid_cell,
    open_app,
    select,
    selected,
    settle,
    upload,
    wait_idle,
)

pytestmark = pytest.mark.browser


def test_lang_zh_opens_the_app_in_chinese_and_keeps_it_in_the_link(page, app_url) -> None:
    open_app(page, f"{app_url}/?lang=zh")
    assert_no_exception(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    # the sidebar: the switch on 简体中文, the pages and the photo box in Chinese
    assert sidebar.get_by_role("radio", name="简体中文").is_checked()
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="卷积核游乐场").count() == 1 and nav.get_by_text("学习").count() >= 1
    assert sidebar.get_by_text("示例图片").count() == 1 and sidebar.get_by_text("Sample photo").count() == 0
    # the kernel box and the result line
    assert selected(page, "卷积核") == "锐化"
    result = page.get_by_text(re.compile(r"^结果:锐化 · \d+ × \d+ px · 取值 "))
    assert result.count() == 1
    assert page.get_by_text(re.compile(r"^Result: ")).count() == 0
    # the kernel editor: its cells' labels, the undo button, a refused cell's message
    assert grid_cell(page, 0, 0).get_attribute("aria-label") == "权重,第 1 行,第 1 列"
    assert page.locator(".st-key-pg-history").get_by_role("button", name="↶ 撤销").count() == 1
    edit_cell(page, 0, 0, "abc")
    message = page.locator(f"{GRID} .ke-msg").inner_text()
    assert "第 1 行,第 1 列" in message and "之前的卷积核继续使用" in message and "row" not in message, message
    edit_cell(page, 0, 0, "0")  # the same weight again: the mark goes
    # a change rewrites the address bar: lang=zh stays in it, and in the share link
    select(page, "卷积核", "风格化 · 浮雕")
    settle(page, re.compile(r"^结果:浮雕 · "))
    assert "lang=zh" in page.url and "k=emboss" in page.url
    page.locator('[data-testid="stButtonGroup"]').get_by_text("导出和分享").click()
    settle(page, "分享链接")
    link = page.locator('[data-testid="stCode"]').filter(has_text="k=emboss").first.inner_text()
    assert "lang=zh" in link, link
    # back to English with the switch: the texts and the address follow
    sidebar.get_by_text("English", exact=True).click()
    settle(page, re.compile(r"^Result: Emboss · "))
    assert sidebar.get_by_text("Sample photo").count() == 1
    assert "lang=" not in page.url
    assert_no_exception(page)


def test_the_switch_offers_spanish_and_the_whole_playground_follows(page, app_url) -> None:
    """Español, the third language: chosen with the switch, the sidebar, the result line, the kernel editor and a
    refused cell's message are in Spanish, and the address keeps ``lang=es``."""
    open_app(page, app_url)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Español", exact=True).click()
    settle(page, re.compile(r"^Resultado: Enfocar · "))
    assert "lang=es" in page.url
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_role("link", name="Zona de pruebas").count() == 1
    assert sidebar.get_by_text("Foto de ejemplo").count() == 1 and sidebar.get_by_text("Sample photo").count() == 0
    assert grid_cell(page, 0, 0).get_attribute("aria-label") == "peso, fila 1, columna 1"
    assert page.locator(".st-key-pg-history").get_by_role("button", name="↶ Deshacer").count() == 1
    edit_cell(page, 0, 0, "abc")
    message = page.locator(f"{GRID} .ke-msg").inner_text()
    assert "fila 1, columna 1" in message and "núcleo anterior" in message and "row" not in message, message
    page.reload()
    settle(page, re.compile(r"^Resultado: "))  # a reload keeps the language (it is in the address)
    assert_no_exception(page)


def test_after_a_switch_the_pickers_echo_no_stale_label(page, app_url) -> None:
    """A selectbox reports its choice by its label: after a change of language the browser echoed the old
    language's label ("Sharpen"), which the next rerun read as a kernel called 'Sharpen' and refused."""
    open_app(page, app_url)
    page.locator('[data-testid="stSidebar"]').get_by_text("Español", exact=True).click()
    settle(page, re.compile(r"^Resultado: Enfocar · "))
    upload(page, ROOT / "assets" / "chelsea.png")
    settle(page, "chelsea.png")
    assert page.locator('[data-testid="stAlert"]').count() == 0, page.locator(
        '[data-testid="stAlert"]'
    ).all_inner_texts()
    with using("es"):
        emboss = preset_label(imgkernel.get("emboss"))
    select(page, "Núcleo", emboss)
    settle(page, re.compile(r"^Resultado: Relieve · "))
    page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
    settle(page, re.compile(r"^Result: Emboss · "))
    upload(page, ROOT / "assets" / "coffee.png")
    settle(page, "coffee.png")
    assert page.locator('[data-testid="stAlert"]').count() == 0, page.locator(
        '[data-testid="stAlert"]'
    ).all_inner_texts()
    assert_no_exception(page)


def test_two_visitors_in_two_languages_at_once_each_see_their_own(page, tabs, app_url) -> None:
    """No translation is installed process-wide: two sessions of one server, one in Chinese and one in Spanish,
    change a slider at the same moment, round after round (their script runs overlap in the server's threads),
    and each sees every text in its own language."""
    visitors = {"zh": page, "es": tabs.new_page()}
    lines = {"zh": re.compile(r"^结果:锐化 · .* · 取值 "), "es": re.compile(r"^Resultado: Enfocar · .* · valores de ")}
    cells = {"zh": "权重,第 1 行,第 1 列", "es": "peso, fila 1, columna 1"}  # the grid, redrawn by the same run
    try:
        for lang, tab in visitors.items():
            tab.set_default_timeout(30_000)
            open_app(tab, f"{app_url}/?lang={lang}")
        sliders = {lang: tab.locator(".st-key-pg-params input[type=range]").first for lang, tab in visitors.items()}
        for _round in range(4):
            before = {lang: tab.get_by_text(lines[lang]).inner_text() for lang, tab in visitors.items()}
            for slider in sliders.values():  # back to back: both runs are in the server at once
                slider.press("ArrowRight")
            for lang, tab in visitors.items():
                line = tab.get_by_text(lines[lang])
                expect(line).not_to_have_text(before[lang])  # this round's run drew it, in this language
                wait_idle(tab)
                assert line.count() == 1 and tab.get_by_text(re.compile(r"^(Result|结果|Resultado):")).count() == 1
                assert grid_cell(tab, 0, 0).get_attribute("aria-label") == cells[lang]
                assert_no_exception(tab)
    finally:
        visitors["es"].close()
