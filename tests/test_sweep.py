"""The sliding window and the transposed scatter (``imgkernel.learn.sweep``) against the engine, ONNX and plain
algebra."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import imgkernel
from imgkernel.learn import sweep
from tests.onnx_oracle import run_node

RNG = np.random.default_rng(10)


@pytest.mark.parametrize("mode", imgkernel.MODES)
def test_every_value_of_the_sweep_equals_the_engines(mode):
    checked = 0
    for (h, w), (kh, kw), s, d in itertools.product([(7, 9), (5, 5)], [(3, 3), (2, 4), (1, 3)], [1, 2, 3], [1, 2]):
        x = RNG.integers(0, 256, (h, w)).astype(np.float64)
        k = RNG.integers(-3, 4, (kh, kw)).astype(np.float64)
        if mode == "valid" and (imgkernel.dilated_span(kh, d) > h or imgkernel.dilated_span(kw, d) > w):
            continue  # the dilated kernel does not fit
        want = imgkernel.correlate(x, k, mode=mode, cval=17.0, stride=s, dilation=d, method="direct")
        got = sweep.sweep(x, k, mode=mode, cval=17.0, stride=s, dilation=d)
        np.testing.assert_allclose(got, want, atol=1e-3)
        checked += 1
    assert checked >= 30


def test_a_window_reads_the_border_modes_padding():
    x = np.array([[1.0, 2, 3, 4]] * 4)  # every row "a b c d"
    k = np.ones((1, 3))
    expect = {"reflect": [1, 1, 2], "mirror": [2, 1, 2], "nearest": [1, 1, 2], "wrap": [4, 1, 2], "constant": [9, 1, 2]}
    for mode, row in expect.items():
        w = sweep.window(x, k, 0, 0, mode=mode, cval=9)  # type: ignore[arg-type]
        assert w.values[0].tolist() == row, mode
        assert w.outside[0].tolist() == [True, False, False]
        assert w.cols.tolist() == [-1, 0, 1] and w.total == sum(row)
    v = sweep.window(x, k, 0, 1, mode="valid")
    assert v.cols.tolist() == [1, 2, 3] and not v.outside.any() and v.total == 9


def test_padded_input_marks_padding_and_keeps_the_image_inside():
    x = np.arange(12.0).reshape(3, 4)
    p = sweep.padded(x, (3, 5), "constant", cval=-1, dilation=2)
    assert (p.top, p.left) == (2, 4) and p.values.shape == (3 + 4, 4 + 8)
    np.testing.assert_array_equal(p.values[2:5, 4:8], x)
    assert p.outside.sum() == p.values.size - x.size and np.all(p.values[p.outside] == -1)
    assert sweep.padded(x, (3, 3), "valid").values.shape == (3, 4)
    assert sweep.pads(4, "reflect", 1) == (2, 1)  # an even kernel's anchor at span // 2: the extra cell before


def test_taps_skip_with_dilation_and_step_with_stride():
    assert sweep.taps(2, 3, "reflect", 2, 3).tolist() == [1, 4, 7]  # centred on input 4, taps 3 apart
    assert sweep.taps(2, 3, "valid", 2, 3).tolist() == [4, 7, 10]  # starts at input 4
    assert sweep.positions((2, 3)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]


def test_bad_positions_and_inputs_are_refused_plainly():
    x = np.zeros((4, 4))
    with pytest.raises(imgkernel.KernelError, match="outside the 4 × 4 output"):
        sweep.window(x, np.ones((3, 3)), 4, 0)
    with pytest.raises(imgkernel.KernelError, match="finite"):
        sweep.sweep(np.full((3, 3), np.nan), np.ones((3, 3)))
    with pytest.raises(imgkernel.KernelError, match="must fit"):
        sweep.sweep(x, np.ones((5, 5)), mode="valid")
    with pytest.raises(imgkernel.KernelError, match="stride"):
        sweep.sweep(x, np.ones((3, 3)), stride=0)


# -- transposed convolution ------------------------------------------------------------------------------------


def _loop_transposed(x, k, s, d, p, op):
    """The definition, written as plainly as it reads: y[i·s − p + d·u, j·s − p + d·v] += x[i, j] · k[u, v]."""
    n_h, n_w = ((n - 1) * s + d * (kk - 1) + 1 - 2 * p + op for n, kk in zip(x.shape, k.shape, strict=True))
    y = np.zeros((n_h, n_w))
    for (i, j), v in np.ndenumerate(x):
        for (u, w), kv in np.ndenumerate(k):
            r, c = i * s - p + d * u, j * s - p + d * w
            if 0 <= r < n_h and 0 <= c < n_w:
                y[r, c] += v * kv
    return y


CASES = [
    (n, k, s, d, p, op)
    for n, k, s, d in itertools.product([3, 4], [2, 3], [1, 2, 3], [1, 2])
    for p in (0, 1)
    for op in range(max(s, d))
]


def test_transposed_equals_the_definition_and_its_size_formula():
    for n, k, s, d, p, op in CASES:
        x = RNG.normal(size=(n, n + 1))
        ker = RNG.normal(size=(k, k))
        got = sweep.conv_transpose(x, ker, stride=s, dilation=d, padding=p, output_padding=op)
        np.testing.assert_allclose(got, _loop_transposed(x, ker, s, d, p, op), atol=1e-12)
        assert got.shape == (sweep.transposed_size(n, k, s, d, p, op), sweep.transposed_size(n + 1, k, s, d, p, op))


def test_stride_leaves_gaps_between_the_scattered_kernels():
    x = np.zeros((2, 2))
    x[0, 0] = x[1, 1] = 1
    y = sweep.conv_transpose(x, np.ones((1, 1)), stride=3)
    assert y.shape == (4, 4)  # (2 − 1)·3 + 1
    np.testing.assert_array_equal(np.argwhere(y), [[0, 0], [3, 3]])  # s − 1 = 2 empty cells between
    sc = sweep.scatter(np.full((2, 2), 2.0), np.array([[1.0, -1]]), 1, 1, stride=2, dilation=3, padding=1)
    assert sc.rows.tolist() == [1] and sc.cols.tolist() == [1, 4] and sc.added.tolist() == [[2, -2]]


def test_transposed_is_the_adjoint_of_the_strided_correlation():
    """⟨correlate_valid(y, k), x⟩ = ⟨y, conv_transpose(x, k)⟩: the transpose of the correlation's matrix."""
    for s, d in itertools.product([1, 2, 3], [1, 2]):
        x = RNG.normal(size=(4, 5))
        k = RNG.normal(size=(3, 2))
        t = sweep.conv_transpose(x, k, stride=s, dilation=d)
        y = RNG.normal(size=t.shape)
        down = sweep.sweep(y, k, mode="valid", stride=s, dilation=d)
        assert down.shape == x.shape
        assert float((down * x).sum()) == pytest.approx(float((y * t).sum()), rel=1e-9)


