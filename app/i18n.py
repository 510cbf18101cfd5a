"""The app's words in the visitor's language, the gettext way.

English is written in the code (``_("...")``, ``n_(singular, plural, n)``); every other language is a gettext
catalogue, ``app/locale/<lang>/LC_MESSAGES/messages.po``, extracted and compiled with Babel (``make locale``).
Adding a language is its ``.po`` file and one line in ``LANGUAGES``.

The language lives in the session (``lang``), starts from the link's ``?lang=`` and is kept in it, so a shared
link opens in the sender's language. Each run looks its session's translation up (``translation()``): nothing
is installed process-wide, so two visitors in two languages never see each other's words. Outside a Streamlit
run (unit tests, the CLI) it is English unless ``using`` says otherwise.

The library (``imgkernel``) stays English and never imports Streamlit: its messages carry a code and their
arguments (``imgkernel.messages``), rendered here from the catalogue (``message``); a catalogue kernel's texts
are looked up under the context ``kernel:<name>:<field>`` (``kernel_text``). A message the app builds for later
(a problem kept in the state) is a ``Later``: English now, the visitor's language when shown.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from imgkernel.borders import MODES
from imgkernel.errors import ImageLoadError, KernelError
from imgkernel.messages import Message, Plural, template_of

from . import controls
from .later import N_, Later

__all__ = ["N_", "Later", "_", "kernel_text", "lang", "language_switch", "message", "n_", "using"]

KEY = "lang"  # the session key and the link's query key
SWITCH_KEY = "lang_switch"
DEFAULT = "en"
LANGUAGES = {"en": "English", "zh": "简体中文", "es": "Español"}  # each language named in itself
LABEL = "Language / 语言 / Idioma"
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
_FORCED: ContextVar[str | None] = ContextVar("imgkernel_lang", default=None)


@cache
def translation(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (read once, never changed: safe to share between sessions).
    English is the code's own text; a missing catalogue for another language is an error, not a silent
    fallback (the .mo files are committed; ``make locale`` rebuilds them)."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])


def _from_link() -> str:
    value = st.query_params.get(KEY)
    return value if value in LANGUAGES else DEFAULT


def lang() -> str:
    """The language of this run: forced (tests), the session's choice, or the link's ``?lang=``."""
    forced = _FORCED.get()
    if forced is not None:
        return forced
    if get_script_run_ctx() is None:
        return DEFAULT
    chosen = st.session_state.get(KEY)
    return chosen if chosen in LANGUAGES else _from_link()


@contextmanager
def using(language: str) -> Iterator[None]:
    """Speak ``language`` inside the block, whatever the session says (for tests and pure functions)."""
    token = _FORCED.set(language)
    try:
        yield
    finally:
        _FORCED.reset(token)


def _(text: str, /, **values: Any) -> str:
    """``text`` in the current language, with ``{placeholders}`` filled in."""
    translated = translation(lang()).gettext(text)
    return translated.format(**values) if values else translated


def n_(singular: str, plural: str, n: int, /, **values: Any) -> str:
    """The form of ``singular``/``plural`` the current language uses for ``n``, filled in (``{n}`` included)."""
    return translation(lang()).ngettext(singular, plural, n).format(n=n, **values)


def kernel_text(name: str, field: str, english: str) -> str:
    """A catalogue kernel's ``field`` (title, category, summary, explanation, or ``param.<p>.label``/``.help``)
    in the current language; ``english`` (the library's text) when there is none."""
    return translation(lang()).pgettext(f"kernel:{name}:{field}", english)


def _render(value: Any, tr: gettext.NullTranslations) -> Any:
    """``value`` in the language of ``tr`` when it is a message (its parts too); data as it is."""
    if isinstance(value, Later):
        return _said(value.msgid, value.values, tr)
    if isinstance(value, Message):
        return _library(value, tr)
    if isinstance(value, KernelError | ImageLoadError):  # by its code, or the app's own Later it was raised with
        return _render(value.reason, tr)
    return value


def _library(m: Message, tr: gettext.NullTranslations) -> str:
    """A library message, by its code's template."""
    return _said(template_of(m.code), m.params, tr)


def _said(template: str | Plural, params: Mapping[str, Any], tr: gettext.NullTranslations) -> str:
    """``template`` in the language of ``tr``, filled in. Catalogue data in the values (a parameter's label, a
    kernel's title, with the ``kernel`` and ``param`` names beside them) is said in the catalogue's words for that
    kernel, and a border mode's identifier by its name in the app (``wording.mode_name``)."""
    values = {k: _render(v, tr) for k, v in params.items()}
    if values.get("mode") in MODES:
        values["mode"] = tr.gettext(values["mode"])
    kernel = params.get("kernel")
    if kernel and "label" in values and "param" in values:
        values["label"] = tr.pgettext(f"kernel:{kernel}:param.{values['param']}.label", values["label"])
    if kernel and "title" in values:
        values["title"] = tr.pgettext(f"kernel:{kernel}:title", values["title"])
    if isinstance(template, Plural):
        return tr.ngettext(template.singular, template.plural, int(params[template.by])).format(**values)
    return tr.gettext(template).format(**values)


def message(value: Message | Later | KernelError | ImageLoadError | str) -> str:
    """A message made elsewhere (the library's errors and notices, the state's problems) in the current
    language, by its code or msgid. A plain text is looked up as it is (English when the catalogue lacks it)."""
    tr = translation(lang())
    if isinstance(value, Later | Message | KernelError | ImageLoadError):
        return str(_render(value, tr))
    return tr.gettext(value) if value else value


def link_query() -> dict[str, str]:
    """What the share link carries for the language: ``lang=zh``, nothing for the default."""
    current = lang()
    return {} if current == DEFAULT else {KEY: current}


def _switched(name: str, value: str | bool) -> None:
    st.session_state[KEY] = value


def language_switch() -> str:
    """The sidebar's language switch (drawn by the entry script, so on every page, before the page's own
    sidebar), and the address bar kept in step with it. Returns the language in use."""
    if st.session_state.get(KEY) not in LANGUAGES:
        st.session_state[KEY] = _from_link()
    # One label in every language, never translated: whoever cannot read the current language still finds the
    # way back. Plain radio buttons (app.controls): one Streamlit widget type less on every first view.
    with st.sidebar:
        controls.panel(
            SWITCH_KEY,
            [controls.radio(KEY, LABEL, list(LANGUAGES.items()), st.session_state[KEY], label_hidden=True)],
            _switched,
        )
    current = lang()
    if st.query_params.get(KEY) != link_query().get(KEY):
        if current == DEFAULT:
            del st.query_params[KEY]
        else:
            st.query_params[KEY] = current
    return current
