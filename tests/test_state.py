"""The playground's state transitions, without Streamlit: each user action as a pure function."""

from __future__ import annotations

import json

import numpy as np
import pytest

import imgkernel
from app import state as st8
from app.state import Photo, digest_of
from app.wording import num, preset_label, sum_meaning
from imgkernel import KernelError, kernel_io, share
from imgkernel.limits import (
    MAX_KERNEL_ABS,
    MAX_KERNEL_JSON_BYTES,
    MAX_KERNEL_SIDE,
    MAX_SHARE_QUERY_CHARS,
    MAX_STRIDE,
)
from imgkernel.mapping import Scale

SHARPEN = imgkernel.get("sharpen").matrix()


def photo(name: str = "p", sample: str | None = "Sample A", seed: int = 0) -> Photo:
    px = np.random.default_rng(seed).integers(0, 256, (8, 10, 3), dtype=np.uint8)
    return Photo(name, digest_of(px), px, None, sample)


@pytest.fixture
def s0() -> st8.PlaygroundState:
    return st8.initial(photo(), "Sample A")


def test_the_initial_state_is_the_default_preset(s0):
    assert s0.name == "sharpen" and s0.title == "Sharpen" and not s0.kernel.custom
    np.testing.assert_array_equal(s0.matrix, SHARPEN)
    np.testing.assert_array_equal(s0.grid.base, SHARPEN)
    assert s0.settings == imgkernel.Settings() and not s0.problems


def test_transitions_never_change_the_state_they_are_given(s0):
    before = (s0.matrix.copy(), s0.settings, s0.grid.rev, dict(s0.problems))
    st8.edit_cells(s0, {(1, 1): 9.0})
    st8.set_param(s0, "inner", 7.0)
    st8.set_scale(s0, divisor=0.0)
    assert (s0.matrix.tolist(), s0.settings, s0.grid.rev, dict(s0.problems)) == (
        before[0].tolist(),
        before[1],
        before[2],
        before[3],
    )


def test_choosing_a_preset_applies_its_suggested_scale(s0):
    s = st8.set_scale(s0, normalise=True)
    s = st8.choose_preset(s, "laplacian_8")
    spec = imgkernel.get("laplacian_8")
    assert s.name == "laplacian_8" and (s.settings.divisor, s.settings.offset) == (spec.divisor, spec.offset)
    assert not s.settings.normalise
    np.testing.assert_array_equal(s.matrix, spec.matrix())
    assert "kernel" in st8.choose_preset(s, "no_such_kernel").problems


def test_slider_moves_keep_the_preset_whatever_their_number_and_order(s0):
    """Moving a size slider changes the grid's shape; that is never taken for an edit of the grid."""
    s = st8.choose_preset(s0, "gaussian")
    for size in (5, 7, 9, 11, 9):
        s = st8.set_param(s, "size", size)
        assert s.name == "gaussian" and not s.kernel.custom
        assert s.matrix.shape == (size, size) and np.array_equal(s.grid.base, s.matrix)
        assert s.matrix.sum() == pytest.approx(1.0)


def test_an_unchanged_cell_value_is_not_an_edit(s0):
    s = st8.edit_cells(s0, {(1, 1): 5.0, (0, 0): "0"})
    assert s.name == "sharpen" and not s.kernel.custom and not s.grid.edited


def test_edits_apply_on_what_the_grid_was_drawn_with(s0):
    s = st8.edit_cells(s0, {(1, 1): 9.0})
    assert s.name == "custom" and s.title == "Custom (from Sharpen)" and s.grid.edited
    assert s.grid_key == s0.grid_key  # the same editor stays: its next edit arrives on the same base
    s = st8.edit_cells(s, {(1, 1): 9.0, (0, 0): -2.0})  # the editor reports all its edits so far
    expected = SHARPEN.copy()
    expected[1, 1], expected[0, 0] = 9.0, -2.0
    np.testing.assert_array_equal(s.matrix, expected)
    np.testing.assert_array_equal(s.grid.base, SHARPEN)


def test_edits_outside_the_grid_are_ignored(s0):
    s = st8.edit_cells(s0, {(5, 5): 1.0, (-1, 0): 2.0})
    np.testing.assert_array_equal(s.matrix, SHARPEN)


