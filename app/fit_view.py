"""The "Fit a kernel" page's parts: a before/after pair (a sample filtered with a hidden kernel, or two uploads), the
kernel recovered from it by least squares, and the same kernel learnt step by step as a CNN learns its weights.

The functions and classes above the line are pure (no Streamlit): the sample pairs, tables, texts, the residual
picture, the loss chart and the training record. Those below draw. The maths is ``imgkernel.learn.fit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
from imgkernel.formats.images import EXTENSIONS, resize_long_side
from imgkernel.learn import fit
from imgkernel.mapping import signed_colormap
from imgkernel.pipeline import Settings

from . import cache, i18n, learn, wording
from .i18n import _
from .limits import UPLOAD_LIMIT_MB
from .state import PlaygroundState, digest_of, load_kernel

# A sample photo through a catalogue kernel (at its defaults and suggested divisor/offset, saved as 8 bits): the
# student sees the label, never the kernel, until they reveal it.
SAMPLE_PAIRS: dict[str, tuple[str, str]] = {
    "Mystery 1 · Chelsea the cat": ("Chelsea the cat", "sharpen"),
    "Mystery 2 · Coffee cup": ("Coffee cup", "emboss"),
    "Mystery 3 · Astronaut": ("Astronaut", "blur"),
    "Mystery 4 · Camera man (gray)": ("Camera man (gray)", "laplacian_4"),
    "Mystery 5 · Rocket launch": ("Rocket launch", "gaussian"),
    "Mystery 6 · Brick wall (gray)": ("Brick wall (gray)", "sobel_left"),
}
SAMPLES, UPLOADS = "A sample pair", "Upload a before and an after"
SIZES = (1, 3, 5, 7, 9, 11, 13, 15)  # kernel sides offered (the library takes up to MAX_KERNEL_SIDE)
FRAME_GREY = 146  # the residual map's frame (3:1 against white, as WCAG asks of graphics)
RESIDUAL_SIDE = 512  # the residual map covers at most this many pixels per side (the centre of a large photo)
SHOW_SIDE = 480  # long side of the before/after pictures shown
RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.2, 0.3, 1.0, 3.0, 10.0)
OPTIMIZER_NAMES = {"adam": "Adam", "momentum": "SGD with momentum 0.9"}
START_NAMES = {"zeros": "zeros", "noise": "random noise (seed 0)"}
MAX_RUN = 5000  # steps one press of Run takes at most
MAX_HISTORY = 20_000  # steps kept for the loss curve (training beyond it must start again)


def pair_label(label: str) -> str:
    """A sample pair's label ("Mystery 1 · Chelsea the cat") in the current language; other names as they are."""
    if label not in SAMPLE_PAIRS:
        return label
    number = label.split(" · ", 1)[0].removeprefix("Mystery ")
    return _("Mystery {n} · {photo}", n=number, photo=wording.photo_name(SAMPLE_PAIRS[label][0]))


def source_name(source: str) -> str:
    return {SAMPLES: _("A sample pair"), UPLOADS: _("Upload a before and an after")}.get(source, source)


def optimizer_name(name: str) -> str:
    return {"adam": "Adam", "momentum": _("SGD with momentum 0.9")}.get(name, name)


def start_name(name: str) -> str:
    return {"zeros": _("zeros"), "noise": _("random noise (seed 0)")}.get(name, name)


@dataclass(frozen=True, eq=False)
class Pair:
    """What the fit works on: 8-bit pixels of the same size, both gray or both RGB."""

    name: str  # what the pictures are called (the sample pair's label, or "before.png → after.png")
    digest: str  # changes with any pixel of either picture: the cache key of everything derived
    before: np.ndarray = field(repr=False)
    after: np.ndarray = field(repr=False)
    hidden: str | None = None  # the catalogue kernel that made a sample pair's after picture
    note: str = ""  # what was done to the inputs (e.g. a colour picture turned gray to match the other)


def make_pair(name: str, before: np.ndarray, after: np.ndarray, hidden: str | None = None) -> Pair:
    """A pair; when one picture is gray and the other colour, the colour one is taken as gray (its luminance), which
    a kernel commutes with (luminance is a weighted sum of the channels)."""
    note = ""
    if before.ndim != after.ndim:
        note = (
            _("The before picture is in colour and the other gray: its luminance is used.")
            if before.ndim == 3
            else _("The after picture is in colour and the other gray: its luminance is used.")
        )
        before, after = imgkernel.to_gray(before), imgkernel.to_gray(after)
    return Pair(name, digest_of(before) + digest_of(after), before, after, hidden, note)


