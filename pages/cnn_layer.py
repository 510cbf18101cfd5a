"""CNN layer: a bank of kernels as one convolutional layer, with bias, ReLU, pooling and the shapes at each step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from app import cache, cnn_view, first_layer_view, i18n, session, wording
from app.i18n import _
from app.learn import kernel_size
from imgkernel.learn.layers import PADDINGS, POOLS, combine_maps, kernel_bank, relu

DEFAULT_BANK = ("sobel_top", "sobel_bottom", "sobel_left", "sobel_right", "laplacian_4")
GABOR_ANGLES = (0, 45, 90, 135)

st.title(_("A convolutional layer, made of image kernels"))
st.caption(
    _(
        "A CNN's first layer is a bank of kernels like the ones in the catalogue, applied exactly as here "
        "(correlation, no kernel rotation); a trained network learns the weights instead of taking presets."
    )
)
with st.expander(_("How this layer computes")):
    st.markdown(
        _(
            "* **Convolution**: each kernel slides over the input (cross-correlation, as in PyTorch's `Conv2d`); "
            "the input is padded with zeros: *valid* = none, *same* = what TensorFlow/Keras, JAX, ONNX (SAME_UPPER) "
            "and PyTorch call same: enough to keep ceil(n / s) pixels, split in two with any odd extra pixel after "
            "(bottom, right), *full* = d(k−1) per side (every position where kernel and input overlap).\n"
            "* **RGB input**: a filter has one kernel per input channel; here all three are the same 2-D kernel, and "
            "the three responses are summed into one map (gray input: one channel, the luminance).\n"
            "* **Bias** is added to every value of a map, then **ReLU** sets negatives to 0.\n"
            "* **Pooling** keeps the maximum (or mean) of each window: the map shrinks, the strongest responses stay.\n"
            "* **Output size** per side: `floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`, with p₁ zeros before "
            "(top, left) and p₂ after (bottom, right); pooling is the same with no padding and d = 1."
        )
    )
photo = session.current().photo
filters = st.segmented_control(
    _("The layer's filters"),
    ["catalogue", "trained"],
    format_func={
        "catalogue": _("Kernels from the catalogue"),
        "trained": _("Trained filters, channel by channel"),
    }.__getitem__,
    default="catalogue",
    required=True,
    key="cnn_filters",
    persist_state="session",
)
if filters == "trained":
    first_layer_view.trained_filters(photo.pixels)
    st.stop()

with st.sidebar:
    st.header(_("Layer"))
    in_side = st.select_slider(
        _("Input size (long side, pixels)"),
        [32, 64, 96, 128, 192, 256],
        value=128,
        key="cnn_side",
        persist_state="session",
    )
    rgb = (
        st.radio(
            _("Input channels"),
            ["Gray (1 channel)", "RGB (3 channels)"],
            format_func={
                "Gray (1 channel)": _("Gray (1 channel)"),
                "RGB (3 channels)": _("RGB (3 channels)"),
            }.__getitem__,
            key="cnn_rgb",
            persist_state="session",
            help=_(
                "RGB: each filter holds the same 2-D kernel for all three channels and sums the three "
                "responses, as a CNN filter of depth 3 does."
            ),
        )
        == "RGB (3 channels)"
    )
    names = st.multiselect(
        _("Kernels (presets)"),
        list(imgkernel.CATALOGUE),
        default=list(DEFAULT_BANK),
        format_func=lambda n: wording.kernel_title(n, imgkernel.get(n).title),
        key="cnn_names",
        persist_state="session",
    )
    gabor = st.checkbox(_("Add a Gabor bank (4 orientations)"), key="cnn_gabor", persist_state="session")
    n_random = st.number_input(
        _("Random kernels (untrained layer)"), 0, 8, 0, key="cnn_random", persist_state="session"
    )
    random_size = st.number_input(
        _("Random kernel size"), 1, 9, 3, step=2, key="cnn_random_size", persist_state="session"
    )
    seed = st.number_input(_("Random seed"), 0, 10_000, 0, key="cnn_seed", persist_state="session")
    stride = st.slider(_("Stride"), 1, 4, 1, key="cnn_stride", persist_state="session")
    padding = st.segmented_control(
        _("Padding"),
        PADDINGS,
        format_func=cnn_view.padding_name,
        default="same",
        key="cnn_padding",
        persist_state="session",
        required=True,
    )
    dilation = st.slider(_("Dilation"), 1, 4, 1, key="cnn_dilation", persist_state="session")
    bias = st.slider(_("Bias (added to every map)"), -255.0, 255.0, 0.0, 1.0, key="cnn_bias", persist_state="session")
    use_relu = st.checkbox(_("ReLU (negatives become 0)"), True, key="cnn_relu", persist_state="session")
    pool = st.segmented_control(
        _("Pooling"),
        ["none", *POOLS],
        format_func=cnn_view.padding_name,
        default="max",
        key="cnn_pool",
        persist_state="session",
        required=True,
    )
    pool_size = st.slider(_("Pool size"), 2, 4, 2, key="cnn_pool_size", persist_state="session")
    pool_stride = st.slider(_("Pool stride"), 1, 4, 2, key="cnn_pool_stride", persist_state="session")
    second = st.checkbox(
        _("Second layer: combine the maps"),
        key="cnn_second",
        persist_state="session",
        help=_(
            "Each second-layer map is a weighted sum of all first-layer maps (a 1 × 1 "
            "convolution with random, seeded weights), then ReLU."
        ),
    )

titles, bank, padded_kernels = kernel_bank(
    names,
    gabor_angles=GABOR_ANGLES if gabor else (),
    n_random=int(n_random),
    random_size=int(random_size),
    seed=int(seed),
)
titles = [cnn_view.bank_title(t, names[i] if i < len(names) else None) for i, t in enumerate(titles)]
if not titles:
    st.info(_("Pick at least one kernel (or add random ones) to build the layer."))
    st.stop()
small = cache.preview(photo, in_side).pixels
x = small if rgb else imgkernel.to_gray(small)
channels = "RGB" if rgb else _("gray")
layer = cnn_view.Layer(
    stride=stride,
    padding=padding,
    dilation=dilation,
    bias=bias,
    relu=use_relu,
    pool=pool,
    pool_size=pool_size,
    pool_stride=pool_stride,
)
try:
    run = cnn_view.run_layer(
        x, bank, layer, _("{photo}, {channels}", photo=wording.photo_name(photo.name), channels=channels)
    )
except imgkernel.KernelError as err:
    st.error(i18n.message(err))
    st.stop()

left, right = st.columns([1, 2])
left.image(
    cnn_view.readable(x),
    caption=_("Input · {size} · {channels}", size=wording.size(x.shape[1], x.shape[0]), channels=channels),
    output_format="PNG",
    width="stretch",
    alt=wording.alt_photo(
        photo.name, x.shape[1], x.shape[0], what=_("the layer's input, {channels}", channels=channels)
    ),
)
with right:
    st.markdown(
        _(
            "**Output size at each step:** `floor((n + p₁ + p₂ − d(k−1) − 1) / s) + 1`, for the height (H) and the "
            "width (W); p₁ and p₂ are the zeros added before and after"
        )
    )
    st.table(pd.DataFrame(run.steps).set_index(_("step")))
    st.caption(
        _(
            "Shapes are channels × height × width (C × H × W), the order PyTorch uses; a map's size is "
            "written width × height like a photo's."
        )
    )
    st.caption(cnn_view.padding_note(run.pads, padding))
    if padding == "same":
        st.caption(cnn_view.same_rule())
    if padded_kernels:
        st.caption(
            _(
                "Kernels of different sizes are zero-padded to {size} around their centre: "
                "a layer has one kernel size.",
                size=kernel_size(bank[0]),
            )
        )

st.subheader(_("Feature maps ({n})", n=len(titles)))
cnn_view.map_grid(run.shown, titles, after_relu=use_relu)
negatives = bool(np.any(run.maps < 0))
if use_relu and negatives:
    negative_colour, _zero, positive_colour = wording.colours()
    st.caption(
        _(
            "Before ReLU each edge kernel answers both sides of an edge ({positive} one side, {negative} the other); "
            "ReLU keeps only the positive side, which is why a CNN needs both 'top' and 'bottom' kernels.",
            positive=positive_colour,
            negative=negative_colour,
        )
    )
    with st.expander(_("The maps before ReLU (and before pooling)")):
        cnn_view.map_grid(run.maps, titles, after_relu=False)
st.caption(_("Zero padding makes the photo's own border look like an edge: CNNs see that too."))

if second:
    st.subheader(_("Second layer: features combining"))
    rng = np.random.default_rng(int(seed) + 1)
    m = min(4, max(1, len(titles)))
    weights = rng.normal(size=(m, len(titles)))
    combined = combine_maps(run.shown, weights)
    combined = relu(combined) if use_relu else combined
    map_names = [_("map {n}", n=i + 1) for i in range(m)]
    st.dataframe(pd.DataFrame(weights, index=map_names, columns=titles).style.format("{:.2f}"))
    st.caption(
        _(
            "Each row gives the weights of one second-layer map over the first-layer maps: positive weights add "
            "a feature, negative ones suppress it, so a second-layer map lights up where a *combination* of "
            "edges occurs (corners, crossings, textures)."
        )
    )
    cnn_view.map_grid(combined, map_names, after_relu=use_relu, kind=_("Second-layer"))
