"""The "In your code" panel: the script that reproduces the current result in a library the visitor knows.

The scripts are ``imgkernel.codegen``'s (English code, run by the tests); this panel picks the library, shows the
code with Streamlit's copy button, offers it as a file and says the one convention that bites in that library. A
library that cannot reproduce the settings says why, and the NumPy script is shown instead.
"""

from __future__ import annotations

import re

import streamlit as st

import imgkernel
from imgkernel.codegen import LIBRARIES, Library, code_for, convention

from .. import i18n, session
from ..i18n import N_, _
from ..state import PlaygroundState, set_view

# What each library is called on the picker (library names are not translated; the command line is).
NAMES = {
    "imgkernel": "imgkernel",
    "cli": N_("Command line"),
    "numpy": "NumPy",
    "scipy": "SciPy",
    "opencv": "OpenCV",
    "pillow": "Pillow",
    "jax": "JAX",
}
FALLBACK: Library = "numpy"  # every setting can be written in plain NumPy
# The pip name of each module a script imports (the panel's install line).
PIP_NAMES = {"numpy": "numpy", "PIL": "pillow", "scipy": "scipy", "cv2": "opencv-python-headless", "jax": "jax"}


def requirements(script: str) -> list[str]:
    """The pip packages a generated script imports, in the order it first imports them (imgkernel aside: it is
    this project's library, installed with the app)."""
    found: list[str] = []
    for module in re.findall(r"^(?:import|from)\s+(\w+)", script, flags=re.MULTILINE):
        name = PIP_NAMES.get(module)
        if name and name not in found:
            found.append(name)
    return found


def file_name(library: str) -> str:
    """The download's name: a shell script for the command line, a Python file otherwise."""
    return "filter.sh" if library == "cli" else f"filter_{library}.py"


def code_panel(state: PlaygroundState, key: str) -> None:
    """The library picker, then the script for the current kernel and settings (``key`` names this page's
    widgets: the playground and the walkthrough each have one)."""
    picked = st.segmented_control(
        _("Library"),
        LIBRARIES,
        format_func=lambda name: _(NAMES[name]) if name == "cli" else NAMES[name],
        **session.control(state, "view", key, state.view.code, set_view, field="code", choices=LIBRARIES),
    )
    library = next((name for name in LIBRARIES if name == picked), state.view.code)
    try:
        script = code_for(library, state.matrix, state.settings)
    except imgkernel.KernelError as exc:
        st.info(
            _(
                "{library} cannot reproduce this result: {reason} Here is the NumPy script instead.",
                library=_(NAMES[library]) if library == "cli" else NAMES[library],
                reason=i18n.message(exc),
            )
        )
        library = FALLBACK
        script = code_for(library, state.matrix, state.settings)
    st.caption(i18n.message(convention(library, state.settings)))
    st.code(script, language="bash" if library == "cli" else "python")
    needs = requirements(script)
    how = _(
        "Put your photo next to it as `photo.png` and run it: it writes `result.png`, the full-resolution picture the "
        "playground exports."
    )
    if library in ("imgkernel", "cli"):
        how += " " + _("It needs this app's imgkernel library (`pip install -e .` in the app's folder).")
    elif needs:
        how += " " + _("It needs: `pip install {packages}`", packages=" ".join(needs))
    st.caption(how)
    if state.view.mode == "signed":
        st.caption(_("The script writes the clipped 8-bit picture; the signed colour map is only a view of it."))
    st.download_button(
        _("Download the script"),
        script,
        file_name=file_name(library),
        mime="text/x-shellscript" if library == "cli" else "text/x-python",
        key=f"{key}_download",
        on_click="ignore",
    )
