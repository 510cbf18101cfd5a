"""Matrices pasted into the kernel grid: NumPy, MATLAB, spreadsheet and CSV text, good and hostile."""

from __future__ import annotations

import ast
import builtins
import sys
import time
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import imgkernel
from imgkernel import KernelError
from imgkernel.formats.kernel_io import MAX_PASTE_CHARS, parse_matrix_text
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_SIDE

SHARPEN = [[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]

# -- every format, the same sharpen kernel ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        # NumPy / Python
        "[[0,-1,0],[-1,5,-1],[0,-1,0]]",
        "[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]",
        "[\n  [0, -1, 0],\n  [-1, 5, -1],\n  [0, -1, 0],\n]",
        "[[0, -1, 0,], [-1, 5, -1,], [0, -1, 0,],]",
        "np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])",
        "numpy.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])",
        "array([[ 0, -1,  0],\n       [-1,  5, -1],\n       [ 0, -1,  0]])",
        "array([[ 0., -1.,  0.],\n       [-1.,  5., -1.],\n       [ 0., -1.,  0.]])",
        "array([[ 0., -1.,  0.],\n       [-1.,  5., -1.],\n       [ 0., -1.,  0.]], dtype=float32)",
        "np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype='int8')",
        "[[ 0. -1.  0.]\n [-1.  5. -1.]\n [ 0. -1.  0.]]",
        "[[ 0 -1  0]\n [-1  5 -1]\n [ 0 -1  0]]",
        "k = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])",
        "[[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]]",
        "[[0, \u22121, 0], [\u22121, 5, \u22121], [0, \u22121, 0]]",  # the typographic minus of a web page
        # MATLAB / Octave
        "[0 -1 0; -1 5 -1; 0 -1 0]",
        "[0, -1, 0; -1, 5, -1; 0, -1, 0]",
        "[0,-1,0;-1,5,-1;0,-1,0]",
        "[0 -1 0; -1 5 -1; 0 -1 0;]",
        "[0 -1 0\n-1 5 -1\n0 -1 0]",
        "[0 -1 0;\n -1 5 -1;\n 0 -1 0]",
        "A = [0 -1 0; -1 5 -1; 0 -1 0];",
        "A =\n\n     0    -1     0\n    -1     5    -1\n     0    -1     0\n",  # Octave's display
        "0 -1 0; -1 5 -1; 0 -1 0",  # MATLAB rows without their brackets
        # spreadsheets (Excel, Google Sheets, LibreOffice)
        "0\t-1\t0\n-1\t5\t-1\n0\t-1\t0",
        "0\t-1\t0\r\n-1\t5\t-1\r\n0\t-1\t0\r\n",
        "0\t-1\t0\n-1\t5\t-1\n0\t-1\t0\n",
        "0,0\t-1,0\t0,0\n-1,0\t5,0\t-1,0\n0,0\t-1,0\t0,0\n",  # a European locale's decimal commas
        # CSV
        "0,-1,0\n-1,5,-1\n0,-1,0",
        "0, -1, 0\r\n-1, 5, -1\r\n0, -1, 0\r\n",
        "0;-1;0\n-1;5;-1\n0;-1;0",
        "0,0;-1,0;0,0\n-1,0;5,0;-1,0\n0,0;-1,0;0,0",
        "0.0;-1.0;0.0\n-1.0;5.0;-1.0\n0.0;-1.0;0.0",
        # plain whitespace
        "0 -1 0\n-1 5 -1\n0 -1 0",
        "  0  -1   0\n -1   5  -1\n  0  -1   0\n\n",
        "\ufeff0 -1 0\n-1 5 -1\n0 -1 0",  # a byte-order mark from a file
    ],
)
def test_every_format_reads_the_sharpen_kernel(text):
    m = parse_matrix_text(text)
    assert m.dtype == np.float64 and m.shape == (3, 3)
    np.testing.assert_array_equal(m, SHARPEN)


