"""Share links: what is encoded comes back, and hostile links are ignored with a notice (never raise)."""

import numpy as np
import pytest

import imgkernel
from app.limits import MAX_SHARE_QUERY_CHARS
from app.share import ShareState, decode, encode
from imgkernel.limits import MAX_KERNEL_SIDE
from imgkernel.pipeline import Settings

SAMPLES = ("Chelsea the cat", "Coffee cup")


def roundtrip(state: ShareState) -> tuple[ShareState, list[str]]:
    return decode(encode(state), SAMPLES)


def test_defaults_encode_to_the_kernel_name_only():
    assert encode(ShareState()) == {"k": "sharpen"}
    state, notices = decode({})
    assert notices == []
    assert state.kernel == "sharpen" and state.settings == Settings() and state.sample is None


@pytest.mark.parametrize("name", list(imgkernel.CATALOGUE))
def test_every_catalogue_kernel_round_trips_with_changed_params(name):
    spec = imgkernel.get(name)
    params = {p.name: (p.max if p.integer else (p.min + p.max) / 2) for p in spec.params}
    back, notices = roundtrip(ShareState(name, params))
    assert notices == []
    assert back.kernel == name
    assert back.params == pytest.approx(params)
    np.testing.assert_array_equal(spec.matrix(back.params), spec.matrix(params))


def test_custom_matrix_and_every_option_round_trip():
    matrix = np.array([[0.0625, -1.5, 3], [1e-7, 0, -2.25]])  # non-square, tiny and fractional weights
    settings = Settings(
        mode="constant",
        cval=12.5,
        stride=3,
        dilation=2,
        true_convolution=True,
        divisor=-4.0,
        offset=127.5,
        normalise=True,
        mean=True,
        gray=True,
    )
    back, notices = roundtrip(ShareState("custom", {}, matrix, settings, "signed", "Coffee cup"))
    assert notices == []
    assert back.kernel == "custom"
    np.testing.assert_array_equal(back.matrix, matrix)
    assert back.settings == settings
    assert (back.view, back.sample) == ("signed", "Coffee cup")


def test_fractions_and_lists_are_read_as_streamlit_gives_them():
    state, notices = decode({"k": ["outline", "custom"], "m": "1/16,1/8;1/8,1/4"})
    assert notices == []
    np.testing.assert_array_equal(state.matrix, [[1 / 16, 1 / 8], [1 / 8, 1 / 4]])


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ({"k": "__import__('os').system('id')"}, "no such kernel"),
        ({"k": "sharpen", "p.inner": "nan"}, "NaN"),
        ({"k": "sharpen", "p.inner": "1e308"}, "too large"),
        ({"k": "sharpen", "p.inner": "99"}, "between"),
        ({"k": "sharpen", "p.evil": "1"}, "no such parameter"),
        ({"k": "custom", "m": "1,2;3"}, "same number"),
        ({"k": "custom", "m": "1,x;3,4"}, "not a number"),
        ({"k": "custom", "m": "1,inf"}, "too large"),
        ({"k": "custom", "m": ";".join(["1"] * (MAX_KERNEL_SIDE + 1))}, "too big"),
        ({"k": "custom", "m": ",".join(["1"] * (MAX_KERNEL_SIDE + 1))}, "too big"),
        ({"k": "custom"}, "without a matrix"),
        ({"k": "sharpen", "m": "1"}, "only read with k=custom"),
        ({"mode": "<script>alert(1)</script>"}, "not one of"),
        ({"stride": "0"}, "whole number"),
        ({"stride": "9" * 400}, "whole number"),
        ({"dil": "2.5"}, "whole number"),
        ({"div": "0"}, "cannot be 0"),
        ({"div": "1e-300"}, "divisor"),
        ({"off": "-inf"}, "too large"),
        ({"cval": "'; DROP TABLE x"}, "not a number"),
        ({"norm": "yes"}, "1 or 0"),
        ({"view": "eval"}, "not one of"),
        ({"img": "../../etc/passwd"}, "no such sample"),
        ({"unknown": "1"}, "unknown setting"),
    ],
)
def test_hostile_values_are_ignored_with_a_notice(query, word):
    state, notices = decode(query, SAMPLES)
    assert len(notices) == 1 and word in notices[0], notices
    default = ShareState()
    assert state.settings == default.settings
    assert state.view == default.view and state.sample is None
    assert state.kernel != "custom" and state.matrix is None
    assert state.params == imgkernel.get(state.kernel).defaults()


