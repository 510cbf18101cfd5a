"""Hostile input through every path of the playground (AppTest): files, grid cells, number fields, kernel
files and share links. Each bad input is refused with a plain message, the last good state stays, and the
NEXT action still gives correct pixels (checked against scipy through the page's result caption).

These tests prove the wiring, with a few inputs of each kind; every input is also checked fast, without AppTest:
the whole image corpus through the app's upload path (tests/test_uploads.py) and the loader (tests/test_images.py),
grid cells, number fields and links through the state transitions (tests/test_state.py), kernel files and links
through the library (tests/test_kernel_io.py, tests/test_share.py).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

import imgkernel
from app.limits import MAX_DILATION, MAX_SHARE_QUERY_CHARS, MAX_STRIDE
from app.state import current_download
from imgkernel.formats.images import EXTENSIONS
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE
from tests.apptest import (
    SHARPEN,
    assert_shows,
    component_data,
    edit,
    ok,
    open_detail,
    oracle,
    pick,
    png_bytes,
    resize,
    sample_pixels,
    scale_shown,
    set_scale,
    start,
    state,
    upload,
    widget,
)
from tests.corpus import corpus

OUTLINE = imgkernel.get("outline").matrix()
# A few files of each kind through the real widget (the whole corpus: tests/test_uploads.py, tests/test_images.py).
FILES = {
    name: corpus()[name]
    for name in (
        "rgba_png",  # colour with alpha: the alpha is kept for the download
        "la_png",  # gray with alpha
        "exif_orientation_6",  # a phone photo, turned upright
        "1x1",  # the smallest photo, filtered all border
        "text_as_png",  # not an image
        "eps",  # a format that would run Ghostscript
        "ppm",  # a format Pillow reads but the app does not take (renamed .png by the visitor)
        "truncated_jpeg",  # incomplete
        "png_bad_crc",  # damaged
        "jpeg_too_many_scans",  # a CPU bomb
        "png_header_100000x100000",  # an enormous header, refused before decoding
        "png_header_10000x10000",  # over the limit, and over Pillow's own warning threshold
    )
}


def upload_name(filename: str) -> str:
    """The name to upload under: Streamlit's uploader refuses other extensions itself (in the browser, before
    the app sees the file; see tests/browser/test_limits.py), so the content is sent renamed, as a user would."""
    return filename if filename.rsplit(".", 1)[-1].lower() in EXTENSIONS else filename + ".png"


def good_photo() -> np.ndarray:
    px = np.full((30, 20, 3), 90, np.uint8)
    px[8:22, 4:16] = (220, 40, 10)
    return px


def no_traceback(at) -> None:
    """No exception element and no Python internals in any message a visitor sees."""
    assert not at.exception, [e.value for e in at.exception]
    for el in (*at.error, *at.warning, *at.markdown, *at.caption):
        assert "Traceback" not in str(el.value) and 'File "' not in str(el.value)


@pytest.fixture
def with_good_photo():
    return ok(upload(start(), "good.png", png_bytes(good_photo())))


# ---- every corpus file through the upload widget ----


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, before our limit refuses
@pytest.mark.parametrize("name", list(FILES))
def test_every_corpus_file_through_the_uploader(with_good_photo, name):
    f = FILES[name]
    at = with_good_photo
    name = upload_name(f.filename)
    at.file_uploader(key="pg_upload").clear().upload(name, f.data, "application/octet-stream")
    at.run()
    no_traceback(at)
    photo = state(at).photo
    if f.ok:
        _, shape, has_alpha = f.expect
        assert not at.error, [e.value for e in at.error]
        assert photo.name == name and photo.pixels.shape == shape
        assert (photo.alpha is not None) == has_alpha
        for (r, c), value in f.probes:
            assert np.abs(photo.pixels[r, c].astype(int) - np.asarray(value)).max() <= f.tol
        open_detail(at, "Export and share")
        at.button(key="pg_prepare").click().run()
        download = np.asarray(Image.open(io.BytesIO(current_download(state(ok(at))))))
        channels = (1 if len(shape) == 2 else 3) + (1 if has_alpha else 0)
        assert (download.shape[2] if download.ndim == 3 else 1) == channels  # alpha kept for the download
        if has_alpha:
            np.testing.assert_array_equal(download[..., -1], photo.alpha)
        expected_px = photo.pixels
    else:
        (err,) = [e.value for e in at.error]
        assert name in err and f.expect[1] in err and "last good photo stays" in err
        assert photo.name == "good.png"
        np.testing.assert_array_equal(photo.pixels, good_photo())
        expected_px = good_photo()
    # the next action works and gives correct pixels
    pick(at, "pg_kernel", "kernel", "outline")
    no_traceback(at)
    assert not [e for e in at.error if "last good photo" not in e.value]
    np.testing.assert_array_equal(state(at).matrix, OUTLINE)
    assert_shows(at, oracle(expected_px, OUTLINE), clip_tolerance=2)


def test_a_refused_replacement_keeps_the_previous_upload_not_the_sample():
    """The browser replaces a file in two runs (the old file removed, then the new one added)."""
    at = start()
    pick(at, "pg_photo", "sample", "Coffee cup")
    ok(upload(at, "good.png", png_bytes(good_photo())))
    at.file_uploader(key="pg_upload").clear().run()  # run 1: the old file is gone (the sample shows meanwhile)
    assert state(ok(at)).photo.sample == "Coffee cup"
    at.file_uploader(key="pg_upload").upload("notes.png", b"not a picture", "image/png").run()  # run 2
    no_traceback(at)
    (err,) = [e.value for e in at.error]
    assert "notes.png" in err
    np.testing.assert_array_equal(state(at).photo.pixels, good_photo())
    assert_shows(at, oracle(good_photo(), SHARPEN))
    pick(at, "pg_kernel", "kernel", "outline")  # and it stays for the next action
    assert state(at).photo.name == "good.png"
    assert_shows(at, oracle(good_photo(), OUTLINE))
    pick(at, "pg_photo", "sample", "Astronaut")  # choosing a sample still works
    assert state(ok(at)).photo.sample == "Astronaut"


def test_an_upload_writes_nothing_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upload and its full-resolution export leave no file behind: not in the temporary directory (a fresh one
    for this test, so that files other processes put in the shared /tmp meanwhile do not count: a sibling test's
    multiprocessing socket once did), nor in the repository; and no code of the app names /tmp itself."""
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    repo = Path(__file__).resolve().parents[1]
    skip = {".venv", ".git", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis", "test-artifacts"}

    def snapshot() -> set[str]:
        found = set()
        for root in (private, repo):
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if d not in skip]
                found.update(os.path.join(dirpath, n) for n in filenames)
        return found

    at = start()  # the app and its imports are loaded before the snapshot
    before = snapshot()
    px = np.random.default_rng(5).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    ok(upload(at, "private.jpg", png_bytes(px, "JPEG"), "image/jpeg"))
    open_detail(at, "Export and share")
    at.button(key="pg_prepare").click().run()
    assert state(ok(at)).photo.name == "private.jpg"
    assert snapshot() - before == set()
    sources = [*repo.glob("app/**/*.py"), *repo.glob("imgkernel/**/*.py"), *repo.glob("pages/*.py")]
    assert sources and not [p for p in sources if "/tmp" in p.read_text(encoding="utf-8")]


