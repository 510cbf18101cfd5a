"""Linear light, checked against GEGL's ``gegl:convolution-matrix`` (the engine of GIMP 2.10+'s Convolution
Matrix, run by Debian's ``gegl`` command, which ``make test`` installs) within one grey level."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import imgkernel
from imgkernel.linear import to_linear, to_srgb
from imgkernel.pipeline import Settings, run_filter

GEGL = shutil.which("gegl")
BORDERS = {"nearest": "clamp", "wrap": "loop", "constant": "black"}  # ours -> GEGL's abyss policy
RNG = np.random.default_rng(11)
PHOTO = RNG.integers(0, 256, (20, 26, 3), dtype=np.uint8)
PHOTO[:, :8] = 128  # a flat grey band: where GIMP's 188 shows


def gegl(
    pixels: np.ndarray, kernel: np.ndarray, tmp: Path, *, divisor=1.0, offset=0.0, normalize=False, border="clamp"
):
    """GEGL's result (RGB uint8) for a kernel of up to 5 x 5 (centred in GEGL's 5 x 5: letters are columns a..e,
    digits rows 1..5; offset in 0..1 of full light, ours in 0..255)."""
    assert GEGL, "the gegl command is missing: `make test` installs Debian's gegl package"
    k = np.zeros((5, 5))
    r, c = kernel.shape
    k[2 - r // 2 : 2 - r // 2 + r, 2 - c // 2 : 2 - c // 2 + c] = kernel
    cells = [f"{'abcde'[j]}{i + 1}={float(k[i, j])!r}" for i in range(5) for j in range(5)]
    src, out = tmp / "in.png", tmp / "out.png"
    Image.fromarray(pixels).save(src)
    props = [
        f"divisor={float(divisor)!r}",
        f"offset={offset / 255!r}",
        f"normalize={str(normalize).lower()}",
        "alpha=false",
    ]
    cmd = [GEGL, str(src), "-o", str(out), "--", "gegl:convolution-matrix", *cells, *props, f"border={border}"]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)
    return np.asarray(Image.open(out).convert("RGB"))


def test_decoding_and_encoding_invert_each_other_on_every_code():
    codes = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(np.floor(to_srgb(to_linear(codes)) + 0.5).astype(np.uint8), codes)
    assert to_linear(np.array([0, 128, 255], dtype=np.uint8)).tolist() == pytest.approx([0, 55.04, 255], abs=0.01)


def test_a_flat_grey_through_an_edge_finder_with_normalise_is_gimps_188():
    flat = np.full((6, 6, 3), 128, np.uint8)
    outline = imgkernel.get("outline").matrix()
    assert run_filter(flat, outline, Settings(normalise=True, linear=True)).mapped.image[0, 0, 0] == 188
    assert run_filter(flat, outline, Settings(normalise=True)).mapped.image[0, 0, 0] == 128  # the codes: 128


CASES = {
    "box blur": (np.ones((3, 3)), {"divisor": 9.0}),
    "sharpen": (imgkernel.get("sharpen").matrix(), {}),
    "outline, normalise": (imgkernel.get("outline").matrix(), {"normalize": True}),
    "emboss with offset": (np.array([[-2.0, -1, 0], [-1, 1, 1], [0, 1, 2]]), {"divisor": 2.0, "offset": 60.0}),
    "5 x 5 gaussian": (imgkernel.get("gaussian").matrix({"size": 5}), {}),
    "2 x 2, even": (np.array([[1.0, 2.0], [0.5, -0.5]]), {"divisor": 3.0}),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("mode", BORDERS)
def test_linear_light_matches_gegl_within_one_grey_level(case, mode, tmp_path):
    kernel, options = CASES[case]
    theirs = gegl(PHOTO, kernel, tmp_path, border=BORDERS[mode], **options)
    scale = {"normalise": options.get("normalize", False)}
    scale |= {k: v for k, v in options.items() if k in ("divisor", "offset")}
    ours = run_filter(PHOTO, kernel, Settings(mode=mode, linear=True, **scale)).mapped.image
    assert np.abs(ours.astype(int) - theirs).max() <= 1
    codes = run_filter(PHOTO, kernel, Settings(mode=mode, **scale)).mapped.image
    if case != "sharpen":  # and filtering the codes is not what GEGL does (sharpen mostly clips alike)
        assert np.abs(codes.astype(int) - theirs).max() > 1


def test_gray_and_constant_borders_decode_like_the_pixels():
    px = np.full((5, 5, 3), 200, np.uint8)
    s = Settings(mode="constant", cval=200, linear=True)
    np.testing.assert_array_equal(run_filter(px, np.ones((3, 3)) / 9, s).mapped.image, px)  # cval is a grey level
    gray = run_filter(px, np.ones((1, 1)), Settings(gray=True, linear=True)).mapped.image
    assert gray.shape == (5, 5) and np.all(gray == 200)  # the luminance of a neutral grey is that grey


def test_the_cli_and_a_share_link_carry_linear_light(tmp_path):
    from app import share
    from imgkernel.cli import main

    Image.fromarray(PHOTO).save(tmp_path / "in.png")
    assert main(["apply", str(tmp_path / "in.png"), str(tmp_path / "out.png"), "-k", "blur", "--linear"]) == 0
    want = run_filter(PHOTO, imgkernel.get("blur").matrix(), Settings(linear=True)).mapped.image
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out.png")), want)
    link = share.encode(share.ShareState(settings=Settings(linear=True)))
    assert link["lin"] == "1" and share.decode(link)[0].settings.linear


def test_the_playground_filters_in_linear_light_when_asked():
    from app.state import set_view
    from tests.apptest import ok, start, state, widget

    at = ok(start())
    widget(at, "toggle", "pg_linear").set_value(True).run()
    assert state(ok(at)).settings.linear and at.query_params["lin"] in ("1", ["1"])
    assert state(at).view.options  # opened to reach the toggle; closed, the summary names it:
    at.session_state["playground"] = set_view(state(at), options=False)
    assert "In use: reflect borders, stride 1, linear light, clip." in [c.value for c in at.run().sidebar.caption]
    again = ok(start({"k": "outline", "norm": "1", "lin": "1"}))
    assert state(again).settings.linear and state(again).settings.normalise
