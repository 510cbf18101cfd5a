"""A CNN's first layer as the frameworks compute it: multi-channel filters, groups, and the first ``Conv`` of a
trained or uploaded model.

Conventions (PyTorch's ``Conv2d``, ONNX's ``Conv``, TensorFlow/Keras):

* an input is C×H×W (channels first, one image, no batch axis); filters are OIHW, O×(C/groups)×kh×kw;
* each output map is a cross-correlation (the filter is not rotated) of the zero-padded input: filter ``o`` of
  group ``g`` sums the products over its C/groups input channels and all its taps, then adds its bias. The
  per-channel products summed into one map is the step a single 2-D kernel does not show;
* ``groups`` splits the channels: group ``g`` of ``groups`` reads input channels ``g·C/groups .. (g+1)·C/groups``
  and makes output maps ``g·O/groups .. (g+1)·O/groups``; ``groups = C = O`` is a depthwise convolution
  (MobileNet's), one kernel per channel;
* padding names are ``imgkernel.learn.layers.padding_amounts``'s: ``"same"`` is TensorFlow's ``"SAME"`` and ONNX's
  ``SAME_UPPER`` (output ``ceil(n / stride)``, an odd extra pixel after: bottom, right), ``"full"`` pads
  ``d(k-1)`` on both sides; each output side is ``floor((n + p1 + p2 - d(k-1) - 1) / s) + 1``.

``first_conv`` reads the first ``Conv`` of an ONNX file with the ``onnx`` package (protobuf parsing only: nothing
in the file is run), imported when it is called, never by ``import imgkernel``. ``trained_first_layer`` loads the
first layer of a network trained on ImageNet that ships with the project (``assets/README.md`` says where it
comes from).

The names this module used to forward (``imgkernel.learn.layers``: ``conv_layer``, ``relu``, ``pool2d``, ...)
still read from here with a ``DeprecationWarning`` until the next release.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _tiles
from .errors import KernelError
from .learn import layers as _learn
from .limits import MAX_KERNEL_ABS, MAX_MODEL_BYTES
from .messages import Message

if TYPE_CHECKING:  # the onnx package is imported only by first_conv
    from onnx import GraphProto, NodeProto, TensorProto

Pads = tuple[tuple[int, int], tuple[int, int]]
"""Zero padding ((top, bottom), (left, right)), in pixels."""
Scaling = tuple[np.ndarray, np.ndarray]
"""A per-channel input scaling (scale, shift), each (C,) float32: the model reads ``x * scale + shift``."""

AUTO_PADS = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
# ImageNet's channel statistics on 0..1 RGB (torchvision's ``Normalize``): the usual fallback scaling.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# The bundled first layer (devtools/extract_first_layer.py writes it, assets/README.md says where it is from).
TRAINED_FIRST_LAYER = Path(__file__).resolve().parents[1] / "assets" / "first_layer_efficientnet_lite0.npz"

_TILE_BYTES = 4 << 20  # the unrolled patches of one band of output rows (docs/engine.md: "Multi-channel filters")
_SCALING_OPS = ("Sub", "Div", "Mul", "Add")
FOLLOWERS = ("BatchNormalization", "Relu", "Clip", "LeakyRelu", "HardSigmoid", "HardSwish", "Sigmoid", "MaxPool")
"""Operators that ``FirstConv.followed_by`` reports after a first convolution (activations, pooling)."""
_OPS_TEXT = ", ".join(_SCALING_OPS)
_DOMAINS = ("", "ai.onnx")  # ONNX's own operators
# Largest stride, dilation or padding read from a model: first layers use up to 32 (a ViT's patches); a file's
# pads of millions would make apply() allocate gigabytes of zeros.
_MAX_CONV_SETTING = 256


def __getattr__(name: str) -> Any:
    """The old names (everything in ``imgkernel.learn.layers``), with a ``DeprecationWarning``."""
    if not name.startswith("__") and hasattr(_learn, name):
        warnings.warn(
            f"imgkernel.layers.{name} moved to imgkernel.learn.layers.{name}; the old name goes in the next release",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_learn, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# -- conv2d -----------------------------------------------------------------------------------------------------------


def _pair(value: object, name: str, low: int) -> tuple[int, int]:
    """(h, w) from an int or a pair of ints, each at least ``low``; a coded KernelError otherwise."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2:
        raise KernelError("layer_whole_at_least", name=Message(name), low=low, value=value)
    _learn._check_whole((name, pair[0], low), (name, pair[1], low))
    return int(pair[0]), int(pair[1])