BAD_CELLS = [  # what a forged grid edit can carry (tests/test_hostile_ui.py sends a few through the page)
    ("abc", "not a number"),
    ("1/0", "not a number"),
    ("1; DROP TABLE k", "not a number"),
    ("<script>alert(1)</script>", "not a number"),
    ("__import__('os').system('touch /tmp/pwned')", "too long a text"),
    ("", "empty"),
    (None, "empty"),
    ("nan", "NaN"),
    (float("nan"), "NaN"),
    ("inf", "too large"),
    ("-inf", "too large"),
    (float("inf"), "too large"),
    ("1e308", "too large"),
    (1e308, "too large"),
    (1e300, "too large"),
    (MAX_KERNEL_ABS * 1.0001, "too large"),
]


@pytest.mark.parametrize(("value", "words"), BAD_CELLS)
def test_a_bad_cell_is_named_the_kernel_kept_and_the_grid_redrawn(s0, value, words):
    s = st8.edit_cells(st8.edit_cells(s0, {(0, 0): 1.0}), {(0, 0): 1.0, (2, 1): value})
    assert "row 3, column 2" in s.problems["grid"] and words in s.problems["grid"]
    assert s.matrix[0, 0] == 1.0 and s.matrix[2, 1] == -1.0  # the last good kernel
    assert s.grid_key != s0.grid_key and np.array_equal(s.grid.base, s.matrix)  # the grid shows what is used
    good = st8.edit_cells(s, {(1, 1): 4.0})
    assert "grid" not in good.problems and good.matrix[1, 1] == 4.0 and good.matrix[0, 0] == 1.0


def test_back_to_preset_restores_its_parameters(s0):
    s = st8.set_param(s0, "inner", 9.0)
    s = st8.edit_cells(s, {(0, 0): 3.0})
    s = st8.back_to_preset(s)
    assert s.name == "sharpen" and s.params["inner"] == 9.0
    np.testing.assert_array_equal(s.matrix, imgkernel.get("sharpen").matrix({"inner": 9.0}))
    assert s.grid_key != s0.grid_key and not s.grid.edited


def test_a_slider_of_another_kernel_or_of_a_custom_grid_changes_nothing(s0):
    custom = st8.edit_cells(s0, {(0, 0): 3.0})
    assert st8.set_param(custom, "inner", 9.0) is custom


def test_a_parameter_value_the_kernel_refuses_keeps_the_kernel(s0):
    s = st8.set_param(s0, "inner", 1e9)
    assert "kernel" in s.problems and s.params["inner"] == 5
    np.testing.assert_array_equal(s.matrix, SHARPEN)


@pytest.mark.parametrize(("rows", "cols"), [(5, 4), (1, 1), (MAX_KERNEL_SIDE + 10, 0)])
def test_resize_keeps_weights_round_the_anchor_and_clamps(s0, rows, cols):
    s = st8.resize(s0, rows, cols)
    r, c = min(MAX_KERNEL_SIDE, max(1, rows)), min(MAX_KERNEL_SIDE, max(1, cols))
    assert s.matrix.shape == (r, c) and s.name == "custom" and s.grid.base.shape == (r, c)
    np.testing.assert_array_equal(s.matrix, st8.resize_kernel(SHARPEN, r, c))


@pytest.mark.parametrize(("old", "rows", "cols"), [((3, 3), 1, 1), ((3, 3), 2, 6), ((4, 2), 3, 3), ((1, 1), 15, 15)])
def test_resize_kernel_matches_a_brute_force_anchor_alignment(old, rows, cols):
    m = np.random.default_rng(1).normal(size=old)
    expected = np.zeros((rows, cols))
    for i in range(old[0]):
        for j in range(old[1]):
            a, b = i - old[0] // 2 + rows // 2, j - old[1] // 2 + cols // 2
            if 0 <= a < rows and 0 <= b < cols:
                expected[a, b] = m[i, j]
    np.testing.assert_array_equal(st8.resize_kernel(m, rows, cols), expected)


@pytest.mark.parametrize("divisor", [0.0, 1e-300, float("nan"), float("inf")])
def test_a_useless_divisor_keeps_the_last_one(s0, divisor):
    s = st8.set_scale(st8.set_scale(s0, divisor=2.0), divisor=divisor)
    assert s.settings.divisor == 2.0 and "last valid divisor (2)" in s.problems["divisor"]
    assert "divisor" not in st8.set_scale(s, divisor=3.0).problems