def test_upto_shows_the_output_filling_in():
    x = RNG.normal(size=(3, 3))
    k = RNG.normal(size=(3, 3))
    assert not sweep.conv_transpose(x, k, stride=2, upto=0).any()
    full = sweep.conv_transpose(x, k, stride=2)
    np.testing.assert_allclose(sweep.conv_transpose(x, k, stride=2, upto=9), full)
    partial = sweep.conv_transpose(x, k, stride=2, upto=1)
    np.testing.assert_allclose(partial[:3, :3], x[0, 0] * k)
    assert not partial[3:].any() and not partial[:, 3:].any()


def test_bad_transposed_settings_are_refused_plainly():
    x, k = np.ones((3, 3)), np.ones((3, 3))
    with pytest.raises(imgkernel.KernelError, match="output padding"):
        sweep.conv_transpose(x, k, stride=2, output_padding=2)
    with pytest.raises(imgkernel.KernelError, match="crops away"):
        sweep.conv_transpose(x, k, padding=4)
    with pytest.raises(imgkernel.KernelError, match="padding must be a whole number"):
        sweep.conv_transpose(x, k, padding=-1)
    with pytest.raises(imgkernel.KernelError, match="outside the input"):
        sweep.scatter(x, k, 3, 0)


def _onnx_conv_transpose(x, ker, s, d, p, op, runtime):
    """One ONNX ``ConvTranspose`` node (one channel in, one out)."""
    attrs = {"strides": [s, s], "dilations": [d, d], "pads": [p, p, p, p], "output_padding": [op, op]}
    return run_node("ConvTranspose", x, ker, runtime, **attrs)


@pytest.mark.parametrize("runtime", [True, False], ids=["onnxruntime", "onnx-reference"])
def test_transposed_equals_onnx_conv_transpose(runtime):
    checked = 0
    for n, k, s, d, p, op in CASES:
        if op >= s:  # ONNX (as PyTorch) takes output_padding < stride
            continue
        x = RNG.normal(size=(n, n + 1))
        ker = RNG.normal(size=(k, k))
        want = _onnx_conv_transpose(x, ker, s, d, p, op, runtime)
        got = sweep.conv_transpose(x, ker, stride=s, dilation=d, padding=p, output_padding=op)
        assert got.shape == want.shape, (n, k, s, d, p, op)
        np.testing.assert_allclose(got, want, atol=1e-4)
        checked += 1
    assert checked >= 40
