"""Kernel lab: what a kernel's numbers say (gain, separability, symmetry, frequencies) and how kernels compose.

Layout only: the kernel facts, the frequency response and the composition check are parts in ``app.lab_view``;
the maths is ``imgkernel.kernel_props``.
"""

from __future__ import annotations

import streamlit as st

from app import lab_view as lab
from app import learn, session, wording
from app.i18n import _
from imgkernel.kernel_props import compose

st.title(_("Kernel lab"))
learn.show_notice()
st.caption(
    _(
        "What a kernel's numbers tell you before you run it. Kernels are applied by correlation, "
        "anchored at the centre, as everywhere in this app."
    )
)

title, k = learn.kernel_picker(_("Kernel"), "lab_kernel")
left, right = st.columns(2)
with left:
    lab.kernel_facts(title, k)
with right:
    lab.frequency_panel(k)

# ------------------------------------------------------------------------------------------------ composition
st.header(_("Composition: two kernels in one"))
st.markdown(
    _(
        "Filtering with **A** and then with **B** is the same as filtering once with the *full 2-D convolution* "
        "**A ∗ B**: for A of wa × ha and B of wb × hb cells (width × height) it is (wa + wb − 1) × (ha + hb − 1). "
        "For correlation too: correlating with a kernel is convolving with it rotated 180°, and rotating A ∗ B gives "
        "rot A ∗ rot B, so the rotations cancel. "
        "The order does not matter either: a blur then an edge finder equals the edge finder then the blur."
    )
)
c1, c2, c3 = st.columns(3)
with c1:
    title_a, a = learn.kernel_picker(_("First kernel A"), "lab_a", default="blur")
with c2:
    title_b, b = learn.kernel_picker(_("Then kernel B"), "lab_b", default="sobel_left")
with c3:
    mode = st.segmented_control(
        _("Border mode"),
        lab.LAB_MODES,
        format_func=wording.mode_name,
        default="wrap",
        key="lab_mode",
        persist_state="session",
        required=True,
    )
combined = compose(a, b)
lab.composed_kernels(a, b, combined)

x = lab.compose_input(session.current().photo)
if not lab.fits(combined, x):
    st.warning(_("The combined kernel is larger than the photo used here; pick smaller kernels."))
    st.stop()
lab.composition_results(lab.compose_check(x, a, b, combined, mode), mode, (title_a, title_b))
lab.open_button(combined, f"{title_a} ∗ {title_b}")
