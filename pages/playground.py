"""The playground: pick a photo and a kernel (preset, sliders or your own grid) and see the filter side by side.

Layout only: the state is one ``app.state.PlaygroundState`` (``app.session``), each part of the page is a
panel in ``app.panels``. The kernel area is one fragment (``pg-core``): a control in it reruns just that area;
the sidebar (photo and options) reruns the whole page. Inside it, what a weight change redraws is in fragments
of its own (the live sliders, the result, the grid, the sum of weights, the panel under the pictures): a live
drag or a typed weight reruns only those that show something new (``app.panels.grid.rerun_scope``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st

from app import cache, i18n, session
from app.i18n import _
from app.panels.details import details, share_query
from app.panels.grid import CORE, DETAILS, GRID, LIVE, PICTURES, SUM, grid_editor, grid_size, scale_box, sum_of_weights
from app.panels.kernel import kernel_controls, kernel_sliders
from app.panels.live import live_view
from app.panels.options import options_box
from app.panels.photo import photo_box
from app.panels.pictures import original, result, result_line
from app.state import Photo, PlaygroundState
from app.threads import request_threads

log = logging.getLogger("imgkernel.playground")  # page scripts run as __main__


def oops() -> str:
    return _(
        "Something went wrong while drawing this page. Your photo and kernel are kept; "
        "try another setting or reload the page."
    )


def part(key: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """A part of the page as a keyed fragment (``app.panels.grid`` says which the kernel editor reruns), with its
    last line of defence: a friendly message, the details in the server log."""

    def fragment(draw: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                with request_threads():  # a fragment rerun skips the entry script's cap (app/threads.py)
                    draw()
            except Exception:
                log.exception("playground failed")
                st.error(oops())

        run.__name__ = draw.__name__
        return st.fragment(run, key=key)

    return fragment


@part(LIVE)
def live_sliders() -> None:
    kernel_sliders(session.current())


def result_part(state: PlaygroundState, small: Photo) -> None:
    shown = result(state, small)
    if shown is not None:
        st.caption(result_line(state, small, shown))


@part(PICTURES)
def pictures_part() -> None:
    """The result and its numbers; with the live camera on, the camera in the pictures' place
    (``app/panels/live.py``), or both pictures when this visitor cannot have it."""
    state = session.current()
    small = cache.preview(state.photo, state.view.preview)
    if not state.view.live:
        result_part(state, small)
    elif not live_view(state):
        left, right = st.columns(2, gap="small")
        with left:
            original(state, small)
        with right:
            result_part(state, small)
    session.sync_url(share_query(state)[0])


@part(GRID)
def grid_part() -> None:
    grid_editor(session.current())


@part(SUM)
def sum_part() -> None:
    sum_of_weights(session.current())


@part(DETAILS)
def details_part() -> None:
    state = session.current()
    details(state, cache.preview(state.photo, state.view.preview))


@part(CORE)
def core_loop() -> None:
    """Kernel → pictures → grid and scale → details: everything a change of kernel touches."""
    state = session.current()
    with kernel_controls(state):
        live_sliders()
    if state.view.live:  # the camera across both columns
        pictures_part()
    else:  # the original here: a weight change reruns only the result's column
        left, right = st.columns(2, gap="small")
        with left:
            original(state, cache.preview(state.photo, state.view.preview))
        with right:
            pictures_part()
    grid, scale = st.columns([3, 2], gap="medium")
    with grid:
        grid_part()
        grid_size(state)
    with scale:
        sum_part()
        scale_box(state)
    details_part()


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
