"""The playground's state transitions, without Streamlit: each user action as a pure function."""

from __future__ import annotations

import json

import numpy as np
import pytest

import imgkernel
from app import share
from app import state as st8
from app.limits import MAX_SHARE_QUERY_CHARS, MAX_STRIDE
from app.state import Photo, digest_of
from app.wording import num, preset_label, sum_meaning
from imgkernel import KernelError
from imgkernel.formats import kernel_io
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_JSON_BYTES, MAX_KERNEL_SIDE
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
    assert s0.settings == imgkernel.Settings() and not s0.problems and s0.bad_cell is None
    assert s0.history == st8.History()  # nothing to undo or redo


def test_transitions_never_change_the_state_they_are_given(s0):
    before = (s0.matrix.copy(), s0.settings, s0.history, dict(s0.problems), s0.bad_cell)
    st8.edit_cells(s0, {(1, 1): 9.0})
    st8.edit_cells(s0, {(1, 1): "abc"})
    st8.paste_matrix(s0, "[[1, 2], [3, 4]]")
    st8.set_param(s0, "inner", 7.0)
    st8.set_scale(s0, divisor=0.0)
    st8.undo(st8.record(s0, st8.set_option(s0, "stride", 2)))
    assert (s0.matrix.tolist(), s0.settings, s0.history, dict(s0.problems), s0.bad_cell) == (
        before[0].tolist(),
        *before[1:],
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
        assert s.matrix.shape == (size, size)
        assert s.matrix.sum() == pytest.approx(1.0)


def test_an_unchanged_cell_value_is_not_an_edit(s0):
    s = st8.edit_cells(s0, {(1, 1): 5.0, (0, 0): "0"})
    assert s.name == "sharpen" and not s.kernel.custom and s.kernel is s0.kernel


def test_edits_apply_to_the_kernel_in_use_one_event_after_another(s0):
    s = st8.edit_cells(s0, {(1, 1): 9.0})
    assert s.name == "custom" and s.title == "Custom (from Sharpen)"
    s = st8.edit_cells(s, {(0, 0): -2.0}, (3, 3))  # the editor sends only what changed, on the grid it shows
    expected = SHARPEN.copy()
    expected[1, 1], expected[0, 0] = 9.0, -2.0
    np.testing.assert_array_equal(s.matrix, expected)
    s = st8.edit_cells(s, {(1, 1): "1/2", (2, 2): -1})  # several cells in one event (text or numbers)
    expected[1, 1], expected[2, 2] = 0.5, -1.0
    np.testing.assert_array_equal(s.matrix, expected)
    assert s.matrix.dtype == np.float64


@pytest.mark.parametrize("shape", [(5, 5), (3, 4), (1, 1)])
def test_edits_made_on_a_grid_of_another_shape_are_stale_and_dropped(s0, shape):
    """A preset or an undo changed the grid's shape while the value was typed: the edit is not applied to cells
    that now mean something else."""
    s = st8.edit_cells(s0, {(0, 0): 7.0}, shape)
    assert s is s0
    assert st8.edit_cells(s0, {(0, 0): "abc"}, shape) is s0  # not even refused: it was never for this grid


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
def test_a_bad_cell_is_named_the_kernel_kept_and_the_cell_marked(s0, value, words):
    s = st8.edit_cells(st8.edit_cells(s0, {(0, 0): 1.0}), {(0, 0): 1.0, (2, 1): value})
    assert "row 3, column 2" in s.problems["grid"] and words in s.problems["grid"]
    assert s.matrix[0, 0] == 1.0 and s.matrix[2, 1] == -1.0  # the last good kernel
    text = value if isinstance(value, str) else repr(value)
    assert s.bad_cell == st8.BadCell(2, 1, text[:40])  # the grid keeps showing what was typed, on that cell
    good = st8.edit_cells(s, {(1, 1): 4.0})
    assert "grid" not in good.problems and good.bad_cell is None
    assert good.matrix[1, 1] == 4.0 and good.matrix[0, 0] == 1.0


def test_back_to_preset_restores_its_parameters(s0):
    s = st8.set_param(s0, "inner", 9.0)
    s = st8.edit_cells(s, {(0, 0): 3.0})
    s = st8.back_to_preset(s)
    assert s.name == "sharpen" and s.params["inner"] == 9.0
    np.testing.assert_array_equal(s.matrix, imgkernel.get("sharpen").matrix({"inner": 9.0}))
    assert not s.kernel.custom


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
    assert s.matrix.shape == (r, c) and s.name == "custom"
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


def test_the_live_views_split_and_mirror_are_kept_in_the_state_and_checked(s0):
    s = st8.set_view(s0, live_split=30, live_mirror=False)
    assert (s.view.live_split, s.view.live_mirror) == (30, False)
    for bad in ({"live_split": 101}, {"live_split": -5}, {"live_split": 30.5}, {"live_split": True}):
        assert st8.set_view(s, **bad).view == s.view, bad
    assert st8.set_view(s, live_mirror="no").view == s.view
    assert do(s0, st8.set_view, live_split=30, live_mirror=False).history == s0.history  # looked at, not a step


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
    np.testing.assert_array_equal(s.matrix, SHARPEN)


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
        (SHARPEN, Scale(1.0, 127.5), "contrast is kept and the offset shifts every value by 127.5", "227.5"),
    ],
)
def test_the_sum_line_accounts_for_divisor_and_offset(matrix, scale, words, flat):
    text = sum_meaning(matrix, scale)
    assert words in text and text.endswith(f"comes out as {flat}.")


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


