"""The Learn pages' maths: pixel walkthrough, CNN layer shapes/pooling, kernel properties and composition.

Oracles: ``run_filter`` (the app's own result must agree with the walkthrough), scipy.ndimage, numpy.pad,
slow obvious loops written here, TensorFlow's documented "SAME" padding rule (in its own words) and, for the CNN
layer's padding, ONNX Runtime and the ONNX specification's reference implementation (``onnx.reference``).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import ndimage

import imgkernel
from imgkernel.kernel_props import (
    classify_response,
    compose,
    dc_gain,
    frequency_response,
    full_convolve2d,
    separability,
    symmetries,
)
from imgkernel.learn.layers import (
    combine_maps,
    conv_layer,
    kernel_bank,
    layer_output_size,
    pad_to_size,
    padding_amounts,
    pool2d,
    random_bank,
    relu,
)
from imgkernel.learn.walkthrough import coordinates_note, enlarge, explain_pixel
from imgkernel.pipeline import Settings, run_filter
from tests.onnx_oracle import run_node

PADDED = ("reflect", "mirror", "nearest", "wrap", "constant")
NP_PAD = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap"}  # scipy -> numpy words


def _assert_matches_run(img, ker, settings, rng, picks=4):
    res = run_filter(img, ker, settings)
    low, high = res.mapped.low, res.mapped.high
    for _ in range(picks):
        r, c = int(rng.integers(res.values.shape[0])), int(rng.integers(res.values.shape[1]))
        e = explain_pixel(img, ker, settings, r, c, value_range=(low, high))
        want = np.atleast_1d(res.values[r, c])
        assert e.raw.shape == want.shape
        np.testing.assert_allclose(e.raw, e.products.reshape(*ker.shape, -1).sum(axis=(0, 1)), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(e.scaled, want, atol=1e-3, rtol=1e-5)
        # the 8-bit value before rounding, by the mapping's documented rule
        pre = {
            "clip": e.scaled,
            "abs": np.abs(e.scaled),
            "rescale": (e.scaled - low) * 255 / (high - low) if high > low else e.scaled,
        }[settings.out_of_range]
        got, exp = e.final.astype(int), np.atleast_1d(res.mapped.image[r, c]).astype(int)
        np.testing.assert_array_equal(got, np.clip(np.floor(pre + 0.5), 0, 255).astype(int))
        # equal to the app's pixel, except where summation-order rounding straddles a .5 boundary
        near_half = np.abs(pre % 1 - 0.5) < 1e-2
        assert np.all((got == exp) | ((np.abs(got - exp) == 1) & near_half)), (settings, r, c, got, exp)


@pytest.mark.parametrize("mode", (*PADDED, "valid"))
def test_walkthrough_equals_run_filter(mode):
    rng = np.random.default_rng(imgkernel.MODES.index(mode))
    img = rng.integers(0, 256, (13, 11, 3), dtype=np.uint8)
    for (kh, kw), stride, dilation, true_conv in itertools.product(
        [(3, 3), (2, 4), (5, 1), (4, 4)], [1, 2, 3], [1, 2], [False, True]
    ):
        if mode == "valid" and (dilation * (max(kh, kw) - 1) + 1) > 11:
            continue
        # integer weights, sometimes rank 1 (the engine then filters with two float 1-D passes)
        ker = rng.integers(-3, 4, (kh, kw)).astype(float)
        if rng.random() < 0.3:
            ker = np.outer(rng.integers(-3, 4, kh), rng.integers(-3, 4, kw)).astype(float)
        settings = Settings(mode=mode, stride=stride, dilation=dilation, true_convolution=true_conv, cval=17.0)
        _assert_matches_run(img, ker, settings, rng, picks=3)


@pytest.mark.parametrize("out_of_range", ["clip", "abs", "rescale"])
def test_walkthrough_scaling_and_mapping(out_of_range):
    rng = np.random.default_rng(7)
    img = rng.integers(0, 256, (17, 19), dtype=np.uint8)
    ker = rng.normal(size=(3, 4))
    for extra in ({}, {"normalise": True}, {"mean": True}, {"divisor": 3.0, "offset": 40.0}):
        settings = Settings(mode="mirror", out_of_range=out_of_range, **extra)
        _assert_matches_run(img, ker, settings, rng)


def test_walkthrough_gray_setting_on_colour_photo():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    e = explain_pixel(img, imgkernel.get("sharpen").matrix(), Settings(gray=True), 4, 5)
    assert e.neighbourhood.shape == (3, 3) and e.raw.shape == (1,)
    _assert_matches_run(img, imgkernel.get("blur").matrix(), Settings(gray=True, mode="nearest"), rng)


@pytest.mark.parametrize("mode", PADDED)
def test_walkthrough_raw_sum_equals_scipy(mode):
    rng = np.random.default_rng(11)
    img = rng.integers(0, 256, (10, 8), dtype=np.uint8)
    for shape in [(3, 3), (4, 2), (6, 5)]:
        ker = rng.normal(size=shape)
        for fn, true_conv in ((ndimage.correlate, False), (ndimage.convolve, True)):
            oracle = fn(img.astype(np.float64), ker, mode=mode, cval=9.0)
            settings = Settings(mode=mode, cval=9.0, true_convolution=true_conv)
            for r, c in [(0, 0), (9, 7), (0, 7), (5, 3), (9, 0)]:
                e = explain_pixel(img, ker, settings, r, c)
                assert e.raw[0] == pytest.approx(oracle[r, c], abs=1e-9)


@pytest.mark.parametrize("mode", PADDED)
def test_padding_values_equal_numpy_pad(mode):
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (4, 5), dtype=np.uint8)
    ker = np.ones((7, 9))  # wider than the image: padding reads beyond one reflection
    pad = 12
    big = (
        np.pad(img, pad, mode="constant", constant_values=33)
        if mode == "constant"
        else np.pad(img, pad, mode=NP_PAD[mode])
    )
    for r, c, dilation in [(0, 0, 1), (3, 4, 2), (2, 1, 3)]:
        e = explain_pixel(img, ker, Settings(mode=mode, cval=33.0, dilation=dilation), r, c)
        want = big[np.ix_(e.rows + pad, e.cols + pad)]
        np.testing.assert_array_equal(e.neighbourhood, want)
        inside = (e.rows[:, None] >= 0) & (e.rows[:, None] < 4) & (e.cols[None, :] >= 0) & (e.cols[None, :] < 5)
        np.testing.assert_array_equal(e.outside, ~inside)


def test_walkthrough_coordinates_stride_and_valid():
    img = np.arange(100, dtype=np.uint8).reshape(10, 10)
    e = explain_pixel(img, np.ones((3, 3)), Settings(stride=3), 2, 1)
    assert (e.in_row, e.in_col) == (6, 3)
    assert list(e.rows) == [5, 6, 7] and list(e.cols) == [2, 3, 4]
    v = explain_pixel(img, np.ones((3, 3)), Settings(mode="valid", stride=2), 1, 0)
    assert list(v.rows) == [2, 3, 4] and (v.in_row, v.in_col) == (3, 1)
    assert not v.outside.any()
    with pytest.raises(imgkernel.KernelError):
        explain_pixel(img, np.ones((3, 3)), Settings(mode="valid"), 8, 0)  # valid output is only 8 x 8
    with pytest.raises(imgkernel.KernelError):
        explain_pixel(img, np.ones((3, 3)), Settings(mode="sideways"), 0, 0)
    with pytest.raises(imgkernel.KernelError):
        explain_pixel(img.ravel(), np.ones((3, 3)), Settings(), 0, 0)


# ---------------------------------------------------------------------------------------------- CNN layer


def _slow_conv(x, k, p, s, d):
    """Zero-padded, strided, dilated correlation summed over channels: the obvious loops. ``p`` is
    ((top, bottom), (left, right))."""
    x = x[:, :, None] if x.ndim == 2 else x
    xp = np.pad(x.astype(np.float64), (p[0], p[1], (0, 0)))
    kh, kw = k.shape
    oh = (xp.shape[0] - d * (kh - 1) - 1) // s + 1
    ow = (xp.shape[1] - d * (kw - 1) - 1) // s + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for u in range(kh):
                for v in range(kw):
                    out[i, j] += k[u, v] * xp[i * s + u * d, j * s + v * d].sum()
    return out


def test_layer_output_size_against_enumeration():
    # independent count: the number of window starts t = 0, s, 2s, ... with t + d(k-1) <= n + 2p - 1
    for n, k, p, s, d in itertools.product([1, 5, 8, 13], [1, 2, 3, 5], [0, 1, 2], [1, 2, 3], [1, 2]):
        starts = [t for t in range(0, n + 2 * p, s) if t + d * (k - 1) <= n + 2 * p - 1]
        if starts:
            assert layer_output_size(n, k, p, s, d) == len(starts)
        else:
            with pytest.raises(imgkernel.KernelError):
                layer_output_size(n, k, p, s, d)


@pytest.mark.parametrize("padding", ["valid", "same", "full"])
def test_conv_layer_shapes_and_values(padding):
    rng = np.random.default_rng(2)
    x = rng.integers(0, 256, (11, 9, 3), dtype=np.uint8)
    for k, s, d in itertools.product([2, 3, 4], [1, 2], [1, 2]):
        bank = rng.normal(size=(2, k, k))
        bias = np.array([0.5, -3.0])
        maps = conv_layer(x, bank, bias, stride=s, padding=padding, dilation=d)
        p = (padding_amounts(11, k, padding, s, d), padding_amounts(9, k, padding, s, d))
        assert maps.shape == (2, layer_output_size(11, k, p[0], s, d), layer_output_size(9, k, p[1], s, d))
        for i in range(2):
            np.testing.assert_allclose(maps[i], _slow_conv(x, bank[i], p, s, d) + bias[i], rtol=1e-5, atol=1e-2)


def test_padding_names_sizes():
    x = np.zeros((10, 10))
    assert conv_layer(x, np.ones((1, 3, 3)), padding="same").shape == (1, 10, 10)
    assert conv_layer(x, np.ones((1, 3, 3)), padding="full").shape == (1, 12, 12)
    assert conv_layer(x, np.ones((1, 3, 3)), padding="valid").shape == (1, 8, 8)
    assert conv_layer(x, np.ones((1, 3, 3)), padding="same", dilation=2).shape == (1, 10, 10)
    for k in (2, 4):  # even kernels keep the size too (the odd extra padding pixel goes after)
        assert conv_layer(x, np.ones((1, k, k)), padding="same").shape == (1, 10, 10)
    assert conv_layer(np.zeros((11, 10)), np.ones((1, 4, 4)), padding="same", stride=3).shape == (1, 4, 4)
    assert conv_layer(x, np.ones((1, 5, 5)), padding="full", stride=2).shape == (1, 7, 7)
    # full padding: every position where image and kernel overlap, as scipy.signal's 'full' correlation
    from scipy import signal  # here: importing it takes ~0.6 s, which every test worker paid while collecting

    rng = np.random.default_rng(0)
    img, k = rng.normal(size=(6, 7)), rng.normal(size=(3, 2))
    np.testing.assert_allclose(
        conv_layer(img, k, padding="full")[0], signal.correlate2d(img, k, mode="full"), atol=1e-4
    )


def test_same_padding_issue_example_columns_1_to_10_stride_2():
    """Issue #10: columns 1..10, identity 3 × 3, stride 2: the windows centre on 2, 4, 6, 8, 10 (as JAX's "SAME")."""
    x = np.tile(np.arange(1, 11, dtype=np.float64), (10, 1))
    out = conv_layer(x, imgkernel.get("identity").matrix(), padding="same", stride=2)[0]
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out, np.tile([2.0, 4.0, 6.0, 8.0, 10.0], (5, 1)))
    assert padding_amounts(10, 3, "same", 2) == (0, 1)


