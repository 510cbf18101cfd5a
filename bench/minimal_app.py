"""The thinnest Streamlit app doing the playground's core job: the yardstick of ``bench.core_loop``.

One slider sets the centre weight of a 3x3 sharpen kernel ``[[0,-1,0],[-1,c,-1],[0,-1,0]]``, shown in an
editable grid whose typed cells override it; the photo is correlated with it by a plain NumPy shift-and-add
(float32, reflect padding), clipped to uint8, and shown beside the original. The containers carry the
playground's keys (``pg-params``, ``pg-gridbox``, ``pg-original``, ``pg-result``) so the benchmark drives
both apps with the same CSS selectors.

``?photo=big`` swaps the 451x300 sample for a 4000x3000 (12 MP) image made by upscaling it, shown and
filtered through a 1024-px preview, as the playground does with a big upload.

Run: ``streamlit run bench/minimal_app.py`` (``bench.core_loop`` starts it itself).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image

from bench.stock_server import serve_like_the_playground

PHOTO = Path(__file__).resolve().parents[1] / "assets" / "chelsea.png"
BIG = (4000, 3000)
PREVIEW_SIDE = 1024


@st.cache_data(max_entries=2)
def load(kind: str) -> np.ndarray:
    """The photo as RGB uint8: the sample itself, or the preview of a 12 MP upscale of it."""
    image = Image.open(PHOTO).convert("RGB")
    if kind == "big":
        big = image.resize(BIG, Image.Resampling.BICUBIC)
        scale = PREVIEW_SIDE / max(big.size)
        image = big.resize((round(big.width * scale), round(big.height * scale)), Image.Resampling.LANCZOS)
    return np.asarray(image)


def correlate(pixels: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate each channel with a 3x3 kernel; returns uint8."""
    kernel = np.asarray(kernel, dtype=np.float32)
    padded = np.pad(pixels.astype(np.float32), ((1, 1), (1, 1), (0, 0)), mode="reflect")
    h, w = pixels.shape[:2]
    out = np.zeros(pixels.shape, dtype=np.float32)
    for dy in range(3):
        for dx in range(3):
            if kernel[dy, dx]:
                out += kernel[dy, dx] * padded[dy : dy + h, dx : dx + w]
    return np.clip(out, 0, 255).astype(np.uint8)


serve_like_the_playground()  # served as the playground is (bench/stock_server.py)
st.set_page_config(page_title="minimal core loop", layout="wide")  # wide, like the playground
kind = "big" if st.query_params.get("photo") == "big" else "sample"
photo = load(kind)
with st.container(key="pg-params"):
    centre = st.slider("Centre weight", 0.0, 20.0, 5.0, step=0.1)
left, right = st.columns(2)
grid = st.container(key="pg-gridbox")  # below the pictures, drawn first: its edits decide the kernel
with grid:
    # the grid shows the slider's sharpen kernel; a typed cell overrides it (the editor keeps its edits)
    base = pd.DataFrame(
        [[0, -1, 0], [-1, centre, -1], [0, -1, 0]], columns=["1", "2", "3"], index=[1, 2, 3], dtype=float
    )
    kernel = st.data_editor(base, key="grid", num_rows="fixed").to_numpy(dtype=float)
with left, st.container(key="pg-original"):
    st.image(photo, caption="Original")
with right, st.container(key="pg-result"):
    st.image(correlate(photo, kernel), caption=f"Sharpen, centre {centre:g}")
