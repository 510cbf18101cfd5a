"""The CNN page's "trained filters" part: a real first layer (the bundled network's or the visitor's ``.onnx``) on
the photo, one filter taken apart channel by channel, and what depthwise + pointwise saves.

A real first-layer filter is C × kh × kw: one kernel per input channel. Its three partial maps are summed, then
the bias is added: the step students miss. Depthwise + pointwise (MobileNet) keeps the per-channel kernels but
mixes the channels with 1 × 1 weights instead. The functions above the line are pure; those below draw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

import imgkernel
from imgkernel.formats.images import resize_long_side
from imgkernel.layers import FirstConv, conv2d, first_conv, trained_first_layer
from imgkernel.learn.layers import pool2d, relu
from imgkernel.mapping import signed_colormap

from . import cnn_view, i18n, wording
from .i18n import N_, _
from .limits import MODEL_UPLOAD_LIMIT_MB

# How a photo's 0..255 codes become the model's input, when the model does not say (ImageNet's mean and standard
# deviation are torchvision's, for inputs in 0..1).
SCALINGS = {
    "unit": N_("0 to 1 (codes ÷ 255)"),
    "bytes": N_("0 to 255 (the codes as they are)"),
    "imagenet": N_("ImageNet mean and standard deviation"),
}
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)
MOSAIC_CELL = 40  # each filter of the mosaic is drawn about this many pixels wide
ACTIVATIONS = frozenset({"Relu", "Clip", "LeakyRelu", "HardSwish"})  # shown as ReLU: what they do to negatives
MAX_MAPS = 24  # feature maps drawn at most (a layer may have hundreds)
SIDES = (64, 96, 128, 192, 256)  # the input's long side, in pixels


# ------------------------------------------------------------------------------------------- pure (no Streamlit)
def model_input(pixels: np.ndarray, channels: int, scaling: str, conv: FirstConv | None = None) -> np.ndarray:
    """The photo (uint8, (H, W) or (H, W, 3)) as the model's C × H × W float32 input.

    ``scaling`` says what the model's raw input is: ``unit`` (0..1), ``bytes`` (0..255) or ``imagenet``
    (0..1 normalised by ImageNet's mean and standard deviation). When the model scales its input itself
    (``conv.input_scaling``), that scaling is applied on top of the raw input, as the graph would.
    A gray photo is repeated for a 3-channel model; a colour photo gives a 1-channel model its luminance (other
    channel counts are refused by the page before this is called).
    """
    px = np.asarray(pixels)
    if channels == 1:
        px = imgkernel.to_gray(px) if px.ndim == 3 else px
        x = px[None].astype(np.float32)
    elif channels == 3:
        rgb = np.repeat(px[:, :, None], 3, axis=2) if px.ndim == 2 else px
        x = np.moveaxis(rgb, 2, 0).astype(np.float32)
    else:
        raise ValueError(f"a photo gives 1 or 3 channels, not {channels}")
    if scaling != "bytes":
        x /= np.float32(255)
    if scaling == "imagenet":
        x = (x - IMAGENET_MEAN[: len(x), None, None]) / IMAGENET_STD[: len(x), None, None]
    if conv is not None and conv.input_scaling is not None:
        scale, shift = (np.asarray(v, np.float32).reshape(-1, 1, 1) for v in conv.input_scaling)
        x = x * scale + shift
    return x.astype(np.float32)


def filter_mosaic(weights: np.ndarray, columns: int = 8, cell: int = MOSAIC_CELL, gap: int = 2) -> np.ndarray:
    """The well-known picture of a first layer: each filter as a small colour image, in a grid.

    Each filter is drawn on its own symmetric scale, grey = 0 (so a filter's sign and colour read, not its
    strength): ``127.5 + 127.5 · w / max|w|``. Three-channel filters are drawn in colour (R, G, B), others by
    their channel mean. Returns uint8 RGB, white between the filters.
    """
    w = np.asarray(weights, np.float32)
    o, c, kh, kw = w.shape
    zoom = max(1, cell // max(kh, kw))
    rows = -(-o // columns)
    tile_h, tile_w = kh * zoom, kw * zoom
    out = np.full((rows * (tile_h + gap) + gap, columns * (tile_w + gap) + gap, 3), 255, np.uint8)
    for i, f in enumerate(w):
        rgb = np.moveaxis(f, 0, 2) if c == 3 else np.repeat(f.mean(axis=0)[:, :, None], 3, axis=2)
        limit = float(np.abs(rgb).max()) or 1.0
        tile = np.clip(127.5 + 127.5 * rgb / limit, 0, 255).round().astype(np.uint8)
        top, left = gap + (i // columns) * (tile_h + gap), gap + (i % columns) * (tile_w + gap)
        out[top : top + tile_h, left : left + tile_w] = np.repeat(np.repeat(tile, zoom, axis=0), zoom, axis=1)
    return out


def input_channels(conv: FirstConv, index: int) -> range:
    """The input channels filter ``index`` reads: all of them, or its group's when ``groups`` > 1."""
    per_group = conv.weights.shape[1]
    group = index // (conv.weights.shape[0] // conv.groups)
    return range(group * per_group, (group + 1) * per_group)


def partial_maps(x: np.ndarray, conv: FirstConv, index: int) -> np.ndarray:
    """Filter ``index`` channel by channel: its kernel for each input channel on that channel alone
    (C × H' × W'). Their sum plus the bias is the filter's feature map."""
    pads = conv.pads_for(x.shape[1], x.shape[2])
    maps = [
        conv2d(x[ch : ch + 1], conv.weights[index : index + 1, i : i + 1], None, conv.stride, pads, conv.dilation)[0]
        for i, ch in enumerate(input_channels(conv, index))
    ]
    return np.stack(maps)


def feature_maps(x: np.ndarray, conv: FirstConv) -> np.ndarray:
    """Every filter's feature map (weights, bias, stride, padding, dilation and groups as the model says),
    O × H' × W'."""
    pads = conv.pads_for(x.shape[1], x.shape[2])
    return conv2d(x, conv.weights, conv.bias, conv.stride, pads, conv.dilation, conv.groups)


@dataclass(frozen=True)
class Costs:
    """Weights and multiply-adds of one layer, the standard way and as depthwise + pointwise."""

    standard_params: int
    standard_macs: int
    separable_params: int
    separable_macs: int


def costs(conv: FirstConv, h: int, w: int) -> Costs:
    """What a layer of this shape costs for one h × w input: its own filters (O of C/groups × kh × kw, plus O
    biases) against depthwise (C kernels of kh × kw, plus C biases) + pointwise (O × C weights, plus O biases)
    with the same stride, each multiply-add counted once per output value."""
    out_h, out_w = conv.output_size(h, w)
    kh, kw = conv.kernel_size
    c, o = conv.in_channels, conv.out_channels
    return Costs(
        standard_params=conv.parameter_count(),
        standard_macs=conv.multiply_adds(h, w),
        separable_params=c * kh * kw + c + o * c + o,
        separable_macs=(c * kh * kw + o * c) * out_h * out_w,
    )


def default_scaling(conv: FirstConv) -> str:
    """The likeliest units of the model's raw input. A model that normalises its input itself shows it by the
    value it maps to 0 (the mean it subtracts): within 0..1.5 the input is 0..1, beyond it 0..255. A model
    that does not is most likely one trained on ImageNet's normalised input."""
    if conv.input_scaling is None:
        return "imagenet"
    scale, shift = conv.input_scaling
    zero = -np.asarray(shift, np.float64) / np.where(scale == 0, 1, scale)
    return "unit" if float(np.abs(zero).max()) <= 1.5 else "bytes"


# ---------------------------------------------------------------------------------------------------- drawing
MODEL_KEY = "cnn_model"  # session: (file name, FirstConv) of the last model that was read
UPLOAD_KEY = "cnn_onnx"


def _on_model() -> None:
    """A model was dropped: read its first Conv, or say why not (the last good model stays)."""
    f = st.session_state.get(UPLOAD_KEY)
    if f is None:
        return
    try:
        st.session_state[MODEL_KEY] = (f.name, first_conv(f.getvalue()))
        st.session_state.pop("cnn_model_error", None)
    except imgkernel.KernelError as exc:
        st.session_state["cnn_model_error"] = (f.name, exc)


def _source() -> tuple[str, FirstConv] | None:
    """The first layer to look at: the bundled network's, or the visitor's model."""
    choice = st.segmented_control(
        _("Filters from"),
        ["bundled", "upload"],
        format_func={"bundled": _("A trained network (bundled)"), "upload": _("Your own model (ONNX)")}.__getitem__,
        default="bundled",
        required=True,
        key="cnn_source",
        persist_state="session",
    )
    if choice != "upload":
        st.caption(
            _(
                "The first layer of EfficientNet-Lite0, trained on ImageNet to name 1,000 kinds of things (Apache-2.0, "
                "converted from Google's TensorFlow checkpoint): its batch normalisation is folded into the weights "
                "and biases. A 3 × 3 stem, as most modern networks have."
            )
        )
        return "EfficientNet-Lite0", trained_first_layer()
    st.file_uploader(
        _("An ONNX model (up to 100 MB): its first convolution is read, nothing in it is run"),
        type=["onnx"],
        key=UPLOAD_KEY,
        max_upload_size=MODEL_UPLOAD_LIMIT_MB,
        on_change=_on_model,
    )
    failed = st.session_state.get("cnn_model_error")
    if failed:
        name, exc = failed
        st.error(_("{name}: {reason}", name=name, reason=i18n.message(exc)))
    kept = st.session_state.get(MODEL_KEY)
    if kept is None:
        st.info(_("Drop a model exported to ONNX (from PyTorch, TensorFlow or Keras) to see its first layer."))
        return None
    if failed:
        st.caption(_("Still showing {name}.", name=kept[0]))
    return kept


def trained_filters(photo_pixels: np.ndarray) -> None:
    """The page part: the source's filters, one filter taken apart, all maps, and the costs."""
    picked = _source()
    if picked is None:
        return
    name, conv = picked
    o, c_in, kh, kw = conv.weights.shape
    channels = conv.in_channels
    if channels not in (1, 3):
        st.error(_("This model's first layer reads {n} channels; a photo has 1 (gray) or 3 (RGB).", n=channels))
        return
    st.image(
        filter_mosaic(conv.weights),
        caption=_(
            "{o} filters of {c} × {kh} × {kw} from {name} (grey = 0; each filter on its own scale)",
            o=o,
            c=c_in,
            kh=kh,
            kw=kw,
            name=name,
        ),
        output_format="PNG",
        alt=_("The {o} first-layer filters of {name} as small colour squares", o=o, name=name),
    )
    side = st.select_slider(
        _("Input size (long side, pixels)"), SIDES, value=128, key="cnn_trained_side", persist_state="session"
    )
    own = conv.input_scaling is not None  # the model normalises its input itself: only the units are asked
    choices = ["unit", "bytes"] if own else list(SCALINGS)
    scaling = st.radio(
        _("The model's input"),
        choices,
        format_func=lambda s: _(SCALINGS[s]),
        index=choices.index(default_scaling(conv)),
        horizontal=True,
        key=f"cnn_scaling_{own}",
        help=_("How the photo's 0..255 codes are turned into what the model was trained on."),
    )
    if own:
        st.caption(
            _("The model normalises its input itself (Sub, Div or Mul before the convolution); that step is applied.")
        )
    small = resize_long_side(photo_pixels, side)
    try:
        x = model_input(small, channels, scaling, conv)
        _one_filter(x, conv)
        _all_maps(x, conv)
    except imgkernel.KernelError as exc:
        st.error(i18n.message(exc))


def _one_filter(x: np.ndarray, conv: FirstConv) -> None:
    o = conv.weights.shape[0]
    st.subheader(_("One filter, channel by channel"))
    # kept for the session; a model with another number of filters makes it a new widget, back at 1
    index = int(st.number_input(_("Filter"), 1, o, 1, key="cnn_filter", persist_state="session")) - 1
    parts = partial_maps(x, conv, index)
    bias = 0.0 if conv.bias is None else float(conv.bias[index])
    design = st.segmented_control(
        _("Design"),
        ["standard", "separable"],
        format_func={"standard": _("Standard filter"), "separable": _("Depthwise + pointwise")}.__getitem__,
        default="standard",
        required=True,
        key="cnn_design",
        persist_state="session",
    )
    names = [_("channel {n}", n=ch + 1) for ch in input_channels(conv, index)]
    if len(names) == 3:
        names = [_("red"), _("green"), _("blue")]
    kernels = conv.weights[index]
    limit = float(np.abs(kernels).max()) or 1.0
    for col, k, title in zip(st.columns(len(kernels)), kernels, names, strict=False):
        col.image(
            cnn_view.readable(signed_colormap(k, limit=limit), 96),
            caption=_("kernel for {channel}", channel=title),
            output_format="PNG",
            alt=wording.alt_signed(
                _("Kernel for {channel}", channel=title), k.shape[1], k.shape[0], float(k.min()), float(k.max())
            ),
        )
    mix = np.ones(len(parts), np.float32)
    if design == "separable":
        st.caption(
            _(
                "Depthwise: each channel has its own kernel and its own map. Pointwise: a 1 × 1 convolution mixes "
                "the maps with one weight each. With every weight 1 it is exactly the standard filter; a layer "
                "shares the depthwise maps between all its outputs, which is where it saves."
            )
        )
        for i, col in enumerate(st.columns(len(parts))):
            mix[i] = col.slider(_("weight of {channel}", channel=names[i]), -2.0, 2.0, 1.0, 0.1, key=f"cnn_mix_{i}")
    total = np.tensordot(mix, parts, axes=1) + np.float32(bias)
    cnn_view.map_grid(
        np.concatenate([parts, total[None]]),
        [*(_("{channel} part", channel=n) for n in names), _("sum + bias ({bias})", bias=wording.num(bias))],
        after_relu=False,
    )
    st.caption(
        _(
            "Each kernel slides over its own channel; the partial maps are added, then the bias: one filter makes "
            "one feature map, however many channels it reads."
        )
    )


def _all_maps(x: np.ndarray, conv: FirstConv) -> None:
    o = conv.weights.shape[0]
    count = min(o, MAX_MAPS)
    st.subheader(_("Feature maps ({n})", n=o))
    maps = feature_maps(x, conv)[:count]
    if conv.followed_by:
        st.caption(_("In the model the convolution is followed by: {ops}.", ops=" → ".join(conv.followed_by)))
    relu_col, pool_col = st.columns(2)
    activated = not conv.followed_by or bool(ACTIVATIONS.intersection(conv.followed_by))
    use_relu = relu_col.checkbox(_("ReLU (negatives become 0)"), activated, key="cnn_trained_relu")
    use_pool = pool_col.checkbox(_("Max pool 2 × 2, stride 2"), "MaxPool" in conv.followed_by, key="cnn_trained_pool")
    shown = relu(maps) if use_relu else maps
    shown = pool2d(shown, 2, 2, "max") if use_pool and min(shown.shape[1:]) >= 2 else shown
    cnn_view.map_grid(shown, [_("filter {n}", n=i + 1) for i in range(count)], after_relu=use_relu)
    if o > count:
        st.caption(_("The first {count} of {o} maps.", count=count, o=o))
    c = costs(conv, x.shape[1], x.shape[2])
    st.table(
        {
            _("design"): [_("Standard filters"), _("Depthwise + pointwise")],
            _("weights"): [f"{c.standard_params:,}", f"{c.separable_params:,}"],
            _("multiply-adds"): [f"{c.standard_macs:,}", f"{c.separable_macs:,}"],
        }
    )
