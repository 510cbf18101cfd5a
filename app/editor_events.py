"""What the kernel editor's browser side may send, checked before anything is applied.

The editor (``app.editor``) sends one small JSON object per user action. A client can send anything through
that channel (strings, nested lists, a million cells, NaN), so each payload is read here into one of a few
plain events, or refused with a ``KernelError`` in plain words; nothing else reaches the state transitions.
No Streamlit here: the tests feed it hostile payloads directly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from imgkernel import KernelError
from imgkernel.formats.kernel_io import at_cell, parse_number
from imgkernel.limits import MAX_KERNEL_SIDE

from .later import Later

MAX_CELL_TEXT = 100  # characters of one typed cell (parse_number refuses past 40 with a message)
MAX_GESTURE = 64


@dataclass(frozen=True)
class Cells:
    """Typed or scrubbed values, ``(row, col, value)`` 0-based, on a grid of ``shape``."""

    cells: tuple[tuple[int, int, str | float], ...]
    shape: tuple[int, int]
    gesture: str | None = None


@dataclass(frozen=True)
class Paste:
    text: str


@dataclass(frozen=True)
class Param:
    """A live slider of the preset in use moved to ``value``."""

    name: str
    value: float
    gesture: str | None = None


@dataclass(frozen=True)
class Shape:
    """The grid's size set to ``rows`` x ``cols`` (1..MAX_KERNEL_SIDE each)."""

    rows: int
    cols: int


@dataclass(frozen=True)
class Whole:
    """Whole-number mode (Photoshop's Custom dialog) turned on or off."""

    on: bool


@dataclass(frozen=True)
class Scale:
    """A scale setting: ``divisor`` or ``offset`` as typed (text or number, read like a cell), or ``normalise``
    or ``mean`` on or off."""

    name: str
    value: str | float | bool
    gesture: str | None = None


@dataclass(frozen=True)
class Undo:
    pass


@dataclass(frozen=True)
class Redo:
    pass


Event = Cells | Paste | Param | Shape | Whole | Scale | Undo | Redo
TYPED_SCALE, SWITCHED_SCALE = ("divisor", "offset"), ("normalise", "mean")
REFUSED = Later("The editor sent something that is not a kernel edit; nothing was changed.")


def seq_of(payload: object) -> int | None:
    """The payload's sequence number (the browser's counter, echoed back as an acknowledgement), if sane."""
    if isinstance(payload, Mapping):
        seq = payload.get("seq")
        if isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**53:
            return seq
    return None


def parse(payload: object) -> Event:
    """One payload as an event, or a ``KernelError``; never anything else."""
    if not isinstance(payload, Mapping):
        raise KernelError(REFUSED)
    op = payload.get("op")
    gesture = _gesture(payload.get("gesture"))
    if op == "undo":
        return Undo()
    if op == "redo":
        return Redo()
    if op == "paste":
        text = payload.get("text")
        if not isinstance(text, str):
            raise KernelError(REFUSED)
        return Paste(text)  # its length and contents are checked by kernel_io.parse_matrix_text
    if op == "param":
        name, value = payload.get("name"), payload.get("value")
        if not isinstance(name, str) or len(name) > 64 or not _number(value):
            raise KernelError(REFUSED)
        return Param(name, float(value), gesture)  # type: ignore[arg-type]
    if op == "cells":
        return Cells(_cells(payload.get("cells")), _shape(payload.get("shape")), gesture)
    if op == "shape":
        return Shape(*_shape(payload.get("shape")))
    if op == "whole" and isinstance(payload.get("on"), bool):
        return Whole(payload["on"])
    if op == "scale":
        return _scale(payload.get("name"), payload.get("value"), gesture)
    raise KernelError(REFUSED)


def _scale(name: object, value: object, gesture: str | None) -> Scale:
    if name in SWITCHED_SCALE and isinstance(value, bool):
        return Scale(name, value)
    if name in TYPED_SCALE:
        if isinstance(value, str):
            return Scale(name, value[:MAX_CELL_TEXT], gesture)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Scale(name, float(value), gesture)  # (NaN and infinity too: the transition refuses them)
    raise KernelError(REFUSED)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _index(value: object) -> int:
    """A row, a column or a side: 0..MAX_KERNEL_SIDE."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_KERNEL_SIDE:
        return value
    raise KernelError(REFUSED)


def _shape(value: object) -> tuple[int, int]:
    if isinstance(value, list) and len(value) == 2:
        rows, cols = (_index(v) for v in value)
        if rows and cols:
            return rows, cols
    raise KernelError(REFUSED)


def _cells(value: object) -> tuple[tuple[int, int, str | float], ...]:
    if not isinstance(value, list) or not 0 < len(value) <= MAX_KERNEL_SIDE * MAX_KERNEL_SIDE:
        raise KernelError(REFUSED)
    out = []
    for cell in value:
        if not isinstance(cell, list) or len(cell) != 3:
            raise KernelError(REFUSED)
        r, c, v = cell
        if isinstance(v, str):
            v = v[:MAX_CELL_TEXT]
        elif not (isinstance(v, (int, float)) and not isinstance(v, bool)):
            raise KernelError(REFUSED)  # (NaN and infinity are numbers here: parse_number refuses them by cell)
        out.append((_index(r), _index(c), v))
    return tuple(out)


def _gesture(value: object) -> str | None:
    return value[:MAX_GESTURE] if isinstance(value, str) and value else None


# ---- typed values on a grid (the playground's kernel and the Mystery kernel's guess) ----


@dataclass(frozen=True)
class BadCell:
    """A grid cell whose typed text was refused: the editor keeps showing that text on that cell, marked, while
    the last good kernel stays in use (0-based row and column)."""

    row: int
    col: int
    text: str


class CellError(KernelError):
    """A typed value refused on its cell (the message names it, 1-based)."""

    def __init__(self, error: KernelError, cell: BadCell) -> None:
        super().__init__(error.reason)
        self.cell = cell


def with_cells(
    matrix: np.ndarray, cells: Iterable[tuple[int, int, object]], check: Callable[[float], None] | None = None
) -> np.ndarray:
    """A copy of ``matrix`` with the typed values put in (cells outside it skipped: they cannot come from the grid
    on screen). Each value is read by ``parse_number``, then ``check``ed; the first bad one raises a ``CellError``."""
    out = np.array(matrix, dtype=np.float64)
    for r, c, value in cells:
        if not (0 <= r < out.shape[0] and 0 <= c < out.shape[1]):
            continue
        try:
            out[r, c] = parse_number(value, at_cell(r + 1, c + 1))
            if check is not None:
                check(float(out[r, c]))
        except KernelError as exc:
            text = value if isinstance(value, str) else repr(value)
            raise CellError(exc, BadCell(r, c, text[:40])) from None
    return out
