"""A visitor's own model on the CNN page, in the real browser: a small ONNX model is uploaded, its first layer's
filters and feature maps are shown, and the first feature map is the picture of ONNX Runtime's output for that
Conv on the same photo (the page's ReLU on top); a broken file is refused in plain words and the model stays."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from PIL import Image

from app import cache, cnn_view
from app import first_layer_view as view
from devtools.st_page import assert_no_exception, settle, wait_idle
from imgkernel.learn.layers import relu
from imgkernel.mapping import signed_colormap

from ..test_layers_conv2d import conv_model, run_ort

pytestmark = pytest.mark.browser


def picture(page, alt_start: str) -> np.ndarray:
    """The pixels of the picture whose text alternative starts with ``alt_start``."""
    img = page.locator(f'[data-testid="stImage"] img[alt^="{alt_start}"]').first
    img.wait_for()
    src = img.get_attribute("src")
    data = base64.b64decode(src.split(",", 1)[1]) if src.startswith("data:") else page.request.get(src).body()
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_an_uploaded_model_shows_its_filters_and_onnx_runtimes_maps(page, app_url, tmp_path):
    rng = np.random.default_rng(11)
    weights = rng.normal(size=(4, 3, 5, 5)).astype(np.float32)
    model = conv_model(weights, rng.normal(size=4).astype(np.float32), strides=[2, 2], auto_pad="SAME_UPPER")
    (tmp_path / "mine.onnx").write_bytes(model)
    (tmp_path / "broken.onnx").write_bytes(model[: len(model) // 2])

    page.goto(f"{app_url}/cnn_layer")
    wait_idle(page, 60_000)
    page.get_by_text("Trained filters, channel by channel", exact=True).click()
    settle(page, "EfficientNet-Lite0")
    page.get_by_text("Your own model (ONNX)", exact=True).click()
    settle(page, "Drop a model exported to ONNX")
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(tmp_path / "mine.onnx"))
    settle(page, "4 filters of 3 × 5 × 5 from mine.onnx")
    wait_idle(page)
    assert_no_exception(page)
    assert page.get_by_text("filter 4 ·").count() == 1  # every map, captioned

    # The first map as drawn: ONNX Runtime's output on the page's input (128 px, the model's likeliest units), ReLU,
    # on the maps' shared colour scale, enlarged as the page enlarges it.
    conv = view.first_conv(model)
    x = view.model_input(view.resize_long_side(cache.sample_photo().pixels, 128), 3, view.default_scaling(conv))
    maps = relu(run_ort(model, x))
    expected = cnn_view.readable(signed_colormap(maps[0], limit=cnn_view.display_limit(maps)))
    got = picture(page, "Feature map of filter 1,")
    assert got.shape == expected.shape
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 2  # float32 sums in another order

    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(tmp_path / "broken.onnx"))
    settle(page, "broken.onnx: This file is not an ONNX model, or it is cut short.")
    assert page.get_by_text("Still showing mine.onnx.").count() == 1
    assert_no_exception(page)
