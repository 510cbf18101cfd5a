"""The playground page driven in-process with AppTest: every control, bad input and share links
(pixels checked against scipy through the page's result caption, see ``tests.apptest``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache, export, share, wording
from app.limits import PREVIEW_LONG_SIDE, UPLOAD_LIMIT_MB
from app.panels import details
from app.panels.details import file_stem
from app.state import BadCell, Photo, PlaygroundState, current_download, digest_of
from imgkernel.limits import MAX_KERNEL_SIDE
from tests.apptest import (
    PLAYGROUND,
    SHARPEN,
    assert_shows,
    component_data,
    control,
    edit,
    grid_rows,
    move,
    ok,
    open_detail,
    oracle,
    paste,
    pick,
    png_bytes,
    resize,
    result_caption,
    sample_pixels,
    scale_shown,
    send,
    set_scale,
    set_whole,
    shown_numbers,
    slider_values,
    start,
    state,
    upload,
    widget,
)

# ---- default view and kernel controls ----


def test_opens_with_the_default_sample_sharpened():
    at = ok(start())
    chosen = state(at)  # the one state, which the Learn pages read too
    assert isinstance(chosen, PlaygroundState) and chosen.name == "sharpen"
    np.testing.assert_array_equal(chosen.matrix, SHARPEN)
    assert state(at).photo.sample == cache.DEFAULT_SAMPLE
    assert_shows(at, oracle(sample_pixels(), SHARPEN))
    assert "Sharpen" in result_caption(at)
    assert at.query_params["k"] == ["sharpen"] or at.query_params["k"] == "sharpen"


def test_choosing_a_preset_resets_the_grid_and_the_result():
    at = ok(edit(start(), 0, 0, 3.0))  # the grid on screen holds an edit
    assert grid_rows(at)[0, 0] == 3
    pick(at, "pg_kernel", "kernel", "outline")
    ok(at)
    outline = imgkernel.get("outline").matrix()
    np.testing.assert_array_equal(state(at).matrix, outline)
    np.testing.assert_array_equal(grid_rows(at), outline)  # the grid shows the preset: the old edit is gone
    assert_shows(at, oracle(sample_pixels(), outline))


def test_every_catalogue_kernel_runs_with_its_suggested_scale():
    """One session picks every kernel in turn (each choice replaces the last kernel, its parameters and scale)."""
    at = start()
    failed = {}
    for name, spec in imgkernel.CATALOGUE.items():
        pick(at, "pg_kernel", "kernel", name)
        try:
            k = state(ok(at))
            assert k.name == name
            np.testing.assert_array_equal(k.matrix, spec.matrix())
            assert (k.settings.divisor, k.settings.offset) == (spec.divisor, spec.offset)
            assert list(slider_values(at) if spec.params else {}) == [p.name for p in spec.params]
            expected = oracle(sample_pixels(), spec.matrix(), divisor=spec.divisor, offset=spec.offset)
            assert_shows(at, expected, clip_tolerance=3)
        except AssertionError as exc:
            failed[name] = str(exc)
    assert not failed, failed


def test_a_slider_rebuilds_the_matrix():
    at = start()
    assert slider_values(at) == {"inner": 5.0, "edge": -1.0}
    move(at, "inner", 9.0)
    ok(at)
    expected = imgkernel.get("sharpen").matrix({"inner": 9.0})
    np.testing.assert_array_equal(state(at).matrix, expected)
    assert slider_values(at)["inner"] == 9.0 and state(at).name == "sharpen"
    np.testing.assert_array_equal(grid_rows(at), expected)  # the grid follows the slider
    assert_shows(at, oracle(sample_pixels(), expected))


def test_editing_a_cell_makes_a_custom_kernel_that_keeps_the_edit():
    at = ok(edit(start(), 1, 1, 9.0))
    expected = SHARPEN.copy()
    expected[1, 1] = 9.0
    assert state(at).name == "custom"
    assert control(at, "pg_kernel", "kernel")["value"] == "custom"
    np.testing.assert_array_equal(state(at).matrix, expected)
    assert_shows(at, oracle(sample_pixels(), expected))
    at.run()  # the edit survives the next rerun (the grid shows it)
    np.testing.assert_array_equal(state(ok(at)).matrix, expected)
    np.testing.assert_array_equal(grid_rows(at), expected)
    edit(at, 0, 0, -2.0)  # a second edit, on top of the first
    expected[0, 0] = -2.0
    np.testing.assert_array_equal(state(ok(at)).matrix, expected)


@pytest.mark.parametrize(
    ("value", "words"),
    [("abc", "not a number"), ("", "empty"), ("nan", "NaN"), ("1e400", "too large"), ("1e300", "too large")],
)
def test_a_bad_cell_is_marked_on_the_grid_and_the_previous_kernel_stays(value, words):
    at = ok(edit(start(), 2, 0, value))  # said on the cell itself, not in an alert under the grid
    bad = component_data(at, "pg_grid")["bad"]
    assert (bad["row"], bad["col"], bad["text"]) == (2, 0, value)  # what was typed stays on screen, marked
    assert "row 3, column 1" in bad["message"] and words in bad["message"]
    assert state(at).bad_cell == BadCell(2, 0, value)
    assert state(at).name == "sharpen" and not state(at).history.past
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)
    np.testing.assert_array_equal(grid_rows(at), SHARPEN)
    assert_shows(at, oracle(sample_pixels(), SHARPEN))
    edit(at, 2, 0, "2")  # typed again, right this time: the mark goes
    assert component_data(ok(at), "pg_grid")["bad"] is None and state(at).matrix[2, 0] == 2


def test_resizing_keeps_the_weights_around_the_centre():
    at = start()
    resize(at, 5, 4)
    ok(at)
    m = state(at).matrix
    assert m.shape == (5, 4) and state(at).name == "custom"
    np.testing.assert_array_equal(m[1:4, 1:4], SHARPEN)  # anchors 5//2=2 and 4//2=2 land on the old centre
    assert m.sum() == SHARPEN.sum() and np.count_nonzero(m) == np.count_nonzero(SHARPEN)
    assert_shows(at, oracle(sample_pixels(), m))


def test_border_modes_change_the_result():
    at = start()
    widget(at, "selectbox", "pg_mode").select("wrap").run()
    assert_shows(ok(at), oracle(sample_pixels(), SHARPEN, mode="wrap"))
    widget(at, "selectbox", "pg_mode").select("valid").run()
    w, h, *_ = shown_numbers(ok(at))
    px = sample_pixels()
    assert (h, w) == (px.shape[0] - 2, px.shape[1] - 2)
    assert not at.info  # the difference panel is closed: nothing computed for it
    assert any("no pixel-by-pixel difference" in i.value for i in open_detail(at, "Difference").info)
    widget(at, "selectbox", "pg_mode").select("constant").run()
    widget(at, "number_input", "pg_cval").set_value(255.0).run()
    assert state(ok(at)).settings.cval == 255.0
    expected = oracle(px, SHARPEN)  # the interior is unaffected by the border value
    w, h, low, high, _ = shown_numbers(at)
    assert (h, w) == px.shape[:2] and low <= expected[1:-1, 1:-1].min() + 0.06


def test_normalise_keeps_brightness_of_an_edge_finder_at_mid_grey():
    at = start()
    pick(at, "pg_kernel", "kernel", "outline")
    set_scale(at, "normalise", True)
    ok(at)
    assert state(at).settings.normalise and scale_shown(at)["disabled"] == {"divisor": True, "offset": True}
    assert scale_shown(at)["auto"] == "Normalise uses divisor 1 and offset 127.5."
    assert_shows(at, oracle(sample_pixels(), imgkernel.get("outline").matrix(), offset=127.5))


def test_a_zero_divisor_is_refused_and_the_last_valid_one_kept():
    at = start()
    set_scale(at, "divisor", "2")
    assert_shows(ok(at), oracle(sample_pixels(), SHARPEN, divisor=2.0))
    assert scale_shown(at)["shown"]["divisor"] == "2" and not scale_shown(at)["problem"]
    set_scale(at, "divisor", "0")
    assert not at.exception
    assert "divisor cannot be 0" in scale_shown(at)["problem"]
    assert state(at).settings.divisor == 2.0
    assert_shows(at, oracle(sample_pixels(), SHARPEN, divisor=2.0))
    set_scale(at, "divisor", 1e-9)  # would overflow float32: refused the same way
    assert not at.exception and "divisor" in scale_shown(at)["problem"]
    assert_shows(at, oracle(sample_pixels(), SHARPEN, divisor=2.0))
    set_scale(at, "divisor", "abc")  # text: refused in words, the last good divisor stays
    assert "The last valid divisor (2) stays in use." in scale_shown(at)["problem"]
    set_scale(at, "offset", "1/2")  # a fraction, as a cell reads it; the divisor's message goes with a good value
    set_scale(at, "divisor", "4")
    assert state(at).settings.offset == 0.5 and not scale_shown(at)["problem"]
    assert_shows(at, oracle(sample_pixels(), SHARPEN, divisor=4.0, offset=0.5))


def test_stride_dilation_flip_gray_and_views_reach_the_settings():
    at = start()
    widget(at, "slider", "pg_stride").set_value(2).run()
    widget(at, "slider", "pg_dil").set_value(3).run()
    widget(at, "toggle", "pg_conv").set_value(True).run()
    widget(at, "toggle", "pg_gray").set_value(True).run()
    widget(at, "radio", "pg_view").set_value("signed").run()
    s = state(ok(at)).settings
    assert (s.stride, s.dilation, s.true_convolution, s.gray) == (2, 3, True, True)
    px = sample_pixels()
    w, h, *_ = shown_numbers(at)
    assert (h, w) == (-(-px.shape[0] // 2), -(-px.shape[1] // 2))
    assert at.query_params["view"] in ("signed", ["signed"])


def _alts(at: AppTest) -> list[str | None]:
    """The text alternative of every picture on the page (None: it has none)."""
    return [img.alt if img.HasField("alt") else None for element in at.image for img in element.proto.imgs]


def test_every_picture_says_what_it_shows_with_its_numbers():
    at = ok(start())
    w, h, low, high, _ = shown_numbers(at)
    name = cache.DEFAULT_SAMPLE
    assert _alts(at) == [
        f"{name}, original, {w} × {h} px",
        f"{name} filtered with Sharpen, {w} × {h} px, values {wording.num(low)} to {wording.num(high)}",
    ]
    widget(at, "radio", "pg_view").set_value("signed").run()
    original, result, scale = _alts(ok(at))
    assert result.endswith(", drawn blue below 0, white at 0, orange above")
    limit = wording.num(cache.result_view(state(at).photo, SHARPEN, state(at).settings, "signed").limit)
    assert scale == f"Colour scale from blue at −{limit} through white at 0 to orange at +{limit}"
    assert original == f"{name}, original, {w} × {h} px"
    widget(at, "radio", "pg_view").set_value("clip").run()
    diff = _alts(ok(open_detail(at, "Difference")))[2]
    assert diff.startswith(f"Difference between {name} and its Sharpen result, {w} × {h} px: ")
    zoom = _alts(ok(open_detail(at, "Zoom")))[2:]
    assert [z.split(":")[0] for z in zoom] == ["Original enlarged", "Result enlarged"]
    assert "15 × 15 pixels around x " in zoom[0] and "the kernel's 3 × 3 window outlined; its value R " in zoom[0]
    assert "that pixel outlined; its value R " in zoom[1]
    histogram = json.loads(open_detail(at, "Histogram").get("vega_lite_chart")[0].proto.spec)
    assert (
        histogram["description"].startswith("Histogram of ") and "filter responses from −" in histogram["description"]
    )


# ---- photos: upload, bad files, preview size ----


def test_an_uploaded_photo_is_filtered():
    rng = np.random.default_rng(0)
    px = rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)
    at = ok(upload(start(), "noise.png", png_bytes(px)))
    photo = state(at).photo
    assert photo.name == "noise.png" and photo.sample is None
    np.testing.assert_array_equal(photo.pixels, px)
    assert_shows(at, oracle(px, SHARPEN))


def _huge_png() -> bytes:
    buf = io.BytesIO()
    Image.new("1", (8000, 7000)).save(buf, format="PNG")  # 56 megapixels, a few kB on disk
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("notes.png", b"just some text, not a picture", "not an image"),
        ("empty.png", b"", "empty"),
        ("cut.png", png_bytes(np.zeros((64, 64, 3), np.uint8) + 7)[:80], "incomplete"),
        ("huge.png", _huge_png(), "megapixels"),
        ("big.png", b"\0" * (UPLOAD_LIMIT_MB * 1024 * 1024 + 1), "upload limit"),
    ],
)
def test_a_bad_upload_shows_an_error_and_keeps_the_last_good_photo(name, data, words):
    good = np.full((30, 20, 3), 100, np.uint8)
    good[10:20, 5:15] = 200
    at = ok(upload(start(), "good.png", png_bytes(good)))
    at.file_uploader(key="pg_upload").clear().upload(name, data, "image/png")
    at.run()
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert name in err and words in err
    np.testing.assert_array_equal(state(at).photo.pixels, good)
    assert_shows(at, oracle(good, SHARPEN))


def test_large_photos_are_previewed_and_downloaded_at_full_size():
    rng = np.random.default_rng(2)
    big = rng.integers(0, 256, (900, 1500, 3), dtype=np.uint8)
    at = ok(upload(start(), "big.jpg", png_bytes(big, "JPEG"), "image/jpeg"))
    photo = state(at).photo
    w, h, *_ = shown_numbers(at)
    assert max(w, h) == PREVIEW_LONG_SIDE and (w, h) == (PREVIEW_LONG_SIDE, round(900 * PREVIEW_LONG_SIDE / 1500))
    assert "preview of a 1500 × 900 px photo" in result_caption(at)
    widget(at, "select_slider", "pg_preview").set_value(512).run()
    assert max(shown_numbers(ok(at))[:2]) == 512
    open_detail(at, "Export and share")
    at.button(key="pg_prepare").click().run()
    assert current_download(state(ok(at)))[:8] == b"\x89PNG\r\n\x1a\n"
    full = np.asarray(Image.open(io.BytesIO(current_download(state(at)))))
    expected = np.clip(oracle(photo.pixels, SHARPEN) + 0.5, 0, 255).astype(np.uint8)
    assert full.shape == photo.pixels.shape
    assert np.count_nonzero(np.abs(full.astype(int) - expected) > 1) == 0
    assert any(s.label.startswith("Ready: ") for s in at.status)  # the export said how it went
    assert export.memory_budget().used == 0  # its memory reservation was given back
    move(at, "inner", 6.0)
    assert state(ok(at)).download is None  # a change made the file stale: the server let go of it


def test_full_resolution_png_reattaches_alpha():
    px = np.random.default_rng(3).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    alpha = np.tile(np.arange(30, dtype=np.uint8) * 8, (20, 1))
    photo = Photo("a.png", digest_of(px, alpha), px, alpha)
    out = np.asarray(Image.open(io.BytesIO(cache.full_resolution_png(photo, SHARPEN, imgkernel.Settings()))))
    assert out.shape == (20, 30, 4)
    np.testing.assert_array_equal(out[..., 3], alpha)
    expected = np.clip(oracle(px, SHARPEN) + 0.5, 0, 255).astype(np.uint8)
    assert np.abs(out[..., :3].astype(int) - expected).max() <= 1


def test_full_resolution_png_keeps_alpha_when_stride_and_valid_shrink_the_result():
    px = np.random.default_rng(4).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    alpha = (np.arange(20 * 30) % 251).reshape(20, 30).astype(np.uint8)
    photo = Photo("a.png", digest_of(px, alpha), px, alpha)
    settings = imgkernel.Settings(mode="valid", stride=2)
    out = np.asarray(Image.open(io.BytesIO(cache.full_resolution_png(photo, SHARPEN, settings))))
    assert out.shape == (9, 14, 4)  # floor((20 - 3) / 2) + 1 rows, floor((30 - 3) / 2) + 1 columns
    # each output pixel takes the alpha of the input pixel under the kernel's centre: rows 1, 3, ..., cols 1, 3, ...
    np.testing.assert_array_equal(out[..., 3], alpha[1:18:2, 1:28:2])


# ---- share links and kernel files ----


def test_a_share_link_restores_kernel_options_and_sample():
    at = ok(start({"k": "blur", "p.inner": "0.5", "mode": "wrap", "img": "Coffee cup", "div": "2"}))
    k = state(at)
    assert k.name == "blur" and k.params["inner"] == 0.5 and k.settings.mode == "wrap" and k.settings.divisor == 2
    assert state(at).photo.sample == "Coffee cup"
    expected = imgkernel.get("blur").matrix({"inner": 0.5})
    assert_shows(at, oracle(sample_pixels("Coffee cup"), expected, mode="wrap", divisor=2.0))
    assert not at.warning


def test_a_custom_matrix_link_round_trips_through_the_page():
    at = ok(edit(start(), 0, 2, 0.5))
    link = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    again = ok(start(link))
    np.testing.assert_array_equal(state(again).matrix, state(at).matrix)
    assert state(again).name == "custom"


def test_the_grid_puts_the_current_share_link_in_the_address_bar():
    # The browser writes the address bar from the grid's data on every run, a weight change included (the
    # server's st.query_params only on the kernel area's runs): it must be the page's own share link.
    at = ok(edit(start({"mode": "wrap"}), 1, 1, 6.5))
    address = parse_qs(component_data(at, "pg_grid")["address"])
    assert {k: v[-1] for k, v in address.items()} == details.share_query(state(at))[0]
    assert address["mode"] == ["wrap"]
    assert share.decode({k: v[-1] for k, v in address.items()}, cache.SAMPLES)[0].matrix[1, 1] == 6.5


def test_a_hostile_link_is_ignored_with_a_warning():
    at = start({"k": "__import__('os')", "stride": "999", "m": "1e999", "view": "<b>x</b>", "zzz": "1"})
    ok(at)
    (warning,) = [w.value for w in at.warning]
    for word in ("no such kernel", "stride", "only read with k=custom", "view", "unknown setting"):
        assert word in warning
    assert state(at).name == "sharpen" and state(at).settings.stride == 1
    assert_shows(at, oracle(sample_pixels(), SHARPEN))


def test_a_kernel_file_is_loaded_and_a_bad_one_refused():
    at = start()
    doc = {"name": "box", "matrix": [[1, 1], [1, 1]], "divisor": 4, "offset": 10}
    open_detail(at, "Export and share")
    at.file_uploader(key="pg_json").upload("box.json", json.dumps(doc).encode(), "application/json")
    at.run()
    ok(at)
    k = state(at)
    assert k.name == "custom" and k.settings.divisor == 4 and k.settings.offset == 10
    np.testing.assert_array_equal(k.matrix, np.ones((2, 2)))
    at.file_uploader(key="pg_json").clear().upload("evil.json", b'{"matrix": [[1, "x"]]}', "application/json")
    at.run()
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert "evil.json" in err and "numbers" in err
    np.testing.assert_array_equal(state(at).matrix, np.ones((2, 2)))


def test_the_camera_is_a_photo_source_too():
    px = np.random.default_rng(4).integers(0, 256, (24, 32, 3), dtype=np.uint8)
    at = start()
    assert not at.camera_input  # no camera (and no browser permission prompt) until asked for
    pick(at, "pg_cameras", "camera", True)
    assert state(ok(at)).photo.sample == cache.DEFAULT_SAMPLE  # nothing taken yet: the last photo stays
    shot = png_bytes(px, "JPEG")
    at.camera_input(key="pg_camera").upload("shot.jpg", shot, "image/jpeg")
    at.run()
    decoded = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))
    np.testing.assert_array_equal(state(ok(at)).photo.pixels, decoded)
    assert_shows(at, oracle(decoded, SHARPEN))


def test_result_histogram_and_difference_match_the_filter():
    px = np.random.default_rng(5).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    photo = Photo("p", digest_of(px), px)
    expected = oracle(px, SHARPEN)
    counts, edges = cache.histogram(photo, SHARPEN, imgkernel.Settings())
    assert counts.sum() == expected.size
    assert edges[0] == pytest.approx(expected.min()) and edges[-1] == pytest.approx(expected.max())
    shown = np.clip(expected + 0.5, 0, 255).astype(np.uint8)
    png, mean = cache.difference(photo, SHARPEN, imgkernel.Settings())
    assert mean == pytest.approx(np.abs(shown.astype(int) - px).mean(), abs=0.01)
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png))), np.abs(shown.astype(int) - px))
    assert cache.difference(photo, SHARPEN, imgkernel.Settings(stride=2)) is None
    v = cache.result_view(photo, SHARPEN, imgkernel.Settings(), "clip")
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(v.png))), shown)  # PNG: exact pixels
    signed = cache.result_view(photo, SHARPEN, imgkernel.Settings(), "signed")
    assert signed.limit == pytest.approx(np.abs(expected.mean(axis=2)).max(), rel=1e-5)
    original = np.asarray(Image.open(io.BytesIO(cache.original_png(photo, gray=False))))
    np.testing.assert_array_equal(original, px)


def two_page_app(tmp_path: Path, other_page: str) -> AppTest:
    """The playground next to another page (as the Learn pages will be), to test switching pages."""
    (tmp_path / "other.py").write_text(other_page)
    playground = PLAYGROUND
    (tmp_path / "app.py").write_text(
        "import streamlit as st\n"
        f"st.navigation([st.Page({str(playground)!r}, title='Playground', default=True),"
        " st.Page('other.py', title='Other')]).run()\n"
    )
    return AppTest.from_file(str(tmp_path / "app.py"), default_timeout=30)


def test_the_playground_keeps_its_state_across_page_switches(tmp_path):
    at = two_page_app(tmp_path, "import streamlit as st\nfrom app import session\nst.write(session.current().name)\n")
    at.run()
    pick(at, "pg_kernel", "kernel", "blur")
    move(at, "inner", 0.5)
    widget(at, "selectbox", "pg_mode").select("wrap").run()
    widget(at, "radio", "pg_view").set_value("signed").run()
    expected = state(ok(at))
    at.switch_page("other.py").run()
    assert ok(at).markdown[0].value == "blur"  # the other page sees the playground's kernel
    at.switch_page(PLAYGROUND).run()
    back = state(ok(at))
    assert (back.name, back.params, back.settings) == (expected.name, expected.params, expected.settings)
    assert widget(at, "radio", "pg_view").value == "signed" and widget(at, "selectbox", "pg_mode").value == "wrap"


def test_a_kernel_published_by_another_page_opens_in_the_playground(tmp_path):
    other = (
        "import numpy as np\nimport streamlit as st\nfrom app import session, state\n"
        "session.apply(state.load_kernel, np.array([[1.0, 2.0], [3.0, 4.0]]), title='Mine', divisor=10.0)\n"
        "session.apply(state.set_option, 'stride', 99)\nst.write('set')\n"
    )
    at = two_page_app(tmp_path, other)
    at.run()
    at.switch_page("other.py").run()
    at.switch_page(PLAYGROUND).run()
    assert not at.exception
    k = state(at)
    np.testing.assert_array_equal(k.matrix, [[1, 2], [3, 4]])
    assert k.title == "Mine" and control(at, "pg_kernel", "kernel")["value"] == "custom"
    assert k.settings.divisor == 10 and k.settings.stride == 1  # the impossible stride was refused
    assert any("Stride" in e.value for e in at.error)


@pytest.fixture
def box_kernel(monkeypatch):
    """A catalogue entry with an integer parameter (the catalogue is being extended with such kernels)."""
    spec = imgkernel.KernelSpec(
        "test_box",
        "Test box",
        "Blur",
        "Averages a square.",
        "Every cell is 1/n².",
        lambda size: np.full((size, size), 1.0 / size**2),
        (imgkernel.Param("size", "Size", 3, 1, 15, 2, integer=True),),
    )
    monkeypatch.setitem(imgkernel.CATALOGUE, spec.name, spec)
    return spec


def test_integer_parameters_are_integer_sliders(box_kernel):
    at = start()
    pick(at, "pg_kernel", "kernel", "test_box")
    (slider,) = component_data(at, "pg_params")["params"]
    assert isinstance(slider["value"], int) and slider["value"] == 3 and slider["step"] == 2
    move(at, "size", 7)
    k = state(ok(at))
    assert k.params == {"size": 7} and k.matrix.shape == (7, 7)
    assert scale_shown(at)["shape"] == [7, 7]
    assert_shows(at, oracle(sample_pixels(), np.full((7, 7), 1 / 49)))
    again = ok(start({"k": "test_box", "p.size": "5"}))
    assert state(again).matrix.shape == (5, 5)


def test_a_kernel_that_cannot_fit_in_valid_mode_is_explained_and_recoverable():
    tiny = np.full((6, 6, 3), 50, np.uint8)
    at = upload(start(), "tiny.png", png_bytes(tiny))
    widget(at, "selectbox", "pg_mode").select("valid").run()
    widget(at, "slider", "pg_dil").set_value(4).run()  # a 3x3 kernel spans 9 pixels with dilation 4
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert "valid" in err and "fit" in err
    widget(at, "selectbox", "pg_mode").select("reflect").run()
    assert_shows(ok(at), np.full((6, 6, 3), 50.0))  # sharpen keeps a flat photo as it is


def test_the_photo_widget_touched_last_wins():
    px = np.random.default_rng(6).integers(0, 256, (20, 20, 3), dtype=np.uint8)
    at = ok(upload(start(), "mine.png", png_bytes(px)))
    assert state(at).photo.name == "mine.png"
    pick(at, "pg_photo", "sample", "Coffee cup")
    assert state(ok(at)).photo.sample == "Coffee cup"
    assert_shows(at, oracle(sample_pixels("Coffee cup"), SHARPEN))
    at.file_uploader(key="pg_upload").clear().upload("again.png", png_bytes(px)).run()
    assert state(ok(at)).photo.name == "again.png"
    at.file_uploader(key="pg_upload").clear().run()  # removing the file hands back to the sample
    assert state(ok(at)).photo.sample == "Coffee cup"


def test_a_parameter_combination_the_kernel_refuses_keeps_the_previous_kernel(monkeypatch):
    def build(size: int) -> np.ndarray:
        if size > 5:
            raise imgkernel.KernelError("Too wide for this test kernel.")
        return np.full((size, size), 1.0 / size**2)

    spec = imgkernel.KernelSpec(
        "test_picky", "Picky", "Blur", "s", "e", build, (imgkernel.Param("size", "Size", 3, 1, 9, 2, integer=True),)
    )
    monkeypatch.setitem(imgkernel.CATALOGUE, spec.name, spec)
    at = start()
    pick(at, "pg_kernel", "kernel", "test_picky")
    move(at, "size", 5)
    np.testing.assert_array_equal(state(ok(at)).matrix, np.full((5, 5), 1 / 25))
    move(at, "size", 7)
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert "Too wide" in err
    np.testing.assert_array_equal(state(at).matrix, np.full((5, 5), 1 / 25))
    assert_shows(at, oracle(sample_pixels(), np.full((5, 5), 1 / 25)))


@pytest.mark.parametrize(
    ("text", "stem"),
    [
        ("../../etc/my Photo?.png", "etc-my-photo-png"),
        ("Blur (3x3 Gaussian)", "blur-3x3-gaussian"),
        ("???", "image"),
        ("a" * 100, "a" * 60),
    ],
)
def test_download_names_are_safe_file_names(text, stem):
    assert file_stem(text) == stem


def test_a_grid_too_big_for_a_link_is_left_out_of_it_but_kept_across_pages(tmp_path):
    big = np.random.default_rng(7).normal(size=(41, 41))  # ~40 kB of text: over any safe URL length
    at = two_page_app(tmp_path, "import streamlit as st\nst.write('other')\n")
    at.run()
    open_detail(at, "Export and share")
    at.file_uploader(key="pg_json").upload(
        "big.json", imgkernel.formats.kernel_io.kernel_to_json(big).encode(), "application/json"
    )
    at.run()
    np.testing.assert_array_equal(state(ok(at)).matrix, big)
    assert "m" not in at.query_params and "k" not in at.query_params
    assert any("too big for a link" in c.value for c in at.caption)
    at.switch_page("other.py").run()
    at.switch_page(PLAYGROUND).run()
    np.testing.assert_array_equal(state(ok(at)).matrix, big)


def test_the_kernel_file_saves_the_scale_in_use():
    at = start()
    pick(at, "pg_kernel", "kernel", "blur")
    set_scale(at, "mean", True)
    open_detail(at, "Export and share")
    (doc,) = [c.value for c in at.code if c.language == "json"]
    parsed = imgkernel.formats.kernel_io.kernel_from_json(doc)
    assert parsed.divisor == 9 and parsed.offset == 0  # mean: divided by the 9 cells
    np.testing.assert_array_equal(parsed.matrix, imgkernel.get("blur").matrix())


def test_a_first_visit_draws_the_editable_grid_and_the_options_closed():
    at = ok(start())
    assert not at.data_editor and not [b for b in at.button if b.key == "pg_edit"]  # nothing to press first
    grid = component_data(at, "pg_grid")
    assert grid["kind"] == "grid" and grid["caption"] == "Weights of Sharpen, 3 × 3" and grid["bad"] is None
    np.testing.assert_array_equal(grid["rows"], SHARPEN)
    assert grid["shown"][1] == ["−1", "5", "−1"] and not grid["whole"]
    scale = grid["scale"]  # the size and the scale are the editor's, beside the grid: no widgets of their own
    assert scale["shape"] == [3, 3] and (scale["divisor"], scale["offset"]) == (1.0, 0.0) and not scale["whole"]
    assert scale["sum"].startswith("**Sum of weights: 1**") and not at.number_input
    assert not [w for w in at.selectbox if w.key == "pg_mode"]
    assert "In use: reflect borders, stride 1, clip." in [c.value for c in at.sidebar.caption]
    widget(at, "slider", "pg_stride").set_value(2).run()  # opens the options, then moves the stride
    assert state(ok(at)).settings.stride == 2 and state(at).view.options


def test_a_link_with_a_custom_kernel_opens_on_its_editable_grid():
    at = ok(edit(start(), 0, 2, 0.5))
    link = {k: (v[-1] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    again = ok(start(link))  # a new visitor: nothing pressed, the custom grid is drawn at once
    np.testing.assert_array_equal(grid_rows(again), state(at).matrix)
    assert not state(again).history.past  # opening a link is where this visitor's history starts


def test_the_loupe_spot_can_be_typed_as_well_as_clicked():
    at = ok(open_detail(start(), "Zoom"))
    widget(at, "number_input", "pg_loupe_x").set_value(10).run()
    widget(ok(at), "number_input", "pg_loupe_y").set_value(20).run()
    assert _loupe_caption(ok(at)) == "Original around x 10, y 20; the box is the kernel's window"
    assert state(at).view.zoom_at == pytest.approx((10.5 / 451, 20.5 / 300))
    widget(at, "number_input", "pg_loupe_x").set_value(450).run()  # the last column
    assert _loupe_caption(ok(at)) == "Original around x 450, y 20; the box is the kernel's window"


def test_the_loupe_at_stride_2_looks_where_the_result_pixel_reads():
    at = ok(open_detail(start(), "Zoom"))
    widget(at, "slider", "pg_stride").set_value(2).run()
    widget(ok(at), "number_input", "pg_loupe_x").set_value(11).run()
    widget(ok(at), "number_input", "pg_loupe_y").set_value(20).run()
    # x 11 maps to result column 6 (its 3 x 3 window is centred on input column 12: columns 11..13), y 20 to row 10
    # (rows 19..21): the original is shown around the window it outlines, not around the pixel typed
    assert _loupe_caption(ok(at)) == "Original around x 12, y 20; the box is the kernel's window"
    (result,) = [img.caption for e in at.image for img in e.proto.imgs if img.caption.startswith("Result pixel")]
    assert result == "Result pixel x 6, y 10 (outlined)"


def _loupe_caption(at: AppTest) -> str:
    (caption,) = [img.caption for e in at.image for img in e.proto.imgs if img.caption.startswith("Original around")]
    return caption


def test_a_download_lets_go_of_the_file_in_the_run_its_click_starts(monkeypatch):
    drawn = []  # one entry per time the export panel is drawn
    draw = details._export
    monkeypatch.setattr(details, "_export", lambda *args: (drawn.append(1), draw(*args))[1])
    at = open_detail(start(), "Export and share")
    at.button(key="pg_prepare").click().run()
    assert current_download(state(ok(at)))[:8] == b"\x89PNG\r\n\x1a\n"
    drawn.clear()
    (png,) = [b for b in at.download_button if b.key == "pg_download_png"]
    png.click().run()
    assert state(ok(at)).download is None  # our copy is gone ...
    assert not [b for b in at.download_button if b.key == "pg_download_png"]  # ... and the button with it
    # the full run the media store needs is the click's own run (asked from the button's callback), not a
    # second one started from the panel after drawing it once
    assert len(drawn) == 1


def test_a_photoshop_custom_filter_file_loads_and_any_kernel_that_fits_saves_as_one():
    from imgkernel.formats.acf import kernel_to_acf

    at = open_detail(start(), "Export and share")
    (_sharpen,) = [b for b in at.get("download_button") if b.proto.label.startswith("Download Photoshop")]
    emboss = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)
    at.file_uploader(key="pg_json").upload("my emboss.acf", kernel_to_acf(emboss, 2, 100), "application/octet-stream")
    k = state(ok(at.run()))
    assert (k.title, k.settings.divisor, k.settings.offset) == ("my emboss", 2, 100)
    np.testing.assert_array_equal(k.matrix, emboss)
    assert_shows(at, oracle(sample_pixels(), emboss, divisor=2, offset=100))
    at.file_uploader(key="pg_json").clear().upload("cut.acf", b"\x00" * 30, "application/octet-stream")
    (err,) = [e.value for e in at.run().error]
    assert "cut.acf" in err and "exactly 54 bytes" in err
    np.testing.assert_array_equal(state(at).matrix, emboss)  # the kernel in use stays
    pick(at, "pg_kernel", "kernel", "gaussian")  # 5 x 5 of exponentials: no whole weights
    assert not [b for b in at.get("download_button") if b.proto.label.startswith("Download Photoshop")]
    assert any(c.value.startswith("No Photoshop .acf for this kernel: ") for c in at.caption)


def test_whole_numbers_in_the_grid_like_photoshops_dialog():
    at = ok(start())
    pick(at, "pg_kernel", "kernel", "blur")
    set_whole(ok(at), True)
    grid = component_data(ok(at), "pg_grid")
    np.testing.assert_array_equal(grid["rows"], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert grid["whole"] and grid["scale"]["whole"]
    assert grid["scale"]["divisor"] == 16 and grid["scale"]["shown"]["divisor"] == "16"
    assert_shows(at, oracle(sample_pixels(), np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]), divisor=16))
    edit(at, 1, 1, "4.5")
    bad = component_data(ok(at), "pg_grid")["bad"]
    assert (bad["row"], bad["col"], bad["text"]) == (1, 1, "4.5") and "whole numbers" in bad["message"]
    assert state(at).matrix[1, 1] == 4


# ---- the kernel editor: paste, live sliders, undo and redo, hostile events ----


def test_a_matrix_pasted_into_a_5x5_grid_makes_it_3x3():
    at = start()
    resize(at, 5, 5)
    assert grid_rows(ok(at)).shape == (5, 5)
    paste(at, "[[0,-1,0],[-1,5,-1],[0,-1,0]]")
    np.testing.assert_array_equal(state(ok(at)).matrix, SHARPEN)
    np.testing.assert_array_equal(grid_rows(at), SHARPEN)
    assert scale_shown(at)["shape"] == [3, 3]
    assert state(at).name == "custom"
    assert_shows(at, oracle(sample_pixels(), SHARPEN))
    paste(at, "1 2\n3")  # ragged: refused in words, the kernel stays
    (err,) = [e.value for e in at.error]
    assert err.startswith("The pasted text is not a kernel") and "previous kernel stays" in err
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)


def test_a_whole_drag_of_a_slider_is_undone_by_one_click_and_redone():
    at = start()
    pick(at, "pg_kernel", "kernel", "blur")
    before = state(ok(at)).matrix
    assert at.button(key="pg_redo").proto.disabled  # nothing undone yet
    for value in (0.3, 0.4, 0.5, 0.7, 1.0):  # reported live while the slider is dragged
        move(at, "inner", value, gesture="drag-7")
        assert state(ok(at)).params["inner"] == value
    dragged = state(at).matrix
    assert len(state(at).history.past) == 2  # the preset and the drag
    assert not at.button(key="pg_undo").proto.disabled and at.button(key="pg_redo").proto.disabled
    at.button(key="pg_undo").click().run()
    assert state(ok(at)).params["inner"] == imgkernel.get("blur").params[0].default
    np.testing.assert_array_equal(state(at).matrix, before)
    np.testing.assert_array_equal(grid_rows(at), before)
    assert slider_values(at)["inner"] == imgkernel.get("blur").params[0].default  # the slider went back too
    assert_shows(at, oracle(sample_pixels(), before))
    assert not at.button(key="pg_redo").proto.disabled
    at.button(key="pg_redo").click().run()
    assert state(ok(at)).params["inner"] == 1.0 and slider_values(at)["inner"] == 1.0
    np.testing.assert_array_equal(state(at).matrix, dragged)
    assert at.button(key="pg_redo").proto.disabled


def test_undo_and_redo_from_the_keyboard_go_through_the_grid():
    """Ctrl+Z and Ctrl+Shift+Z in the grid send undo and redo events (the editor's own shortcuts)."""
    at = ok(edit(start(), 1, 1, "7", gesture="cell-1-1"))
    widget(at, "selectbox", "pg_mode").select("wrap").run()
    assert state(ok(at)).settings.mode == "wrap" and state(at).matrix[1, 1] == 7
    send(at, "pg_grid", {"op": "undo", "seq": 1})
    assert state(ok(at)).settings.mode == "reflect" and state(at).matrix[1, 1] == 7
    assert widget(at, "selectbox", "pg_mode").value == "reflect"  # the option's control shows the undone value
    send(at, "pg_grid", {"op": "undo", "seq": 2})
    assert not state(ok(at)).kernel.custom and control(at, "pg_kernel", "kernel")["value"] == "sharpen"
    np.testing.assert_array_equal(grid_rows(at), SHARPEN)
    assert at.button(key="pg_undo").proto.disabled
    send(at, "pg_grid", {"op": "undo", "seq": 3})  # nothing left: no change, no error
    np.testing.assert_array_equal(state(ok(at)).matrix, SHARPEN)
    send(at, "pg_grid", {"op": "redo", "seq": 4})
    assert state(ok(at)).matrix[1, 1] == 7 and state(at).name == "custom"
    assert_shows(at, oracle(sample_pixels(), state(at).matrix), clip_tolerance=2)


def test_the_browsers_sequence_number_is_echoed_back_to_the_editor():
    at = start()
    send(at, "pg_grid", {"op": "cells", "cells": [[0, 0, "1"]], "shape": [3, 3], "seq": 41})
    assert component_data(ok(at), "pg_grid")["ack"] == 41  # the browser may now send its next value
    send(at, "pg_params", {"op": "param", "name": "inner", "value": 6, "seq": 9})
    assert component_data(ok(at), "pg_params")["ack"] == 9


def test_two_sessions_keep_separate_histories():
    a, b = start(), start()
    edit(a, 0, 0, 4.0)
    move(b, "inner", 8.0)
    move(b, "inner", 9.0)
    assert len(state(ok(a)).history.past) == 1 and len(state(ok(b)).history.past) == 2
    a.button(key="pg_undo").click().run()
    np.testing.assert_array_equal(state(ok(a)).matrix, SHARPEN)
    assert state(b.run()).params["inner"] == 9.0 and len(state(b).history.past) == 2  # b's own, untouched
    b.button(key="pg_undo").click().run()
    assert state(ok(b)).params["inner"] == 8.0
    assert not state(a).history.past and len(state(a).history.future) == 1


@pytest.mark.parametrize(
    ("key", "payload"),
    [
        ("pg_grid", {"op": "cells", "cells": "x", "shape": [3, 3], "seq": 1}),
        # one cell more than the largest grid has (10**6 cells: tests/test_editor_events.py; through the page such
        # a payload costs seconds of Streamlit's own JSON parsing before the app refuses it at once)
        ("pg_grid", {"op": "cells", "cells": [[0, 0, 1]] * (MAX_KERNEL_SIDE**2 + 1), "shape": [3, 3], "seq": 1}),
        ("pg_grid", {"op": "cells", "cells": [[0, 0, [[1]]]], "shape": [3, 3]}),
        ("pg_grid", {"op": "cells", "cells": [[-1, 0, 1]], "shape": [3, 3]}),
        ("pg_grid", {"op": "cells", "cells": [[0, 0, 1]], "shape": [0, 1000]}),
        ("pg_grid", {"op": "eval", "text": "__import__('os').system('touch /tmp/pwned')"}),
        ("pg_grid", ["op", "undo"]),
        ("pg_grid", None),
        ("pg_params", {"op": "param", "name": "inner", "value": "NaN"}),
        ("pg_params", {"op": "param", "name": "inner", "value": float("inf")}),
        ("pg_params", {"op": "param", "name": ["inner"], "value": 3}),
    ],
)
def test_a_hostile_editor_event_is_refused_in_words_and_changes_nothing(key, payload):
    at = start()
    move(at, "inner", 6.0)
    before = state(ok(at))
    send(at, key, payload)
    assert not at.exception
    (err,) = [e.value for e in at.error]
    assert err == "The editor sent something that is not a kernel edit; nothing was changed."
    after = state(at)
    assert after.kernel is before.kernel and after.settings == before.settings
    assert after.history == before.history and after.bad_cell is None
    assert_shows(at, oracle(sample_pixels(), before.matrix))
    move(at, "inner", 7.0)  # the next real events work
    assert state(at).params["inner"] == 7.0 and not at.exception
    edit(at, 0, 0, "1")  # (and a good grid edit clears the grid's message)
    assert state(ok(at)).matrix[0, 0] == 1
    assert not Path("/tmp/pwned").exists()


def test_a_non_finite_cell_from_a_forged_client_is_refused_on_its_cell():
    at = start()
    for value in (float("nan"), float("inf"), -float("inf")):
        send(at, "pg_grid", {"op": "cells", "cells": [[1, 2, value]], "shape": [3, 3], "seq": 1})
        bad = component_data(ok(at), "pg_grid")["bad"]
        assert (bad["row"], bad["col"]) == (1, 2) and "row 2, column 3" in bad["message"]
        np.testing.assert_array_equal(state(at).matrix, SHARPEN)
    paste(at, "x" * 10**6)  # a huge paste: refused before it is read
    (err,) = [e.value for e in ok_but_refused(at).error]
    assert "too long" in err
    np.testing.assert_array_equal(state(at).matrix, SHARPEN)


def ok_but_refused(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at