def test_good_values_survive_next_to_bad_ones():
    state, notices = decode({"k": "blur", "p.inner": "0.5", "p.edge": "oops", "mode": "wrap", "stride": "-1"})
    assert len(notices) == 2
    assert state.params["inner"] == 0.5 and state.params["edge"] == imgkernel.get("blur").defaults()["edge"]
    assert state.settings.mode == "wrap" and state.settings.stride == 1


def test_an_oversized_link_is_ignored_as_a_whole():
    state, notices = decode({"k": "outline", "junk": "x" * MAX_SHARE_QUERY_CHARS})
    assert state == ShareState() and len(notices) == 1 and "too long" in notices[0]


def test_non_text_values_are_ignored():
    state, notices = decode({"k": 5, "mode": None})
    assert state.kernel == "sharpen" and len(notices) == 2


def test_notices_quote_long_values_briefly():
    _, notices = decode({"k": "A" * 10_000})
    assert len(notices[0]) < 120


def test_divisor_and_offset_default_to_the_kernels_suggestion():
    suggested = next(s for s in imgkernel.CATALOGUE.values() if (s.divisor, s.offset) != (1, 0))
    state, notices = decode({"k": suggested.name})
    assert notices == []
    assert (state.settings.divisor, state.settings.offset) == (suggested.divisor, suggested.offset)
    plain = Settings(divisor=1.0, offset=0.0)  # the user overrode the suggestion: the link must say so
    back, _ = roundtrip(ShareState(suggested.name, suggested.defaults(), None, plain))
    assert back.settings == plain
    assert "off" not in encode(ShareState(suggested.name, {}, None, state.settings))


def test_in_process_state_may_be_longer_than_a_link():
    matrix = np.full((MAX_KERNEL_SIDE, MAX_KERNEL_SIDE), 1 / 3)
    query = encode(ShareState("custom", {}, matrix))
    assert decode(query)[0].matrix is None  # too long for a URL
    state, notices = decode(query, max_chars=None)
    assert notices == []
    np.testing.assert_array_equal(state.matrix.astype(np.float32), matrix.astype(np.float32))


def test_link_numbers_are_written_as_people_write_them():
    matrix = np.array([[1 / 3, 0.1, -2.0], [1e-7, 0.0, 1e6]])
    query = encode(ShareState("custom", {}, matrix, Settings(cval=12.0, offset=127.5, divisor=2 / 3)))
    assert query["m"] == "0.33333334,0.1,-2;1e-07,0,1000000"  # whole numbers bare, others float32's shortest
    assert (query["cval"], query["off"], query["div"]) == ("12", "127.5", "0.6666667")


def test_link_numbers_are_as_short_as_float32_allows_and_filter_identically():
    rng = np.random.default_rng(8)
    matrix = rng.normal(size=(5, 5)) / 7
    query = encode(ShareState("custom", {}, matrix))
    assert len(query["m"]) < 25 * 12  # at most ~9 significant digits a cell, not repr's 17
    back = decode(query)[0].matrix
    np.testing.assert_array_equal(back.astype(np.float32), matrix.astype(np.float32))
    photo = rng.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    np.testing.assert_array_equal(imgkernel.correlate(photo, back), imgkernel.correlate(photo, matrix))


def test_a_mystery_puzzle_link_opens_without_a_notice():
    state, notices = decode({"puzzle": "1234", "img": "Chelsea the cat"}, SAMPLES)
    assert notices == [] and state.sample == "Chelsea the cat"
