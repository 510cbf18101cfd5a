"""The playground: pick a photo and a kernel (preset, sliders or your own grid) and see the filter side by side.

Layout only: the state is one ``app.state.PlaygroundState`` (``app.session``), each part of the page is a
panel in ``app.panels``. The kernel area is one fragment (``pg-core``): a control in it reruns just that area;
the sidebar (photo and options) reruns the whole page. Inside it, what a weight change redraws (the live sliders,
the result, the editor with its sum of weights) is one fragment drawing into three containers of the area
(``pg-hot``),
and the panel under the pictures another: a live drag or a typed weight reruns only those that show something
new, in one script run when no panel is open (``app.panels.grid.rerun_scope``).

The address bar is the share link: the grid's browser side puts it there on every run. Only the kernel area's
runs also write it to ``st.query_params``, Streamlit's own copy (what a reconnect or a page change sends back):
each such write makes the front end re-render the whole page, too slow for every step of a drag.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from app import cache, i18n, session
from app.i18n import _
from app.panels.details import details, share_query
from app.panels.grid import CORE, DETAILS, HOT, grid_editor
from app.panels.kernel import kernel_controls, kernel_sliders
from app.panels.live import live_view
from app.panels.options import options_box
from app.panels.photo import photo_box
from app.panels.pictures import original, result
from app.threads import request_threads

log = logging.getLogger("imgkernel.playground")  # page scripts run as __main__


def oops() -> str:
    return _(
        "Something went wrong while drawing this page. Your photo and kernel are kept; "
        "try another setting or reload the page."
    )


def part(key: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A part of the page as a keyed fragment (``app.panels.grid`` says which the kernel editor reruns), with its
    last line of defence: a friendly message, the details in the server log."""

    def fragment(draw: Callable[..., None]) -> Callable[..., None]:
        def run(*args: DeltaGenerator) -> None:
            try:
                with request_threads():  # a fragment rerun skips the entry script's cap (app/threads.py)
                    draw(*args)
            except Exception:
                log.exception("playground failed")
                st.error(oops())

        run.__name__ = draw.__name__
        return st.fragment(run, key=key)

    return fragment


@part(HOT)
def hot(sliders: DeltaGenerator, pictures: DeltaGenerator, grid: DeltaGenerator) -> None:
    """Everything a weight or a parameter changes, in three containers the kernel area made for it: the live
    sliders, the result (with the live camera on, the camera, or both pictures when this visitor cannot have it),
    and the editor (the grid, its size and scale, the sum of weights). One fragment: a drag or a typed weight
    reruns it alone, in one script run (a fragment that draws into outside containers redraws them in place, and
    their widgets rerun it)."""
    state = session.current()
    with sliders:
        kernel_sliders(state)
    small = cache.preview(state.photo, state.view.preview)
    with pictures:
        if not state.view.live:
            result(state, small)
        elif not live_view(state):
            left, right = st.columns(2, gap="small")
            with left:
                original(state, small)
            with right:
                result(state, small)
    with grid:
        grid_editor(state, urlencode(share_query(state)[0]))


@part(DETAILS)
def details_part() -> None:
    state = session.current()
    details(state, cache.preview(state.photo, state.view.preview))


@part(CORE)
def core_loop() -> None:
    """Kernel → pictures → the editor → details: everything a change of kernel touches."""
    state = session.current()
    sliders = kernel_controls(state)
    if state.view.live:  # the camera across both columns
        pictures = st.container()
    else:  # the original here: a weight change reruns only the result's column
        left, pictures = st.columns(2, gap="small")
        with left:
            original(state, cache.preview(state.photo, state.view.preview))
    hot(sliders, pictures, st.container())
    details_part()
    session.sync_url(share_query(state)[0])


try:
    state = session.current()
    for notice in state.notices:
        st.warning(i18n.message(notice))
    photo_box(state)
    options_box(state)
    st.markdown(_("#### Image kernel playground"))
    core_loop()
except Exception:
    log.exception("playground failed")
    st.error(oops())