# ---- the kernel grid ----


@pytest.mark.parametrize(
    ("value", "words"),
    [  # a few of each kind; every one of tests/test_state.py's BAD_CELLS goes through the transition there
        ("", "empty"),
        ("nan", "NaN"),
        (float("nan"), "NaN"),  # (JSON's non-standard NaN literal: only a forged client sends it)
        (float("inf"), "too large"),
        (1e308, "too large"),
        (MAX_KERNEL_ABS * 1.0001, "too large"),
        ("<script>alert(1)</script>", "not a number"),
        ("__import__('os').system('touch /tmp/pwned')", "too long a text"),
        ("9" * 10_000, "too long a text"),  # cut to 100 characters before it is read
    ],
)
def test_bad_grid_cells_are_refused_and_the_next_edit_works(value, words):
    at = edit(start(), 1, 1, value)
    no_traceback(at)
    assert not at.error  # said on the cell itself
    bad = component_data(at, "pg_grid")["bad"]
    assert (bad["row"], bad["col"]) == (1, 1) and "row 2, column 2" in bad["message"] and words in bad["message"]
    assert len(bad["text"]) <= 40 and "<script>" not in "".join(m.value for m in at.markdown)
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)
    assert_shows(at, oracle(sample_pixels(), SHARPEN))
    at = edit(at, 0, 0, 1.0)  # the next action: a good edit
    expected = SHARPEN.copy()
    expected[0, 0] = 1.0
    np.testing.assert_array_equal(state(ok(at)).matrix, expected)
    assert_shows(at, oracle(sample_pixels(), expected), clip_tolerance=2)
    assert not Path("/tmp/pwned").exists()


