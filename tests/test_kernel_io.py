"""Kernels typed by people: numbers, grids and JSON documents, good and hostile."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imgkernel import KernelError
from imgkernel.formats.kernel_io import KernelDoc, kernel_from_json, kernel_to_json, parse_number, validate_matrix
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE

# -- parse_number ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        (3, 3.0),
        (-0.5, -0.5),
        ("2", 2.0),
        (" 2.5 ", 2.5),
        ("1/16", 0.0625),
        ("-1/8", -0.125),
        ("3/-4", -0.75),
        ("\u22121", -1.0),
        ("\u22121/4", -0.25),
        ("1e3", 1000.0),
        (np.float32(0.25), 0.25),
        (np.int64(-7), -7.0),
        (MAX_KERNEL_ABS, MAX_KERNEL_ABS),
        (-MAX_KERNEL_ABS, -MAX_KERNEL_ABS),
        ("+4", 4.0),
        (".5", 0.5),
    ],
)
def test_parse_number_accepts(cell, value):
    assert parse_number(cell) == value


@pytest.mark.parametrize(
    ("cell", "needle"),
    [
        (None, "is empty"),
        ("", "is empty"),
        ("   ", "is empty"),
        (True, "true, which is not a number"),
        (False, "false, which is not a number"),
        ("abc", "'abc', which is not a number"),
        ("1/0", "not a number"),
        ("1/2/3", "not a number"),
        ("x" * 41, "too long"),
        ("nan", "NaN"),
        (float("nan"), "NaN"),
        (float("inf"), "too large"),
        ("-inf", "too large"),
        ("Infinity", "too large"),
        (1e308, "too large"),
        ("1e400", "too large"),
        (MAX_KERNEL_ABS * 1.0001, "too large"),
        ([1], "does not hold a number"),
        (object(), "does not hold a number"),
        (10**400, "too large"),
        (-(10**400), "too large"),
    ],
)
def test_parse_number_refuses_with_plain_messages(cell, needle):
    with pytest.raises(KernelError, match="The cell") as e:
        parse_number(cell)
    assert needle in str(e.value)


def test_parse_number_messages_name_the_value():
    with pytest.raises(KernelError, match=r"^The cell in row 2, column 3 is empty; type a number\.$"):
        parse_number("", "in row 2, column 3")
    with pytest.raises(KernelError, match=r"^The divisor is not a number \(NaN\)\.$"):
        parse_number(float("nan"), what="divisor")


# -- validate_matrix -------------------------------------------------------------------------------------------


def test_validate_matrix_good_grids():
    m = validate_matrix([["1/16", "1/8", "1/16"], [0.125, 0.25, "\u22120"], [1, 2, 3]])
    assert m.dtype == np.float64 and m.shape == (3, 3)
    np.testing.assert_array_equal(m[0], [0.0625, 0.125, 0.0625])
    assert validate_matrix(np.eye(2)).tolist() == [[1, 0], [0, 1]]
    assert validate_matrix([(5,)]).shape == (1, 1)
    assert validate_matrix([[1, 2, 3, 4]]).shape == (1, 4)  # rectangular and even sizes are fine
    side = [[1] * MAX_KERNEL_SIDE] * MAX_KERNEL_SIDE
    assert validate_matrix(side).shape == (MAX_KERNEL_SIDE, MAX_KERNEL_SIDE)


@pytest.mark.parametrize(
    ("grid", "needle"),
    [
        ([], "empty"),
        ([[]], "empty"),
        ([[1, 2], [3]], "same number of cells"),
        ([[1], [2, 3]], "same number"),
        ([[1] * (MAX_KERNEL_SIDE + 1)], "too big"),
        ([[1]] * (MAX_KERNEL_SIDE + 1), "too big"),
        ([[1, None]], "row 1, column 2 is empty"),
        ([[1, 2], [3, "x"]], "row 2, column 2 holds 'x'"),
        ([[1, True]], "true"),
        ([[float("inf")]], "too large"),
        (5, "list of rows"),
        ([1, 2], "list of rows"),
        ("123", "list of rows"),
        (["12", "34"], "list of rows"),
        ([{"a": 1}], "list of rows"),
        (None, "list of rows"),
    ],
)
def test_validate_matrix_refuses(grid, needle):
    with pytest.raises(KernelError) as e:
        validate_matrix(grid)
    assert needle in str(e.value)


# -- JSON ------------------------------------------------------------------------------------------------------


def test_round_trip_keeps_every_value_exactly():
    m = np.array([[1 / 3, -2.0, 0.0], [1e-7, 123456.789, -0.1]])
    doc = kernel_from_json(kernel_to_json(m, name="mine", divisor=2.5, offset=127.5))
    assert isinstance(doc, KernelDoc) and doc.name == "mine" and doc.divisor == 2.5 and doc.offset == 127.5
    np.testing.assert_array_equal(doc.matrix, m)
    text = kernel_to_json(np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]))
    assert json.loads(text) == {
        "name": "custom",
        "matrix": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "divisor": 1,
        "offset": 0,
    }
    assert "5.0" not in text  # integers read like the books
    # the exact text: whole numbers bare, others as float64's shortest round-trip form, name JSON-escaped
    assert kernel_to_json(np.array([[1 / 3, -2.0, 1e-7]]), name='say "hi"', divisor=0.5, offset=-0.0) == (
        '{"name": "say \\"hi\\"", "matrix": [[0.3333333333333333, -2, 1e-07]], "divisor": 0.5, "offset": 0}'
    )


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda h: st.integers(1, 6).flatmap(
            lambda w: st.lists(
                st.lists(st.floats(-MAX_KERNEL_ABS, MAX_KERNEL_ABS, allow_nan=False), min_size=w, max_size=w),
                min_size=h,
                max_size=h,
            )
        )
    ),
    st.floats(0.001, 1000),
    st.floats(-255, 255),
)
def test_round_trip_property(rows, divisor, offset):
    doc = kernel_from_json(kernel_to_json(np.array(rows), name="p", divisor=divisor, offset=offset).encode())
    np.testing.assert_array_equal(doc.matrix, np.array(rows, float))
    assert (doc.divisor, doc.offset) == (divisor, offset)


def test_reading_defaults_bare_lists_bom_and_names():
    doc = kernel_from_json('{"matrix": [[1, 2], [3, 4]]}')
    assert (doc.name, doc.divisor, doc.offset) == ("custom", 1.0, 0.0)
    assert kernel_from_json("[[0, 1, 0]]").matrix.tolist() == [[0, 1, 0]]
    assert kernel_from_json(b"\xef\xbb\xbf[[2]]").matrix.tolist() == [[2]]
    assert kernel_from_json("\ufeff[[2]]").matrix.tolist() == [[2]]
    assert kernel_from_json('{"name": "  x\\ny\\u0000 ", "matrix": [[1]]}').name == "x y"
    assert kernel_from_json('{"name": "", "matrix": [[1]]}').name == "custom"
    assert len(kernel_from_json(json.dumps({"name": "n" * 500, "matrix": [[1]]})).name) == 80
    assert kernel_from_json('{"matrix": [[1e6, -1e6]], "divisor": -3, "offset": 1e-3}').divisor == -3


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "not valid JSON"),
        ("hello", "not valid JSON"),
        ("{'matrix': [[1]]}", "not valid JSON"),
        ("[[1, 2]", "not valid JSON"),
        ("[[NaN]]", "NaN is not a number"),
        ("[[Infinity]]", "Infinity is not"),
        ("[[-Infinity]]", "not valid JSON"),
        ("[[1e308]]", "too large"),
        ("[[1e400]]", "too large"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("42", "must look like"),
        ('"[[1]]"', "must look like"),
        ("null", "must look like"),
        ("{}", "must look like"),
        ('{"matrix": [[1]], "bias": 2}', "Unknown field(s) in the kernel file: 'bias'. Allowed: name, matrix"),
        ('{"matrix": [1, 2, 3]}', "list of rows"),
        ('{"matrix": 5}', "list of rows"),
        ('{"matrix": []}', "empty"),
        ('{"matrix": [[]]}', "empty"),
        ('{"matrix": [[1, 2], [3]]}', "same number of cells"),
        ('{"matrix": [[[1]]]}', "must be 2-D"),
        ('{"matrix": [[{"a": 1}]]}', "must be 2-D"),
        ('{"matrix": [[1, "2"]]}', 'row 1, column 2 holds "2"'),
        ('{"matrix": [[1], [true]]}', "row 2, column 1 holds true"),
        ('{"matrix": [[null]]}', "holds null"),
        ('{"matrix": [[1]], "name": 5}', '"name" must be text'),
        ('{"matrix": [[1]], "divisor": 0}', '"divisor" cannot be 0'),
        ('{"matrix": [[1]], "divisor": 0.0}', '"divisor" cannot be 0'),
        ('{"matrix": [[1]], "divisor": "2"}', '"divisor" must be a number (got "2")'),
        ('{"matrix": [[1]], "offset": true}', '"offset" must be a number (got true)'),
        ('{"matrix": [[1]], "offset": null}', '"offset" must be a number (got null)'),
        ('{"matrix": [[1]], "divisor": 1e308}', "The divisor is too large"),
        ('{"matrix": [[1]], "offset": NaN}', "not valid JSON"),
    ],
)
def test_bad_documents_are_refused_with_plain_messages(text, needle):
    with pytest.raises(KernelError) as e:
        kernel_from_json(text)
    assert needle in str(e.value)
    assert "The cell divisor" not in str(e.value) and "The cell offset" not in str(e.value)


def test_size_limits():
    at_limit = [[1] * MAX_KERNEL_SIDE] * MAX_KERNEL_SIDE
    assert kernel_from_json(json.dumps(at_limit)).matrix.shape == (MAX_KERNEL_SIDE, MAX_KERNEL_SIDE)
    for too_big in ([[1] * (MAX_KERNEL_SIDE + 1)] * MAX_KERNEL_SIDE, [[1] * MAX_KERNEL_SIDE] * (MAX_KERNEL_SIDE + 1)):
        with pytest.raises(KernelError, match="too big"):
            kernel_from_json(json.dumps(too_big))
    # the byte cap: a file just under it is parsed, one just over is refused before parsing
    pad = MAX_KERNEL_JSON_BYTES - len('{"matrix": [[1]], "name": ""}')
    fits = '{"matrix": [[1]], "name": "' + " " * pad + '"}'
    assert len(fits) == MAX_KERNEL_JSON_BYTES and kernel_from_json(fits).name == "custom"
    for over in (fits.replace('"}', ' "}'), (fits.replace('"}', ' "}')).encode(), b"[" * 10_000_000):
        with pytest.raises(KernelError, match="too large"):
            kernel_from_json(over)


def test_not_text_and_wrong_types():
    with pytest.raises(KernelError, match="not text"):
        kernel_from_json(b"\xff\xfe\x00garbage")
    with pytest.raises(KernelError, match="JSON text"):
        kernel_from_json(None)  # type: ignore[arg-type]


def test_writing_refuses_what_could_not_be_read_back():
    for bad, needle in (
        (np.array([[np.nan]]), "NaN"),
        (np.array([[np.inf]]), "too large"),
        (np.zeros((2, 2, 2)), "2-D"),
        (np.zeros((0, 3)), "empty"),
        ([[1, 2], [3]], "grid"),
        (np.ones((MAX_KERNEL_SIDE + 1, 1)), "too big"),
    ):
        with pytest.raises(KernelError, match=needle):
            kernel_to_json(bad)
    with pytest.raises(KernelError, match='"divisor" cannot be 0'):
        kernel_to_json(np.eye(3), divisor=0)
    with pytest.raises(KernelError, match="The offset is too large"):
        kernel_to_json(np.eye(3), offset=float("inf"))
