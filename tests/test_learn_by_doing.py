"""The Learn-by-doing pages: "Sliding window" (``app.sweep_view``) with its frames and animated GIF, and "Mystery
kernel" (``imgkernel.learn.puzzle``, ``app.mystery_view``): their pure parts, and the pages driven by AppTest (no
browser)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache
from app import mystery_view as mv
from app import sweep_view as sv
from app.editor_events import Cells, Param, Paste, Redo, Undo
from app.state import BadCell
from imgkernel.learn import puzzle
from tests.apptest import component_data, edit, ok, result_captions, start, state

ROOT = Path(__file__).resolve().parents[1]
SHARPEN = imgkernel.get("sharpen").matrix()


def _page(**session) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "sliding_window.py"), default_timeout=30)
    for key, value in session.items():
        at.session_state[key] = value
    return ok(at.run())


# -- pure parts --------------------------------------------------------------------------------------------------


def test_inputs_are_small_gray_squares():
    photo = cache.sample_photo().pixels
    x = sv.source_pixels(sv.SOURCES[0], 8, photo)
    assert x.shape == (8, 8) and x.dtype == np.float64 and 0 <= x.min() < x.max() <= 255
    g = sv.source_pixels(sv.SOURCES[1], 5)
    assert g[0, 0] == 0 and g[4, 4] == 255 and np.all(np.diff(g, axis=1) > 0)
    one = sv.source_pixels(sv.SOURCES[2], 5)
    assert one.sum() == 255 and one[2, 2] == 255


def test_cell_text():
    assert [sv.cell_text(v) for v in (3.0, -2.0, 15.94, 0.02, -0.5)] == ["3", "−2", "15.9", "0", "−0.5"]


@pytest.mark.parametrize("mode", imgkernel.MODES)
def test_the_conv_scene_fills_the_engines_output_one_cell_per_step(mode):
    x = sv.source_pixels(sv.SOURCES[1], 7)
    scene, out = sv.conv_scene(x, SHARPEN, mode, 20.0, 2, 2)
    want = imgkernel.correlate(x, SHARPEN, mode=mode, cval=20.0, stride=2, dilation=2)
    np.testing.assert_allclose(out, want, atol=1e-3)
    assert scene.steps == out.size
    for i in range(scene.steps):
        f = scene.frame(i)
        assert np.count_nonzero(~np.isnan(f.right)) == i + 1
        r, c = f.right_cells[0]
        assert f.right[r, c] == out[r, c]
        assert len(f.left_cells) == 9  # the taps, in padded coordinates
        rows = sorted({a for a, _ in f.left_cells})
        assert np.all(np.diff(rows) == 2)  # dilation 2
    end = scene.frame(scene.steps)
    assert end.left_cells == () and np.array_equal(end.right, out)
    assert scene.left_hatch.any() == (mode != "valid")


def test_the_transposed_scene_adds_stamps_until_the_output_is_complete():
    x = sv.source_pixels(sv.SOURCES[2], 3)
    blur = imgkernel.get("blur").matrix()
    scene, out = sv.transposed_scene(x, blur, 2, 1, 1, 1)
    assert out.shape == (6, 6) and scene.result.shape == (8, 8)  # (3 − 1)·2 + 3 − 2 + 1, before the crop 8
    expected = imgkernel.learn.sweep.conv_transpose(x, blur, stride=2, padding=1, output_padding=1)
    np.testing.assert_allclose(out, expected)
    assert scene.right_hatch[0].all() and scene.right_hatch[:, -1].all() and not scene.right_hatch[1:7, 1:7].any()
    f = scene.frame(4)  # the bright centre cell stamps the blur, × 255, onto rows and columns 2..4
    assert f.left_cells == ((1, 1),) and {r for r, _ in f.right_cells} == {2, 3, 4}
    np.testing.assert_allclose(f.right[2:5, 2:5], 255 * blur)
    np.testing.assert_allclose(scene.frame(scene.steps).right, scene.result)
    assert np.isnan(scene.frame(0).right[4, 4])  # not reached yet


def test_frames_are_drawn_incrementally_and_equal_single_pictures():
    x = sv.source_pixels(sv.SOURCES[1], 5)
    scene, _ = sv.conv_scene(x, SHARPEN, "wrap", 0.0, 1, 1)
    every = list(sv.frames(scene))
    assert len(every) == scene.steps + 1 == 26
    for i in (0, 7, 25):
        np.testing.assert_array_equal(np.asarray(every[i]), sv.picture(scene, i))
    w, h = sv.frame_size(scene)
    assert every[0].size == (w, h) and w <= sv.MAX_WIDTH
    assert not np.array_equal(np.asarray(every[3]), np.asarray(every[4]))


def test_the_window_is_outlined_where_its_taps_are():
    x = np.full((6, 6), 128.0)
    scene, _ = sv.conv_scene(x, np.ones((3, 3)), "valid", 0.0, 1, 1)
    pic = sv.picture(scene, 0)
    (lx, ly), _, c = sv._origins(scene)
    yellow = np.all(pic == sv.OUTLINE, axis=-1)
    assert yellow[ly + 1 : ly + 3 * c - 1, lx + 1].any()  # the window's left edge at column 0
    assert not yellow[ly + 1 : ly + 3 * c - 1, lx + 4 * c + c // 2].any()  # nothing over column 4


def test_gif_holds_every_frame_and_loops():
    x = sv.source_pixels(sv.SOURCES[2], 4)
    scene, _ = sv.conv_scene(x, SHARPEN, "constant", 0.0, 2, 1)
    data = sv.gif_bytes(scene)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == scene.steps + 1 == 5
    assert gif.info.get("loop") == 0 and gif.size == sv.frame_size(scene)
    gif.seek(gif.n_frames - 1)
    assert gif.info["duration"] == 4 * sv.FRAME_MS


def test_gif_past_its_bounds_is_a_plain_message_not_work(monkeypatch):
    scene, _ = sv.conv_scene(sv.source_pixels(sv.SOURCES[1], 16), SHARPEN, "reflect", 0.0, 1, 1)
    assert sv.gif_problem(scene) is None  # 257 frames of about 1 MP: within the bounds
    monkeypatch.setattr(sv, "MAX_FRAMES", 100)
    assert sv.gif_problem(scene) == ("The sweep has 257 frames; an animation holds at most 100: use a smaller input.")
    monkeypatch.setattr(sv, "frames", lambda *_: pytest.fail("no frame may be drawn past the bounds"))
    with pytest.raises(ValueError, match="at most 100"):
        sv.gif_bytes(scene)
    monkeypatch.setattr(sv, "MAX_FRAMES", 400)
    monkeypatch.setattr(sv, "MAX_FRAME_PIXELS", 1000)
    assert re.fullmatch(
        r"A frame would be \d+ × \d+ px; an animation holds at most 1,000 pixels per frame\.",
        sv.gif_problem(scene) or "",
    )


def test_products_table_and_texts():
    t = sv.products_table(np.array([[10.0, 20]]), np.array([[-1.0, 0.5]]), np.array([[True, False]]))
    assert list(t.columns) == ["col 1", "col 2"] and list(t.index) == ["row 1"]
    assert t.iloc[0].tolist() == ["10 (pad) × −1 = −10", "20 × 0.5 = 10"]
    assert sv.size_formula(3, 3, 2, 1, 1, 1) == (
        "(n − 1)·s + d·(k − 1) + 1 − 2p + output padding = (3 − 1)·2 + 1·(3 − 1) + 1 − 2·1 + 1 = **6**"
    )
    assert sv.size_formula(4, 2, 1, 2, 0, 0).endswith("= **6**")
    note = sv.conv_note("valid", 2, 3, (3, 3), (2, 2))
    assert note.startswith("No padding ('valid')") and "spans 7 × 7 input cells" in note and "moves 2 cells" in note
    assert "'wrap' border mode: the opposite side" in sv.conv_note("wrap", 1, 1, (3, 3), (8, 8))


def test_alt_text_says_what_the_frame_shows():
    scene, _ = sv.conv_scene(sv.source_pixels(sv.SOURCES[1], 4), SHARPEN, "nearest", 0.0, 1, 1)
    text = sv.alt_frame(scene, 2, "the window computes output (row 1, column 3) = 5")
    assert text.startswith("Left, input, padded: 6 × 6 cells") and "padding hatched" in text
    assert "Right, output: 4 × 4 cells, 3 filled so far" in text and "step 3 of 16: the window computes" in text
    assert sv.alt_frame(scene, 16, "x").endswith("all 16 steps done.")


# -- the page ----------------------------------------------------------------------------------------------------


def _frame_caption(at: AppTest) -> str:
    (cap,) = [c for img in at.image for c in img.captions if c.startswith("Step ")]
    return cap


def test_the_page_steps_scrubs_and_shows_the_engines_numbers():
    at = _page()
    photo = state(at).photo.pixels
    x = sv.source_pixels(sv.SOURCES[0], 8, photo)
    out = imgkernel.correlate(x, SHARPEN, mode="reflect")
    assert (
        _frame_caption(at) == f"Step 1 of 64 · the window computes output (row 1, column 1) = {sv.cell_text(out[0, 0])}"
    )
    at.button(key="sw_next").click().run()
    at.button(key="sw_next").click().run()
    assert _frame_caption(ok(at)).startswith("Step 3 of 64 · the window computes output (row 1, column 3) = ")
    total = [m.value for m in at.markdown if m.value.startswith("Sum of the products = ")]
    assert total == [f"Sum of the products = **{imgkernel.learn.sweep.window(x, SHARPEN, 0, 2).total:g}**"]
    at.slider(key=sv.POS_KEY).set_value(65).run()
    assert _frame_caption(ok(at)) == "Step 64 of 64 · the output is complete"
    at.button(key="sw_next").click().run()  # already at the end: stays
    assert _frame_caption(ok(at)) == "Step 64 of 64 · the output is complete"
    assert at.image and all(img.proto.imgs[0].alt for img in at.image)


def test_every_border_mode_stride_and_dilation_runs():
    at = _page()
    for mode in imgkernel.MODES:
        at.selectbox(key="sw_mode").set_value(mode)
        at.select_slider(key="sw_stride").set_value(3)
        at.select_slider(key="sw_dil").set_value(2)
        ok(at.run())
        steps = int(re.match(r"Step \d+ of (\d+)", _frame_caption(at))[1])
        shape = imgkernel.output_shape((8, 8), (3, 3), mode=mode, stride=3, dilation=2)
        assert steps == shape[0] * shape[1], mode
    at.selectbox(key="sw_mode").set_value("constant")
    ok(at.run())
    at.number_input(key="sw_cval").set_value(99.0)
    ok(at.run())
    assert any("'constant' border mode" in c.value for c in at.caption)
    assert at.slider(key=sv.POS_KEY).value == 1  # the first window reads padding: cval
    (taps,) = at.table
    assert taps.value.iloc[0, 0] == "99 (pad) × 0 = 0" and taps.value.iloc[1, 0] == "99 (pad) × −1 = −99"


def test_play_shows_an_animated_gif_and_offers_it():
    at = _page(sw_side=4)
    assert not at.get("download_button")
    ok(at.button(key="sw_play").click().run())
    gifs = [img for img in at.image if img.captions and img.captions[0].startswith("The sweep, animated")]
    assert gifs and gifs[0].captions[0] == "The sweep, animated (17 frames)"
    assert len(at.get("download_button")) == 1
    at.select_slider(key="sw_stride").set_value(2).run()  # a change: the old animation goes
    assert not [img for img in at.image if img.captions and img.captions[0].startswith("The sweep, animated")]


def test_transposed_mode_shows_its_output_size_and_refuses_bad_padding_plainly():
    at = _page(sw_what=sv.WHAT[1])
    text = " ".join(m.value for m in at.markdown)
    assert "(3 − 1)·1 + 1·(3 − 1) + 1 − 2·0 = **5**" in text
    at.select_slider(key="sw_stride").set_value(2)
    at.number_input(key="swt_pad").set_value(1)
    at.number_input(key="swt_outpad").set_value(1)
    ok(at.run())
    assert "(3 − 1)·2 + 1·(3 − 1) + 1 − 2·1 + 1 = **6**" in " ".join(m.value for m in at.markdown)
    assert _frame_caption(at).startswith("Step 1 of 9 · input cell (row 1, column 1) = ")
    at.number_input(key="swt_outpad").set_value(3).run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "The output padding (3) must be smaller than the stride or the dilation (here 2): it only says which of the "
        "sizes a strided convolution maps to is meant."
    ]


def test_a_kernel_too_big_to_draw_is_refused_plainly():
    at = _page(sw_kernel="motion_blur")
    title = imgkernel.get("motion_blur").title
    assert [i.value for i in at.info] == [f"{title} is 9 × 9: this page draws kernels up to 7 × 7. Pick a smaller one."]
    assert not at.image


def test_open_in_the_playground_takes_kernel_and_options():
    at = start()
    at.switch_page("pages/sliding_window.py").run()
    ok(at)
    at.selectbox(key="sw_kernel").set_value("emboss")
    at.selectbox(key="sw_mode").set_value("wrap")
    at.select_slider(key="sw_stride").set_value(2)
    ok(at.run())
    at.button(key="sw_open").click().run()
    s = state(ok(at))
    np.testing.assert_array_equal(s.matrix, imgkernel.get("emboss").matrix())
    assert (s.settings.mode, s.settings.stride, s.settings.dilation) == ("wrap", 2, 1)
    assert result_captions(at)  # the playground is showing


# -- Mystery kernel: the puzzle (imgkernel.learn.puzzle), the page's pure parts and the page ---------------------------


def test_a_seed_always_gives_the_same_puzzle_and_both_kinds_occur():
    kinds = set()
    for seed in range(40):
        a, b = puzzle.puzzle(seed), puzzle.puzzle(seed)
        assert a.name == b.name and np.array_equal(a.matrix, b.matrix)
        assert max(a.matrix.shape) <= puzzle.MAX_SIDE and a.matrix.any()
        if a.name is None:
            assert a.matrix.shape == (3, 3) and set(np.unique(a.matrix)) <= {-2, -1, 0, 1, 2}
        else:
            np.testing.assert_array_equal(a.matrix, imgkernel.get(a.name).matrix())
        kinds.add(a.name is None)
    assert kinds == {True, False}
    for bad in (-1, puzzle.MAX_SEED + 1, 1.5, True, "12"):
        with pytest.raises(imgkernel.KernelError, match="whole number from 0"):
            puzzle.puzzle(bad)  # type: ignore[arg-type]


def test_seed_text_psnr_and_matching():
    assert [puzzle.parse_seed(t) for t in ("1234", " 7 ", "-3", "1e3", "abc", None, "1000000")] == [
        1234,
        7,
        None,
        None,
        None,
        None,
        None,
    ]
    a = np.zeros((4, 4))
    assert puzzle.psnr(a, a) == float("inf")
    assert puzzle.psnr(a, a + 1) == pytest.approx(20 * np.log10(255))  # 48.13 dB: one grey level everywhere
    assert puzzle.same_weights(SHARPEN, puzzle.centred(SHARPEN, 5)) and not puzzle.same_weights(SHARPEN, SHARPEN.T * 2)
    assert puzzle.solved(50.0, np.zeros((3, 3)), SHARPEN) and not puzzle.solved(49.9, np.zeros((3, 3)), SHARPEN)


def test_hints_say_size_sum_and_symmetry():
    h = puzzle.hints(imgkernel.get("sobel_left").matrix())
    assert h[:3] == [
        "The kernel is 3 × 3.",
        "Its weights sum to 0, so flat areas go black and only edges show.",
        "Symmetry: symmetric top-bottom (a mirror across the middle row); left-right opposite (mirrored down the "
        "middle column, the sign flips).",
    ]
    assert (
        puzzle.hints(imgkernel.get("blur").matrix())[1] == "Its weights sum to 1, so flat areas keep their brightness."
    )
    assert puzzle.symmetry(imgkernel.get("sobel_top").matrix()).startswith("symmetric left-right (")
    assert puzzle.symmetry(np.array([[1.0, 2], [3, 4]])) == "no mirror symmetry"
    assert (
        puzzle.symmetry(imgkernel.get("emboss").matrix()) == "symmetric across the diagonal (top-left to bottom-right)"
    )
    assert puzzle.hints(np.array([[0.0, -3], [1, 0]]))[3] == "Its largest weight in size is -3, in row 1, column 2."


def test_grid_events_apply_and_a_bad_cell_is_named():
    g = np.zeros((3, 3))
    new, problem = mv.apply_event(g, Cells(((1, 2, 4.0), (0, 0, "1/2")), (3, 3)))
    assert problem is None and new[1, 2] == 4 and new[0, 0] == 0.5 and not g.any()
    for bad, words in (("abc", "row 3, column 1 holds 'abc'"), (float("nan"), "NaN"), (1e12, "too large")):
        kept, problem = mv.apply_event(new, Cells(((2, 0, bad),), (3, 3)))
        assert problem is not None and words in problem.message
        assert problem.message.endswith("Your previous guess stays.")
        assert problem.cell == BadCell(2, 0, bad if isinstance(bad, str) else repr(bad))  # marked on its cell
        np.testing.assert_array_equal(kept, new)
    for ignored in (Cells(((0, 0, 9.0),), (5, 5)), Undo(), Redo(), Param("inner", 3.0)):  # nothing to do here
        kept, problem = mv.apply_event(new, ignored)
        assert problem is None and np.array_equal(kept, new)
    pasted, problem = mv.apply_event(new, Paste("\n".join(["1\t2\t3\t4\t5"] * 5)))  # 5 rows from a spreadsheet
    assert problem is None and pasted.shape == (5, 5) and pasted[4, 4] == 5
    kept, problem = mv.apply_event(new, Paste("[[1, 2], [3, 4]]"))
    assert problem.message.startswith("The guess must be 3 × 3 or 5 × 5; the pasted matrix is 2 × 2.")
    assert problem.cell is None
    np.testing.assert_array_equal(kept, new)
    kept, problem = mv.apply_event(new, imgkernel.KernelError("The editor sent something that is not a kernel edit."))
    assert problem.message.startswith("The editor sent something") and np.array_equal(kept, new)
    assert mv.link_query(12, state_photo := cache.sample_photo()) == {"puzzle": "12", "img": state_photo.name}


def _mystery(seed: int) -> AppTest:
    """The app on the mystery page with puzzle ``seed`` in play (as a link would set it: see the link test)."""
    at = start()
    at.session_state[mv.SEED_KEY] = seed
    at.switch_page("pages/mystery.py").run()
    return ok(at)


def test_a_puzzle_link_opens_its_puzzle_and_a_bad_one_a_fresh_one():
    at = AppTest.from_file(str(ROOT / "pages" / "mystery.py"), default_timeout=30)
    at.query_params["puzzle"] = "1234"
    ok(at.run())
    assert at.session_state[mv.SEED_KEY] == 1234 and any("puzzle 1234" in c for i in at.image for c in i.captions)
    at = AppTest.from_file(str(ROOT / "pages" / "mystery.py"), default_timeout=30)
    at.query_params["puzzle"] = "[[1,2],[3,4]]"
    ok(at.run())
    assert 0 <= at.session_state[mv.SEED_KEY] <= puzzle.MAX_SEED


def _emboss_seed() -> int:
    return next(s for s in range(100) if puzzle.puzzle(s).name == "emboss")


def test_mystery_page_scores_a_guess_until_solved():
    seed = _emboss_seed()
    at = _mystery(seed)
    assert at.session_state[mv.SEED_KEY] == seed
    assert not at.success and at.markdown[0].value.startswith("Match: **")
    emboss = imgkernel.get("emboss").matrix()
    before = float(re.search(r"\*\*([\d.]+) dB", at.markdown[0].value)[1])
    for (r, c), v in np.ndenumerate(emboss):
        if v:
            ok(edit(at, r, c, float(v)))
    assert "∞ (identical)" in at.markdown[0].value and before < 50
    assert [s.value for s in at.success] == [f"Solved! Puzzle {seed}'s kernel does the same as yours."]
    np.testing.assert_array_equal(at.session_state[mv.GUESS_KEY], emboss)


def test_mystery_page_refuses_a_bad_cell_by_name_and_keeps_the_guess():
    at = _mystery(_emboss_seed())
    edit(at, 0, 0, 2.0).run()
    edit(at, 1, 2, "two")
    bad = component_data(ok(at), mv.GRID_KEY)["bad"]  # said on the cell, which keeps what was typed
    assert bad == {
        "row": 1,
        "col": 2,
        "text": "two",
        "message": "The cell in row 2, column 3 holds 'two', which is not a number. Your previous guess stays.",
    }
    assert at.session_state[mv.GUESS_KEY][0, 0] == 2 and at.session_state[mv.GUESS_KEY][1, 2] == 0
    edit(at, 1, 2, "2")
    assert component_data(ok(at), mv.GRID_KEY)["bad"] is None and at.session_state[mv.GUESS_KEY][1, 2] == 2


def test_hints_one_at_a_time_reveal_new_puzzle_and_a_link_without_weights():
    seed = _emboss_seed()
    at = _mystery(seed)
    assert dict(at.query_params) == {"puzzle": str(seed), "img": cache.DEFAULT_SAMPLE}
    for n in (1, 2, 3, 4):
        at.button(key="mk_hint").click().run()
        assert [m.value for m in at.markdown if m.value.startswith("* ")] == [
            f"* {h}" for h in puzzle.hints(puzzle.puzzle(seed).matrix)[:n]
        ]
    assert not [b for b in at.button if b.key == "mk_hint"]  # no more hints
    link = "&".join(f"{k}={v}" for k, v in at.query_params.items())
    assert "-2" not in link and "emboss" not in link.lower()
    assert any(m.value.startswith("**Emboss**") for m in at.markdown)  # the reveal (in its expander)
    at.button(key="mk_new").click().run()
    ok(at)
    assert at.session_state[mv.HINTS_KEY] == 0 and not at.session_state[mv.GUESS_KEY].any()
    assert dict(at.query_params)["puzzle"] == str(at.session_state[mv.SEED_KEY])


def test_a_hint_click_shows_the_hint_in_the_run_it_starts(monkeypatch):
    drawn = []  # one entry per time the page draws its hints
    draw = mv.hints
    monkeypatch.setattr(mv, "hints", lambda hidden: (drawn.append(1), draw(hidden))[1])
    seed = _emboss_seed()
    at = _mystery(seed)
    drawn.clear()
    at.button(key="mk_hint").click().run()
    first = puzzle.hints(puzzle.puzzle(seed).matrix)[0]
    assert [m.value for m in ok(at).markdown if m.value.startswith("* ")] == [f"* {first}"]
    assert len(drawn) == 1  # counted by the button's callback before the page ran: no second run to show it


def test_mystery_reveal_opens_the_kernel_in_the_playground():
    at = _mystery(_emboss_seed())
    at.button(key="mk_open").click().run()
    np.testing.assert_array_equal(state(ok(at)).matrix, imgkernel.get("emboss").matrix())
    assert result_captions(at)
