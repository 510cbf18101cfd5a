"""What the playground says in words: labels, numbers and the meaning of the sum of weights (pure functions)."""

from __future__ import annotations

from html import escape

import numpy as np

import imgkernel
from imgkernel.mapping import Scale, signed_colormap
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


# -- text alternatives: what each picture shows, in words, with the numbers a sighted visitor sees --------------
# Names of the signed colour map's colours (imgkernel.mapping: NEGATIVE_RGB, ZERO_RGB, POSITIVE_RGB).
NEGATIVE, ZERO, POSITIVE = "blue", "white", "orange"
VIEW_WORDS = {
    "clip": "",
    "abs": ", drawn as absolute values",
    "rescale": ", stretched so the lowest is black and the highest white",
    "signed": f", drawn {NEGATIVE} below 0, {ZERO} at 0, {POSITIVE} above",
}


def value_range(low: float, high: float) -> str:
    """ "values −140 to 539" (a single value once)."""
    return f"values {num(low)} to {num(high)}" if num(low) != num(high) else f"every value {num(low)}"


def signed_legend(limit: float, signed: bool = True) -> str:
    """The colour scale under a signed picture, as its caption says it: "blue −12.5 · white 0 · orange +12.5"."""
    top = f"{ZERO} 0 · {POSITIVE} +{num(limit)}"
    return f"{NEGATIVE} −{num(limit)} · {top}" if signed else top


def alt_photo(name: str, width: int, height: int, *, what: str = "original", gray: bool = False) -> str:
    """ "Chelsea the cat, original, 451 × 300 px" (", in grey (luminance)" when the filter sees its luminance)."""
    return f"{name}, {what}{', in grey (luminance)' if gray else ''}, {size(width, height)}"


def alt_result(name: str, kernel: str, width: int, height: int, low: float, high: float, view: str = "clip") -> str:
    """ "Chelsea the cat filtered with Top Sobel, 451 × 300 px, values −340 to 412" and how the view draws them."""
    return f"{name} filtered with {kernel}, {size(width, height)}, {value_range(low, high)}{VIEW_WORDS.get(view, '')}"


def alt_scale(limit: float, signed: bool = True) -> str:
    """The signed view's colour scale: "Colour scale from blue at −12.5 through white at 0 to orange at +12.5"."""
    start = f"{NEGATIVE} at −{num(limit)} through " if signed else ""
    return f"Colour scale from {start}{ZERO} at 0 to {POSITIVE} at +{num(limit)}"


def alt_difference(name: str, kernel: str, width: int, height: int, mean: float) -> str:
    """The |filtered − original| picture."""
    return (
        f"Difference between {name} and its {kernel} result, {size(width, height)}: black where the kernel left "
        f"the photo alone, bright where it changed it most; mean {mean:.2f} grey levels"
    )


def at_xy(x: int, y: int) -> str:
    return f"x {x}, y {y}"


def at_row_col(row: int, col: int) -> str:
    return f"row {row}, column {col}"


def pixel_value(value: np.ndarray | float) -> str:
    """One pixel's value: "128" (gray) or "R 12, G 34, B 56"."""
    v = np.atleast_1d(np.asarray(value)).ravel()
    if v.size == 1:
        return num(float(v[0]))
    return ", ".join(f"{c} {num(float(x))}" for c, x in zip("RGB", v[:3], strict=False))


def alt_zoom(what: str, side: int, where: str, outlined: str, value: np.ndarray | float | None = None) -> str:
    """An enlarged crop: "Original enlarged: 15 × 15 pixels around x 120, y 80, the kernel's 3 × 3 window
    outlined" (and the outlined pixel's value)."""
    text = f"{what} enlarged: {side} × {side} pixels around {where}, {outlined} outlined"
    return text if value is None else f"{text}; its value {pixel_value(value)}"


def alt_pick(name: str, width: int, height: int, task: str) -> str:
    """A photo to click on: "Chelsea the cat, 451 × 300 px: click a pixel to explain it"."""
    return f"{name}, {size(width, height)}: {task}"


def alt_thumbnail(photo: str, kernel: str) -> str:
    """A gallery thumbnail: "Chelsea the cat through Sharpen"."""
    return f"{photo} through {kernel}"


def alt_signed(subject: str, width: int, height: int, low: float, high: float) -> str:
    """A picture drawn with the signed colour map: "Top Sobel feature map, 64 × 43 px, values 0 to 412, drawn
    blue below 0, white at 0, orange above"."""
    return f"{subject}, {size(width, height)}, {value_range(low, high)}{VIEW_WORDS['signed']}"


