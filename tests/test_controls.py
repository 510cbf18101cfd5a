"""The plain controls (app.controls): a pick is taken only if the visitor could have made it."""

from __future__ import annotations

import pytest
import tomllib

import imgkernel
from app import controls
from app.i18n import LANGUAGES
from tests.apptest import ROOT, component, control, control_texts, ok, pick, start, state

ITEMS = [
    controls.heading("Photo"),
    controls.text("In use: **cat.png**"),
    controls.select("sample", "Sample photo", [("Cat", "Chelsea the cat"), ("Cup", "Coffee cup")], "Cat"),
    controls.switch("camera", "Use the camera", False, help="Asked only when on."),
    controls.radio("lang", "Language", [("en", "English"), ("zh", "简体中文")], "en", label_hidden=True),
]


def test_choices_are_what_was_drawn() -> None:
    assert controls.choices(ITEMS) == {"sample": frozenset({"Cat", "Cup"}), "camera": bool, "lang": {"en", "zh"}}


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"name": "sample", "value": "Cup"}, ("sample", "Cup")),
        ({"name": "camera", "value": True}, ("camera", True)),
        ({"name": "lang", "value": "zh"}, ("lang", "zh")),
        ({"name": "sample", "value": "Chelsea the cat"}, None),  # a shown text, not an option's value
        ({"name": "sample", "value": ["Cup"]}, None),
        ({"name": "camera", "value": "true"}, None),
        ({"name": "camera", "value": 1}, None),
        ({"name": "lang", "value": "fr"}, None),
        ({"name": "heading", "value": "x"}, None),  # not a control
        ({"name": "__class__", "value": "Cup"}, None),
        ({"name": ["sample"], "value": "Cup"}, None),
        ({"value": "Cup"}, None),
        (["sample", "Cup"], None),
        ("sample=Cup", None),
        (None, None),
        ({"name": "sample", "value": "x" * 1_000_000}, None),
    ],
)
def test_checked_takes_only_what_was_offered(payload: object, expected: object) -> None:
    assert controls.checked(payload, controls.choices(ITEMS)) == expected


def test_a_forged_pick_changes_nothing_and_the_next_real_one_works() -> None:
    at = ok(start())
    before = state(at)
    for key, name, value in [
        ("pg_kernel", "kernel", "no_such_kernel"),
        ("pg_kernel", "kernel", {"nested": [1, 2]}),
        ("pg_kernel", "kernel", float("nan")),
        ("pg_kernel", "signature", "x"),
        ("pg_photo", "sample", "Sharpen"),
        ("pg_cameras", "camera", "yes"),
        ("pg_cameras", "live", None),
    ]:
        at = ok(pick(at, key, name, value))
        assert state(at).kernel == before.kernel and state(at).photo is before.photo
        assert state(at).view == before.view
    ok(pick(at, "pg_kernel", "kernel", "emboss"))
    assert state(at).kernel.name == "emboss" and control(at, "pg_kernel", "kernel")["value"] == "emboss"


def test_the_kernel_picker_offers_the_catalogue_and_custom_and_says_what_the_kernel_does() -> None:
    at = ok(start())
    picker = control(at, "pg_kernel", "kernel")
    assert [value for value, _shown in picker["options"]] == [*imgkernel.CATALOGUE, "custom"]
    assert picker["value"] == "sharpen"
    assert control_texts(at, "pg_kernel") == [imgkernel.get("sharpen").summary]
    ok(pick(at, "pg_photo", "sample", "Coffee cup"))
    assert state(at).photo.name == "Coffee cup" and control(at, "pg_photo", "sample")["value"] == "Coffee cup"
    assert control_texts(at, "pg_photo")[0].startswith("In use: **Coffee cup** · ")


def test_the_controls_are_always_sent_whole_never_as_a_cached_hash() -> None:
    """Streamlit caches element messages from ``global.minCachedMessageSize`` bytes up in the browser, and a
    cached message failed a page once ("Cached ForwardMsg MISS", .streamlit/config.toml says more). Every
    plain-controls message of the playground, in every language, stays under the limit the app's config sets,
    with room for a long custom kernel title."""
    with (ROOT / ".streamlit" / "config.toml").open("rb") as f:
        limit = tomllib.load(f)["global"]["minCachedMessageSize"]
    for language in LANGUAGES:
        at = ok(start({"lang": language}))
        for key in ("lang_switch", "pg_photo", "pg_cameras", "pg_kernel"):
            size = component(at, key).proto.ByteSize()
            assert size + 2_000 < limit, (language, key, size, limit)
    assert component(at, "pg_grid").proto.ByteSize() > limit  # the editor's, redrawn on every step, stay cached
