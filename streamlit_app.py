"""imgkernel playground: the entry point. It only declares the pages; each page does its own work."""

import streamlit as st

st.set_page_config(page_title="imgkernel playground", layout="wide")
# Keyboard users must see where they are: Streamlit's main area and sidebar take focus without any outline.
st.html(
    "<style>[data-testid='stMain']:focus-visible, [data-testid='stSidebar']:focus-visible "
    "{ outline: 3px solid #9e303b; outline-offset: -3px; }</style>"
)
st.navigation(
    {
        "": [st.Page("pages/playground.py", title="Playground", default=True)],  # "": no section header
        "Learn": [
            st.Page("pages/walkthrough.py", title="Pixel walkthrough"),
            st.Page("pages/gallery.py", title="Gallery"),
            st.Page("pages/cnn_layer.py", title="CNN layer"),
            st.Page("pages/kernel_lab.py", title="Kernel lab"),
        ],
    }
).run()
