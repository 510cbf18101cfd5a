"""From responses to 8-bit pictures: GIMP's normalise, divisor/offset, the three out-of-range maps and the
signed colour map, checked on small arrays worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from imgkernel import KernelError
from imgkernel.mapping import (
    NEGATIVE_RGB,
    POSITIVE_RGB,
    ZERO_RGB,
    Scale,
    apply_scale,
    auto_normalise,
    check_divisor,
    resolve_scale,
    signed_colormap,
    to_uint8,
)

# -- GIMP's normalise ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kernel", "expected"),
    [
        ([[1, 2, 1], [2, 4, 2], [1, 2, 1]], Scale(16, 0)),  # positive sum: divide by it
        ([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], Scale(1, 0)),
        ([[0.5]], Scale(0.5, 0)),
        ([[-1, -1], [-1, -1]], Scale(4, 255)),  # negative sum: divide by -sum and offset to white (inverts)
        ([[-3, 1]], Scale(2, 255)),
        ([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], Scale(1, 127.5)),  # zero sum: mid-grey
        ([[1, 0, -1], [2, 0, -2], [1, 0, -1]], Scale(1, 127.5)),
        ([[0, 0], [0, 0]], Scale(1, 127.5)),
    ],
)
def test_auto_normalise_follows_gimp(kernel, expected):
    assert auto_normalise(np.array(kernel, float)) == expected


def test_rounding_noise_counts_as_zero_sum_but_small_real_sums_do_not():
    noisy = np.array([[0.1, 0.2, -0.3]])  # sums to 5.5e-17 in floating point
    assert np.sum(noisy) != 0 and auto_normalise(noisy) == Scale(1, 127.5)
    assert auto_normalise(np.array([[1e-3, 0.0]])) == Scale(1e-3, 0)


def test_normalised_kernel_keeps_flat_areas():
    # a flat grey area filtered by any positive-sum kernel comes out with the same grey after normalising
    k = np.array([[1, 3], [2, 6.5]])
    scale = auto_normalise(k)
    assert apply_scale(np.array([[100 * k.sum()]]), scale)[0, 0] == pytest.approx(100)
    neg = -k
    assert apply_scale(np.array([[100 * neg.sum()]]), auto_normalise(neg))[0, 0] == pytest.approx(255 - 100)


# -- resolve_scale / apply_scale ------------------------------------------------------------------------------


def test_resolve_scale_precedence():
    k = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], float)
    assert resolve_scale(k) == Scale(1, 0)
    assert resolve_scale(k, divisor=3, offset=-7) == Scale(3, -7)
    assert resolve_scale(k, divisor=3, offset=10, mean=True) == Scale(9, 10)  # mean: the cell count, offset kept
    assert resolve_scale(np.ones((2, 5)), mean=True) == Scale(10, 0)
    assert resolve_scale(k, divisor=3, offset=10, normalise=True, mean=True) == Scale(16, 0)  # normalise wins
    assert resolve_scale(k, divisor=-2) == Scale(-2, 0)  # negative divisors invert, as in GIMP


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"divisor": 0}, "cannot be 0"),
        ({"divisor": 0.0}, "cannot be 0"),
        ({"divisor": float("nan")}, "finite"),
        ({"divisor": float("inf")}, "finite"),
        ({"offset": float("-inf")}, "finite"),
        ({"offset": float("nan")}, "finite"),
        ({"divisor": "two"}, "must be a number"),
        ({"offset": None}, "must be a number"),
        ({"offset": 10**400}, "finite"),  # an integer beyond float's range
        ({"divisor": 1e-9}, "at least"),
        ({"mean": True, "offset": float("nan")}, "finite"),
    ],
)
def test_resolve_scale_refuses(kwargs, needle):
    with pytest.raises(KernelError) as e:
        resolve_scale(np.eye(3), **kwargs)
    assert needle in str(e.value) and ("divisor" in str(e.value) or "offset" in str(e.value))


@pytest.mark.parametrize(("value", "expected"), [(2, 2.0), ("-0.5", -0.5), (1e-6, 1e-6), (np.float32(4), 4.0)])
def test_check_divisor_gives_back_a_usable_divisor(value, expected):
    got = check_divisor(value)
    assert got == expected and type(got) is float


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "The divisor cannot be 0; use 1 to leave the values as they are."),
        (-0.0, "The divisor cannot be 0; use 1 to leave the values as they are."),
        (1e-9, "The divisor must be at least 1e-06 in size (got 1e-09)."),
        (-5e-7, "The divisor must be at least 1e-06 in size (got -5e-07)."),
        (float("nan"), "The divisor must be a finite number (got nan)."),
        (float("-inf"), "The divisor must be a finite number (got -inf)."),
        ("two", "The divisor must be a number (got 'two')."),
    ],
)
def test_check_divisor_refuses_in_plain_words(value, message):
    with pytest.raises(KernelError) as e:
        check_divisor(value)
    assert str(e.value) == message


def test_apply_scale_divides_then_offsets_into_a_new_float32_array():
    raw = np.array([[-20.0, 0.0, 40.0]])
    out = apply_scale(raw, Scale(4, 127.5))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[122.5, 127.5, 137.5]])
    assert raw.tolist() == [[-20.0, 0.0, 40.0]]  # input untouched
    with pytest.raises(KernelError, match="cannot be 0"):
        apply_scale(raw, Scale(0, 0))
    for bad in (float("nan"), float("inf"), 1e-9):
        with pytest.raises(KernelError, match="divisor"):
            apply_scale(raw, Scale(bad, 0))


def test_apply_scale_in_place_reuses_a_float32_array_and_copies_anything_else():
    raw = np.array([[-20.0, 0.0, 40.0]], np.float32)
    out = apply_scale(raw, Scale(4, 127.5), in_place=True)
    assert out is raw
    np.testing.assert_allclose(raw, [[122.5, 127.5, 137.5]])
    ints = np.array([[8, 16]])
    out = apply_scale(ints, Scale(8, 0), in_place=True)
    assert out is not ints and out.dtype == np.float32 and out.tolist() == [[1.0, 2.0]] and ints.tolist() == [[8, 16]]


# -- to_uint8 -------------------------------------------------------------------------------------------------


def test_clip_rounds_clips_and_counts_clipped_pixels():
    v = np.array([[-300.0, -0.6, -0.4, 0.0, 12.49, 12.5], [254.6, 255.0, 255.4, 255.5, 256.0, 1e9]], np.float32)
    m = to_uint8(v, out_of_range="clip")
    assert m.image.dtype == np.uint8
    assert m.image.tolist() == [[0, 0, 0, 0, 12, 13], [255, 255, 255, 255, 255, 255]]
    # outside 0..255 after rounding: -300, -0.6, 255.5, 256, 1e9 (not -0.4 or 255.4, which round inside)
    assert m.clipped_pixels == 5 and m.clipped_fraction == pytest.approx(5 / 12)
    assert (m.low, m.high) == (-300.0, 1e9)


def test_clip_counts_a_colour_pixel_once_whatever_the_channels():
    v = np.zeros((2, 3, 3), np.float32)
    v[0, 0] = [-10, 300, 5]  # two channels out, one pixel
    v[1, 2, 1] = 400
    v[1, 1] = [100, 200, 255]  # in range
    m = to_uint8(v)
    assert m.clipped_pixels == 2 and m.clipped_fraction == pytest.approx(2 / 6)
    assert m.image[0, 0].tolist() == [0, 255, 5] and m.image.shape == (2, 3, 3)
    in_range = to_uint8(np.array([[0.0, 255.0]], np.float32))
    assert in_range.clipped_pixels == 0 and in_range.clipped_fraction == 0


def test_abs_shows_edge_strength_whatever_its_sign():
    m = to_uint8(np.array([[-300, -100.4, -0.2, 0, 99.6, 300]], np.float32), out_of_range="abs")
    assert m.image.tolist() == [[255, 100, 0, 0, 100, 255]]
    assert m.clipped_pixels == 0 and (m.low, m.high) == (-300, 300)


def test_rescale_stretches_min_to_0_and_max_to_255():
    m = to_uint8(np.array([[-10.0, 0.0, 10.0], [5.0, -5.0, 2.0]], np.float32), out_of_range="rescale")
    # (v + 10) * 255 / 20, rounded half up
    assert m.image.tolist() == [[0, 128, 255], [191, 64, 153]]
    assert m.clipped_pixels == 0
    rgb = to_uint8(np.array([[[0, 1000, 500]]], np.float32), out_of_range="rescale")
    assert rgb.image.tolist() == [[[0, 255, 128]]]  # one range for all channels, so colours keep their balance


@pytest.mark.parametrize(("value", "expected"), [(100.0, 100), (-5.0, 0), (300.0, 255), (127.4, 127)])
def test_rescale_of_a_constant_keeps_the_value(value, expected):
    # nothing to stretch: the (clipped) value itself is shown, never a division by zero
    m = to_uint8(np.full((3, 4), value, np.float32), out_of_range="rescale")
    assert np.all(m.image == expected) and m.clipped_pixels == 0


def test_unknown_map_and_empty_input():
    with pytest.raises(KernelError, match="clip, abs, rescale"):
        to_uint8(np.zeros((2, 2)), out_of_range="wrap")  # type: ignore[arg-type]
    empty = to_uint8(np.zeros((0, 0), np.float32))
    assert empty.image.shape == (0, 0) and empty.clipped_pixels == 0 and empty.clipped_fraction == 0


# -- signed colour map ----------------------------------------------------------------------------------------

ORANGE, WHITE, BLUE = (179, 88, 6), (255, 255, 255), (33, 102, 172)


def test_signed_colormap_colours():
    c = signed_colormap(np.array([[-8.0, -2.0, 0.0, 2.0, 8.0]]))
    assert c.dtype == np.uint8 and c.shape == (1, 5, 3)
    assert tuple(c[0, 0]) == BLUE and tuple(c[0, 2]) == WHITE and tuple(c[0, 4]) == ORANGE
    assert (NEGATIVE_RGB, ZERO_RGB, POSITIVE_RGB) == (BLUE, WHITE, ORANGE)
    # a quarter of the way: white moved a quarter towards the end colour
    assert tuple(c[0, 3]) == tuple(round(255 - 0.25 * (255 - x)) for x in ORANGE)
    assert tuple(c[0, 1]) == tuple(round(255 - 0.25 * (255 - x)) for x in BLUE)


def test_signed_colormap_limit_and_colour_input():
    c = signed_colormap(np.array([[-100.0, 5.0, 100.0]]), limit=10)
    assert tuple(c[0, 0]) == BLUE and tuple(c[0, 2]) == ORANGE  # beyond the limit: full colour
    half_orange = (217, 172, 130)  # 255 - (255 - ORANGE) / 2 = (217, 171.5, 130.5), rounded half to even
    assert tuple(c[0, 1]) == half_orange
    rgb = np.zeros((1, 2, 3), np.float32)
    rgb[0, 0] = [3, -3, 6]  # mean 2
    rgb[0, 1] = [-6, -6, 0]  # mean -4
    c = signed_colormap(rgb)
    assert c.shape == (1, 2, 3) and tuple(c[0, 1]) == BLUE
    assert tuple(c[0, 0]) == half_orange
    for limit in (0, -1, float("nan"), float("inf")):  # meaningless limits fall back to 1
        assert tuple(signed_colormap(np.array([[1.0]]), limit=limit)[0, 0]) == ORANGE
    assert np.all(signed_colormap(np.zeros((2, 2))) == 255)  # all zero: all white, no division by zero


# -- the signed map through colour-blind eyes -------------------------------------------------------------------
# Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color vision deficiency",
# severity 1.0 (dichromacy): 3 x 3 matrices applied to *linear* RGB. Colours are then compared in CIELAB (D65) by
# CIE76 ΔE, the Euclidean distance (about 2.3 is a just-noticeable difference; 10 is clearly different at a glance).
CVD = {
    "normal vision": np.eye(3),
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
    ),
}
# The map the app used before: ColorBrewer's RdBu ends, white to red (178, 24, 43) above 0, to blue below.
RED_BLUE = ((33, 102, 172), (178, 24, 43))
ENDS_APART = 40.0  # ΔE at least, between the negative end, white and the positive end, for every kind of vision
SIGN_APART = 80.0  # ΔE per unit of |t| at least, between +t and -t: the sign of a weak response stays readable


def _linear(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, dtype=np.float64) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65 white) of linear sRGB."""
    to_xyz = np.array(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
    )
    xyz = linear_rgb @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def _seen(rgb: np.ndarray, vision: str) -> np.ndarray:
    """CIELAB of sRGB colours (..., 3) as seen with ``vision``."""
    return _lab(np.clip(_linear(rgb) @ CVD[vision].T, 0, 1))


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a - b, axis=-1)


