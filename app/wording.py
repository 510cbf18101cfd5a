"""What the playground says in words: labels, numbers and the meaning of the sum of weights (pure functions)."""

from __future__ import annotations

import numpy as np

import imgkernel
from imgkernel.mapping import Scale
from imgkernel.numeric import format_number

DISPLAY_DIGITS = 4  # significant digits shown in the grid and captions; full precision is kept inside


def num(value: float, digits: int = DISPLAY_DIGITS) -> str:
    """A number as people read it: at most ``digits`` significant digits, no trailing zeros, a real minus."""
    text = format_number(value, digits)
    return text.replace("-", "−") if text.startswith("-") else text


def size(width: int, height: int) -> str:
    return f"{width} × {height} px"


def preset_label(spec: imgkernel.KernelSpec) -> str:
    """ "Category · Title", or just the title when the two say the same ("Sharpen", not "Sharpen · Sharpen")."""
    return spec.title if spec.title.lower() == spec.category.lower() else f"{spec.category} · {spec.title}"


def sum_meaning(matrix: np.ndarray, scale: Scale) -> str:
    """The sum of weights and what it does to a flat area, with the divisor and offset actually applied.

    A flat area of grey level g comes out as ``g · sum / divisor + offset``: that one number says whether the
    kernel keeps brightness, darkens, brightens, inverts or turns flat areas into a constant.
    """
    total = float(np.sum(matrix))
    gain = total / scale.divisor
    grey = 100.0
    out = grey * gain + scale.offset
    head = f"**Sum of weights: {num(total)}**"
    if scale.divisor != 1 or scale.offset != 0:
        head += f" (÷ {num(scale.divisor)}" + (f", + {num(scale.offset)}" if scale.offset else "") + ")"
    # Tolerances at float32 precision: a kernel from a share link carries float32-rounded weights.
    if abs(gain) < 1e-6:
        what = (
            "an edge finder: flat areas turn black, only changes show"
            if abs(scale.offset) < 0.5
            else f"an edge finder: flat areas turn grey {num(scale.offset)}, edges show either side of it"
        )
    elif abs(gain - 1) < 1e-6 and abs(scale.offset) < 0.5:
        what = "brightness is kept"
    elif gain < 0:
        what = "negative, so the photo comes out inverted"
    elif gain > 1:
        what = "above 1, so the photo gets brighter"
    else:
        what = "between 0 and 1, so the photo gets darker"
    return f"{head} — {what}: a flat grey {num(grey)} comes out as {num(out)}."
