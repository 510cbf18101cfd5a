"""Batches (imgkernel.batch and ``imgkernel apply`` on folders): parallel runs give the very bytes of a serial one,
formats and quality, metadata kept as ImageMagick keeps it, folders mirrored, nothing overwritten or left
half-written, failures reported while the rest goes on."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from PIL import Image, ImageCms

from imgkernel import batch
from imgkernel.cli import main
from imgkernel.errors import KernelError
from imgkernel.formats.images import load_image
from imgkernel.pipeline import Settings, run_filter

ROOT = Path(__file__).resolve().parent.parent
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], float)
ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _photo(size=(320, 240), seed=0, mode="RGB") -> Image.Image:
    """Smooth gradients plus noise: compresses like a photo, and 320 x 240 x 3 is big enough for the engine to
    split the work over threads (so 1 and 2 jobs run it with different thread counts)."""
    w, h = size
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = rng.uniform(40, 200, 3) + 0.3 * x[..., None] * rng.uniform(-1, 1, 3) + 0.3 * y[..., None]
    px = np.clip(base + rng.normal(0, 10, (h, w, 3)), 0, 255).astype(np.uint8)
    im = Image.fromarray(px)
    if mode == "L":
        return im.convert("L")
    if mode == "RGBA":
        im.putalpha(Image.fromarray(rng.integers(0, 256, (h, w), dtype=np.uint8)))
    return im


def _folder(root: Path) -> Path:
    """A small mixed folder: JPEG, PNG, gray, RGBA, a sub-folder, a hostile name and a note."""
    src = root / "in"
    (src / "sub" / "deeper").mkdir(parents=True)
    _photo(seed=1).save(src / "a.jpg", quality=92)
    _photo(seed=2).save(src / "a.png")  # same stem as a.jpg: both are kept
    _photo(seed=3, mode="L").save(src / "gray.png")
    _photo(seed=4, mode="RGBA", size=(97, 61)).save(src / "alpha.png")
    _photo(seed=5).save(src / "sub" / "b c.jpeg", quality=90)
    _photo(seed=6, size=(64, 48)).save(src / "sub" / "deeper" / "ünï cødé ☃.png")
    (src / "notes.txt").write_text("not a photo")
    return src


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _no_temp_files(*folders: Path) -> None:
    for folder in folders:
        assert not [p for p in folder.rglob("*") if p.name.endswith(batch.TEMP_SUFFIX)]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


# -- parallel runs and formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_two_jobs_write_the_bytes_of_one(tmp_path, fmt):
    src = _folder(tmp_path)
    _photo(size=(1500, 1000), seed=7).save(src / "big.jpg", quality=90)  # big enough for the engine to calibrate
    one = batch.apply_many(src, tmp_path / "one", EMBOSS, Settings(), jobs=1, fmt=fmt, recursive=True)
    two = batch.apply_many(src, tmp_path / "two", EMBOSS, Settings(), jobs=2, fmt=fmt, recursive=True)
    assert one.ok and two.ok and one.written == two.written == 7 and two.workers == 2
    a, b = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert a == b
    suffix = batch.SUFFIXES[fmt]
    assert sorted(a) == sorted(
        f"{n}{suffix}" for n in ("a", "a_png", "alpha", "big", "gray", "sub/b c", "sub/deeper/ünï cødé ☃")
    )
    # and the pixels are the filter's (PNG: exactly; JPEG: what its encoder made of them)
    if fmt == "png":
        got = np.asarray(Image.open(tmp_path / "one" / "sub" / "b c.png"))
        want = run_filter(load_image(src / "sub" / "b c.jpeg").pixels, EMBOSS).mapped.image
        np.testing.assert_array_equal(got, want)
        rgba = np.asarray(Image.open(tmp_path / "one" / "alpha.png"))
        np.testing.assert_array_equal(rgba[..., 3], np.asarray(Image.open(src / "alpha.png"))[..., 3])
        with Image.open(tmp_path / "one" / "gray.png") as gray:
            assert gray.mode == "L"


def test_the_format_follows_the_name_or_format(tmp_path, capsys):
    src = tmp_path / "p.png"
    _photo(size=(80, 60)).save(src)
    for name, pil in [("o.jpg", "JPEG"), ("o.jpeg", "JPEG"), ("o.webp", "WEBP"), ("o.tif", "TIFF"), ("o.png", "PNG")]:
        code, out, _ = _run(capsys, "apply", src, tmp_path / name, "-k", "sharpen")
        assert code == 0 and name in out
        with Image.open(tmp_path / name) as written:
            assert written.format == pil
    if batch.features.check("avif"):
        assert _run(capsys, "apply", src, tmp_path / "o.avif", "-k", "sharpen")[0] == 0
        assert Image.open(tmp_path / "o.avif").format == "AVIF"
    # --format: a name without an ending is written as asked; into a folder, named after the photo
    assert _run(capsys, "apply", src, tmp_path / "noext", "-k", "sharpen", "--format", "jpg")[0] == 0
    assert Image.open(tmp_path / "noext").format == "JPEG"
    (tmp_path / "d").mkdir()
    assert _run(capsys, "apply", src, tmp_path / "d", "-k", "sharpen", "--format", "webp")[0] == 0
    assert Image.open(tmp_path / "d" / "p.webp").format == "WEBP"
    # a folder: PNG unless --format
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(3):
        _photo(size=(40, 30), seed=i).save(folder / f"{i}.jpg")
    assert _run(capsys, "apply", folder, tmp_path / "f1", "-k", "blur")[0] == 0
    assert sorted(p.name for p in (tmp_path / "f1").iterdir()) == ["0.png", "1.png", "2.png"]
    assert _run(capsys, "apply", folder, tmp_path / "f2", "-k", "blur", "--format", "tiff")[0] == 0
    assert {Image.open(p).format for p in (tmp_path / "f2").iterdir()} == {"TIFF"}


def test_quality_is_honoured(tmp_path, capsys):
    src = tmp_path / "p.png"
    _photo().save(src)
    sizes = {}
    for q in (30, 95):
        for ext in ("jpg", "webp"):
            dst = tmp_path / f"q{q}.{ext}"
            assert _run(capsys, "apply", src, dst, "-k", "sharpen", "--quality", q)[0] == 0
            sizes[q, ext] = dst.stat().st_size
    assert sizes[30, "jpg"] < sizes[95, "jpg"] / 2 and sizes[30, "webp"] < sizes[95, "webp"] / 2
    # the default is 90 for JPEG
    assert _run(capsys, "apply", src, tmp_path / "d.jpg", "-k", "sharpen")[0] == 0
    assert _run(capsys, "apply", src, tmp_path / "q90.jpg", "-k", "sharpen", "-q", "90")[0] == 0
    assert (tmp_path / "d.jpg").read_bytes() == (tmp_path / "q90.jpg").read_bytes()


def test_unavailable_and_wrong_formats_are_refused_plainly(tmp_path, monkeypatch):
    with pytest.raises(KernelError, match="Unknown output format 'gif'"):
        batch.check_format("gif")
    monkeypatch.setattr(batch.features, "check", lambda feature: feature != "avif")
    with pytest.raises(KernelError, match="cannot write AVIF: its Pillow was built without libavif"):
        batch.check_format("avif")
    src = tmp_path / "p.png"
    _photo(size=(20, 10)).save(src)
    code = main(["apply", str(src), str(tmp_path / "o.avif"), "-k", "blur"])
    assert code == 1 and not (tmp_path / "o.avif").exists()
    with pytest.raises(KernelError, match="from 1 to 100"):
        batch.check_format("jpeg", 0)
    with pytest.raises(KernelError, match="TIFF is lossless"):
        batch.check_format("tiff", 80)


# -- metadata ---------------------------------------------------------------------------------------------


def _phone_jpeg(path: Path, orientation: int = 6) -> np.ndarray:
    """A JPEG as a phone saves it: stored sideways with EXIF Orientation, an ICC profile, a date in the Exif IFD.
    Returns the stored (sideways) pixels as decoded."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0x9003] = "2024:05:06 07:08:09"
    im = _photo(size=(120, 80), seed=9)
    im.paste((255, 0, 0), (0, 0, 20, 10))  # a marker in the stored top-left corner
    im.save(path, quality=95, icc_profile=ICC, exif=exif.tobytes())
    with Image.open(path) as stored:
        return np.asarray(stored.convert("RGB"))


