"""CNN layer: a bank of kernels as one convolutional layer, with bias, ReLU, pooling and the shapes at each step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from app import cache, session
from imgkernel.layers import (
    PADDINGS,
    POOLS,
    combine_maps,
    conv_layer,
    layer_output_size,
    pad_to_size,
    padding_amount,
    pool2d,
    random_bank,
    relu,
)
from imgkernel.mapping import signed_colormap

COLUMNS = 4
DEFAULT_BANK = ("sobel_top", "sobel_bottom", "sobel_left", "sobel_right", "laplacian_4", "outline")
GABOR_ANGLES = (0, 45, 90, 135)


def _bank(names: list[str], n_random: int, seed: int, random_size: int,
          gabor: bool) -> tuple[list[str], np.ndarray, bool]:
    """The layer's kernels (titles, stack, whether some were padded), smaller ones zero-padded around their anchor."""
    titles, kernels = [], []
    for name in names:
        spec = imgkernel.get(name)
        titles.append(spec.title)
        kernels.append(spec.matrix())
    gabor_spec = imgkernel.CATALOGUE.get("gabor")
    if gabor and gabor_spec is not None and "theta" in gabor_spec.defaults():
        for angle in GABOR_ANGLES:
            titles.append(f"Gabor {angle}°")
            kernels.append(gabor_spec.matrix({"theta": angle}))
    for i, k in enumerate(random_bank(n_random, random_size, seed)):
        titles.append(f"Random #{i + 1}")
        kernels.append(k)
    if not kernels:
        return [], np.zeros((0, 1, 1)), False
    shape = (max(k.shape[0] for k in kernels), max(k.shape[1] for k in kernels))
    return titles, np.stack([pad_to_size(k, shape) for k in kernels]), any(k.shape != shape for k in kernels)


def _limit(maps: np.ndarray) -> float:
    """The shared colour scale: the 99.5th percentile of |value|, so a few huge responses (e.g. where zero padding
    meets a bright border) do not wash every map out."""
    return float(np.percentile(np.abs(maps), 99.5)) or float(np.abs(maps).max()) or 1.0


def _grid(maps: np.ndarray, titles: list[str], limit: float) -> None:
    """Feature maps as diverging colour images on one shared scale (blue < 0 < red), so strengths compare."""
    for start in range(0, len(maps), COLUMNS):
        for col, m, title in zip(st.columns(COLUMNS), maps[start:start + COLUMNS], titles[start:start + COLUMNS],
                                 strict=False):
            col.image(signed_colormap(m, limit=limit), caption=f"{title} · {m.shape[0]}×{m.shape[1]}",
                      output_format="PNG", width="stretch")


st.title("A convolutional layer, made of image kernels")
st.caption("A CNN's first layer is a bank of kernels like the ones in the catalogue, applied exactly as here "
           "(correlation, no kernel rotation); a trained network learns the weights instead of taking presets. "
           "Maps are drawn blue below 0, white at 0 and red above, all on one scale.")
with st.expander("How this layer computes"):
    st.markdown(
        "* **Convolution**: each kernel slides over the input (cross-correlation, as in PyTorch's `Conv2d`); "
        "the input is padded with zeros: *valid* = none, *same* = d(k−1)/2 per side (keeps the size at stride 1), "
        "*full* = d(k−1) per side (every position where kernel and input overlap).\n"
        "* **RGB input**: a filter has one kernel per input channel; here all three are the same 2-D kernel, and "
        "the three responses are summed into one map (gray input: one channel, the luminance).\n"
        "* **Bias** is added to every value of a map, then **ReLU** sets negatives to 0.\n"
        "* **Pooling** keeps the maximum (or mean) of each window: the map shrinks, the strongest responses stay.\n"
        "* **Output size** per side: `floor((n + 2p − d(k−1) − 1) / s) + 1`; pooling is the same with p = 0, "
        "d = 1.")
photo = session.current().photo

with st.sidebar:
    st.header("Layer")
    in_side = st.select_slider("Input size (long side, pixels)", [32, 64, 96, 128, 192, 256], value=128,
                               key="cnn_side")
    rgb = st.radio("Input channels", ["Gray (1 channel)", "RGB (3 channels)"], key="cnn_rgb",
                   help="RGB: each filter holds the same 2-D kernel for all three channels and sums the three "
                        "responses, as a CNN filter of depth 3 does.") == "RGB (3 channels)"
    names = st.multiselect("Kernels (presets)", list(imgkernel.CATALOGUE),
                           default=[n for n in DEFAULT_BANK[:5] if n in imgkernel.CATALOGUE]
                           or [DEFAULT_BANK[0]], format_func=lambda n: imgkernel.get(n).title, key="cnn_names")
    gabor = st.checkbox("Add a Gabor bank (4 orientations)", key="cnn_gabor",
                        disabled="gabor" not in imgkernel.CATALOGUE)
    n_random = st.number_input("Random kernels (untrained layer)", 0, 8, 0, key="cnn_random")
    random_size = st.number_input("Random kernel size", 1, 9, 3, step=2, key="cnn_random_size")
    seed = st.number_input("Random seed", 0, 10_000, 0, key="cnn_seed")
    stride = st.slider("Stride", 1, 4, 1, key="cnn_stride")
    padding = st.segmented_control("Padding", PADDINGS, default="same", key="cnn_padding", required=True)
    dilation = st.slider("Dilation", 1, 4, 1, key="cnn_dilation")
    bias = st.slider("Bias (added to every map)", -255.0, 255.0, 0.0, 1.0, key="cnn_bias")
    use_relu = st.checkbox("ReLU (negatives become 0)", True, key="cnn_relu")
    pool = st.segmented_control("Pooling", ["none", *POOLS], default="max", key="cnn_pool", required=True)
    pool_size = st.slider("Pool size", 2, 4, 2, key="cnn_pool_size")
    pool_stride = st.slider("Pool stride", 1, 4, 2, key="cnn_pool_stride")
    second = st.checkbox("Second layer: combine the maps", key="cnn_second",
                         help="Each second-layer map is a weighted sum of all first-layer maps (a 1×1 "
                              "convolution with random, seeded weights), then ReLU.")

