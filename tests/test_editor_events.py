"""What the kernel editor's browser side may send (``app.editor_events``), without Streamlit: every payload is read
into one of a few events or refused with a ``KernelError`` in plain words, and no event, however forged, can
break the playground's state (applied through the same transitions as ``app.panels.grid.apply_event``).

The same payloads through the page: tests/test_app_playground.py (``test_a_hostile_editor_event_...``).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import imgkernel
from app import editor_events as ev
from app import i18n
from app import state as st8
from app.editor_events import REFUSED, Cells, Param, Paste, Redo, Undo
from app.state import Photo, digest_of
from imgkernel import KernelError
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_SIDE

SHARPEN = imgkernel.get("sharpen").matrix()
EVENTS = (Cells, Paste, Param, ev.Shape, ev.Whole, ev.Scale, Undo, Redo)


_PX = np.random.default_rng(0).integers(0, 256, (8, 10, 3), dtype=np.uint8)
S0 = st8.initial(Photo("p", digest_of(_PX), _PX, None, "Sample A"), "Sample A")  # (states are immutable)


def dispatch(state: st8.PlaygroundState, event: ev.Event | KernelError) -> st8.PlaygroundState:
    """``app.panels.grid.apply_event`` without Streamlit: the event's change, and the undo step
    ``app.session.apply`` records."""
    change = st8.change_for(event)
    new = change.transition(state, *change.args)
    return new if new.history is not state.history else st8.record(state, new, change.gesture)


def received(state: st8.PlaygroundState, payload: object) -> st8.PlaygroundState:
    """What ``app.editor`` does with a payload: parse it (a refusal is an event too), then apply it."""
    try:
        event: ev.Event | KernelError = ev.parse(payload)
    except KernelError as exc:
        event = exc
    return dispatch(state, event)


def refused(payload: object) -> str:
    with pytest.raises(KernelError) as info:
        ev.parse(payload)
    message = str(info.value)
    assert message and "Traceback" not in message and "<" not in message  # plain words, no repr of internals
    return message


def cells(*cells: object, shape: object = (3, 3), **more: object) -> dict:
    return {
        "op": "cells",
        "cells": [list(c) if isinstance(c, tuple) else c for c in cells],
        "shape": list(shape),
        **more,
    }


# ---- what is read ----


def test_each_kind_of_payload_is_read_into_its_event():
    assert ev.parse(cells((1, 2, "4.5"), (0, 0, -1), shape=(3, 3), gesture="g1", seq=7)) == Cells(
        ((1, 2, "4.5"), (0, 0, -1)), (3, 3), "g1"
    )
    assert ev.parse({"op": "paste", "text": "[[1, 2]]", "seq": 1}) == Paste("[[1, 2]]")
    assert ev.parse({"op": "param", "name": "inner", "value": 7, "gesture": "d"}) == Param("inner", 7.0, "d")
    assert isinstance(ev.parse({"op": "param", "name": "inner", "value": 7}).value, float)
    assert ev.parse({"op": "undo", "seq": 3}) == Undo() and ev.parse({"op": "redo"}) == Redo()
    assert ev.parse({"op": "shape", "shape": [5, 3]}) == ev.Shape(5, 3)
    assert ev.parse({"op": "whole", "on": True}) == ev.Whole(True)
    assert ev.parse({"op": "scale", "name": "divisor", "value": "1/16", "gesture": "t"}) == ev.Scale(
        "divisor", "1/16", "t"
    )
    assert ev.parse({"op": "scale", "name": "offset", "value": 2}) == ev.Scale("offset", 2.0)
    assert ev.parse({"op": "scale", "name": "mean", "value": False}) == ev.Scale("mean", False)


def test_the_size_and_scale_beside_the_grid_reach_their_transitions():
    s = dispatch(S0, ev.parse({"op": "shape", "shape": [5, 4]}))
    assert s.matrix.shape == (5, 4) and s.kernel.custom
    s = dispatch(S0, ev.parse({"op": "scale", "name": "divisor", "value": "2"}))
    assert s.settings.divisor == 2 and not s.problems
    s = dispatch(s, ev.parse({"op": "scale", "name": "divisor", "value": "two"}))  # refused on the scale, 2 kept
    assert s.settings.divisor == 2 and "The last valid divisor (2) stays in use." in i18n.message(s.problems["divisor"])
    s = dispatch(S0, ev.parse({"op": "scale", "name": "offset", "value": float("nan")}))
    assert s.settings.offset == 0 and "scale" in s.problems
    s = dispatch(S0, ev.parse({"op": "scale", "name": "normalise", "value": True}))
    assert s.settings.normalise
    s = dispatch(st8.choose_preset(S0, "blur"), ev.parse({"op": "whole", "on": True}))
    assert s.whole and s.settings.divisor == 16


def test_a_gesture_is_a_short_name_or_none():
    assert ev.parse(cells((0, 0, 1), gesture="")).gesture is None
    assert ev.parse(cells((0, 0, 1), gesture=12)).gesture is None
    assert ev.parse(cells((0, 0, 1), gesture=["g"])).gesture is None
    assert ev.parse(cells((0, 0, 1), gesture="g" * 10_000)).gesture == "g" * ev.MAX_GESTURE


def test_a_long_cell_text_is_cut_before_it_is_read():
    (cell,) = ev.parse(cells((0, 0, "9" * 10**6))).cells
    assert cell[2] == "9" * ev.MAX_CELL_TEXT
    s = dispatch(S0, ev.parse(cells((0, 0, "9" * 10**6))))
    assert "too long a text" in s.problems["grid"] and s.bad_cell == st8.BadCell(0, 0, "9" * 40)
    np.testing.assert_array_equal(s.matrix, SHARPEN)


# ---- what is refused ----

HOSTILE = {
    # not a dict
    "none": None,
    "list": ["op", "undo"],
    "text": '{"op": "undo"}',
    "number": 1,
    "bool": True,
    # unknown or missing op
    "unknown op": {"op": "eval", "text": "__import__('os')"},
    "op in capitals": {"op": "UNDO"},
    "op as a list": {"op": ["undo"]},
    "no op": {"cells": [[0, 0, 1]], "shape": [3, 3]},
    "empty": {},
    # strings where numbers go
    "row as text": cells(("0", 0, 1)),
    "column as text": cells((0, "1", 1)),
    "shape as text": {"op": "cells", "cells": [[0, 0, 1]], "shape": ["3", "3"]},
    "shape one text": {"op": "cells", "cells": [[0, 0, 1]], "shape": "3x3"},
    "param value as text": {"op": "param", "name": "inner", "value": "5"},
    "param value NaN as text": {"op": "param", "name": "inner", "value": "NaN"},
    # nested lists
    "cell value a list": cells((0, 0, [1])),
    "cell value a dict": cells((0, 0, {"v": 1})),
    "cells nested once more": {"op": "cells", "cells": [[[0, 0, 1]]], "shape": [3, 3]},
    "shape nested": {"op": "cells", "cells": [[0, 0, 1]], "shape": [[3], [3]]},
    "param value a list": {"op": "param", "name": "inner", "value": [5]},
    "paste text a list": {"op": "paste", "text": ["1 2"]},
    # booleans (JSON true is not 1 here)
    "row a bool": cells((True, 0, 1)),
    "cell value a bool": cells((0, 0, True)),
    "shape of bools": {"op": "cells", "cells": [[0, 0, 1]], "shape": [True, True]},
    "param value a bool": {"op": "param", "name": "inner", "value": False},
    # the wrong number of things
    "cells not a list": {"op": "cells", "cells": "x", "shape": [3, 3]},
    "cells a dict": {"op": "cells", "cells": {"0": [0, 0, 1]}, "shape": [3, 3]},
    "no cells": {"op": "cells", "cells": [], "shape": [3, 3]},
    "a cell of two": cells((0, 0)),
    "a cell of four": cells((0, 0, 1, 2)),
    "a cell not a list": cells("0,0,1"),
    "one cell more than the largest grid": {
        "op": "cells",
        "cells": [[0, 0, 1]] * (MAX_KERNEL_SIDE**2 + 1),
        "shape": [3, 3],
    },
    "no shape": {"op": "cells", "cells": [[0, 0, 1]]},
    "shape of one side": {"op": "cells", "cells": [[0, 0, 1]], "shape": [3]},
    "shape of three sides": {"op": "cells", "cells": [[0, 0, 1]], "shape": [3, 3, 3]},
    # out of range
    "row past the largest grid": cells((MAX_KERNEL_SIDE + 1, 0, 1)),
    "column far out": cells((0, 10**9, 1)),
    "row past int64": cells((2**64, 0, 1)),
    "negative row": cells((-1, 0, 1)),
    "negative column": cells((0, -3, 1)),
    "shape 0 x 3": cells((0, 0, 1), shape=(0, 3)),
    "shape 3 x 0": cells((0, 0, 1), shape=(3, 0)),
    "shape 1000 x 1000": cells((0, 0, 1), shape=(1000, 1000)),
    "negative shape": cells((0, 0, 1), shape=(-3, -3)),
    "fractional index": cells((0.5, 0, 1)),
    "fractional shape": cells((0, 0, 1), shape=(3.0, 3.0)),
    # the sliders
    "param NaN": {"op": "param", "name": "inner", "value": float("nan")},
    "param infinity": {"op": "param", "name": "inner", "value": float("inf")},
    "param minus infinity": {"op": "param", "name": "inner", "value": -float("inf")},
    "param value missing": {"op": "param", "name": "inner"},
    "param name missing": {"op": "param", "value": 1},
    "param name a number": {"op": "param", "name": 3, "value": 1},
    "param name too long": {"op": "param", "name": "n" * 65, "value": 1},
    "paste of no text": {"op": "paste"},
    "paste of a number": {"op": "paste", "text": 5},
    # the size and scale beside the playground's grid
    "size 0 x 3": {"op": "shape", "shape": [0, 3]},
    "size past the largest grid": {"op": "shape", "shape": [MAX_KERNEL_SIDE + 1, 3]},
    "size as text": {"op": "shape", "shape": "5x5"},
    "size missing": {"op": "shape"},
    "whole as 1": {"op": "whole", "on": 1},
    "whole as text": {"op": "whole", "on": "true"},
    "scale of an unknown name": {"op": "scale", "name": "cval", "value": 1},
    "scale name a list": {"op": "scale", "name": ["divisor"], "value": 1},
    "divisor a bool": {"op": "scale", "name": "divisor", "value": True},
    "divisor a list": {"op": "scale", "name": "divisor", "value": [2]},
    "normalise as a number": {"op": "scale", "name": "normalise", "value": 1},
    "mean as text": {"op": "scale", "name": "mean", "value": "yes"},
}


@pytest.mark.parametrize("payload", list(HOSTILE.values()), ids=list(HOSTILE))
def test_a_hostile_payload_is_refused_in_plain_words(payload):
    assert refused(payload) == REFUSED
    s = received(S0, payload)  # through the page: the message, and nothing else changes
    assert s.problems == {"grid": REFUSED} and s.bad_cell is None
    assert s.kernel is S0.kernel and s.settings == S0.settings
    assert s.history == st8.History()


def test_a_million_cells_are_refused_before_any_is_looked_at():
    payload = {"op": "cells", "cells": [[0, 0, 1]] * 10**6, "shape": [3, 3]}
    started = time.perf_counter()
    assert refused(payload) == REFUSED
    assert time.perf_counter() - started < 0.05  # the length is checked first, not a million cells


def test_a_cell_as_large_as_the_largest_grid_is_read():
    side = MAX_KERNEL_SIDE
    payload = cells(*([r, c, 1] for r in range(side) for c in range(side)), shape=(side, side))
    assert len(ev.parse(payload).cells) == side * side


@pytest.mark.parametrize(
    ("value", "words"),
    [(float("nan"), "NaN"), (float("inf"), "too large"), (-float("inf"), "too large"), (1e308, "too large")],
)
def test_non_finite_cell_values_pass_parse_and_are_refused_on_their_cell(value, words):
    """parse lets any number through as a cell's value; the transition refuses it, naming the cell."""
    (cell,) = ev.parse(cells((2, 1, value))).cells
    assert cell[:2] == (2, 1) and (cell[2] is value or cell[2] == value)
    s = received(S0, cells((2, 1, value)))
    assert "row 3, column 2" in s.problems["grid"] and words in s.problems["grid"]
    assert s.bad_cell is not None and (s.bad_cell.row, s.bad_cell.col) == (2, 1)
    np.testing.assert_array_equal(s.matrix, SHARPEN)
    assert np.isfinite(s.matrix).all() and not s.history.past


