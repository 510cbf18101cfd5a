"""Kernels typed by people: grid cells, JSON files, URL text and pasted matrices, validated strictly (never ``eval``).

JSON format: ``{"name": "my edge", "matrix": [[-1, 0, 1], ...], "divisor": 1, "offset": 0}``;
``name``, ``divisor`` and ``offset`` are optional (default "custom", 1 and 0), and a bare list of rows is
read as the matrix. Anything else is refused with a plain message. Grid cells and URL text may also be
fractions such as ``1/16`` and use the typographic minus; JSON files hold plain JSON numbers. Matrices
pasted from NumPy, MATLAB, a spreadsheet or CSV are read by ``parse_matrix_text`` (its docstring has the rules).
"""

from __future__ import annotations

import json
import math
import re
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


# -- pasted matrices -------------------------------------------------------------------------------------------

MAX_PASTE_CHARS = 200_000  # a 63 x 63 kernel of 24-character floats with separators is about 100,000

_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)\s*")  # "A = [...]", "k = np.array(...)", "ans ="
_WRAPPER = re.compile(r"(?:(?:np|numpy)\s*\.\s*)?(?:array|asarray|matrix|asmatrix)\s*\(\s*")
_DTYPE_TAIL = re.compile(r"\s*dtype\s*=\s*[\w.'\"]+\s*")
_BRACKET = re.compile(r"[\[\]]")


def parse_matrix_text(text: str) -> np.ndarray:
    """A matrix pasted as text (into a grid cell of the playground) as a float64 2-D kernel, or a ``KernelError``.

    People paste kernels from wherever they met them, so these layouts are read, each checked cell by cell:

    * NumPy and Python: ``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]`` (spaces, newlines and trailing commas
      allowed), ``np.array([[...]])`` / ``numpy.array(...)`` / ``array([[...]], dtype=float32)`` as printed by
      ``repr``, NumPy's ``print`` form without commas ``[[ 0. -1.  0.]\\n [-1.  5. -1.]]``, and one bracketed row
      ``[1, 2, 3]`` (1 x 3).
    * MATLAB / Octave: ``[0 -1 0; -1 5 -1; 0 -1 0]``, values split by spaces or commas, rows by ``;`` or new
      lines, an optional trailing ``;``; a leading ``A =`` (MATLAB's display, a Python assignment) is skipped.
    * Spreadsheets (Excel, Google Sheets, LibreOffice copy): tab-separated cells, one row per line.
    * CSV: comma- or semicolon-separated cells, one row per line; and plain space-separated rows.
    * One number (``5``, ``1/9``) is a 1 x 1 matrix; the caller decides what a single number means.

    Every cell is read by ``parse_number`` (fractions like ``1/16``, the typographic minus) and the grid by
    ``validate_matrix`` (at most ``MAX_KERNEL_SIDE`` a side, finite values within ``MAX_KERNEL_ABS``), so a bad
    cell is named by its 1-based row and column, exactly as when it is typed. Empty text, text over
    ``MAX_PASTE_CHARS`` (checked before anything else), ragged rows, unbalanced brackets, nesting deeper than
    two, NumPy's ``...`` abbreviation and anything that is not a number are refused in plain words. The text is
    never evaluated; one scan over it finds the brackets, and each regular expression is anchored and linear.

    Separators, decided once for the whole text:

    * Text starting with ``[`` (after any ``array(`` wrapper): rows are the inner ``[...]`` lists if there
      are any; otherwise ``;`` and new lines end rows, except a new line after a comma (NumPy's ``repr``
      wraps long rows after a comma) and any new line inside ``array(...)``. Inside brackets ``,`` always
      separates values, never a decimal comma.
    * Otherwise one row per line, and the cells are split by tabs if there is a tab anywhere, else by ``;`` if
      there is a ``;``, else by ``,`` if there is a ``,``, else by spaces.
    * Decimal commas (European spreadsheets and CSV, ``0,5;1,5``): with tab or ``;`` separators a ``,`` is
      read as a decimal point only when no ``.`` appears anywhere in the text; with ``,`` separators a ``,``
      always separates cells (so a single column of decimal-comma numbers cannot be told from CSV: it is read
      as CSV).
    * Exception: text with ``;`` whose ``;``-separated parts hold several space-separated values
      (``0 -1 0; -1 5 -1``) is MATLAB rows without their brackets: ``;`` and new lines end rows.
    """
    if not isinstance(text, str):
        raise KernelError("The pasted matrix must be text.")
    if len(text) > MAX_PASTE_CHARS:
        raise KernelError(f"The pasted text is too long (over {MAX_PASTE_CHARS:,} characters) to be a kernel.")
    raw = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    body = raw.strip()  # raw keeps a spreadsheet's leading or trailing empty cell (a tab) to be reported
    if not body:
        raise KernelError("The pasted text is empty; paste a matrix such as [[0, -1, 0], [-1, 5, -1], [0, -1, 0]].")
    if "..." in body or "\u2026" in body:
        raise KernelError(
            "The pasted matrix was shortened with '...' when it was printed; print it in full "
            "(in NumPy: np.set_printoptions(threshold=sys.maxsize)) and paste it again."
        )
    assignment = _ASSIGNMENT.match(body)
    if assignment:
        body = raw = body[assignment.end() :].strip()
    newline_rows = True
    wrapper = _WRAPPER.match(body)
    if wrapper:
        if not body.endswith(")"):
            raise KernelError("The pasted array(...) has no closing ')'; paste the whole of it.")
        body = body[wrapper.end() : -1]
        comma = body.rfind(",")
        if comma >= 0 and _DTYPE_TAIL.fullmatch(body, comma + 1):
            body = body[:comma]
        body = raw = body.strip()
        newline_rows = False  # inside array(...), NumPy wraps long rows over several lines
    if body.startswith("["):
        grid = _bracketed_rows(body, newline_rows=newline_rows)
    elif "[" in body or "]" in body:
        raise KernelError(
            "The brackets are unbalanced or misplaced: a bracketed matrix starts with '[' and ends with ']'."
        )
    else:
        grid = _delimited_rows(raw)
    try:
        return validate_matrix(grid)
    except KernelError as exc:
        widths = [len(r) for r in grid]
        if len(set(widths)) > 1 and str(exc).startswith("Every row"):
            k = next(i for i, w in enumerate(widths) if w != widths[0])
            detail = f" Row 1 has {widths[0]} cells and row {k + 1} has {widths[k]}."
            raise KernelError(f"{exc}{detail}") from None
        raise