# ---- pasting a matrix ----


def test_a_pasted_matrix_becomes_the_weights_and_the_grid_takes_its_shape(s0):
    s = st8.resize(st8.set_scale(s0, divisor=2.0), 5, 5)
    s = st8.paste_matrix(s, "[[0,-1,0],[-1,5,-1],[0,-1,0]]")
    assert s.matrix.shape == (3, 3) and s.name == "custom" and s.settings.divisor == 2.0  # the scale stays
    np.testing.assert_array_equal(s.matrix, SHARPEN)
    bad = st8.paste_matrix(s, "[[1, 2], [3]]")
    assert "pasted text is not a kernel" in bad.problems["grid"] and bad.bad_cell is None
    assert bad.kernel is s.kernel
    assert "whole numbers" in st8.paste_matrix(st8.set_whole(s0, True), "0.5 1").problems["grid"]


# ---- undo and redo ----


def do(state: st8.PlaygroundState, transition, *args, gesture: str | None = None, **kwargs) -> st8.PlaygroundState:
    """What ``app.session.apply`` does with a transition's result: record an undo step (undo and redo bring their
    own history)."""
    new = transition(state, *args, **kwargs)
    return new if new.history is not state.history else st8.record(state, new, gesture)


def same(a: st8.PlaygroundState, b: st8.PlaygroundState) -> bool:
    """The same kernel, settings and way of showing values: what an undo step restores."""
    return st8.step_of(a) == st8.step_of(b)


def test_a_cell_edit_is_undone_and_redone(s0):
    s = do(s0, st8.edit_cells, {(1, 1): 9.0})
    assert len(s.history.past) == 1 and not s.history.future
    back = st8.undo(s)
    assert same(back, s0) and not back.kernel.custom
    np.testing.assert_array_equal(back.matrix, SHARPEN)
    assert not back.history.past and len(back.history.future) == 1
    again = st8.redo(back)
    assert same(again, s) and again.matrix[1, 1] == 9.0 and again.name == "custom"
    assert len(again.history.past) == 1 and not again.history.future


def test_a_preset_change_is_undone_with_its_scale(s0):
    s = do(do(s0, st8.set_param, "inner", 7.0), st8.choose_preset, "laplacian_8")
    assert s.name == "laplacian_8" and s.settings.offset == imgkernel.get("laplacian_8").offset != 0
    back = st8.undo(s)
    assert back.name == "sharpen" and back.params["inner"] == 7.0 and back.settings == s0.settings
    assert st8.undo(back).params["inner"] == 5.0
    assert st8.redo(back).name == "laplacian_8" and st8.redo(back).settings == s.settings


