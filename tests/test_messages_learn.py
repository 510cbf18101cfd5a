"""The learning tools' messages (their codes in ``imgkernel.message_templates``): every code is reached through
the public function that says it, reads exactly as before in English, and carries its arguments (nested messages
for prose, plain values for data), so the app can translate it by code."""

from __future__ import annotations

import pickle
import struct
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from imgkernel import KernelError
from imgkernel import layers as first_layers
from imgkernel.borders import MODE_RULES, Mode
from imgkernel.formats import acf
from imgkernel.learn import fit, layers, puzzle, sweep, walkthrough
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.message_templates import TEMPLATES as ALL_TEMPLATES
from imgkernel.messages import Message, Plural
from imgkernel.pipeline import Settings

# this file's share of the library's templates (tests/test_messages_io.py has the rest)
TEMPLATES = {
    c: t for c, t in ALL_TEMPLATES.items() if c.split("_")[0] in ("acf", "fit", "sweep", "layer", "puzzle", "walk")
}

GRAY = np.random.default_rng(3).integers(1, 255, (10, 12), dtype=np.uint8)
RGB = np.zeros((10, 12, 3), np.uint8)
X = np.arange(20.0).reshape(4, 5)
ONES = np.ones((3, 3))
PHOTO = np.arange(48, dtype=np.uint8).reshape(6, 8)


def acf_file(scale: int = 1, offset: int = 0, *, at: int = 12, weight: int = 1) -> bytes:
    """A Custom filter file: one non-zero weight at flat index ``at`` of the 5 × 5 grid."""
    weights = [weight if i == at else 0 for i in range(25)]
    return struct.pack(">27h", *weights, scale, offset)


