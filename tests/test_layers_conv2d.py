"""``imgkernel.layers``: ``conv2d`` equals ONNX Runtime's ``Conv`` for every attribute, ``first_conv`` reads the
first Conv of small models built here (and refuses hostile files with a coded message, never another exception),
and the bundled trained first layer is the one ``devtools/extract_first_layer.py`` extracts and is not random."""

from __future__ import annotations

import hashlib
import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from onnx import TensorProto, helper, numpy_helper

import imgkernel
import imgkernel.layers as layers
from devtools import extract_first_layer as extractor
from imgkernel.errors import KernelError
from imgkernel.layers import FirstConv, conv2d, first_conv, trained_first_layer
from imgkernel.learn.layers import conv_layer

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(23)
FLOAT = TensorProto.FLOAT


def model_bytes(
    nodes: list[onnx.NodeProto],
    initializers: list[onnx.TensorProto],
    x_shape: list[int | str | None] | None,
    *,
    x_type: int = FLOAT,
    y_type: int = FLOAT,
    extra_inputs: list[onnx.ValueInfoProto] = (),  # type: ignore[assignment]
    opset: int = 13,
) -> bytes:
    """A model whose graph input is ``X`` and whose output is the last node's first output."""
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", x_type, x_shape), *extra_inputs],
        [helper.make_tensor_value_info(nodes[-1].output[0], y_type, None)],
        initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8  # one every ONNX Runtime release reads
    return model.SerializeToString()


def conv_model(
    weights: np.ndarray,
    bias: np.ndarray | None = None,
    *,
    scaling: tuple[tuple[str, Any, bool], ...] = (),
    weights_as: str = "initializer",
    x_shape: list[int | str | None] | None = None,
    **attributes: Any,
) -> bytes:
    """Scaling steps (op, constant, constant first) on ``X``, then a Conv with ``weights``, ``bias`` and
    ``attributes``; the weights as an initializer or a Constant node."""
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    current = "X"
    for i, (op, value, const_first) in enumerate(scaling):
        inits.append(numpy_helper.from_array(np.asarray(value, np.float32), f"c{i}"))
        operands = [f"c{i}", current] if const_first else [current, f"c{i}"]
        nodes.append(helper.make_node(op, operands, [f"s{i}"]))
        current = f"s{i}"
    w_tensor = numpy_helper.from_array(weights, "W")
    if weights_as == "constant":
        nodes.insert(0, helper.make_node("Constant", [], ["W"], value=w_tensor))
    else:
        inits.append(w_tensor)
    inputs = [current, "W"]
    if bias is not None:
        inits.append(numpy_helper.from_array(bias, "B"))
        inputs.append("B")
    nodes.append(helper.make_node("Conv", inputs, ["Y"], **attributes))
    channels = int(weights.shape[1]) * int(attributes.get("group", 1))
    default: list[int | str | None] = [1, channels, "h", "w"]
    return model_bytes(nodes, inits, x_shape if x_shape is not None else default)


def run_ort(model: bytes, x: np.ndarray) -> np.ndarray:
    """The model's output for one C×H×W input (a batch of one), by ONNX Runtime."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    return session.run(None, {"X": x[None]})[0][0]


def assert_close(got: np.ndarray, want: np.ndarray, rel: float = 1e-4) -> None:
    """Equal within ``rel`` of the largest output value (the maps' scale), shape and dtype float32."""
    assert got.dtype == np.float32
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=rel, atol=rel * max(float(np.abs(want).max()), 1e-6))


def code_of(data: bytes) -> str | None:
    with pytest.raises(KernelError) as caught:
        first_conv(data)
    return caught.value.code


# -- conv2d against ONNX Runtime, through first_conv --------------------------------------------------------------

