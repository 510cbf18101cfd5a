"""The CNN page's trained filters: one filter taken apart channel by channel (its partial maps add up, with the
bias, to its feature map), the costs of the two designs, the model's input units, and a visitor's ONNX model read
and shown, or refused with the last good model kept (AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage
from streamlit.testing.v1 import AppTest

from app import cache
from app import first_layer_view as view
from imgkernel.layers import first_conv, scaling_from_mean_std, trained_first_layer

from .test_layers_conv2d import conv_model, run_ort

ROOT = Path(__file__).resolve().parents[1]
PAGE = str(ROOT / "pages" / "cnn_layer.py")


def photo(side: int = 64) -> np.ndarray:
    return view.resize_long_side(cache.sample_photo().pixels, side)


def test_a_filters_partial_maps_plus_its_bias_are_its_feature_map():
    conv = trained_first_layer()
    x = view.model_input(photo(), 3, "unit", conv)
    maps = view.feature_maps(x, conv)
    pads = conv.pads_for(*x.shape[1:])
    for index in (0, 7, 31):
        parts = view.partial_maps(x, conv, index)
        assert parts.shape == (3, *maps.shape[1:])
        np.testing.assert_allclose(parts.sum(axis=0) + conv.bias[index], maps[index], rtol=1e-4, atol=1e-4)
        for c in range(3):  # each part: that channel's kernel on that channel alone, zero padded, stride 2
            padded = np.pad(x[c].astype(np.float64), pads)
            full = ndimage.correlate(padded, conv.weights[index, c].astype(np.float64), mode="constant", origin=0)
            kh, kw = conv.kernel_size
            oracle = full[kh // 2 :: conv.stride[0], kw // 2 :: conv.stride[1]][: maps.shape[1], : maps.shape[2]]
            np.testing.assert_allclose(parts[c], oracle, rtol=1e-4, atol=1e-4)


def test_a_grouped_filter_reads_only_its_groups_channels():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(6, 1, 3, 3)).astype(np.float32)  # depthwise-like: 3 groups of 2 filters on 1 channel each
    conv = first_conv(conv_model(w, rng.normal(size=6).astype(np.float32), group=3, pads=[1, 1, 1, 1]))
    x = view.model_input(photo(32), 3, "unit", conv)
    maps = view.feature_maps(x, conv)
    for index in range(6):
        assert list(view.input_channels(conv, index)) == [index // 2]
        np.testing.assert_allclose(
            view.partial_maps(x, conv, index).sum(axis=0) + conv.bias[index], maps[index], rtol=1e-4, atol=1e-4
        )


def test_costs_of_the_two_designs():
    conv = trained_first_layer()  # 32 filters of 3 x 3 x 3, stride 2, same padding
    c = view.costs(conv, 128, 96)
    assert c.standard_params == 32 * 27 + 32
    assert c.separable_params == 3 * 9 + 3 + 32 * 3 + 32
    positions = 64 * 48
    assert c.standard_macs == 32 * 27 * positions
    assert c.separable_macs == (27 + 96) * positions


def test_the_model_input_units():
    px = np.array([[[0, 128, 255]]], np.uint8)
    np.testing.assert_allclose(view.model_input(px, 3, "bytes")[:, 0, 0], [0, 128, 255])
    np.testing.assert_allclose(view.model_input(px, 3, "unit")[:, 0, 0], [0, 128 / 255, 1], rtol=1e-6)
    imagenet = (np.array([0, 128 / 255, 1]) - view.IMAGENET_MEAN) / view.IMAGENET_STD
    np.testing.assert_allclose(view.model_input(px, 3, "imagenet")[:, 0, 0], imagenet, rtol=1e-5)
    gray = np.full((2, 2), 51, np.uint8)
    assert view.model_input(gray, 3, "bytes").shape == (3, 2, 2)  # a gray photo for an RGB model
    assert view.model_input(px, 1, "bytes").shape == (1, 1, 1)  # a colour photo for a gray model: its luminance
    with pytest.raises(ValueError):
        view.model_input(px, 4, "bytes")


def test_the_likeliest_input_units_of_a_model():
    assert view.default_scaling(trained_first_layer()) == "unit"  # (x - 127/255) * 255/128: a 0..1 input
    w = np.ones((1, 3, 3, 3), np.float32)
    assert view.default_scaling(first_conv(conv_model(w))) == "imagenet"
    on_bytes = first_conv(conv_model(w, scaling=(("Sub", [[[123.7]], [[116.3]], [[103.5]]], False),)))
    assert view.default_scaling(on_bytes) == "bytes"
    scale, shift = scaling_from_mean_std(view.IMAGENET_MEAN, view.IMAGENET_STD)
    assert np.all(-shift / scale < 1)


def test_the_filter_mosaic_draws_zero_as_grey_and_each_filter_on_its_own_scale():
    w = np.zeros((3, 3, 2, 2), np.float32)
    w[1, 0, 0, 0] = 5.0  # red, strongest
    w[2, 2, 1, 1] = -0.01  # blue, negative, weak: still full strength on its own scale
    m = view.filter_mosaic(w, columns=3, cell=4, gap=1)
    assert m.shape == (1 + 4 + 1, 1 + 3 * (4 + 1), 3) and m.dtype == np.uint8
    tile = lambda i: m[1 : 1 + 4, 1 + i * 5 : 1 + i * 5 + 4]  # noqa: E731 - 2 x 2 filters drawn 2x
    assert np.all(tile(0) == 128)
    assert tuple(tile(1)[0, 0]) == (255, 128, 128)
    assert tuple(tile(2)[3, 3]) == (128, 128, 0)


def _page(**state) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["cnn_filters"] = "trained"
    for key, value in state.items():
        at.session_state[key] = value
    return at.run()


def test_the_bundled_network_is_shown_filter_by_filter():
    at = _page()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    captions = [c for img in at.image for c in img.captions]
    assert any("32 filters of 3 × 3 × 3 from EfficientNet-Lite0" in c for c in captions)
    assert sum("part" in c for c in captions) == 3 and any(c.startswith("sum + bias") for c in captions)
    assert sum(c.startswith("filter ") for c in captions) == view.MAX_MAPS
    at.number_input(key="cnn_filter").set_value(32).run()
    at.segmented_control(key="cnn_design").set_value("separable").run()
    assert not at.exception and not at.error
    assert len([s for s in at.slider if s.key.startswith("cnn_mix_")]) == 3


def test_the_filter_taken_apart_comes_back_inside_a_model_with_fewer_filters():
    """The filter number is kept for the session, but not past a model's last filter: after filter 32 of the bundled
    network, a visitor's model with 4 filters shows its first one instead of failing on a number past its last."""
    rng = np.random.default_rng(6)
    model = conv_model(rng.normal(size=(4, 3, 3, 3)).astype(np.float32), None)
    at = _page()
    at.number_input(key="cnn_filter").set_value(32).run()
    at.segmented_control(key="cnn_source").set_value("upload").run()
    at.file_uploader(key=view.UPLOAD_KEY).upload("four.onnx", model, "application/octet-stream")
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.exception]
    box = at.number_input(key="cnn_filter")
    assert (box.value, box.max) == (1, 4)


