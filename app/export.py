"""The full-resolution export: waits its turn in the process's memory budget, says so, then filters and encodes
band by band, showing how far along it is."""

from __future__ import annotations

import time

import streamlit as st

import imgkernel

from . import cache, wording
from .budget import MemoryBudget, Ticket, export_cost, queued_message, shared_budget
from .i18n import _
from .state import PlaygroundState


def memory_budget() -> MemoryBudget:
    """The one budget of this server process, shared by every session (see ``app.budget``)."""
    return shared_budget()


def output_samples(state: PlaygroundState) -> tuple[int, int, int]:
    """Height, width and samples per pixel (alpha included) of the full-resolution PNG ``state`` asks for."""
    photo, s = state.photo, state.settings
    px = photo.pixels
    try:
        h, w = imgkernel.output_shape(
            px.shape[:2], state.matrix.shape, mode=s.mode, stride=s.stride, dilation=s.dilation
        )
    except imgkernel.KernelError:  # the export will say why; estimate on the photo's size meanwhile
        h, w = px.shape[:2]
    colours = 3 if state.view.mode == "signed" else 1 if px.ndim == 2 or s.gray else px.shape[2]
    return h, w, colours + (photo.alpha is not None)


def full_resolution(state: PlaygroundState) -> bytes:
    """The filtered photo at full size as PNG, made once the memory budget lets it; progress on screen."""
    photo = state.photo
    size = wording.size(*photo.size)
    status = st.status(_("Preparing the full-resolution PNG ({size})…", size=size), expanded=False)

    def queued(ticket: Ticket) -> None:
        status.update(
            label=queued_message(
                ticket.ahead, _("Yours starts as soon as there is room (changing the kernel or options cancels it).")
            )
        )

    shown = [-1.0, 0.0]  # the last percentage shown, and when

    def progress(fraction: float) -> None:
        now = time.monotonic()
        if fraction * 100 >= shown[0] + 5 or now - shown[1] > 1:  # a few updates, not one per band
            shown[:] = [fraction * 100, now]
            status.update(label=_("Filtering and encoding {size}: {percent}", size=size, percent=f"{fraction:.0%}"))

    with memory_budget().reserve(export_cost(*output_samples(state)), on_wait=queued):
        status.update(label=_("Filtering and encoding {size}…", size=size))
        png = cache.full_resolution_png(photo, state.matrix, state.settings, state.view.mode, progress)
    status.update(label=_("Ready: {mb} MB", mb=f"{len(png) / 1e6:.1f}"), state="complete")
    return png