GROUPS = {"plain": (4, 6, 1), "grouped": (4, 6, 2), "depthwise": (4, 4, 4)}  # (C, O, groups)
PADS: dict[str, dict[str, Any]] = {
    "none": {},
    "symmetric": {"pads": [1, 1, 1, 1]},
    "asymmetric": {"pads": [0, 2, 1, 0]},  # top, left, bottom, right
    "VALID": {"auto_pad": "VALID"},
    "SAME_UPPER": {"auto_pad": "SAME_UPPER"},
    "SAME_LOWER": {"auto_pad": "SAME_LOWER"},
}
CASES = [
    pytest.param(g, s, d, p, b, id=f"{g}-s{s[0]}{s[1]}-d{d[0]}{d[1]}-{p}-{'bias' if b else 'nobias'}")
    for g, s, d, p, b in itertools.product(GROUPS, [(1, 1), (2, 3)], [(1, 1), (2, 1)], PADS, [True, False])
    if not (p.startswith("SAME") and d != (1, 1))  # ONNX Runtime refuses SAME_* with dilation > 1
]


@pytest.mark.parametrize(("groups", "strides", "dilations", "pads", "with_bias"), CASES)
def test_conv2d_equals_onnx_runtime(
    groups: str, strides: tuple[int, int], dilations: tuple[int, int], pads: str, with_bias: bool
) -> None:
    c, o, g = GROUPS[groups]
    weights = RNG.standard_normal((o, c // g, 3, 2)).astype(np.float32)  # an even width too
    bias = RNG.standard_normal(o).astype(np.float32) if with_bias else None
    attributes = {"strides": list(strides), "dilations": list(dilations), "group": g, **PADS[pads]}
    model = conv_model(weights, bias, kernel_shape=[3, 2], **attributes)
    x = RNG.standard_normal((c, 11, 14)).astype(np.float32)

    layer = first_conv(model)
    assert layer.groups == g and layer.stride == strides and layer.dilation == dilations
    assert layer.auto_pad == PADS[pads].get("auto_pad", "NOTSET") and layer.input_scaling is None
    assert (layer.pads is None) == pads.startswith("SAME")
    np.testing.assert_array_equal(layer.weights, weights)
    got = conv2d(x, layer.weights, layer.bias, layer.stride, layer.pads_for(11, 14), layer.dilation, layer.groups)
    assert_close(got, run_ort(model, x))
    assert got.shape[1:] == layer.output_size(11, 14)


@pytest.mark.parametrize(
    ("name", "scaling", "scale", "shift"),
    [
        ("mean-std", (("Sub", [0.5, 0.4, 0.3], False), ("Div", [0.2, 0.25, 0.5], False)), None, None),
        ("bytes", (("Div", 255.0, False), ("Sub", 0.5, False), ("Mul", 2.0, False)), 2 / 255, -1.0),
        ("constant-first", (("Mul", 0.5, True), ("Add", 0.25, True), ("Sub", 1.0, True)), -0.5, 0.75),
    ],
)
def test_the_input_scaling_is_read_and_applied_like_onnx_runtime(
    name: str, scaling: tuple[tuple[str, Any, bool], ...], scale: float | None, shift: float | None
) -> None:
    steps = tuple(
        (op, np.asarray(v, np.float32).reshape((1, 3, 1, 1) if np.ndim(v) else ()), first) for op, v, first in scaling
    )
    weights = RNG.standard_normal((5, 3, 3, 3)).astype(np.float32)
    model = conv_model(weights, RNG.standard_normal(5).astype(np.float32), scaling=steps, pads=[1, 1, 1, 1])
    x = RNG.random((3, 9, 10)).astype(np.float32) * (255 if name == "bytes" else 1)
    layer = first_conv(model)
    assert layer.input_scaling is not None
    if scale is not None and shift is not None:
        np.testing.assert_allclose(layer.input_scaling[0], scale, rtol=1e-6)
        np.testing.assert_allclose(layer.input_scaling[1], shift, rtol=1e-6, atol=1e-7)
    else:
        np.testing.assert_allclose(layer.input_scaling[0], [5, 4, 2], rtol=1e-6)
        np.testing.assert_allclose(layer.input_scaling[1], [-2.5, -1.6, -0.6], rtol=1e-6)
    assert_close(layer.apply(x), run_ort(model, x))


def test_weights_in_a_constant_node_and_through_a_cast_from_float16() -> None:
    weights = RNG.standard_normal((4, 3, 5, 5)).astype(np.float32)
    model = conv_model(weights, weights_as="constant", strides=[2, 2], auto_pad="SAME_UPPER")
    x = RNG.standard_normal((3, 17, 12)).astype(np.float32)
    assert_close(first_conv(model).apply(x), run_ort(model, x))

    w16 = weights.astype(np.float16)  # a mixed-precision export: float16 weights cast to float for the Conv
    nodes = [
        helper.make_node("Cast", ["W16"], ["W"], to=FLOAT),
        helper.make_node("Conv", ["X", "W"], ["Y"], pads=[2, 2, 2, 2]),
    ]
    model = model_bytes(nodes, [numpy_helper.from_array(w16, "W16")], [1, 3, None, None])
    layer = first_conv(model)
    assert layer.weights.dtype == np.float32
    np.testing.assert_array_equal(layer.weights, w16.astype(np.float32))
    assert_close(layer.apply(x), run_ort(model, x))


def test_a_pytorch_style_export_with_a_scalar_constant_node() -> None:
    """``x / 255`` exported as a Div by a Constant node holding ``value_float``, behind a Cast of uint8 input."""
    weights = RNG.standard_normal((3, 3, 2, 2)).astype(np.float32)
    nodes = [
        helper.make_node("Cast", ["X"], ["Xf"], to=FLOAT),
        helper.make_node("Constant", [], ["k"], value_float=255.0),
        helper.make_node("Div", ["Xf", "k"], ["Xs"]),
        helper.make_node("Conv", ["Xs", "W"], ["Y"]),
    ]
    model = model_bytes(nodes, [numpy_helper.from_array(weights, "W")], [1, 3, 6, 6], x_type=TensorProto.UINT8)
    layer = first_conv(model)
    assert layer.input_scaling is not None
    np.testing.assert_allclose(layer.input_scaling[0], 1 / 255, rtol=1e-6)
    x = RNG.integers(0, 256, (3, 6, 6), dtype=np.uint8)
    assert_close(layer.apply(x), run_ort(model, x))


def test_a_float16_model_is_read_in_float32() -> None:
    """A model converted to float16 whole: its input cast to float16, float16 weights and bias."""
    w16 = RNG.standard_normal((4, 3, 3, 3)).astype(np.float16)
    b16 = RNG.standard_normal(4).astype(np.float16)
    nodes = [
        helper.make_node("Cast", ["X"], ["X16"], to=TensorProto.FLOAT16),
        helper.make_node("Constant", [], ["B"], value=numpy_helper.from_array(b16, "B")),
        helper.make_node("Conv", ["X16", "W", "B"], ["Y"], strides=[1, 2]),
    ]
    model = model_bytes(nodes, [numpy_helper.from_array(w16, "W")], [1, 3, "h", None], y_type=TensorProto.FLOAT16)
    layer = first_conv(model)
    assert layer.weights.dtype == np.float32 and layer.bias is not None and layer.bias.dtype == np.float32
    assert layer.input_scaling is None and layer.input_name == "X" and layer.input_shape == (1, 3, "h", None)
    x = RNG.random((3, 10, 9)).astype(np.float16).astype(np.float32)
    assert_close(layer.apply(x), run_ort(model, x).astype(np.float32), rel=5e-3)  # ONNX Runtime adds in float16


def test_conv2d_equals_the_one_kernel_cnn_layer_and_tiles_give_the_same_maps(monkeypatch) -> None:
    """A filter holding one 2-D kernel on every channel is ``imgkernel.learn.layers.conv_layer``'s, and the bands
    of output rows (``_TILE_BYTES``) do not change the result."""
    photo = RNG.random((23, 31, 3)).astype(np.float32)
    kernels = RNG.standard_normal((3, 5, 5))
    filters = np.repeat(kernels[:, None], 3, axis=1).astype(np.float32)
    want = conv_layer(photo, kernels, stride=2, padding="same", dilation=1)
    got = conv2d(photo.transpose(2, 0, 1), filters, stride=2, padding="same")
    assert_close(got, want)
    monkeypatch.setattr(layers, "_TILE_BYTES", 1)  # one output row per band
    assert_close(conv2d(photo.transpose(2, 0, 1), filters, stride=2, padding="same"), want)
    full = conv2d(photo.transpose(2, 0, 1), filters, padding="full", dilation=(1, 2))
    assert full.shape == (3, 23 + 4, 31 + 8)


def test_conv2d_runs_on_the_engines_threads_with_the_same_result(monkeypatch) -> None:
    """Big enough to share its bands among threads; ``imgkernel.threads(1)`` gives the very same maps."""
    monkeypatch.setattr(layers, "_TILE_BYTES", 1 << 16)  # many bands
    x = RNG.random((3, 180, 200)).astype(np.float32)
    w = RNG.standard_normal((8, 3, 5, 5)).astype(np.float32)
    shared = conv2d(x, w, np.arange(8, dtype=np.float32), padding="same")
    with imgkernel.threads(1):
        alone = conv2d(x, w, np.arange(8, dtype=np.float32), padding="same")
    np.testing.assert_array_equal(shared, alone)


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: conv2d(np.zeros((4, 4)), np.zeros((1, 1, 3, 3))), "conv_input_shape"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 3, 3))), "conv_weights_shape"),
        (lambda: conv2d(np.zeros((3, 4, 4)), np.zeros((2, 1, 3, 3)), groups=3), "conv_groups"),
        (lambda: conv2d(np.zeros((3, 4, 4)), np.zeros((2, 2, 3, 3))), "conv_channels_mismatch"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((2, 1, 3, 3)), np.zeros(3)), "conv_bias_shape"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.full((1, 1, 3, 3), np.nan)), "kernel_not_finite"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), stride=0), "layer_whole_at_least"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), dilation=(1, 1.5)), "layer_whole_at_least"),  # type: ignore[arg-type]
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), groups=0), "layer_whole_at_least"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), padding="SAME"), "layer_unknown_padding"),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), padding=1), "layer_unknown_padding"),  # type: ignore[arg-type]
        (
            lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 3, 3)), padding=((1, -1), (0, 0))),
            "layer_whole_at_least",
        ),
        (lambda: conv2d(np.zeros((1, 4, 4)), np.zeros((1, 1, 5, 5))), "layer_no_fit"),
    ],
)
def test_conv2d_refuses_what_does_not_fit_with_a_coded_message(call, code: str) -> None:
    with pytest.raises(KernelError) as caught:
        call()
    assert caught.value.code == code