@pytest.mark.parametrize(("name", "value"), [("stride", 3), ("mode", "wrap"), ("gray", True), ("cval", 9.0)])
def test_an_option_is_undone(s0, name, value):
    s = do(s0, st8.set_option, name, value)
    assert getattr(s.settings, name) == value
    back = st8.undo(s)
    assert back.settings == s0.settings
    assert getattr(st8.redo(back).settings, name) == value


def test_reset_is_undone(s0):
    s = do(do(do(s0, st8.choose_preset, "emboss"), st8.set_option, "stride", 2), st8.set_view, mode="abs")
    r = do(s, st8.reset)
    assert same(r, s0) and len(r.history.past) == 4  # Reset keeps the history, and is a step itself
    back = st8.undo(r)
    assert same(back, s) and back.name == "emboss" and back.settings.stride == 2 and back.view.mode == "abs"


def test_a_gesture_of_many_changes_is_one_step(s0):
    s = do(s0, st8.set_option, "stride", 2)
    for v in np.arange(5.0, 9.0, 0.1):  # one drag of the slider, reported while it moves
        s = do(s, st8.set_param, "inner", float(v), gesture="drag-1")
    for v in ("1", "1.", "1.5"):  # then the keystrokes typed into one cell
        s = do(s, st8.edit_cells, {(0, 0): v}, gesture="cell-0-0")
    assert len(s.history.past) == 3
    typed = st8.undo(s)
    assert typed.matrix[0, 0] == 0 and typed.params["inner"] == pytest.approx(8.9) and not typed.kernel.custom
    dragged = st8.undo(typed)
    assert dragged.params["inner"] == 5 and dragged.settings.stride == 2  # the whole drag at once
    assert st8.undo(dragged).settings.stride == 1


def test_a_new_gesture_or_a_change_without_one_starts_a_new_step(s0):
    s = do(s0, st8.set_param, "inner", 6.0, gesture="drag-1")
    s = do(s, st8.set_param, "inner", 7.0, gesture="drag-2")
    s = do(s, st8.set_param, "inner", 8.0)
    s = do(s, st8.set_param, "inner", 9.0)
    assert [step.kernel.params["inner"] for step in s.history.past] == [5, 6, 7, 8]


def test_a_gesture_that_returns_to_where_it_began_leaves_no_step(s0):
    first = do(s0, st8.set_option, "stride", 2)
    s = first
    for v in (6.0, 7.5, 6.0, 5.0):  # dragged away and back to 5
        s = do(s, st8.set_param, "inner", v, gesture="drag-1")
    assert s.history.past == first.history.past  # only the stride's step
    assert same(st8.undo(s), s0)
    s = do(s, st8.set_param, "inner", 6.0, gesture="drag-1")  # the same gesture moving on: a step again
    assert len(s.history.past) == 2 and same(st8.undo(s), first)


def test_a_new_change_after_an_undo_drops_what_could_be_redone(s0):
    s = do(do(s0, st8.set_option, "stride", 2), st8.set_option, "stride", 3)
    back = st8.undo(st8.undo(s))
    assert len(back.history.future) == 2
    other = do(back, st8.set_option, "mode", "wrap")
    assert not other.history.future and st8.redo(other) is other
    assert len(other.history.past) == 1 and st8.undo(other).settings == s0.settings


