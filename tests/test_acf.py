"""Photoshop Custom filter files: the byte layout of Adobe's specification, the same filtering as the weights
with divisor = scale and offset (checked against scipy doing Photoshop's formula), and plain refusals."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hs
from PIL import Image
from scipy import ndimage

import imgkernel
from imgkernel import KernelError
from imgkernel.cli import main
from imgkernel.formats.acf import SIZE, kernel_from_acf, kernel_to_acf
from imgkernel.pipeline import Settings, run_filter

RNG = np.random.default_rng(7)
PHOTO = RNG.integers(0, 256, (23, 31, 3), dtype=np.uint8)


def acf_bytes(grid: list[list[int]], scale: int, offset: int) -> bytes:
    """A file written independently of the module: 25 big-endian int16 weights row by row, scale, offset."""
    return struct.pack(">27h", *[v for row in grid for v in row], scale, offset)


def photoshop(pixels: np.ndarray, grid: np.ndarray, scale: int, offset: int) -> np.ndarray:
    """Photoshop's formula on every channel (correlation, 5 x 5 centred), clipped to 8 bits, halves rounded up
    (the app's rounding)."""
    img = pixels.astype(np.float64)
    out = np.stack([ndimage.correlate(img[..., c], grid, mode="reflect") for c in range(3)], axis=-1)
    return np.clip(np.floor(out / scale + offset + 0.5), 0, 255).astype(np.uint8)


SHARPEN_5 = [[0] * 5, [0, 0, -1, 0, 0], [0, -1, 5, -1, 0], [0, 0, -1, 0, 0], [0] * 5]
EMBOSS_5 = [[-1, -1, 0, 0, 0], [-1, -1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 1], [0, 0, 0, 1, 1]]


def test_a_file_reads_as_its_weights_scale_and_offset_and_zero_rings_are_trimmed():
    doc = kernel_from_acf(acf_bytes(SHARPEN_5, 1, 0), "sharp")
    np.testing.assert_array_equal(doc.matrix, [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    assert (doc.name, doc.divisor, doc.offset) == ("sharp", 1.0, 0.0)
    full = kernel_from_acf(acf_bytes(EMBOSS_5, 3, 128))
    assert full.matrix.shape == (5, 5) and (full.divisor, full.offset) == (3.0, 128.0)


@pytest.mark.parametrize(("grid", "scale", "offset"), [(SHARPEN_5, 1, 0), (EMBOSS_5, 3, 128), (EMBOSS_5, 2, -40)])
def test_a_file_filters_like_photoshop_does(grid, scale, offset):
    doc = kernel_from_acf(acf_bytes(grid, scale, offset))
    ours = run_filter(PHOTO, doc.matrix, Settings(divisor=doc.divisor, offset=doc.offset)).mapped.image
    np.testing.assert_array_equal(ours, photoshop(PHOTO, np.array(grid, dtype=np.float64), scale, offset))


@pytest.mark.parametrize("name", [n for n, s in imgkernel.CATALOGUE.items() if max(s.matrix().shape) <= 5])
def test_every_catalogue_kernel_that_fits_round_trips_to_the_same_filter(name):
    spec = imgkernel.get(name)
    k = spec.matrix()
    try:
        data = kernel_to_acf(k, spec.divisor, spec.offset)
    except KernelError as exc:  # only for what Photoshop cannot hold: fractional offsets (127.5), or weights no
        # whole multiplier makes whole (a Gaussian's exponentials)
        assert "whole" in str(exc)
        assert spec.offset != round(spec.offset) or not np.allclose(k * 9999, np.rint(k * 9999))
        return
    assert len(data) == SIZE
    doc = kernel_from_acf(data)
    for settings in (Settings(), Settings(mode="constant", cval=10, stride=2)):
        want = run_filter(PHOTO, k, settings.with_(divisor=spec.divisor, offset=spec.offset)).mapped.image
        got = run_filter(PHOTO, doc.matrix, settings.with_(divisor=doc.divisor, offset=doc.offset)).mapped.image
        np.testing.assert_array_equal(got, want)


def test_fractional_weights_become_whole_with_the_scale():
    gauss = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16
    *weights, scale, offset = struct.unpack(">27h", kernel_to_acf(gauss))
    assert (scale, offset) == (16, 0)
    assert np.array(weights).reshape(5, 5)[1:4, 1:4].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


def test_even_kernels_keep_their_anchor_on_photoshops_centre():
    k = np.array([[1.0, -1.0], [2.0, 3.0]])
    doc = kernel_from_acf(kernel_to_acf(k, 5.0))
    np.testing.assert_array_equal(
        run_filter(PHOTO, doc.matrix, Settings(divisor=5)).mapped.image,
        run_filter(PHOTO, k, Settings(divisor=5)).mapped.image,
    )


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (acf_bytes(SHARPEN_5, 1, 0)[:-1], "exactly 54 bytes; this one has 53"),
        (acf_bytes(SHARPEN_5, 1, 0) + b"\0", "this one has 55"),
        (b"", "this one has 0"),
        (acf_bytes(SHARPEN_5, 0, 0), "scale is 0"),
        (acf_bytes(SHARPEN_5, -3, 0), "scale is -3"),
        (acf_bytes(SHARPEN_5, 1, 12000), "offset is 12000"),
        (acf_bytes([[1000, 0, 0, 0, 0], *SHARPEN_5[1:]], 1, 0), "row 1, column 1 is 1000"),
        (acf_bytes([[0] * 5] * 5, 1, 0), "Every weight in the file is 0"),
    ],
)
def test_bad_files_are_refused_plainly(data, needle):
    with pytest.raises(KernelError, match=needle.replace("(", r"\(")):
        kernel_from_acf(data)


@given(hs.binary(min_size=SIZE, max_size=SIZE))
def test_any_54_bytes_read_or_are_refused_never_crash(data):
    try:
        doc = kernel_from_acf(data)
    except KernelError:
        return
    assert doc.matrix.shape[0] in (1, 3, 5) and np.abs(doc.matrix).max() <= 999 and 1 <= doc.divisor <= 9999


@pytest.mark.parametrize(
    ("matrix", "divisor", "offset", "needle"),
    [
        (np.ones((7, 7)), 1, 0, "at most 5 × 5 weights; this kernel is 7 × 7"),
        (np.array([[np.pi]]), 1, 0, "no multiplier up to 9999"),
        (np.ones((3, 3)), -9, 0, "divides by -9"),
        (np.ones((3, 3)), 9, 0.5, "offset is a whole number"),
        (np.full((3, 3), 2000.0), 1, 0, "weights reach 2000"),
    ],
)
def test_kernels_photoshop_cannot_hold_are_refused_with_the_reason(matrix, divisor, offset, needle):
    with pytest.raises(KernelError, match=needle):
        kernel_to_acf(matrix, divisor, offset)


def test_the_cli_reads_a_file_like_the_same_weights_with_divisor_and_offset(tmp_path, capsys):
    Image.fromarray(PHOTO).save(tmp_path / "in.png")
    (tmp_path / "emboss.acf").write_bytes(acf_bytes(EMBOSS_5, 3, 128))
    assert main(["apply", str(tmp_path / "in.png"), str(tmp_path / "a.png"), "-f", str(tmp_path / "emboss.acf")]) == 0
    matrix = str(EMBOSS_5).replace(" ", "")
    args = ["apply", str(tmp_path / "in.png"), str(tmp_path / "b.png"), "-m", matrix, "--divisor", "3"]
    assert main([*args, "--offset", "128"]) == 0
    a, b = (np.asarray(Image.open(tmp_path / f)) for f in ("a.png", "b.png"))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, photoshop(PHOTO, np.array(EMBOSS_5, dtype=np.float64), 3, 128))
    (tmp_path / "cut.acf").write_bytes(b"\0" * 20)
    assert main(["apply", str(tmp_path / "in.png"), str(tmp_path / "c.png"), "-f", str(tmp_path / "cut.acf")]) != 0
    assert "exactly 54 bytes" in capsys.readouterr().err and not (tmp_path / "c.png").exists()


def test_the_cli_saves_a_catalogue_kernel_as_acf(tmp_path, capsys):
    assert main(["show", "box_blur", "--acf", str(tmp_path / "box.acf")]) == 0
    doc = kernel_from_acf((tmp_path / "box.acf").read_bytes())
    np.testing.assert_array_equal(doc.matrix / doc.divisor, imgkernel.get("box_blur").matrix())
    assert main(["show", "gabor", "--acf", str(tmp_path / "g.acf")]) != 0  # 21 x 21: refused, with the reason
    assert "at most 5 × 5" in capsys.readouterr().err