def hidden_settings(name: str) -> Settings:
    """The settings a sample pair's hidden kernel was applied with: its suggested divisor and offset, clipped."""
    spec = imgkernel.get(name)
    return Settings(divisor=spec.divisor, offset=spec.offset)


def hidden_kernel(name: str) -> tuple[np.ndarray, float]:
    """(matrix ÷ divisor, offset): what a fit of a sample pair should find."""
    spec, settings = imgkernel.get(name), hidden_settings(name)
    return spec.matrix() / settings.divisor, settings.offset


def weights_table(matrix: np.ndarray) -> pd.DataFrame:
    """The weights as text (4 significant digits), rows and columns numbered from 1 as in the playground's grid."""
    k = np.asarray(matrix, dtype=np.float64)
    return pd.DataFrame(
        [[wording.num(v) for v in row] for row in k],
        index=[_("row {r}", r=i + 1) for i in range(k.shape[0])],
        columns=[_("col {c}", c=j + 1) for j in range(k.shape[1])],
    )


def quality_note(result: fit.KernelFit) -> str:
    """How well the kernel explains the after picture, in words, with what the fit used."""
    r2 = result.r2
    if r2 >= 0.9999 and result.rms <= 0.6:
        verdict = _("The kernel explains the after picture up to rounding to whole grey levels.")
    elif r2 >= 0.99:
        verdict = _("A close fit: the remaining error may be a bigger kernel, rounding or a step that is not a kernel.")
    elif r2 >= 0.8:
        verdict = _("A rough fit: try a bigger kernel or an offset; the after picture may not be one kernel's work.")
    else:
        verdict = _("A poor fit: the after picture is probably not a kernel's work (a resize, curves, a crop?).")
    used = _("{n} pixel values fitted", n=f"{result.equations:,}") + (
        _(" (a seeded sample of the photo)") if result.sampled else ""
    )
    if result.excluded:
        used += _(
            ", {n} left out because the after picture is 0 or 255 there (maybe clipped)", n=f"{result.excluded:,}"
        )
    extra = "" if result.unique else _(" The photo has too little detail to pin every weight down.")
    return _("{verdict} {used}.{extra}", verdict=verdict, used=used, extra=extra)


def residual_crop(pair: Pair, result: fit.KernelFit, side: int = RESIDUAL_SIDE) -> tuple[np.ndarray, bool]:
    """after − fitted prediction over (at most) the central ``side`` × ``side`` interior pixels, and whether that is
    a crop of a larger photo."""
    kh, kw = result.matrix.shape
    h, w = pair.before.shape[:2]
    inner_h, inner_w = h - kh + 1, w - kw + 1
    ch, cw = min(side, inner_h), min(side, inner_w)
    top, left = (inner_h - ch) // 2, (inner_w - cw) // 2
    window = np.s_[top : top + ch + kh - 1, left : left + cw + kw - 1]
    return result.residual(pair.before[window], pair.after[window]), (ch, cw) != (inner_h, inner_w)


def residual_limit(residual: np.ndarray) -> float:
    """The residual map's full-colour magnitude: the 99.5th percentile of |residual|, at least 1 grey level (so
    rounding noise stays pale)."""
    return max(1.0, float(np.percentile(np.abs(residual), 99.5)) if residual.size else 1.0)


def framed(rgb: np.ndarray) -> np.ndarray:
    """A one-pixel mid-grey frame around a picture, so a residual map that is all white (a perfect fit) still shows
    where it is on the white page."""
    return np.pad(rgb, ((1, 1), (1, 1), (0, 0)), constant_values=FRAME_GREY)


def loss_chart(history: list[tuple[int, float]]) -> alt.Chart:
    """The loss against the step, on a log scale (it falls by orders of magnitude), described in words."""
    df = pd.DataFrame(history, columns=["step", "loss"])
    df["loss"] = df["loss"].clip(lower=1e-6)  # a perfect fit's 0 has no place on a log scale
    first, last = history[0][1], history[-1][1]
    about = _(
        "Line chart of the training loss (mean squared error, grey levels squared) over {steps} steps, "
        "log scale: from {first} at step {start} to {last} at step {steps}.",
        steps=history[-1][0],
        first=wording.num(first),
        start=history[0][0],
        last=wording.num(last),
    )
    return (
        alt.Chart(df, description=about)
        .mark_line()
        .encode(
            x=alt.X("step:Q", title=_("step")),
            y=alt.Y("loss:Q", title=_("loss (grey levels²)"), scale=alt.Scale(type="log")),
            tooltip=[alt.Tooltip("step", title=_("step")), alt.Tooltip("loss:Q", format=".4g", title=_("loss"))],
        )
        .properties(height=260)
        .configure(**wording.CHART_CONFIG)
    )