@pytest.mark.parametrize("value", [MAX_KERNEL_ABS, -MAX_KERNEL_ABS, " 2 ", "-0", 1e-300])
def test_grid_values_at_the_limits_are_accepted(value):
    at = ok(edit(start(), 1, 1, value))
    got = state(at).matrix[1, 1]
    assert got == pytest.approx(float(value))


def test_an_all_zero_kernel_gives_a_black_result_and_can_be_left():
    at = start()
    for r in range(3):
        for c in range(3):
            if SHARPEN[r, c]:
                at = edit(at, r, c, 0.0)
    ok(at)
    assert not state(at).matrix.any()
    assert_shows(at, np.zeros(sample_pixels().shape))
    pick(at, "pg_kernel", "kernel", "outline")
    assert_shows(ok(at), oracle(sample_pixels(), OUTLINE))


@pytest.mark.parametrize("side", [1, 15, MAX_KERNEL_SIDE])
def test_kernel_sizes_at_the_limits(side):
    at = start()
    resize(at, side, side)
    k = state(ok(at)).matrix
    assert k.shape == (side, side)
    expected = np.zeros((side, side))
    c, o = side // 2, max(0, 1 - side // 2)  # the sharpen weights kept around the centre
    expected[max(0, c - 1) : c + 2, max(0, c - 1) : c + 2] = SHARPEN[o : o + min(3, side), o : o + min(3, side)]
    np.testing.assert_array_equal(k, expected)
    assert_shows(at, oracle(sample_pixels(), expected), clip_tolerance=2)


@pytest.mark.parametrize("side", [MAX_KERNEL_SIDE + 1, 10**9, 0, -5])
def test_a_forged_kernel_side_past_the_limit_never_reaches_the_engine(side):
    """The browser's size fields send only sides within bounds; a forged one is refused in words, the kernel kept."""
    at = start()
    resize(at, side, 3)
    no_traceback(at)
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)
    assert any("not a kernel edit" in e.value for e in at.error)
    assert_shows(at, oracle(sample_pixels(), SHARPEN))


# ---- the number fields ----


@pytest.mark.parametrize("value", [0.0, 1e-300, -1e-300])
def test_a_useless_divisor_is_refused_and_the_last_valid_one_kept(value):
    at = start()
    set_scale(at, "divisor", 2.0)
    set_scale(at, "divisor", value)
    no_traceback(at)
    assert "last valid divisor (2)" in scale_shown(at)["problem"]
    assert state(at).settings.divisor == 2.0
    assert_shows(at, oracle(sample_pixels(), SHARPEN, divisor=2.0))


@pytest.mark.parametrize("name", ["divisor", "offset"])
@pytest.mark.parametrize("value", [MAX_KERNEL_ABS, -MAX_KERNEL_ABS])
def test_number_fields_at_the_weight_limit(name, value):
    at = start()
    set_scale(at, name, f"{value:g}")
    assert getattr(state(ok(at)).settings, name) == value
    assert_shows(at, oracle(sample_pixels(), SHARPEN, **{name: value}))


FORGED = [MAX_KERNEL_ABS * 10, float("inf"), float("nan")]


