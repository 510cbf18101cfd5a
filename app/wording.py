"""What the playground says in words: labels, numbers and the meaning of the sum of weights (pure functions)."""

from __future__ import annotations

import numpy as np

import imgkernel
from imgkernel.mapping import Scale, signed_colormap
from imgkernel.numeric import format_number

from .i18n import N_, _, kernel_text

DISPLAY_DIGITS = 4  # significant digits shown in the grid and captions; full precision is kept inside


def num(value: float, digits: int = DISPLAY_DIGITS) -> str:
    """A number as people read it: at most ``digits`` significant digits, no trailing zeros, a real minus."""
    text = format_number(value, digits)
    return text.replace("-", "−") if text.startswith("-") else text


def size(width: int, height: int) -> str:
    return f"{width} × {height} px"


def preset_label(spec: imgkernel.KernelSpec) -> str:
    """ "Category · Title", or just the title when the two say the same ("Sharpen", not "Sharpen · Sharpen")."""
    title = kernel_text(spec.name, "title", spec.title)
    if spec.title.lower() == spec.category.lower():
        return title
    return f"{kernel_text(spec.name, 'category', spec.category)} · {title}"


def kernel_title(name: str, english: str) -> str:
    """A catalogue kernel's title in the current language (``english`` for a name not in the catalogue)."""
    return kernel_text(name, "title", english)


def sum_meaning(matrix: np.ndarray, scale: Scale) -> str:
    """The sum of weights and what it does to a flat area, with the divisor and offset actually applied.

    A flat area of grey level g comes out as ``g · sum / divisor + offset``: that one number says whether the
    kernel keeps brightness, darkens, brightens, inverts or turns flat areas into a constant.
    """
    total = float(np.sum(matrix))
    gain = total / scale.divisor
    grey = 100.0
    out = grey * gain + scale.offset
    head = _("**Sum of weights: {total}**", total=num(total))
    if scale.divisor != 1 or scale.offset != 0:
        head += f" (÷ {num(scale.divisor)}" + (f", + {num(scale.offset)}" if scale.offset else "") + ")"
    # Tolerances at float32 precision: a kernel from a share link carries float32-rounded weights.
    if abs(gain) < 1e-6:
        what = (
            _("an edge finder: flat areas turn black, only changes show")
            if abs(scale.offset) < 0.5
            else _("an edge finder: flat areas turn grey {grey}, edges show either side of it", grey=num(scale.offset))
        )
    elif abs(gain - 1) < 1e-6:
        what = (
            _("brightness is kept")
            if abs(scale.offset) < 0.5
            else _("contrast is kept and the offset shifts every value by {offset}", offset=num(scale.offset))
        )
    elif gain < 0:
        what = _("negative, so the photo comes out inverted")
    elif gain > 1:
        what = _("above 1, so the photo gets brighter")
    else:
        what = _("between 0 and 1, so the photo gets darker")
    return _(
        "{head} — {what}: a flat grey {grey} comes out as {out}.", head=head, what=what, grey=num(grey), out=num(out)
    )


# -- text alternatives: what each picture shows, in words, with the numbers a sighted visitor sees --------------
# Names of the signed colour map's colours (imgkernel.mapping: NEGATIVE_RGB, ZERO_RGB, POSITIVE_RGB).
NEGATIVE, ZERO, POSITIVE = "blue", "white", "orange"  # in English; ``colours()`` in the visitor's language


def colours() -> tuple[str, str, str]:
    """The names of the signed map's colours (negative, zero, positive) in the current language."""
    return _("blue"), _("white"), _("orange")


def view_words(view: str) -> str:
    """How a view draws the values, as a tail for a picture's text alternative (nothing for ``clip``)."""
    negative, zero, positive = colours()
    words = {
        "abs": _(", drawn as absolute values"),
        "rescale": _(", stretched so the lowest is black and the highest white"),
        "signed": _(
            ", drawn {negative} below 0, {zero} at 0, {positive} above", negative=negative, zero=zero, positive=positive
        ),
    }
    return words.get(view, "")


def value_range(low: float, high: float) -> str:
    """ "values −140 to 539" (a single value once)."""
    if num(low) == num(high):
        return _("every value {value}", value=num(low))
    return _("values {low} to {high}", low=num(low), high=num(high))