def _bracketed_rows(body: str, *, newline_rows: bool) -> list[list[str]]:
    """The cells of ``[[...], [...]]`` (rows in inner brackets) or ``[...]`` (MATLAB rows, or one row)."""
    depth = 0
    inner_start = 0
    inner_rows: list[str] = []
    between: list[str] = []  # the text at depth 1 around the inner lists, which must be separators only
    last = 1  # where the current depth-1 text began
    end = -1
    for m in _BRACKET.finditer(body):
        i = m.start()
        if m.group() == "[":
            depth += 1
            if depth > 2:
                raise KernelError("The pasted matrix is nested too deeply: a kernel is 2-D, e.g. [[1, 2], [3, 4]].")
            if depth == 2:
                between.append(body[last:i])
                inner_start = i + 1
        else:
            if depth == 0:
                raise KernelError("The brackets are unbalanced: a ']' closes nothing.")
            if depth == 2:
                inner_rows.append(body[inner_start:i])
                last = i + 1
            depth -= 1
            if depth == 0:
                end = i
                break
    if end < 0:
        raise KernelError("The brackets are unbalanced: a ']' is missing at the end.")
    rest = body[end + 1 :].strip()
    if rest not in ("", ";"):  # MATLAB's "A = [1 2; 3 4];"
        if rest.startswith("]"):
            raise KernelError("The brackets are unbalanced: a ']' closes nothing.")
        raise KernelError(f"There is text after the matrix's closing ']': {rest[:20]!r}.")
    if not inner_rows:
        return [_split_values(row) for row in _matlab_rows(body[1:end], newline_rows=newline_rows) if row.strip()]
    between.append(body[last:end])
    for k, gap in enumerate(between):
        stray = gap.replace(",", "").strip()
        if stray or gap.count(",") > (0 if k == 0 else 1):
            shown = (stray or gap.strip())[:20]
            raise KernelError(
                f"Between the rows of a [[...], [...]] matrix there may only be one comma, but there is {shown!r}; "
                "put every row in its own brackets."
            )
    return [_split_values(row) for row in inner_rows]


def _matlab_rows(inside: str, *, newline_rows: bool) -> list[str]:
    """``;`` ends a row; so does a new line, unless it follows a comma or ``newline_rows`` is off."""
    rows: list[str] = []
    for part in inside.split(";"):
        if not newline_rows:
            rows.append(part)
            continue
        current: list[str] = []
        for line in part.split("\n"):
            current.append(line)
            stripped = line.rstrip()
            if stripped and not stripped.endswith(","):
                rows.append(" ".join(current))
                current = []
        rows.append(" ".join(current))
    return rows


def _split_values(row: str) -> list[str]:
    """Cells split by commas and/or spaces (MATLAB takes both); one trailing comma is allowed, as in Python."""
    if not row.strip():
        return []
    pieces = row.split(",")
    if len(pieces) > 1 and not pieces[-1].strip():
        pieces.pop()
    cells: list[str] = []
    for piece in pieces:
        words = piece.split()
        cells.extend(words or [""])  # nothing between two commas: parse_number reports the empty cell
    return cells


def _delimited_rows(body: str) -> list[list[str]]:
    """Spreadsheet, CSV or space-separated text: one row per line, the separator chosen for the whole text."""
    if "\t" in body:  # a line with a tab holds cells, even empty ones
        lines = [line for line in body.split("\n") if line.strip() or "\t" in line]
        sep: str | None = "\t"
    else:
        lines = [line for line in body.split("\n") if line.strip()]
        sep = ";" if ";" in body else "," if "," in body else None
    if sep == ";" and any(len(part.split()) > 1 for line in lines for part in line.split(";")):  # MATLAB, no []
        return [_split_values(row) for row in _matlab_rows(body, newline_rows=True) if row.strip()]
    if sep is None:
        return [line.split() for line in lines]
    decimal_comma = sep != "," and "." not in body
    return [[_decimal(c.strip(), decimal_comma) for c in line.split(sep)] for line in lines]


def _decimal(cell: str, decimal_comma: bool) -> str:
    return cell.replace(",", ".") if decimal_comma else cell
