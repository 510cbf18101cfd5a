"""The catalogue: every entry well-formed at every parameter extreme, seed values from the notes, and each
kernel family checked against its textbook definition (independently of the factories)."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pytest
from scipy import ndimage

import imgkernel as ik
from imgkernel import catalogue
from imgkernel.limits import MAX_KERNEL_SIDE

ALL = list(ik.CATALOGUE.values())


def _extremes(spec: ik.KernelSpec):
    """Defaults, then each parameter at its min and at its max (others at default), then all-min and all-max."""
    yield spec.defaults()
    for p in spec.params:
        for v in (p.min, p.max):
            yield {**spec.defaults(), p.name: v}
    if spec.params:
        yield {p.name: p.min for p in spec.params}
        yield {p.name: p.max for p in spec.params}


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.name)
def test_every_factory_is_finite_and_well_shaped_at_every_extreme(spec):
    for params in _extremes(spec):
        m = spec.matrix(params)
        assert m.dtype == np.float64 and m.ndim == 2, (spec.name, params)
        assert 1 <= m.shape[0] <= MAX_KERNEL_SIDE and 1 <= m.shape[1] <= MAX_KERNEL_SIDE, (spec.name, params)
        assert np.all(np.isfinite(m)), (spec.name, params)
        # usable by the engine on a small image in every mode
        out = ik.correlate(np.arange(64, dtype=np.uint8).reshape(8, 8), m, mode="reflect")
        assert out.shape == (8, 8) and np.all(np.isfinite(out))


@pytest.mark.parametrize("spec", ALL, ids=lambda s: s.name)
def test_every_entry_is_documented(spec):
    assert spec.name.isidentifier() and spec.name == spec.name.lower()
    assert spec.title and spec.category
    assert spec.summary and "\n" not in spec.summary and len(spec.summary) < 120
    assert len(spec.explanation) > len(spec.summary) and len(spec.explanation) > 80
    assert math.isfinite(spec.divisor) and spec.divisor != 0 and 0 <= spec.offset <= 255
    for p in spec.params:
        assert p.min <= p.default <= p.max and p.step > 0 and p.label
        if p.integer:
            assert all(float(v).is_integer() for v in (p.min, p.default, p.max))
    # the defaults are what an omitted parameter takes: the share link and the CLI rely on it
    np.testing.assert_array_equal(spec.matrix(spec.defaults()), spec.matrix())


def test_defaults_are_the_documented_starting_values():
    # typed by hand (the first four are setosa's presets), not read from the Param objects
    assert ik.get("identity").defaults() == {"iden": 1.0}
    assert ik.get("sharpen").defaults() == {"inner": 5.0, "edge": -1.0}
    assert ik.get("blur").defaults() == {"inner": 0.25, "edge": 0.125, "corner": 0.0625}
    assert ik.get("sobel_left").defaults() == {"base": 2.0}
    assert ik.get("gaussian").defaults() == {"size": 5, "sigma": 1.0}
    assert ik.get("emboss_angle").defaults() == {"angle": 135.0, "strength": 1.0}
    assert ik.get("gabor").defaults() == {"theta": 0.0, "sigma": 3.0, "wavelength": 8.0, "aspect": 0.5, "size": 21}
    assert ik.get("laplacian_4").defaults() == {}


def test_a_second_kernel_under_a_taken_name_is_refused(monkeypatch):
    monkeypatch.setattr(catalogue, "CATALOGUE", dict(catalogue.CATALOGUE))  # a failing _add must not leak
    sharpen = ik.get("sharpen")
    with pytest.raises(ik.KernelError, match="already has a kernel called 'sharpen'"):
        catalogue._add(dataclasses.replace(sharpen, title="Another sharpen"))
    assert catalogue.CATALOGUE["sharpen"] is sharpen
    catalogue._add(dataclasses.replace(sharpen, name="sharpen_2"))  # a new name is fine
    assert catalogue.CATALOGUE["sharpen_2"].title == sharpen.title


def test_categories_hold_every_kernel_once_in_catalogue_order():
    groups = ik.categories()
    order = list(ik.CATALOGUE)
    flat = [s.name for g in groups.values() for s in g]
    assert sorted(flat) == sorted(order)
    for category, specs in groups.items():
        assert all(s.category == category for s in specs)
        positions = [order.index(s.name) for s in specs]
        assert positions == sorted(positions), category
    firsts = [order.index(specs[0].name) for specs in groups.values()]
    assert firsts == sorted(firsts)  # categories come in the order the catalogue first uses them
    assert list(groups)[:2] == ["Basics", "Sharpen"]


def test_required_entries_exist():
    required = {
        "identity",
        "sharpen",
        "blur",
        "emboss",
        "outline",
        "box_blur",
        "gaussian",
        "laplacian_4",
        "laplacian_8",
        "log",
        "unsharp_mask",
        "motion_blur",
        "gabor",
        "highpass_box",
        "highpass_gaussian",
        "ridge_4",
        "ridge_8",
        "emboss_angle",
    }
    required |= {f"{f}_{d}" for f in ("sobel", "prewitt", "scharr") for d in ("top", "bottom", "left", "right")}
    assert required <= set(ik.CATALOGUE)


# -- seed values, typed from /work/shared/notes/anchors.md (setosa.io presets) --------------------------------

SETOSA = {
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "blur": (np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16).tolist(),
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "sobel_left": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
    "sobel_right": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel_top": [[1, 2, 1], [0, 0, 0], [-1, -2, -1]],
    "sobel_bottom": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
}


@pytest.mark.parametrize("name", SETOSA)
def test_seed_defaults_are_setosa_values(name):
    np.testing.assert_array_equal(ik.get(name).matrix(), np.array(SETOSA[name], float))


def test_seed_parameters_mean_what_the_seed_says():
    np.testing.assert_array_equal(ik.get("identity").matrix({"iden": 1.6}), [[0, 0, 0], [0, 1.6, 0], [0, 0, 0]])
    np.testing.assert_array_equal(
        ik.get("sharpen").matrix({"inner": 1.7, "edge": -0.08}), [[0, -0.08, 0], [-0.08, 1.7, -0.08], [0, -0.08, 0]]
    )
    np.testing.assert_array_equal(
        ik.get("outline").matrix({"inner": 8.9, "outer": -1.29}), [[-1.29] * 3, [-1.29, 8.9, -1.29], [-1.29] * 3]
    )
    np.testing.assert_allclose(
        ik.get("sobel_top").matrix({"base": 0.03}), [[0.015, 0.03, 0.015], [0, 0, 0], [-0.015, -0.03, -0.015]]
    )
    np.testing.assert_array_equal(
        ik.get("emboss").matrix({"diag": 3, "iden": 0.5}), [[-3, -0.5, 0], [-0.5, 0.5, 0.5], [0, 0.5, 3]]
    )
    np.testing.assert_array_equal(
        ik.get("blur").matrix({"inner": 0.5, "edge": 0.25, "corner": -0.5}),
        [[-0.5, 0.25, -0.5], [0.25, 0.5, 0.25], [-0.5, 0.25, -0.5]],
    )


# -- parameters --------------------------------------------------------------------------------------------------


def test_bad_parameters_raise_kernel_errors_with_plain_messages():
    spec = ik.get("gaussian")
    with pytest.raises(ik.KernelError, match="no parameter"):
        spec.matrix({"radius": 2})
    with pytest.raises(ik.KernelError, match="between 1 and 31"):
        spec.matrix({"size": 99})
    with pytest.raises(ik.KernelError, match="whole number"):
        spec.matrix({"size": 2.5})
    with pytest.raises(ik.KernelError, match="must be a number"):
        spec.matrix({"sigma": "wide"})
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ik.KernelError):
            spec.matrix({"sigma": bad})
    with pytest.raises(ik.KernelError, match="No kernel called"):
        ik.get("no_such_kernel")
    assert spec.matrix({"size": "7"}).shape == (7, 7)  # text from a URL or the CLI is fine


# -- families against their definitions -------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 2, 3, 8, 31])
def test_box_blur_is_a_plain_average(size):
    np.testing.assert_allclose(ik.get("box_blur").matrix({"size": size}), np.full((size, size), 1 / size**2))


@pytest.mark.parametrize(("size", "sigma"), [(5, 1.0), (9, 2.0), (4, 0.7), (31, 10.0), (1, 0.3)])
def test_gaussian_is_a_normalised_sampled_bell(size, sigma):
    k = ik.get("gaussian").matrix({"size": size, "sigma": sigma})
    x = np.arange(size) - (size - 1) / 2
    ref = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma**2))
    np.testing.assert_allclose(k, ref / ref.sum(), rtol=1e-12)
    assert k.sum() == pytest.approx(1.0)


def test_laplacians_and_ridges_are_the_textbook_kernels():
    np.testing.assert_array_equal(ik.get("laplacian_4").matrix(), [[0, 1, 0], [1, -4, 1], [0, 1, 0]])
    np.testing.assert_array_equal(ik.get("laplacian_8").matrix(), [[1, 1, 1], [1, -8, 1], [1, 1, 1]])
    np.testing.assert_array_equal(ik.get("ridge_4").matrix(), [[0, -1, 0], [-1, 4, -1], [0, -1, 0]])
    np.testing.assert_array_equal(ik.get("ridge_8").matrix(), [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])
    # the factory must hand out copies: mutating one result cannot change the catalogue
    ik.get("laplacian_4").matrix()[1, 1] = 99
    assert ik.get("laplacian_4").matrix()[1, 1] == -4


def test_laplacian_matches_scipy_laplace():
    img = np.random.default_rng(0).integers(0, 256, (12, 13)).astype(float)
    out = ik.correlate(img, ik.get("laplacian_4").matrix(), mode="reflect")
    np.testing.assert_allclose(out, ndimage.laplace(img, mode="reflect"), atol=1e-3)


@pytest.mark.parametrize(("size", "sigma"), [(9, 1.4), (15, 2.5), (3, 0.3), (31, 10.0), (5, 10.0)])
def test_log_is_a_zero_sum_mexican_hat(size, sigma):
    k = ik.get("log").matrix({"size": size, "sigma": sigma})
    assert k.shape == (size, size) and abs(k.sum()) < 1e-9
    np.testing.assert_allclose(k, k.T, atol=1e-12)
    np.testing.assert_allclose(k, k[::-1, ::-1], atol=1e-12)
    c = size // 2
    assert k[c, c] == k.min() < 0  # negative centre, like the Laplacian
    assert k[k > 0].sum() == pytest.approx(4.0)  # scaled like the 4-neighbour Laplacian
    # same shape as the analytic LoG up to an additive constant and a positive factor
    x = np.arange(size) - c
    r2 = x[:, None] ** 2 + x[None, :] ** 2
    ref = (r2 - 2 * sigma**2) * np.exp(-r2 / (2 * sigma**2))
    ref = ref - ref.mean()
    factor = np.dot(k.ravel(), ref.ravel()) / np.dot(ref.ravel(), ref.ravel())
    assert factor > 0
    np.testing.assert_allclose(k, factor * ref, atol=1e-9)


def _step(direction: str, n: int = 9) -> np.ndarray:
    """An image that is bright (200) on the named side and dark (50) on the other."""
    img = np.full((n, n), 50.0)
    half = n // 2
    if direction == "top":
        img[:half] = 200
    elif direction == "bottom":
        img[half + 1 :] = 200
    elif direction == "left":
        img[:, :half] = 200
    else:
        img[:, half + 1 :] = 200
    return img


@pytest.mark.parametrize(
    ("family", "d"), list(itertools.product(("sobel", "prewitt", "scharr"), ("top", "bottom", "left", "right")))
)
def test_directional_edge_finders_respond_positively_to_their_own_side(family, d):
    k = ik.get(f"{family}_{d}").matrix()
    assert k.shape == (3, 3) and k.sum() == 0
    c = 4
    for side in ("top", "bottom", "left", "right"):
        resp = ndimage.correlate(_step(side), k, mode="nearest")[c, c]
        opposite = {"top": "bottom", "bottom": "top", "left": "right", "right": "left"}[d]
        if side == d:
            assert resp > 0, (family, d, side, resp)
        elif side == opposite:
            assert resp < 0, (family, d, side, resp)
        else:
            assert resp == 0, (family, d, side, resp)


# where each side is, in the words the explanations use: the line of cells on that side, and "brighter ... than"
LINE = {
    "above": "row above the centre",
    "below": "row below the centre",
    "left": "column left of the centre",
    "right": "column right of the centre",
}
WHERE = {"above": "above", "below": "below", "left": "on the left", "right": "on the right"}


def _added_side(k: np.ndarray) -> tuple[str, str]:
    """(added side, subtracted side), read off the matrix: the outer row or column whose weights are positive."""
    rows, cols = k.sum(axis=1), k.sum(axis=0)
    for side, other, line, far in (("above", "below", rows[0], rows[-1]), ("left", "right", cols[0], cols[-1])):
        if line > 0 > far:
            return side, other
        if far > 0 > line:
            return other, side
    raise AssertionError(f"not a one-sided edge finder: {k}")


@pytest.mark.parametrize("family", ["sobel", "prewitt", "scharr"])
def test_edge_finder_explanations_name_their_own_side(family):
    specs = [ik.get(f"{family}_{d}") for d in ("top", "bottom", "left", "right")]
    assert len({s.explanation for s in specs}) == 4 and len({s.summary for s in specs}) == 4
    for spec in specs:
        plus, minus = _added_side(spec.matrix())
        text = spec.explanation
        assert f"The {LINE[plus]} is added and the {LINE[minus]} subtracted" in text, (spec.name, text)
        lit = f"where the photo is brighter {WHERE[plus]} than {WHERE[minus]}"
        assert lit in text and lit in spec.summary, (spec.name, text)
        # what clipping does: the opposite edge is the negative one, and it turns black
        opposite = text[text.index("The opposite edge") :]
        assert f"brighter {WHERE[minus]} than {WHERE[plus]}" in opposite and "negative" in opposite
        assert "clipping turns black" in opposite


def test_prewitt_and_scharr_weights():
    np.testing.assert_array_equal(ik.get("prewitt_top").matrix(), [[1, 1, 1], [0, 0, 0], [-1, -1, -1]])
    np.testing.assert_array_equal(ik.get("scharr_left").matrix(), [[3, 0, -3], [10, 0, -10], [3, 0, -3]])


@pytest.mark.parametrize(("amount", "radius"), [(1.0, 1.0), (0.0, 2.0), (5.0, 0.3), (2.5, 5.0)])
def test_unsharp_mask_is_identity_plus_amount_times_detail(amount, radius):
    k = ik.get("unsharp_mask").matrix({"amount": amount, "radius": radius})
    n = k.shape[0]
    assert n % 2 == 1 and n >= 6 * radius  # holds the whole bell
    x = np.arange(n) - n // 2
    g = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * radius**2))
    g /= g.sum()
    delta = np.zeros((n, n))
    delta[n // 2, n // 2] = 1
    np.testing.assert_allclose(k, delta + amount * (delta - g), atol=1e-12)
    assert k.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("size", [1, 3, 5, 31])
def test_high_passes_are_identity_minus_blur(size):
    box = ik.get("highpass_box").matrix({"size": size})
    delta = np.zeros((size, size))
    delta[size // 2, size // 2] = 1
    np.testing.assert_allclose(box, delta - 1 / size**2, atol=1e-15)
    gauss = ik.get("highpass_gaussian").matrix({"size": size, "sigma": 1.0})
    assert abs(gauss.sum()) < 1e-12
    np.testing.assert_allclose(gauss, delta - ik.get("gaussian").matrix({"size": size, "sigma": 1.0}))


def test_motion_blur_lines():
    m = ik.get("motion_blur")
    np.testing.assert_allclose(m.matrix({"length": 1, "angle": 33}), [[1.0]])
    np.testing.assert_allclose(m.matrix({"length": 3, "angle": 0}), [[0, 0, 0], [1 / 3] * 3, [0, 0, 0]], atol=1e-15)
    np.testing.assert_allclose(m.matrix({"length": 5, "angle": 90}), np.full((5, 1), 0.2) * [0, 0, 1, 0, 0], atol=1e-15)
    # the angle turns counter-clockwise: 45 degrees runs from bottom-left to top-right
    k = m.matrix({"length": 7, "angle": 45})
    assert k[1, 5] > 0 and k[5, 1] > 0 and k[1, 1] == 0 and k[5, 5] == 0
    np.testing.assert_allclose(k, m.matrix({"length": 7, "angle": -135}))  # a line has no direction
    np.testing.assert_allclose(m.matrix({"length": 9, "angle": 90}), m.matrix({"length": 9, "angle": 0}).T, atol=1e-15)
    for length, angle in [(2.5, 17), (31, 180), (12, -60)]:
        k = m.matrix({"length": length, "angle": angle})
        assert k.sum() == pytest.approx(1.0) and k.min() >= 0
        np.testing.assert_allclose(k, k[::-1, ::-1], atol=1e-15)  # symmetric about the centre


def test_gabor_is_zero_mean_and_tuned_to_its_stripes():
    spec = ik.get("gabor")
    k = spec.matrix({"theta": 0, "wavelength": 8, "sigma": 3, "aspect": 0.5, "size": 21})
    assert abs(k.sum()) < 1e-9 and k[k > 0].sum() == pytest.approx(1.0)
    yy, xx = np.mgrid[0:64, 0:64]
    vertical_stripes = 128 + 100 * np.cos(2 * np.pi * xx / 8)  # intensity varies along x
    horizontal_stripes = 128 + 100 * np.cos(2 * np.pi * yy / 8)
    flat = np.full((64, 64), 128.0)
    r_match = np.abs(ndimage.correlate(vertical_stripes, k, mode="wrap")).max()
    r_cross = np.abs(ndimage.correlate(horizontal_stripes, k, mode="wrap")).max()
    assert r_match > 20 * r_cross
    assert np.abs(ndimage.correlate(flat, k, mode="wrap")).max() < 1e-6
    # turning by 90 degrees swaps which stripes it prefers
    k90 = spec.matrix({"theta": 90, "wavelength": 8, "sigma": 3, "aspect": 0.5, "size": 21})
    assert (
        np.abs(ndimage.correlate(horizontal_stripes, k90, mode="wrap")).max()
        > 20 * np.abs(ndimage.correlate(vertical_stripes, k90, mode="wrap")).max()
    )


def test_emboss_at_an_angle():
    spec = ik.get("emboss_angle")
    np.testing.assert_array_equal(spec.matrix(), np.array(SETOSA["emboss"], float))  # 135 degrees, strength 1
    lit_from_above = spec.matrix({"angle": 90, "strength": 1})
    s = math.sqrt(2)
    np.testing.assert_allclose(lit_from_above, [[-s, -s, -s], [0, 1, 0], [s, s, s]], atol=1e-12)
    flipped = spec.matrix({"angle": -45, "strength": 1})
    expected = -np.array(SETOSA["emboss"], float)
    expected[1, 1] = 1
    np.testing.assert_allclose(flipped, expected, atol=1e-12)
    for angle in (-180, -10, 0, 77, 180):
        for strength in (0, 0.5, 10):
            assert spec.matrix({"angle": angle, "strength": strength}).sum() == pytest.approx(1.0)


def test_suggested_display_offsets():
    # two-sided zero-sum finders are shown around mid-grey; one-sided ones and smoothers are not offset
    for name in ("laplacian_4", "laplacian_8", "log", "highpass_box", "highpass_gaussian", "gabor"):
        assert ik.get(name).offset == 127.5 and abs(ik.get(name).matrix().sum()) < 1e-9
    for name in ("blur", "gaussian", "sharpen", "unsharp_mask", "sobel_top", "outline", "ridge_4"):
        assert ik.get(name).offset == 0 and ik.get(name).divisor == 1