# -- descriptions of charts (Vega-Lite's ``description`` becomes the chart's accessible name) ---------------------
# Every chart's axis and legend text: 5.9:1 on white, WCAG AA (Streamlit's chart grey #808495 is 3.7:1).
CHART_TEXT = "#66655f"
CHART_CONFIG = {
    "axis": {"labelColor": CHART_TEXT, "titleColor": CHART_TEXT},
    "legend": {"labelColor": CHART_TEXT, "titleColor": CHART_TEXT},
}
LISTED_CELLS = 49  # kernels of at most this many cells have their weights listed row by row (7 × 7)


def kernel_rows(matrix: np.ndarray, digits: int = DISPLAY_DIGITS) -> str:
    """ "row 1: 0, −1, 0; row 2: −1, 5, −1; row 3: 0, −1, 0"."""
    k = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    return "; ".join(f"row {i + 1}: " + ", ".join(num(v, digits) for v in row) for i, row in enumerate(k))


def heatmap_description(matrix: np.ndarray, title: str = "") -> str:
    """A kernel heat map in words: its size, its range, the colours, and the weights row by row when few."""
    k = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    rows, cols = k.shape[:2]
    head = f"Heat map of the kernel{f' {title}' if title else ''}, {cols} × {rows} cells"
    colours = f"{POSITIVE} cells positive, {NEGATIVE} negative, {ZERO} 0"
    weights = f"weights from {num(float(k.min()))} to {num(float(k.max()))}"
    cells = f"; {kernel_rows(k)}" if k.size <= LISTED_CELLS else " (too many cells to list)"
    return f"{head}, {colours}; {weights}{cells}."


def response_description(kind: str, gains: np.ndarray, centre: float) -> str:
    """The frequency-response heat map in words."""
    g = np.asarray(gains, dtype=np.float64)
    return (
        f"Heat map of the kernel's frequency response, a {kind} filter: |gain| from {num(float(g.min()))} to "
        f"{num(float(g.max()))}, {num(centre)} at the centre (flat areas), the finest stripes at the edges; "
        "brighter (yellow) is a larger gain."
    )


def histogram_description(counts: np.ndarray, edges: np.ndarray) -> str:
    """The histogram of responses in words: how many, their range, where most lie, and the displayable 0..255."""
    c, e = np.asarray(counts), np.asarray(edges, dtype=np.float64)
    peak = int(np.argmax(c)) if c.size else 0
    total = int(c.sum())
    return (
        f"Histogram of {total:,} filter responses from {num(float(e[0]))} to {num(float(e[-1]))}; the tallest "
        f"bar, {int(c[peak]) if c.size else 0:,} values, lies between {num(float(e[peak]))} and "
        f"{num(float(e[peak + 1]))}. Dashed lines mark 0 and 255, the range the screen can show."
    )


TINT = 0.45  # the strongest cell tint of the weights table: dark text keeps >= 7:1 contrast on it


def weights_table(matrix: np.ndarray, title: str) -> str:
    """The kernel's weights as an HTML table, each cell tinted like the signed map (orange above 0, blue
    below, white at 0) so the shape of the kernel shows at a glance; rows and columns numbered from 1 like the
    editable grid and the error messages."""
    k = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    peak = float(np.max(np.abs(k))) or 1.0
    tints = signed_colormap(k, limit=peak / TINT)
    cell = "padding:0.15rem 0.55rem;text-align:right;font-variant-numeric:tabular-nums;border:1px solid #d5d4d2"
    head = "".join(f'<th scope="col" style="{cell}">{j + 1}</th>' for j in range(k.shape[1]))
    body = "".join(
        f'<tr><th scope="row" style="{cell}">{i + 1}</th>'
        + "".join(
            f'<td style="{cell};background:rgb{tuple(int(c) for c in tints[i, j])}">{num(float(v))}</td>'
            for j, v in enumerate(row)
        )
        + "</tr>"
        for i, row in enumerate(k)
    )
    rows, cols = k.shape
    caption = f"Weights of {escape(title)}, {cols} × {rows}"
    return (
        '<div style="overflow:auto;max-height:20rem"><table style="border-collapse:collapse;font-size:0.9rem">'
        f'<caption style="text-align:left;white-space:nowrap">{caption}</caption>'
        f"<thead><tr><td></td>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def options_summary(settings: imgkernel.Settings, view: str) -> str:
    """The options in use in a few words, for the closed options panel: "reflect borders, stride 1, clip"."""
    s = settings
    parts = [f"constant {num(s.cval)} borders" if s.mode == "constant" else f"{s.mode} borders"]
    parts += [f"stride {s.stride}"] + ([f"dilation {s.dilation}"] if s.dilation != 1 else [])
    parts += (["flipped"] if s.true_convolution else []) + (["gray"] if s.gray else [])
    parts += (["linear light"] if s.linear else []) + [view]
    return ", ".join(parts)