def _tf_same_pads(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """TensorFlow's "SAME" padding as its convolution guide writes the rule (in_height % stride cases), with the
    dilated kernel size ``d(k-1) + 1``: a different form of the same rule as ``padding_amounts``."""
    span = d * (k - 1) + 1
    total = max(span - s, 0) if n % s == 0 else max(span - n % s, 0)
    return total // 2, total - total // 2


SAME_CASES = list(itertools.product(range(1, 13), [1, 2, 3, 4, 5], [1, 2, 3], [1, 2]))


def test_same_padding_follows_the_documented_framework_rule():
    for n, k, s, d in SAME_CASES:
        before, after = padding_amounts(n, k, "same", s, d)
        assert (before, after) == _tf_same_pads(n, k, s, d), (n, k, s, d)
        assert after - before in (0, 1)  # the odd extra pixel goes after (bottom / right)
        assert layer_output_size(n, k, (before, after), s, d) == -(-n // s)  # ceil(n / s), as the frameworks


def test_same_and_valid_layers_equal_loops_with_the_framework_pads():
    rng = np.random.default_rng(21)
    for n, k, s, d in SAME_CASES:
        x = rng.normal(size=(n, n + 1))
        ker = rng.normal(size=(k, k))
        pads = (_tf_same_pads(n, k, s, d), _tf_same_pads(n + 1, k, s, d))
        got = conv_layer(x, ker, padding="same", stride=s, dilation=d)[0]
        assert got.shape == (-(-n // s), -(-(n + 1) // s))
        np.testing.assert_allclose(got, _slow_conv(x, ker, pads, s, d), rtol=1e-5, atol=1e-4)
        span = d * (k - 1) + 1
        if span <= n:  # "valid": floor((n - d(k-1) - 1) / s) + 1 per side, no padding
            valid = conv_layer(x, ker, padding="valid", stride=s, dilation=d)[0]
            assert valid.shape == ((n - span) // s + 1, (n + 1 - span) // s + 1)
            np.testing.assert_allclose(valid, _slow_conv(x, ker, ((0, 0), (0, 0)), s, d), rtol=1e-5, atol=1e-4)
        else:
            with pytest.raises(imgkernel.KernelError, match="does not fit"):
                conv_layer(x, ker, padding="valid", stride=s, dilation=d)


def _onnx_conv(x: np.ndarray, ker: np.ndarray, auto_pad: str, s: int, d: int, runtime: bool) -> np.ndarray:
    return run_node("Conv", x, ker, runtime, auto_pad=auto_pad, strides=[s, s], dilations=[d, d])


@pytest.mark.parametrize("runtime", [True, False], ids=["onnxruntime", "onnx-reference"])
def test_same_and_valid_padding_equal_onnx(runtime):
    """ONNX's ``SAME_UPPER`` is TensorFlow's "SAME"; ONNX Runtime refuses dilation with it, so dilation 2 is
    checked against the specification's reference implementation only."""
    rng = np.random.default_rng(22)
    checked = 0
    for n, k, s, d in SAME_CASES:
        if d > 1 and runtime:
            continue
        x = rng.normal(size=(n, n + 2))
        ker = rng.normal(size=(k, k))
        want = _onnx_conv(x, ker, "SAME_UPPER", s, d, runtime)
        np.testing.assert_allclose(conv_layer(x, ker, padding="same", stride=s, dilation=d)[0], want, atol=1e-4)
        if d * (k - 1) + 1 <= n:
            want = _onnx_conv(x, ker, "VALID", s, d, runtime)
            np.testing.assert_allclose(conv_layer(x, ker, padding="valid", stride=s, dilation=d)[0], want, atol=1e-4)
        checked += 1
    x = np.tile(np.arange(1, 11, dtype=np.float64), (10, 1))  # the issue's example, in ONNX's own numbers
    np.testing.assert_array_equal(
        _onnx_conv(x, imgkernel.get("identity").matrix(), "SAME_UPPER", 2, 1, runtime)[0], [2, 4, 6, 8, 10]
    )
    assert checked >= 180


def test_full_padding_stays_symmetric_and_bad_padding_is_refused():
    for n, k, s, d in SAME_CASES:
        assert padding_amounts(n, k, "full", s, d) == (d * (k - 1), d * (k - 1))
        assert padding_amounts(n, k, "valid", s, d) == (0, 0)
    with pytest.raises(imgkernel.KernelError, match="Unknown padding"):
        padding_amounts(5, 3, "causal", 1, 1)  # type: ignore[arg-type]
    with pytest.raises(imgkernel.KernelError, match="stride"):
        padding_amounts(5, 3, "same", 0, 1)


def test_relu_and_pooling_against_loops():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 9, 11)).astype(np.float32)
    r = relu(x)
    assert np.all(r >= 0) and np.array_equal(r[x > 0], x[x > 0]) and np.all(r[x <= 0] == 0)
    for size, stride, kind in itertools.product([1, 2, 3], [1, 2, 3], ["max", "average"]):
        got = pool2d(x, size, stride, kind)
        oh, ow = (9 - size) // stride + 1, (11 - size) // stride + 1
        want = np.empty((3, oh, ow), np.float32)
        for c, i, j in itertools.product(range(3), range(oh), range(ow)):
            win = x[c, i * stride : i * stride + size, j * stride : j * stride + size]
            want[c, i, j] = win.max() if kind == "max" else win.mean()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert pool2d(np.zeros((6, 6)), 2).shape == (3, 3)  # default stride = size
    with pytest.raises(imgkernel.KernelError):
        pool2d(np.zeros((2, 2)), 3)


def test_combine_maps():
    maps = np.stack([np.full((2, 2), 1.0), np.full((2, 2), 10.0)])
    out = combine_maps(maps, np.array([[1.0, 1.0], [2.0, -1.0]]))
    assert out.shape == (2, 2, 2) and out[0, 0, 0] == 11 and out[1, 1, 1] == -8


# ------------------------------------------------------------------------------------- kernel properties


def test_dc_gain_and_frequency_response():
    box = np.full((5, 5), 1 / 25)
    lap = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], float)
    for k in (box, lap, imgkernel.get("sharpen").matrix(), np.arange(12.0).reshape(3, 4)):
        mag, f = frequency_response(k, 32)
        centre = np.argmin(np.abs(f))
        assert f[centre] == 0
        assert mag[centre, centre] == pytest.approx(abs(dc_gain(k)))
        # oracle: the DFT sum evaluated directly at the highest frequency (0.5, 0.5): sum k[u,v] (-1)^(u+v)
        sign = (-1.0) ** np.add.outer(np.arange(k.shape[0]), np.arange(k.shape[1]))
        assert mag[0, 0] == pytest.approx(abs((k * sign).sum()))
    assert dc_gain(lap) == 0
    assert dc_gain(box) == pytest.approx(1) and dc_gain(imgkernel.get("sharpen").matrix()) == 1
    assert dc_gain(np.arange(12.0).reshape(3, 4)) == 66  # 0 + 1 + ... + 11
    assert classify_response(box) == "low-pass"
    assert classify_response(lap) == "high-pass"
    assert classify_response(imgkernel.get("sharpen").matrix()) == "high-boost"
    assert classify_response(imgkernel.get("identity").matrix()) == "all-pass"
    assert classify_response(imgkernel.get("blur").matrix()) == "low-pass"


def test_separability():
    for d in ("top", "left", "right", "bottom"):
        k = imgkernel.get(f"sobel_{d}").matrix()
        sep = separability(k)
        assert sep.separable and sep.rank == 1
        np.testing.assert_allclose(np.outer(sep.column, sep.row), k, atol=1e-12)
    for name in ("sharpen", "outline"):
        sep = separability(imgkernel.get(name).matrix())
        assert not sep.separable and sep.rank == 2 and sep.column is None
    assert separability(np.zeros((3, 3))).rank == 0


def test_symmetries():
    top = symmetries(imgkernel.get("sobel_top").matrix())
    assert top["left-right"] and not top["up-down"] and not top["180-degree"] and top["anti-symmetric (180)"]
    blur = symmetries(imgkernel.get("blur").matrix())
    assert all(v for name, v in blur.items() if name != "anti-symmetric (180)")
    assert not blur["anti-symmetric (180)"]
    emboss = symmetries(imgkernel.get("emboss").matrix())
    assert emboss["transpose"] and not emboss["180-degree"] and not emboss["left-right"]
    rect = symmetries(np.ones((2, 3)))
    assert rect["180-degree"] and not rect["transpose"] and not rect["90-degree"]


def test_full_convolve2d_matches_scipy():
    rng = np.random.default_rng(8)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(2, 5))
    from scipy import signal

    np.testing.assert_allclose(full_convolve2d(a, b), signal.convolve2d(a, b, mode="full"), atol=1e-12)


