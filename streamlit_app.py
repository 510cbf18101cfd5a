"""imgkernel playground: entry point (placeholder until the playground page lands)."""

from pathlib import Path

import streamlit as st

import imgkernel

st.set_page_config(page_title="imgkernel playground", layout="wide")
photo = imgkernel.load_image(Path(__file__).parent / "assets" / "chelsea.png")
result = imgkernel.run_filter(photo.pixels, imgkernel.get("sharpen").matrix())
left, right = st.columns(2)
left.image(photo.pixels, caption="Original", use_container_width=True)
right.image(result.mapped.image, caption="Sharpen", use_container_width=True, output_format="PNG")