def _ramp(ends: tuple[tuple[int, int, int], tuple[int, int, int]], t: np.ndarray) -> np.ndarray:
    """The colours of a white-centred diverging map with ``ends`` (negative, positive) at values ``t`` in -1..1, as
    ``signed_colormap`` draws them."""
    neg, pos = (np.asarray(e, dtype=np.float64) for e in ends)
    t = np.asarray(t, dtype=np.float64)[:, None]
    return np.round(255 - np.clip(t, 0, 1) * (255 - pos) - np.clip(-t, 0, 1) * (255 - neg))


def _colour_blind_failures(ends: tuple[tuple[int, int, int], tuple[int, int, int]]) -> list[str]:
    """Where a diverging map with ``ends`` is not safe: the ends and white too close, or +t too close to -t."""
    failures = []
    weak = np.array([0.25, 0.5, 0.75, 1.0])
    for vision in CVD:
        neg, zero, pos = _seen(_ramp(ends, np.array([-1.0, 0.0, 1.0])), vision)
        for name, a, b in (("negative end / 0", neg, zero), ("0 / positive end", zero, pos), ("the ends", neg, pos)):
            if (d := float(_delta_e(a, b))) < ENDS_APART:
                failures.append(f"{vision}: {name} ΔE {d:.1f}")
        apart = _delta_e(_seen(_ramp(ends, weak), vision), _seen(_ramp(ends, -weak), vision))
        for t, d in zip(weak, apart, strict=True):
            if d < SIGN_APART * t:
                failures.append(f"{vision}: +{t} / -{t} ΔE {d:.1f} < {SIGN_APART * t:.0f}")
    return failures


def test_the_signed_map_is_checked_against_what_it_draws():
    t = np.linspace(-1, 1, 41)
    drawn = signed_colormap(t[None, :], limit=1.0)[0]
    np.testing.assert_array_equal(drawn, _ramp((NEGATIVE_RGB, POSITIVE_RGB), t))


def test_the_signed_map_stays_readable_for_red_green_colour_blind_eyes():
    assert _colour_blind_failures((NEGATIVE_RGB, POSITIVE_RGB)) == []


def test_the_old_red_blue_map_fails_the_same_check():
    """The check has teeth: the red/blue map it replaced is fine for normal vision but loses the sign of weak
    responses to protanopia and deuteranopia (a pale red and a pale blue both look greyish)."""
    failures = _colour_blind_failures(RED_BLUE)
    assert not [f for f in failures if f.startswith("normal")], failures
    assert any(f.startswith("protanopia") for f in failures) and any(f.startswith("deuteranopia") for f in failures)
