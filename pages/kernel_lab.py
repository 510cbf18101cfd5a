"""Kernel lab: what a kernel's numbers say (gain, separability, symmetry, frequencies) and how kernels compose."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from app import cache, learn, session, wording
from imgkernel.kernel_props import classify_response, compose, dc_gain, frequency_response, separability, symmetries
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.mapping import signed_colormap

FREQ_SIZE = 48  # DFT size for the response plot (48 × 48 cells)
COMPOSE_SIDE = 256  # long side of the photo used to demonstrate composition
CLASS_TEXT = {
    "low-pass": "keeps smooth areas and removes fine detail and noise (it blurs)",
    "high-pass": "removes smooth areas and keeps edges and fine detail",
    "high-boost": "keeps smooth areas and amplifies edges and fine detail (it sharpens)",
    "band-pass": "responds to one range of stripe spacings (textures), ignoring flat areas and the finest detail",
    "all-pass": "treats every frequency about equally",
    "mixed": "has no simple low/high-pass shape",
}


def _response_chart(kernel: np.ndarray) -> alt.Chart:
    mag, f = frequency_response(kernel, FREQ_SIZE)
    fy, fx = np.meshgrid(f, f, indexing="ij")
    df = pd.DataFrame({"horizontal": np.round(fx.ravel(), 3), "vertical": np.round(fy.ravel(), 3), "gain": mag.ravel()})
    return (
        alt.Chart(df)
        .mark_rect()
        .encode(
            x=alt.X(
                "horizontal:O",
                title="horizontal frequency (cycles/pixel)",
                axis=alt.Axis(values=[-0.5, -0.25, 0.0, 0.25], labelAngle=0),
            ),
            y=alt.Y(
                "vertical:O",
                title="vertical frequency",
                sort="descending",
                axis=alt.Axis(values=[-0.5, -0.25, 0.0, 0.25]),
            ),
            color=alt.Color("gain:Q", scale=alt.Scale(scheme="viridis"), title="|gain|"),
            tooltip=["horizontal", "vertical", alt.Tooltip("gain:Q", format=".3f")],
        )
        .properties(width=300, height=300)
    )


st.title("Kernel lab")
learn.show_notice()
st.caption(
    "What a kernel's numbers tell you before you run it. Kernels are applied by correlation, "
    "anchored at the centre, as everywhere in this app."
)

title, k = learn.kernel_picker("Kernel", "lab_kernel")
left, right = st.columns(2)
with left:
    st.altair_chart(learn.kernel_heatmap(k, title=f"{title} · {learn.kernel_size(k)}"), width="content")
    gain = dc_gain(k)
    sep = separability(k)
    c1, c2 = st.columns(2)
    c1.metric(
        "Sum of weights (DC gain)",
        wording.num(gain),
        help="How a flat area's brightness is multiplied: 1 keeps it, 0 turns it black (edge finders).",
    )
    c2.metric("Rank", sep.rank, help="1 = separable; otherwise the least number of separable kernels it sums.")
    if gain == 0:
        st.caption("The weights add up to 0: flat areas give 0, only changes show.")
    elif abs(gain - 1) < 1e-9:
        st.caption("The weights add up to 1: flat areas keep their brightness.")
    else:
        st.caption(f"Flat areas are multiplied by {wording.num(gain)}; the divisor (or 'normalise') can undo that.")

    if sep.separable:
        st.success(
            "Separable: the kernel is a column times a row, so it can be applied as two 1-D passes "
            f"({k.shape[1]} + {k.shape[0]} multiplications per pixel instead of {k.size})."
        )
        st.dataframe(pd.DataFrame({"column factor": sep.column}).T.style.format(wording.num))
        st.dataframe(pd.DataFrame({"row factor": sep.row}).T.style.format(wording.num))
    else:
        st.info(f"Not separable (rank {sep.rank}): no column × row gives this kernel.")
    sym = symmetries(k)
    st.markdown("**Symmetry**")
    st.table(pd.DataFrame({"symmetric?": ["yes" if v else "no" for v in sym.values()]}, index=list(sym)))

with right:
    kind = classify_response(k)
    st.markdown(f"**Frequency response: {kind}** — it {CLASS_TEXT[kind]}.")
    st.altair_chart(_response_chart(k), width="content")
    st.caption(
        "Magnitude of the kernel's 2-D Fourier transform (zero-padded to "
        f"{FREQ_SIZE} × {FREQ_SIZE}): the centre is a flat area (its value is |sum of weights|), the edges "
        "are the finest stripes a photo can hold (0.5 cycles per pixel). Bright centre = low-pass."
    )

# ------------------------------------------------------------------------------------------------ composition
st.header("Composition: two kernels in one")
st.markdown(
    "Filtering with **A** and then with **B** is the same as filtering once with the *full 2-D convolution* "
    "**A ∗ B**: for A of wa × ha and B of wb × hb cells (width × height) it is (wa + wb − 1) × (ha + hb − 1). "
    "For correlation too: correlating with a kernel is convolving with it rotated 180°, and rotating A ∗ B gives "
    "rot A ∗ rot B, so the rotations cancel. "
    "The order does not matter either: a blur then an edge finder equals the edge finder then the blur."
)
c1, c2, c3 = st.columns(3)
with c1:
    title_a, a = learn.kernel_picker("First kernel A", "lab_a", default="blur")
with c2:
    title_b, b = learn.kernel_picker("Then kernel B", "lab_b", default="sobel_left")
with c3:
    mode = st.segmented_control(
        "Border mode", ["wrap", "reflect", "nearest", "constant"], default="wrap", key="lab_mode", required=True
    )
combined = compose(a, b)
g1, g2, g3 = st.columns([1, 1, 2])
g1.altair_chart(learn.kernel_heatmap(a, title=f"A · {learn.kernel_size(a)}"), width="content")
g2.altair_chart(learn.kernel_heatmap(b, title=f"B · {learn.kernel_size(b)}"), width="content")
g3.altair_chart(learn.kernel_heatmap(combined, title=f"A ∗ B · {learn.kernel_size(combined)}"), width="content")

photo = session.current().photo
x = imgkernel.to_gray(cache.preview(photo, COMPOSE_SIDE).pixels).astype(np.float32)
if max(combined.shape) > min(x.shape):
    st.warning("The combined kernel is larger than the photo used here; pick smaller kernels.")
    st.stop()
twice = imgkernel.correlate(imgkernel.correlate(x, a, mode=mode), b, mode=mode)
once = imgkernel.correlate(x, combined, mode=mode)
diff = np.abs(once - twice)
m_h, m_w = combined.shape[0] // 2 + 1, combined.shape[1] // 2 + 1
interior = diff[m_h:-m_h, m_w:-m_w]
scale = max(1.0, float(np.abs(twice).max()))
i1, i2, i3 = st.columns(3)
i1.image(signed_colormap(twice, limit=scale), caption="A, then B", width="stretch", output_format="PNG")
i2.image(signed_colormap(once, limit=scale), caption="A ∗ B once", width="stretch", output_format="PNG")
diff_limit = max(float(diff.max()), 1e-3)
i3.image(
    signed_colormap(once - twice, limit=diff_limit),
    caption=f"difference (full colour at ±{diff_limit:.1e})",
    width="stretch",
    output_format="PNG",
)
d1, d2 = st.columns(2)
d1.metric("Largest difference, whole image", f"{float(diff.max()):.2e}")
d2.metric("Largest difference, away from the border", f"{float(interior.max()) if interior.size else 0.0:.2e}")
if mode == "wrap":
    st.caption(
        "With 'wrap' the photo is treated as periodic, so there is no border at all: the two agree "
        "everywhere up to float32 rounding."
    )
else:
    st.caption(
        f"With '{mode}' the second pass pads the *first pass's result*, not the photo, so pixels within "
        f"half the combined kernel of the border ({m_h - 1} rows, {m_w - 1} columns) can differ; the interior "
        "agrees up to float32 rounding."
    )
name = f"{title_a} ∗ {title_b}"
if max(combined.shape) > MAX_KERNEL_SIDE:
    st.caption(f"A ∗ B is too big for the playground (at most {MAX_KERNEL_SIDE} × {MAX_KERNEL_SIDE} cells).")
elif st.button(
    "Open A ∗ B in the playground",
    key="lab_use",
    help=f"The playground then filters with “{name}” as a custom kernel (editable in its grid); its "
    "divisor and offset stay as they are.",
):
    learn.open_matrix(combined, name)