# -- hostile and unusable model files ------------------------------------------------------------------------------


def good_model() -> bytes:
    weights = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
    return conv_model(weights, np.ones(2, np.float32), scaling=(("Sub", np.float32(0.5), False),), pads=[1, 1, 1, 1])


def test_hostile_files_are_refused_as_not_a_model() -> None:
    model = good_model()
    first_conv(model)  # the good one reads
    assert code_of(b"") == "onnx_not_model"
    for seed in range(20):
        assert code_of(np.random.default_rng(seed).bytes(200 + 37 * seed)) == "onnx_not_model"
    for cut in (1, 10, len(model) // 3, len(model) // 2, len(model) - 1):
        assert code_of(model[:cut]) == "onnx_not_model", cut
    assert code_of(b"\x89PNG\r\n\x1a\n" + bytes(100)) == "onnx_not_model"
    with pytest.raises(TypeError):
        first_conv("model.onnx")  # type: ignore[arg-type]


def test_an_oversize_file_is_refused_before_it_is_parsed(monkeypatch) -> None:
    assert layers.MAX_MODEL_BYTES == 100 * 2**20
    monkeypatch.setattr(layers, "MAX_MODEL_BYTES", 1000)
    with pytest.raises(KernelError) as caught:
        first_conv(good_model() + bytes(1000))
    assert caught.value.code == "onnx_too_large"


def test_models_that_cannot_be_shown_are_refused_with_their_reason() -> None:
    w = RNG.standard_normal((2, 3, 3, 3)).astype(np.float32)
    w_init = numpy_helper.from_array(w, "W")
    relu = [helper.make_node("Relu", ["X"], ["Y"])]
    assert code_of(model_bytes(relu, [], [1, 3, 8, 8])) == "onnx_no_conv"

    after_relu = [helper.make_node("Relu", ["X"], ["R"]), helper.make_node("Conv", ["R", "W"], ["Y"])]
    with pytest.raises(KernelError) as caught:
        first_conv(model_bytes(after_relu, [w_init], [1, 3, 8, 8]))
    assert caught.value.code == "onnx_conv_not_on_input" and caught.value.params["op"] == "Relu"

    fed = [helper.make_node("Conv", ["X", "Wx"], ["Y"])]
    wx = helper.make_tensor_value_info("Wx", FLOAT, [2, 3, 3, 3])
    assert code_of(model_bytes(fed, [], [1, 3, 8, 8], extra_inputs=[wx])) == "onnx_weights_not_constant"

    external = numpy_helper.from_array(w, "W")
    external.ClearField("raw_data")
    external.data_location = TensorProto.EXTERNAL
    entry = external.external_data.add()
    entry.key, entry.value = "location", "/etc/passwd"
    conv = [helper.make_node("Conv", ["X", "W"], ["Y"])]
    assert code_of(model_bytes(conv, [external], [1, 3, 8, 8])) == "onnx_external_data"

    w1 = numpy_helper.from_array(RNG.standard_normal((2, 3, 3)).astype(np.float32), "W")
    with pytest.raises(KernelError) as caught:
        first_conv(model_bytes(conv, [w1], [1, 3, 8]))
    assert caught.value.code == "onnx_conv_not_2d" and caught.value.params["ndim"] == 1
    w3 = numpy_helper.from_array(RNG.standard_normal((2, 3, 3, 3, 3)).astype(np.float32), "W")
    assert code_of(model_bytes(conv, [w3], [1, 3, 8, 8, 8])) == "onnx_conv_not_2d"

    int8 = numpy_helper.from_array(np.ones((2, 3, 3, 3), np.int8), "W")
    assert code_of(model_bytes(conv, [int8], [1, 3, 8, 8])) == "onnx_weights_type"
    nan = numpy_helper.from_array(np.full((2, 3, 3, 3), np.nan, np.float32), "W")
    assert code_of(model_bytes(conv, [nan], [1, 3, 8, 8])) == "kernel_not_finite"
    huge = numpy_helper.from_array(np.full((2, 3, 3, 3), 1e30, np.float32), "W")
    assert code_of(model_bytes(conv, [huge], [1, 3, 8, 8])) == "onnx_values_too_large"
    undefined = [helper.make_node("Conv", ["X", "nowhere"], ["Y"])]
    assert code_of(model_bytes(undefined, [], [1, 3, 8, 8])) == "onnx_not_model"


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({"auto_pad": "SAME"}, "onnx_unknown_auto_pad"),
        ({"strides": [0, 1]}, "onnx_conv_bad_attribute"),
        ({"strides": [1, 1, 1]}, "onnx_conv_bad_attribute"),
        ({"pads": [1, -1, 1, 1]}, "onnx_conv_bad_attribute"),
        ({"pads": [0, 0, 10**9, 0]}, "onnx_conv_bad_attribute"),
        ({"dilations": [1.5, 1.0]}, "onnx_conv_bad_attribute"),
        ({"kernel_shape": [5, 5]}, "onnx_conv_bad_attribute"),
        ({"group": 4}, "onnx_conv_bad_attribute"),  # 2 filters in 4 groups
    ],
)
def test_unusable_conv_settings_are_refused(attributes: dict[str, Any], code: str) -> None:
    assert code_of(conv_model(RNG.standard_normal((2, 3, 3, 3)).astype(np.float32), **attributes)) == code


