"""Fitting a kernel to a before/after pair (``imgkernel.learn.fit``), and the "Fit a kernel" page (its parts in
``app.fit_view``, and the page driven by AppTest).

Oracles: results made by other tools — scipy.ndimage (float, and rounded and clipped to 8 bits as an editor saves
them) and Pillow's ``ImageFilter.Kernel`` (which flips the kernel vertically and leaves a border unfiltered) — whose
kernels the fit must recover; the trainer is checked against the least-squares answer.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter
from scipy import ndimage
from streamlit.testing.v1 import AppTest

import imgkernel
from app import fit_view
from imgkernel.learn import fit
from imgkernel.limits import MAX_KERNEL_SIDE

from .apptest import ok, png_bytes, result_caption, sample_pixels, start, state

ROOT = Path(__file__).resolve().parents[1]

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


# ------------------------------------------------------------------------------------------------ the page's parts


def test_a_colour_and_a_gray_picture_are_paired_by_luminance():
    rgb = sample_pixels("Coffee cup")[:40, :50]
    gray_after = np.asarray(Image.fromarray(rgb).convert("L").filter(ImageFilter.SHARPEN))
    pair = fit_view.make_pair("p", rgb, gray_after)
    assert pair.before.shape == pair.after.shape == (40, 50)
    assert pair.note == "The before picture is in colour and the other gray: its luminance is used."
    assert fit_view.make_pair("p", rgb, rgb).note == "" and fit_view.make_pair("p", rgb, rgb).before.ndim == 3
    assert fit_view.make_pair("p", rgb, rgb).digest != fit_view.make_pair("p", rgb, rgb[::-1]).digest


def test_every_sample_pair_is_fitted_exactly_at_the_hidden_size():
    for label, (photo, name) in fit_view.SAMPLE_PAIRS.items():
        pair = fit_view.sample_pair(label)
        assert pair.hidden == name and pair.after.dtype == np.uint8 and pair.after.shape == pair.before.shape
        assert photo in label and name not in label.lower()  # the label never gives the kernel away
        matrix, offset = fit_view.hidden_kernel(name)
        got = fit.fit_kernel(pair.before, pair.after, matrix.shape[0], fit_offset=True)
        assert np.abs(got.matrix - matrix).max() <= 0.01, label
        assert got.offset == pytest.approx(offset, abs=1.0), label  # + 127.5 rounds to + 128 on integer results


def test_texts_tables_and_the_residual_map():
    table = fit_view.weights_table(np.array([[0.5, -1.0, 1 / 3]]))
    assert list(table.index) == ["row 1"] and list(table.columns) == ["col 1", "col 2", "col 3"]
    assert list(table.iloc[0]) == ["0.5", "−1", "0.3333"]
    pair = fit_view.sample_pair("Mystery 3 · Astronaut")
    exact = fit.fit_kernel(pair.before, pair.after, 3)
    assert fit_view.quality_note(exact).startswith("The kernel explains the after picture up to rounding")
    assert "a seeded sample of the photo" in fit_view.quality_note(exact)
    rough = fit.fit_kernel(pair.before, pair.after[::-1].copy(), 3)  # upside down: no kernel does that
    assert fit_view.quality_note(rough).startswith("A poor fit")
    residual, cropped = fit_view.residual_crop(pair, exact, side=100)
    assert residual.shape == (100, 100, 3) and cropped
    full, cropped = fit_view.residual_crop(pair, exact)
    assert full.shape == (510, 510, 3) and not cropped
    assert np.abs(full).max() <= 0.6  # the 8-bit rounding (±0.5) and the fit's own small error
    frame = fit_view.framed(np.full((2, 3, 3), 255, np.uint8))
    assert frame.shape == (4, 5, 3) and (frame[0] == fit_view.FRAME_GREY).all() and (frame[1:3, 1:4] == 255).all()
    assert fit_view.residual_limit(full) == 1.0 and fit_view.residual_limit(np.array([-30.0, 2.0])) > 1


def test_training_record_and_loss_chart():
    pair = fit_view.sample_pair("Mystery 1 · Chelsea the cat")
    best = fit.fit_kernel(pair.before, pair.after, 3)
    problem = fit_view.problem(pair, 3, False)
    t = fit_view.start(problem, ("k",), "zeros", 0)
    assert t.step == 0 and t.history == ((0, problem.loss(np.zeros(9))),)
    t = fit_view.advance(problem, t, 50, 0.2, "adam")
    assert t.step == 50 and [s for s, _ in t.history] == list(range(51))
    assert t.history[-1][1] < t.history[0][1]
    assert fit_view.training_note(problem, t, best).startswith("Step 50 · loss ")
    blown = fit_view.advance(problem, t, 500, 1.0, "momentum")
    assert blown.state.diverged and blown.step < 550
    assert "the loss blew up" in fit_view.training_note(problem, blown, best)
    spec = fit_view.loss_chart(list(t.history)).to_dict()
    assert spec["encoding"]["y"]["scale"]["type"] == "log" and spec["mark"]["type"] == "line"
    assert spec["description"].startswith("Line chart of the training loss") and "over 50 steps" in spec["description"]


# ------------------------------------------------------------------------------------------------ the page (AppTest)

PAGE = str(ROOT / "pages" / "fit.py")


def _page(**session) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in session.items():
        at.session_state[key] = value
    return ok(at.run())


def _shown_weights(at: AppTest) -> np.ndarray:
    return at.table[0].value.map(lambda v: float(v.replace("−", "-"))).to_numpy()


def _alts(at: AppTest) -> list[str | None]:
    return [img.alt if img.HasField("alt") else None for element in at.image for img in element.proto.imgs]


def test_the_page_recovers_the_hidden_kernel_and_reveals_it():
    at = _page()
    matrix, _ = fit_view.hidden_kernel("sharpen")  # the first sample pair
    assert np.abs(_shown_weights(at) - matrix).max() <= 0.01
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["R²"]) > 0.9999 and float(metrics["RMS error"]) < 0.5
    assert "Largest difference between the fitted and the hidden weights: 0." in [c.value for c in at.caption]
    at.selectbox(key="fit_sample").select("Mystery 5 · Rocket launch").run()  # a 5 × 5 Gaussian
    assert any("fit that size to find it exactly" in c.value for c in ok(at).caption)
    at.select_slider(key="fit_size").set_value(5).run()
    gauss, _ = fit_view.hidden_kernel("gaussian")
    assert _shown_weights(ok(at)).shape == (5, 5) and np.abs(_shown_weights(at) - gauss).max() <= 0.01


def test_every_picture_and_chart_on_the_page_is_described():
    at = _page()
    alts = _alts(at)
    assert len(alts) == 3 and all(alts), alts
    label = "Mystery 1 · Chelsea the cat"
    assert alts[0].startswith(f"{label}, before, ") and alts[1].startswith(f"{label}, after the hidden kernel, ")
    assert "sharpen" not in " ".join(alts).lower()  # the pictures' descriptions do not give the kernel away
    assert alts[2].startswith(f"Residual map of the fit, after minus prediction, {label}, 449 × 298 px, ")
    described = [json.loads(c.proto.spec).get("description") for c in at.get("vega_lite_chart")]
    assert all(described) and len(described) == 4, described  # fitted, hidden (in the expander), loss, learnt
    assert described[0].startswith("Heat map of the kernel fitted, 3 × 3 cells")


def test_uploaded_pictures_are_fitted_and_bad_ones_refused_plainly():
    x = sample_pixels("Coffee cup")[:120, :160]
    weights = np.array([[1.0, 2, 1], [0, 4, 0], [-1, 0, 1]])
    at = _page(fit_source=fit_view.UPLOADS)
    assert [i.value for i in at.info] == ["Upload both pictures to fit a kernel."]
    at.file_uploader(key="fit_before").upload("cup.png", png_bytes(x), "image/png").run()
    at.file_uploader(key="fit_after").upload("cup-gimp.png", png_bytes(_pillow(x, weights, 8.0)), "image/png").run()
    assert np.abs(_shown_weights(ok(at)) - np.flipud(weights) / 8).max() <= 0.01
    assert _alts(at)[0].startswith("cup.png → cup-gimp.png, before, 160 × 120 px")
    at.file_uploader(key="fit_after").clear().upload("notes.png", b"not a picture", "image/png").run()
    assert not at.exception and len(at.error) == 1 and at.error[0].value.startswith("notes.png: ")
    at.file_uploader(key="fit_after").clear().upload("small.png", png_bytes(x[:100]), "image/png").run()
    assert not at.exception and "differ in size" in at.error[0].value
    at.file_uploader(key="fit_after").clear().upload("tiny.png", png_bytes(x[:8, :8]), "image/png")
    at.file_uploader(key="fit_before").clear().upload("tiny0.png", png_bytes(x[:8, :8]), "image/png").run()
    at.select_slider(key="fit_size").set_value(11).run()
    assert not at.exception and "does not fit in the 8 × 8 px photo" in at.error[0].value


def test_training_steps_runs_and_starts_again():
    at = _page()
    note = lambda: next(c.value for c in at.caption if c.value.startswith("Step "))  # noqa: E731
    assert note().startswith("Step 0 · loss ")
    at.button(key="fit_step").click().run()
    assert note().startswith("Step 1 · loss ")
    at.number_input(key="fit_steps").set_value(2999).run()
    at.button(key="fit_run").click().run()
    assert note().startswith("Step 3000 · loss ")
    gap = float(note().rsplit(": ", 1)[1])
    assert gap <= 0.05  # near the least-squares kernel
    assert at.get("vega_lite_chart")[-1].proto.spec.count('"step"') >= 1
    at.button(key="fit_reset").click().run()
    assert note().startswith("Step 0 · ")
    at.selectbox(key="fit_optimizer").select("momentum").run()
    at.select_slider(key="fit_rate").set_value(10.0).run()
    at.button(key="fit_run").click().run()
    assert "the loss blew up" in note() and not at.exception
    assert int(note().split()[1].rstrip(":")) < 2999  # training stopped there


def test_open_in_the_playground_loads_the_fitted_kernel_there():
    at = start()
    at.switch_page("pages/fit.py").run()
    at.selectbox(key="fit_sample").select("Mystery 4 · Camera man (gray)").run()  # a Laplacian, offset 127.5
    ok(at).button(key="fit_open").click().run()
    s = state(ok(at))
    assert s.name == "custom" and s.title == "Fitted 3 × 3 (Mystery 4 · Camera man (gray))"
    np.testing.assert_allclose(s.matrix, imgkernel.get("laplacian_4").matrix(), atol=1e-6)
    assert s.settings.divisor == 1 and s.settings.offset == pytest.approx(128, abs=1e-6)
    assert result_caption(at).startswith("Result: Fitted 3 × 3")  # the playground is the page now
