"""imgkernel playground: the entry point. It only declares the pages; each page does its own work."""

from pathlib import Path

import streamlit as st

HERE = Path(__file__).parent
LEARN = {  # the Learn pages, listed once they exist
    "pages/walkthrough.py": "Pixel walkthrough",
    "pages/gallery.py": "Gallery",
    "pages/cnn_layer.py": "CNN layer",
    "pages/kernel_lab.py": "Kernel lab",
}

st.set_page_config(page_title="imgkernel playground", layout="wide")
pages = {"Playground": [st.Page("pages/playground.py", title="Playground", default=True)]}
learn = [st.Page(path, title=title) for path, title in LEARN.items() if (HERE / path).exists()]
if learn:
    pages["Learn"] = learn
st.navigation(pages).run()
