"""Kernels typed by people: grid cells, JSON files and URL text, validated strictly (never ``eval``).

JSON format: ``{"name": "my edge", "matrix": [[-1, 0, 1], ...], "divisor": 1, "offset": 0}``;
``name``, ``divisor`` and ``offset`` are optional (default "custom", 1 and 0), and a bare list of rows is
read as the matrix. Anything else is refused with a plain message. Grid cells and URL text may also be
fractions such as ``1/16`` and use the typographic minus; JSON files hold plain JSON numbers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .engine import as_2d_kernel
from .errors import KernelError
from .limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE
from .numeric import format_number

_FIELDS = ("name", "matrix", "divisor", "offset")
_SHAPE_HINT = '{"name": "my kernel", "matrix": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "divisor": 1, "offset": 0}'


@dataclass(frozen=True)
class KernelDoc:
    """A kernel with its display scaling, as saved to and read from JSON."""

    name: str
    matrix: np.ndarray  # float64, 2-D
    divisor: float = 1.0
    offset: float = 0.0


def parse_number(cell: object, where: str = "", *, what: str = "cell") -> float:
    """One user-typed value as a float; text, empty, NaN, infinity and absurd sizes are refused.

    ``what`` names the value in messages ("cell", "divisor", ...), ``where`` locates it ("in row 2, column 3").
    """
    subject = f"The {what}" + (f" {where}" if where else "")
    if cell is None:
        raise KernelError(f"{subject} is empty; type a number.")
    if isinstance(cell, bool):
        raise KernelError(f"{subject} holds {str(cell).lower()}, which is not a number.")
    if isinstance(cell, str):
        text = cell.strip().replace("\u2212", "-")  # a typographic minus pasted from a web page
        if not text:
            raise KernelError(f"{subject} is empty; type a number.")
        if len(text) > 40:
            raise KernelError(f"{subject} holds too long a text to be a number.")
        try:
            value = _fraction(text)
        except (ValueError, OverflowError):
            raise KernelError(f"{subject} holds {text[:20]!r}, which is not a number.") from None
    else:
        try:
            value = float(cell)  # type: ignore[arg-type]
        except OverflowError:  # an integer too big for a float
            value = math.inf
        except (TypeError, ValueError):
            raise KernelError(f"{subject} does not hold a number.") from None
    if math.isnan(value):
        raise KernelError(f"{subject} is not a number (NaN).")
    if not math.isfinite(value) or abs(value) > MAX_KERNEL_ABS:
        raise KernelError(f"{subject} is too large: it must be between -{MAX_KERNEL_ABS:g} and {MAX_KERNEL_ABS:g}.")
    return value


def _fraction(text: str) -> float:
    """``"1/16"`` as 0.0625, so weights can be typed the way books print them; plain numbers pass through."""
    if text.count("/") == 1:
        num, den = (float(p) for p in text.split("/"))
        if den == 0:
            raise ValueError(text)
        return num / den
    return float(text)


def validate_matrix(rows: Iterable[Iterable[object]]) -> np.ndarray:
    """A user-supplied grid as a float64 kernel, or a ``KernelError`` naming the first bad cell (1-based)."""
    if isinstance(rows, (str, bytes, dict)):
        raise KernelError("The kernel must be a list of rows of numbers.")
    try:
        given = list(rows)
        if any(isinstance(r, (str, bytes, dict)) for r in given):
            raise TypeError
        grid = [list(r) for r in given]
    except TypeError:
        raise KernelError("The kernel must be a list of rows of numbers.") from None
    if not grid or not grid[0]:
        raise KernelError("The kernel is empty; it needs at least one row and one column.")
    if len(grid) > MAX_KERNEL_SIDE or any(len(r) > MAX_KERNEL_SIDE for r in grid):
        raise KernelError(f"The kernel is too big: at most {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE} cells.")
    width = len(grid[0])
    if any(len(r) != width for r in grid):
        raise KernelError("Every row of the kernel must have the same number of cells.")
    return np.array(
        [[parse_number(c, f"in row {i + 1}, column {j + 1}") for j, c in enumerate(r)] for i, r in enumerate(grid)],
        dtype=np.float64,
    )


def kernel_to_json(matrix: np.ndarray, *, name: str = "custom", divisor: float = 1.0, offset: float = 0.0) -> str:
    """The JSON text of a kernel (integers written without ``.0`` so files read like the books).

    The kernel is validated first, so whatever is written can be read back by ``kernel_from_json``; numbers are
    written by ``format_number``, so they read back as exactly the same float64.
    """
    m = validate_matrix(as_2d_kernel(matrix).tolist())
    div, off = _scaling(divisor, offset)
    rows = ", ".join("[" + ", ".join(format_number(v) for v in r) + "]" for r in m)
    return (
        f'{{"name": {json.dumps(_name(name))}, "matrix": [{rows}], '
        f'"divisor": {format_number(div)}, "offset": {format_number(off)}}}'
    )


def kernel_from_json(text: str | bytes) -> KernelDoc:
    """Parse a kernel JSON document strictly: size-capped, no code, wrong shapes explained."""
    if isinstance(text, (bytes, bytearray, memoryview)):
        if len(text) > MAX_KERNEL_JSON_BYTES:
            raise KernelError(f"The kernel file is too large (over {MAX_KERNEL_JSON_BYTES // 1000} kB).")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KernelError("The kernel file is not text (UTF-8 JSON expected).") from None
    if not isinstance(text, str):
        raise KernelError("The kernel file must be JSON text.")
    if len(text) > MAX_KERNEL_JSON_BYTES:
        raise KernelError(f"The kernel file is too large (over {MAX_KERNEL_JSON_BYTES // 1000} kB).")
    try:
        doc = json.loads(text.removeprefix("\ufeff"), parse_constant=_reject_constant)
    except RecursionError:
        raise KernelError("The kernel file is nested too deeply to be a kernel.") from None
    except (ValueError, TypeError) as exc:
        raise KernelError(f"The kernel file is not valid JSON ({str(exc)[:120]}).") from None
    if isinstance(doc, list):
        doc = {"matrix": doc}
    if not isinstance(doc, dict) or "matrix" not in doc:
        raise KernelError(f"A kernel file must look like {_SHAPE_HINT}.")
    unknown = sorted(set(doc) - set(_FIELDS))
    if unknown:
        listed = ", ".join(repr(k[:30]) for k in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise KernelError(f"Unknown field(s) in the kernel file: {listed}. Allowed: {', '.join(_FIELDS)}.")
    matrix = doc["matrix"]
    if not isinstance(matrix, list) or not all(isinstance(r, list) for r in matrix):
        raise KernelError('"matrix" must be a list of rows, each a list of numbers, e.g. [[0, -1, 0], ...].')
    for i, r in enumerate(matrix):
        for j, c in enumerate(r):
            if isinstance(c, (list, dict)):
                raise KernelError('"matrix" must be 2-D: rows of plain numbers.')
            if isinstance(c, (str, bool)) or c is None:
                shown = json.dumps(c)[:20]
                raise KernelError(f'"matrix" must hold numbers: row {i + 1}, column {j + 1} holds {shown}.')
    name = doc.get("name", "custom")
    if not isinstance(name, str):
        raise KernelError('"name" must be text.')
    divisor, offset = _scaling(doc.get("divisor", 1), doc.get("offset", 0))
    return KernelDoc(_name(name), validate_matrix(matrix), divisor, offset)


def _scaling(divisor: object, offset: object) -> tuple[float, float]:
    """Divisor and offset as finite numbers (a non-zero divisor); JSON numbers only, not text or true/false."""
    values = []
    for key, v in (("divisor", divisor), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise KernelError(f'"{key}" must be a number (got {json.dumps(v, default=str)[:20]}).')
        values.append(parse_number(v, what=key))
    if values[0] == 0:
        raise KernelError('"divisor" cannot be 0; use 1 to leave the values as they are.')
    return values[0], values[1]


def _name(name: str) -> str:
    """Printable, one line, at most 80 characters."""
    clean = "".join(ch if ch.isprintable() else " " for ch in name).strip()[:80]
    return clean or "custom"


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number")
