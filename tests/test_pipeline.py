"""run_filter is the composition of engine + scale + mapping; output_alpha lines alpha up with the result."""

import itertools

import numpy as np
import pytest
from scipy import ndimage

from imgkernel import get
from imgkernel.pipeline import Settings, output_alpha, run_filter


@pytest.mark.parametrize("mode", ["reflect", "constant", "valid"])
@pytest.mark.parametrize("true_convolution", [False, True])
def test_run_filter_matches_scipy_then_gimp_scaling(mode, true_convolution):
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (20, 23), dtype=np.uint8)
    kernel = rng.normal(size=(3, 4))
    settings = Settings(mode=mode, true_convolution=true_convolution, divisor=2.5, offset=40)
    result = run_filter(pixels, kernel, settings)
    fn = ndimage.convolve if true_convolution else ndimage.correlate
    raw = fn(pixels.astype(float), kernel, mode="constant" if mode == "valid" else mode)
    if mode == "valid":  # scipy has no 'valid': keep the windows that fit (anchor at size // 2)
        raw = raw[1:-1, 2:-1] if not true_convolution else raw[1:-1, 1:-2]
    expected = raw / 2.5 + 40
    assert result.values.shape == expected.shape
    np.testing.assert_allclose(result.values, expected, atol=1e-3)
    np.testing.assert_array_equal(result.mapped.image, np.clip(np.floor(expected + 0.5), 0, 255).astype(np.uint8))


def test_gray_setting_filters_the_luminance():
    rgb = np.random.default_rng(2).integers(0, 256, (9, 9, 3), dtype=np.uint8)
    result = run_filter(rgb, get("identity").matrix(), Settings(gray=True))
    lum = rgb @ np.array([0.299, 0.587, 0.114])
    assert result.values.shape == (9, 9)
    assert np.abs(result.values - lum).max() <= 1.0


@pytest.mark.parametrize(
    ("mode", "stride", "dilation", "shape"),
    list(itertools.product(["reflect", "valid"], [1, 2, 3], [1, 2], [(3, 3), (2, 5), (1, 1)])),
)
def test_output_alpha_has_the_result_shape_and_the_anchor_pixels(mode, stride, dilation, shape):
    h, w = 17, 22
    alpha = (np.arange(h * w) % 251).reshape(h, w).astype(np.uint8)
    settings = Settings(mode=mode, stride=stride, dilation=dilation)
    result = run_filter(np.zeros((h, w), np.uint8), np.ones(shape), settings)
    out = output_alpha(alpha, shape, settings)
    assert out.shape == result.mapped.image.shape
    # output (0, 0) sits on the input pixel under the anchor of the first window
    span = [dilation * (k - 1) + 1 for k in shape]
    r0, c0 = (span[0] // 2, span[1] // 2) if mode == "valid" else (0, 0)
    assert out[0, 0] == alpha[r0, c0]
    assert out[-1, -1] == alpha[r0 + (out.shape[0] - 1) * stride, c0 + (out.shape[1] - 1) * stride]