@pytest.mark.parametrize("ext", ["jpg", "png", "webp", "tif"])
def test_orientation_is_applied_and_icc_and_exif_kept(tmp_path, capsys, ext):
    src = tmp_path / "phone.jpg"
    stored = _phone_jpeg(src)
    dst = tmp_path / f"out.{ext}"
    assert _run(capsys, "apply", src, dst, "-k", "identity")[0] == 0
    with Image.open(dst) as out:
        out.load()
        exif = out.getexif()
        assert out.size == (80, 120)  # turned upright: Orientation 6 is 90 degrees clockwise
        assert out.info.get("icc_profile") == ICC
        assert exif.get(0x0112) == 1 and exif.get(0x010F) == "PhoneMaker"
        assert exif.get_ifd(0x8769).get(0x9003) == "2024:05:06 07:08:09"
        upright = np.rot90(stored, k=-1)
        got = np.asarray(out.convert("RGB")).astype(int)
        if ext in ("png", "tif"):
            np.testing.assert_array_equal(got, upright)
        else:
            assert np.abs(got - upright).mean() < 4
        assert got[:10, -20:, 0].mean() > 200 and got[:10, -20:, 1].mean() < 60  # the marker: now top right


def test_exif_is_patched_in_place_as_imagemagick_does(tmp_path):
    """Every byte of the EXIF block is kept but Orientation's value (``mogrify -auto-orient`` on ImageMagick 6.9
    changes that one byte and nothing else, checked by hand)."""
    src = tmp_path / "phone.jpg"
    _phone_jpeg(src)
    with Image.open(src) as im:
        raw = im.info["exif"]
    loaded = load_image(src)
    assert len(loaded.exif) == len(raw)
    changed = [i for i, (a, b) in enumerate(zip(raw, loaded.exif, strict=True)) if a != b]
    assert len(changed) == 1 and raw[changed[0]] == 6 and loaded.exif[changed[0]] == 1
    assert loaded.icc_profile == ICC