def _explicit_pads(padding: object) -> Pads | None:
    """((top, bottom), (left, right)) from an explicit padding, None if it is not of that form."""
    if not isinstance(padding, (tuple, list)) or len(padding) != 2:
        return None
    if not all(isinstance(p, (tuple, list)) and len(p) == 2 for p in padding):
        return None
    (top, bottom), (left, right) = padding
    _learn._check_whole(*(("layer_name_padding", p, 0) for p in (top, bottom, left, right)))
    return (int(top), int(bottom)), (int(left), int(right))


def resolve_padding(
    padding: str | Pads,
    size: tuple[int, int],
    kernel: tuple[int, int],
    stride: int | tuple[int, int] = 1,
    dilation: int | tuple[int, int] = 1,
) -> Pads:
    """The zero padding ((top, bottom), (left, right)) in pixels that ``padding`` means for an input of ``size``
    (rows, columns) and a kernel of ``kernel`` (rows, columns).

    Parameters
    ----------
    padding
        ``"valid"`` (none), ``"same"`` (output ``ceil(n / stride)``; TensorFlow ``SAME``, ONNX ``SAME_UPPER``: an odd
        extra pixel goes after), ``"full"`` (``d(k-1)`` on each side), or explicit ((top, bottom), (left, right)).
    size, kernel
        (rows, columns) of the input and of one filter.
    stride, dilation
        An int or (rows, columns).

    Raises
    ------
    KernelError
        ``layer_unknown_padding`` for anything else, ``layer_whole_at_least`` for a negative or fractional amount.
    """
    sh, sw = _pair(stride, "layer_name_stride", 1)
    dh, dw = _pair(dilation, "layer_name_dilation", 1)
    if isinstance(padding, str):
        if padding not in _learn.PADDINGS:
            raise KernelError("layer_unknown_padding", value=padding, choices=_PADDING_CHOICES)
        return (
            _learn.padding_amounts(size[0], kernel[0], padding, sh, dh),
            _learn.padding_amounts(size[1], kernel[1], padding, sw, dw),
        )
    pads = _explicit_pads(padding)
    if pads is None:
        raise KernelError("layer_unknown_padding", value=padding, choices=_PADDING_CHOICES)
    return pads


_PADDING_CHOICES = "valid, same, full, ((top, bottom), (left, right))"


