"""The playground: pick a photo and a kernel (preset, sliders or your own grid) and see the filter side by side.

Layout only: the state is one ``app.state.PlaygroundState`` (``app.session``), each part of the page is a
panel in ``app.panels``. The kernel, the pictures and the panels under them form one fragment, so moving a
slider or editing a cell reruns just that part; the sidebar (photo and options) reruns the whole page.
"""

from __future__ import annotations

import logging

import streamlit as st

from app import cache, i18n, session
from app.i18n import _
from app.panels.details import details, share_query
from app.panels.grid import grid_box, scale_box
from app.panels.kernel import kernel_controls
from app.panels.options import options_box
from app.panels.photo import photo_box
from app.panels.pictures import pictures, result_line

log = logging.getLogger("imgkernel.playground")  # page scripts run as __main__


def oops() -> str:
    return _(
        "Something went wrong while drawing this page. Your photo and kernel are kept; "
        "try another setting or reload the page."
    )


@st.fragment
def core_loop() -> None:
    """Kernel → pictures → grid and scale → details: everything a weight change touches."""
    try:
        state = session.current()
        kernel_controls(state)
        small = cache.preview(state.photo, state.view.preview)
        shown = pictures(state, small)
        if shown is not None:
            st.caption(result_line(state, small, shown))
        grid, scale = st.columns([3, 2], gap="medium")
        with grid:
            grid_box(state)
        with scale:
            scale_box(state)
        details(state, small)
        session.sync_url(share_query(state)[0])
    except Exception:  # the last line of defence: a friendly message, the details in the server log
        log.exception("playground failed")
        st.error(oops())


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