def _kept_within_limits(at) -> None:
    no_traceback(at)
    s = state(at).settings
    for v in (s.divisor, s.offset, s.cval):
        assert np.isfinite(v) and abs(v) <= MAX_KERNEL_ABS
    assert s.divisor != 0


@pytest.mark.parametrize("name", ["divisor", "offset"])
@pytest.mark.parametrize("value", [*FORGED, "1e400", "nan", "abc"])
def test_a_forged_divisor_or_offset_is_refused_in_words_and_never_reaches_the_engine(name, value):
    """Beside the grid, whatever a forged editor sends (text or a JSON number, NaN and infinity included): refused
    in words on the scale, the settings in use kept (the transitions: tests/test_state.py, with -inf and 1e308)."""
    at = start()
    set_scale(at, name, value)
    assert scale_shown(at)["problem"]
    _kept_within_limits(at)
    assert (state(at).settings.divisor, state(at).settings.offset) == (1.0, 0.0)
    assert_shows(at, oracle(sample_pixels(), SHARPEN))


@pytest.mark.parametrize("value", FORGED)
def test_a_forged_border_constant_never_reaches_the_engine(value):
    """The constant's field is Streamlit's, which clamps a forged value into its bounds."""
    at = start()
    widget(at, "selectbox", "pg_mode").select("constant").run()
    widget(at, "number_input", "pg_cval").set_value(value).run()
    _kept_within_limits(at)
    s = state(at).settings
    if s.cval == 0:
        assert_shows(at, oracle(sample_pixels().astype(np.float64), SHARPEN, mode="constant"), clip_tolerance=2)


# ---- kernel JSON files ----

NESTED = ("[" * 100_000 + "]" * 100_000).encode()


@pytest.mark.parametrize(
    ("data", "words"),
    [  # one of each kind (every kind and more: tests/test_kernel_io.py)
        (b"this is not json", "not valid JSON"),  # syntax
        (b"\xff\xfe\x00garbage", "not text"),  # encoding
        (NESTED[: MAX_KERNEL_JSON_BYTES - 10], "nested too deeply"),  # depth
        (b'{"matrix": [[1]], "x": "' + b"a" * MAX_KERNEL_JSON_BYTES + b'"}', "too large"),  # bytes
        (json.dumps({"matrix": [[1] * 64] * 64}).encode(), "too big"),  # kernel size
        (json.dumps({"matrix": [[1, 2], [3]]}).encode(), "same number"),  # shape
        (b'{"matrix": [[1, NaN]]}', "NaN"),  # a weight
        (json.dumps({"matrix": [[1]], "divisor": 0}).encode(), "cannot be 0"),  # the scale
        (json.dumps({"matrix": [[1]], "__class__": "os.system"}).encode(), "Unknown field"),  # a field
    ],
)
def test_bad_kernel_files_are_refused_and_the_kernel_stays(data, words):
    at = start()
    open_detail(at, "Export and share")
    at.file_uploader(key="pg_json").upload("k.json", data, "application/json")
    at.run()
    no_traceback(at)
    (err,) = [e.value for e in at.error]
    assert "k.json" in err and words in err and "current kernel stays" in err
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)
    assert_shows(at, oracle(sample_pixels(), SHARPEN))
    pick(at, "pg_kernel", "kernel", "outline")  # the next action works
    np.testing.assert_array_equal(state(at).matrix, OUTLINE)
    assert_shows(at, oracle(sample_pixels(), OUTLINE))


def test_a_kernel_file_at_the_size_limits_is_accepted():
    side = MAX_KERNEL_SIDE
    doc = {"matrix": [[1] * side] * side, "divisor": side * side}
    text = json.dumps(doc)
    text += " " * (MAX_KERNEL_JSON_BYTES - len(text))  # exactly at the byte limit
    at = start()
    open_detail(at, "Export and share")
    at.file_uploader(key="pg_json").upload("big.json", text.encode(), "application/json")
    at.run()
    k = state(ok(at))
    assert k.matrix.shape == (side, side) and k.settings.divisor == side * side
    # ones / side² is the window mean: scipy's uniform_filter gives the same correlation from running sums
    expected = ndimage.uniform_filter(sample_pixels().astype(np.float64), size=(side, side, 1), mode="reflect")
    assert_shows(at, expected, clip_tolerance=2)


