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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..engine import as_2d_kernel
from ..errors import KernelError
from ..limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE
from ..messages import Message
from ..numeric import format_number, subject

_FIELDS = ("name", "matrix", "divisor", "offset")
_SHAPE_HINT = '{"name": "my kernel", "matrix": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], "divisor": 1, "offset": 0}'


@dataclass(frozen=True)
class KernelDoc:
    """A kernel with its display scaling, as saved to and read from JSON."""

    name: str
    matrix: np.ndarray  # float64, 2-D
    divisor: float = 1.0
    offset: float = 0.0


def at_cell(row: int, col: int) -> Message:
    """Where a grid value is, for ``parse_number``'s messages: "in row 2, column 3" (1-based)."""
    return Message("where_row_col", row=row, col=col)


def parse_number(cell: object, where: Message | str = "", *, what: str | Message = "cell") -> float:
    """One user-typed value as a float; text, empty, NaN, infinity and absurd sizes are refused.

    ``what`` names the value in messages ("cell", "divisor", "offset", "value", or a ``Message``: see
    ``numeric.subject``), ``where`` locates it: ``at_cell(2, 3)`` reads "in row 2, column 3" (a plain text is
    shown as it is, untranslated).
    """
    return _number(cell, partial(_subject, what, where))


def _subject(what: str | Message, where: Message | str = "") -> Message:
    named = subject(what)
    return Message("subject_at", subject=named, where=where) if where else named


def _number(cell: object, named: Callable[[], Message]) -> float:
    """``parse_number`` with the value's name made only for a message (a grid of 3,969 cells names none)."""
    if cell is None:
        raise KernelError("number_empty", subject=named())
    if isinstance(cell, bool):
        raise KernelError("number_bool", subject=named(), value=str(cell).lower())
    if isinstance(cell, str):
        text = cell.strip().replace("\u2212", "-")  # a typographic minus pasted from a web page
        if not text:
            raise KernelError("number_empty", subject=named())
        if len(text) > 40:
            raise KernelError("number_text_too_long", subject=named())
        try:
            value = _fraction(text)
        except (ValueError, OverflowError):
            raise KernelError("number_not_numeric", subject=named(), text=text[:20]) from None
    else:
        try:
            value = float(cell)  # type: ignore[arg-type]
        except OverflowError:  # an integer too big for a float
            value = math.inf
        except (TypeError, ValueError):
            raise KernelError("number_wrong_type", subject=named()) from None
    if math.isnan(value):
        raise KernelError("number_nan", subject=named())
    if not math.isfinite(value) or abs(value) > MAX_KERNEL_ABS:
        raise KernelError("number_too_large", subject=named(), limit=MAX_KERNEL_ABS)
    return value


def _fraction(text: str) -> float:
    """``"1/16"`` as 0.0625, so weights can be typed the way books print them; plain numbers pass through."""
    if text.count("/") == 1:
        num, den = (float(p) for p in text.split("/"))
        if den == 0:
            raise ValueError(text)
        return num / den
    return float(text)


def _cell_subject(row: int, col: int) -> Message:
    return _subject("cell", at_cell(row, col))