@pytest.mark.parametrize(
    "scaling",
    [
        (("Sub", np.zeros(3, np.float32), False),),  # (3,) broadcasts along the columns, not the channels
        (("Div", np.ones((1, 3, 1, 1), np.float32), True),),  # c / x
        (("Div", np.zeros((1, 3, 1, 1), np.float32), False),),  # x / 0
        (("Mul", np.ones((1, 3, 2, 1), np.float32), False),),
    ],
)
def test_steps_that_are_not_a_per_channel_scaling_are_refused(scaling: tuple[tuple[str, Any, bool]]) -> None:
    model = conv_model(RNG.standard_normal((2, 3, 3, 3)).astype(np.float32), scaling=scaling)
    assert code_of(model) == "onnx_scaling_unusable"


def test_a_scaling_that_would_overflow_the_maps_is_refused() -> None:
    tiny = (("Div", np.float32(1e-4), False), ("Div", np.float32(1e-4), False), ("Div", np.float32(1e-4), False))
    model = conv_model(RNG.standard_normal((2, 3, 3, 3)).astype(np.float32), scaling=tiny)
    assert code_of(model) == "onnx_values_too_large"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_model_bytes_give_a_layer_or_a_coded_refusal(data: st.DataObject) -> None:
    model = bytearray(FUZZ_MODEL)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "insert", "delete", "cut"]))
        at = data.draw(st.integers(0, max(len(model) - 1, 0)))
        if kind == "flip" and model:
            model[at] ^= data.draw(st.integers(1, 255))
        elif kind == "insert":
            model[at:at] = data.draw(st.binary(min_size=1, max_size=8))
        elif kind == "delete":
            del model[at : at + data.draw(st.integers(1, 8))]
        else:
            del model[at:]
    try:
        layer = first_conv(bytes(model))
    except KernelError as e:
        assert e.code is not None and str(e)
    else:
        assert isinstance(layer, FirstConv) and layer.weights.ndim == 4 and layer.weights.dtype == np.float32