# (what is done, the code of the KernelError it raises, its English text)
ERRORS: list[tuple[Callable[[], Any], str, str]] = [
    # Photoshop .acf files
    (
        lambda: acf.kernel_from_acf(b"x" * 1234),
        "acf_wrong_size",
        "A Photoshop Custom filter file (.acf) is exactly 54 bytes; this one has 1,234. "
        "It is cut short or not such a file.",
    ),
    (
        lambda: acf.kernel_from_acf(acf_file(at=7, weight=-1500)),
        "acf_weight_out_of_range",
        "The weight in row 2, column 3 is -1500: Photoshop's weights go from −999 to 999, "
        "so this is not a Custom filter file.",
    ),
    (
        lambda: acf.kernel_from_acf(acf_file(scale=0)),
        "acf_scale_zero",
        "The file's scale is 0; Photoshop divides by the scale, so it must be 1 to 9999.",
    ),
    (
        lambda: acf.kernel_from_acf(acf_file(scale=-3)),
        "acf_scale_out_of_range",
        "The file's scale is -3; Photoshop's scale goes from 1 to 9999.",
    ),
    (
        lambda: acf.kernel_from_acf(acf_file(offset=-10000)),
        "acf_offset_out_of_range",
        "The file's offset is -10000; Photoshop's offset goes from −9999 to 9999.",
    ),
    (
        lambda: acf.kernel_from_acf(acf_file(weight=0)),
        "acf_all_zero",
        "Every weight in the file is 0: that filter turns every photo to the offset alone.",
    ),
    (
        lambda: acf.kernel_to_acf(np.ones((7, 3))),
        "acf_too_big",
        "Photoshop's Custom filter holds at most 5 × 5 weights; this kernel is 3 × 7.",
    ),
    (
        lambda: acf.kernel_to_acf(ONES, -2.5),
        "acf_bad_divisor",
        "Photoshop's scale must be 1 to 9999; this kernel divides by -2.5. Negate the weights instead of the divisor.",
    ),
    (
        lambda: acf.kernel_to_acf(ONES, 1, 0.5),
        "acf_offset_not_whole",
        "Photoshop's offset is a whole number from −9999 to 9999; this one is 0.5.",
    ),
    (
        lambda: acf.kernel_to_acf(np.full((1, 2), 0.5**0.5)),
        "acf_no_multiplier",
        "Photoshop's weights and scale are whole numbers: no multiplier up to 9999 makes these "
        "(0.7071067811865476, 0.7071067811865476) and the divisor 1 whole.",
    ),
    (
        lambda: acf.kernel_to_acf(np.full((3, 3), 2**0.5)),
        "acf_no_multiplier",
        "Photoshop's weights and scale are whole numbers: no multiplier up to 9999 makes these (1.4142135623730951, "
        "1.4142135623730951, 1.4142135623730951, 1.4142135623730951, 1.4142135623730951, 1.4142135623730951, …) "
        "and the divisor 1 whole.",
    ),
    (
        lambda: acf.kernel_to_acf(np.full((3, 3), 1000.0)),
        "acf_whole_too_large",
        "As whole numbers the weights reach 1000 and the scale 1; Photoshop allows weights up to ±999 and a scale "
        "up to 9999.",
    ),
    # fitting and training
    (
        lambda: fit.fit_kernel(GRAY, GRAY, "3"),  # type: ignore[arg-type]
        "fit_shape_not_two",
        "The kernel shape must be two whole numbers (rows, columns), got '3'.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, GRAY, (3, 2.0)),  # type: ignore[arg-type]
        "fit_shape_not_two",
        "The kernel shape must be two whole numbers (rows, columns), got (3, 2.0).",
    ),
    (
        lambda: fit.fit_kernel(GRAY, GRAY, (4, 3)),
        "fit_side_invalid",
        f"Each side of the kernel must be odd (so it has a centre) and between 1 and {MAX_KERNEL_SIDE}; got (4, 3).",
    ),
    (
        lambda: fit.fit_kernel(GRAY.astype(bool), GRAY, 3),
        "fit_image_not_numbers",
        "The before image must hold numbers (8-bit or float), not bool.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, np.zeros((4, 4, 2)), 3),
        "fit_image_bad_shape",
        "The after image must be gray (H, W) or RGB (H, W, 3); its shape is (4, 4, 2).",
    ),
    (
        lambda: fit.fit_kernel(np.full((4, 4), np.nan), GRAY, 3),
        "fit_image_not_finite",
        "The before image has missing (NaN) or infinite values.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, np.full((4, 4), np.inf), 3),
        "fit_image_not_finite",
        "The after image has missing (NaN) or infinite values.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, RGB, 3),
        "fit_gray_before_rgb_after",
        "The before image is gray and the after image is RGB: both must be gray or both RGB.",
    ),
    (
        lambda: fit.fit_kernel(RGB, GRAY, 3),
        "fit_rgb_before_gray_after",
        "The before image is RGB and the after image is gray: both must be gray or both RGB.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, GRAY[:, :5], 3),
        "fit_size_mismatch",
        "The two images differ in size (12 × 10 and 5 × 10 px): the after image must be the before image filtered, "
        "same size (not cropped or resized).",
    ),
    (
        lambda: fit.fit_kernel(GRAY, GRAY, (11, 3)),
        "fit_kernel_too_big",
        "A 3 × 11 kernel does not fit in the 12 × 10 px photo; choose a smaller kernel.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, GRAY, 3, max_samples=0),
        "fit_max_samples",
        "max_samples must be a whole number of at least 1, got 0.",
    ),
    (
        lambda: fit.fit_kernel(np.zeros((4, 4)), np.zeros((4, 4)), 3),
        "fit_too_few_values",
        "Only 4 usable pixel values for 9 unknowns; use a larger photo or a smaller kernel.",
    ),
    (
        lambda: fit.fit_kernel(np.zeros((3, 3)), np.zeros((3, 3)), 3),
        "fit_too_few_values",
        "Only 1 usable pixel value for 9 unknowns; use a larger photo or a smaller kernel.",
    ),
    (
        lambda: fit.fit_kernel(GRAY, np.zeros_like(GRAY), 3),
        "fit_too_few_values_clipped",
        "Only 0 usable pixel values for 9 unknowns (the others are 0 or 255 in the after image: maybe clipped); "
        "use a larger photo or a smaller kernel.",
    ),
    (
        lambda: fit.fit_kernel(np.zeros((1, 1)), np.zeros((1, 1), np.uint8), 1),
        "fit_too_few_values_clipped",
        "Only 0 usable pixel values for 1 unknown (the others are 0 or 255 in the after image: maybe clipped); "
        "use a larger photo or a smaller kernel.",
    ),
    (
        lambda: next(fit.train_kernel(GRAY, GRAY, 3, learning_rate=-1.0)),
        "fit_learning_rate",
        "The learning rate must be a number above 0 (and below a million), got -1.0.",
    ),
    (
        lambda: next(fit.train_kernel(GRAY, GRAY, 3, optimizer="lbfgs")),  # type: ignore[arg-type]
        "fit_unknown_optimizer",
        "Unknown optimiser 'lbfgs'; choose one of adam, momentum.",
    ),
    (
        lambda: next(fit.train_kernel(GRAY, GRAY, 3, init="ones")),  # type: ignore[arg-type]
        "fit_unknown_init",
        "Unknown start 'ones'; choose one of zeros, noise.",
    ),
    (
        lambda: next(fit.train_kernel(GRAY, GRAY, 3, steps=-1)),
        "fit_steps",
        "The number of steps must be a whole number of at least 0, got -1.",
    ),
    # the sliding window and transposed convolution
    (
        lambda: sweep.sweep(np.zeros((3, 3, 3)), ONES),
        "sweep_not_gray",
        "The sliding window works on a non-empty gray (H, W) array.",
    ),
    (
        lambda: sweep.sweep(np.full((3, 3), np.nan), ONES),
        "sweep_input_not_finite",
        "The input contains a value that is not a finite number (NaN or infinity).",
    ),
    (
        lambda: sweep.sweep(X, np.ones(3)),
        "sweep_bad_kernel",
        "The kernel must be a non-empty 2-D grid of finite numbers.",
    ),
    (
        lambda: sweep.window(X, ONES, 9, 1),
        "sweep_outside_output",
        "Output position (row 9, column 1) is outside the 5 × 4 output.",
    ),
    (
        lambda: sweep.conv_transpose(X, ONES, padding=-1),
        "layer_whole_at_least",
        "The padding must be a whole number of at least 0 (got -1).",
    ),
    (
        lambda: first_layers.conv2d(np.ones((2, 4, 4)), np.ones((2, 1, 3, 3)), groups=0),
        "layer_whole_at_least",
        "The number of groups must be a whole number of at least 1 (got 0).",
    ),
    (
        lambda: sweep.conv_transpose(X, ONES, output_padding=1.5),  # type: ignore[arg-type]
        "layer_whole_at_least",
        "The output padding must be a whole number of at least 0 (got 1.5).",
    ),
    (
        lambda: sweep.conv_transpose(X, ONES, output_padding=2, stride=2),
        "sweep_output_padding_too_big",
        "The output padding (2) must be smaller than the stride or the dilation (here 2): it only says which of the "
        "sizes a strided convolution maps to is meant.",
    ),
    (
        lambda: sweep.conv_transpose(X, ONES, padding=9),
        "sweep_padding_crops_all",
        "The padding (9) crops away the whole output: make it smaller.",
    ),
    (
        lambda: sweep.scatter(X, ONES, 4, 0),
        "sweep_outside_input",
        "Input cell (row 4, column 0) is outside the input.",
    ),
    # CNN layers
    (
        lambda: layers.layer_output_size(0, 3, 0),
        "layer_whole_at_least",
        "The input size must be a whole number of at least 1 (got 0).",
    ),
    (
        lambda: layers.layer_output_size(5, 2.0, 0),  # type: ignore[arg-type]
        "layer_whole_at_least",
        "The kernel size must be a whole number of at least 1 (got 2.0).",
    ),
    (
        lambda: layers.layer_output_size(5, 3, 0, 0),
        "layer_whole_at_least",
        "The stride must be a whole number of at least 1 (got 0).",
    ),
    (
        lambda: layers.padding_amounts(5, 3, "same", 1, True),
        "layer_whole_at_least",
        "The dilation must be a whole number of at least 1 (got True).",
    ),
    (
        lambda: layers.layer_output_size(5, 7, 0),
        "layer_no_fit",
        "The kernel (spanning 7 pixels) does not fit in 5 pixels plus 0 of padding on each side; use more padding "
        "or a smaller kernel or dilation.",
    ),
    (
        lambda: layers.layer_output_size(1, 3, (0, 1)),
        "layer_no_fit",
        "The kernel (spanning 3 pixels) does not fit in 1 pixel plus 0 + 1 of padding; use more padding or a "
        "smaller kernel or dilation.",
    ),
    (
        lambda: layers.padding_amounts(5, 3, "half"),  # type: ignore[arg-type]
        "layer_unknown_padding",
        "Unknown padding 'half'; choose one of valid, same, full.",
    ),
    (
        lambda: layers.conv_layer(X, np.zeros((0, 3, 3))),
        "layer_empty_bank",
        "A layer needs a stack of kernels of one size, shaped (count, rows, columns).",
    ),
    (
        lambda: layers.pool2d(X, kind="min"),
        "layer_unknown_pooling",
        "Unknown pooling 'min'; choose one of max, average.",
    ),
    (
        lambda: layers.pool2d(np.zeros(3)),
        "layer_pool_dimensions",
        "Pooling needs an array of at least two dimensions (rows x columns).",
    ),
    (
        lambda: layers.combine_maps(np.zeros((3, 4, 4)), np.zeros((2, 2))),
        "layer_second_weights_shape",
        "Second-layer weights must be (outputs, 3); got (2, 2).",
    ),
    (
        lambda: layers.pad_to_size(np.ones((5, 5)), (3, 5)),
        "layer_pad_down",
        "Cannot pad a kernel of side 5 down to 3.",
    ),
    # the mystery kernel and the pixel walkthrough
    (lambda: puzzle.puzzle(-1), "puzzle_bad_seed", "A puzzle number is a whole number from 0 to 999999."),
    (lambda: puzzle.psnr(np.zeros(3), np.zeros(4)), "puzzle_size_mismatch", "Both results must have the same size."),
    (
        lambda: walkthrough.explain_pixel(np.zeros((0, 3)), ONES, Settings(), 0, 0),
        "walk_bad_photo",
        "The photo must be a non-empty (H, W) or (H, W, C) array.",
    ),
    (
        lambda: walkthrough.explain_pixel(PHOTO, ONES, Settings(mode="valid", stride=2), 0, 3),
        "walk_outside_output",
        "Output pixel (row 0, column 3) is outside the output, which is 3 × 2 px.",
    ),
]