def signed_legend(limit: float, signed: bool = True) -> str:
    """The colour scale under a signed picture, as its caption says it: "blue −12.5 · white 0 · orange +12.5"."""
    negative, zero, positive = colours()
    top = f"{zero} 0 · {positive} +{num(limit)}"
    return f"{negative} −{num(limit)} · {top}" if signed else top


def alt_photo(name: str, width: int, height: int, *, what: str = "", gray: bool = False) -> str:
    """ "Chelsea the cat, original, 451 × 300 px" (", in grey (luminance)" when the filter sees its luminance)."""
    grey = _(", in grey (luminance)") if gray else ""
    comma, what = _(", "), what or _("original")
    return f"{photo_name(name)}{comma}{what}{grey}{comma}{size(width, height)}"


def photo_name(name: str) -> str:
    """A sample photo's name in the current language (an uploaded file keeps its own name)."""
    return _(name) if name in SAMPLE_NAMES else name


# The bundled samples' names (app.cache.SAMPLES), translated as names; listed here so wording stays pure.
SAMPLE_NAMES = frozenset(
    {
        N_("Chelsea the cat"),
        N_("Coffee cup"),
        N_("Astronaut"),
        N_("Camera man (gray)"),
        N_("Brick wall (gray)"),
        N_("Rocket launch"),
    }
)


def alt_result(name: str, kernel: str, width: int, height: int, low: float, high: float, view: str = "clip") -> str:
    """ "Chelsea the cat filtered with Top Sobel, 451 × 300 px, values −340 to 412" and how the view draws them."""
    return _(
        "{name} filtered with {kernel}, {size}, {values}{how}",
        name=photo_name(name),
        kernel=kernel,
        size=size(width, height),
        values=value_range(low, high),
        how=view_words(view),
    )


def alt_scale(limit: float, signed: bool = True) -> str:
    """The signed view's colour scale: "Colour scale from blue at −12.5 through white at 0 to orange at +12.5"."""
    negative, zero, positive = colours()
    if signed:
        return _(
            "Colour scale from {negative} at −{limit} through {zero} at 0 to {positive} at +{limit}",
            negative=negative,
            zero=zero,
            positive=positive,
            limit=num(limit),
        )
    return _("Colour scale from {zero} at 0 to {positive} at +{limit}", zero=zero, positive=positive, limit=num(limit))


def alt_difference(name: str, kernel: str, width: int, height: int, mean: float) -> str:
    """The |filtered − original| picture."""
    return _(
        "Difference between {name} and its {kernel} result, {size}: black where the kernel left the photo alone, "
        "bright where it changed it most; mean {mean} grey levels",
        name=photo_name(name),
        kernel=kernel,
        size=size(width, height),
        mean=f"{mean:.2f}",
    )


def at_xy(x: int, y: int) -> str:
    return _("x {x}, y {y}", x=x, y=y)


def at_row_col(row: int, col: int) -> str:
    return _("row {row}, column {col}", row=row, col=col)


def pixel_value(value: np.ndarray | float) -> str:
    """One pixel's value: "128" (gray) or "R 12, G 34, B 56"."""
    v = np.atleast_1d(np.asarray(value)).ravel()
    if v.size == 1:
        return num(float(v[0]))
    return ", ".join(f"{c} {num(float(x))}" for c, x in zip("RGB", v[:3], strict=False))


def alt_zoom(what: str, side: int, where: str, outlined: str, value: np.ndarray | float | None = None) -> str:
    """An enlarged crop: "Original enlarged: 15 × 15 pixels around x 120, y 80, the kernel's 3 × 3 window
    outlined" (and the outlined pixel's value)."""
    text = _(
        "{what} enlarged: {side} × {side} pixels around {where}, {outlined} outlined",
        what=what,
        side=side,
        where=where,
        outlined=outlined,
    )
    return text if value is None else _("{text}; its value {value}", text=text, value=pixel_value(value))


def alt_pick(name: str, width: int, height: int, task: str) -> str:
    """A photo to click on: "Chelsea the cat, 451 × 300 px: click a pixel to explain it"."""
    return _("{name}, {size}: {task}", name=photo_name(name), size=size(width, height), task=task)


def alt_thumbnail(photo: str, kernel: str) -> str:
    """A gallery thumbnail: "Chelsea the cat through Sharpen"."""
    return _("{photo} through {kernel}", photo=photo_name(photo), kernel=kernel)