@pytest.mark.parametrize("value", [MAX_KERNEL_ABS * 10, float("inf"), -float("inf"), float("nan"), 1e308])
def test_number_fields_past_the_weight_limit_are_refused(s0, value):
    """Streamlit clamps the fields into their bounds; a value past them is still refused here."""
    for where, s in (
        ("divisor", st8.set_scale(s0, divisor=value)),
        ("scale", st8.set_scale(s0, offset=value)),
        ("options", st8.set_option(s0, "cval", value)),
    ):
        assert s.settings == s0.settings and where in s.problems, (where, s.problems)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("stride", MAX_STRIDE + 1),
        ("stride", 0),
        ("mode", "evil"),
        ("dilation", 2.5),
        ("cval", float("nan")),
        ("gray", "yes"),
    ],
)
def test_impossible_options_are_refused(s0, name, value):
    s = st8.set_option(s0, name, value)
    assert s.settings == s0.settings and "options" in s.problems


def test_options_reach_the_settings(s0):
    s = st8.set_option(st8.set_option(st8.set_option(s0, "mode", "wrap"), "stride", 2.0), "cval", 3)
    assert (s.settings.mode, s.settings.stride, s.settings.cval) == ("wrap", 2, 3.0)
    assert isinstance(s.settings.stride, int)


def test_the_signed_view_maps_with_clip(s0):
    s = st8.set_view(s0, mode="signed")
    assert s.view.mode == "signed" and s.settings.out_of_range == "clip"
    s = st8.set_view(s, mode="abs", preview=512, detail="Zoom")
    assert (s.settings.out_of_range, s.view.preview, s.view.detail) == ("abs", 512, "Zoom")
    assert st8.set_view(s, mode="<b>", preview=99999, detail="x").view == s.view


def test_a_loaded_kernel_brings_its_scale_and_title(s0):
    s = st8.set_scale(s0, normalise=True)
    s = st8.load_kernel(s, [[1, 1], [1, 1]], title="box", divisor=4, offset=10)
    assert s.name == "custom" and s.title == "box" and s.matrix.shape == (2, 2)
    assert (s.settings.divisor, s.settings.offset, s.settings.normalise) == (4, 10, False)
    bad = st8.load_kernel(s, [[1, "x"]], divisor=4)
    assert "file" in bad.problems and bad.matrix.shape == (2, 2)
    zero = st8.load_kernel(s, [[1]], divisor=0)
    assert "file" in zero.problems and zero.settings.divisor == 4


BAD_KERNEL_FILES = [  # tests/test_hostile_ui.py uploads one of each kind through the page
    (b"this is not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not text"),
    (b"", "not valid JSON"),
    (("[" * 100_000 + "]" * 100_000).encode()[: MAX_KERNEL_JSON_BYTES - 10], "nested too deeply"),
    (b'{"matrix": [[1]], "x": "' + b"a" * MAX_KERNEL_JSON_BYTES + b'"}', "too large"),
    (json.dumps({"matrix": [[1] * 64] * 64}).encode(), "too big"),
    (json.dumps({"matrix": [[1, 2], [3]]}).encode(), "same number"),
    (json.dumps({"matrix": [[[1]]]}).encode(), "2-D"),
    (json.dumps({"matrix": []}).encode(), "empty"),
    (json.dumps({"matrix": [[1, 1e308]]}).encode(), "too large"),
    (b'{"matrix": [[1, NaN]]}', "NaN"),
    (json.dumps({"matrix": [[1]], "divisor": 0}).encode(), "cannot be 0"),
    (json.dumps({"matrix": [[1]], "__class__": "os.system"}).encode(), "Unknown field"),
    (json.dumps([1, 2, 3]).encode(), "rows"),
]


@pytest.mark.parametrize(("data", "words"), BAD_KERNEL_FILES)
def test_a_bad_kernel_file_is_refused_and_the_kernel_stays(s0, data, words):
    """What the page's kernel-file callback does: parse strictly, and on an error keep the kernel and say why."""
    s = st8.set_param(s0, "inner", 6.0)
    with pytest.raises(KernelError) as info:
        kernel_io.kernel_from_json(data)
    refused = st8.refuse_kernel_file(s, f"k.json: {info.value}")
    assert words in refused.problems["file"] and refused.problems["file"].endswith("The current kernel stays in use.")
    assert (refused.name, dict(refused.params), refused.settings) == (s.name, dict(s.params), s.settings)
    np.testing.assert_array_equal(refused.matrix, s.matrix)


def test_a_refused_replacement_keeps_the_photo_in_use_before_it(s0):
    mine, sample_b = photo("mine.png", None, 1), photo("Sample B", "Sample B", 2)
    s = st8.use_photo(s0, mine)
    s = st8.photo_removed(s, sample_b)  # the browser empties the uploader first
    assert s.photo == sample_b
    s = st8.refuse_photo(s, "bad.png: not an image")
    assert s.photo == mine and "not an image" in s.problems["photo"]
    assert st8.choose_sample(s, sample_b).photo == sample_b and "photo" not in st8.choose_sample(s, sample_b).problems