# ---- share links ----

MARKER = Path(tempfile.gettempdir()) / "imgkernel-hostile-marker"


@pytest.mark.parametrize(
    "query",
    [  # one of each kind; every one of tests/test_state.py's HOSTILE_LINKS goes through decode and open_link there
        {"k": "<script>alert(1)</script>"},  # markup
        {"k": "custom", "m": f"__import__('pathlib').Path('{MARKER}').touch()"},  # code
        {"img": "../../etc/passwd"},  # a path
        {"k": "blür✓ 🙂", "mode": "réflect"},  # non-ASCII
        {"k": "custom", "m": "1,2;3"},  # a ragged matrix
        {"stride": "-1", "dil": "1e9", "off": "nan", "div": "0"},  # numbers out of range
        {"k": ["blur", "<script>"]},  # a repeated key
        {"k": "\x00\x1b[31m"},  # control characters
    ],
)
def test_hostile_links_are_ignored_with_a_notice(query):
    at = start(query)
    no_traceback(at)
    assert not at.error
    (warning,) = [w.value for w in at.warning]
    assert warning.startswith("Some settings in the link were ignored")
    assert "<script>" not in "".join(m.value for m in at.markdown)  # never rendered as markup
    k = state(at)
    photo = state(at).photo
    assert photo.sample in (None, "Chelsea the cat") and "passwd" not in photo.name
    assert_shows(
        at,
        oracle(photo.pixels, k.matrix, mode=k.settings.mode, divisor=k.settings.divisor, offset=k.settings.offset),
        clip_tolerance=2,
    )
    pick(at, "pg_kernel", "kernel", "outline")  # the next action works
    assert_shows(
        ok(at),
        oracle(photo.pixels, OUTLINE, mode=k.settings.mode, divisor=1.0, offset=state(at).settings.offset),
        clip_tolerance=2,
    )
    assert not MARKER.exists()


def test_an_oversized_link_is_ignored_as_a_whole():
    at = start({"k": "blur", "mode": "wrap", "pad": "x" * MAX_SHARE_QUERY_CHARS})
    (warning,) = [w.value for w in ok_but_warned(at).warning]
    assert "too long" in warning
    assert state(at).name == "sharpen" and state(at).settings.mode == "reflect"
    assert_shows(at, oracle(sample_pixels(), SHARPEN))


def ok_but_warned(at):
    no_traceback(at)
    assert not at.error
    return at


def test_a_link_exactly_at_the_length_limit_is_read():
    pad = MAX_SHARE_QUERY_CHARS - len("k") - len("blur") - len("zz")  # keys and values count, as decode sums them
    at = start({"k": "blur", "zz": "x" * pad})
    (warning,) = [w.value for w in ok_but_warned(at).warning]
    assert "unknown setting" in warning and "too long" not in warning  # only the junk key is ignored
    assert state(at).name == "blur"
    at = start({"k": "blur", "zz": "x" * (pad + 1)})
    (warning,) = [w.value for w in ok_but_warned(at).warning]
    assert "too long" in warning and state(at).name == "sharpen"


@pytest.mark.parametrize(
    ("key", "field", "limit"), [("stride", "stride", MAX_STRIDE), ("dil", "dilation", MAX_DILATION)]
)
def test_stride_and_dilation_at_and_past_the_limit(key, field, limit):
    at = ok(start({key: str(limit)}))
    assert getattr(state(at).settings, field) == limit
    assert not at.warning
    at = start({key: str(limit + 1)})
    (warning,) = [w.value for w in ok_but_warned(at).warning]
    assert key in warning and getattr(state(at).settings, field) == 1
    at = start()
    widget(at, "slider", "pg_stride" if key == "stride" else "pg_dil").set_value(limit).run()
    assert getattr(state(ok(at)).settings, field) == limit