@pytest.mark.parametrize(
    "shapes",
    [((3, 3), (3, 3)), ((3, 3), (5, 5)), ((2, 2), (2, 2)), ((4, 3), (2, 5)), ((1, 4), (4, 1)), ((2, 3), (3, 3))],
)
def test_compose_equals_applying_both_wrap(shapes):
    rng = np.random.default_rng(sum(sum(s) for s in shapes))
    x = rng.integers(0, 256, (24, 21)).astype(np.float64)
    a, b = rng.normal(size=shapes[0]), rng.normal(size=shapes[1])
    twice = ndimage.correlate(ndimage.correlate(x, a, mode="wrap"), b, mode="wrap")
    once = ndimage.correlate(x, compose(a, b), mode="wrap")
    np.testing.assert_allclose(once, twice, atol=1e-9)
    # and the engine agrees (float32) within 1e-3
    mine = imgkernel.correlate(x, compose(a, b), mode="wrap")
    assert np.max(np.abs(mine - twice)) < 1e-3 * max(1.0, np.abs(twice).max())
    np.testing.assert_allclose(compose(a, b), compose(b, a), atol=1e-12)  # correlation passes commute


def test_compose_interior_matches_in_reflect_mode():
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, (30, 30)).astype(np.float64)
    # (a symmetric first kernel would commute with the mirror padding and hide the border effect)
    a, b = rng.normal(size=(3, 3)), imgkernel.get("sobel_left").matrix()
    c = compose(a, b)
    twice = ndimage.correlate(ndimage.correlate(x, a, mode="reflect"), b, mode="reflect")
    once = ndimage.correlate(x, c, mode="reflect")
    m = c.shape[0] // 2  # borders differ: the second pass sees the first pass's border, not the photo's
    np.testing.assert_allclose(once[m:-m, m:-m], twice[m:-m, m:-m], atol=1e-9)
    assert np.max(np.abs(once - twice)) > 1e-6


