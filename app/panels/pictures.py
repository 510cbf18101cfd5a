"""The original and the result side by side, at their natural size: the pictures are the point.

Both are PNG (exact pixels). A strided result is drawn at its true size relative to the original (half as
wide for stride 2). On a phone the columns stack and the result comes first, right under the sliders.
"""

from __future__ import annotations

import streamlit as st

import imgkernel

from .. import cache, i18n, wording
from ..i18n import _
from ..state import DETAILS_READING_RESULT, Photo, PlaygroundState


def original(state: PlaygroundState, small: Photo) -> None:
    """The photo as the filter reads it (drawn by the kernel area: no weight change redraws it)."""
    w, h = small.size
    gray = state.settings.gray
    name = _("Original (luminance)") if gray else _("Original")  # (outside the f-string, where Babel finds it)
    with st.container(key="pg-original"):
        st.image(
            cache.original_png(small, gray),
            caption=f"{name} · {wording.size(w, h)}",
            output_format="PNG",
            alt=wording.alt_photo(small.name, w, h, gray=gray),
        )


def result(state: PlaygroundState, small: Photo) -> None:
    """The filtered picture beside the original, captioned with its numbers (``result_line``), or why the settings
    cannot be applied. One caption, not a picture titled and a caption under it: each element a slider step
    redraws costs the browser time."""
    s = state.settings
    w = small.size[0]
    here = st.container(key="pg-result")
    with here:
        try:
            shared = state.view.detail in DETAILS_READING_RESULT
            v = cache.result_view(small, state.matrix, s, state.view.mode, shared)
        except imgkernel.KernelError as exc:
            st.error(i18n.message(exc))
            return
        # Drawn at its own pixel size; when a stride shrank it, in a box of the same fraction of the column,
        # so it keeps its size relative to the original also when the browser scales both down.
        box = st.columns([v.width, max(1, w - v.width)], gap=None)[0] if v.width < w else here
        box.image(  # as encoded: exact pixels; the numbers in its caption, as the original has its size in its own
            v.png,
            caption=result_line(state, small, v),
            output_format="PNG",
            alt=wording.alt_result(small.name, title(state), v.width, v.height, v.low, v.high, state.view.mode),
        )
        if state.view.mode == "signed":
            box.image(
                cache.colour_scale(),
                width="stretch",
                output_format="PNG",
                caption=_("{legend} (channel mean)", legend=wording.signed_legend(v.limit)),
                alt=wording.alt_scale(v.limit),
            )


def title(state: PlaygroundState) -> str:
    """The kernel's name as shown: a preset's title, a file's name, or "Custom (from …)", in the visitor's language."""
    k = state.kernel
    spec = imgkernel.CATALOGUE.get(k.preset)
    if not k.custom:
        return wording.kernel_title(k.preset, spec.title) if spec else k.preset
    if k.title:
        return k.title
    return _("Custom (from {kernel})", kernel=wording.kernel_title(k.preset, spec.title)) if spec else _("Custom")


def result_line(state: PlaygroundState, small: Photo, v: cache.ResultView) -> str:
    """The result's caption: the kernel, size, value range, clipped pixels (or the view in use)."""
    shown = (
        _("{count} pixels clipped ({share})", count=f"{v.clipped_pixels:,}", share=f"{v.clipped_fraction:.1%}")
        if state.view.mode == "clip"
        else _("view {view}", view=wording.view_name(state.view.mode))
    )
    full_w, full_h = state.photo.size
    full = wording.size(full_w, full_h)
    where = _("preview of a {size} photo", size=full) if small is not state.photo else _("full size")
    return _(
        "Result: {kernel} · {size} · values {low} to {high} · {shown} · {where}",
        kernel=title(state),
        size=wording.size(v.width, v.height),
        low=f"{v.low:.1f}",
        high=f"{v.high:.1f}",
        shown=shown,
        where=where,
    )
