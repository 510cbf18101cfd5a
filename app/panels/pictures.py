"""The original and the result side by side, at their natural size: the pictures are the point.

Both are PNG (exact pixels). A strided result is drawn at its true size relative to the original (half as
wide for stride 2). On a phone the columns stack and the result comes first, right under the sliders.
"""

from __future__ import annotations

import streamlit as st

import imgkernel

from .. import cache, wording
from ..state import Photo, PlaygroundState


def pictures(state: PlaygroundState, small: Photo) -> cache.ResultView | None:
    """Draw both pictures; returns the result's numbers (None when the settings cannot be applied)."""
    s = state.settings
    w, h = small.size
    left, right = st.columns(2, gap="small")
    with left, st.container(key="pg-original"):
        st.image(
            cache.original_png(small, s.gray),
            caption=f"Original{' (luminance)' if s.gray else ''} · {wording.size(w, h)}",
            output_format="PNG",
            alt=wording.alt_photo(small.name, w, h, gray=s.gray),
        )
    with right, st.container(key="pg-result"):
        try:
            v = cache.result_view(small, state.matrix, s, state.view.mode)
        except imgkernel.KernelError as exc:
            st.error(str(exc))
            return None
        # Drawn at its own pixel size; when a stride shrank it, in a box of the same fraction of the column,
        # so it keeps its size relative to the original also when the browser scales both down.
        box = st.columns([v.width, max(1, w - v.width)], gap=None)[0] if v.width < w else st.container()
        box.image(  # as encoded: exact pixels
            v.png,
            caption=state.title,
            output_format="PNG",
            alt=wording.alt_result(small.name, state.title, v.width, v.height, v.low, v.high, state.view.mode),
        )
        if state.view.mode == "signed":
            box.image(
                cache.colour_scale(),
                width="stretch",
                output_format="PNG",
                caption=f"{wording.signed_legend(v.limit)} (channel mean)",
                alt=wording.alt_scale(v.limit),
            )
    return v


def result_line(state: PlaygroundState, small: Photo, v: cache.ResultView) -> str:
    """The numbers under the pictures: size, value range, clipped pixels (or the view in use)."""
    shown = (
        f"{v.clipped_pixels:,} pixels clipped ({v.clipped_fraction:.1%})"
        if state.view.mode == "clip"
        else f"view {state.view.mode}"
    )
    full_w, full_h = state.photo.size
    where = f"preview of a {wording.size(full_w, full_h)} photo" if small is not state.photo else "full size"
    return (
        f"Result: {state.title} · {wording.size(v.width, v.height)} · values {v.low:.1f} to {v.high:.1f} · "
        f"{shown} · {where}"
    )