@dataclass(frozen=True, eq=False)
class Training:
    """A training run on one pair and setup: the trainer's state and the loss at every step so far."""

    key: tuple  # pair digest, shape, offset, start, seed: a change starts training again
    state: fit.TrainState
    history: tuple[tuple[int, float], ...]

    @property
    def step(self) -> int:
        return self.state.step


def start(problem: fit.FitProblem, key: tuple, init: fit.Init, seed: int) -> Training:
    state = fit.start_training(problem, init, seed)
    return Training(key, state, ((0, state.loss),))


def advance(problem: fit.FitProblem, t: Training, steps: int, rate: float, optimizer: fit.Optimizer) -> Training:
    """``steps`` more steps (fewer when the loss blows up or the history is full)."""
    state, added = t.state, []
    for _step in range(max(0, min(steps, MAX_HISTORY - t.step))):
        state = fit.train_step(problem, state, rate, optimizer)
        added.append((state.step, state.loss))
        if state.diverged:
            break
    return replace(t, state=state, history=t.history + tuple(added))


def training_note(problem: fit.FitProblem, t: Training, best: fit.KernelFit) -> str:
    """Where training stands, compared with the least-squares answer."""
    if t.state.diverged:
        return _(
            "Step {step}: the loss blew up (the weights overshoot further at every step): the learning rate is "
            "too large for this photo. Lower it and start again.",
            step=t.step,
        )
    now = fit.as_step(problem, t.state)
    gap = float(np.abs(now.matrix - best.matrix).max())
    return _(
        "Step {step} · loss {loss} grey levels² (RMS {rms}) · least squares: {best} · largest weight difference "
        "from the least-squares kernel: {gap}",
        step=t.step,
        loss=wording.num(t.state.loss),
        rms=wording.num(np.sqrt(t.state.loss)),
        best=wording.num(best.rms**2),
        gap=wording.num(gap),
    )


# ------------------------------------------------------------------------------------------------ Streamlit parts
@st.cache_data(max_entries=len(SAMPLE_PAIRS), show_spinner=False)
def sample_pair(label: str) -> Pair:
    """A sample photo and its 8-bit result through the hidden catalogue kernel (as another tool would save it)."""
    photo, kernel = SAMPLE_PAIRS[label]
    before = cache.sample_photo(photo).pixels
    after = imgkernel.run_filter(before, imgkernel.get(kernel).matrix(), hidden_settings(kernel)).mapped.image
    return make_pair(label, before, after, hidden=kernel)


@st.cache_data(max_entries=16, show_spinner=False)
def _fit(digest: str, _pair: Pair, shape: int, fit_offset: bool) -> fit.KernelFit:
    return fit.fit_kernel(_pair.before, _pair.after, shape, fit_offset=fit_offset)


def fitted(pair: Pair, shape: int, fit_offset: bool) -> fit.KernelFit:
    """The least-squares kernel (cached per pair, size and offset); raises ``KernelError`` in plain words."""
    return _fit(pair.digest, pair, shape, fit_offset)


@st.cache_data(max_entries=16, show_spinner=False)
def _problem(digest: str, _pair: Pair, shape: int, fit_offset: bool) -> fit.FitProblem:
    return fit.fit_problem(_pair.before, _pair.after, shape, fit_offset=fit_offset, scale=255.0, centre=True)


def problem(pair: Pair, shape: int, fit_offset: bool) -> fit.FitProblem:
    """The trainer's normal equations (images divided by 255 and centred, as a CNN's inputs), cached like ``fitted``."""
    return _problem(pair.digest, pair, shape, fit_offset)


def _decoded(key: str) -> np.ndarray | None:
    """The picture in the uploader ``key`` (8-bit gray or RGB, alpha dropped), None when there is none; a file that
    cannot be used is named in a plain error under it."""
    f = st.session_state.get(key)
    if f is None:
        return None
    if f.size > UPLOAD_LIMIT_MB * 1024 * 1024:
        st.error(_("{name} is over the {mb} MB upload limit.", name=f.name, mb=UPLOAD_LIMIT_MB))
        return None
    try:
        return cache.photo_from_upload(f.name, f.getvalue()).pixels
    except imgkernel.ImageLoadError as exc:
        st.error(_("{name}: {reason}", name=f.name, reason=i18n.message(exc)))
        return None


