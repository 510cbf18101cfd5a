"""Photoshop's Custom filter files (``.acf``): read them as kernels, and write any kernel that fits one.

The format (Adobe Photoshop File Formats Specification, "Custom kernel"): 25 big-endian signed 16-bit weights,
row by row (a 5 × 5 grid whose centre cell is the anchor), then the scale and the offset as 16-bit integers;
54 bytes in all. Photoshop computes ``sum(weights · pixels) / scale + offset``, clipped to 0..255, by correlation
(the grid is not rotated), so a file filters like the same weights with ``divisor = scale`` and ``offset``.
Its dialog takes whole numbers only: weights −999..999, scale 1..9999, offset −9999..9999.

Reading trims rings of zeros around the centre (a 3 × 3 kernel saved by Photoshop reads back as 3 × 3). Writing
centres the kernel in the 5 × 5 grid with its anchor (``size // 2``) on the centre cell, and turns fractional
weights into whole ones when a common multiplier up to the scale's limit does it exactly (a Gaussian's
1/16, 2/16, 4/16 become 1, 2, 4 with scale 16); otherwise it says plainly why the kernel cannot be saved.
"""

from __future__ import annotations

import struct

import numpy as np

from ..engine import as_2d_kernel
from ..errors import KernelError
from ..messages import Message
from ..numeric import format_number, whole_multiplier
from .kernel_io import KernelDoc

SIDE = 5
SIZE = 2 * (SIDE * SIDE + 2)  # 54 bytes
MAX_WEIGHT = 999
MAX_SCALE = 9999
MAX_OFFSET = 9999
_FORMAT = f">{SIDE * SIDE + 2}h"


def kernel_from_acf(data: bytes, name: str | None = None) -> KernelDoc:
    """Read a Custom filter file; a wrong size, scale 0 or a value outside the dialog's ranges is refused.
    Without a ``name`` the kernel is called "Photoshop custom filter" (a ``Message``: ``acf_default_name``)."""
    if len(data) != SIZE:
        raise KernelError("acf_wrong_size", size=SIZE, got=len(data))
    *weights, scale, offset = struct.unpack(_FORMAT, bytes(data))
    grid = np.array(weights, dtype=np.float64).reshape(SIDE, SIDE)
    outside = [(i + 1, j + 1) for i, j in zip(*np.nonzero(np.abs(grid) > MAX_WEIGHT), strict=True)]
    if outside:
        r, c = outside[0]
        raise KernelError(
            "acf_weight_out_of_range", row=int(r), col=int(c), value=int(grid[r - 1, c - 1]), limit=MAX_WEIGHT
        )
    if scale == 0:
        raise KernelError("acf_scale_zero", limit=MAX_SCALE)
    if not 1 <= scale <= MAX_SCALE:
        raise KernelError("acf_scale_out_of_range", scale=int(scale), limit=MAX_SCALE)
    if abs(offset) > MAX_OFFSET:
        raise KernelError("acf_offset_out_of_range", offset=int(offset), limit=MAX_OFFSET)
    if not grid.any():
        raise KernelError(code="acf_all_zero")
    title = Message("acf_default_name") if name is None else name
    return KernelDoc(title, _trim(grid), float(scale), float(offset))


def _trim(grid: np.ndarray) -> np.ndarray:
    """Drop rings of zeros around the centre (5 × 5 → 3 × 3 → 1 × 1): the same filter, easier to read."""
    while grid.shape[0] > 1 and not (grid[0].any() or grid[-1].any() or grid[:, 0].any() or grid[:, -1].any()):
        grid = grid[1:-1, 1:-1]
    return grid


def kernel_to_acf(matrix: np.ndarray, divisor: float = 1.0, offset: float = 0.0) -> bytes:
    """The 54 bytes of a Custom filter file that filters like ``matrix`` / ``divisor`` + ``offset``.

    Raises ``KernelError`` saying why when it cannot: larger than 5 × 5, weights that no whole multiplier up to
    the scale's limit makes whole and within ±999, a negative or fractional scale, an offset that is not whole.
    """
    k = as_2d_kernel(matrix).astype(np.float64)
    rows, cols = k.shape
    if rows > SIDE or cols > SIDE:
        raise KernelError("acf_too_big", side=SIDE, cols=cols, rows=rows)
    if divisor <= 0:
        raise KernelError("acf_bad_divisor", limit=MAX_SCALE, divisor=format_number(divisor))
    if offset != round(offset) or abs(offset) > MAX_OFFSET:
        raise KernelError("acf_offset_not_whole", limit=MAX_OFFSET, offset=format_number(offset))
    factor = whole_multiplier(np.append(k.ravel(), divisor), MAX_SCALE)
    if factor is None:
        # the first weights as data (numbers, whatever the language), "…" when there are more
        shown = ", ".join(format_number(v) for v in k.ravel()[:6]) + (", …" if k.size > 6 else "")
        raise KernelError("acf_no_multiplier", limit=MAX_SCALE, weights=shown, divisor=format_number(divisor))
    weights, scale = np.rint(k * factor), round(divisor * factor)
    if np.abs(weights).max() > MAX_WEIGHT or scale > MAX_SCALE:
        raise KernelError(
            "acf_whole_too_large",
            weight=int(np.abs(weights).max()),
            scale=int(scale),
            max_weight=MAX_WEIGHT,
            max_scale=MAX_SCALE,
        )
    grid = np.zeros((SIDE, SIDE), dtype=np.int16)
    top, left = SIDE // 2 - rows // 2, SIDE // 2 - cols // 2  # the kernel's anchor on Photoshop's centre cell
    grid[top : top + rows, left : left + cols] = weights
    return struct.pack(_FORMAT, *grid.ravel().tolist(), scale, int(offset))


def is_acf(name: str) -> bool:
    """Whether a file name says Custom filter (the app and the CLI choose the reader by it)."""
    return name.lower().endswith(".acf")
