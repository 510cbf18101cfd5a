"""Every text the library shows a person, under a stable code.

Library users see plain English: a ``Message`` *is* its English text (a ``str``), and ``str(KernelError(...))``
reads as before. An app that speaks another language translates by the code, never by parsing the English:
``render(message, gettext, ngettext)`` looks the English template up in the app's catalogue (the template is the
gettext msgid) and fills in the arguments, rendering nested messages in the same language.

Templates use ``str.format`` fields (``{row}``, ``{limit:,}``, ``{text!r}``); a translation must keep the same
fields. A plural template is a ``Plural``: singular, plural and the name of the count argument (gettext's
``ngettext`` picks the form for the language). ``N_`` and ``Np_`` only mark the templates for extraction
(``make locale``: Babel's ``pybabel extract``).

Rewording a template changes its msgid, so the app's catalogues must be updated with it; the tests fail until
they are (``tests/test_i18n.py``) rather than let the app fall back to English without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, NamedTuple


class Plural(NamedTuple):
    """A message with a singular and a plural form, chosen by the argument named ``by``."""

    singular: str
    plural: str
    by: str = "n"


def N_(template: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark a template for extraction; returns it unchanged."""
    return template


def Np_(singular: str, plural: str, by: str = "n") -> Plural:  # noqa: N802
    """Mark a plural template for extraction; the argument named ``by`` is the count."""
    return Plural(singular, plural, by)


Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _english(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def template_of(code: str) -> str | Plural:
    """The English template of ``code``; ``KeyError`` for a code the library does not have."""
    from .message_templates import TEMPLATES

    return TEMPLATES[code]


def render(
    code: str,
    params: Mapping[str, Any],
    gettext: Gettext = str,
    ngettext: Ngettext = _english,
) -> str:
    """The message ``code`` with ``params`` filled in, in the language of ``gettext``/``ngettext`` (English by
    default). Parameters that are messages themselves are rendered the same way first."""
    template = template_of(code)
    values = {k: v.render(gettext, ngettext) if isinstance(v, Message) else v for k, v in params.items()}
    if isinstance(template, Plural):
        text = ngettext(template.singular, template.plural, int(params[template.by]))
    else:
        text = gettext(template)
    return text.format(**values)


class Message(str):
    """A library message: its English text, plus the ``code`` and ``params`` that render it in any language.

    >>> m = Message("number_empty", subject=Message("subject_at", subject=Message("subject_cell"),
    ...             where=Message("where_row_col", row=2, col=3)))
    >>> str(m), m.code
    ('The cell in row 2, column 3 is empty; type a number.', 'number_empty')
    """

    code: str
    params: Mapping[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        self = super().__new__(cls, render(code, params))
        self.code = code
        self.params = MappingProxyType(params)
        return self

    def render(self, gettext: Gettext = str, ngettext: Ngettext = _english) -> str:
        """This message in the language of ``gettext`` and ``ngettext``."""
        return render(self.code, self.params, gettext, ngettext)

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # pickling (Streamlit's caches): by code
        return (self.code,), dict(self.params)

    def __getstate__(self) -> None:
        return None

    def __repr__(self) -> str:
        return f"Message({self.code!r}, {', '.join(f'{k}={v!r}' for k, v in self.params.items())})"