def test_a_profile_that_no_longer_fits_is_dropped(tmp_path, capsys):
    cmyk_profile = bytearray(ICC)
    cmyk_profile[16:20] = b"CMYK"
    Image.new("CMYK", (20, 10), (0, 50, 100, 0)).save(tmp_path / "cmyk.jpg", icc_profile=bytes(cmyk_profile))
    loaded = load_image(tmp_path / "cmyk.jpg")
    assert loaded.original_mode == "CMYK" and loaded.pixels.ndim == 3 and loaded.icc_profile is None
    # an RGB photo filtered as gray: its RGB profile would not describe the gray result
    _phone_jpeg(tmp_path / "phone.jpg")
    assert _run(capsys, "apply", tmp_path / "phone.jpg", tmp_path / "g.jpg", "-k", "blur", "--gray")[0] == 0
    with Image.open(tmp_path / "g.jpg") as g:
        assert g.mode == "L" and "icc_profile" not in g.info and g.getexif().get(0x0112) == 1
    # a gray photo keeps its gray profile
    gray_icc = bytearray(ICC)
    gray_icc[16:20] = b"GRAY"
    Image.new("L", (20, 10), 90).save(tmp_path / "gray.png", icc_profile=bytes(gray_icc))
    assert load_image(tmp_path / "gray.png").icc_profile == bytes(gray_icc)
    # a photo without metadata gets none
    _photo(size=(20, 10)).save(tmp_path / "plain.png")
    plain = load_image(tmp_path / "plain.png")
    assert plain.icc_profile is None and plain.exif is None


# -- folders ------------------------------------------------------------------------------------------------


def test_recursive_mirrors_the_tree_and_skips_hidden_and_its_own_output(tmp_path, capsys):
    src = _folder(tmp_path)
    (src / ".cache").mkdir()
    _photo(size=(20, 10)).save(src / ".cache" / "hidden.png")
    _photo(size=(20, 10)).save(src / ".hidden.png")
    out = src / "filtered"  # the output inside the input: never descended into
    code, text, err = _run(capsys, "apply", src, out, "-k", "sharpen", "-r", "--format", "jpeg", "-j", "2")
    assert code == 0, err
    assert sorted(_files(out)) == [
        "a.jpg",
        "a_png.jpg",
        "alpha.jpg",
        "gray.jpg",
        "sub/b c.jpg",
        "sub/deeper/ünï cødé ☃.jpg",
    ]
    assert "filtered 6 of 6 image(s)" in text and "images/s" in text and "1 other file(s) skipped" in text
    # again, with the earlier output inside: still the same six, never the outputs themselves
    code, text, _ = _run(capsys, "apply", src, out, "-k", "sharpen", "-r", "--format", "jpeg", "--overwrite")
    assert code == 0 and "filtered 6 of 6" in text
    # not recursive: the top folder only
    code, text, _ = _run(capsys, "apply", src, tmp_path / "flat", "-k", "sharpen")
    assert code == 0 and sorted(_files(tmp_path / "flat")) == ["a.png", "a_png.png", "alpha.png", "gray.png"]


