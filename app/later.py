"""``Later``: an app message kept to be said later, in the visitor's language (no Streamlit here: the state's
transitions build them, ``app.i18n.message`` says them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Later(str):
    """An app message kept for later (a problem in the state, a notice): its English text now, its ``msgid`` and
    values to say it in the visitor's language when it is shown. Values may be messages or errors too.
    ``N_``-like for extraction: ``Later("...")`` literals are collected by ``make locale``."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, /, **values: Any) -> Later:
        self = super().__new__(cls, msgid.format(**values))
        self.msgid = msgid
        self.values = values
        return self

    @classmethod
    def joined(cls, parts: Sequence[str], sep: str = " ") -> Later:
        """Several messages said one after another (each in the visitor's language when shown)."""
        return cls(sep.join(f"{{p{i}}}" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, Any]]:  # pickling: by msgid and values
        return (self.msgid,), self.values

    def __getstate__(self) -> None:
        return None


def N_(msgid: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Mark a text for extraction (``make locale``) that is translated where it is shown; returns it unchanged."""
    return msgid