@pytest.mark.parametrize(
    "text",
    [
        "[[1, 2, 3], [4, 5, 6]]",
        "np.array([[1., 2., 3.],\n       [4., 5., 6.]])",
        "[[1. 2. 3.]\n [4. 5. 6.]]",
        "[1 2 3; 4 5 6]",
        "[1, 2, 3\n 4, 5, 6]",
        "1\t2\t3\n4\t5\t6\n",
        "1,2,3\n4,5,6",
        "1;2;3\n4;5;6",
        "1 2 3\n4 5 6",
    ],
)
def test_non_square_2x3(text):
    np.testing.assert_array_equal(parse_matrix_text(text), [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize(
    "text",
    [
        "[1, 2, 3, 4]",
        "[1, 2, 3, 4,]",
        "[[1, 2, 3, 4]]",
        "array([1., 2., 3., 4.])",
        "array([1.,\n       2., 3., 4.])",
        "[1. 2. 3. 4.]",
        "[1 2 3 4]",
        "[\n 1,\n 2,\n 3,\n 4\n]",  # a Python list, one value per line
        "1\t2\t3\t4",
        "1,2,3,4",
        "1;2;3;4",
        "1 2 3 4",
    ],
)
def test_one_row(text):
    m = parse_matrix_text(text)
    assert m.shape == (1, 4)
    np.testing.assert_array_equal(m, [[1, 2, 3, 4]])


@pytest.mark.parametrize(
    "text",
    [
        "[[1], [2], [3]]",
        "array([[1.],\n       [2.],\n       [3.]])",
        "[1; 2; 3]",
        "[1\n2\n3]",
        "1\n2\n3\n",
        "1\r\n2\r\n3",
    ],
)
def test_one_column(text):
    m = parse_matrix_text(text)
    assert m.shape == (3, 1)
    np.testing.assert_array_equal(m, [[1], [2], [3]])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5", 5.0),
        (" 5 \n", 5.0),
        ("1/9", 1 / 9),
        ("\u22120.5", -0.5),
        ("[5]", 5.0),
        ("[[5]]", 5.0),
        ("np.array(5.)", 5.0),
    ],
)
def test_a_single_number_is_1x1(text, value):
    m = parse_matrix_text(text)
    assert m.shape == (1, 1) and m[0, 0] == value


def test_cells_are_read_by_parse_number():
    np.testing.assert_array_equal(
        parse_matrix_text("[1/16 1/8 1/16; 1/8 1/4 1/8]"), [[1, 2, 1], [2, 4, 2]] / np.array(16)
    )
    np.testing.assert_array_equal(parse_matrix_text("1e3\t-2.5e-1\t+4\t.5"), [[1000, -0.25, 4, 0.5]])
    assert imgkernel.parse_matrix_text is parse_matrix_text and "parse_matrix_text" in imgkernel.__all__


# -- the separator rule for decimal commas ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,5;1,5", [[0.5, 1.5]]),  # ';' separates, and with no '.' anywhere ',' is a decimal comma
        ("0,5;1,5\n-2,25;3", [[0.5, 1.5], [-2.25, 3]]),
        ("0,5\t1,5\n2\t3", [[0.5, 1.5], [2, 3]]),  # the same rule with tabs
        ("1/2;1,5", [[0.5, 1.5]]),
        ("0,5,1,5", [[0, 5, 1, 5]]),  # with ',' separators a ',' always separates
        ("0,5\n1,5", [[0, 5], [1, 5]]),  # so one decimal-comma column reads as CSV (documented)
        ("[0,5; 1,5]", [[0, 5], [1, 5]]),  # inside brackets ',' separates values (MATLAB)
        ("[[0,5],[1,5]]", [[0, 5], [1, 5]]),
        ("0.5;1.5", [[0.5, 1.5]]),
        ("1 2; 3 4", [[1, 2], [3, 4]]),  # spaces inside ';' parts: MATLAB rows without brackets
        ("1, 2; 3, 4", [[1, 2], [3, 4]]),
        ("1 2;\n3 4;\n", [[1, 2], [3, 4]]),
    ],
)
def test_separator_rule(text, expected):
    np.testing.assert_array_equal(parse_matrix_text(text), expected)


def test_a_dot_anywhere_turns_decimal_commas_off():
    with pytest.raises(KernelError, match=r"row 1, column 2 holds '1,5', which is not a number"):
        parse_matrix_text("0.5;1,5")
    with pytest.raises(KernelError, match=r"row 2, column 1 holds '2,5'"):
        parse_matrix_text("0.5\t1\n2,5\t3")


# -- round trips: random matrices in every format, read back exactly ------------------------------------------


def _numpy_repr(m: list[list[float]]) -> str:
    with np.printoptions(floatmode="unique", threshold=sys.maxsize):
        return repr(np.array(m))


def _numpy_print(m: list[list[float]]) -> str:  # default 75-column lines: long rows wrap inside their brackets
    return np.array2string(np.array(m), floatmode="unique", threshold=sys.maxsize)


def _rows(m: list[list[float]], cell: str, row: str, cast: Callable[[float], str] = repr) -> str:
    return row.join(cell.join(cast(v) for v in r) for r in m)


FORMATS: dict[str, Callable[[list[list[float]]], str]] = {
    "numpy repr": _numpy_repr,
    "numpy print": _numpy_print,
    "python list": repr,
    "matlab": lambda m: "[" + _rows(m, " ", "; ") + "]",
    "matlab commas and newlines": lambda m: "[" + _rows(m, ", ", "\n") + "]",
    "tsv": lambda m: _rows(m, "\t", "\r\n") + "\r\n",
    "csv": lambda m: _rows(m, ",", "\n"),
    "csv semicolons": lambda m: _rows(m, ";", "\n") + "\n",
    "whitespace": lambda m: _rows(m, "  ", "\n"),
}
DECIMAL_COMMA_FORMATS: dict[str, Callable[[list[list[float]]], str]] = {
    "csv decimal commas": lambda m: _rows(m, ";", "\n", lambda v: repr(v).replace(".", ",")),
    "tsv decimal commas": lambda m: _rows(m, "\t", "\n", lambda v: repr(v).replace(".", ",")),
}