def test_plan_names_and_refusals(tmp_path):
    for name in ("a.jpg", "a.png", "a.jpeg", "b.tif"):
        _photo(size=(8, 6)).save(tmp_path / name)
    p = batch.plan(tmp_path, tmp_path / "o")
    # sorted sources a.jpeg, a.jpg, a.png: the first keeps the name, the others get their ending
    assert [os.path.basename(d) for _, d in p] == ["a.png", "a_jpg.png", "a_png.png", "b.png"]
    assert p.folders == (str(tmp_path / "o"),) and not p.single and p.fmt == "png"
    # several files: into one folder, clashes resolved across them
    (tmp_path / "x").mkdir()
    _photo(size=(8, 6)).save(tmp_path / "x" / "a.png")
    many = batch.plan([tmp_path / "a.png", tmp_path / "x" / "a.png"], tmp_path / "o", fmt="jpeg")
    assert [os.path.basename(d) for _, d in many] == ["a.jpg", "a_png.jpg"]
    one = batch.plan(tmp_path / "a.png", tmp_path / "o.webp")
    assert one.single and one.fmt == "webp" and one.pairs == ((str(tmp_path / "a.png"), str(tmp_path / "o.webp")),)
    with pytest.raises(KernelError, match="No such file or folder"):
        batch.plan(tmp_path / "nope", tmp_path / "o")
    with pytest.raises(KernelError, match="must be a folder too"):
        batch.plan(tmp_path, tmp_path / "a.png")
    with pytest.raises(KernelError, match="does not say which format"):
        batch.plan(tmp_path / "a.png", tmp_path / "o.bmp")
    with pytest.raises(KernelError, match="is that of a PNG file, but the format is JPEG"):
        batch.plan(tmp_path / "a.png", tmp_path / "o.png", fmt="jpeg")
    (tmp_path / "empty").mkdir()
    with pytest.raises(KernelError, match="No images"):
        batch.plan(tmp_path / "empty", tmp_path / "o")


