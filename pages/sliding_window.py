"""The sliding window: the kernel stepping over a small padded input while the output fills in, and transposed
convolution (upsampling) scattering the kernel from every input cell.

Layout only: the input, scenes, frames and animation are parts in ``app.sweep_view``; the geometry is
``imgkernel.learn.sweep``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import imgkernel
from app import i18n, learn, session, wording
from app import sweep_view as sv
from app.i18n import _
from imgkernel.borders import Mode

st.title(_("The sliding window"))
learn.show_notice()
st.caption(
    _(
        "A filter is one small window sliding over the picture: at every stop it multiplies the cells under it by "
        "the weights and writes their sum into one output cell. Step through it, drag the slider, or play the whole "
        "sweep."
    )
)

settings = session.current().settings
what = (
    st.segmented_control(
        _("Show"),
        sv.WHAT,
        format_func=sv.what_name,
        default=sv.WHAT[0],
        key="sw_what",
        persist_state="session",
        required=True,
    )
    or sv.WHAT[0]
)
transposed = what == sv.WHAT[1]

c1, c2, c3 = st.columns(3)
source = c1.selectbox(
    _("Input"),
    sv.SOURCES,
    format_func=sv.source_name,
    key="sw_source",
    persist_state="session",
    help=_("The playground's photo, shrunk, or a test input."),
)
if transposed:
    side = c2.slider(_("Input size (cells per side)"), 2, 6, 3, key="swt_side", persist_state="session")
else:
    side = c2.slider(_("Input size (cells per side)"), 4, 16, 8, key="sw_side", persist_state="session")
title, matrix = learn.kernel_picker(_("Kernel"), key="sw_kernel")
x = sv.source_pixels(source, side, sv.playground_photo())
if max(matrix.shape) > sv.MAX_KERNEL:
    st.info(
        _(
            "{kernel} is {size}: this page draws kernels up to {most} × {most}. Pick a smaller one.",
            kernel=title,
            size=learn.kernel_size(matrix),
            most=sv.MAX_KERNEL,
        )
    )
    st.stop()

o1, o2, o3, o4 = st.columns(4)
stride = int(o1.select_slider(_("Stride"), [1, 2, 3, 4], value=1, key="sw_stride"))
dilation = int(o2.select_slider(_("Dilation"), [1, 2, 3], value=1, key="sw_dil"))
try:
    if transposed:
        padding = int(o3.number_input(_("Padding p (cropped off each side)"), 0, 6, 0, key="swt_pad"))
        out_pad = int(o4.number_input(_("Output padding"), 0, 3, 0, key="swt_outpad", help=_("Less than the stride.")))
        options: tuple = (stride, dilation, padding, out_pad)
        scene, out = sv.transposed_scene(x, matrix, *options)
    else:
        modes = list(imgkernel.MODES)
        mode: Mode = o3.selectbox(
            _("Border mode"),
            modes,
            index=modes.index(settings.mode),
            format_func=wording.mode_name,
            key="sw_mode",
            help=_("What the window reads outside."),
        )
        cval = float(
            o4.number_input(_("Constant (cval)"), -255.0, 255.0, 0.0, key="sw_cval", disabled=mode != "constant")
        )
        options = (mode, cval, stride, dilation)
        scene, out = sv.conv_scene(x, matrix, *options)
except imgkernel.KernelError as err:
    st.error(i18n.message(err))
    st.stop()

kind = "transposed" if transposed else "conv"
i = sv.position(scene.steps, _("Input cell") if transposed else _("Output position"))
if transposed:
    h, w = x.shape
    if i < scene.steps:
        r, c = divmod(i, w)
        now = _(
            "input cell (row {row}, column {col}) = {value} scatters its value × the kernel",
            row=r + 1,
            col=c + 1,
            value=sv.cell_text(x[r, c]),
        )
    else:
        now = _("every input cell has scattered its value × the kernel")
else:
    if i < scene.steps:
        r, c = imgkernel.learn.sweep.positions(out.shape)[i]
        win = imgkernel.learn.sweep.window(x, matrix, r, c, mode=mode, cval=cval, stride=stride, dilation=dilation)
        now = _(
            "the window computes output (row {row}, column {col}) = {value}",
            row=r + 1,
            col=c + 1,
            value=sv.cell_text(win.total),
        )
    else:
        now = _("the output is complete")
st.image(
    sv.picture(scene, i),
    caption=_("Step {i} of {n} · {now}", i=min(i + 1, scene.steps), n=scene.steps, now=now),
    output_format="PNG",
    alt=sv.alt_frame(scene, i, now),
)

left, right = st.columns([3, 2])
with left:
    if transposed:
        kh, kw = matrix.shape
        st.markdown(
            _(
                "**Output size per side** (rows: n = {h}, k = {kh}; columns: n = {w}, k = {kw}):\n\n"
                "* rows: {rows}\n"
                "* columns: {cols}",
                h=h,
                kh=kh,
                w=w,
                kw=kw,
                rows=sv.size_formula(h, kh, stride, dilation, padding, out_pad),
                cols=sv.size_formula(w, kw, stride, dilation, padding, out_pad),
            )
        )
        st.markdown(
            _(
                "Each input cell stamps the kernel, multiplied by its value, into the output; the stamps start "
                "{apart} apart (stride {stride} leaves {empty} between input cells) and add up where they "
                "overlap. Padding p crops p cells off each side of that result (hatched); output padding adds cells "
                "at the bottom and right. This is the transpose of a strided convolution: it maps the small output "
                "back to the large input's size (PyTorch `ConvTranspose2d`, ONNX `ConvTranspose`; no kernel "
                "rotation).",
                apart=sv.cells(stride),
                stride=stride,
                empty=_("{n} empty cell", n=stride - 1) if stride == 2 else _("{n} empty cells", n=stride - 1),
            )
        )
        if i < scene.steps:
            st.markdown(_("**Input cell (row {row}, column {col}): value × kernel**", row=r + 1, col=c + 1))
            st.table(sv.products_table(np.full(matrix.shape, x[r, c]), matrix))
    else:
        st.caption(
            sv.conv_note(mode, stride, dilation, (matrix.shape[0], matrix.shape[1]), (out.shape[0], out.shape[1]))
        )
        if i < scene.steps:
            st.markdown(
                _(
                    "**Output (row {row}, column {col}): each value under the window × its weight**",
                    row=r + 1,
                    col=c + 1,
                )
            )
            st.table(sv.products_table(win.values, matrix, win.outside))
            st.markdown(_("Sum of the products = **{total}**", total=wording.num(win.total)))
with right:
    st.altair_chart(learn.kernel_heatmap(matrix, title=title, name=title), width="content")
    if not transposed:
        sv.open_button(matrix, title, mode, stride, dilation, cval)

st.header(_("Play"))
sv.play(scene, kind, x, matrix, options, sv.alt_frame(scene, scene.steps, _("the animation loops over every step")))