def test_pad_to_size_filters_the_same():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(12, 13))
    for shape, big in [((3, 3), (5, 5)), ((2, 3), (5, 4)), ((4, 4), (5, 7)), ((3, 2), (4, 4))]:
        k = rng.normal(size=shape)
        p = pad_to_size(k, big)
        assert p.shape == big and p.sum() == pytest.approx(k.sum())
        np.testing.assert_allclose(
            ndimage.correlate(x, p, mode="wrap"), ndimage.correlate(x, k, mode="wrap"), atol=1e-9
        )
    with pytest.raises(imgkernel.KernelError):
        pad_to_size(np.ones((5, 5)), (3, 3))


def test_kernel_bank_stacks_presets_gabors_and_random_kernels_at_one_size():
    x = np.random.default_rng(13).normal(size=(30, 30))
    titles, bank, padded = kernel_bank(["sobel_top", "gaussian"], gabor_angles=(0, 90), n_random=2, seed=3)
    assert titles == ["Top Sobel", "Gaussian blur", "Gabor 0°", "Gabor 90°", "Random #1", "Random #2"]
    side = imgkernel.get("gabor").defaults()["size"]
    assert bank.shape == (6, side, side) and padded
    np.testing.assert_allclose(bank[3], imgkernel.get("gabor").matrix({"theta": 90}))
    np.testing.assert_allclose(bank[4:], [pad_to_size(k, (side, side)) for k in random_bank(2, 3, 3)])
    for i, name in enumerate(["sobel_top", "gaussian"]):  # zero-padded around the anchor: same response
        np.testing.assert_allclose(
            ndimage.correlate(x, bank[i], mode="wrap"),
            ndimage.correlate(x, imgkernel.get(name).matrix(), mode="wrap"),
            atol=1e-9,
        )
    assert kernel_bank(["sobel_top", "sobel_left"])[2] is False  # one size already: nothing padded
    titles, bank, padded = kernel_bank([])
    assert titles == [] and bank.shape == (0, 1, 1) and not padded