FUZZ_MODEL = conv_model(
    np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2),
    np.ones(2, np.float32),
    scaling=(("Sub", np.full((1, 3, 1, 1), 0.5, np.float32), False), ("Div", np.float32(0.25), False)),
    strides=[2, 1],
    pads=[0, 1, 1, 0],
    group=1,
)


# -- the bundled trained first layer ---------------------------------------------------------------------------------


def test_the_trained_first_layer_has_its_documented_shape_and_settings() -> None:
    layer = trained_first_layer()
    assert layer.weights.shape == (32, 3, 3, 3) and layer.weights.dtype == np.float32
    assert layer.bias is not None and layer.bias.shape == (32,)
    assert layer.stride == (2, 2) and layer.dilation == (1, 1) and layer.groups == 1
    assert layer.auto_pad == "SAME_UPPER" and layer.pads is None
    assert layer.pads_for(224, 224) == ((0, 1), (0, 1)) and layer.output_size(224, 224) == (112, 112)
    assert layer.parameter_count() == 32 * 27 + 32 and layer.multiply_adds(224, 224) == 32 * 112 * 112 * 27
    assert layer.input_scaling is not None  # 0..1 RGB to (255·x - 127) / 128
    scale, shift = layer.input_scaling
    np.testing.assert_allclose(0 * scale + shift, -127 / 128, rtol=1e-6)
    np.testing.assert_allclose(1 * scale + shift, 1.0, rtol=1e-6)
    assert not layer.weights.flags.writeable