_value = st.floats(-MAX_KERNEL_ABS, MAX_KERNEL_ABS, allow_nan=False)
_matrix = st.integers(1, 7).flatmap(
    lambda h: st.integers(1, 7).flatmap(
        lambda w: st.lists(st.lists(_value, min_size=w, max_size=w), min_size=h, max_size=h)
    )
)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@settings(max_examples=40, deadline=None)
@given(m=_matrix)
def test_round_trip(fmt, m):
    text = FORMATS[fmt](m)
    got = parse_matrix_text(text)
    assert got.dtype == np.float64 and got.shape == (len(m), len(m[0])), text
    np.testing.assert_array_equal(got, np.array(m), err_msg=text)


@pytest.mark.parametrize("fmt", sorted(DECIMAL_COMMA_FORMATS))
@settings(max_examples=40, deadline=None)
@given(m=_matrix)
def test_round_trip_decimal_commas(fmt, m):
    assume(len(m[0]) >= 2)  # one decimal-comma column reads as comma-separated values (the documented rule)
    text = DECIMAL_COMMA_FORMATS[fmt](m)
    np.testing.assert_array_equal(parse_matrix_text(text), np.array(m), err_msg=text)


@settings(max_examples=40, deadline=None)
@given(st.lists(_value, min_size=1, max_size=7))
def test_round_trip_one_dimensional(row):
    with np.printoptions(floatmode="unique", threshold=sys.maxsize):
        numpy_repr = repr(np.array(row))  # wraps long rows after a comma, which continues the row
    numpy_print = np.array2string(np.array(row), floatmode="unique", max_line_width=sys.maxsize)
    for text in (numpy_repr, numpy_print, repr(row), "[" + " ".join(map(repr, row)) + "]"):
        got = parse_matrix_text(text)
        assert got.shape == (1, len(row)), text
        np.testing.assert_array_equal(got[0], row, err_msg=text)


# -- refusals --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "The pasted text is empty"),
        ("  \n\t \r\n", "The pasted text is empty"),
        ("[[[1]]]", "nested too deeply"),
        ("[[1, 2], [[3, 4]]]", "nested too deeply"),
        ("[[1, 2], [3]]", "Every row of the kernel must have the same number of cells. Row 1 has 2 cells and row 2"),
        ("1 2 3\n4 5\n", "same number of cells. Row 1 has 3 cells and row 2 has 2"),
        ("[1 2 3; 4 5]", "same number of cells"),
        ("1\t2\n3\t4\t5", "Row 1 has 2 cells and row 2 has 3"),
        ("[1, 2", "a ']' is missing"),
        ("[[1, 2], [3, 4]", "a ']' is missing"),
        ("[1, 2]]", "a ']' closes nothing"),
        ("1, 2]", "brackets are unbalanced or misplaced"),
        ("x[0]", "brackets are unbalanced or misplaced"),
        ("[1, 2] [3, 4]", "text after the matrix's closing ']'"),
        ("[[1, 2], 3]", "Between the rows"),
        ("[[1, 2],, [3, 4]]", "Between the rows"),
        ("np.array([[1, 2]]", "no closing ')'"),
        ("array([ 0.,  1.,  2., ..., 97., 98., 99.])", "shortened with '...'"),
        ("os.system('rm -rf /')", 'row 1, column 1 holds "os.system(\'rm", which is not a number'),
        ("__import__('os').system('ls')", "row 1, column 1 holds"),
        ("[[1, 2], [3, __import__]]", "row 2, column 2 holds '__import__', which is not a number"),
        ("[[1, 2], [3, x]]", "row 2, column 2 holds 'x', which is not a number"),
        ("0 -1 0\n-1 five -1", "The cell in row 2, column 2 holds 'five', which is not a number."),
        ("[1 2 3; 4 abc 6]", "row 2, column 2 holds 'abc'"),
        ("hello world", "row 1, column 1 holds 'hello'"),
        ("[[True, False]]", "row 1, column 1 holds 'True'"),
        ("1,,2", "The cell in row 1, column 2 is empty; type a number."),
        ("1\t\t2", "row 1, column 2 is empty"),
        ("\t1\t2\n3\t4\t5", "row 1, column 1 is empty"),  # a spreadsheet's empty first cell is not dropped
        ("1\t2\t\n3\t4\t", "row 1, column 3 is empty"),
        ("1;2;\n3;4;", "row 1, column 3 is empty"),
        ("[1, 2, 3; 4, , 6]", "row 2, column 2 is empty"),
        ("1/0", "row 1, column 1 holds '1/0', which is not a number"),
        ("[1 nan]", "row 1, column 2 is not a number (NaN)"),
        ("[[1, inf]]", "row 1, column 2 is too large"),
        ("1 2\n3 1e7", "row 2, column 2 is too large: it must be between -1e+06 and 1e+06"),
        ("[[]]", "The kernel is empty"),
        ("[]", "The kernel is empty"),
        ("[;]", "The kernel is empty"),
        ("x" * 41, "too long a text to be a number"),
        (" ".join(["1"] * (MAX_KERNEL_SIDE + 1)), f"too big: at most {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE}"),
        ("\n".join(["1"] * (MAX_KERNEL_SIDE + 1)), "too big"),
        ("x" * (MAX_PASTE_CHARS + 1), "too long (over 200,000 characters)"),
    ],
)
def test_refusals_name_the_problem(text, needle):
    with pytest.raises(KernelError) as e:
        parse_matrix_text(text)
    assert needle in str(e.value)