def conv2d(
    x: np.ndarray,
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    stride: int | tuple[int, int] = 1,
    padding: str | Pads = "valid",
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> np.ndarray:
    """A 2-D convolution layer as PyTorch's ``Conv2d`` and ONNX's ``Conv`` compute it, on one C×H×W image.

    Output map ``o`` (in group ``g``) at (i, j) is ``bias[o] + sum over c, u, v of
    weights[o, c, u, v] * xpad[g·C/groups + c, i·sh + u·dh, j·sw + v·dw]``: a cross-correlation (the filter is
    not rotated) of the zero-padded input, summed over the filter's input channels.

    Parameters
    ----------
    x
        The input, C×H×W (channels first), any real dtype; computed in float32. Values are in whatever units
        the filters expect (apply a model's input scaling first: ``FirstConv.apply``).
    weights
        O×(C/groups)×kh×kw filters (OIHW, the PyTorch and ONNX layout), finite.
    bias
        O numbers added to the maps, or None for none.
    stride, dilation
        An int or (rows, columns), each at least 1. Stride s keeps every s-th position; dilation d spreads a
        filter's taps d pixels apart.
    padding
        ``"valid"``, ``"same"`` (``SAME_UPPER``), ``"full"`` or ((top, bottom), (left, right)) pixels of zeros;
        see ``resolve_padding``.
    groups
        Splits the channels into this many independent convolutions; it divides C and O. ``groups = C`` with
        one filter per channel is a depthwise convolution.

    Returns
    -------
    numpy.ndarray
        O×H'×W' float32, ``H' = floor((H + top + bottom - dh(kh-1) - 1) / sh) + 1`` (W' likewise).

    Raises
    ------
    KernelError
        A coded message for shapes that do not fit (``conv_input_shape``, ``conv_weights_shape``,
        ``conv_groups``, ``conv_channels_mismatch``, ``conv_bias_shape``), non-finite weights
        (``kernel_not_finite``), bad settings (``layer_whole_at_least``, ``layer_unknown_padding``) or a filter
        larger than the padded input (``layer_no_fit``).

    Notes
    -----
    The input is unrolled (im2col) one band of output rows at a time, about 4 MB per thread
    (``_TILE_BYTES``), and each band is one float32 matrix product per group (BLAS, one thread each). The bands
    run on the engine's threads, so ``imgkernel.threads(n)`` caps this call too. Measured times:
    docs/engine.md, "Multi-channel filters".
    """
    a = np.asarray(x)
    if a.ndim != 3 or 0 in a.shape:
        raise KernelError("conv_input_shape", shape=tuple(int(n) for n in a.shape))
    w = np.asarray(weights)
    if w.ndim != 4 or 0 in w.shape:
        raise KernelError("conv_weights_shape", shape=tuple(int(n) for n in w.shape))
    _learn._check_whole(("layer_name_groups", groups, 1))
    c, h, width = (int(n) for n in a.shape)
    o, cg, kh, kw = (int(n) for n in w.shape)
    if c % groups or o % groups:
        raise KernelError("conv_groups", groups=int(groups), c=c, o=o)
    if cg * groups != c:
        raise KernelError("conv_channels_mismatch", c=c, per_group=cg, groups=int(groups), expected=cg * groups)
    w = w.astype(np.float32)
    if not np.isfinite(w).all():
        raise KernelError("kernel_not_finite")
    b = None
    if bias is not None:
        b = np.asarray(bias).astype(np.float32)
        if b.shape != (o,):
            raise KernelError("conv_bias_shape", o=o, shape=tuple(int(n) for n in b.shape))
        if not np.isfinite(b).all():
            raise KernelError("kernel_not_finite")
    sh, sw = _pair(stride, "layer_name_stride", 1)
    dh, dw = _pair(dilation, "layer_name_dilation", 1)
    (top, bottom), (left, right) = resolve_padding(padding, (h, width), (kh, kw), (sh, sw), (dh, dw))
    out_h = _learn.layer_output_size(h, kh, (top, bottom), sh, dh)  # layer_no_fit when nothing fits
    out_w = _learn.layer_output_size(width, kw, (left, right), sw, dw)

    xp = np.pad(a.astype(np.float32, copy=False), ((0, 0), (top, bottom), (left, right)))
    g = int(groups)
    og, taps = o // g, cg * kh * kw
    wm = w.reshape(g, og, taps)  # filter (g, j) as one row: its channels, then rows, then columns of taps
    out = np.empty((o, out_h, out_w), np.float32)
    flat = out.reshape(g, og, out_h * out_w)
    xg = xp.reshape(g, cg, *xp.shape[1:])
    band = max(1, min(out_h, _TILE_BYTES // (4 * c * kh * kw * out_w)))  # output rows per task

    def make_worker() -> Callable[[int], None]:
        buffer = np.empty(c * kh * kw * band * out_w, np.float32)  # this thread's unrolled patches

        def task(i: int) -> None:
            r0 = i * band
            rows = min(band, out_h - r0)
            patches = buffer[: c * kh * kw * rows * out_w].reshape(g, cg, kh, kw, rows, out_w)
            for u in range(kh):
                y0 = r0 * sh + u * dh
                for v in range(kw):
                    x0 = v * dw
                    patches[:, :, u, v] = xg[
                        :, :, y0 : y0 + (rows - 1) * sh + 1 : sh, x0 : x0 + (out_w - 1) * sw + 1 : sw
                    ]
            np.matmul(wm, patches.reshape(g, taps, rows * out_w), out=flat[:, :, r0 * out_w : (r0 + rows) * out_w])
            if b is not None:  # while the band is in cache
                out[:, r0 : r0 + rows] += b[:, None, None]

        return task

    with _tiles.one_blas_thread():  # the pool's threads share the cores, not OpenBLAS's (as the engine does)
        _tiles.for_each(-(-out_h // band), make_worker, out.size >= _tiles.PARALLEL_MIN_VALUES)
    return out


# -- the first Conv of a model ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FirstConv:
    """A model's first convolution: its filters, their settings, and how the model scales its input.

    Attributes
    ----------
    weights
        O×(C/groups)×kh×kw float32 (OIHW), read-only.
    bias
        O float32, or None when the layer has none.
    stride, dilation
        (rows, columns).
    pads
        Explicit zero padding ((top, bottom), (left, right)) in pixels, or None when ``auto_pad`` is
        ``SAME_UPPER`` or ``SAME_LOWER`` (it depends on the input's size: ``pads_for``).
    auto_pad
        ONNX's ``auto_pad``: ``NOTSET`` (explicit ``pads``), ``VALID``, ``SAME_UPPER`` or ``SAME_LOWER``.
    groups
        Channel groups (C = ``weights.shape[1] * groups``).
    input_scaling
        (scale, shift), each (C,) float32, when the model transforms its input before the convolution: it reads
        ``x * scale + shift`` for ``x`` in the units of its input (0..1 or 0..255: the model's file does not
        say). None when the input goes into the convolution as it is.
    input_name, input_shape
        The model's input the convolution reads and its declared shape (a number, a symbolic name or None per
        axis), when known.
    followed_by
        The operators the model applies to the convolution's output next (``FOLLOWERS`` only, each the single
        user of the one before), e.g. ``("BatchNormalization", "Relu", "MaxPool")``: what a page may show after
        the maps. Empty when unknown.
    """

    weights: np.ndarray
    bias: np.ndarray | None
    stride: tuple[int, int]
    pads: Pads | None
    dilation: tuple[int, int]
    groups: int
    input_scaling: Scaling | None = None
    auto_pad: str = "NOTSET"
    input_name: str | None = None
    input_shape: tuple[int | str | None, ...] | None = None
    followed_by: tuple[str, ...] = ()

    @property
    def in_channels(self) -> int:
        """C, the channels the layer reads."""
        return int(self.weights.shape[1]) * self.groups

    @property
    def out_channels(self) -> int:
        """O, the feature maps it makes."""
        return int(self.weights.shape[0])

    @property
    def kernel_size(self) -> tuple[int, int]:
        """(kh, kw) of each filter."""
        return int(self.weights.shape[2]), int(self.weights.shape[3])

    def pads_for(self, h: int, w: int) -> Pads:
        """The padding ((top, bottom), (left, right)) in pixels for an input of h rows and w columns.

        ``SAME_UPPER`` puts an odd extra pixel after (bottom, right), ``SAME_LOWER`` before (top, left); both
        keep ``ceil(n / stride)`` outputs (ONNX's ``Conv``).
        """
        if self.pads is not None:
            return self.pads
        kh, kw = self.kernel_size
        ph = _learn.padding_amounts(h, kh, "same", self.stride[0], self.dilation[0])
        pw = _learn.padding_amounts(w, kw, "same", self.stride[1], self.dilation[1])
        if self.auto_pad == "SAME_LOWER":
            ph, pw = ph[::-1], pw[::-1]
        return ph, pw

    def output_size(self, h: int, w: int) -> tuple[int, int]:
        """(rows, columns) of each feature map for an h × w input; KernelError ``layer_no_fit`` if none fits."""
        (top, bottom), (left, right) = self.pads_for(h, w)
        kh, kw = self.kernel_size
        return (
            _learn.layer_output_size(h, kh, (top, bottom), self.stride[0], self.dilation[0]),
            _learn.layer_output_size(w, kw, (left, right), self.stride[1], self.dilation[1]),
        )

    def parameter_count(self) -> int:
        """Weights plus biases: the layer's learned numbers."""
        return int(self.weights.size) + (0 if self.bias is None else int(self.bias.size))

    def multiply_adds(self, h: int, w: int) -> int:
        """Multiply-adds for one h × w input: O · H' · W' · (C/groups) · kh · kw."""
        out_h, out_w = self.output_size(h, w)
        return self.out_channels * out_h * out_w * int(np.prod(self.weights.shape[1:]))

    def apply(self, x: np.ndarray, *, scale_input: bool = True) -> np.ndarray:
        """The layer's O×H'×W' float32 feature maps of ``x`` (C×H×W in the model's input units): the input
        scaling (if any, and ``scale_input``), then zero padding, then ``conv2d``."""
        a = np.asarray(x, dtype=np.float32)
        if scale_input and self.input_scaling is not None and a.ndim == 3 and a.shape[0] == self.in_channels:
            scale, shift = self.input_scaling
            a = a * scale[:, None, None] + shift[:, None, None]
        pads = self.pads_for(a.shape[1], a.shape[2]) if a.ndim == 3 else "valid"
        return conv2d(a, self.weights, self.bias, self.stride, pads, self.dilation, self.groups)


def scaling_from_mean_std(mean: Sequence[float], std: Sequence[float]) -> Scaling:
    """The (scale, shift) of a ``(x - mean) / std`` normalisation: scale ``1/std``, shift ``-mean/std``.

    Parameters
    ----------
    mean, std
        One number per channel, in the units of the input (``IMAGENET_MEAN`` and ``IMAGENET_STD`` are on 0..1).

    Returns
    -------
    Scaling
        Two (C,) float32 arrays, as ``FirstConv.input_scaling``: the model reads ``x * scale + shift``.
    """
    m = np.asarray(mean, dtype=np.float64)
    s = np.asarray(std, dtype=np.float64)
    return (1.0 / s).astype(np.float32), (-m / s).astype(np.float32)


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.setflags(write=False)
    return a


# -- reading an ONNX file (protobuf only) -----------------------------------------------------------------------


class _Graph:
    """Look-ups over one ONNX graph: which node makes a value, constants by name (initializers, Constant nodes)."""

    def __init__(self, graph: GraphProto) -> None:
        self.graph = graph
        self.initializers = {t.name: t for t in graph.initializer}
        self.producer: dict[str, NodeProto] = {}
        for node in graph.node:
            for name in node.output:
                self.producer.setdefault(name, node)
        self.inputs = {i.name: i for i in graph.input if i.name not in self.initializers}

    def tensor(self, name: str) -> TensorProto | None:
        """The constant tensor behind ``name`` (an initializer or a Constant node's value, through Identity nodes
        and Casts to a floating-point type), None if ``name`` is computed or fed at run time; ``onnx_not_model`` if
        nothing defines it."""
        for _ in range(len(self.graph.node) + 1):
            if name in self.initializers:
                return self.initializers[name]
            node = self.producer.get(name)
            if node is None:
                if name in self.inputs:
                    return None
                raise KernelError("onnx_not_model")  # a name nothing defines: a broken or cut-short file
            if _passes_through(node):
                name = node.input[0]
                continue
            if node.op_type != "Constant" or node.domain not in _DOMAINS:
                return None
            return _constant_value(node)
        raise KernelError("onnx_not_model")  # a cycle


def _constant_value(node: NodeProto) -> TensorProto | None:
    """The tensor of a Constant node: its ``value``, or a number or list of numbers (``value_float`` and kin)."""
    from onnx import numpy_helper

    for attr in node.attribute:
        if attr.name == "value" and attr.HasField("t"):
            return attr.t
        if attr.name == "value_float":
            return numpy_helper.from_array(np.array(attr.f, np.float32))
        if attr.name == "value_floats":
            return numpy_helper.from_array(np.array(attr.floats, np.float32))
        if attr.name == "value_int":
            return numpy_helper.from_array(np.array(attr.i, np.int64))
        if attr.name == "value_ints":
            return numpy_helper.from_array(np.array(attr.ints, np.int64))
    return None  # a sparse or string constant: nothing this reads


def _passes_through(node: NodeProto) -> bool:
    """An Identity, or a Cast to a floating-point type: steps that leave the values as they are (here, where
    everything is computed in float32)."""
    from onnx import AttributeProto, TensorProto

    if node.domain not in _DOMAINS or len(node.input) != 1 or not node.input[0]:
        return False
    if node.op_type == "Identity":
        return True
    if node.op_type != "Cast":
        return False
    to = next((a for a in node.attribute if a.name == "to"), None)
    floats = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16)
    return to is not None and to.type == AttributeProto.INT and to.i in floats


def _array(tensor: TensorProto, what: str) -> np.ndarray:
    """A constant tensor's values as float32; coded refusals for external data and non-float types."""
    from onnx import TensorProto, numpy_helper
    from onnx.external_data_helper import uses_external_data

    if uses_external_data(tensor) or len(tensor.external_data):
        raise KernelError("onnx_external_data")
    floats = (TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.DOUBLE, TensorProto.BFLOAT16)
    if tensor.data_type not in floats:
        name = TensorProto.DataType.Name(tensor.data_type) if tensor.data_type in TensorProto.DataType.values() else ""
        raise KernelError("onnx_weights_type", what=Message(what), dtype=name.lower() or str(tensor.data_type))
    try:
        values = numpy_helper.to_array(tensor)
    except Exception as e:  # dims that do not match the data: a damaged file
        raise KernelError("onnx_not_model") from e
    out = np.asarray(values).astype(np.float32)
    if not np.isfinite(out).all():
        raise KernelError("kernel_not_finite")
    if out.size and float(np.abs(out).max()) > MAX_KERNEL_ABS:  # finite, but the maps would overflow
        raise KernelError("onnx_values_too_large", what=Message(what), limit=MAX_KERNEL_ABS)
    return out


def _ints(attr: Any, name: str, count: int, low: int) -> tuple[int, ...]:
    """An INTS attribute of ``count`` values, each from ``low`` to ``_MAX_CONV_SETTING``;
    ``onnx_conv_bad_attribute`` otherwise."""
    from onnx import AttributeProto

    values = tuple(attr.ints) if attr.type == AttributeProto.INTS else None
    if values is None or len(values) != count or any(not low <= v <= _MAX_CONV_SETTING for v in values):
        shown = list(values) if values is not None else _attribute_value(attr)
        raise KernelError("onnx_conv_bad_attribute", name=name, value=str(shown)[:80])
    return values


def _attribute_value(attr: Any) -> object:
    from onnx import helper

    try:
        return helper.get_attribute_value(attr)
    except Exception:  # an attribute of no known type
        return "?"


def _conv_settings(node: NodeProto, spatial: tuple[int, int]) -> dict[str, Any]:
    """strides, dilations, pads, auto_pad and group of a Conv node, checked against its filters' (kh, kw)."""
    from onnx import AttributeProto

    found: dict[str, Any] = {"strides": (1, 1), "dilations": (1, 1), "pads": (0, 0, 0, 0), "group": 1}
    found["auto_pad"] = "NOTSET"
    for attr in node.attribute:
        if attr.name == "strides":
            found["strides"] = _ints(attr, "strides", 2, 1)
        elif attr.name == "dilations":
            found["dilations"] = _ints(attr, "dilations", 2, 1)
        elif attr.name == "pads":
            found["pads"] = _ints(attr, "pads", 4, 0)
        elif attr.name == "kernel_shape":
            if _ints(attr, "kernel_shape", 2, 1) != spatial:
                raise KernelError("onnx_conv_bad_attribute", name="kernel_shape", value=str(list(attr.ints))[:80])
        elif attr.name == "group":
            if attr.type != AttributeProto.INT or attr.i < 1:
                raise KernelError("onnx_conv_bad_attribute", name="group", value=str(_attribute_value(attr))[:80])
            found["group"] = int(attr.i)
        elif attr.name == "auto_pad":
            raw = attr.s if attr.type == AttributeProto.STRING else str(_attribute_value(attr)).encode()
            text = raw.decode("utf-8", "replace")
            if text not in AUTO_PADS:
                raise KernelError("onnx_unknown_auto_pad", value=text[:40], choices=", ".join(AUTO_PADS))
            found["auto_pad"] = text
    return found


def _scaling_step(graph: _Graph, node: NodeProto) -> tuple[str, np.ndarray, bool]:
    """One Sub/Div/Mul/Add between the model's input and the conv: (its computed operand, its constant operand's
    values, whether the constant comes first). ``onnx_conv_not_on_input`` unless exactly one operand is constant."""
    if len(node.input) != 2 or not node.input[0] or not node.input[1]:
        raise KernelError("onnx_not_model")
    constants = [graph.tensor(name) for name in node.input]
    if (constants[0] is None) == (constants[1] is None):  # two computed values, or a constant computed from two
        raise KernelError("onnx_conv_not_on_input", op=node.op_type, ops=_OPS_TEXT)
    const_first = constants[0] is not None
    tensor = constants[0] if const_first else constants[1]
    assert tensor is not None
    return node.input[1] if const_first else node.input[0], _array(tensor, "onnx_what_scaling"), const_first


def _per_channel(value: np.ndarray, channels: int, op: str) -> np.ndarray:
    """A constant that broadcasts against N×C×H×W as one number per channel, as (C,) float64."""
    if value.ndim > 4:
        raise KernelError("onnx_scaling_unusable", op=op)
    shape = (1,) * (4 - value.ndim) + value.shape
    if shape[0] != 1 or shape[2] != 1 or shape[3] != 1 or shape[1] not in (1, channels):
        raise KernelError("onnx_scaling_unusable", op=op)
    return np.broadcast_to(value.reshape(-1).astype(np.float64), (channels,)).copy()


def _compose(steps: list[tuple[str, np.ndarray, bool]], channels: int) -> tuple[np.ndarray, np.ndarray]:
    """(scale, shift) of the scaling steps, given from the conv back to the model's input: x · scale + shift."""
    scale = np.ones(channels)
    shift = np.zeros(channels)
    for op, c, const_first in reversed(steps):  # from the model's input towards the conv
        if op == "Add":
            shift = shift + c
        elif op == "Sub" and not const_first:
            shift = shift - c
        elif op == "Sub":  # c - x
            scale, shift = -scale, c - shift
        elif op == "Mul":
            scale, shift = scale * c, shift * c
        else:  # x / c
            scale, shift = scale / c, shift / c
    return scale, shift


def _input_shape(value_info: Any) -> tuple[int | str | None, ...] | None:
    t = value_info.type
    if not t.HasField("tensor_type") or not t.tensor_type.HasField("shape"):
        return None
    dims: list[int | str | None] = []
    for d in t.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(int(d.dim_value))
        elif d.HasField("dim_param"):
            dims.append(str(d.dim_param))
        else:
            dims.append(None)
    return tuple(dims)


def first_conv(onnx_bytes: bytes) -> FirstConv:
    """The first 2-D ``Conv`` of an ONNX model, read from the file's bytes without running anything in it.

    The convolution must read the model's input directly, or through a chain of ``Sub``, ``Div``, ``Mul`` or
    ``Add`` by constants of one number per channel (a normalisation such as ``(x - mean) / std``), which becomes
    ``input_scaling``; ``Identity`` and ``Cast`` to a floating-point type may come between. Its weights (and
    bias) must be stored in the file: an initializer or a ``Constant`` node, possibly through ``Identity`` or
    ``Cast``; float16, bfloat16 and float64 are converted to float32.

    Parameters
    ----------
    onnx_bytes
        The whole ``.onnx`` file, at most ``MAX_MODEL_BYTES``.

    Returns
    -------
    FirstConv

    Raises
    ------
    KernelError
        ``onnx_too_large``, ``onnx_not_model`` (not ONNX, damaged, cut short or empty), ``onnx_external_data``,
        ``onnx_no_conv``, ``onnx_conv_not_2d``, ``onnx_conv_not_on_input``, ``onnx_weights_not_constant``,
        ``onnx_weights_type``, ``onnx_values_too_large``, ``onnx_scaling_unusable``, ``onnx_conv_bad_attribute``,
        ``onnx_unknown_auto_pad``, ``kernel_not_finite``. Never another exception for any bytes.
    TypeError
        When ``onnx_bytes`` is not bytes.
    """
    if not isinstance(onnx_bytes, (bytes, bytearray, memoryview)):
        raise TypeError(f"first_conv reads the bytes of an ONNX file, not {type(onnx_bytes).__name__}")
    data = bytes(onnx_bytes)
    if len(data) > MAX_MODEL_BYTES:
        raise KernelError("onnx_too_large", mb=math.ceil(len(data) / 2**20), limit=MAX_MODEL_BYTES // 2**20)
    try:
        return _first_conv(data)
    except KernelError:
        raise
    except Exception as e:  # a structure no check above foresaw: the file is not a model this reads
        raise KernelError("onnx_not_model") from e


def _first_conv(data: bytes) -> FirstConv:
    import onnx

    if not data:
        raise KernelError("onnx_not_model")
    try:
        model = onnx.load_from_string(data)
    except Exception as e:  # protobuf's DecodeError and its kin: not a model, or cut short
        raise KernelError("onnx_not_model") from e
    if model.ir_version < 1 or not model.opset_import or not model.HasField("graph") or not model.graph.node:
        raise KernelError("onnx_not_model")
    graph = _Graph(model.graph)
    conv = next((n for n in model.graph.node if n.op_type == "Conv" and n.domain in _DOMAINS), None)
    if conv is None:
        raise KernelError("onnx_no_conv")
    if len(conv.input) < 2 or not conv.input[0] or not conv.input[1]:
        raise KernelError("onnx_not_model")

    tensor = graph.tensor(conv.input[1])
    if tensor is None:
        raise KernelError("onnx_weights_not_constant")
    if len(tensor.dims) != 4:
        raise KernelError("onnx_conv_not_2d", ndim=max(len(tensor.dims) - 2, 0))
    weights = _array(tensor, "onnx_what_weights")
    o, cg, kh, kw = (int(n) for n in weights.shape)
    if 0 in weights.shape:
        raise KernelError("onnx_not_model")
    bias = None
    if len(conv.input) > 2 and conv.input[2]:
        bias_tensor = graph.tensor(conv.input[2])
        if bias_tensor is None:
            raise KernelError("onnx_weights_not_constant")
        bias = _array(bias_tensor, "onnx_what_bias")
        if bias.shape != (o,):
            raise KernelError("onnx_conv_bad_attribute", name="B", value=str(list(bias.shape)))

    settings = _conv_settings(conv, (kh, kw))
    groups = settings["group"]
    if o % groups:
        raise KernelError("onnx_conv_bad_attribute", name="group", value=str(groups))
    channels = cg * groups

    # Walk back from the conv's input to the model's input through scaling steps only.
    steps: list[tuple[str, np.ndarray, bool]] = []
    current = conv.input[0]
    for _ in range(len(model.graph.node) + 1):
        if current in graph.inputs:
            break
        node = graph.producer.get(current)
        if node is None:
            if current in graph.initializers:
                raise KernelError("onnx_conv_not_on_input", op="initializer", ops=_OPS_TEXT)
            raise KernelError("onnx_not_model")
        if _passes_through(node):
            current = node.input[0]
            continue
        if node.domain not in _DOMAINS or node.op_type not in _SCALING_OPS:
            raise KernelError("onnx_conv_not_on_input", op=node.op_type[:40], ops=_OPS_TEXT)
        op = node.op_type
        current, value, const_first = _scaling_step(graph, node)
        if op == "Div" and const_first:  # c / x is not a scaling
            raise KernelError("onnx_scaling_unusable", op=op)
        steps.append((op, _per_channel(value, channels, op), const_first))
    else:
        raise KernelError("onnx_not_model")  # a cycle

    scaling = None
    if steps:
        with np.errstate(all="ignore"):  # a division by 0 gives inf or NaN, refused here
            scale, shift = _compose(steps, channels)
        if not (np.isfinite(scale).all() and np.isfinite(shift).all()):
            raise KernelError("onnx_scaling_unusable", op="Div")
        if max(float(np.abs(scale).max()), float(np.abs(shift).max())) > MAX_KERNEL_ABS:
            raise KernelError("onnx_values_too_large", what=Message("onnx_what_scaling"), limit=MAX_KERNEL_ABS)
        scaling = (_frozen(scale), _frozen(shift))

    auto_pad = settings["auto_pad"]
    if auto_pad == "NOTSET":
        p = settings["pads"]
        pads: Pads | None = ((p[0], p[2]), (p[1], p[3]))
    elif auto_pad == "VALID":
        pads = ((0, 0), (0, 0))
    else:
        pads = None
    source = graph.inputs[current]
    return FirstConv(
        followed_by=_followers(model.graph, conv),
        weights=_frozen(weights),
        bias=None if bias is None else _frozen(bias),
        stride=(int(settings["strides"][0]), int(settings["strides"][1])),
        pads=pads,
        dilation=(int(settings["dilations"][0]), int(settings["dilations"][1])),
        groups=int(groups),
        input_scaling=scaling,
        auto_pad=auto_pad,
        input_name=source.name,
        input_shape=_input_shape(source),
    )


def _followers(graph: GraphProto, conv: NodeProto, most: int = 4) -> tuple[str, ...]:
    """The chain of ``FOLLOWERS`` after ``conv``, while each output has exactly one user (read only, never run)."""
    users: dict[str, list[NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    found: list[str] = []
    node = conv
    while len(found) < most and node.output:
        following = users.get(node.output[0], [])
        if len(following) != 1 or following[0].domain not in _DOMAINS or following[0].op_type not in FOLLOWERS:
            break
        node = following[0]
        found.append(node.op_type)
    return tuple(found)


# -- the bundled trained first layer -------------------------------------------------------------------------------


def trained_first_layer(path: str | Path | None = None) -> FirstConv:
    """The first convolution of EfficientNet-Lite0 trained on ImageNet (32 filters of 3×3×3, stride 2, TensorFlow
    ``SAME`` padding), its batch normalisation folded into the weights and bias.

    Its ``input_scaling`` takes 0..1 RGB (a photo's values / 255) to what the network was trained on,
    ``(255·x - 127) / 128``. The network applies ReLU6 (``min(max(x, 0), 6)``) to these maps next.
    Where the weights come from, their licence and how they were extracted: ``assets/README.md``.

    Parameters
    ----------
    path
        Another ``.npz`` of the same layout (``devtools/extract_first_layer.py``); the bundled one by default.

    Returns
    -------
    FirstConv
        Read once and shared (its arrays are read-only); nothing is downloaded.
    """
    return _load_first_layer(str(TRAINED_FIRST_LAYER if path is None else path))


@functools.lru_cache(maxsize=4)
def _load_first_layer(path: str) -> FirstConv:  # read once: a FirstConv's arrays are read-only, so it is shared
    with np.load(path, allow_pickle=False) as f:
        scale, shift = scaling_from_mean_std(f["input_mean"], f["input_std"])
        padding = str(f["padding"])
        return FirstConv(
            weights=_frozen(f["weights"]),
            bias=_frozen(f["bias"]),
            stride=(int(f["stride"][0]), int(f["stride"][1])),
            pads=None if padding == "same" else ((0, 0), (0, 0)),
            dilation=(1, 1),
            groups=1,
            input_scaling=(_frozen(scale), _frozen(shift)),
            auto_pad="SAME_UPPER" if padding == "same" else "VALID",
            input_name=str(f["input_name"]),
            input_shape=tuple(int(n) for n in f["input_shape"]),
            followed_by=("Clip",),  # ReLU6, ONNX's Clip(0, 6) (the batch norm before it is folded in)
        )


__all__ = [
    "AUTO_PADS",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "MAX_MODEL_BYTES",
    "FirstConv",
    "Pads",
    "Scaling",
    "conv2d",
    "first_conv",
    "resolve_padding",
    "scaling_from_mean_std",
    "trained_first_layer",
]
