"""Kernels typed by people: grid cells, JSON files and URL text, validated strictly (never ``eval``).

JSON format: ``{"name": "my edge", "matrix": [[-1, 0, 1], ...], "divisor": 1, "offset": 0}``;
``divisor`` and ``offset`` are optional (default 1 and 0). Anything else is refused with a plain message.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from .engine import KernelError
from .limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE


@dataclass(frozen=True)
class KernelDoc:
    """A kernel with its display scaling, as saved to and read from JSON."""

    name: str
    matrix: np.ndarray  # float64, 2-D
    divisor: float = 1.0
    offset: float = 0.0


def parse_number(cell: object, where: str = "") -> float:
    """One user-typed weight as a float; text, empty, NaN, infinity and absurd sizes are refused."""
    at = f" {where}" if where else ""
    if isinstance(cell, bool) or cell is None:
        raise KernelError(f"The cell{at} is empty; type a number.")
    if isinstance(cell, str):
        text = cell.strip().replace("\u2212", "-")  # a typographic minus pasted from a web page
        if not text:
            raise KernelError(f"The cell{at} is empty; type a number.")
        if len(text) > 40:
            raise KernelError(f"The cell{at} holds too long a text to be a number.")
        try:
            value = float(_fraction(text))
        except ValueError:
            raise KernelError(f"The cell{at} holds {text[:20]!r}, which is not a number.") from None
    else:
        try:
            value = float(cell)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            raise KernelError(f"The cell{at} does not hold a number.") from None
    if math.isnan(value):
        raise KernelError(f"The cell{at} is empty or not a number (NaN).")
    if not math.isfinite(value) or abs(value) > MAX_KERNEL_ABS:
        raise KernelError(
            f"The cell{at} is too large: weights must be between -{MAX_KERNEL_ABS:g} and {MAX_KERNEL_ABS:g}."
        )
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
    try:
        grid = [list(r) for r in rows]
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
    """The JSON text of a kernel (integers written without ``.0`` so files read like the books)."""
    m = np.asarray(matrix, dtype=np.float64)
    rows = [[int(v) if float(v).is_integer() else float(v) for v in r] for r in m]
    doc = {"name": name, "matrix": rows, "divisor": _plain(divisor), "offset": _plain(offset)}
    return json.dumps(doc, indent=None, separators=(", ", ": "))


def kernel_from_json(text: str | bytes) -> KernelDoc:
    """Parse a kernel JSON document strictly: size-capped, no code, wrong shapes explained."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_KERNEL_JSON_BYTES:
            raise KernelError(f"The kernel file is too large (over {MAX_KERNEL_JSON_BYTES // 1000} kB).")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KernelError("The kernel file is not text (UTF-8 JSON expected).") from None
    if len(text) > MAX_KERNEL_JSON_BYTES:
        raise KernelError(f"The kernel file is too large (over {MAX_KERNEL_JSON_BYTES // 1000} kB).")
    try:
        doc = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        raise KernelError("The kernel file is nested too deeply to be a kernel.") from None
    except (ValueError, TypeError) as exc:
        raise KernelError(f"The kernel file is not valid JSON ({exc}).") from None
    if isinstance(doc, list):
        doc = {"matrix": doc}
    if not isinstance(doc, dict) or "matrix" not in doc:
        raise KernelError(
            'A kernel file must look like {"name": ..., "matrix": [[...], ...], "divisor": 1, "offset": 0}.'
        )
    unknown = set(doc) - {"name", "matrix", "divisor", "offset"}
    if unknown:
        raise KernelError(f"Unknown field(s) in the kernel file: {', '.join(sorted(map(str, unknown)))[:200]}.")
    matrix = doc["matrix"]
    if not isinstance(matrix, list) or not all(isinstance(r, list) for r in matrix):
        raise KernelError('"matrix" must be a list of rows, each a list of numbers.')
    if any(isinstance(c, (list, dict)) for r in matrix for c in r):
        raise KernelError('"matrix" must be 2-D: rows of plain numbers.')
    if any(isinstance(c, str) for r in matrix for c in r):
        raise KernelError('"matrix" must hold numbers, not text.')
    name = doc.get("name", "custom")
    if not isinstance(name, str):
        raise KernelError('"name" must be text.')
    divisor = parse_number(doc.get("divisor", 1), "divisor") if not isinstance(doc.get("divisor", 1), str) else None
    offset = parse_number(doc.get("offset", 0), "offset") if not isinstance(doc.get("offset", 0), str) else None
    if divisor is None or offset is None:
        raise KernelError('"divisor" and "offset" must be numbers.')
    if divisor == 0:
        raise KernelError('"divisor" cannot be 0; use 1 to leave the values as they are.')
    return KernelDoc(name.strip()[:80] or "custom", validate_matrix(matrix), divisor, offset)


def _reject_constant(token: str) -> float:
    raise ValueError(f"{token} is not a number")


def _plain(v: float) -> int | float:
    return int(v) if float(v).is_integer() else float(v)