def note(mode: Mode, stride: int = 1, kernel: tuple[int, int] = (3, 3)) -> Message:
    """The walkthrough's note on output pixel (row 1, column 2)."""
    return walkthrough.coordinates_note(Settings(mode=mode, stride=stride), kernel, 1, 2)


def kernel(*rows: list[float]) -> np.ndarray:
    return np.array(rows, dtype=np.float64)


SOBEL_X = kernel([1, 0, -1], [2, 0, -2], [1, 0, -1])
HALF_TURN = kernel([1, 2, 0], [0, 5, 0], [0, 2, 1])

# (what is done, the code of the message it returns, its English text)
RETURNS: list[tuple[Callable[[], str], str, str]] = [
    (lambda: acf.kernel_from_acf(acf_file()).name, "acf_default_name", "Photoshop custom filter"),
    (lambda: layers.kernel_bank([], gabor_angles=(22.5,))[0][0], "layer_title_gabor", "Gabor 22.5°"),
    (lambda: layers.kernel_bank([], n_random=2)[0][1], "layer_title_random", "Random #2"),
    (
        lambda: puzzle.symmetry(kernel([1, 0, 1], [2, 3, 2], [5, 6, 5])),
        "puzzle_sym_left_right",
        "symmetric left-right (a mirror down the middle column)",
    ),
    (
        lambda: puzzle.symmetry(kernel([1, 2, 4], [0, 3, 6], [1, 2, 4])),
        "puzzle_sym_top_bottom",
        "symmetric top-bottom (a mirror across the middle row)",
    ),
    (
        lambda: puzzle.symmetry(kernel([1, 0, -1], [2, 0, -2], [3, 0, -3])),
        "puzzle_anti_left_right",
        "left-right opposite (mirrored down the middle column, the sign flips)",
    ),
    (
        lambda: puzzle.symmetry(kernel([1, 2, 3], [0, 0, 0], [-1, -2, -3])),
        "puzzle_anti_top_bottom",
        "top-bottom opposite (mirrored across the middle row, the sign flips)",
    ),
    (
        lambda: puzzle.symmetry(kernel([1, 2, 3], [2, 4, 5], [3, 5, 6])),
        "puzzle_sym_diagonal",
        "symmetric across the diagonal (top-left to bottom-right)",
    ),
    (lambda: puzzle.symmetry(HALF_TURN), "puzzle_sym_half_turn", "the same turned half a turn (180°)"),
    (
        lambda: puzzle.symmetry(kernel([1, 2, 0], [0, 0, 0], [0, -2, -1])),
        "puzzle_anti_half_turn",
        "turned half a turn (180°) it changes sign",
    ),
    (lambda: puzzle.symmetry(kernel([1, 2, 3], [4, 5, 6], [7, 8, 10])), "puzzle_sym_none", "no mirror symmetry"),
    (
        lambda: puzzle.symmetry(SOBEL_X),
        "puzzle_sym_and",
        "symmetric top-bottom (a mirror across the middle row); "
        "left-right opposite (mirrored down the middle column, the sign flips)",
    ),
    (
        lambda: puzzle.symmetry(np.ones((3, 3))),
        "puzzle_sym_and",
        "symmetric left-right (a mirror down the middle column); symmetric top-bottom (a mirror across the middle "
        "row); symmetric across the diagonal (top-left to bottom-right)",
    ),
    (lambda: puzzle.hints(np.ones((3, 5)))[0], "puzzle_hint_size", "The kernel is 5 × 3."),
    (
        lambda: puzzle.hints(SOBEL_X)[1],
        "puzzle_hint_sum",
        "Its weights sum to 0, so flat areas go black and only edges show.",
    ),
    (
        lambda: puzzle.hints(np.eye(3) / 3)[1],
        "puzzle_hint_sum",
        "Its weights sum to 1, so flat areas keep their brightness.",
    ),
    (
        lambda: puzzle.hints(-np.eye(3) / 2)[1],
        "puzzle_hint_sum",
        "Its weights sum to -1.5: negative, so flat areas go black (clipped below 0).",
    ),
    (
        lambda: puzzle.hints(np.eye(3) * 0.5)[1],
        "puzzle_hint_sum",
        "Its weights sum to 1.5, so flat areas get 1.5 times brighter.",
    ),
    (
        lambda: puzzle.hints(HALF_TURN)[2],
        "puzzle_hint_symmetry",
        "Symmetry: the same turned half a turn (180°).",
    ),
    (
        lambda: puzzle.hints(kernel([0, 0.5, 0], [0, 0, 0], [0, -2.5, 0]))[3],
        "puzzle_hint_largest",
        "Its largest weight in size is -2.5, in row 3, column 2.",
    ),
    (
        lambda: note("valid", 2, (2, 3)),
        "walk_note_valid",
        "'valid' mode pads nothing, so output pixel (row 1, column 2) uses the window whose top-left input pixel is "
        "(row 1 × 2, column 2 × 2) = (row 2, column 4); the window covers 3 × 2 input pixels (width × height), so "
        "the output is smaller than the input by 2 columns and 1 row (then divided by the stride).",
    ),
    (
        lambda: note("valid", 1, (1, 2)),
        "walk_note_valid",
        "'valid' mode pads nothing, so output pixel (row 1, column 2) uses the window whose top-left input pixel is "
        "(row 1 × 1, column 2 × 1) = (row 1, column 2); the window covers 2 × 1 input pixels (width × height), so "
        "the output is smaller than the input by 1 column and 0 rows (then divided by the stride).",
    ),
    (
        lambda: note("reflect"),
        "walk_note_centred",
        "Output pixel (row 1, column 2) is centred on input pixel (row 1, column 2). Taps that fall outside the "
        "image read the 'reflect' border: mirror image of the border including the edge pixel "
        "(d c b a | a b c d | d c b a).",
    ),
    (
        lambda: note("constant", 3),
        "walk_note_centred_stride",
        "Output pixel (row 1, column 2) is centred on input pixel (row 3, column 6) (stride 3: every 3th input "
        "pixel). Taps that fall outside the image read the 'constant' border: a constant value (cval) outside the "
        "image.",
    ),
]