def test_a_visitors_model_is_read_shown_and_a_bad_one_refused_keeping_the_last():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(4, 3, 5, 5)).astype(np.float32)
    model = conv_model(w, rng.normal(size=4).astype(np.float32), strides=[2, 2], auto_pad="SAME_UPPER")
    at = _page(cnn_source="upload")
    assert [i.value for i in at.info]  # asks for a model
    at.file_uploader(key=view.UPLOAD_KEY).upload("mine.onnx", model, "application/octet-stream")
    at.run()
    assert not at.exception and not at.error
    name, conv = at.session_state[view.MODEL_KEY]
    assert name == "mine.onnx" and conv.weights.shape == (4, 3, 5, 5)
    captions = [c for img in at.image for c in img.captions]
    assert any("4 filters of 3 × 5 × 5 from mine.onnx" in c for c in captions)
    x = view.model_input(photo(128), 3, view.default_scaling(conv), conv)
    np.testing.assert_allclose(view.feature_maps(x, conv), run_ort(model, x), rtol=1e-4, atol=1e-4)
    at.file_uploader(key=view.UPLOAD_KEY).clear().upload("evil.onnx", b"\x08\x07garbage", "application/octet-stream")
    at.run()
    assert not at.exception
    (error,) = [e.value for e in at.error]
    assert error.startswith("evil.onnx: ")
    assert at.session_state[view.MODEL_KEY][0] == "mine.onnx"  # the last good model stays
    assert any("Still showing mine.onnx" in c.value for c in at.caption)