def test_enlarge_draws_each_pixel_as_a_block():
    gray = np.arange(6, dtype=np.uint8).reshape(2, 3)
    np.testing.assert_array_equal(enlarge(gray, 4), np.kron(gray, np.ones((4, 4), np.uint8)))
    rgb = np.stack([gray, gray + 10, gray + 20], axis=-1)
    big = enlarge(rgb, 3)
    assert big.shape == (6, 9, 3) and big.dtype == np.uint8
    np.testing.assert_array_equal(big[::3, ::3], rgb)


def test_coordinates_note_names_rows_and_columns_and_writes_width_by_height():
    note = coordinates_note(Settings(stride=2), (3, 3), 4, 7)
    assert "Output pixel (row 4, column 7) is centred on input pixel (row 8, column 14)" in note
    valid = coordinates_note(Settings(mode="valid", dilation=2), (3, 5), 1, 2)  # 5 wide, 3 high; spans 9 × 5
    assert "covers 9 × 5 input pixels (width × height)" in valid
    assert "smaller than the input by 8 columns and 4 rows" in valid


@pytest.mark.parametrize("mode", ["reflect", "constant"])
@pytest.mark.parametrize("gray", [False, True])
def test_walkthrough_in_linear_light_equals_run_filter(mode, gray):
    rng = np.random.default_rng(21)
    img = rng.integers(0, 256, (9, 12, 3), dtype=np.uint8)
    ker = rng.integers(-2, 4, (3, 3)).astype(float)
    for out_of_range in ("clip", "abs", "rescale"):
        settings = Settings(mode=mode, cval=200.0, linear=True, gray=gray, divisor=3.0, out_of_range=out_of_range)
        res = run_filter(img, ker, settings)
        for r, c in [(0, 0), (8, 11), (4, 5)]:
            e = explain_pixel(img, ker, settings, r, c, value_range=(res.mapped.low, res.mapped.high))
            np.testing.assert_allclose(e.scaled, np.atleast_1d(res.values[r, c]), atol=1e-3, rtol=1e-5)
            diff = np.abs(e.final.astype(int) - np.atleast_1d(res.mapped.image[r, c]).astype(int))
            assert diff.max() <= 1  # summation order may straddle a rounding edge, nothing more