def codes(message: object) -> Iterator[str]:
    """The codes of ``message`` and of every message nested in it."""
    if isinstance(message, Message):
        yield message.code
        for value in message.params.values():
            yield from codes(value)


def _error(action: Callable[[], Any]) -> KernelError:
    with pytest.raises(KernelError) as caught:
        action()
    return caught.value


def _label(case: tuple[Callable[[], Any], str, str]) -> str:
    return case[1]


@pytest.mark.parametrize("action, code, text", ERRORS, ids=[_label(c) for c in ERRORS])
def test_each_error_has_its_code_and_reads_as_before(action, code, text):
    err = _error(action)
    assert (err.code, str(err)) == (code, text)
    assert isinstance(err.message, Message) and err.message == text
    restored = pickle.loads(pickle.dumps(err))  # Streamlit caches and worker processes pickle errors
    assert (restored.code, str(restored)) == (code, text)


@pytest.mark.parametrize("action, code, text", RETURNS, ids=[_label(c) for c in RETURNS])
def test_each_returned_text_is_a_message_with_its_code(action, code, text):
    message = action()
    assert isinstance(message, Message) and message.code == code
    assert message == text


def test_every_code_is_reached_and_merged_into_the_library_templates():
    seen: set[str] = set()
    for action, _code, _text in ERRORS:
        seen.update(codes(_error(action).message))
    for action, _code, _text in RETURNS:
        seen.update(codes(action()))
    assert seen >= set(TEMPLATES), sorted(set(TEMPLATES) - seen)
    assert {c: ALL_TEMPLATES[c] for c in TEMPLATES} == TEMPLATES


