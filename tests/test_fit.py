"""Fitting a kernel to a before/after pair (``imgkernel.fit``), and the "Fit a kernel" page.

Oracles: results made by other tools — scipy.ndimage (float, and rounded and clipped to 8 bits as an editor saves
them) and Pillow's ``ImageFilter.Kernel`` (which flips the kernel vertically and leaves a border unfiltered) — whose
kernels the fit must recover; the trainer is checked against the least-squares answer.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image, ImageFilter
from scipy import ndimage

import imgkernel
from imgkernel import fit
from imgkernel.limits import MAX_KERNEL_SIDE

from .apptest import sample_pixels

RNG = np.random.default_rng(10)


def _correlate(x: np.ndarray, k: np.ndarray, mode: str = "nearest") -> np.ndarray:
    """Float64 correlation per channel (scipy), as another tool would filter."""
    f = x.astype(np.float64)
    if f.ndim == 2:
        return ndimage.correlate(f, k, mode=mode)
    return np.stack([ndimage.correlate(f[..., c], k, mode=mode) for c in range(f.shape[2])], axis=-1)


def _to_8bit(v: np.ndarray) -> np.ndarray:
    """Rounded and clipped to 0..255, as an editor saves its result."""
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


def _pillow(x: np.ndarray, weights: np.ndarray, scale: float, offset: float = 0.0) -> np.ndarray:
    k = weights.shape[0]
    return np.asarray(Image.fromarray(x).filter(ImageFilter.Kernel((k, k), weights.ravel().tolist(), scale, offset)))


# ------------------------------------------------------------------------------------------------ least squares


@pytest.mark.parametrize("sample", ["Coffee cup", "Camera man (gray)"])
@pytest.mark.parametrize("shape", [(3, 3), (5, 3), (1, 5)])
def test_a_float_result_is_recovered_exactly(sample, shape):
    x = sample_pixels(sample)[:150, :200]
    k = RNG.normal(size=shape)
    got = fit.fit_kernel(x, _correlate(x, k), shape)
    assert got.matrix.shape == shape and got.matrix.dtype == np.float64
    assert np.abs(got.matrix - k).max() <= 1e-6
    assert got.rms < 1e-6 and got.r2 == pytest.approx(1.0, abs=1e-9)
    assert got.offset == 0.0 and not got.fitted_offset and got.unique and got.excluded == 0
    channels = 1 if x.ndim == 2 else 3
    assert got.equations == (x.shape[0] - shape[0] + 1) * (x.shape[1] - shape[1] + 1) * channels  # all: small photo
    assert not got.sampled


def test_a_float_result_with_an_offset_and_float_inputs():
    x = sample_pixels("Astronaut")[:150, :150].astype(np.float32) / 255  # a float image in 0..1
    k = imgkernel.get("sobel_left").matrix()
    after = _correlate(x, k) + 0.5
    got = fit.fit_kernel(x, after, 3, fit_offset=True)
    assert np.abs(got.matrix - k).max() <= 1e-3 and got.offset == pytest.approx(0.5, abs=1e-4)
    assert got.fitted_offset and got.unknowns == 10
    without = fit.fit_kernel(x, after, 3)  # the same pair without an offset to fit: a poorer, biased answer
    assert without.rms > 10 * got.rms + 1e-3 and np.abs(without.matrix - k).max() > 1e-2


@pytest.mark.parametrize("name", ["sharpen", "emboss", "blur", "outline"])
def test_an_8bit_rounded_and_clipped_result_is_recovered_closely(name):
    x = sample_pixels("Chelsea the cat")
    k = imgkernel.get(name).matrix()
    after = _to_8bit(_correlate(x, k))
    got = fit.fit_kernel(x, after, 3)
    assert np.abs(got.matrix - k).max() <= 0.01, got.matrix
    assert got.rms <= 0.5  # rounding only: ±0.5 grey levels, rms about 0.29 for non-integer results
    clipped = np.count_nonzero((after == 0) | (after == 255))
    assert (got.excluded > 0) == (clipped > 0)
    if name != "blur":  # a blur never leaves 0..255: nothing clipped, nothing to bias the fit
        biased = fit.fit_kernel(x, after, 3, exclude_clipped=False)  # clipped pixels kept: they pull the fit
        assert np.abs(biased.matrix - k).max() > 0.05
        assert biased.excluded == 0


@pytest.mark.parametrize("mode", ["RGB", "L"])
@pytest.mark.parametrize("side", [3, 5])
def test_a_pillow_kernel_result_is_recovered(mode, side):
    """Pillow applies the kernel flipped vertically, divided by ``scale``, plus ``offset``, rounded and clipped, and
    copies a border of the kernel's half-size unfiltered: the fit uses only the interior, so that border is ignored."""
    x = sample_pixels("Coffee cup")
    x = x if mode == "RGB" else np.asarray(Image.fromarray(x).convert("L"))
    weights = np.random.default_rng(side).integers(-3, 4, (side, side)).astype(float)
    weights[side // 2, side // 2] = 6
    scale, offset = float(weights.sum()), 20.0
    after = _pillow(x, weights, scale, offset)
    r = side // 2
    np.testing.assert_array_equal(after[:r], x[:r])  # Pillow's unfiltered border
    got = fit.fit_kernel(x, after, side, fit_offset=True)
    applied = np.flipud(weights) / scale
    assert np.abs(got.matrix - applied).max() <= 0.01 * np.abs(applied).max(), (got.matrix, applied)
    assert got.offset == pytest.approx(offset, abs=0.5)
    assert got.r2 > 0.999
    residual = got.residual(x, after)
    assert residual.shape == (x.shape[0] - 2 * r, x.shape[1] - 2 * r, *x.shape[2:])
    assert np.abs(residual).max() <= 1.0  # rounding: every interior pixel within a grey level


def test_residual_and_prediction_follow_the_interior():
    x = sample_pixels("Camera man (gray)")[:64, :80]
    k = imgkernel.get("emboss").matrix()
    after = _to_8bit(_correlate(x, k))
    got = fit.fit_kernel(x, after, 3)
    pred = got.predict(x)
    assert pred.shape == (62, 78) and pred.dtype == np.float32
    np.testing.assert_allclose(pred, _correlate(x, k)[1:-1, 1:-1], atol=0.05)
    res = got.residual(x, after)
    assert np.abs(res).max() <= 0.51  # the prediction clipped to 0..255 like the 8-bit result: only rounding left
    float_res = got.residual(x, _correlate(x, k).astype(np.float32))  # a float after: the prediction is not clipped
    assert np.abs(float_res).max() < 0.05


def test_a_flat_photo_cannot_pin_the_weights_down():
    x = np.full((20, 20), 100, np.uint8)
    got = fit.fit_kernel(x, x, 3)
    assert got.rank == 1 and not got.unique
    assert got.matrix.sum() == pytest.approx(1.0)  # only the sum of the weights shows on a flat photo
    assert got.r2 == 1.0


# ------------------------------------------------------------------------------------------------ bad inputs

GRAY = np.zeros((20, 30), np.uint8)
RGB = np.zeros((20, 30, 3), np.uint8)


@pytest.mark.parametrize(
    ("before", "after", "shape", "message"),
    [
        (GRAY, np.zeros((20, 31), np.uint8), 3, "differ in size"),
        (GRAY, RGB, 3, "before image is gray and the after image is RGB"),
        (RGB, GRAY, 3, "before image is RGB and the after image is gray"),
        (GRAY, GRAY, (21, 3), "does not fit"),
        (GRAY, GRAY, 31, "does not fit"),
        (GRAY, GRAY, 2, "must be odd"),
        (GRAY, GRAY, (3, 4), "must be odd"),
        (GRAY, GRAY, 0, "must be odd"),
        (GRAY, GRAY, -3, "must be odd"),
        (np.zeros((80, 80)), np.zeros((80, 80)), MAX_KERNEL_SIDE + 2, f"between 1 and {MAX_KERNEL_SIDE}"),
        (GRAY, GRAY, (3, 3, 3), "two whole numbers"),
        (GRAY, GRAY, 3.0, "two whole numbers"),
        (GRAY, GRAY, "3", "two whole numbers"),
        (np.full((20, 30), np.nan), GRAY, 3, "missing \\(NaN\\)"),
        (GRAY, np.full((20, 30), np.inf), 3, "infinite"),
        (np.zeros((20, 30, 4), np.uint8), np.zeros((20, 30, 4), np.uint8), 3, "gray \\(H, W\\) or RGB"),
        (np.zeros(30), np.zeros(30), 1, "gray \\(H, W\\) or RGB"),
        (GRAY.astype(bool), GRAY, 3, "must hold numbers"),
        (np.array([["a"]]), np.array([["a"]]), 1, "must hold numbers"),
    ],
)
def test_inputs_that_cannot_be_fitted_are_refused_plainly(before, after, shape, message):
    with pytest.raises(ValueError, match=message):
        fit.fit_kernel(before, after, shape)


def test_too_few_usable_pixels_and_bad_options_are_refused():
    clipped = np.zeros((8, 8), np.uint8)  # every after pixel is 0: maybe clipped, so nothing is left to fit
    with pytest.raises(ValueError, match="usable pixel values.*maybe clipped"):
        fit.fit_kernel(RNG.integers(0, 256, (8, 8), dtype=np.uint8), clipped, 3)
    with pytest.raises(ValueError, match="max_samples"):
        fit.fit_kernel(GRAY, GRAY, 3, max_samples=0)
    x = RNG.integers(0, 256, (12, 12), dtype=np.uint8)
    for rate in (0.0, -1.0, float("nan"), True):
        with pytest.raises(ValueError, match="learning rate"):
            next(fit.train_kernel(x, x, 3, learning_rate=rate, steps=1))  # refused before step 0
    with pytest.raises(ValueError, match="steps"):
        list(fit.train_kernel(x, x, 3, steps=-1))
    with pytest.raises(ValueError, match="start"):
        list(fit.train_kernel(x, x, 3, init="ones"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="optimiser"):
        next(fit.train_kernel(x, x, 3, optimizer="lbfgs", steps=1))  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ large photos


def test_a_12_mp_photo_is_sampled_the_same_way_every_time():
    small = sample_pixels("Astronaut")
    big = np.asarray(Image.fromarray(small).resize((4000, 3000), Image.Resampling.BICUBIC))
    weights = np.array([[0.0, -1, 0], [-1, 6, -1], [0, -1, 0]])
    after = _pillow(big, weights, 2.0)
    start = time.perf_counter()
    got = fit.fit_kernel(big, after, 3)
    took = time.perf_counter() - start
    print(f"\nfit_kernel on a 12 MP RGB pair, 3 × 3: {took:.3f} s ({got.equations:,} equations)")
    assert got.sampled and got.equations <= fit.MAX_SAMPLES
    assert np.abs(got.matrix - np.flipud(weights) / 2).max() <= 0.01
    again = fit.fit_kernel(big, after, 3)
    np.testing.assert_array_equal(again.matrix, got.matrix)  # seeded: the same pixels, the same answer
    other = fit.fit_kernel(big, after, 3, seed=1)
    assert not np.array_equal(other.matrix, got.matrix)  # other pixels (rounding noise differs)...
    assert np.abs(other.matrix - got.matrix).max() <= 0.01  # ...the same kernel


def test_big_kernels_are_solved_through_the_normal_equations_exactly():
    x = RNG.uniform(0, 255, (120, 120))  # noise: every pattern present, so even 29 × 29 weights are well determined
    k = RNG.normal(size=(29, 29))
    got = fit.fit_kernel(x, _correlate(x, k), 29)
    assert got.equations * 29 * 29 > fit._DIRECT_LIMIT  # too big to hold at once: summed chunk by chunk
    assert got.equations >= 10 * 29 * 29 and got.unique
    assert np.abs(got.matrix - k).max() <= 1e-3


def test_the_normal_equations_give_the_direct_answer(monkeypatch):
    x = sample_pixels("Coffee cup")
    after = _to_8bit(_correlate(x, 1.5 * imgkernel.get("blur").matrix()) + 40)  # rounded, bright parts clipped
    direct = fit.fit_kernel(x, after, 3, fit_offset=True)
    monkeypatch.setattr(fit, "_DIRECT_LIMIT", 0)  # the same equations, summed into AᵀA and Aᵀb
    summed = fit.fit_kernel(x, after, 3, fit_offset=True)
    assert summed.equations == direct.equations and summed.excluded == direct.excluded > 0
    np.testing.assert_allclose(summed.matrix, direct.matrix, atol=1e-8)
    assert summed.offset == pytest.approx(direct.offset, abs=1e-6)
    assert summed.rms == pytest.approx(direct.rms, rel=1e-6) and summed.r2 == pytest.approx(direct.r2, abs=1e-9)


# ------------------------------------------------------------------------------------------------ training


def _pair(name: str = "sharpen") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = sample_pixels("Chelsea the cat")
    k = imgkernel.get(name).matrix()
    return x, _to_8bit(_correlate(x, k)), k


def test_training_ends_near_the_least_squares_answer():
    x, after, _ = _pair("emboss")
    best = fit.fit_kernel(x, after, 3)
    steps = list(fit.train_kernel(x, after, 3, steps=3000))
    assert [s.step for s in steps] == list(range(3001))  # step 0 is the start
    assert np.all(steps[0].matrix == 0)
    first, last = steps[0], steps[-1]
    assert np.abs(last.matrix - best.matrix).max() <= 0.05
    assert last.loss <= best.rms**2 + 0.05 and first.loss > 100 * last.loss
    assert steps[200].loss < first.loss  # it learns from the start


def test_training_is_deterministic_and_can_start_from_noise():
    x, after, _ = _pair()
    a = list(fit.train_kernel(x, after, 3, steps=50, init="noise", seed=3))
    b = list(fit.train_kernel(x, after, 3, steps=50, init="noise", seed=3))
    c = list(fit.train_kernel(x, after, 3, steps=50, init="noise", seed=4))
    for s, t in zip(a, b, strict=True):
        assert s.step == t.step and s.loss == t.loss
        np.testing.assert_array_equal(s.matrix, t.matrix)
    assert np.any(a[0].matrix != 0) and not np.array_equal(a[0].matrix, c[0].matrix)
    assert np.abs(a[0].matrix).max() < 1  # small noise, as a CNN starts


def test_the_loss_is_the_mean_squared_error_of_the_fit():
    x, after, _ = _pair("blur")
    best = fit.fit_kernel(x, after, 3)
    problem = fit.fit_problem(x, after, 3, scale=255.0)
    w = best.matrix.ravel()
    assert problem.loss(w) == pytest.approx(best.rms**2, rel=1e-6)
    assert problem.loss(np.zeros(9)) == pytest.approx(problem.mean_bb * 255**2)
    assert problem.centred() is problem  # nothing to centre without an offset to absorb the mean
    # with an offset: centred weights u stand for the kernel u and the offset u_bias − mean · kernel
    plain = fit.fit_problem(x, after, 3, fit_offset=True, scale=255.0)
    centred = plain.centred()
    assert centred.shift is not None and centred.centred() is centred
    u = RNG.normal(size=10)
    kernel, offset = centred.kernel_and_offset(u)
    w = np.append(kernel.ravel(), offset / 255)
    assert centred.loss(u) == pytest.approx(plain.loss(w), rel=1e-9)
    np.testing.assert_array_equal(plain.kernel_and_offset(w)[0], kernel)
    assert plain.kernel_and_offset(w)[1] == pytest.approx(offset)
    assert np.linalg.cond(centred.gram) < np.linalg.cond(plain.gram) / 2  # why centring trains faster


def test_training_with_an_offset_and_with_momentum():
    x = sample_pixels("Camera man (gray)")
    k = imgkernel.get("laplacian_4").matrix()
    after = _to_8bit(_correlate(x, k) + 127.5)
    best = fit.fit_kernel(x, after, 3, fit_offset=True)
    assert best.offset == pytest.approx(128, abs=1e-6)  # integer weights on integer pixels: + 127.5 rounds to + 128
    last = list(fit.train_kernel(x, after, 3, steps=3000, fit_offset=True))[-1]
    assert np.abs(last.matrix - best.matrix).max() <= 0.05 and last.offset == pytest.approx(best.offset, abs=1.0)
    problem = fit.fit_problem(x, after, 3, fit_offset=True, scale=255.0)
    state = fit.start_training(problem)
    for _ in range(300):
        state = fit.train_step(problem, state, 0.05, "momentum")
    assert state.loss < problem.loss(np.zeros(10)) / 10 and not state.diverged


def test_too_large_a_learning_rate_blows_up_and_training_stops():
    x, after, _ = _pair()
    steps = list(fit.train_kernel(x, after, 3, steps=500, learning_rate=5.0, optimizer="momentum"))
    assert len(steps) < 501 and steps[-1].loss > fit.DIVERGED_LOSS
    assert all(s.loss <= fit.DIVERGED_LOSS for s in steps[:-1])
    problem = fit.fit_problem(x, after, 3, scale=255.0)
    blown = fit.TrainState(9, np.full(9, np.inf), np.zeros(9), np.zeros(9), float("inf"))
    assert blown.diverged and fit.train_step(problem, blown, 0.1) is blown  # nothing more to do


def test_the_library_exports_fit_kernel():
    assert imgkernel.fit_kernel is fit.fit_kernel and "fit_kernel" in imgkernel.__all__
    assert imgkernel.KernelFit is fit.KernelFit