def test_not_text_is_refused():
    for bad in (None, b"[[1]]", [[1, 2]], 5):
        with pytest.raises(KernelError, match="must be text"):
            parse_matrix_text(bad)  # type: ignore[arg-type]


def test_the_text_is_never_evaluated(monkeypatch):
    def boom(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval called")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(ast, "literal_eval", boom)
    np.testing.assert_array_equal(parse_matrix_text("np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])"), SHARPEN)
    with pytest.raises(KernelError, match="not a number"):
        parse_matrix_text("[[__import__('os').system('echo hi')]]")


# -- size and time ---------------------------------------------------------------------------------------------

_rng = np.random.default_rng(7)
_JUNK = {
    "open brackets": "[" * MAX_PASTE_CHARS,
    "close brackets": "]" * MAX_PASTE_CHARS,
    "bracket pairs": "[]" * (MAX_PASTE_CHARS // 2),
    "open then numbers": "[" + "1 " * (MAX_PASTE_CHARS // 2 - 1),
    "parentheses": "np.array(" + "(" * (MAX_PASTE_CHARS - 10) + ")",
    "commas": "," * MAX_PASTE_CHARS,
    "comma continuations": "[" + "1,\n" * ((MAX_PASTE_CHARS - 2) // 3) + "]",
    "semicolons": "[" + ";" * (MAX_PASTE_CHARS - 2) + "]",
    "spaces then a letter": " " * (MAX_PASTE_CHARS - 1) + "x",
    "tabs": "\t" * MAX_PASTE_CHARS,
    "newlines and tabs": "\n\t" * (MAX_PASTE_CHARS // 2),
    "letters": "a" * MAX_PASTE_CHARS,
    "many numbers": "1 " * (MAX_PASTE_CHARS // 2),
    "many rows": "1\n" * (MAX_PASTE_CHARS // 2),
    "assignments": "a=" * (MAX_PASTE_CHARS // 2),
    "wrappers": "array(" * (MAX_PASTE_CHARS // 6),
    "dtype tails": "np.array([1]" + ", dtype=x" * ((MAX_PASTE_CHARS - 13) // 9) + ")",
    "random printable": "".join(chr(c) for c in _rng.integers(32, 127, MAX_PASTE_CHARS)),
    "random brackets and digits": "".join(_rng.choice(list("[]1 ,;\n\t"), MAX_PASTE_CHARS)),
}


# A hang guard, not a speed test: these parse in milliseconds; catastrophic regex backtracking would take minutes.
HANG = 20.0


@pytest.mark.parametrize("name", sorted(_JUNK))
def test_hostile_text_of_the_maximum_length_is_refused_quickly(name):
    text = _JUNK[name]
    assert len(text) <= MAX_PASTE_CHARS
    start = time.perf_counter()
    with pytest.raises(KernelError):
        parse_matrix_text(text)
    assert time.perf_counter() - start < HANG, name


def test_over_the_limit_is_refused_before_parsing():
    start = time.perf_counter()
    with pytest.raises(KernelError, match="too long"):
        parse_matrix_text("[" * 10_000_000)
    assert time.perf_counter() - start < HANG


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_63x63_matrix_in_every_format(fmt):
    side = MAX_KERNEL_SIDE
    m = _rng.uniform(-MAX_KERNEL_ABS, MAX_KERNEL_ABS, (side, side)).tolist()
    text = FORMATS[fmt](m)
    assert len(text) <= MAX_PASTE_CHARS
    start = time.perf_counter()
    got = parse_matrix_text(text)
    assert time.perf_counter() - start < HANG
    assert got.shape == (side, side)
    np.testing.assert_array_equal(got, np.array(m))
