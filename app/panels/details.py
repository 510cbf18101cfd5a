"""Below the pictures, one panel at a time, closed at first (only the open one is computed and sent, so a
weight change costs no more than it must): the difference, a pixel loupe, the histogram, export and share."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np
import streamlit as st

import imgkernel
from imgkernel.formats import acf, kernel_io
from imgkernel.learn.walkthrough import output_for_input, window_box, zoomed_crop
from imgkernel.pipeline import Settings, prepare, scale_for

from .. import cache, export, i18n, session, share, wording
from ..clickable import clickable_image
from ..i18n import _
from ..later import Later
from ..limits import MAX_SHARE_QUERY_CHARS
from ..state import (
    DETAILS,
    Photo,
    PlaygroundState,
    current_download,
    drop_download,
    load_kernel,
    prepared,
    refuse_kernel_file,
    set_view,
    to_link,
)
from .code import code_panel
from .grid import CORE
from .pictures import title as shown_title

LOUPE_RADIUS = 7  # the loupe shows 15 x 15 input pixels
PICK_WIDTH = 320  # displayed width of the photo clicked to place the loupe


def details(state: PlaygroundState, small: Photo) -> None:
    names = {
        "Difference": _("Difference"),
        "Zoom": _("Zoom"),
        "Histogram": _("Histogram"),
        "Export and share": _("Export and share"),
        "In your code": _("In your code"),
    }
    choice = st.segmented_control(
        _("More"),
        DETAILS,
        format_func=lambda d: names.get(d, d),
        label_visibility="collapsed",
        **session.control(state, "view", "pg_detail", state.view.detail, set_view, field="detail"),
    )
    panel = {
        "Difference": _difference,
        "Zoom": _zoom,
        "Histogram": _histogram,
        "Export and share": _export,
        "In your code": lambda state, _small: code_panel(state, "pg_code"),
    }
    if choice in panel:
        panel[choice](state, small)


def _difference(state: PlaygroundState, small: Photo) -> None:
    try:
        diff = cache.difference(small, state.matrix, state.settings)
    except imgkernel.KernelError:
        return  # the pictures above already say why
    if diff is None:
        s = state.settings
        st.info(
            _(
                "The result's size differs from the original's (stride {stride}, border mode {mode}): there is no "
                "pixel-by-pixel difference. The loupe shows the two side by side.",
                stride=s.stride,
                mode=wording.mode_name(s.mode),
            )
        )
        return
    png, mean = diff
    left, right = st.columns(2)
    left.image(
        png,
        caption=_("|filtered − original|"),
        output_format="PNG",
        alt=wording.alt_difference(small.name, shown_title(state), *small.size, mean),
    )
    right.markdown(
        _(
            "Mean difference **{mean}** grey levels per channel. Bright where the kernel changed the photo most, "
            "black where it left it alone.",
            mean=f"{mean:.2f}",
        )
    )


@dataclass(frozen=True)
class LoupeSpot:
    """Where the loupe looks: the input pixel picked, the result pixel it maps to, and what that pixel reads."""

    row: int  # the input pixel picked (clicked or typed)
    col: int
    out_row: int  # the result pixel whose window is centred nearest to it (stride and ``valid`` mapped)
    out_col: int
    window: tuple[int, int, int, int]  # (top, left, bottom, right), inclusive: the input pixels that result pixel reads
    centre: tuple[int, int]  # (row, col) the original's loupe is centred on: the window's middle, in the image


def loupe_spot(
    settings: Settings,
    kernel_shape: tuple[int, int],
    in_shape: tuple[int, ...],
    out_shape: tuple[int, ...],
    zoom_at: tuple[float, float],
) -> LoupeSpot:
    """The loupe's geometry for the spot ``zoom_at`` (fractions of width and height), without drawing anything.

    The box outlined on the original is the window of the *result* pixel shown beside it, taken from its taps
    (``window_box``, as the walkthrough does), not a kernel-sized box around the picked pixel: with stride > 1
    the result pixel reads around (i·s, j·s), true convolution moves an even kernel's anchor, and dilation
    spreads the taps. The original is centred on that window, so both enlargements show the same place."""
    h, w = in_shape[:2]
    fx, fy = zoom_at
    row, col = min(h - 1, int(fy * h)), min(w - 1, int(fx * w))
    out_row, out_col = output_for_input(settings, kernel_shape, out_shape, row, col)
    window = window_box(settings, kernel_shape, out_row, out_col)
    top, left, bottom, right = window
    # the middle of the window (an even one's lower-right middle pixel); it may fall one past the last row or
    # column when the taps read padding there, and the loupe names the pixel it is centred on, so kept inside
    centre = (min(h - 1, max(0, (top + bottom + 1) // 2)), min(w - 1, max(0, (left + right + 1) // 2)))
    return LoupeSpot(row, col, out_row, out_col, window, centre)


def _zoom(state: PlaygroundState, small: Photo) -> None:
    """A nearest-neighbour loupe on one spot, the same spot in both pictures (stride and ``valid`` mapped)."""
    s = state.settings
    try:
        result = cache.filtered(small, state.matrix, s)
    except imgkernel.KernelError:
        return
    h, w = small.pixels.shape[:2]
    pick, a, b = st.columns([2, 3, 3])
    with pick:
        st.markdown(_("**Click where to look** (or type the spot)"))
        shown = cache.preview(small, 2 * PICK_WIDTH).pixels
        click = clickable_image(
            shown,
            alt=wording.alt_pick(
                small.name, w, h, _("click where to look; the two enlargements beside show that spot")
            ),
            width=min(PICK_WIDTH, w),
            key="pg_loupe_click",
        )
        if (
            click
            and (click["x"] / (click.get("width") or w), click["y"] / (click.get("height") or h)) != state.view.zoom_at
        ):
            state = session.apply(
                set_view, zoom_at=(click["x"] / (click.get("width") or w), click["y"] / (click.get("height") or h))
            )
        out = cache.displayed(result, state.view.mode)
        spot = loupe_spot(s, state.matrix.shape, small.pixels.shape, out.shape, state.view.zoom_at)
        # the same spot by keyboard: pixel coordinates, kept in the state as fractions like a click
        x, y = st.columns(2)
        x.number_input("x", 0, w - 1, step=1, **session.control(state, "view", "pg_loupe_x", spot.col, _look_at, 0, w))
        y.number_input("y", 0, h - 1, step=1, **session.control(state, "view", "pg_loupe_y", spot.row, _look_at, 1, h))
    out_row, out_col = spot.out_row, spot.out_col
    row, col = spot.centre
    window = spot.window
    kh, kw = window[2] - window[0] + 1, window[3] - window[1] + 1  # the dilated kernel's span
    original = prepare(small.pixels, s)
    factor = 16
    a.image(
        zoomed_crop(original, row, col, LOUPE_RADIUS, window, factor),
        caption=_("Original around x {x}, y {y}; the box is the kernel's window", x=col, y=row),
        output_format="PNG",
        alt=wording.alt_zoom(
            _("Original"),
            2 * LOUPE_RADIUS + 1,
            wording.at_xy(col, row),
            _("the kernel's {cols} × {rows} window", cols=kw, rows=kh),
            original[row, col],
        ),
    )
    radius = max(1, LOUPE_RADIUS // s.stride)  # the same area of the photo: fewer, larger output pixels
    b.image(
        zoomed_crop(
            out,
            out_row,
            out_col,
            radius,
            (out_row, out_col, out_row, out_col),
            factor * LOUPE_RADIUS // radius if s.stride > 1 else factor,
        ),
        caption=_("Result pixel x {x}, y {y} (outlined)", x=out_col, y=out_row),
        output_format="PNG",
        alt=wording.alt_zoom(
            _("Result (signed colours)") if state.view.mode == "signed" else _("Result"),
            2 * radius + 1,
            wording.at_xy(out_col, out_row),
            _("that pixel"),
            None if state.view.mode == "signed" else out[out_row, out_col],
        ),
    )


def _look_at(state: PlaygroundState, axis: int, size: int, value: int) -> PlaygroundState:
    """Put the loupe on pixel ``value`` along ``axis`` (0: x, 1: y) of a picture ``size`` pixels long there."""
    spot = list(state.view.zoom_at)
    spot[axis] = min(1.0, (int(value) + 0.5) / size)
    return set_view(state, zoom_at=(spot[0], spot[1]))


def _histogram(state: PlaygroundState, small: Photo) -> None:
    try:
        counts, edges = cache.histogram(small, state.matrix, state.settings)
    except imgkernel.KernelError:
        return
    st.vega_lite_chart(histogram_spec(counts, edges), width="stretch")
    st.caption(
        _(
            "Filter responses after divisor and offset (all channels). Between the grey lines, 0 and 255, "
            "is what the screen can show; the rest is mapped by the out-of-range choice."
        )
    )


def histogram_spec(counts: np.ndarray, edges: np.ndarray) -> dict:
    """A Vega-Lite histogram with the displayable range 0..255 marked (a plain spec: Altair's validation
    costs ~25 ms a rerun)."""
    bars = [
        {"from": float(a), "to": float(b), "count": int(c)}
        for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)
    ]
    return {
        "description": wording.histogram_description(counts, edges),
        "config": wording.CHART_CONFIG,
        "height": 260,
        "layer": [
            {
                "data": {"values": bars},
                "mark": "rect",
                "encoding": {
                    "x": {"field": "from", "type": "quantitative", "title": _("response (grey levels)")},
                    "x2": {"field": "to"},
                    "y": {"field": "count", "type": "quantitative", "title": _("count")},
                    "y2": {"datum": 0},
                    "tooltip": [
                        {"field": "from", "type": "quantitative", "format": ".1f"},
                        {"field": "to", "type": "quantitative", "format": ".1f"},
                        {"field": "count", "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": [{"at": 0}, {"at": 255}]},
                "mark": {"type": "rule", "color": "grey", "strokeDash": [4, 3], "aria": False},  # in the description
                "encoding": {"x": {"field": "at", "type": "quantitative"}},
            },
        ],
    }


def _on_kernel_file() -> None:
    """A kernel file was dropped: use it as a custom kernel, or say why not (the current one stays)."""
    f = st.session_state.get("pg_json")
    if f is None:
        return
    try:
        data = f.getvalue()
        doc = acf.kernel_from_acf(data, f.name[:-4]) if acf.is_acf(f.name) else kernel_io.kernel_from_json(data)
    except imgkernel.KernelError as exc:
        session.apply(refuse_kernel_file, Later("{name}: {reason}", name=f.name, reason=exc))
    else:
        session.apply(load_kernel, doc.matrix, title=doc.name or None, divisor=doc.divisor, offset=doc.offset)
    st.rerun(scope=CORE)  # a new kernel, or why not (under the grid): the whole kernel area, not just this panel


def _downloaded() -> None:
    """The full-resolution PNG's ``on_click``: once downloaded, let go of it (a 50 MP PNG is ~100 MB).

    Dropping it from the state frees our copy. Streamlit's media store keeps its own until a *full* run: a
    fragment run keeps every file's reference, and this button sits in the playground's fragment, so its click
    alone would rerun just the fragment and the file would stay until the sidebar next changes. ``st.rerun()``
    from the callback makes this click's run a full-app run instead (nothing is drawn twice, unlike a rerun
    from the panel, which threw away the fragment run it interrupted)."""
    session.apply(drop_download)
    st.rerun(scope="app")


def _export(state: PlaygroundState, small: Photo) -> None:
    photo, title = state.photo, state.title
    size = wording.size(*photo.size)
    if st.button(
        _("Prepare full-resolution PNG ({size})", size=size),
        key="pg_prepare",
        help=_("The screen shows a preview") if small is not photo else None,
    ):  # in the run, not a callback: the queue and the progress are shown while it waits and works
        state = session.apply(prepared, export.full_resolution(state))
    png = current_download(state)
    if png is not None:
        st.download_button(
            _("Download PNG ({size}, {mb} MB)", size=size, mb=f"{len(png) / 1e6:.1f}"),
            png,
            file_name=f"{file_stem(photo.name.rsplit('.', 1)[0])}-{file_stem(title)}.png",
            mime="image/png",
            key="pg_download_png",
            on_click=_downloaded,
        )
    st.divider()
    a, b = st.columns(2)
    scale = scale_for(state.matrix, state.settings)  # what is applied now
    doc = kernel_io.kernel_to_json(state.matrix, name=title, divisor=scale.divisor, offset=scale.offset)
    a.download_button(
        _("Download kernel JSON"),
        doc,
        file_name=f"{file_stem(title)}.json",
        mime="application/json",
        key="pg_json_download",
        on_click="ignore",
    )
    b.file_uploader(
        _("Load a kernel file (JSON, or a Photoshop Custom filter .acf)"),
        type=["json", "acf"],
        key="pg_json",
        max_upload_size=1,  # MB: a kernel file is at most imgkernel.limits.MAX_KERNEL_JSON_BYTES
        on_change=_on_kernel_file,
    )
    try:
        photoshop = acf.kernel_to_acf(state.matrix, scale.divisor, scale.offset)
    except imgkernel.KernelError as exc:
        a.caption(_("No Photoshop .acf for this kernel: {reason}", reason=i18n.message(exc)))
    else:
        a.download_button(
            _("Download Photoshop Custom filter (.acf)"),
            photoshop,
            file_name=f"{file_stem(title)}.acf",
            mime="application/octet-stream",
            key="pg_acf_download",
            on_click="ignore",
        )
    with a.expander(_("Show the kernel JSON")):
        st.code(doc, language="json")
    st.divider()
    st.markdown(_("**Share link** (kernel, options and sample photo; uploads stay on your device)"))
    url, too_long = share_link(state)
    st.code(url, language=None)
    if too_long:
        st.caption(
            _(
                "This grid is too big for a link, which keeps only the options and the photo: "
                "share the kernel JSON file for the weights."
            )
        )


def share_query(state: PlaygroundState) -> tuple[dict[str, str], bool]:
    """The link's query for ``state``, and whether the kernel had to be left out (a big grid)."""
    query = share.encode(to_link(state))
    too_long = len(urlencode(query)) > MAX_SHARE_QUERY_CHARS
    if too_long:
        query = {key: value for key, value in query.items() if key not in ("k", "m")}
    return {**query, **i18n.link_query()}, too_long


def share_link(state: PlaygroundState) -> tuple[str, bool]:
    query, too_long = share_query(state)
    return f"{st.context.url or ''}?{urlencode(query)}", too_long


def file_stem(text: str) -> str:
    """A safe download file-name part from any text: lower-case letters, digits and dashes only."""
    return "-".join("".join(c if c.isalnum() and c.isascii() else " " for c in text.lower()).split())[:60] or "image"