def pick_pair() -> Pair | None:
    """The pair chosen in the source controls, or None (with the reason shown) when there is none yet."""
    source = st.segmented_control(
        _("Pictures"),
        [SAMPLES, UPLOADS],
        format_func=source_name,
        default=SAMPLES,
        key="fit_source",
        persist_state="session",
        required=True,
    )
    if source == SAMPLES:
        label = st.selectbox(
            _("Sample pair"),
            list(SAMPLE_PAIRS),
            format_func=pair_label,
            key="fit_sample",
            persist_state="session",
            help=_("A sample photo filtered with a kernel from the catalogue that is not shown: find it."),
        )
        return sample_pair(label)
    st.caption(
        _(
            "For instance a photo and the same photo after a filter in GIMP (Filters ▸ Generic ▸ Convolution "
            "Matrix), Photoshop (Filter ▸ Other ▸ Custom) or the playground, saved as PNG: same size, not cropped or "
            "resized. The files stay in memory, never on disk."
        )
    )
    left, right = st.columns(2)
    labels = (_("Before (up to {mb} MB)", mb=UPLOAD_LIMIT_MB), _("After (up to {mb} MB)", mb=UPLOAD_LIMIT_MB))
    for col, key, label in ((left, "fit_before", labels[0]), (right, "fit_after", labels[1])):
        col.file_uploader(label, type=list(EXTENSIONS), key=key, max_upload_size=UPLOAD_LIMIT_MB)
    with left:
        before = _decoded("fit_before")
    with right:
        after = _decoded("fit_after")
    if before is None or after is None:
        st.info(_("Upload both pictures to fit a kernel."))
        return None
    names = f"{st.session_state['fit_before'].name} → {st.session_state['fit_after'].name}"
    return make_pair(names, before, after)


def show_pair(pair: Pair) -> None:
    """The two pictures side by side, named and described."""
    h, w = pair.before.shape[:2]
    for col, pixels, what in zip(st.columns(2), (pair.before, pair.after), ("before", "after"), strict=True):
        name = _("before") if what == "before" else _("after")
        described = _("after the hidden kernel") if what == "after" and pair.hidden else name
        title = _("Before") if what == "before" else _("After")
        col.image(
            resize_long_side(pixels, SHOW_SIDE),
            caption=f"{title} · {wording.size(w, h)}",
            output_format="PNG",
            width="stretch",
            alt=wording.alt_photo(pair_label(pair.name), w, h, what=described),
        )
    if pair.note:
        st.caption(pair.note)


def fit_results(pair: Pair, result: fit.KernelFit) -> None:
    """The recovered kernel (heat map and table), how well it fits and the residual map."""
    left, right = st.columns([1, 1])
    with left:
        size = learn.kernel_size(result.matrix)
        st.altair_chart(
            learn.kernel_heatmap(result.matrix, title=_("Fitted kernel · {size}", size=size), name=_("fitted")),
            width="content",
        )
        st.table(weights_table(result.matrix))
    with right:
        c1, c2, c3 = st.columns(3)
        c1.metric(
            _("RMS error"),
            f"{wording.num(result.rms)}",
            help=_(
                "Root mean square of after − prediction, in grey "
                "levels, over the pixels fitted. Rounding to whole grey levels alone gives about 0.29."
            ),
        )
        c2.metric("R²", f"{result.r2:.6f}", help=_("The share of the after picture's variation the kernel explains."))
        c3.metric(
            _("Offset"),
            wording.num(result.offset) if result.fitted_offset else "—",
            help=_("A constant added after the kernel, in grey levels (fitted when the box is ticked)."),
        )
        st.caption(quality_note(result))
        residual, cropped = residual_crop(pair, result)
        limit = residual_limit(residual)
        rh, rw = residual.shape[:2]
        st.image(
            framed(signed_colormap(residual, limit=limit)),
            caption=_("Residual: after − prediction · {size}", size=wording.size(rw, rh))
            + (_(" (the centre of the photo)") if cropped else "")
            + f" · {wording.signed_legend(limit)}",
            output_format="PNG",
            width="stretch",
            alt=wording.alt_signed(
                _("Residual map of the fit, after minus prediction, {name}", name=pair_label(pair.name)),
                rw,
                rh,
                float(residual.min()),
                float(residual.max()),
            ),
        )
        negative, _zero, positive = wording.colours()
        st.caption(
            _(
                "White: the kernel predicts the after picture there; {positive}: after is brighter than "
                "predicted, {negative}: darker. The border of the kernel's half-size is not fitted (the other "
                "tool's border handling is unknown; Pillow leaves it unfiltered).",
                positive=positive,
                negative=negative,
            )
        )


