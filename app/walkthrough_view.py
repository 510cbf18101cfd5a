"""The pixel walkthrough page's parts: picking the output pixel (a click or two numbers), the zoomed crops, the
three tap tables and the steps from the sum of products to the 8-bit value.

The functions above the line are pure (no Streamlit): they turn an ``imgkernel.learn.walkthrough.PixelExplanation``
into what the page writes (labels, cell styles, the written-out sum, the steps table). Those below draw.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from imgkernel.learn.walkthrough import PixelExplanation, output_for_input, zoomed_crop
from imgkernel.pipeline import Settings

from . import cache, wording
from .clickable import clickable_image
from .i18n import _
from .state import Photo

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

CLICK_WIDTH = 480  # displayed width of the clickable photo, in screen pixels
CHANNELS = ("Red", "Green", "Blue")
PADDING_CSS = "background-color: rgba(128, 128, 128, 0.35); font-style: italic"  # a tap reading padding
ANCHOR_CSS = "; font-weight: bold; border: 2px solid #e6b800"  # the tap on the output pixel's input pixel
BIG_KERNEL = 9  # kernels wider or taller than this get scrolling tables (st.dataframe), the others st.table
MAX_TERMS = 25  # kernels of at most this many cells get their sum written out term by term
CROP_SIDE = 240  # the zoomed crops are about this many screen pixels wide
ROW_KEY, COL_KEY, CLICK_KEY, LAST_CLICK_KEY = "walk_row", "walk_col", "walk_click", "walk_last_click"


# ------------------------------------------------------------------------------------------- pure (no Streamlit)
def photo_caption(photo: Photo, full: Photo, title: str, settings: Settings) -> str:
    """What the page works on: the photo (and whether it is a preview of ``full``), the kernel and the options."""
    in_w, in_h = photo.size
    text = _(
        "Photo: **{photo}** · kernel: **{kernel}** · border **{mode}**, stride {stride}, dilation {dilation}"
        "{flipped}. Change them in the Playground.",
        photo=wording.photo_name(photo.name),
        kernel=title,
        mode=wording.mode_name(settings.mode),
        stride=settings.stride,
        dilation=settings.dilation,
        flipped=_(", true convolution") if settings.true_convolution else "",
    )
    if photo is not full:
        text += _(
            " Working on the {size} preview of the {full} photo.",
            size=wording.size(in_w, in_h),
            full=wording.size(*full.size),
        )
    return text


def click_to_input(click: Mapping[str, Any], in_w: int, in_h: int) -> tuple[int, int]:
    """The input pixel (row, column) under a click given in displayed pixels (the picture may be shown smaller)."""
    shown_w, shown_h = click.get("width") or in_w, click.get("height") or in_h
    return min(in_h - 1, int(click["y"] * in_h / shown_h)), min(in_w - 1, int(click["x"] * in_w / shown_w))


def kept_or_middle(value: int | None, n: int) -> int:
    """``value`` when it is still an index of an axis of ``n`` pixels (the output may have shrunk), else the middle."""
    return value if value is not None and 0 <= value < n else n // 2


def crop_geometry(e: PixelExplanation) -> tuple[tuple[int, int, int, int], int, int]:
    """(the window the taps cover as top, left, bottom, right; the crops' radius; their enlargement factor)."""
    box = (int(e.rows.min()), int(e.cols.min()), int(e.rows.max()), int(e.cols.max()))
    radius = max(4, min(12, max(box[2] - box[0], box[3] - box[1]) // 2 + 2))
    return box, radius, max(4, CROP_SIDE // (2 * radius + 1))


def channel_of(values: np.ndarray, channel: int) -> np.ndarray:
    """One channel of a (kh, kw, C) tap array; a gray (kh, kw) one as it is."""
    return values[:, :, channel] if values.ndim == 3 else values


def channel_name(channel: str) -> str:
    """A channel's name as shown ("Red", "Green", "Blue")."""
    return {"Red": _("Red"), "Green": _("Green"), "Blue": _("Blue")}.get(channel, channel)


def channel_names(e: PixelExplanation) -> list[str]:
    """The steps table's rows: one per channel, or "Gray"."""
    return [channel_name(CHANNELS[i]) for i in range(len(e.raw))] if e.neighbourhood.ndim == 3 else [_("Gray")]


def input_labels(e: PixelExplanation) -> tuple[list[str], list[str]]:
    """The input rows and columns the taps read (negative or past the edge: padding)."""
    return [_("row {r}", r=r) for r in e.rows], [_("col {c}", c=c) for c in e.cols]


def offset_labels(e: PixelExplanation) -> tuple[list[str], list[str]]:
    """The kernel's own labels: offsets from the centre pixel, in input pixels (they skip with dilation)."""
    return (
        [_("dy {d}", d=f"{r - e.in_row:+d}") for r in e.rows],
        [_("dx {d}", d=f"{c - e.in_col:+d}") for c in e.cols],
    )


def value_format(values: np.ndarray) -> str:
    """Whole numbers without decimals, anything else (e.g. luminance) with two."""
    return "{:.0f}" if float(np.abs(values - np.round(values)).max()) == 0 else "{:.2f}"


def tap_css(e: PixelExplanation, mode: str) -> np.ndarray:
    """Each tap cell's CSS: padding cells shaded, the anchor (the tap on the centre pixel) outlined."""
    css = np.where(e.outside, PADDING_CSS, "").astype(object)
    hit_r, hit_c = np.flatnonzero(e.rows == e.in_row), np.flatnonzero(e.cols == e.in_col)
    if mode != "valid" and hit_r.size and hit_c.size:  # (with dilation the centre may fall between taps)
        css[hit_r[0], hit_c[0]] += ANCHOR_CSS
    return css


def tap_table(values: np.ndarray, fmt: str, labels: tuple[list[str], list[str]], css: np.ndarray) -> Styler:
    """A tap grid labelled with ``labels`` (rows, columns), its cells formatted with ``fmt`` and styled with ``css``."""
    index, columns = labels
    return pd.DataFrame(values, index=index, columns=columns).style.format(fmt).apply(lambda _: css, axis=None)


def padding_note(mode: str) -> str:
    """Under the tables when some taps read padding."""
    text = _(
        "Shaded cells lie outside the photo: their values are padding from the '{mode}' border mode. ",
        mode=wording.mode_name(mode),
    )
    if mode == "constant":
        return text
    return text + _(
        "Their labels show the position outside the photo that is being read (e.g. row -1 is the row above row 0)."
    )


def dilation_note(dilation: int) -> str:
    return _(
        "Dilation {dilation}: the taps read every {dilation}th pixel, so the rows and columns above skip pixels.",
        dilation=dilation,
    )


def written_sum(values: np.ndarray, weights: np.ndarray, name: str, total: float) -> str | None:
    """The sum of products written out, zero weights left out (None for kernels of more than ``MAX_TERMS`` cells)."""
    if weights.size > MAX_TERMS:
        return None
    terms = " + ".join(
        f"{v:g}×{w:g}" if w >= 0 else f"{v:g}×({w:g})"
        for v, w in zip(values.ravel(), weights.ravel(), strict=True)
        if w != 0
    )
    return _(
        "{name}: {terms} = **{total}** (zero weights left out)", name=name, terms=terms or "0", total=f"{total:.4g}"
    )


def mapping_text(out_of_range: str, value_range: tuple[float, float] | None) -> str:
    """What the out-of-range mapping does, in words."""
    if out_of_range == "clip":
        return _("values below 0 become 0, above 255 become 255")
    if out_of_range == "abs":
        return _("the absolute value, clipped at 255")
    if out_of_range == "rescale" and value_range:
        return _(
            "stretched from the image's {low}..{high} to 0..255",
            low=f"{value_range[0]:.4g}",
            high=f"{value_range[1]:.4g}",
        )
    return {"rescale": ""}[out_of_range]


def steps_heading(e: PixelExplanation, settings: Settings) -> str:
    """Step 4's heading: the divisor, offset and mapping in use."""
    return _(
        "**4 · Sum → ÷ {divisor} + {offset} → 8 bits** ({normalised}{mean}out of range: {mapping})",
        divisor=f"{e.scale.divisor:.4g}",
        offset=f"{e.scale.offset:.4g}",
        normalised=_("auto-normalised, ") if settings.normalise else "",
        mean=_("mean of the cells, ") if settings.mean else "",
        mapping=mapping_text(settings.out_of_range, e.value_range),
    )


def steps_table(e: PixelExplanation) -> pd.DataFrame:
    """Per channel: the sum of products, after divisor and offset, and the output pixel."""
    return pd.DataFrame(
        {
            _("sum of products"): [f"{v:.4f}" for v in e.raw],
            f"÷ {e.scale.divisor:.4g} + {e.scale.offset:.4g}": [f"{v:.4f}" for v in e.scaled],
            _("output pixel"): [int(v) for v in e.final],
        },
        index=channel_names(e),
    )


# ------------------------------------------------------------------------------------------------ Streamlit parts
def clickable_photo(photo: Photo) -> dict[str, Any] | None:
    """The input photo, clickable; the last click in displayed pixels (with the displayed size), or None."""
    st.markdown(_("**Click a pixel of the input photo**"))
    # the browser gets a copy at twice the displayed width (sharp on high-DPI screens, light for big photos);
    # the click comes back in displayed pixels and is scaled to the full photo (``click_to_input``)
    shown = cache.preview(photo, 2 * CLICK_WIDTH).pixels
    return clickable_image(
        shown,
        alt=wording.alt_pick(
            photo.name,
            *photo.size,
            _("click a pixel to see how its output is computed, or type its row and column"),
        ),
        width=min(CLICK_WIDTH, photo.size[0]),
        key=CLICK_KEY,
        quality=90,
    )


def follow_click(
    click: Mapping[str, Any] | None,
    settings: Settings,
    kernel_shape: tuple[int, int],
    out_shape: tuple[int, int],
    in_size: tuple[int, int],
) -> None:
    """A new click (new timestamp) sets the output pixel centred nearest to it; the number inputs stay editable
    in between, and are brought back inside the output when it has shrunk since the last visit."""
    out_h, out_w = out_shape
    if click and click.get("unix_time") != st.session_state.get(LAST_CLICK_KEY):
        st.session_state[LAST_CLICK_KEY] = click.get("unix_time")
        r_in, c_in = click_to_input(click, *in_size)
        st.session_state[ROW_KEY], st.session_state[COL_KEY] = output_for_input(
            settings, kernel_shape, out_shape, r_in, c_in
        )
    for key, n in ((ROW_KEY, out_h), (COL_KEY, out_w)):
        value = st.session_state.get(key)
        if kept_or_middle(value, n) != value:
            st.session_state[key] = kept_or_middle(value, n)


def output_inputs(out_shape: tuple[int, int]) -> tuple[int, int]:
    """The output pixel's row and column as two number inputs."""
    out_h, out_w = out_shape
    st.markdown(_("**…or type output coordinates** (the output is {size})", size=wording.size(out_w, out_h)))
    c1, c2 = st.columns(2)
    row = int(c1.number_input(_("Output row"), 0, out_h - 1, step=1, key=ROW_KEY, persist_state="session"))
    col = int(c2.number_input(_("Output column"), 0, out_w - 1, step=1, key=COL_KEY, persist_state="session"))
    return row, col


def zoomed_crops(photo: Photo, output: np.ndarray, e: PixelExplanation, gray: bool) -> None:
    """The window the kernel covers on the input, and the pixel on the (8-bit) output, enlarged side by side."""
    box, radius, factor = crop_geometry(e)
    z1, z2 = st.columns(2)
    source = imgkernel.to_gray(photo.pixels) if gray else photo.pixels
    side = 2 * radius + 1
    top, left, bottom, right = box
    z1.image(
        zoomed_crop(source, e.in_row, e.in_col, radius, box, factor),
        caption=_("Input around row {row}, column {col}: the kernel's window", row=e.in_row, col=e.in_col),
        output_format="PNG",
        alt=wording.alt_zoom(
            _("Input"),
            side,
            wording.at_row_col(e.in_row, e.in_col),
            _("the {w} × {h} window the kernel reads", w=right - left + 1, h=bottom - top + 1),
        ),
    )
    row, col = e.out_row, e.out_col
    z2.image(
        zoomed_crop(output, row, col, radius, (row, col, row, col), factor),
        caption=_("Output around row {row}, column {col}", row=row, col=col),
        output_format="PNG",
        alt=wording.alt_zoom(_("Output"), side, wording.at_row_col(row, col), _("the output pixel"), e.final),
    )


def channel_picker(e: PixelExplanation) -> int:
    """The channel the tables show: a choice for colour photos, 0 for gray."""
    if e.neighbourhood.ndim != 3:
        return 0
    choice = st.segmented_control(
        _("Channel"),
        CHANNELS,
        format_func=channel_name,
        default="Red",
        key="walk_channel",
        persist_state="session",
        required=True,
    )
    return CHANNELS.index(choice)


def tap_tables(e: PixelExplanation, channel: int, settings: Settings) -> None:
    """1 · the neighbourhood, 2 · the kernel as applied, 3 · the products, with notes on padding and dilation."""
    hood, products = channel_of(e.neighbourhood, channel), channel_of(e.products, channel)
    css, labels = tap_css(e, settings.mode), input_labels(e)
    show = st.dataframe if max(e.kernel.shape) > BIG_KERNEL else st.table
    c1, c2, c3 = st.columns(3)
    with c1:
        st.markdown(_("**1 · Neighbourhood** (input values)"))
        show(tap_table(hood, value_format(hood), labels, css))
    with c2:
        st.markdown(_("**2 · Kernel**") + (_(" rotated 180° (true convolution)") if settings.true_convolution else ""))
        show(tap_table(e.kernel, "{:.4g}", offset_labels(e), css))
    with c3:
        st.markdown(_("**3 · Products** (value × weight)"))
        show(tap_table(products, "{:.4g}", labels, css))
    if e.outside.any():
        st.caption(padding_note(settings.mode))
    if settings.dilation > 1:
        st.caption(dilation_note(settings.dilation))


def sum_and_steps(e: PixelExplanation, channel: int, settings: Settings) -> None:
    """The chosen channel's sum written out (small kernels), then 4 · divisor, offset and mapping per channel."""
    name = channel_name(CHANNELS[channel]) if e.neighbourhood.ndim == 3 else _("Gray")
    line = written_sum(channel_of(e.neighbourhood, channel), e.kernel, name, float(e.raw[channel]))
    if line is not None:
        st.markdown(line)
    st.markdown(steps_heading(e, settings))
    st.table(steps_table(e))
