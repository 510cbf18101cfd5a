"""The command line end to end: in-process through ``main(argv)`` and once as ``python -m imgkernel``,
with output pixels checked against scipy.ndimage on the decoded input."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import imgkernel as ik
from imgkernel.cli import main
from imgkernel.limits import MAX_KERNEL_JSON_BYTES

ASSETS = Path(__file__).resolve().parent.parent / "assets"


def _small_rgb(tmp_path: Path, name: str = "in.png", size=(37, 29), seed=0, alpha=False) -> Path:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 256, (size[1], size[0], 4 if alpha else 3), dtype=np.uint8)
    path = tmp_path / name
    Image.fromarray(a, "RGBA" if alpha else "RGB").save(path)
    return path


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im).copy()


def _reference(
    img: np.ndarray, kernel, *, mode="reflect", divisor=1.0, offset=0.0, convolve=False, cval=0.0
) -> np.ndarray:
    """float64 responses per channel by scipy, scaled; not yet mapped to 8 bits."""
    f = ndimage.convolve if convolve else ndimage.correlate
    k = np.asarray(kernel, float)
    x = img.astype(np.float64)
    chans = [x] if x.ndim == 2 else [x[:, :, c] for c in range(x.shape[2])]
    out = [f(c, k, mode=mode, cval=cval) / divisor + offset for c in chans]
    return out[0] if x.ndim == 2 else np.stack(out, axis=-1)


def _assert_clipped_rounding(got: np.ndarray, ref: np.ndarray) -> None:
    assert got.shape == ref.shape
    assert np.abs(got.astype(float) - np.clip(ref, 0, 255)).max() <= 0.5 + 1e-3


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_version_is_the_one_in_pyproject(capsys):
    pyproject = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    declared = re.search(r'^version = "([^"]+)"$', pyproject, re.MULTILINE).group(1)
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out == f"imgkernel {declared}\n"


# -- list and show ------------------------------------------------------------------------------------------


def test_list_groups_every_kernel_with_its_summary(capsys):
    code, out, _ = _run(capsys, "list")
    assert code == 0
    lines = out.splitlines()
    for category, specs in ik.categories().items():
        assert category in lines
        start = lines.index(category)
        for spec in specs:
            assert any(line.split()[0] == spec.name and spec.summary in line for line in lines[start + 1 :])
    assert sum(1 for line in lines if line.startswith("  ")) == len(ik.CATALOGUE)


def test_show_prints_matrix_sum_and_separability(capsys):
    code, out, _ = _run(capsys, "show", "blur")
    assert code == 0
    rows = [[float(v) for v in line.split()] for line in out.splitlines()[2:5]]
    np.testing.assert_array_equal(rows, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    assert "sum: 1 " in out and "separable: yes" in out
    code, out, _ = _run(capsys, "show", "sharpen", "--param", "inner=7", "-p", "edge=-1.5")
    assert code == 0 and "separable: no" in out and "sum: 1 " in out
    rows = [[float(v) for v in line.split()] for line in out.splitlines()[2:5]]
    assert rows == [[0, -1.5, 0], [-1.5, 7, -1.5], [0, -1.5, 0]]
    code, out, _ = _run(capsys, "show", "laplacian_8")
    assert "sum: 0 " in out and "offset 127.5" in out
    # 4 significant digits, and a zero-sum kernel's rounding noise (-1.6e-15 here) reads as 0
    code, out, _ = _run(capsys, "show", "log", "-p", "size=3", "-p", "sigma=1")
    assert out.splitlines()[3].split() == ["-0.2333", "-3.067", "-0.2333"] and "sum: 0 " in out


# -- apply: one file ------------------------------------------------------------------------------------------


def test_apply_catalogue_kernel_matches_scipy(tmp_path, capsys):
    src = _small_rgb(tmp_path)
    code, out, _ = _run(capsys, "apply", src, tmp_path / "out.png", "--kernel", "sharpen")
    assert code == 0 and "out.png" in out
    _assert_clipped_rounding(
        _pixels(tmp_path / "out.png"), _reference(_pixels(src), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    )


def test_apply_params_modes_and_convolution(tmp_path, capsys):
    src = _small_rgb(tmp_path, seed=3)
    img = _pixels(src)
    k = np.array([[0, 1, 2], [-1, 0.5, 3], [0, 0, -2]])
    for mode in ("reflect", "mirror", "nearest", "wrap", "constant"):
        for convolve in (False, True):
            dst = tmp_path / f"{mode}{convolve}.png"
            argv = ["apply", src, dst, "--matrix", json.dumps(k.tolist()), "--mode", mode, "--cval", "40"]
            code, _, _ = _run(capsys, *argv, *(["--convolve"] if convolve else []))
            assert code == 0
            _assert_clipped_rounding(_pixels(dst), _reference(img, k, mode=mode, convolve=convolve, cval=40))
    dst = tmp_path / "g.png"
    code, _, _ = _run(capsys, "apply", src, dst, "-k", "gaussian", "-p", "size=7", "-p", "sigma=1.5")
    x = np.arange(7) - 3
    g = np.exp(-(x[:, None] ** 2 + x[None] ** 2) / (2 * 1.5**2))
    _assert_clipped_rounding(_pixels(dst), _reference(img, g / g.sum()))


def test_apply_stride_valid_mean_gray_and_maps(tmp_path, capsys):
    src = _small_rgb(tmp_path, seed=4)
    img = _pixels(src)
    k = np.array([[1.0, -2, 0.5], [3, 1, -1]])
    # valid + stride + mean: the original package's arithmetic
    code, _, _ = _run(
        capsys,
        "apply",
        src,
        tmp_path / "v.png",
        "-m",
        json.dumps(k.tolist()),
        "--mode",
        "valid",
        "--stride",
        "2",
        "--mean",
    )
    assert code == 0
    full = _reference(img, k, mode="constant", divisor=k.size)
    valid = full[1 : 1 + img.shape[0] - 1 : 2, 1 : 1 + img.shape[1] - 2 : 2]  # anchor (1, 1), windows that fit
    _assert_clipped_rounding(_pixels(tmp_path / "v.png"), valid)
    # gray: Pillow's luminance, then one channel
    code, _, _ = _run(capsys, "apply", src, tmp_path / "g.png", "-k", "sobel_top", "--gray")
    gray = np.asarray(Image.open(src).convert("L"))
    got = _pixels(tmp_path / "g.png")
    assert got.ndim == 2
    _assert_clipped_rounding(got, _reference(gray, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]))
    # abs and rescale
    ref = _reference(img, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]])
    _run(capsys, "apply", src, tmp_path / "a.png", "-k", "sobel_top", "--map", "abs")
    _assert_clipped_rounding(_pixels(tmp_path / "a.png"), np.abs(ref))
    _run(capsys, "apply", src, tmp_path / "r.png", "-k", "sobel_top", "--map", "rescale")
    rescaled = (ref - ref.min()) * 255 / (ref.max() - ref.min())
    assert np.abs(_pixels(tmp_path / "r.png") - rescaled).max() <= 0.5 + 0.01


def test_divisor_offset_normalise_and_suggestions(tmp_path, capsys):
    src = _small_rgb(tmp_path, seed=5)
    img = _pixels(src)
    ones = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    _run(capsys, "apply", src, tmp_path / "n.png", "-m", json.dumps(ones), "--normalise")
    _assert_clipped_rounding(_pixels(tmp_path / "n.png"), _reference(img, ones, divisor=16))
    _run(capsys, "apply", src, tmp_path / "d.png", "-m", json.dumps(ones), "--divisor", "32", "--offset", "-10")
    _assert_clipped_rounding(_pixels(tmp_path / "d.png"), _reference(img, ones, divisor=32, offset=-10))
    # a catalogue kernel's suggested offset is the default, and can be overridden
    lap = [[0, 1, 0], [1, -4, 1], [0, 1, 0]]
    _run(capsys, "apply", src, tmp_path / "l.png", "-k", "laplacian_4")
    _assert_clipped_rounding(_pixels(tmp_path / "l.png"), _reference(img, lap, offset=127.5))
    _run(capsys, "apply", src, tmp_path / "l0.png", "-k", "laplacian_4", "--offset", "0")
    _assert_clipped_rounding(_pixels(tmp_path / "l0.png"), _reference(img, lap))
    # a kernel file's divisor and offset are used
    kfile = tmp_path / "k.json"
    kfile.write_text(ik.kernel_to_json(np.array(ones, float), name="b", divisor=8, offset=5))
    _run(capsys, "apply", src, tmp_path / "f.png", "--kernel-file", kfile)
    _assert_clipped_rounding(_pixels(tmp_path / "f.png"), _reference(img, ones, divisor=8, offset=5))


def test_alpha_is_reattached_and_cropped_like_the_output(tmp_path, capsys):
    src = _small_rgb(tmp_path, alpha=True, seed=6)
    rgba = _pixels(src)
    _run(capsys, "apply", src, tmp_path / "o.png", "-k", "blur")
    out = _pixels(tmp_path / "o.png")
    assert out.shape == rgba.shape
    np.testing.assert_array_equal(out[:, :, 3], rgba[:, :, 3])
    _assert_clipped_rounding(
        out[:, :, :3], _reference(rgba[:, :, :3], np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16)
    )
    _run(
        capsys,
        "apply",
        src,
        tmp_path / "v.png",
        "-k",
        "box_blur",
        "-p",
        "size=5",
        "--mode",
        "valid",
        "--stride",
        "3",
        "--dilation",
        "2",
    )
    out = _pixels(tmp_path / "v.png")
    # dilated 5-tap kernel spans 9 pixels, anchor 4; windows start every 3 pixels
    np.testing.assert_array_equal(out[:, :, 3], rgba[4 : 4 + 29 - 8 : 3, 4 : 4 + 37 - 8 : 3, 3])
    _run(capsys, "apply", src, tmp_path / "s.png", "-k", "blur", "--stride", "2")
    np.testing.assert_array_equal(_pixels(tmp_path / "s.png")[:, :, 3], rgba[::2, ::2, 3])


def test_output_into_an_existing_folder(tmp_path, capsys):
    src = _small_rgb(tmp_path, name="photo.png")
    (tmp_path / "o").mkdir()
    code, _, _ = _run(capsys, "apply", src, tmp_path / "o", "-k", "identity")
    assert code == 0
    np.testing.assert_array_equal(_pixels(tmp_path / "o" / "photo.png"), _pixels(src))


# -- apply: a folder ------------------------------------------------------------------------------------------


def test_batch_filters_every_image_and_reports_failures(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(ASSETS / "camera.png", src / "camera.png")
    Image.open(ASSETS / "chelsea.png").convert("RGB").save(src / "cat.jpg", quality=95)
    Image.open(ASSETS / "chelsea.png").save(src / "cat.png")  # same stem: both must be kept
    shutil.copy(src / "cat.jpg", src / "dog.jfif")  # a JPEG by its other name: an image the app accepts too
    (src / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    (src / "notes.txt").write_text("not an image")
    (src / ".hidden.png").write_bytes(b"")
    code, out, err = _run(capsys, "apply", src, tmp_path / "out", "-k", "outline")
    assert code == 1
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["camera.png", "cat.png", "cat_png.png", "dog.png"]
    assert "broken.png" in err and "5/5" in err and "[" in err
    assert "4 of 5" in out and "1 failed" in out and "1 other file(s) skipped" in out
    outline = [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]
    _assert_clipped_rounding(
        _pixels(tmp_path / "out" / "camera.png"), _reference(_pixels(ASSETS / "camera.png"), outline)
    )
    _assert_clipped_rounding(_pixels(tmp_path / "out" / "cat.png"), _reference(_pixels(src / "cat.jpg"), outline))
    # all good -> exit 0
    (src / "broken.png").unlink()
    code, out, _ = _run(capsys, "apply", src, tmp_path / "out2", "-k", "outline")
    assert code == 0 and "4 of 4" in out


# -- bad input: one clear line, non-zero exit, never a traceback ----------------------------------------------


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["show", "nope"], "No kernel called 'nope'"),
        (["apply", "{img}", "{out}", "-k", "nope"], "No kernel called"),
        (["apply", "{img}", "{out}", "-k", "gaussian", "-p", "sigma=huge"], "must be a number"),
        (["apply", "{img}", "{out}", "-k", "gaussian", "-p", "size=99"], "between"),
        (["apply", "{img}", "{out}", "-k", "gaussian", "-p", "colour=3"], "no parameter colour"),
        (["apply", "{img}", "{out}", "-k", "gaussian", "-p", "sigma"], "name=value"),
        (["apply", "{img}", "{out}", "-m", "[[1,2],[3]]"], "same number of cells"),
        (["apply", "{img}", "{out}", "-m", "not json"], "not valid JSON"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "-p", "a=1"], "--param only works with --kernel"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "--divisor", "0"], "divisor cannot be 0"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "--divisor", "nan"], "finite"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "--stride", "0"], "stride"),
        (["apply", "{img}", "{tmp}/x.gif", "-k", "blur"], "does not say which format"),  # GIF is read, not written
        (["apply", "{img}", "{tmp}/x.jpg", "-k", "blur", "--format", "png"], "is that of a JPEG file"),
        (["apply", "{img}", "{tmp}/x.png", "-k", "blur", "--quality", "90"], "PNG is lossless"),
        (["apply", "{img}", "{tmp}/x.jpg", "-k", "blur", "--quality", "101"], "from 1 to 100"),
        (["apply", "{img}", "{tmp}/x.jpg", "-k", "blur", "--jobs", "0"], "--jobs must be at least 1"),
        (["apply", "{img}", "{tmp}/x.jpg", "-k", "blur", "--jobs", "2", "--dask", "local"], "not allowed with"),
        (["apply", "{tmp}/missing.png", "{out}", "-k", "blur"], "No such file"),
        (["apply", "{txt}", "{out}", "-k", "blur"], "not an image"),
        (["apply", "{img}", "{out}", "-f", "{tmp}/missing.json"], "cannot read the kernel file"),
        (["apply", "{img}", "{out}", "-f", "{big}"], "too large"),
        (["apply", "{img}", "{tmp}/no/such/dir/o.png", "-k", "blur"], "Cannot write"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "--mode", "valid", "-k", "blur"], "not allowed with"),
        (["apply", "{img}", "{out}", "-m", "[[1]]", "--mode", "sideways"], "invalid choice"),
        (["apply", "{tmp}", "{img}", "-k", "blur"], "must be a folder too"),
        (["apply", "{tmp}", "{tmp}/out", "-m", "[[1]]", "--divisor", "0"], "divisor cannot be 0"),  # once, not per file
        (["apply", "{tmp}", "{tmp}/out", "-k", "blur", "--dilation", "-1"], "dilation"),
        (["apply", "{tmp}/out", "{tmp}/o2", "-k", "blur"], "No such file or folder"),
    ],
)
def test_bad_input_gives_one_line_and_nonzero_exit(tmp_path, capsys, argv, needle):
    img = _small_rgb(tmp_path)
    (tmp_path / "t.png").write_text("hello, I am text")
    (tmp_path / "big.json").write_text("[[" + "0, " * MAX_KERNEL_JSON_BYTES + "0]]")
    subs = {
        "{img}": str(img),
        "{out}": str(tmp_path / "o.png"),
        "{tmp}": str(tmp_path),
        "{txt}": str(tmp_path / "t.png"),
        "{big}": str(tmp_path / "big.json"),
    }
    args = []
    for a in argv:
        for key, value in subs.items():
            a = a.replace(key, value)
        args.append(a)
    code, out, err = _run(capsys, *args)
    assert code != 0
    assert needle in err
    if "usage:" not in err:  # argparse's own errors come with a usage line; ours are a single line
        assert len(err.strip().splitlines()) == 1 and err.startswith("imgkernel: error: ")
    assert not (tmp_path / "o.png").exists()


def test_progress_bar_redraws_in_place_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    from imgkernel.cli import _progress

    s = Tty()
    for i in range(1, 4):
        _progress(s, i, 3, f"f{i}.png")
    text = s.getvalue()
    assert text.count("\r") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "[" + "#" * 30 + "] 3/3 f3.png" in text


# -- as a real process ------------------------------------------------------------------------------------


def test_python_dash_m_end_to_end(tmp_path):
    src = _small_rgb(tmp_path, seed=9)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    run = subprocess.run(
        [sys.executable, "-m", "imgkernel", "apply", str(src), str(tmp_path / "o.png"), "-k", "emboss"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    _assert_clipped_rounding(
        _pixels(tmp_path / "o.png"), _reference(_pixels(src), [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]])
    )
    run = subprocess.run(
        [sys.executable, "-m", "imgkernel", "show", "nope"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 1 and run.stderr.startswith("imgkernel: error: No kernel")
    assert "Traceback" not in run.stderr
    run = subprocess.run(
        [sys.executable, "-m", "imgkernel", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0 and "sobel_top" in run.stdout