def test_prose_inside_a_message_is_a_message_and_data_stays_plain():
    err = _error(lambda: fit.fit_kernel(GRAY, np.full((4, 4), np.inf), 3))
    assert err.params["image"].code == "fit_role_after"
    err = _error(lambda: layers.layer_output_size(1, 3, 0))
    assert [err.params[k].code for k in ("span", "size", "pads")] == [
        "layer_pixels",
        "layer_pixels",
        "layer_padding_each_side",
    ]
    err = _error(lambda: sweep.conv_transpose(X, ONES, output_padding=-1))
    assert err.params["name"].code == "layer_name_output_padding" and err.params["value"] == -1
    m = note("wrap", 2)
    assert m.params["mode"] == "wrap" and not isinstance(m.params["mode"], Message)
    hint = puzzle.hints(SOBEL_X)[2]
    assert [p.code for p in puzzle.symmetry_parts(SOBEL_X)] == ["puzzle_sym_top_bottom", "puzzle_anti_left_right"]
    assert hint.params["found"].code == "puzzle_sym_and"


@pytest.mark.parametrize("mode", ["reflect", "mirror", "nearest", "wrap", "constant"])
def test_the_walkthrough_quotes_the_border_modes_rule_as_a_message(mode):
    rule = note(mode, 2).params["rule"]
    assert isinstance(rule, Message) and rule is MODE_RULES[mode]
    assert note(mode, 2).endswith(f"border: {rule}.")


@pytest.mark.parametrize(("n", "text"), [(0, "0 rows"), (1, "1 row"), (2, "2 rows")])
def test_counts_pick_the_plural_form(n, text):
    kernel_shape = (n + 1, 3)
    assert note("valid", 1, kernel_shape).params["rows"] == text


def test_a_message_renders_in_another_language_by_its_templates():
    catalogue = {"Its weights {what}.": "Sus pesos {what}.", "sum to 1, so flat areas keep their brightness": "suman 1"}
    hint = puzzle.hints(np.eye(3) / 3)[1]
    assert hint.render(lambda t: catalogue.get(t, t)) == "Sus pesos suman 1."


def test_templates_are_marked_and_plurals_count_with_their_argument():
    for code, template in TEMPLATES.items():
        assert code.split("_")[0] in {"acf", "fit", "sweep", "layer", "puzzle", "walk"}, code
        if isinstance(template, Plural):
            assert f"{{{template.by}}}" in template.singular and f"{{{template.by}}}" in template.plural
