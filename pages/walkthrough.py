"""Pixel walkthrough: how one output pixel is computed from its neighbourhood, step by step.

Layout only: the photo, kernel and options are the playground's (``app.session``); picking the pixel, the zoomed
crops, the tap tables and the steps are parts in ``app.walkthrough_view``; the maths is ``imgkernel.learn.walkthrough``.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import imgkernel
from app import cache, i18n, session
from app import walkthrough_view as walk
from app.i18n import _
from app.panels.code import code_panel
from app.panels.pictures import title
from imgkernel.learn.walkthrough import coordinates_note, explain_pixel

st.title(_("How is this output pixel computed?"))
choice = session.current()
settings = choice.settings
photo = cache.preview(choice.photo)  # the size the playground shows by default: a 12 MP photo would be unclickable
kernel = np.asarray(choice.matrix, dtype=np.float64)
st.caption(walk.photo_caption(photo, choice.photo, title(choice), settings))

try:
    result = cache.filtered(photo, kernel, settings)
except imgkernel.KernelError as err:
    st.error(i18n.message(err))
    st.stop()
out_shape = (result.values.shape[0], result.values.shape[1])

# A click on the input photo picks the output pixel centred nearest to it; a new click overrides the number
# inputs, which stay editable in between.
left, right = st.columns([3, 2])
with left:
    click = walk.clickable_photo(photo)
walk.follow_click(click, settings, kernel.shape, out_shape, photo.size)
with right:
    row, col = walk.output_inputs(out_shape)
    e = explain_pixel(photo.pixels, kernel, settings, row, col, value_range=(result.mapped.low, result.mapped.high))
    st.caption(i18n.message(coordinates_note(settings, kernel.shape, row, col)))
    walk.zoomed_crops(photo, result.mapped.image, e, settings.gray)

# ---------------------------------------------------------------------------------------------- the numbers
channel = walk.channel_picker(e)
walk.tap_tables(e, channel, settings)
walk.sum_and_steps(e, channel, settings)
st.caption(_("The output pixel equals the one in the Playground's filtered image at the same position."))

with st.expander(_("In your code: the same filter in NumPy, SciPy, OpenCV, Pillow or JAX")):
    code_panel(choice, "walk_code")
