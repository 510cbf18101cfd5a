"""Numbers at the library's edges: checked on the way in (``finite``), written on the way out (``format_number``)."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

from .errors import KernelError
from .messages import Message

# "float64" / "float32": the shortest text that reads back as exactly that float; an int: significant digits.
Precision = Literal["float64", "float32"] | int

_FLOAT32_MAX = float(np.finfo(np.float32).max)
_NOISE = 5e-13  # rounding noise (a zero-sum kernel's sum) that display text shows as 0


# What a value is called in messages ("The divisor must be ..."), by the name callers use for it.
_SUBJECTS = {
    "cell": "subject_cell",
    "divisor": "subject_divisor",
    "offset": "subject_offset",
    "value": "subject_value",
    "cval": "subject_cval",
}


def subject(name: str | Message) -> Message:
    """The words that name a value at the start of a message ("The divisor"), for ``name``: one of ``cell``,
    ``divisor``, ``offset``, ``value`` or ``cval``, or a ``Message`` already (returned as it is). Any other name
    is quoted as it is ("The {name}"): a programmer's word, not translated."""
    if isinstance(name, Message):
        return name
    code = _SUBJECTS.get(name)
    return Message(code) if code else Message("subject_named", name=name)


def finite(value: object, name: str | Message) -> float:
    """``value`` as a float, checked at the library's edge so NaN or infinity never reach the filter.

    Parameters
    ----------
    value : object
        A number, or anything ``float()`` reads as one.
    name : str or Message
        What the value is called in the message (``subject``).

    Returns
    -------
    float

    Raises
    ------
    KernelError
        Not a number, or not finite (NaN, infinity, an integer beyond float's range); the message names it.
    """
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise KernelError("number_not_number_got", subject=subject(name), value=value) from None
    except OverflowError:  # an integer beyond float's range
        f = math.inf
    if not math.isfinite(f):
        raise KernelError("number_not_finite_got", subject=subject(name), value=value)
    return f


def format_number(value: float, precision: Precision = "float64") -> str:
    """``value`` as people write it: whole numbers without ``.0``, others as the shortest text that gives back the
    same float64 (kernel files) or float32 (links: the engine computes in float32, so ``0.33333334`` filters
    exactly like 1/3), or, for display, rounded to ``precision`` significant digits with rounding noise as 0.
    """
    f = float(value)
    if not isinstance(precision, str):
        return f"{0.0 if abs(f) < _NOISE else f:.{precision}g}"
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    if precision == "float32" and abs(f) <= _FLOAT32_MAX:
        return str(np.float32(f))
    return repr(f)


WHOLE_TOLERANCE = 1e-9  # how close a value must be to a whole number (relative to its size) to count as one


def is_whole(values: object) -> bool:
    """Whether every value is a whole number (within float rounding: 0.1 * 30 counts as 3)."""
    v = np.asarray(values, dtype=np.float64)
    return bool(np.all(np.abs(v - np.rint(v)) <= WHOLE_TOLERANCE * np.maximum(1.0, np.abs(v))))


def whole_multiplier(values: object, limit: int) -> int | None:
    """The smallest whole m in 1..``limit`` that makes every value times m whole (1/16, 2/16 -> 16), if any.

    Why: Photoshop's Custom filter holds whole weights and a whole scale; a kernel of fractions is the same
    filter as its weights times m divided by m.
    """
    v = np.asarray(values, dtype=np.float64)
    return next((m for m in range(1, limit + 1) if is_whole(v * m)), None)
