"""``Later``: an app message kept to be said later, in the visitor's language (no Streamlit here: the state's
transitions and the share link's decoder build them, ``app.i18n.message`` says them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from imgkernel.messages import N_, Np_, Plural  # (the marks for extraction are the library's, re-exported)

__all__ = ["N_", "Later", "Np_", "Plural"]


class Later(str):
    """An app message kept for later (a problem in the state, a link's notice): its English text now, its
    ``msgid`` (a text, or a ``Plural`` chosen by one of the values) and values to say it in the visitor's language
    when it is shown. Values may be messages or errors too. ``Later("...")`` literals, ``N_`` and ``Np_`` are
    collected by ``make locale``."""

    msgid: str | Plural
    values: dict[str, Any]

    def __new__(cls, msgid: str | Plural, /, **values: Any) -> Later:
        if isinstance(msgid, Plural):
            english = msgid.singular if values[msgid.by] == 1 else msgid.plural
        else:
            english = msgid
        self = super().__new__(cls, english.format(**values))
        self.msgid = msgid
        self.values = values
        return self

    @classmethod
    def joined(cls, parts: Sequence[str], sep: str = " ") -> Later:
        """Several messages said one after another (each in the visitor's language when shown)."""
        return cls(sep.join(f"{{p{i}}}" for i in range(len(parts))), **{f"p{i}": p for i, p in enumerate(parts)})

    def __getnewargs_ex__(self) -> tuple[tuple[str | Plural], dict[str, Any]]:  # pickling: by msgid and values
        return (self.msgid,), self.values

    def __getstate__(self) -> None:
        return None
