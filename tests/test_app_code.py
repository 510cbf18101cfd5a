"""The "In your code" panel (AppTest): it shows exactly ``imgkernel.code_for``'s script for the page's kernel and
settings, in the chosen library, offers it as a file, and falls back to NumPy with a reason when a library
cannot reproduce the result. The scripts themselves are run in tests/test_codegen.py."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import imgkernel
from app import cache, i18n
from app import state as transitions
from app.panels.code import NAMES, file_name, requirements
from imgkernel.codegen import LIBRARIES, code_for

from .apptest import ok, open_detail, paste, start, state, widget

ROOT = Path(__file__).resolve().parents[1]


def shown_code(at: AppTest) -> str:
    (block,) = [c for c in at.code if c.language in ("python", "bash")]
    return block.value


def script(library: str, s: transitions.PlaygroundState) -> str:
    """What the panel shows for ``library`` (st.code drops the file's last newline)."""
    return code_for(library, s.matrix, s.settings).rstrip("\n")


def pick(at: AppTest, library: str) -> AppTest:
    widget(at, "segmented_control", "pg_code").set_value(library)
    return ok(at.run())


def test_the_panel_shows_the_script_of_each_library_for_the_current_kernel():
    at = ok(open_detail(start(), "In your code"))
    s = state(at)
    assert s.view.code == "numpy"
    assert shown_code(at) == script("numpy", s)
    for library in LIBRARIES:
        s = state(pick(at, library))
        assert s.view.code == library
        assert shown_code(at) == script(library, s)
        (button,) = [b for b in at.get("download_button") if b.proto.label == "Download the script"]
        assert button.proto.label  # the file itself is checked by the browser test
        assert not at.info  # every library can write the default kernel


def test_a_change_of_kernel_or_option_changes_the_script():
    at = pick(open_detail(start(), "In your code"), "opencv")
    before = shown_code(at)
    paste(at, "[[0, -1, 0], [-1, 4.25, -1], [0, -1, 0]]")
    after = shown_code(ok(at))
    assert after != before and "4.25" in after
    widget(at, "selectbox", "pg_mode").set_value("wrap").run()
    assert "BORDER_WRAP" in shown_code(ok(at))


def test_a_library_that_cannot_reproduce_the_result_says_why_and_shows_numpy():
    at = pick(open_detail(start(), "In your code"), "pillow")
    paste(at, "\n".join(" ".join("1" for _ in range(7)) for _ in range(7)))  # 7 x 7: beyond Pillow's 5 x 5
    ok(at)
    s = state(at)
    assert s.matrix.shape == (7, 7)
    (info,) = [i.value for i in at.info]
    assert info.startswith("Pillow cannot reproduce this result") and "NumPy script instead" in info
    with pytest.raises(imgkernel.KernelError):
        code_for("pillow", s.matrix, s.settings)
    assert shown_code(at) == script("numpy", s)
    assert s.view.code == "pillow"  # the choice is kept: a smaller kernel shows Pillow again


def test_the_panel_speaks_the_visitors_language_and_the_code_stays_english():
    at = start({"lang": "zh"})
    at.session_state["playground"] = transitions.set_view(state(at), detail="In your code", code="opencv")
    with i18n.using("zh"):  # (AppTest's own thread formats the widgets' options again)
        ok(at.run())
    s = state(at)
    assert shown_code(at) == script("opencv", s)
    texts = [c.value for c in at.caption] + [b.proto.label for b in at.get("download_button")]
    assert "下载脚本" in texts and any("`cv2.filter2D`" in t for t in texts)
    assert not any("Put your photo next to it" in t or t == "Download the script" for t in texts)


def test_bad_library_values_leave_the_choice_as_it_was():
    s = transitions.initial(cache.sample_photo(), cache.DEFAULT_SAMPLE)
    s = transitions.set_view(s, code="jax")
    assert s.view.code == "jax"
    for bad in ("matlab", "", None, 3, "NumPy"):
        assert transitions.set_view(s, code=bad).view.code == "jax"


def test_the_walkthrough_offers_the_same_script():
    at = AppTest.from_file(str(ROOT / "pages" / "walkthrough.py"), default_timeout=30).run()
    ok(at)
    s = state(at)
    assert shown_code(at) == script(s.view.code, s)


def test_install_line_and_file_name_follow_the_script():
    assert requirements("import numpy as np\nfrom PIL import Image\nimport cv2\nimport numpy\n") == [
        "numpy",
        "pillow",
        "opencv-python-headless",
    ]
    assert requirements("import imgkernel\n") == []
    assert file_name("cli") == "filter.sh" and file_name("jax") == "filter_jax.py"
    assert set(NAMES) == set(LIBRARIES)
    assert np.all([isinstance(NAMES[name], str) for name in LIBRARIES])
