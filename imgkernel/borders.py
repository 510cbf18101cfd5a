"""Border modes: what a filter reads beyond the image's edge, described and computed in one place.

The names and semantics are scipy.ndimage's. The engine pads with ``border_index`` (through ``_tiles``), the
pixel walkthrough gathers its taps with it, and ``MODE_RULES`` is the one description that docs and captions quote.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from .messages import Message

Mode = Literal["reflect", "mirror", "nearest", "wrap", "constant", "valid"]
MODES: tuple[Mode, ...] = get_args(Mode)

# For an image row ``a b c d``: what each mode reads on either side of it (messages ``border_rule_<mode>``,
# e.g. "mirror image of the border including the edge pixel (d c b a | a b c d | d c b a)" for reflect).
MODE_RULES: dict[Mode, Message] = {mode: Message(f"border_rule_{mode}") for mode in MODES}


def border_index(i: np.ndarray, n: int, mode: Mode) -> np.ndarray:
    """The pixel in ``0..n-1`` that border ``mode`` reads for each (possibly outside) index ``i`` of an axis of
    ``n`` pixels; ``-1`` where ``constant`` reads cval. Patterns repeat, so padding wider than the image works.

    Parameters
    ----------
    i : array_like of int
        Positions along the axis; below 0 or from ``n`` on are outside the image.
    n : int
        Pixels along the axis, at least 1.
    mode : {"reflect", "mirror", "nearest", "wrap", "constant", "valid"}
        As scipy.ndimage names them (``MODE_RULES``); ``valid`` never reads outside, so it answers as ``nearest``.

    Returns
    -------
    numpy.ndarray
        ``intp``, the shape of ``i``.
    """
    i = np.asarray(i, dtype=np.intp)
    if mode == "reflect":  # period 2n: a b c d d c b a
        j = np.mod(i, 2 * n)
        return np.where(j >= n, 2 * n - 1 - j, j)
    if mode == "mirror":  # period 2n - 2: a b c d c b
        if n == 1:
            return np.zeros_like(i)
        j = np.mod(i, 2 * n - 2)
        return np.where(j >= n, 2 * n - 2 - j, j)
    if mode == "wrap":
        return np.mod(i, n)
    if mode == "constant":
        return np.where((i < 0) | (i >= n), -1, i)
    return np.clip(i, 0, n - 1)  # nearest ("valid" reads nothing outside)