def test_at_least_50_steps_are_kept_and_at_most_the_limit(s0):
    assert st8.HISTORY_LIMIT >= 50
    s = s0
    n = st8.HISTORY_LIMIT + 20
    for i in range(1, n + 1):
        s = do(s, st8.set_scale, offset=float(i))
    assert len(s.history.past) == st8.HISTORY_LIMIT
    for _ in range(st8.HISTORY_LIMIT):
        s = st8.undo(s)
    assert s.settings.offset == n - st8.HISTORY_LIMIT  # the oldest steps were let go, the newest 100 kept
    assert st8.undo(s) is s and len(s.history.future) == st8.HISTORY_LIMIT
    for _ in range(st8.HISTORY_LIMIT):
        s = st8.redo(s)
    assert s.settings.offset == n and len(s.history.past) == st8.HISTORY_LIMIT and not s.history.future


def test_photos_and_what_is_only_looked_at_are_not_steps(s0):
    s = do(s0, st8.set_option, "stride", 2)
    for transition, args, kwargs in (
        (st8.use_photo, (photo("mine.png", None, 1),), {}),
        (st8.choose_sample, (photo("Sample B", "Sample B", 2),), {}),
        (st8.set_view, (), {"detail": "Zoom"}),
        (st8.set_view, (), {"zoom_at": (0.25, 0.75)}),
        (st8.set_view, (), {"preview": 512, "options": True, "camera": True}),
        (st8.refuse_photo, ("bad.png: not an image",), {}),
        (st8.edit_cells, ({(0, 0): "abc"},), {}),  # refused: nothing changed
        (st8.refuse_edit, ("The editor sent something that is not a kernel edit.",), {}),
    ):
        after = do(s, transition, *args, **kwargs)
        assert after.history == s.history, transition.__name__
    looked = do(do(s, st8.use_photo, photo("mine.png", None, 1)), st8.set_view, detail="Zoom", zoom_at=(0.1, 0.2))
    back = st8.undo(looked)
    assert back.settings.stride == 1 and back.photo.name == "mine.png"  # undo takes back the stride, not the photo
    assert (back.view.detail, back.view.zoom_at) == ("Zoom", (0.1, 0.2))  # nor the panel and the loupe


def test_undo_restores_the_settings_and_the_view_mode_together(s0):
    s = do(s0, st8.set_view, mode="signed")  # the signed view maps with clip
    s = do(s, st8.set_view, mode="abs")  # a view mode is computed with: out_of_range follows it
    assert (s.view.mode, s.settings.out_of_range, len(s.history.past)) == ("abs", "abs", 2)
    back = st8.undo(s)
    assert (back.view.mode, back.settings.out_of_range) == ("signed", "clip")
    back = st8.undo(back)
    assert (back.view.mode, back.settings.out_of_range) == ("clip", "clip") and back.settings == s0.settings
    w = do(st8.choose_preset(s0, "blur"), st8.set_whole, True)  # whole numbers rewrite kernel, divisor and mode
    before = st8.undo(w)
    assert not before.view.whole and before.settings.divisor == 1 and before.name == "blur"
    assert st8.redo(before).whole and st8.redo(before).settings.divisor == 16


def test_undo_and_redo_with_nothing_to_do_change_nothing(s0):
    assert st8.undo(s0) is s0 and st8.redo(s0) is s0
    s = do(s0, st8.set_option, "stride", 2)
    assert st8.redo(s) is s


def test_undo_clears_the_messages_of_refused_input(s0):
    s = do(s0, st8.edit_cells, {(0, 0): 2.0})
    s = st8.edit_cells(s, {(1, 1): "abc"})
    assert s.bad_cell is not None and "grid" in s.problems
    back = st8.undo(s)
    assert back.bad_cell is None and not back.problems and back.matrix[0, 0] == 0


