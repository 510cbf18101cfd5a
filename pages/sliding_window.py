"""The sliding window: the kernel stepping over a small padded input while the output fills in, and transposed
convolution (upsampling) scattering the kernel from every input cell.

Layout only: the input, scenes, frames and animation are parts in ``app.sweep_view``; the geometry is
``imgkernel.sweep``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import imgkernel
from app import learn, session, wording
from app import sweep_view as sv
from imgkernel.borders import Mode

st.title("The sliding window")
learn.show_notice()
st.caption(
    "A filter is one small window sliding over the picture: at every stop it multiplies the cells under it by the "
    "weights and writes their sum into one output cell. Step through it, drag the slider, or play the whole sweep."
)

settings = session.current().settings
what = st.segmented_control("Show", sv.WHAT, default=sv.WHAT[0], key="sw_what", required=True) or sv.WHAT[0]
transposed = what == sv.WHAT[1]

c1, c2, c3 = st.columns(3)
source = c1.selectbox("Input", sv.SOURCES, key="sw_source", help="The playground's photo, shrunk, or a test input.")
if transposed:
    side = c2.slider("Input size (cells per side)", 2, 6, 3, key="swt_side")
else:
    side = c2.slider("Input size (cells per side)", 4, 16, 8, key="sw_side")
title, matrix = learn.kernel_picker("Kernel", key="sw_kernel")
x = sv.source_pixels(source, side, sv.playground_photo())
if max(matrix.shape) > sv.MAX_KERNEL:
    st.info(
        f"{title} is {learn.kernel_size(matrix)}: this page draws kernels up to {sv.MAX_KERNEL} × {sv.MAX_KERNEL}. "
        "Pick a smaller one."
    )
    st.stop()

o1, o2, o3, o4 = st.columns(4)
stride = int(o1.select_slider("Stride", [1, 2, 3, 4], value=1, key="sw_stride"))
dilation = int(o2.select_slider("Dilation", [1, 2, 3], value=1, key="sw_dil"))
try:
    if transposed:
        padding = int(o3.number_input("Padding p (cropped off each side)", 0, 6, 0, key="swt_pad"))
        out_pad = int(o4.number_input("Output padding", 0, 3, 0, key="swt_outpad", help="Less than the stride."))
        options: tuple = (stride, dilation, padding, out_pad)
        scene, out = sv.transposed_scene(x, matrix, *options)
    else:
        modes = list(imgkernel.MODES)
        mode: Mode = o3.selectbox(
            "Border mode", modes, index=modes.index(settings.mode), key="sw_mode", help="What the window reads outside."
        )
        cval = float(o4.number_input("Constant (cval)", -255.0, 255.0, 0.0, key="sw_cval", disabled=mode != "constant"))
        options = (mode, cval, stride, dilation)
        scene, out = sv.conv_scene(x, matrix, *options)
except imgkernel.KernelError as err:
    st.error(str(err))
    st.stop()

kind = "transposed" if transposed else "conv"
i = sv.position(scene.steps, "Input cell" if transposed else "Output position")
f = scene.frame(i)
if transposed:
    h, w = x.shape
    if i < scene.steps:
        r, c = divmod(i, w)
        now = f"input cell (row {r + 1}, column {c + 1}) = {sv.cell_text(x[r, c])} scatters its value × the kernel"
    else:
        now = "every input cell has scattered its value × the kernel"
else:
    if i < scene.steps:
        r, c = imgkernel.sweep.positions(out.shape)[i]
        win = imgkernel.sweep.window(x, matrix, r, c, mode=mode, cval=cval, stride=stride, dilation=dilation)
        now = f"the window computes output (row {r + 1}, column {c + 1}) = {sv.cell_text(win.total)}"
    else:
        now = "the output is complete"
st.image(
    sv.picture(scene, i),
    caption=f"Step {min(i + 1, scene.steps)} of {scene.steps} · {now}",
    output_format="PNG",
    alt=sv.alt_frame(scene, i, now),
)

left, right = st.columns([3, 2])
with left:
    if transposed:
        kh, kw = matrix.shape
        st.markdown(
            f"**Output size per side** (rows: n = {h}, k = {kh}; columns: n = {w}, k = {kw}):\n\n"
            f"* rows: {sv.size_formula(h, kh, stride, dilation, padding, out_pad)}\n"
            f"* columns: {sv.size_formula(w, kw, stride, dilation, padding, out_pad)}"
        )
        st.markdown(
            f"Each input cell stamps the kernel, multiplied by its value, into the output; the stamps start "
            f"{stride} cell{'s' if stride > 1 else ''} apart (stride {stride} leaves {stride - 1} empty "
            f"cell{'s' if stride != 2 else ''} between input cells) and add up where they overlap. Padding p crops "
            "p cells off each side of that result (hatched); output padding adds cells at the bottom and right. "
            "This is the transpose of a strided convolution: it maps the small output back to the large input's size "
            "(PyTorch `ConvTranspose2d`, ONNX `ConvTranspose`; no kernel rotation)."
        )
        if i < scene.steps:
            st.markdown(f"**Input cell (row {r + 1}, column {c + 1}): value × kernel**")
            st.table(sv.products_table(np.full(matrix.shape, x[r, c]), matrix))
    else:
        st.caption(
            sv.conv_note(mode, stride, dilation, (matrix.shape[0], matrix.shape[1]), (out.shape[0], out.shape[1]))
        )
        if i < scene.steps:
            st.markdown(f"**Output (row {r + 1}, column {c + 1}): each value under the window × its weight**")
            st.table(sv.products_table(win.values, matrix, win.outside))
            st.markdown(f"Sum of the products = **{wording.num(win.total)}**")
with right:
    st.altair_chart(learn.kernel_heatmap(matrix, title=title, name=title), width="content")
    if not transposed:
        sv.open_button(matrix, title, mode, stride, dilation, cval)

st.header("Play")
sv.play(scene, kind, x, matrix, options, sv.alt_frame(scene, scene.steps, "the animation loops over every step"))