def test_the_link_round_trips_the_state(s0):
    s = st8.set_param(st8.choose_preset(s0, "blur"), "inner", 0.5)
    s = st8.set_view(st8.set_option(s, "mode", "wrap"), mode="signed")
    link, notices = share.decode(share.encode(st8.to_link(s)), ["Sample A"])
    again = st8.open_link(st8.initial(photo(seed=3), "x"), link, notices, None)
    assert not notices and (again.name, dict(again.params), again.settings, again.view.mode) == (
        s.name,
        dict(s.params),
        s.settings,
        s.view.mode,
    )
    custom = st8.edit_cells(s, {(0, 0): 0.125})
    link, _ = share.decode(share.encode(st8.to_link(custom)))
    back = st8.open_link(s0, link, [], None)
    assert back.name == "custom" and back.title == "Custom"
    np.testing.assert_array_equal(back.matrix, custom.matrix)


HOSTILE_LINKS = [  # tests/test_hostile_ui.py sends a few of these through the page; {marker} is a file path
    {"k": "<script>alert(1)</script>"},
    {"k": "__import__('pathlib').Path('{marker}').touch()"},
    {"k": "custom", "m": "__import__('pathlib').Path('{marker}').touch()"},
    {"img": "../../etc/passwd"},
    {"img": "/etc/passwd"},
    {"k": "sharpen'; DROP TABLE kernels; --"},
    {"div": "1 OR 1=1"},
    {"k": "blür✓ 🙂", "mode": "réflect"},
    {"k": "custom", "m": "[[1,2],[3]]"},
    {"k": "custom", "m": "1,2;3"},
    {"stride": "-1", "dil": "1e9", "off": "nan", "div": "0"},
    {"k": ["blur", "<script>"]},
    {"mode": ["wrap", "../../x"]},
    {"p.inner": "inf"},
    {"zzz": "x" * (MAX_SHARE_QUERY_CHARS + 1)},
    {"k": "\x00\x1b[31m"},
]


@pytest.mark.parametrize("query", HOSTILE_LINKS)
def test_a_hostile_link_is_ignored_with_a_notice_and_runs_nothing(s0, query, tmp_path):
    marker = tmp_path / "marker"
    query = {
        k: [x.format(marker=marker) for x in v] if isinstance(v, list) else v.format(marker=marker)
        for k, v in query.items()
    }
    link, notices = share.decode(query, ["Sample A"])
    s = st8.open_link(s0, link, notices, None)
    assert s.notices and not s.problems
    assert (s.name, dict(s.params), s.settings, s.view) == (s0.name, dict(s0.params), s0.settings, s0.view)
    np.testing.assert_array_equal(s.matrix, s0.matrix)
    assert s.photo == s0.photo  # a path is never a sample
    assert not marker.exists()


def test_a_links_notices_show_once(s0):
    link, notices = share.decode({"k": "nope", "stride": "999"})
    s = st8.open_link(s0, link, notices, None)
    (notice,) = s.notices
    assert "no such kernel" in notice and "stride" in notice
    assert st8.set_param(s, "inner", 6.0).notices == ()


def test_reset_keeps_the_photo_and_drops_the_rest(s0):
    mine = photo("mine.png", None, 4)
    s = st8.use_photo(st8.set_option(st8.edit_cells(s0, {(0, 0): 2.0}), "stride", 3), mine)
    s = st8.reset(st8.set_view(s, mode="abs"))
    assert s.photo == mine and s.name == "sharpen" and s.settings == imgkernel.Settings() and s.view.mode == "clip"
    assert s.grid_key != s0.grid_key and np.array_equal(s.grid.base, SHARPEN)


def test_a_prepared_download_belongs_to_its_signature(s0):
    s = st8.prepared(s0, b"png")
    assert st8.current_download(s) == b"png"
    assert st8.current_download(st8.set_param(s, "inner", 6.0)) is None


@pytest.mark.parametrize(("value", "text"), [(0.0751136, "0.07511"), (-1, "−1"), (12345.6, "1.235e+04"), (5, "5")])
def test_numbers_show_four_significant_digits(value, text):
    assert num(value) == text


