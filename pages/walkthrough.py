"""Pixel walkthrough: how one output pixel is computed from its neighbourhood, step by step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import imgkernel
from app import cache, session, wording
from imgkernel.walkthrough import coordinates_note, explain_pixel, output_for_input, zoomed_crop

CLICK_WIDTH = 480  # displayed width of the clickable photo, in screen pixels
CHANNELS = ("Red", "Green", "Blue")

st.title("How is this output pixel computed?")
full = session.current().photo
photo = cache.preview(full)  # the size the playground shows by default: a 12 MP photo would be unclickable
in_w, in_h = photo.size
choice = session.current()
settings = choice.settings
kernel = np.asarray(choice.matrix, dtype=np.float64)
st.caption(
    f"Photo: **{photo.name}** · kernel: **{choice.title}** · border **{settings.mode}**, stride "
    f"{settings.stride}, dilation {settings.dilation}"
    f"{', true convolution' if settings.true_convolution else ''}. Change them in the Playground."
    + (
        f" Working on the {wording.size(in_w, in_h)} preview of the {wording.size(*full.size)} photo."
        if photo is not full
        else ""
    )
)

try:
    result = cache.filtered(photo, kernel, settings)
except imgkernel.KernelError as err:
    st.error(str(err))
    st.stop()
out_h, out_w = result.values.shape[:2]

# A click on the input photo picks the output pixel centred nearest to it; a new click (new timestamp) overrides
# the number inputs, which stay editable in between.
left, right = st.columns([3, 2])
with left:
    st.markdown("**Click a pixel of the input photo**")
    # the browser gets a copy at twice the displayed width (sharp on high-DPI screens, light for big photos);
    # the click comes back in displayed pixels and is scaled to the full photo below
    shown = cache.preview(photo, 2 * CLICK_WIDTH).pixels
    click = streamlit_image_coordinates(
        shown, width=min(CLICK_WIDTH, in_w), key="walk_click", image_format="JPEG", jpeg_quality=90, cursor="crosshair"
    )
if click and click.get("unix_time") != st.session_state.get("walk_last_click"):
    st.session_state["walk_last_click"] = click.get("unix_time")
    shown_w, shown_h = click.get("width") or in_w, click.get("height") or in_h
    r_in = min(in_h - 1, int(click["y"] * in_h / shown_h))
    c_in = min(in_w - 1, int(click["x"] * in_w / shown_w))
    st.session_state["walk_row"], st.session_state["walk_col"] = output_for_input(
        settings, kernel.shape, (out_h, out_w), r_in, c_in
    )
for key, n in (("walk_row", out_h), ("walk_col", out_w)):  # the output may have shrunk since the last visit
    if key not in st.session_state or not 0 <= st.session_state[key] < n:
        st.session_state[key] = n // 2

with right:
    st.markdown(f"**…or type output coordinates** (the output is {wording.size(out_w, out_h)})")
    c1, c2 = st.columns(2)
    row = int(c1.number_input("Output row", 0, out_h - 1, step=1, key="walk_row"))
    col = int(c2.number_input("Output column", 0, out_w - 1, step=1, key="walk_col"))
    e = explain_pixel(photo.pixels, kernel, settings, row, col, value_range=(result.mapped.low, result.mapped.high))
    st.caption(coordinates_note(settings, kernel.shape, row, col))

    # the zoomed crops: the window the kernel covers on the input, the pixel on the output
    span_box = (int(e.rows.min()), int(e.cols.min()), int(e.rows.max()), int(e.cols.max()))
    radius = max(4, min(12, max(span_box[2] - span_box[0], span_box[3] - span_box[1]) // 2 + 2))
    factor = max(4, 240 // (2 * radius + 1))
    z1, z2 = st.columns(2)
    source = imgkernel.to_gray(photo.pixels) if settings.gray else photo.pixels
    z1.image(
        zoomed_crop(source, e.in_row, e.in_col, radius, span_box, factor),
        caption=f"Input around row {e.in_row}, column {e.in_col}: the kernel's window",
        output_format="PNG",
    )
    z2.image(
        zoomed_crop(result.mapped.image, row, col, radius, (row, col, row, col), factor),
        caption=f"Output around row {row}, column {col}",
        output_format="PNG",
    )

# ---------------------------------------------------------------------------------------------- the numbers
colour = e.neighbourhood.ndim == 3
channel = 0
if colour:
    channel = CHANNELS.index(
        st.segmented_control("Channel", CHANNELS, default="Red", key="walk_channel", required=True)
    )
hood = e.neighbourhood[:, :, channel] if colour else e.neighbourhood
products = e.products[:, :, channel] if colour else e.products
row_labels = [f"row {r}" for r in e.rows]
col_labels = [f"col {c}" for c in e.cols]


def styled(
    values: np.ndarray, fmt: str, labels: tuple[list[str], list[str]] | None = None
) -> pd.io.formats.style.Styler:
    """A tap grid labelled with the input rows/columns it reads; padding cells shaded, the anchor outlined."""
    index, columns = labels or (row_labels, col_labels)
    df = pd.DataFrame(values, index=index, columns=columns)
    css = np.where(e.outside, "background-color: rgba(128, 128, 128, 0.35); font-style: italic", "")
    hit_r, hit_c = np.flatnonzero(e.rows == e.in_row), np.flatnonzero(e.cols == e.in_col)
    if settings.mode != "valid" and hit_r.size and hit_c.size:  # (with dilation the centre may fall between taps)
        css[hit_r[0], hit_c[0]] += "; font-weight: bold; border: 2px solid #e6b800"
    return df.style.format(fmt).apply(lambda _: css, axis=None)


big = max(kernel.shape) > 9
show = st.dataframe if big else st.table
c1, c2, c3 = st.columns(3)
with c1:
    st.markdown("**1 · Neighbourhood** (input values)")
    show(styled(hood, "{:.0f}" if float(np.abs(hood - np.round(hood)).max()) == 0 else "{:.2f}"))
with c2:
    st.markdown("**2 · Kernel**" + (" rotated 180° (true convolution)" if settings.true_convolution else ""))
    # the kernel's own labels: offsets from the centre pixel, in input pixels (they skip with dilation)
    offsets = ([f"dy {r - e.in_row:+d}" for r in e.rows], [f"dx {c - e.in_col:+d}" for c in e.cols])
    show(styled(e.kernel, "{:.4g}", offsets))
with c3:
    st.markdown("**3 · Products** (value × weight)")
    show(styled(products, "{:.4g}"))
if e.outside.any():
    st.caption(
        f"Shaded cells lie outside the photo: their values are padding from the '{settings.mode}' border "
        "mode. "
        + (
            ""
            if settings.mode == "constant"
            else "Their labels show the position outside the photo "
            "that is being read (e.g. row -1 is the row above row 0)."
        )
    )
if settings.dilation > 1:
    st.caption(
        f"Dilation {settings.dilation}: the taps read every {settings.dilation}th pixel, so the rows and "
        "columns above skip pixels."
    )

if kernel.size <= 25:
    terms = " + ".join(
        f"{v:g}×{w:g}" if w >= 0 else f"{v:g}×({w:g})"
        for v, w in zip(hood.ravel(), e.kernel.ravel(), strict=True)
        if w != 0
    )
    name = CHANNELS[channel] if colour else "Gray"
    st.markdown(f"{name}: {terms or '0'} = **{e.raw[channel]:.4g}** (zero weights left out)")

# steps per channel: sum, divisor/offset, mapping
names = [CHANNELS[i] for i in range(len(e.raw))] if colour else ["Gray"]
mapping = {
    "clip": "values below 0 become 0, above 255 become 255",
    "abs": "the absolute value, clipped at 255",
    "rescale": f"stretched from the image's {e.value_range[0]:.4g}..{e.value_range[1]:.4g} to 0..255"
    if e.value_range
    else "",
}[settings.out_of_range]
st.markdown(
    f"**4 · Sum → ÷ {e.scale.divisor:.4g} + {e.scale.offset:.4g} → 8 bits** "
    f"({'auto-normalised, ' if settings.normalise else ''}{'mean of the cells, ' if settings.mean else ''}"
    f"out of range: {mapping})"
)
steps = pd.DataFrame(
    {
        "sum of products": [f"{v:.4f}" for v in e.raw],
        f"÷ {e.scale.divisor:.4g} + {e.scale.offset:.4g}": [f"{v:.4f}" for v in e.scaled],
        "output pixel": [int(v) for v in e.final],
    },
    index=names,
)
st.table(steps)
st.caption("The output pixel equals the one in the Playground's filtered image at the same position.")