def test_the_trained_filters_are_not_random() -> None:
    """First-layer filters of a trained network respond to a pattern in all three colour channels together
    (a brightness edge, or a colour against its opponent), so a filter's three per-channel kernels are strongly
    correlated (or anti-correlated); random weights of the same norms are not."""

    def channel_correlation(w: np.ndarray) -> float:
        found = []
        for f in w.reshape(len(w), 3, -1):
            for a, b in ((0, 1), (1, 2), (0, 2)):
                if f[a].std() > 0 and f[b].std() > 0:
                    found.append(abs(np.corrcoef(f[a], f[b])[0, 1]))
        return float(np.mean(found))

    w = trained_first_layer().weights.astype(np.float64)
    norms = np.sqrt((w**2).sum(axis=(1, 2, 3), keepdims=True))
    rng = np.random.default_rng(0)
    randoms = []
    for _ in range(50):
        r = rng.standard_normal(w.shape)
        randoms.append(channel_correlation(r / np.sqrt((r**2).sum(axis=(1, 2, 3), keepdims=True)) * norms))
    assert channel_correlation(w) > 0.55 > max(randoms)


def test_the_trained_layer_reads_back_from_an_onnx_export_and_runs_like_onnx_runtime() -> None:
    layer = trained_first_layer()
    assert layer.input_scaling is not None and layer.bias is not None
    scale, shift = layer.input_scaling
    model = conv_model(
        np.asarray(layer.weights),
        np.asarray(layer.bias),
        scaling=(("Mul", scale.reshape(1, 3, 1, 1), False), ("Add", shift.reshape(1, 3, 1, 1), False)),
        strides=[2, 2],
        auto_pad="SAME_UPPER",
    )
    again = first_conv(model)
    np.testing.assert_array_equal(again.weights, layer.weights)
    photo = RNG.random((3, 33, 48)).astype(np.float32)
    assert_close(layer.apply(photo), run_ort(model, photo))
    assert_close(again.apply(photo), layer.apply(photo))


