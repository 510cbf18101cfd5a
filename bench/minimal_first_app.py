"""The thinnest Streamlit app showing the playground's first view: the yardstick of ``bench.first_visit``.

The default sample photo and its sharpened twin side by side, as PNG (like the playground), with one slider
for the kernel's centre weight; no grid, no sidebar, nothing else. The photo is correlated with the 3x3
sharpen kernel ``[[0,-1,0],[-1,c,-1],[0,-1,0]]`` by a plain NumPy shift-and-add; both PNGs are encoded once
per centre weight (cached, as the playground caches its pictures). The pictures sit in
containers with the playground's keys (``pg-original``, ``pg-result``) so the benchmark waits for both apps
with the same CSS selectors. Only NumPy and Pillow are imported: what any app showing a filtered photo needs.

``bench/minimal_app.py`` (the core-loop yardstick) is the same plus an ``st.data_editor`` grid; the first-visit
benchmark measures it too, as a reference for what Streamlit's grid alone adds to a first view.

Run: ``streamlit run bench/minimal_first_app.py`` (``bench.first_visit`` starts it itself).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from bench.stock_server import serve_like_the_playground

PHOTO = Path(__file__).resolve().parents[1] / "assets" / "chelsea.png"


@st.cache_data(max_entries=1)
def load() -> np.ndarray:
    """The sample photo as RGB uint8."""
    return np.asarray(Image.open(PHOTO).convert("RGB"))


def sharpen(pixels: np.ndarray, centre: float) -> np.ndarray:
    """Correlate each channel with the 3x3 sharpen kernel of centre weight ``centre``; returns uint8."""
    padded = np.pad(pixels.astype(np.float32), ((1, 1), (1, 1), (0, 0)), mode="reflect")
    h, w = pixels.shape[:2]
    out = centre * padded[1 : h + 1, 1 : w + 1]
    for dy, dx in ((0, 1), (1, 0), (1, 2), (2, 1)):
        out -= padded[dy : dy + h, dx : dx + w]
    return np.clip(out, 0, 255).astype(np.uint8)


def png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


@st.cache_data(max_entries=8)
def pictures(centre: float) -> tuple[bytes, bytes]:
    """The original and its sharpened twin, as PNG."""
    photo = load()
    return png(photo), png(sharpen(photo, centre))


serve_like_the_playground()  # served as the playground is (bench/stock_server.py)
st.set_page_config(page_title="minimal first visit", layout="wide")  # wide, like the playground
centre = st.slider("Centre weight", 0.0, 20.0, 5.0, step=0.1)
original, result = pictures(centre)
left, right = st.columns(2)
with left, st.container(key="pg-original"):
    st.image(original, caption="Original")
with right, st.container(key="pg-result"):
    st.image(result, caption=f"Sharpen, centre {centre:g}")