titles, bank, padded_kernels = _bank(names, int(n_random), int(seed), int(random_size), gabor)
if not titles:
    st.info("Pick at least one kernel (or add random ones) to build the layer.")
    st.stop()
small = cache.preview(photo, in_side).pixels
x = small if rgb else imgkernel.to_gray(small)
h, w = x.shape[:2]
channels = x.shape[2] if x.ndim == 3 else 1
k_h, k_w = bank.shape[1:]
p_h, p_w = padding_amount(k_h, padding, dilation), padding_amount(k_w, padding, dilation)

try:
    maps = conv_layer(x, bank, bias, stride=stride, padding=padding, dilation=dilation)
except imgkernel.KernelError as err:
    st.error(str(err))
    st.stop()

steps = [{"step": "input", "shape": f"{channels} × {h} × {w}", "how": f"{photo.name}, {'RGB' if rgb else 'gray'}"}]
steps.append({
    "step": f"conv ({len(titles)} kernels {k_h}×{k_w})",
    "shape": f"{len(titles)} × {maps.shape[1]} × {maps.shape[2]}",
    "how": f"floor(({h} + 2·{p_h} − {dilation}·({k_h}−1) − 1) / {stride}) + 1 = "
           f"{layer_output_size(h, k_h, p_h, stride, dilation)};  "
           f"floor(({w} + 2·{p_w} − {dilation}·({k_w}−1) − 1) / {stride}) + 1 = "
           f"{layer_output_size(w, k_w, p_w, stride, dilation)}",
})
shown = maps
negatives = int(np.count_nonzero(maps < 0))
if use_relu:
    shown = relu(maps)
    steps.append({"step": "ReLU", "shape": f"{len(titles)} × {maps.shape[1]} × {maps.shape[2]}",
                  "how": f"{negatives:,} of {maps.size:,} values were negative and became 0 "
                         f"({negatives / maps.size:.0%})"})
if pool != "none":
    try:
        shown = pool2d(shown, pool_size, pool_stride, pool)
    except imgkernel.KernelError as err:
        st.error(str(err))
        st.stop()
    steps.append({"step": f"{pool} pool {pool_size}×{pool_size}, stride {pool_stride}",
                  "shape": f"{len(titles)} × {shown.shape[1]} × {shown.shape[2]}",
                  "how": f"floor(({maps.shape[1]} − {pool_size}) / {pool_stride}) + 1 = "
                         f"{layer_output_size(maps.shape[1], pool_size, 0, pool_stride)};  "
                         f"floor(({maps.shape[2]} − {pool_size}) / {pool_stride}) + 1 = "
                         f"{layer_output_size(maps.shape[2], pool_size, 0, pool_stride)}"})

left, right = st.columns([1, 2])
left.image(x, caption=f"Input {h}×{w}{' RGB' if rgb else ' gray'}", width="stretch")
with right:
    st.markdown("**Output size at each step:** `floor((n + 2p − d(k−1) − 1) / s) + 1`")
    st.table(pd.DataFrame(steps).set_index("step"))
    if padding == "same" and k_h % 2 == 0:
        st.caption("'same' padding is symmetric here, so an even kernel loses one pixel per side.")
    if padded_kernels:
        st.caption(f"Kernels of different sizes are zero-padded to {k_h}×{k_w} around their centre: "
                   "a layer has one kernel size.")

st.subheader(f"Feature maps ({len(titles)})")
_grid(shown, titles, _limit(shown))
if use_relu and negatives:
    st.caption("Before ReLU each edge kernel answers both sides of an edge (red one side, blue the other); "
               "ReLU keeps only the positive side, which is why a CNN needs both 'top' and 'bottom' kernels.")
    with st.expander("The maps before ReLU (and before pooling)"):
        _grid(maps, titles, _limit(maps))
st.caption("Colours saturate at the 99.5th percentile of the values shown. Zero padding makes the photo's own "
           "border look like an edge: CNNs see that too.")

if second:
    st.subheader("Second layer: features combining")
    rng = np.random.default_rng(int(seed) + 1)
    m = min(4, max(1, len(titles)))
    weights = rng.normal(size=(m, len(titles)))
    combined = combine_maps(shown, weights)
    combined = relu(combined) if use_relu else combined
    st.dataframe(pd.DataFrame(weights, index=[f"map {i + 1}" for i in range(m)], columns=titles).style.format("{:.2f}"))
    st.caption("Each row gives the weights of one second-layer map over the first-layer maps: positive weights add "
               "a feature, negative ones suppress it, so a second-layer map lights up where a *combination* of "
               "edges occurs (corners, crossings, textures).")
    _grid(combined, [f"map {i + 1}" for i in range(m)], _limit(combined))