def test_nothing_is_overwritten_without_overwrite(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(size=(40, 30), seed=i).save(src / f"{i}.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "1.png").write_bytes(b"mine, keep me")
    code, text, err = _run(capsys, "apply", src, out, "-k", "blur")
    assert code == 1
    assert (out / "1.png").read_bytes() == b"mine, keep me"
    assert (out / "0.png").exists() and (out / "2.png").exists()
    assert "1.png: " in err and "already exists" in err and "--overwrite" in err
    assert "filtered 2 of 3" in text and "1 failed" in text
    # one file too
    code, _, err = _run(capsys, "apply", src / "0.png", out / "1.png", "-k", "blur")
    assert code == 1 and "already exists" in err and (out / "1.png").read_bytes() == b"mine, keep me"
    # --overwrite replaces it, through a temporary file
    code, text, _ = _run(capsys, "apply", src, out, "-k", "blur", "--overwrite")
    assert code == 0 and "filtered 3 of 3" in text
    assert Image.open(out / "1.png").size == (40, 30)
    _no_temp_files(out)


def test_an_unreadable_file_is_reported_and_the_others_written(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        _photo(size=(40, 30), seed=i).save(src / f"{i}.jpg")
    (src / "2.jpg").write_bytes((src / "2.jpg").read_bytes()[:200])  # cut short
    (src / "fake.png").write_text("%PDF-1.4 not a picture")
    code, text, err = _run(capsys, "apply", src, tmp_path / "out", "-k", "sharpen", "-j", "2")
    assert code == 1
    assert sorted(_files(tmp_path / "out")) == ["0.png", "1.png", "3.png"]
    assert "2.jpg: " in err and "fake.png: " in err and "PDF" in err
    assert "filtered 3 of 5" in text and "2 failed" in text
    summary = batch.apply_many(src, tmp_path / "out2", SHARPEN, Settings(), jobs=1)
    assert [os.path.basename(o.src) for o in summary.failed] == ["2.jpg", "fake.png"]
    assert {o.code for o in summary.failed} == {"image_refused"} and not summary.ok


def test_a_write_error_is_reported_for_that_file(tmp_path):
    src = tmp_path / "p.png"
    _photo(size=(20, 10)).save(src)
    outcome = batch.filter_file(src, tmp_path / "missing" / "o.png", SHARPEN, Settings())
    assert not outcome.ok and outcome.code == "batch_cannot_write" and "No such file or directory" in outcome.error


# -- interruptions ----------------------------------------------------------------------------------------


def test_ctrl_c_in_this_process_leaves_no_half_written_file(tmp_path, monkeypatch, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        _photo(size=(40, 30), seed=i).save(src / f"{i}.png")
    out = tmp_path / "out"
    real_link, calls = os.link, []

    def link(a, b, *args, **kwargs):  # the second file is interrupted once written to its temporary name
        calls.append(b)
        if len(calls) == 2:
            assert os.path.getsize(a) > 0
            raise KeyboardInterrupt
        return real_link(a, b, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    with pytest.raises(batch.BatchInterrupted) as stop:
        batch.apply_many(src, out, SHARPEN, Settings(), jobs=1)
    assert isinstance(stop.value, KeyboardInterrupt)
    assert stop.value.summary.interrupted and stop.value.summary.written == 1 and stop.value.summary.planned == 4
    assert sorted(_files(out)) == ["0.png"]
    _no_temp_files(out)
    calls.clear()
    code, text, err = _run(capsys, "apply", src, tmp_path / "out2", "-k", "sharpen", "-j", "1")
    assert code == 130 and "interrupted" in err and "3 file(s) not filtered" in err and "filtered 1 of 4" in text
    _no_temp_files(tmp_path / "out2")


def test_ctrl_c_in_the_pool_cancels_what_has_not_started(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(24):
        _photo(size=(200, 150), seed=i).save(src / f"{i:02d}.png")
    ref = batch.apply_many(src, tmp_path / "ref", SHARPEN, Settings(), jobs=1)
    assert ref.ok

    def stop(outcome, done, total):
        # What a pool process terminated mid-write leaves (a broken pool terminates them all: a process still
        # starting when a real Ctrl+C came dies of it): a temporary file of a file not done.
        (tmp_path / "out" / f".23.png.dead{batch.TEMP_SUFFIX}").write_bytes(b"\x89PNG half")
        raise KeyboardInterrupt

    with pytest.raises(batch.BatchInterrupted) as caught:
        batch.apply_many(src, tmp_path / "out", SHARPEN, Settings(), jobs=2, progress=stop)
    summary = caught.value.summary
    written = _files(tmp_path / "out")
    assert 1 <= len(written) < 24 and len(written) == summary.written
    reference = _files(tmp_path / "ref")
    assert all(reference[name] == data for name, data in written.items())  # each written whole
    _no_temp_files(tmp_path / "out")


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_a_real_ctrl_c_stops_the_command_cleanly(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(20):
        _photo(size=(900, 700), seed=i).save(src / f"{i:02d}.jpg", quality=80)  # JPEG: quick to make
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "imgkernel", "apply", str(src), str(out), "-k", "blur", "-j", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        start_new_session=True,  # its own process group, as a terminal's foreground job: Ctrl+C reaches all
        # A terminal's job gets Ctrl+C; a job a shell started in the background (``make test &``, a CI runner's)
        # inherits SIGINT ignored, and Python then leaves it ignored: the command would finish instead.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while not (out.exists() and any(p.suffix == ".png" for p in out.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr and "filtered" in stdout
    written = sorted(p for p in out.iterdir())
    assert 1 <= len(written) < 20
    for p in written:  # every file there is whole
        assert Image.open(p).size == (900, 700) and Image.open(p).load() is not None
    _no_temp_files(out)


def test_a_worker_killed_in_the_pool_loses_no_file(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(12):
        _photo(size=(400, 300), seed=i).save(src / f"{i:02d}.png")
    me = psutil.Process()
    killed: list[int] = []

    def kill_a_worker(outcome, done, total):
        if killed:
            return
        servers = [p for p in me.children() if "multiprocessing.forkserver" in " ".join(p.cmdline())]
        for server in servers:  # the forkserver starts the pool's processes (not a Dask nanny's)
            for worker in server.children():
                killed.append(worker.pid)
                worker.kill()
                return

    summary = batch.apply_many(src, tmp_path / "out", SHARPEN, Settings(), jobs=2, progress=kill_a_worker)
    assert killed and summary.ok and summary.written == 12
    ref = batch.apply_many(src, tmp_path / "ref", SHARPEN, Settings(), jobs=1)
    assert _files(tmp_path / "out") == _files(tmp_path / "ref") and ref.ok
    _no_temp_files(tmp_path / "out")


# -- paths --------------------------------------------------------------------------------------------------


def test_fsspec_urls_read_and_write_like_paths(tmp_path):
    import fsspec

    fs = fsspec.filesystem("memory")
    local = tmp_path / "in"
    local.mkdir()
    for name in ("a.png", "b c.jpg"):
        buf = io.BytesIO()
        _photo(size=(60, 40), seed=len(name)).save(buf, format="PNG" if name.endswith("png") else "JPEG")
        (local / name).write_bytes(buf.getvalue())
        fs.pipe(f"/batch-test/in/{name}", buf.getvalue())
    try:
        remote = batch.apply_many("memory://batch-test/in", "memory://batch-test/out", SHARPEN, Settings(), jobs=1)
        here = batch.apply_many(local, tmp_path / "out", SHARPEN, Settings(), jobs=1)
        assert remote.ok and here.ok and remote.written == 2
        for name in ("a.png", "b c.png"):
            assert fs.cat(f"/batch-test/out/{name}") == (tmp_path / "out" / name).read_bytes()
        again = batch.apply_many("memory://batch-test/in", "memory://batch-test/out", SHARPEN, Settings(), jobs=1)
        assert {o.code for o in again.failed} == {"batch_exists"}
    finally:
        fs.rm("/batch-test", recursive=True)


def test_a_plain_run_imports_neither_dask_nor_fsspec(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(size=(40, 30), seed=i).save(src / f"{i}.png")
    code = (
        "import sys\n"
        "import imgkernel\n"
        "from imgkernel.cli import main\n"
        f"rc = main(['apply', {str(src)!r}, {str(tmp_path / 'out')!r}, '-k', 'blur', '-j', '2'])\n"
        "rc |= main(['apply', " + repr(str(src / "0.png")) + ", " + repr(str(tmp_path / "o.jpg")) + ", '-k', 'blur'])\n"
        "print(rc, sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'fsspec', 'tqdm'}))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "0 []"


def test_progress_is_called_once_per_file_in_this_process(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    for i in range(3):
        _photo(size=(20, 10), seed=i).save(src / f"{i}.png")
    seen: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def progress(outcome, done, total):
        with lock:
            seen.append((os.path.basename(outcome.dst), done, total))

    summary = batch.apply_many(src, tmp_path / "out", SHARPEN, Settings(), jobs=2, progress=progress)
    assert sorted(n for n, _, _ in seen) == ["0.png", "1.png", "2.png"]
    assert [d for _, d, _ in seen] == [1, 2, 3] and {t for _, _, t in seen} == {3}
    assert [os.path.basename(o.src) for o in summary.outcomes] == ["0.png", "1.png", "2.png"]  # plan order
    o = summary.outcomes[0]
    assert o.seconds >= o.decode_s + o.filter_s + o.encode_s + o.write_s - 1e-6 and o.bytes_written > 0


def test_every_process_of_a_batch_uses_the_cost_model_measured_where_it_started(tmp_path):
    """Each process measuring its own model could pick another method for the same big photo (timings vary),
    and methods round float32 sums differently: the batch sends its model along instead."""
    from imgkernel import engine

    model = engine.Model(ns_per_pass=123.0)
    job = batch._Job(SHARPEN, Settings(), "png", None, False, model)
    src = tmp_path / "p.png"
    _photo(size=(20, 10)).save(src)
    before = engine._calibrated
    try:
        assert batch._run_one(str(src), str(tmp_path / "o.png"), job, 1).ok
        assert engine.calibration() is model
    finally:
        engine._calibrated = before


def test_every_batch_message_has_a_case(tmp_path, monkeypatch):
    """Each ``batch_`` template comes out of a real call (tests/test_messages_io.py leaves them to this file)."""
    import pickle

    from imgkernel.message_templates import TEMPLATES

    seen: dict[str, str] = {}

    def refused(call) -> None:
        with pytest.raises(KernelError) as info:
            call()
        seen[info.value.code] = str(info.value)

    src = tmp_path / "in"
    src.mkdir()
    _photo(size=(20, 10)).save(src / "p.png")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x")
    refused(lambda: batch.plan(tmp_path / "nope", tmp_path / "o"))
    refused(lambda: batch.plan(src, tmp_path / "file.txt"))
    refused(lambda: batch.plan([src / "p.png", src / "p.png"], tmp_path / "file.txt"))
    refused(lambda: batch.plan(tmp_path / "empty", tmp_path / "o"))
    refused(lambda: batch._list(str(tmp_path / "file.txt"), False, None))
    refused(lambda: batch.apply_many(src, tmp_path / "file.txt" / "out", SHARPEN, Settings()))
    refused(lambda: batch.check_format("gif"))
    refused(lambda: batch.plan(src / "p.png", tmp_path / "o.bmp"))
    refused(lambda: batch.plan(src / "p.png", tmp_path / "o.png", fmt="jpeg"))
    refused(lambda: batch.check_format("jpeg", 0))
    refused(lambda: batch.check_format("png", 50))
    refused(lambda: batch.apply_many(src, tmp_path / "o", SHARPEN, Settings(), jobs=0))
    with monkeypatch.context() as m:
        m.setattr(batch.features, "check", lambda feature: False)
        refused(lambda: batch.check_format("webp"))
    with monkeypatch.context() as m:
        m.setitem(sys.modules, "fsspec", None)
        m.setitem(sys.modules, "fsspec.core", None)
        refused(lambda: batch.plan("s3://bucket/in", tmp_path / "o"))

    def failed(outcome: batch.Outcome) -> None:
        assert not outcome.ok
        seen[outcome.code] = outcome.error
        assert pickle.loads(pickle.dumps(outcome)).code == outcome.code  # comes back from worker processes

    failed(batch.filter_file(src / "p.png", src / "p.png", SHARPEN, Settings()))
    Image.new("L", (16400, 2), 50).save(src / "wide.png")
    failed(batch.filter_file(src / "wide.png", tmp_path / "wide.webp", SHARPEN, Settings()))
    failed(batch.filter_file(src / "p.png", tmp_path / "missing" / "o.png", SHARPEN, Settings()))
    pair = (str(src / "p.png"), str(tmp_path / "o.png"))
    failed(batch._lost(pair, "batch_process_lost"))
    failed(batch._lost(pair, "batch_dask_worker_lost"))
    failed(batch._unexpected(pair, ZeroDivisionError("division by zero")))
    assert sorted(seen) == sorted(c for c in TEMPLATES if c.startswith("batch_"))
    assert "16400" in seen["batch_cannot_encode"] or "WEBP" in seen["batch_cannot_encode"]
    assert seen["batch_process_lost"].endswith("each of the 3 times it was tried.")


def test_a_killed_process_temporary_file_is_removed_before_its_file_is_tried_again(tmp_path):
    """A process killed while writing cannot remove its temporary file; the batch does, for the files it retries."""
    stale = tmp_path / f".a.png.0badcafe{batch.TEMP_SUFFIX}"
    others = [
        tmp_path / f".b.png.0badcafe{batch.TEMP_SUFFIX}",
        tmp_path / "a.png",
        tmp_path / f".a.png{batch.TEMP_SUFFIX}",
    ]
    for f in (stale, *others):
        f.write_bytes(b"")
    batch._remove_temporary([str(tmp_path / "a.png"), "memory://bucket/a.png"])
    assert not stale.exists() and all(f.exists() for f in others)


def test_the_biggest_files_are_started_first(tmp_path):
    """So a process is not left alone with the one 12 MP photo at the end while the others idle."""
    sizes = {"small.jpg": 10, "big.jpg": 3000, "mid.jpg": 500}
    for name, n in sizes.items():
        (tmp_path / name).write_bytes(b"x" * n)
    pairs = [(str(tmp_path / name), "out") for name in sizes] + [("s3://bucket/a.jpg", "out"), ("gone.jpg", "out")]
    assert batch._largest_first(pairs, [0, 1, 2, 3, 4]) == [1, 2, 0, 4, 3]
    assert batch._largest_first(pairs, [0, 3]) == [0, 3]