def test_cells_inside_the_limit_but_outside_the_grid_are_not_applied():
    s = received(S0, cells((5, 5, 9), (0, 0, 2)))  # (the editor on screen cannot send row 6 of a 3 x 3 grid)
    assert s.matrix.shape == (3, 3) and s.matrix[0, 0] == 2
    stale = received(S0, cells((10, 10, 9), shape=(20, 20)))  # for a grid of another shape: stale, dropped
    assert stale.kernel is S0.kernel and not stale.problems


def test_a_huge_paste_is_refused_by_the_matrix_reader_in_words():
    text = "1 " * (10**6 // 2)
    assert ev.parse({"op": "paste", "text": text}) == Paste(text)  # its length is the matrix reader's to check
    started = time.perf_counter()
    s = received(S0, {"op": "paste", "text": text})
    assert time.perf_counter() - started < 0.5
    assert "too long" in s.problems["grid"] and s.problems["grid"].startswith("The pasted text is not a kernel")
    assert s.kernel is S0.kernel


@pytest.mark.parametrize(
    ("payload", "seq"),
    [
        ({"op": "undo", "seq": 1}, 1),
        ({"op": "undo", "seq": 0}, 0),
        ({"op": "undo", "seq": 2**53 - 1}, 2**53 - 1),
        ({"op": "undo", "seq": 2**53}, None),  # past what a browser's number counts exactly
        ({"op": "undo", "seq": -1}, None),
        ({"op": "undo", "seq": 1.0}, None),
        ({"op": "undo", "seq": float("nan")}, None),
        ({"op": "undo", "seq": "1"}, None),
        ({"op": "undo", "seq": True}, None),
        ({"op": "undo", "seq": [1]}, None),
        ({"op": "undo", "seq": None}, None),
        ({"op": "undo"}, None),
        ({"op": "eval", "seq": 5}, 5),  # a refused event is answered too, so the editor sends its next one
        ([1, 2], None),
        (None, None),
        ("seq", None),
    ],
)
def test_the_sequence_number_is_echoed_only_when_sane(payload, seq):
    assert ev.seq_of(payload) == seq
    assert ev.seq_of(payload) is None or isinstance(ev.seq_of(payload), int)


# ---- any payload at all ----

KEYS = ("op", "cells", "shape", "text", "name", "value", "gesture", "seq")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.integers(min_value=-2, max_value=MAX_KERNEL_SIDE + 2)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["1/16", "-0", "nan", "inf", "1e400", "", " 2 ", "abc", "[[1,2],[3,4]]", "5", "−1"])
)
JSON_LIKE = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=6)
    ),
    max_leaves=15,
)
# Payloads close to what the editor sends, so that many get past parse and reach the transitions.
OPTIONAL = {"gesture": st.sampled_from(["g1", "g2"]) | SCALARS, "seq": SCALARS}
CELL_VALUE = (
    st.integers(min_value=-10, max_value=10)
    | st.floats(min_value=-100, max_value=100)
    | st.sampled_from(["1", "-2", "0.5", "3/4"])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["1/16", "-0", "nan", "inf", "1e400", "", " 2 ", "abc", "−1", "2.5", "1e6", "1000001"])
    | st.text(max_size=8)
)
INDEX = st.integers(min_value=0, max_value=2) | st.integers(min_value=-1, max_value=6)
CELL = st.tuples(INDEX, INDEX, CELL_VALUE).map(list)
SHAPE = st.sampled_from([[3, 3], [3, 3], [3, 3], [5, 5], [3, 5], [1, 1], [31, 31]]) | st.lists(
    st.integers(min_value=-1, max_value=MAX_KERNEL_SIDE + 1), min_size=2, max_size=2
)
PLAUSIBLE = st.one_of(
    st.fixed_dictionaries(
        {"op": st.just("cells"), "cells": st.lists(CELL, min_size=1, max_size=5), "shape": SHAPE}, optional=OPTIONAL
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("paste"),
            "text": st.sampled_from(
                ["[[0,-1,0],[-1,5,-1],[0,-1,0]]", "1 2; 3 4", "1\t2\n3", "7", "[[1e400]]", "[[1, 2], [3]]", "0.5 1.5"]
            )
            | st.text(max_size=30),
        },
        optional=OPTIONAL,
    ),
    st.fixed_dictionaries(
        {
            "op": st.just("param"),
            "name": st.sampled_from(["inner", "edge", "size", "sigma", "diag", "__class__"]),
            "value": st.integers(min_value=-12, max_value=40) | st.floats(min_value=-30, max_value=30) | SCALARS,
        },
        optional=OPTIONAL,
    ),
    st.fixed_dictionaries({"op": st.sampled_from(["undo", "redo"])}, optional=OPTIONAL),
    st.fixed_dictionaries({"op": st.just("shape"), "shape": SHAPE}, optional=OPTIONAL),
    st.fixed_dictionaries({"op": st.just("whole"), "on": st.booleans() | SCALARS}, optional=OPTIONAL),
    st.fixed_dictionaries(
        {
            "op": st.just("scale"),
            "name": st.sampled_from(["divisor", "offset", "normalise", "mean", "cval"]),
            "value": st.booleans() | CELL_VALUE | SCALARS,
        },
        optional=OPTIONAL,
    ),
)
PAYLOADS = JSON_LIKE | PLAUSIBLE


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PAYLOADS, min_size=1, max_size=6), st.sampled_from(["sharpen", "gaussian", "box_blur", "emboss"]))
def test_any_payload_is_an_event_or_a_refusal_and_never_breaks_the_state(payloads, preset):
    state = st8.choose_preset(S0, preset)
    for payload in payloads:
        try:
            event = ev.parse(payload)
        except KernelError as exc:
            assert str(exc)
        else:
            assert isinstance(event, EVENTS)
        seq = ev.seq_of(payload)
        assert seq is None or (isinstance(seq, int) and not isinstance(seq, bool) and 0 <= seq < 2**53)
        state = received(state, payload)
        m = state.matrix
        assert isinstance(m, np.ndarray) and m.dtype == np.float64 and m.ndim == 2
        assert min(m.shape) >= 1 and max(m.shape) <= MAX_KERNEL_SIDE
        assert np.isfinite(m).all() and np.abs(m).max() <= MAX_KERNEL_ABS
        assert all(math.isfinite(v) for v in (state.settings.divisor, state.settings.offset))
        assert len(state.history.past) <= st8.HISTORY_LIMIT
        imgkernel.run_filter(state.photo.pixels, m, state.settings)  # and the engine takes what is in use
