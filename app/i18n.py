"""The app's words in the visitor's language: English is written in the code, every other language in one
catalogue module (``app.messages_zh``), keyed by the English text, so call sites stay readable and a test can
list every message (``_("...")`` calls with a literal, found in the source).

The language lives in the session (``lang``), starts from the link's ``?lang=`` and is kept in it, so a shared
link opens in the sender's language. Outside a Streamlit run (unit tests, the CLI) it is English unless
``using`` says otherwise. The library (``imgkernel``) stays English and never imports Streamlit: its catalogue
and its error messages are translated here (``kernel_text``, ``message``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from . import messages_zh

KEY = "lang"  # the session key, the switch's widget key and the link's query key
DEFAULT = "en"
LANGUAGES = {"en": "English", "zh": "简体中文"}  # each language named in itself
LABEL = "Language / 语言"
MESSAGES: dict[str, dict[str, str]] = {"zh": messages_zh.MESSAGES}
KERNELS: dict[str, dict[str, dict[str, str]]] = {"zh": messages_zh.KERNELS}
PATTERNS: dict[str, dict[str, str]] = {"zh": messages_zh.PATTERNS}
_FORCED: ContextVar[str | None] = ContextVar("imgkernel_lang", default=None)


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
    """``text`` in the current language, with ``{placeholders}`` filled in (English when no entry exists)."""
    translated = MESSAGES.get(lang(), {}).get(text, text) or text
    return translated.format(**values) if values else translated


def kernel_text(name: str, field: str, english: str) -> str:
    """A catalogue kernel's ``field`` (title, category, summary, explanation, or ``param.<p>.label``/``.help``)
    in the current language; ``english`` (the library's text) when there is none."""
    return KERNELS.get(lang(), {}).get(name, {}).get(field, english) or english


def message(text: str) -> str:
    """A message built elsewhere in English (the library's errors, the state's notices): translated by the
    first catalogue pattern that matches it whole; named groups called ``msg...`` are translated in turn
    (``msglist...``: several sentences, one by one). Unknown messages stay English rather than vanish."""
    for pattern, template in PATTERNS.get(lang(), {}).items():
        m = re.fullmatch(pattern, text, flags=re.DOTALL)
        if m:
            return template.format(**{k: _part(k, v or "") for k, v in m.groupdict().items()})
    return _(text)


def _part(name: str, value: str) -> str:
    if name.startswith("msglist"):
        return "".join(message(sentence) for sentence in re.split(r"(?<=\.) (?=\S)", value))
    return message(value) if name.startswith("msg") and value else value


def link_query() -> dict[str, str]:
    """What the share link carries for the language: ``lang=zh``, nothing for the default."""
    current = lang()
    return {} if current == DEFAULT else {KEY: current}


def language_switch() -> str:
    """The sidebar's English / 简体中文 switch (drawn by the entry script, so on every page, before the page's
    own sidebar), and the address bar kept in step with it. Returns the language in use."""
    if st.session_state.get(KEY) not in LANGUAGES:
        st.session_state[KEY] = _from_link()
    # One label in both languages, never translated: a new label would be a new widget (its choice lost), and
    # whoever cannot read the current language still finds the way back.
    st.sidebar.radio(
        LABEL,
        list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        horizontal=True,
        key=KEY,
        label_visibility="collapsed",
    )
    current = lang()
    if st.query_params.get(KEY) != link_query().get(KEY):
        if current == DEFAULT:
            del st.query_params[KEY]
        else:
            st.query_params[KEY] = current
    return current