def open_button(result: fit.KernelFit, title: str) -> None:
    """Open the fitted kernel in the playground, divisor 1 and the fitted offset (as the fit found them)."""

    # 9 decimals: far below what a grey level can show, and 4.999999999999 opens as the 5 it is
    matrix, offset = np.round(result.matrix, 9) + 0.0, round(result.offset, 9) + 0.0  # (+ 0.0: no "-0")

    def change(s: PlaygroundState) -> PlaygroundState:
        return load_kernel(s, matrix, title=title, divisor=1.0, offset=offset, where="kernel")

    if st.button(
        _("Open in the playground"),
        key="fit_open",
        help=_(
            "The playground then filters with “{title}” as a custom kernel, divisor 1 and offset {offset}.",
            title=title,
            offset=wording.num(offset),
        ),
    ):
        learn.open_in_playground(change, title)


def reveal(pair: Pair, result: fit.KernelFit) -> None:
    """A sample pair's hidden kernel, on request, and how far the fit is from it."""
    if pair.hidden is None:
        return
    with st.expander(_("Reveal the hidden kernel")):
        spec = imgkernel.get(pair.hidden)
        title = wording.kernel_title(spec.name, spec.title)
        matrix, offset = hidden_kernel(pair.hidden)
        st.altair_chart(learn.kernel_heatmap(matrix, title=title, name=title), width="content")
        text = (
            f"**{title}**"
            + (_(", offset {offset}", offset=wording.num(offset)) if offset else "")
            + _(": ")
            + i18n.kernel_text(spec.name, "summary", spec.summary)
        )
        st.markdown(text)
        if matrix.shape == result.matrix.shape:
            gap = float(np.abs(result.matrix - matrix).max())
            st.caption(_("Largest difference between the fitted and the hidden weights: {gap}.", gap=wording.num(gap)))
        else:
            st.caption(
                _(
                    "The hidden kernel is {size}: fit that size to find it exactly "
                    "(a {fitted} kernel can only approximate it).",
                    size=learn.kernel_size(matrix),
                    fitted=learn.kernel_size(result.matrix),
                )
            )


def training(pair: Pair, best: fit.KernelFit, shape: int, fit_offset: bool) -> None:
    """The "train it like a CNN" section: settings, Step / Run / Start again, the loss curve and the kernel."""
    c1, c2, c3, c4 = st.columns(4)
    rate = c1.select_slider(_("Learning rate"), RATES, value=0.2, key="fit_rate", persist_state="session")
    steps = c2.number_input(_("Steps per run"), 1, MAX_RUN, 1000, step=100, key="fit_steps", persist_state="session")
    optimizer: fit.Optimizer = (
        c3.selectbox(
            _("Optimiser"), fit.OPTIMIZERS, format_func=optimizer_name, key="fit_optimizer", persist_state="session"
        )
        or "adam"
    )
    init: fit.Init = (
        c4.selectbox(_("Start from"), fit.INITS, format_func=start_name, key="fit_init", persist_state="session")
        or "zeros"
    )
    prob = problem(pair, shape, fit_offset)
    key = (pair.digest, shape, fit_offset, init, optimizer)  # a change of any of these starts again
    t = st.session_state.get("fit_training")
    if not isinstance(t, Training) or t.key != key:
        t = start(prob, key, init, 0)
    b1, b2, b3 = st.columns(3)
    if b1.button(_("Step"), key="fit_step", help=_("One step of the optimiser."), width="stretch"):
        t = advance(prob, t, 1, rate, optimizer)
    if b2.button(_("Run {n} steps", n=int(steps)), key="fit_run", width="stretch"):
        t = advance(prob, t, int(steps), rate, optimizer)
    if b3.button(_("Start again"), key="fit_reset", width="stretch"):
        t = start(prob, key, init, 0)
    st.session_state["fit_training"] = t
    if t.step >= MAX_HISTORY:
        st.caption(_("Training stops at {n} steps: start again to try other settings.", n=f"{MAX_HISTORY:,}"))
    st.caption(training_note(prob, t, best))
    left, right = st.columns([3, 2])
    left.altair_chart(loss_chart(list(t.history)), width="stretch")
    now = fit.as_step(prob, t.state)
    if not t.state.diverged:
        right.altair_chart(
            learn.kernel_heatmap(
                now.matrix,
                title=_("Kernel at step {step}", step=t.step),
                name=_("being learnt, step {step}", step=t.step),
            ),
            width="content",
        )
