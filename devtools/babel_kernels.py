"""A Babel extraction method for the kernel catalogue's texts (``babel.cfg``: ``imgkernel/catalogue.py``).

The catalogue defines each kernel once, in English, partly by code (the directional families); its texts are
read from the imported catalogue, each under the context ``kernel:<name>:<field>`` that
``app.i18n.kernel_text`` looks up.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any


def kernel_texts() -> Iterator[tuple[str, str]]:
    """(context, English text) of every catalogue kernel's title, category, summary, explanation and its
    parameters' labels and help."""
    from imgkernel.catalogue import CATALOGUE

    for name, spec in CATALOGUE.items():
        fields = {"title": spec.title, "category": spec.category, "summary": spec.summary}
        fields["explanation"] = spec.explanation
        for p in spec.params:
            fields[f"param.{p.name}.label"] = p.label
            if p.help:
                fields[f"param.{p.name}.help"] = p.help
        for field, text in fields.items():
            yield f"kernel:{name}:{field}", text


def extract(fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any) -> Iterator[tuple[Any, ...]]:
    """Babel's extractor interface: (line, function, (context, message), comments)."""
    source = fileobj.read().decode("utf-8")
    for context, text in kernel_texts():
        line = source[: max(0, source.find(text[:40]))].count("\n") + 1
        yield line, "pgettext", (context, text), []
