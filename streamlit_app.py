"""imgkernel playground: the entry point. It only declares the pages; each page does its own work."""

import streamlit as st

from app.i18n import _, language_switch
from app.sockets import send_without_delay
from app.threads import request_threads

send_without_delay()  # Streamlit's server would hold each later response on a connection ~40 ms (app/sockets.py)

st.set_page_config(page_title="imgkernel playground", layout="wide")
nav = st.navigation(
    {
        "": [st.Page("pages/playground.py", title=_("Playground"), default=True)],  # "": no section header
        _("Learn"): [
            st.Page("pages/walkthrough.py", title=_("Pixel walkthrough")),
            st.Page("pages/gallery.py", title=_("Gallery")),
            st.Page("pages/cnn_layer.py", title=_("CNN layer")),
            st.Page("pages/kernel_lab.py", title=_("Kernel lab")),
            st.Page("pages/fit.py", title=_("Fit a kernel")),
            st.Page("pages/sliding_window.py", title=_("Sliding window")),
            st.Page("pages/mystery.py", title=_("Mystery kernel")),
        ],
    }
)
# English / 简体中文 / Español under the pages in every sidebar, kept in the link as ?lang=zh.
language_switch()
# The app's thread cap, set here once for the whole page run: each visitor's filtering uses at most
# app.threads.REQUEST_THREADS threads (2; IMGKERNEL_APP_THREADS changes it), whatever the server has, so a
# classroom shares the cores fairly (docs/engine.md, "Threads"). It holds for this session's script thread only.
# A fragment rerun does not pass here (Streamlit calls the fragment alone): see app/threads.py.
with request_threads():
    nav.run()