def test_a_refused_value_ends_its_typing_where_it_began(s0):
    """Typing "1e400" sends "1" and "1e4" live on the way; the refusal puts back the kernel from before the typing
    (not "1e4"), marks the cell, and leaves no undo step behind."""
    before = s0.matrix.copy()
    s = s0
    for text in ("1", "1e4"):
        s = st8.record(s, st8.edit_cells(s, {(1, 1): text}), "type-1-1")
    assert s.matrix[1, 1] == 1e4 and len(s.history.past) == 1
    s = st8.record(s, st8.edit_cells(s, {(1, 1): "1e400"}), "type-1-1")
    np.testing.assert_array_equal(s.matrix, before)
    assert s.bad_cell == st8.BadCell(1, 1, "1e400") and "row 2, column 2" in s.problems["grid"]
    assert s.history.past == () and s.name == "sharpen"
    other = st8.record(s0, st8.edit_cells(s0, {(0, 0): "abc"}), "type-0-0")  # refused at once: nothing to undo
    assert other.bad_cell is not None and np.array_equal(other.matrix, before) and other.history.past == ()


def test_only_a_weight_or_a_parameter_value_is_redrawn_on_its_own(s0):
    """``only_hot``: what the kernel editor's callback reruns. A new value of a weight or of a parameter redraws
    the live parts only; anything a control outside them shows needs the whole kernel area."""
    custom = st8.record(s0, st8.edit_cells(s0, {(1, 1): 6.0}), "g1")
    assert not st8.only_hot(s0, custom)  # the first edit: "Custom (from Sharpen)", the Undo button comes alive
    again = st8.record(custom, st8.edit_cells(custom, {(1, 1): 7.0}), "g2")
    assert st8.only_hot(custom, again)  # the next: the weights, the pictures
    merged = st8.record(again, st8.edit_cells(again, {(1, 1): 7.5}), "g2")
    assert st8.only_hot(again, merged)
    blur = st8.choose_preset(s0, "blur")
    moved = st8.record(blur, st8.set_param(blur, "inner", 0.5), "d")
    assert not st8.only_hot(blur, moved)  # the first step: Undo
    moved2 = st8.record(moved, st8.set_param(moved, "inner", 0.7), "d")
    assert st8.only_hot(moved, moved2)
    gauss = st8.choose_preset(s0, "gaussian")
    bigger = st8.record(gauss, st8.set_param(gauss, "size", 7), "d")
    grown = st8.record(bigger, st8.set_param(bigger, "size", 9), "d")
    assert not st8.only_hot(bigger, grown)  # the grid's rows and columns change
    refused = st8.refuse_edit(again, "nonsense")
    assert st8.only_hot(again, refused)  # shown on the grid itself
    assert not st8.only_hot(again, st8.set_scale(again, divisor=2.0))
    assert not st8.only_hot(again, st8.undo(again))  # Redo comes alive


def test_an_editor_event_reruns_only_the_parts_that_show_something_new(s0):
    """``rerun_scope``: a weight or a parameter value reruns only the hot fragment (sliders, result, grid, sum),
    the event's own rerun; the closed panel under the pictures is left alone, an open one follows."""
    from app.panels.grid import CORE, DETAILS, HOT, rerun_scope

    custom = st8.record(s0, st8.edit_cells(s0, {(1, 1): 6.0}), "g1")
    assert rerun_scope(s0, custom) == CORE  # "Custom (from Sharpen)", Undo comes alive
    again = st8.record(custom, st8.edit_cells(custom, {(1, 1): 7.0}), "g2")
    assert rerun_scope(custom, again) == HOT  # the grid: its answer to the cell
    blur = st8.choose_preset(s0, "blur")
    moved = st8.record(blur, st8.set_param(blur, "inner", 0.5), "d")
    moved2 = st8.record(moved, st8.set_param(moved, "inner", 0.7), "d")
    assert rerun_scope(moved, moved2) == HOT  # the grid shows the new weights
    same = st8.record(moved2, st8.set_param(moved2, "inner", 0.7), "d")
    assert rerun_scope(moved2, same) == HOT  # the slider's answer, all the same
    opened = st8.set_view(again, detail="Histogram")
    later = st8.record(opened, st8.edit_cells(opened, {(1, 1): 8.0}), "g3")
    assert rerun_scope(opened, later) == (HOT, DETAILS)  # an open panel follows
    assert rerun_scope(opened, st8.set_view(opened, detail=None)) == CORE  # closing it: the area