def test_preset_labels_do_not_repeat_themselves():
    labels = [preset_label(spec) for spec in imgkernel.CATALOGUE.values()]
    assert all(" · " not in lab or lab.split(" · ")[0].lower() != lab.split(" · ")[1].lower() for lab in labels)
    assert preset_label(imgkernel.get("sharpen")) == "Sharpen"
    assert preset_label(imgkernel.get("sobel_top")) == "Edges · Top Sobel"


@pytest.mark.parametrize(
    ("matrix", "scale", "words", "flat"),
    [
        (SHARPEN, Scale(), "brightness is kept", "100"),
        (np.ones((3, 3)), Scale(9.0), "brightness is kept", "100"),
        (np.ones((3, 3)), Scale(), "brighter", "900"),
        (imgkernel.get("outline").matrix(), Scale(), "flat areas turn black", "0"),
        (imgkernel.get("outline").matrix(), Scale(1.0, 127.5), "grey 127.5", "127.5"),
        (-np.ones((1, 1)), Scale(1.0, 255.0), "inverted", "155"),
    ],
)
def test_the_sum_line_accounts_for_divisor_and_offset(matrix, scale, words, flat):
    text = sum_meaning(matrix, scale)
    assert words in text and text.endswith(f"comes out as {flat}.")


def test_the_weights_are_read_only_until_the_editor_is_asked_for(s0):
    assert not s0.editing  # a first visit draws a table, not the data grid
    opened = st8.set_view(s0, editor=True)
    assert opened.editing and not s0.editing
    assert st8.choose_preset(opened, "emboss").editing  # once opened, it stays for the session
    assert st8.reset(opened).editing  # Reset restores kernel and options, not what the visitor opened
    assert not st8.reset(s0).editing
    assert st8.set_view(opened, editor="yes") is not None and st8.set_view(s0, editor="yes").view == s0.view


def test_a_custom_kernel_always_shows_its_editable_grid(s0):
    custom = st8.load_kernel(s0, np.ones((2, 4)))
    assert custom.kernel.custom and custom.editing and not custom.view.editor
    assert not st8.back_to_preset(custom).editing  # back to the preset: read-only again, as before
    refused = st8.edit_cells(st8.set_view(s0, editor=True), {(0, 0): "abc"})
    assert "grid" in refused.problems and refused.editing


def test_whole_numbers_rewrite_fractions_as_the_same_filter(s0):
    g = st8.choose_preset(s0, "blur")  # 1/16, 2/16, 4/16
    w = st8.set_whole(g, True)
    assert w.whole and w.kernel.custom and w.title == "Custom (from Blur (3 × 3 Gaussian))" and not w.problems
    np.testing.assert_array_equal(w.matrix, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    assert (w.settings.divisor, w.settings.offset, w.settings.normalise) == (16, 0, False)
    photo = np.random.default_rng(0).integers(0, 256, (9, 9, 3), dtype=np.uint8)
    same = [imgkernel.run_filter(photo, s.matrix, s.settings).mapped.image for s in (g, w)]
    np.testing.assert_array_equal(*same)  # the same filter, in whole numbers
    assert st8.set_whole(s0, True).matrix is s0.matrix  # already whole: nothing to rewrite
    norm = st8.set_whole(st8.set_scale(st8.choose_preset(s0, "box_blur"), normalise=True), True)
    assert norm.settings.divisor == 9 and not norm.settings.normalise  # Normalise became its divisor


def test_whole_numbers_refuse_fractions_and_say_why_they_cannot_start(s0):
    w = st8.set_whole(s0, True)
    refused = st8.edit_cells(w, {(0, 0): "0.5"})
    assert "whole numbers" in refused.problems["grid"] and np.array_equal(refused.matrix, s0.matrix)
    assert st8.edit_cells(w, {(0, 0): "2"}).matrix[0, 0] == 2
    assert "divisor" in st8.set_scale(w, divisor=2.5).problems and st8.set_scale(w, divisor=3.0).settings.divisor == 3
    assert (
        not st8.set_whole(w, False).whole
        and st8.set_scale(st8.set_whole(w, False), divisor=2.5).settings.divisor == 2.5
    )
    gauss = st8.choose_preset(s0, "gaussian")  # exponentials: no multiplier makes them whole
    kept = st8.set_whole(gauss, True)
    assert not kept.whole and "stay off" in kept.problems["grid"] and kept.matrix is gauss.matrix
    emboss = st8.set_whole(st8.set_scale(st8.choose_preset(s0, "emboss"), offset=127.5), True)
    assert "offset 127.5 is not a whole number" in emboss.problems["grid"]
    assert not st8.choose_preset(w, "gaussian").whole  # a preset of fractions: whole mode is off in effect
