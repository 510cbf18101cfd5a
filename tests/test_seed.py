"""The original package's API: the blog's section 4 runs unchanged, checked against the seed's own loop
semantics (with negative sums clipped to 0 instead of wrapping around)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import imgkernel
from imgkernel import (
    apply_img_kernel,
    blur_kernel,
    crop_center,
    emboss_kernel,
    identity_kernel,
    outline_kernel,
    read_img,
    resize_width,
    sharpen_kernel,
    sobel_kernel,
)

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def seed_reference(
    img: Image.Image,
    kernel: np.ndarray,
    strides: int = 1,
    mean: bool = False,
    positions: list[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], np.ndarray]:
    """The seed's loop, one output pixel at a time, with the bug fixed: clipped to 0..255 (left unrounded).

    Only the given output ``positions`` are computed (the loop is slow); returns {(row, col): channel values}.
    """
    a = np.asarray(img).astype(np.float64)
    if a.ndim == 2:
        a = a[:, :, None]
    kh, kw = kernel.shape
    out = {}
    for i, j in positions:
        y, x = i * strides, j * strides
        vals = []
        for c in range(a.shape[2]):
            prod = a[y : y + kh, x : x + kw, c] * kernel
            v = prod.mean() if mean else prod.sum()
            vals.append(min(max(v, 0.0), 255.0))
        out[(i, j)] = np.array(vals)
    return out


def scipy_reference(img: Image.Image, kernel: np.ndarray, strides: int = 1, mean: bool = False) -> np.ndarray:
    """The same thing vectorised with scipy (float64): valid part of the correlation, strided, clipped."""
    a = np.asarray(img).astype(np.float64)
    chans = [a] if a.ndim == 2 else [a[:, :, c] for c in range(a.shape[2])]
    kh, kw = kernel.shape
    res = []
    for ch in chans:
        full = ndimage.correlate(ch, kernel, mode="constant")  # anchor at size // 2, as the valid window's
        valid = full[kh // 2 : kh // 2 + ch.shape[0] - kh + 1, kw // 2 : kw // 2 + ch.shape[1] - kw + 1]
        valid = valid[::strides, ::strides]
        if mean:
            valid = valid / kernel.size
        res.append(np.clip(valid, 0, 255))
    return res[0] if a.ndim == 2 else np.stack(res, axis=-1)


def _check(result: Image.Image, img: Image.Image, kernel, strides=1, mean=False):
    got = np.asarray(result).astype(float)
    ref = scipy_reference(img, kernel, strides, mean)
    assert got.shape == ref.shape
    # each output is the exact value rounded to the nearest integer (float32 noise only matters at .5)
    assert np.abs(got - ref).max() <= 0.5 + 1e-3
    rng = np.random.default_rng(1)
    positions = [(int(rng.integers(got.shape[0])), int(rng.integers(got.shape[1]))) for _ in range(40)]
    positions += [(0, 0), (got.shape[0] - 1, got.shape[1] - 1)]
    for pos, vals in seed_reference(img, kernel, strides, mean, positions).items():
        assert np.all(np.abs(np.atleast_1d(got[pos]) - vals) <= 0.5 + 1e-3), pos


def test_blog_section_4_runs_unchanged(tmp_path, monkeypatch):
    shutil.copy(ASSETS / "chelsea.png", tmp_path / "yuki.jpeg")  # the blog's file name (a PNG inside)
    monkeypatch.chdir(tmp_path)

    # --- copied from the seed text, section 4 (plotting left out) ---
    img = read_img("yuki.jpeg", gray=False)

    img = crop_center(resize_width(img, 320))

    img_identity = apply_img_kernel(img, identity_kernel(1.6))

    img_sharpen = apply_img_kernel(img, sharpen_kernel(inner=1.7, edge=-0.08))

    img_blur = apply_img_kernel(img, blur_kernel())

    img_emboss = apply_img_kernel(img, emboss_kernel())

    img_outline = apply_img_kernel(img, outline_kernel(inner=8.9, outer=-1.29), mean=True)

    img_sobel_top = apply_img_kernel(img, sobel_kernel("top", 0.03))
    img_sobel_bottom = apply_img_kernel(img, sobel_kernel("bottom", 0.03))
    img_sobel_left = apply_img_kernel(img, sobel_kernel("left", 0.03))
    img_sobel_right = apply_img_kernel(img, sobel_kernel("right", 0.03))
    # --- end of the blog's code ---

    original = Image.open(ASSETS / "chelsea.png").convert("RGB")
    w = 320
    h = int(w * original.height / original.width)
    assert img.size == (h, h) and img.mode == "RGB"  # resized to 320 wide, centre square
    cases = [
        (img_identity, [[0, 0, 0], [0, 1.6, 0], [0, 0, 0]], False),
        (img_sharpen, [[0, -0.08, 0], [-0.08, 1.7, -0.08], [0, -0.08, 0]], False),
        (img_blur, [[0.0625, 0.125, 0.0625], [0.125, 0.25, 0.125], [0.0625, 0.125, 0.0625]], False),
        (img_emboss, [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], False),
        (img_outline, [[-1.29, -1.29, -1.29], [-1.29, 8.9, -1.29], [-1.29, -1.29, -1.29]], True),
        (img_sobel_top, [[0.015, 0.03, 0.015], [0, 0, 0], [-0.015, -0.03, -0.015]], False),
        (img_sobel_bottom, [[-0.015, -0.03, -0.015], [0, 0, 0], [0.015, 0.03, 0.015]], False),
        (img_sobel_left, [[0.015, 0, -0.015], [0.03, 0, -0.03], [0.015, 0, -0.015]], False),
        (img_sobel_right, [[-0.015, 0, 0.015], [-0.03, 0, 0.03], [-0.015, 0, 0.015]], False),
    ]
    for result, kernel, mean in cases:
        assert isinstance(result, Image.Image) and result.mode == "RGB"
        assert result.size == (h - 2, h - 2)  # 'valid' output: shrinks by kernel size - 1
        _check(result, img, np.array(kernel, float), mean=mean)
    # the identity at 1.6 brightens, and clips rather than wraps
    assert np.asarray(img_identity).mean() > np.asarray(img).mean()


def test_negative_sums_become_black_not_wrapped():
    img = Image.fromarray(np.full((5, 5), 100, np.uint8))
    out = np.asarray(apply_img_kernel(img, np.array([[-8.0]])))
    assert out.shape == (5, 5) and np.all(out == 0)  # -800 -> 0; the seed gave (-800) % 256 = 224
    edge = np.zeros((6, 6), np.uint8)
    edge[:, 3:] = 255
    left = np.asarray(apply_img_kernel(Image.fromarray(edge), sobel_kernel("left")))
    assert left.max() == 0  # dark-to-bright left to right is a negative "left" response: black
    right = np.asarray(apply_img_kernel(Image.fromarray(edge), sobel_kernel("right")))
    assert right.max() == 255 and right.min() == 0  # 4 * 255 clipped to 255


@pytest.mark.parametrize("strides", [1, 2, 3])
@pytest.mark.parametrize("mean", [False, True])
def test_gray_strides_and_mean_match_the_seed_loop(strides, mean):
    rng = np.random.default_rng(strides)
    img = Image.fromarray(rng.integers(0, 256, (23, 17), dtype=np.uint8))
    kernel = rng.normal(size=(3, 4)) * 2
    out = apply_img_kernel(img, kernel, strides=strides, mean=mean)
    assert out.mode == "L"
    assert out.size == ((17 - 4) // strides + 1, (23 - 3) // strides + 1)
    _check(out, img, kernel, strides, mean)


def test_rgba_alpha_is_cropped_like_the_picture_and_not_filtered():
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (12, 15, 3), dtype=np.uint8)
    alpha = rng.integers(0, 256, (12, 15), dtype=np.uint8)
    img = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    k = outline_kernel()
    for strides in (1, 2):
        out = apply_img_kernel(img, k, strides=strides)
        assert out.mode == "RGBA"
        a = np.asarray(out)
        expected_rgb = np.asarray(apply_img_kernel(Image.fromarray(rgb), k, strides=strides))
        np.testing.assert_array_equal(a[:, :, :3], expected_rgb)
        np.testing.assert_array_equal(a[:, :, 3], alpha[1:11:strides, 1:14:strides])
    # gray + alpha, and arrays instead of PIL images
    la = Image.fromarray(np.dstack([rgb[:, :, 0], alpha]), "LA")
    out = apply_img_kernel(la, identity_kernel())
    assert out.mode == "LA"
    np.testing.assert_array_equal(np.asarray(out)[:, :, 0], rgb[1:11, 1:14, 0])
    np.testing.assert_array_equal(np.asarray(apply_img_kernel(rgb, identity_kernel())), rgb[1:11, 1:14])


def test_bad_input_raises_plain_errors(tmp_path):
    with pytest.raises(imgkernel.KernelError):
        apply_img_kernel(np.zeros((4, 4, 5), np.uint8), identity_kernel())
    with pytest.raises(imgkernel.KernelError, match="fit"):
        apply_img_kernel(Image.new("L", (2, 2)), identity_kernel())  # kernel bigger than the image
    with pytest.raises(imgkernel.KernelError, match="inner weight must be a finite number"):
        sharpen_kernel(inner=float("nan"))
    with pytest.raises(imgkernel.KernelError, match="base weight must be a number"):
        sobel_kernel("top", base="strong")
    (tmp_path / "notes.txt").write_text("not a picture")
    with pytest.raises(imgkernel.ImageLoadError):
        read_img(tmp_path / "notes.txt")


def test_kernel_functions_follow_the_seed_definitions():
    # typed from the seed's function bodies, not from the catalogue
    np.testing.assert_array_equal(identity_kernel(), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(sharpen_kernel(), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_array_equal(blur_kernel(inner=4, edge=2, corner=1), [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_array_equal(emboss_kernel(diag=20, iden=3), [[-20, -3, 0], [-3, 3, 3], [0, 3, 20]])
    np.testing.assert_array_equal(outline_kernel(inner=30, outer=-2), [[-2, -2, -2], [-2, 30, -2], [-2, -2, -2]])
    np.testing.assert_array_equal(sobel_kernel("top"), [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    np.testing.assert_array_equal(sobel_kernel("bottom", edge=4, corner=3), [[-3, -4, -3], [0, 0, 0], [3, 4, 3]])
    np.testing.assert_array_equal(sobel_kernel("left", base=6, corner=100), [[3, 0, -3], [6, 0, -6], [3, 0, -3]])
    np.testing.assert_array_equal(sobel_kernel("right"), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    for other in ("up", "", None, "TOP"):
        np.testing.assert_array_equal(sobel_kernel(other), identity_kernel())


def test_helpers_resize_crop_read_and_imgconv(tmp_path):
    img = Image.new("RGB", (400, 250))
    assert resize_width(img, 320).size == (320, 200)
    assert crop_center(Image.new("L", (10, 6))).size == (6, 6)
    marked = np.zeros((6, 10), np.uint8)
    marked[:, 2:8] = 7
    assert np.all(np.asarray(crop_center(Image.fromarray(marked))) == 7)  # the middle square
    shutil.copy(ASSETS / "chelsea.png", tmp_path / "cat.png")
    gray = read_img(tmp_path / "cat.png")
    assert gray.mode == "L" and gray.size == Image.open(ASSETS / "chelsea.png").size
    before, after = imgkernel.imgconv(tmp_path / "cat.png", blur_kernel(), strides=2)
    side = int(320 * gray.height / gray.width)  # resized to 320 wide, then the centre square
    assert before.mode == "L" and before.size == (side, side)
    assert after.size == ((before.width - 3) // 2 + 1,) * 2
    _check(after, before, blur_kernel(), strides=2)
