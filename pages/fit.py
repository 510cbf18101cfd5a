"""Fit a kernel: recover the kernel behind a before/after pair by least squares, then learn it like a CNN.

Layout only: the pair, the fit, the residual map and the training are parts in ``app.fit_view``; the maths is
``imgkernel.learn.fit``.
"""

from __future__ import annotations

import streamlit as st

import imgkernel
from app import fit_view, i18n, learn
from app.i18n import _

st.title(_("Fit a kernel"))
learn.show_notice()
st.caption(
    _(
        "Which kernel turns the before picture into the after one? Each output pixel is a weighted sum of its "
        "neighbourhood, so the weights solve a least-squares problem: one equation per pixel, one unknown per "
        "weight. A CNN finds its kernels the same way, by descending the same error step by step."
    )
)

pair = fit_view.pick_pair()
if pair is None:
    st.stop()
fit_view.show_pair(pair)

st.header(_("The least-squares kernel"))
c1, c2 = st.columns(2)
side = c1.select_slider(
    _("Kernel size (width = height)"),
    fit_view.SIZES,
    value=3,
    key="fit_size",
    persist_state="session",
    help=_("Odd sizes only, so the kernel has a centre. Too small cannot express the filter; too large fits noise."),
)
offset = c2.checkbox(
    _("Fit an offset too"),
    value=True,
    key="fit_offset",
    persist_state="session",
    help=_(
        "A constant added after the kernel, as GIMP, Photoshop and Pillow can add (e.g. mid-grey 127.5 for edge "
        "finders)."
    ),
)
try:
    result = fit_view.fitted(pair, side, offset)
except imgkernel.KernelError as err:
    st.error(i18n.message(err))
    st.stop()
fit_view.fit_results(pair, result)
fit_view.open_button(
    result, _("Fitted {size} ({name})", size=learn.kernel_size(result.matrix), name=fit_view.pair_label(pair.name))
)
fit_view.reveal(pair, result)

st.header(_("Train it like a CNN"))
st.caption(
    _(
        "Start from zeros (or noise) and let an optimiser walk downhill on the same error, the mean squared "
        "difference between after and prediction, as a network learns its first layer. As a CNN's inputs are, the "
        "pictures are divided by 255 (and with an offset, their mean is subtracted, the offset becoming the bias). "
        "Watch the loss fall and the weights settle on the least-squares answer; a learning rate too large makes the "
        "loss blow up."
    )
)
fit_view.training(pair, result, side, offset)