def alt_signed(subject: str, width: int, height: int, low: float, high: float) -> str:
    """A picture drawn with the signed colour map: "Top Sobel feature map, 64 × 43 px, values 0 to 412, drawn
    blue below 0, white at 0, orange above"."""
    comma = _(", ")
    return f"{subject}{comma}{size(width, height)}{comma}{value_range(low, high)}{view_words('signed')}"


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
    rows = (_(", ").join(num(v, digits) for v in row) for row in k)
    return _("; ").join(_("row {row}: {weights}", row=i + 1, weights=weights) for i, weights in enumerate(rows))


def heatmap_description(matrix: np.ndarray, title: str = "") -> str:
    """A kernel heat map in words: its size, its range, the colours, and the weights row by row when few."""
    k = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    rows, cols = k.shape[:2]
    negative, zero, positive = colours()
    cells = _("; {rows}", rows=kernel_rows(k)) if k.size <= LISTED_CELLS else _(" (too many cells to list)")
    return _(
        "Heat map of the kernel{title}, {cols} × {rows} cells, {positive} cells positive, {negative} negative, "
        "{zero} 0; weights from {low} to {high}{cells}.",
        title=f" {title}" if title else "",
        cols=cols,
        rows=rows,
        positive=positive,
        negative=negative,
        zero=zero,
        low=num(float(k.min())),
        high=num(float(k.max())),
        cells=cells,
    )


def response_description(kind: str, gains: np.ndarray, centre: float) -> str:
    """The frequency-response heat map in words."""
    g = np.asarray(gains, dtype=np.float64)
    return _(
        "Heat map of the kernel's frequency response, a {kind} filter: |gain| from {low} to {high}, {centre} at the "
        "centre (flat areas), the finest stripes at the edges; brighter (yellow) is a larger gain.",
        kind=kind,
        low=num(float(g.min())),
        high=num(float(g.max())),
        centre=num(centre),
    )


def histogram_description(counts: np.ndarray, edges: np.ndarray) -> str:
    """The histogram of responses in words: how many, their range, where most lie, and the displayable 0..255."""
    c, e = np.asarray(counts), np.asarray(edges, dtype=np.float64)
    peak = int(np.argmax(c)) if c.size else 0
    total = int(c.sum())
    return _(
        "Histogram of {total} filter responses from {low} to {high}; the tallest bar, {tallest} values, lies between "
        "{start} and {end}. Dashed lines mark 0 and 255, the range the screen can show.",
        total=f"{total:,}",
        low=num(float(e[0])),
        high=num(float(e[-1])),
        tallest=f"{int(c[peak]) if c.size else 0:,}",
        start=num(float(e[peak])),
        end=num(float(e[peak + 1])),
    )


TINT = 0.45  # the strongest cell tint of the weights table: dark text keeps >= 7:1 contrast on it


def weight_tints(matrix: np.ndarray) -> np.ndarray:
    """Each weight's cell colour in the grid (RGB uint8), tinted like the signed map (orange above 0, blue below,
    white at 0) so the shape of the kernel shows at a glance; never stronger than ``TINT``, so the grid's
    near-black numbers keep AAA contrast on it."""
    k = np.atleast_2d(np.asarray(matrix, dtype=np.float64))
    peak = float(np.max(np.abs(k))) or 1.0
    return signed_colormap(k, limit=peak / TINT)


def options_summary(settings: imgkernel.Settings, view: str) -> str:
    """The options in use in a few words, for the closed options panel: "reflect borders, stride 1, clip"."""
    s = settings
    if s.mode == "constant":
        parts = [_("constant {value} borders", value=num(s.cval))]
    else:
        parts = [_("{mode} borders", mode=mode_name(s.mode))]
    parts += [_("stride {n}", n=s.stride)] + ([_("dilation {n}", n=s.dilation)] if s.dilation != 1 else [])
    parts += ([_("flipped")] if s.true_convolution else []) + ([_("gray")] if s.gray else [])
    parts += ([_("linear light")] if s.linear else []) + [view_name(view)]
    return _(", ").join(parts)


def mode_name(mode: str) -> str:
    """A border mode's name as shown (the library's identifiers: reflect, nearest, wrap, constant, valid…)."""
    return {
        "reflect": _("reflect"),
        "mirror": _("mirror"),
        "nearest": _("nearest"),
        "wrap": _("wrap"),
        "constant": _("constant"),
        "valid": _("valid"),
    }.get(mode, mode)


def view_name(view: str) -> str:
    """An out-of-range view's name as shown."""
    return {"clip": _("clip"), "abs": _("abs"), "rescale": _("rescale"), "signed": _("signed")}.get(view, view)
