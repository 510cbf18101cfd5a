"""The full-resolution export: waits its turn in the process's memory budget, says so, then filters and encodes."""

from __future__ import annotations

import streamlit as st

from . import cache, wording
from .budget import MemoryBudget, Ticket, budget_from_env, export_cost
from .state import PlaygroundState


@st.cache_resource
def memory_budget() -> MemoryBudget:
    """The one budget of this server process, shared by every session (see ``app.budget``)."""
    return MemoryBudget(budget_from_env())


def full_resolution(state: PlaygroundState) -> bytes:
    """The filtered photo at full size as PNG, made once the memory budget lets it; progress on screen."""
    photo = state.photo
    h, w = photo.pixels.shape[:2]
    channels = (1 if photo.pixels.ndim == 2 else photo.pixels.shape[2]) + (photo.alpha is not None)
    size = wording.size(w, h)
    status = st.status(f"Preparing the full-resolution PNG ({size})…", expanded=False)

    def queued(ticket: Ticket) -> None:
        status.update(
            label=f"Queued: {ticket.ahead} export(s) before yours are using the server's memory. Yours starts "
            "as soon as there is room (changing the kernel or options meanwhile cancels it)."
        )

    with memory_budget().reserve(export_cost(h, w, channels), on_wait=queued):
        status.update(label=f"Filtering and encoding {size}…")
        png = cache.full_resolution_png(photo, state.matrix, state.settings, state.view.mode)
    status.update(label=f"Ready: {len(png) / 1e6:.1f} MB", state="complete")
    return png