def test_the_npz_is_the_one_the_extraction_writes_and_the_readme_records() -> None:
    path = layers.TRAINED_FIRST_LAYER
    blob = path.read_bytes()
    readme = (ROOT / "assets" / "README.md").read_text()
    recorded = re.search(rf"{re.escape(path.name)}.*?SHA-256 `([0-9a-f]{{64}})`", readme, re.DOTALL)
    assert recorded is not None, "assets/README.md records the .npz's SHA-256"
    assert hashlib.sha256(blob).hexdigest() == recorded.group(1)
    assert extractor.WHEEL_SHA256 in readme and path == extractor.OUT
    with np.load(path, allow_pickle=False) as f:
        arrays = {name: f[name] for name in f.files}
    assert extractor.npz_bytes(arrays) == blob  # the script's writer gives these very bytes


def test_the_extraction_folds_batch_norm_into_the_conv() -> None:
    x = RNG.standard_normal((3, 9, 9))
    w = RNG.standard_normal((4, 3, 3, 3))
    gamma, beta, mean, var = RNG.random(4) + 0.5, RNG.standard_normal(4), RNG.standard_normal(4), RNG.random(4) + 0.1
    conv = conv2d(x, w)
    bn = gamma[:, None, None] * (conv - mean[:, None, None]) / np.sqrt(var[:, None, None] + 1e-3) + beta[:, None, None]
    folded_w, folded_b = extractor.fold_batch_norm(w, gamma, beta, mean, var, 1e-3)
    assert_close(conv2d(x, folded_w, folded_b), bn.astype(np.float32))


# -- the library's boundary ----------------------------------------------------------------------------------------


def test_importing_the_library_and_using_its_layers_does_not_import_onnx() -> None:
    code = (
        "import sys, numpy as np, imgkernel, imgkernel.layers as L\n"
        "layer = L.trained_first_layer()\n"
        "layer.apply(np.zeros((3, 8, 8)))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('onnx', 'onnxruntime', 'torch')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_every_first_layer_message_is_asserted_by_a_test_here() -> None:
    """tests/test_messages_io.py leaves the conv_ and onnx_ codes to this file: each refusal is named by a test above
    (the onnx_what_ fragments are the arguments that say which part of the model a refusal is about)."""
    from imgkernel.message_templates import TEMPLATES

    source = Path(__file__).read_text()
    ours = [c for c in TEMPLATES if c.split("_")[0] in ("conv", "onnx") and not c.startswith("onnx_what_")]
    assert ours and [c for c in ours if f'"{c}"' not in source] == []


def test_what_follows_the_first_conv_is_read_and_a_branch_stops_it() -> None:
    w = np.ones((2, 3, 3, 3), np.float32)
    conv = helper.make_node("Conv", ["X", "W"], ["Y"])
    relu = helper.make_node("Relu", ["Y"], ["R"])
    pool = helper.make_node("MaxPool", ["R"], ["P"], kernel_shape=[2, 2], strides=[2, 2])
    chain = model_bytes([conv, relu, pool], [numpy_helper.from_array(w, "W")], [1, 3, 8, 8])
    assert first_conv(chain).followed_by == ("Relu", "MaxPool")
    other = helper.make_node("Sigmoid", ["Y"], ["S"])  # a second user of the maps: the chain is not one path
    add = helper.make_node("Add", ["P", "S2"], ["Z"])
    branched = model_bytes([conv, relu, other, pool, add], [numpy_helper.from_array(w, "W")], [1, 3, 8, 8])
    assert first_conv(branched).followed_by == ()
    assert first_conv(conv_model(w)).followed_by == ()
    assert trained_first_layer().followed_by == ("Clip",)  # EfficientNet-Lite's ReLU6
