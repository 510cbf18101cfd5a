"""The library's two errors, in one place (both ``ValueError``s, so callers may catch either family).

Every message is plain words a person can act on; the app shows them as they are and the CLI prints them on
one line. Each carries a stable ``code`` and its ``params`` (``imgkernel.messages``), so an app can show it in
another language without parsing the English: ``KernelError("kernel_too_big", side=63)``,
``KernelError(code="kernel_too_big", side=63)``, or a code alone (``KernelError("kernel_empty")``).
``str(error)`` is the English text. A plain text
(``KernelError("my own words")``) still works for code outside the library; it has no code.
``imgkernel.engine.KernelError`` and ``imgkernel.formats.images.ImageLoadError`` are these same classes.
"""

from __future__ import annotations

from typing import Any

from .messages import Message


def _is_code(text: object) -> bool:
    from .message_templates import TEMPLATES  # (here: the templates are built from messages, not errors)

    return isinstance(text, str) and text in TEMPLATES


class _Coded(ValueError):
    message: Message | None

    def __init__(self, text_or_code: str | None = None, /, *, code: str | None = None, **params: Any) -> None:
        if isinstance(text_or_code, Message):
            message: Message | None = text_or_code
        elif code is not None or params or _is_code(text_or_code):
            message = Message(code or str(text_or_code), **params)
        else:
            message = None
        self.message = message
        super().__init__(message if message is not None else (text_or_code or ""))

    @property
    def code(self) -> str | None:
        """The message's stable code (``imgkernel.message_templates``); None for a plain text."""
        return self.message.code if self.message is not None else None

    @property
    def params(self) -> dict[str, Any]:
        """The values filled into the message."""
        return dict(self.message.params) if self.message is not None else {}

    @property
    def reason(self) -> str:
        """What to show: the coded message, or else the text the error was raised with, as it was given (an app
        may raise it with a ``str`` of its own that knows how to say itself in its visitor's language)."""
        if self.message is not None:
            return self.message
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.reason,))


class KernelError(_Coded):
    """A kernel, a setting or an argument that cannot be used (engine, mapping, catalogue, layers, links)."""


class ImageLoadError(_Coded):
    """The input is not an image we can read."""