def validate_matrix(rows: Iterable[Iterable[object]]) -> np.ndarray:
    """A user-supplied grid as a float64 kernel, or a ``KernelError`` naming the first bad cell (1-based)."""
    if isinstance(rows, (str, bytes, dict)):
        raise KernelError(code="kernel_not_rows")
    try:
        given = list(rows)
        if any(isinstance(r, (str, bytes, dict)) for r in given):
            raise TypeError
        grid = [list(r) for r in given]
    except TypeError:
        raise KernelError(code="kernel_not_rows") from None
    if not grid or not grid[0]:
        raise KernelError(code="kernel_empty")
    if len(grid) > MAX_KERNEL_SIDE or any(len(r) > MAX_KERNEL_SIDE for r in grid):
        raise KernelError("kernel_too_big", side=MAX_KERNEL_SIDE)
    width = len(grid[0])
    if any(len(r) != width for r in grid):
        raise KernelError(code="kernel_ragged")
    return np.array(
        [[_number(c, partial(_cell_subject, i + 1, j + 1)) for j, c in enumerate(r)] for i, r in enumerate(grid)],
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
            raise KernelError("json_too_large", kb=MAX_KERNEL_JSON_BYTES // 1000)
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KernelError(code="json_not_utf8") from None
    if not isinstance(text, str):
        raise KernelError(code="json_not_text")
    if len(text) > MAX_KERNEL_JSON_BYTES:
        raise KernelError("json_too_large", kb=MAX_KERNEL_JSON_BYTES // 1000)
    try:
        doc = json.loads(text.removeprefix("\ufeff"), parse_constant=_reject_constant)
    except RecursionError:
        raise KernelError(code="json_too_deep") from None
    except _Constant as exc:
        raise KernelError("json_constant", token=exc.token) from None
    except json.JSONDecodeError as exc:  # the parser's own words (English), and where it stopped
        raise KernelError("json_invalid", error=exc.msg, line=exc.lineno, column=exc.colno, char=exc.pos) from None
    except (ValueError, TypeError) as exc:  # e.g. an integer of more than 4300 digits
        raise KernelError("json_invalid_other", detail=str(exc)[:120]) from None
    if isinstance(doc, list):
        doc = {"matrix": doc}
    if not isinstance(doc, dict) or "matrix" not in doc:
        raise KernelError("json_wrong_shape", example=_SHAPE_HINT)
    unknown = sorted(set(doc) - set(_FIELDS))
    if unknown:
        listed = ", ".join(repr(k[:30]) for k in unknown[:5]) + (", ..." if len(unknown) > 5 else "")
        raise KernelError("json_unknown_fields", n=len(unknown), fields=listed, allowed=", ".join(_FIELDS))
    matrix = doc["matrix"]
    if not isinstance(matrix, list) or not all(isinstance(r, list) for r in matrix):
        raise KernelError(code="json_matrix_not_rows")
    for i, r in enumerate(matrix):
        for j, c in enumerate(r):
            if isinstance(c, (list, dict)):
                raise KernelError(code="json_matrix_not_2d")
            if isinstance(c, (str, bool)) or c is None:
                shown = json.dumps(c)[:20]
                raise KernelError("json_matrix_not_number", row=i + 1, col=j + 1, shown=shown)
    name = doc.get("name", "custom")
    if not isinstance(name, str):
        raise KernelError(code="json_name_not_text")
    divisor, offset = _scaling(doc.get("divisor", 1), doc.get("offset", 0))
    return KernelDoc(_name(name), validate_matrix(matrix), divisor, offset)


def _scaling(divisor: object, offset: object) -> tuple[float, float]:
    """Divisor and offset as finite numbers (a non-zero divisor); JSON numbers only, not text or true/false."""
    values = []
    for key, v in (("divisor", divisor), ("offset", offset)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise KernelError("json_scaling_not_number", key=key, shown=json.dumps(v, default=str)[:20])
        values.append(parse_number(v, what=key))
    if values[0] == 0:
        raise KernelError(code="json_divisor_zero")
    return values[0], values[1]


def _name(name: str) -> str:
    """Printable, one line, at most 80 characters."""
    clean = "".join(ch if ch.isprintable() else " " for ch in name).strip()[:80]
    return clean or "custom"


class _Constant(ValueError):
    """NaN, Infinity or -Infinity in a kernel file: JSON has no such numbers."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _reject_constant(token: str) -> float:
    raise _Constant(token)


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
        raise KernelError(code="paste_not_text")
    if len(text) > MAX_PASTE_CHARS:
        raise KernelError("paste_too_long", limit=MAX_PASTE_CHARS)
    raw = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    body = raw.strip()  # raw keeps a spreadsheet's leading or trailing empty cell (a tab) to be reported
    if not body:
        raise KernelError("paste_empty", example="[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]")
    if "..." in body or "\u2026" in body:
        raise KernelError("paste_abbreviated", call="np.set_printoptions(threshold=sys.maxsize)")
    assignment = _ASSIGNMENT.match(body)
    if assignment:
        body = raw = body[assignment.end() :].strip()
    newline_rows = True
    wrapper = _WRAPPER.match(body)
    if wrapper:
        if not body.endswith(")"):
            raise KernelError(code="paste_array_unclosed")
        body = body[wrapper.end() : -1]
        comma = body.rfind(",")
        if comma >= 0 and _DTYPE_TAIL.fullmatch(body, comma + 1):
            body = body[:comma]
        body = raw = body.strip()
        newline_rows = False  # inside array(...), NumPy wraps long rows over several lines
    if body.startswith("["):
        grid = _bracketed_rows(body, newline_rows=newline_rows)
    elif "[" in body or "]" in body:
        raise KernelError(code="paste_brackets_misplaced")
    else:
        grid = _delimited_rows(raw)
    try:
        return validate_matrix(grid)
    except KernelError as exc:
        widths = [len(r) for r in grid]
        if len(set(widths)) > 1 and exc.code == "kernel_ragged" and exc.message is not None:
            k = next(i for i, w in enumerate(widths) if w != widths[0])
            raise KernelError("paste_ragged", reason=exc.message, first=widths[0], row=k + 1, count=widths[k]) from None
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
                raise KernelError("paste_too_deep", example="[[1, 2], [3, 4]]")
            if depth == 2:
                between.append(body[last:i])
                inner_start = i + 1
        else:
            if depth == 0:
                raise KernelError(code="paste_unopened_bracket")
            if depth == 2:
                inner_rows.append(body[inner_start:i])
                last = i + 1
            depth -= 1
            if depth == 0:
                end = i
                break
    if end < 0:
        raise KernelError(code="paste_unclosed_bracket")
    rest = body[end + 1 :].strip()
    if rest not in ("", ";"):  # MATLAB's "A = [1 2; 3 4];"
        if rest.startswith("]"):
            raise KernelError(code="paste_unopened_bracket")
        raise KernelError("paste_text_after", rest=rest[:20])
    if not inner_rows:
        return [_split_values(row) for row in _matlab_rows(body[1:end], newline_rows=newline_rows) if row.strip()]
    between.append(body[last:end])
    for k, gap in enumerate(between):
        stray = gap.replace(",", "").strip()
        if stray or gap.count(",") > (0 if k == 0 else 1):
            shown = (stray or gap.strip())[:20]
            raise KernelError("paste_between_rows", shown=shown)
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
