"""The sidebar's options: border, stride, dilation, flip, channels, the out-of-range view, preview size, reset.

They sit in an expander that starts closed with a one-line summary of what is in use; its widgets are only
drawn once it is opened (a first visit loads less of Streamlit's front end), and it stays open for the session.
"""

from __future__ import annotations

from collections.abc import Collection

import streamlit as st

import imgkernel
from imgkernel.borders import MODE_RULES
from imgkernel.limits import MAX_KERNEL_ABS

from .. import i18n, session, wording
from ..i18n import _
from ..limits import MAX_DILATION, MAX_STRIDE
from ..state import PREVIEW_SIZES, VIEWS, PlaygroundState, reset, set_option, set_view


def view_help() -> str:
    """What each out-of-range view does, for the radio's help."""
    helps = {
        "clip": _("Values below 0 show black, above 255 white (and are counted as clipped)."),
        "abs": _("Negative responses count as positive: edge strength whatever its direction."),
        "rescale": _("The darkest value becomes black and the brightest white: nothing is clipped."),
        "signed": _("Blue below 0, white at 0, orange above: see where the kernel responds negatively."),
    }
    return " ".join(f"{wording.view_name(k)}: {v}" for k, v in helps.items())


def mode_help() -> str:
    """What the kernel sees beyond the edge in each border mode (the library's rules, translated)."""
    rules = _("; ").join(f"{wording.mode_name(m)}: {i18n.message(r)}" for m, r in MODE_RULES.items())
    return _("What the kernel sees beyond the photo's edge.") + " " + rules


def _toggled() -> None:
    session.apply(set_view, options=bool(st.session_state.get("pg_options")), by="view")


def options_box(state: PlaygroundState) -> None:
    # The state says whether the panel is open; the expander only reports a visitor's click (``on_change``).
    # Its own widget value is not read back: a client that does not report it (AppTest) must not close it.
    # Its label never changes: a new label would be a new expander, and the focused slider in it would be lost.
    panel = st.sidebar.expander(_("Options"), expanded=state.view.options, key="pg_options", on_change=_toggled)
    if "options" in state.problems:
        st.sidebar.error(i18n.message(state.problems["options"]))
    if state.view.options:
        with panel:
            _options(state)
    else:
        st.sidebar.caption(_("In use: {options}.", options=wording.options_summary(state.settings, state.view.mode)))


def _options(state: PlaygroundState) -> None:
    s = state.settings

    def option(key: str, name: str, choices: Collection[object] | None = None) -> dict:
        return session.control(state, "options", key, getattr(s, name), set_option, name, choices=choices)

    st.selectbox(
        _("Border mode"),
        imgkernel.MODES,
        format_func=wording.mode_name,
        help=mode_help(),
        **option("pg_mode", "mode", imgkernel.MODES),
    )
    if s.mode == "constant":
        st.number_input(
            _("Constant value"),
            min_value=-MAX_KERNEL_ABS,
            max_value=MAX_KERNEL_ABS,
            step=1.0,
            format="%g",
            help=_("The grey level used beyond the edge."),
            **option("pg_cval", "cval"),
        )
    st.slider(
        _("Stride"),
        1,
        MAX_STRIDE,
        help=_("Keep every n-th output pixel (CNN stride): the result shrinks."),
        **option("pg_stride", "stride"),
    )
    st.slider(
        _("Dilation"),
        1,
        MAX_DILATION,
        **option("pg_dil", "dilation"),
        help=_("Spread the taps apart (n-1 skipped pixels between them), as in dilated CNN layers."),
    )
    st.toggle(
        _("True convolution (flip the kernel)"),
        **option("pg_conv", "true_convolution"),
        help=_("Off: correlation, as GIMP, OpenCV and CNNs compute. On: the kernel is rotated 180°."),
    )
    st.toggle(
        _("Grayscale (filter the luminance)"),
        help=_("Off: each RGB channel is filtered on its own."),
        **option("pg_gray", "gray"),
    )
    st.toggle(
        _("Linear light (as GIMP 2.10)"),
        help=_(
            "A photo's values are sRGB codes: 128 is not half of full light but about a fifth (22 %). On: the codes "
            "are decoded to light, filtered (divisor and offset too) and encoded back, as GIMP 2.10+ does: blurs no "
            "longer darken edges, and an offset of 127.5 is half of full light (code 188). Off: the codes are "
            "filtered, as setosa, Photoshop, GIMP 2.8 and OpenCV do."
        ),
        **option("pg_linear", "linear"),
    )
    st.radio(
        _("Out-of-range values"),
        VIEWS,
        horizontal=True,
        format_func=wording.view_name,
        help=view_help(),
        **session.control(state, "view", "pg_view", state.view.mode, set_view, field="mode", choices=VIEWS),
    )
    st.select_slider(
        _("Preview size (long side, px)"),
        PREVIEW_SIZES,
        help=_("Big photos are shown at this size; downloads are always full size."),
        **session.control(state, "view", "pg_preview", state.view.preview, set_view, field="preview"),
    )
    st.button(
        _("Reset kernel and options"),
        key="pg_reset",
        on_click=session.act,
        args=(reset,),
        help=_("Back to the default kernel and options; the photo stays."),
        width="stretch",
    )
