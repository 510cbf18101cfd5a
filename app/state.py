"""The playground's whole state as one immutable object, and the pure transitions that change it.

No Streamlit here: every user action is a function ``(state, input) -> state`` that the tests call directly.
A transition either applies its input or keeps the last good state and records why in ``state.problems``
(keyed by where the input came from, so the page shows the message next to that control). The page holds
one ``PlaygroundState`` under one session key; widgets only show it and call transitions from ``on_change``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

import imgkernel
from imgkernel.codegen import LIBRARIES, Library
from imgkernel.formats import kernel_io
from imgkernel.limits import MAX_KERNEL_ABS, MAX_KERNEL_SIDE
from imgkernel.mapping import check_divisor
from imgkernel.numeric import is_whole, whole_multiplier
from imgkernel.pipeline import Settings, scale_for

from . import share
from .editor_events import (
    TYPED_SCALE,
    BadCell,
    CellError,
    Cells,
    Event,
    Param,
    Paste,
    Redo,
    Scale,
    Shape,
    Undo,
    Whole,
    with_cells,
)
from .later import N_, Later
from .limits import MAX_DILATION, MAX_STRIDE, PREVIEW_LONG_SIDE

CUSTOM = share.CUSTOM
DEFAULT_KERNEL = share.DEFAULT_KERNEL
VIEWS = share.VIEWS
# Long side of the on-screen preview. Past ~2 screen widths nothing more can be seen, only waited for.
_KEEP: object = object()  # "not given" for ``set_view``, where None is a value
PREVIEW_SIZES: tuple[int, ...] = (256, 512, 768, PREVIEW_LONG_SIDE, 1536, 2048)
DETAILS: tuple[str, ...] = ("Difference", "Zoom", "Histogram", "Export and share", "In your code")
DETAILS_READING_RESULT = frozenset(DETAILS[:3])  # these panels read the float result (``cache.filtered``)


@dataclass(frozen=True, eq=False)
class Photo:
    """A decoded photo; two photos are the same when their pixels are (``digest``)."""

    name: str  # sample name or uploaded file name
    digest: str  # sha256 of the pixels and alpha: the cache key for everything derived from it
    pixels: np.ndarray = field(repr=False)  # uint8 (H, W) or (H, W, 3)
    alpha: np.ndarray | None = field(default=None, repr=False)
    sample: str | None = None  # the sample's name when it is one (for share links)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Photo) and (self.digest, self.name) == (other.digest, other.name)

    def __hash__(self) -> int:
        return hash((self.digest, self.name))

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.pixels.shape[1], self.pixels.shape[0]


def digest_of(pixels: np.ndarray, alpha: np.ndarray | None = None) -> str:
    """A key that changes with any pixel (Streamlit's own hashing samples big arrays)."""
    h = hashlib.sha256()
    h.update(str(pixels.shape).encode())
    h.update(np.ascontiguousarray(pixels).data)
    if alpha is not None:
        h.update(np.ascontiguousarray(alpha).data)
    return h.hexdigest()


def make_photo(name: str, loaded: imgkernel.LoadedImage, sample: str | None = None) -> Photo:
    return Photo(name, digest_of(loaded.pixels, loaded.alpha), loaded.pixels, loaded.alpha, sample)


@dataclass(frozen=True, eq=False)
class Kernel:
    """The kernel in use: a catalogue preset with its parameters, or a custom grid.

    ``preset`` stays set when the grid was edited (``custom``), so the page can say "Custom (from Sharpen)"
    and offer the way back. ``matrix`` is always valid: transitions build and check it before storing it.
    """

    preset: str
    params: Mapping[str, float | int]
    matrix: np.ndarray = field(repr=False)
    custom: bool = False
    title: str | None = None  # a loaded file's or a Learn page's name for a custom kernel

    @property
    def name(self) -> str:
        """The catalogue name, or ``"custom"``."""
        return CUSTOM if self.custom else self.preset

    @property
    def label(self) -> str:
        spec = imgkernel.CATALOGUE.get(self.preset)
        if not self.custom:
            return spec.title if spec else self.preset
        if self.title:
            return self.title
        return f"Custom (from {spec.title})" if spec else "Custom"


@dataclass(frozen=True, eq=False)
class Step:
    """What one undo step restores: the kernel, the settings (options, divisor, offset) and how values are shown."""

    kernel: Kernel
    settings: Settings
    mode: str
    whole: bool

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        a, b = self.kernel, other.kernel
        return (
            (a.preset, dict(a.params), a.custom, a.title) == (b.preset, dict(b.params), b.custom, b.title)
            and a.matrix.shape == b.matrix.shape
            and np.array_equal(a.matrix, b.matrix)
            and (self.settings, self.mode, self.whole) == (other.settings, other.mode, other.whole)
        )

    __hash__ = None  # type: ignore[assignment]


HISTORY_LIMIT = 100  # undo steps kept per session (the issue asks for at least 50)


@dataclass(frozen=True)
class History:
    """Undo and redo as lists of states (newest last in ``past``, next first in ``future``).

    ``gesture`` names the drag or typing gesture that made the newest step: its later changes merge into that
    step, so a whole drag (or all the keystrokes typed into one cell) is undone at once.
    """

    past: tuple[Step, ...] = ()
    future: tuple[Step, ...] = ()
    gesture: str | None = None


@dataclass(frozen=True)
class View:
    """How the result is shown (never what is computed, except ``out_of_range`` via ``Settings``)."""

    mode: str = "clip"  # one of VIEWS: clip, abs, rescale or the signed colour map
    preview: int = PREVIEW_LONG_SIDE
    detail: str | None = None  # the panel open under the pictures (None: none, nothing computed for it)
    zoom_at: tuple[float, float] = (0.5, 0.5)  # the loupe's centre, as fractions of width and height
    camera: bool = False
    live: bool = False  # the live camera view is open (``app.panels.live``); its stream starts on the visitor's Start
    live_split: int = 50  # the live view's share of the width, in %, that shows the camera unfiltered (0-100)
    live_mirror: bool = True  # the live view shows the camera as a mirror does
    options: bool = False  # the sidebar's options are open (closed, only their summary is drawn)
    whole: bool = False  # the grid takes whole numbers only, like Photoshop's Custom dialog (see ``set_whole``)
    code: Library = "numpy"  # the library the "In your code" panel writes for (one of ``imgkernel.codegen.LIBRARIES``)


@dataclass(frozen=True, eq=False)
class Download:
    signature: tuple
    png: bytes = field(repr=False)


@dataclass(frozen=True, eq=False)
class PlaygroundState:
    photo: Photo
    kernel: Kernel
    settings: Settings = Settings()
    view: View = View()
    sample: str = ""  # the sample chosen in the photo box (in use unless a file was dropped since)
    replaced: Photo | None = None  # the photo in use when the uploader was emptied (kept if the next is refused)
    problems: Mapping[str, str] = field(default_factory=dict)  # control -> why its last input was refused
    bad_cell: BadCell | None = None  # the grid cell named by ``problems["grid"]``, if a cell was refused
    notices: tuple[str, ...] = ()  # one-off warnings (a link's ignored settings)
    download: Download | None = None
    revs: Mapping[str, int] = field(default_factory=dict)  # per group of controls, see ``widget_key``
    history: History = History()

    # Shorthands the pages and tests read.
    @property
    def matrix(self) -> np.ndarray:
        return self.kernel.matrix

    @property
    def name(self) -> str:
        return self.kernel.name

    @property
    def params(self) -> Mapping[str, float | int]:
        return self.kernel.params

    @property
    def title(self) -> str:
        return self.kernel.label

    @property
    def whole(self) -> bool:
        """Whole-number mode is on and the kernel in use is whole (a preset of fractions chosen since turns it
        off in effect, without losing the choice)."""
        scale = scale_for(self.matrix, self.settings)
        return self.view.whole and is_whole(np.append(self.matrix.ravel(), (scale.divisor, scale.offset)))

    @property
    def signature(self) -> tuple:
        """What the full-resolution result depends on."""
        return (self.photo.digest, self.matrix.shape, self.matrix.tobytes(), self.settings, self.view.mode)


# ---- which control shows what ----

# The part of the state each group of Streamlit widgets shows (the kernel editor and the plain controls,
# ``app.controls``, draw what the state says on every run and need none of this). A control only ever changes
# its own value; when a transition started elsewhere (a preset, a grid edit, a link, Reset) changes what a group
# shows, the group's controls get fresh keys. Setting a drawn widget's value from the server instead races with
# the browser: a press sent before the new value arrived carries the old one back, and Streamlit takes it for a
# user change (four quick presses on a size slider used to turn a preset into a corrupted custom grid that way).
SHOWN_BY: dict[str, Callable[[PlaygroundState], object]] = {
    "options": lambda s: (
        s.settings.mode,
        s.settings.cval,
        s.settings.stride,
        s.settings.dilation,
        s.settings.true_convolution,
        s.settings.gray,
        s.settings.linear,
    ),
    "view": lambda s: (
        s.view.mode,
        s.view.preview,
        s.view.detail,
        s.view.camera,
        s.view.live,
        s.view.live_split,
        s.view.live_mirror,
        s.view.zoom_at,
    ),
}


def renew_keys(old: PlaygroundState, new: PlaygroundState, by: str | None) -> PlaygroundState:
    """``new`` with fresh control keys for every group whose shown values changed, except the group ``by``
    whose own control made the change (it already shows the new value)."""
    changed = [g for g, shown in SHOWN_BY.items() if g != by and shown(old) != shown(new)]
    if not changed:
        return new
    return replace(new, revs={**new.revs, **{g: new.revs.get(g, 0) + 1 for g in changed}})


def widget_key(state: PlaygroundState, group: str, name: str) -> str:
    rev = state.revs.get(group, 0)
    return name if rev == 0 else f"{name}.{rev}"


# ---- building blocks ----


def _preset_kernel(name: str, params: Mapping[str, object] | None = None) -> Kernel:
    spec = imgkernel.get(name)
    values = {p.name: p.coerce(dict(params or {}).get(p.name, p.default), kernel=spec.name) for p in spec.params}
    return Kernel(spec.name, values, spec.matrix(values))


def _with_kernel(state: PlaygroundState, kernel: Kernel) -> PlaygroundState:
    """Put ``kernel`` in use: the grid now shows it, so a refused cell's mark and message go."""
    return _ok(replace(state, kernel=kernel), "grid")


def _problem(state: PlaygroundState, where: str, message: str | None, bad: BadCell | None = None) -> PlaygroundState:
    """Record (or with ``None``, clear) why the input of control ``where`` was refused; ``bad`` marks a grid cell."""
    problems = {k: v for k, v in state.problems.items() if k != where}
    if message:
        problems[where] = message
    bad_cell = bad if where == "grid" else state.bad_cell
    return replace(state, problems=problems, notices=(), bad_cell=bad_cell)


def _ok(state: PlaygroundState, where: str) -> PlaygroundState:
    return _problem(state, where, None)


def initial(photo: Photo, sample: str) -> PlaygroundState:
    return PlaygroundState(photo, _preset_kernel(DEFAULT_KERNEL), sample=sample)


# ---- the kernel ----


def choose_preset(state: PlaygroundState, name: str) -> PlaygroundState:
    """A catalogue kernel at its defaults, with its suggested divisor and offset; ``custom`` keeps the grid."""
    if name == CUSTOM:
        return _ok(_with_kernel(state, replace(state.kernel, custom=True)), "kernel")
    if name not in imgkernel.CATALOGUE:
        return _problem(state, "kernel", Later("There is no kernel called {name!r}.", name=name))
    spec = imgkernel.get(name)
    state = replace(
        state, settings=state.settings.with_(divisor=spec.divisor, offset=spec.offset, normalise=False, mean=False)
    )
    return _ok(_ok(_with_kernel(state, _preset_kernel(name)), "kernel"), "divisor")


def set_param(state: PlaygroundState, name: str, value: object) -> PlaygroundState:
    """Move one slider of the preset in use. A value the kernel cannot be built from keeps the last kernel."""
    spec = imgkernel.CATALOGUE.get(state.kernel.preset)
    if spec is None or state.kernel.custom:
        return state  # a stale slider of a kernel no longer in use
    try:
        kernel = _preset_kernel(spec.name, {**state.kernel.params, name: value})
    except imgkernel.KernelError as exc:
        return _problem(state, "kernel", Later("{reason} The previous kernel stays in use.", reason=exc))
    return _ok(_with_kernel(state, kernel), "kernel")


def back_to_preset(state: PlaygroundState) -> PlaygroundState:
    """Leave a custom grid for the preset it came from, with that preset's last parameters."""
    if not state.kernel.custom or state.kernel.preset not in imgkernel.CATALOGUE:
        return state
    return _with_kernel(state, _preset_kernel(state.kernel.preset, state.kernel.params))


def edit_cells(
    state: PlaygroundState, edits: Mapping[tuple[int, int], object], shape: tuple[int, int] | None = None
) -> PlaygroundState:
    """Typed or scrubbed cells (0-based (row, column) -> value) applied to the kernel in use.

    ``shape`` is the grid the editor showed when the values were typed: edits made on a grid of another shape
    (a preset or an undo changed it meanwhile) are stale and dropped. The kernel only turns custom when a value
    really differs; a bad value is refused with a message naming its cell, and the last good kernel stays.
    """
    if shape is not None and tuple(shape) != state.matrix.shape:
        return state
    check = (lambda v: _check_whole(np.array([v]), "weights")) if state.whole else None
    try:
        matrix = with_cells(state.matrix, ((r, c, v) for (r, c), v in edits.items()), check)
    except CellError as exc:
        return _problem(state, "grid", Later("{reason} The previous kernel stays in use.", reason=exc), exc.cell)
    return _use_weights(state, matrix)


def refuse_edit(state: PlaygroundState, message: str) -> PlaygroundState:
    """An editor event that could not be read (a hostile or broken client): nothing changes but the message."""
    return _problem(state, "grid", message)


def paste_matrix(state: PlaygroundState, text: str) -> PlaygroundState:
    """A matrix pasted into the grid (NumPy, MATLAB, spreadsheet or CSV text): it becomes the weights, and the
    grid takes its shape. The divisor and offset stay, as when the cells are typed one by one."""
    try:
        matrix = kernel_io.parse_matrix_text(text)
        if state.whole:
            _check_whole(matrix, "weights")
    except imgkernel.KernelError as exc:
        why = Later("The pasted text is not a kernel: {reason} The previous kernel stays in use.", reason=exc)
        return _problem(state, "grid", why)
    return _use_weights(state, matrix)


def _use_weights(state: PlaygroundState, matrix: np.ndarray) -> PlaygroundState:
    if matrix.shape == state.matrix.shape and np.array_equal(matrix, state.matrix):
        return _ok(state, "grid")
    return _with_kernel(state, replace(state.kernel, matrix=matrix, custom=True, title=None))


def resize(state: PlaygroundState, rows: int, cols: int) -> PlaygroundState:
    """A ``rows x cols`` custom kernel keeping the weights around the anchor (``size // 2``); new cells 0."""
    rows, cols = (min(MAX_KERNEL_SIDE, max(1, int(n))) for n in (rows, cols))
    if (rows, cols) == state.matrix.shape:
        return state
    kernel = replace(state.kernel, matrix=resize_kernel(state.matrix, rows, cols), custom=True)
    return _with_kernel(state, kernel)


def resize_kernel(matrix: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """A new ``rows x cols`` kernel keeping the old weights around the anchor (``size // 2``); new cells 0."""
    old = np.asarray(matrix, dtype=np.float64)
    out = np.zeros((rows, cols))
    shift = (rows // 2 - old.shape[0] // 2, cols // 2 - old.shape[1] // 2)
    src = tuple(slice(max(0, -d), min(n, m - d)) for d, n, m in zip(shift, old.shape, (rows, cols), strict=True))
    dst = tuple(slice(s.start + d, s.stop + d) for s, d in zip(src, shift, strict=True))
    out[dst] = old[src]
    return out


def load_kernel(
    state: PlaygroundState,
    matrix: object,
    *,
    title: str | None = None,
    divisor: float = 1.0,
    offset: float = 0.0,
    where: str = "file",
) -> PlaygroundState:
    """A kernel from a file or a Learn page, as a custom kernel with its own divisor and offset."""
    try:
        m = kernel_io.validate_matrix(np.asarray(matrix, dtype=object).tolist())
        if max(m.shape) > MAX_KERNEL_SIDE:
            raise imgkernel.KernelError(f"The kernel is too big: at most {MAX_KERNEL_SIDE} x {MAX_KERNEL_SIDE} cells.")
        settings = _checked_scale(
            state.settings.with_(divisor=float(divisor), offset=float(offset), normalise=False, mean=False)
        )
    except (imgkernel.KernelError, ValueError) as exc:
        return _problem(state, where, Later("{reason} The current kernel stays in use.", reason=exc))
    kernel = replace(state.kernel, matrix=m, custom=True, title=title)
    return _ok(_ok(replace(_with_kernel(state, kernel), settings=settings), where), "divisor")


def refuse_kernel_file(state: PlaygroundState, message: str) -> PlaygroundState:
    return _problem(state, "file", Later("{reason} The current kernel stays in use.", reason=message))


# ---- scale and options ----


_OUT_OF_RANGE = {
    "divisor": N_("The divisor must be between -{limit:g} and {limit:g}."),
    "offset": N_("The offset must be between -{limit:g} and {limit:g}."),
    "constant": N_("The constant must be between -{limit:g} and {limit:g}."),
}


def _checked_scale(settings: Settings) -> Settings:
    """``settings`` if its divisor and offset are usable, else a ``KernelError`` in plain words."""
    for what, value in (("divisor", settings.divisor), ("offset", settings.offset), ("constant", settings.cval)):
        if not np.isfinite(value) or abs(value) > MAX_KERNEL_ABS:
            raise imgkernel.KernelError(Later(_OUT_OF_RANGE[what], limit=MAX_KERNEL_ABS))
    check_divisor(settings.divisor)
    return settings


def set_scale(state: PlaygroundState, **changes: object) -> PlaygroundState:
    """Divisor, offset, normalise or mean. A divisor of 0 (or too small to be useful) keeps the last one."""
    unknown = set(changes) - {"divisor", "offset", "normalise", "mean"}
    if unknown:
        raise TypeError(f"not a scale setting: {', '.join(sorted(unknown))}")
    try:
        settings = _checked_scale(state.settings.with_(**changes))
        if state.whole:
            _check_whole(np.array([settings.divisor, settings.offset]), "divisor and offset")
    except imgkernel.KernelError as exc:
        return _scale_refused(state, changes, exc)
    return _ok(_ok(replace(state, settings=settings), "divisor"), "scale")  # a refusal before is stale now


def _scale_refused(state: PlaygroundState, names: Collection[str], exc: imgkernel.KernelError) -> PlaygroundState:
    """``state`` unchanged, saying why changing ``names`` was refused: by the divisor (with the one kept in use)
    when it was among them, else by the scale."""
    where = "divisor" if "divisor" in names else "scale"
    kept = N_("{reason} The last valid divisor ({divisor:g}) stays in use.") if where == "divisor" else "{reason}"
    return _problem(state, where, Later(kept, reason=exc, divisor=state.settings.divisor))


def type_scale(state: PlaygroundState, name: str, value: object) -> PlaygroundState:
    """A divisor or offset as typed in the editor (text or a number, read like a grid cell), or normalise or mean
    switched; a value that is not a number keeps the last good one, and says why."""
    if name in TYPED_SCALE:
        try:
            value = kernel_io.parse_number(value, what=name)
        except imgkernel.KernelError as exc:
            return _scale_refused(state, (name,), exc)
    return set_scale(state, **{name: value})


_OPTION_NAMES = {
    "mode": N_("Mode"),
    "stride": N_("Stride"),
    "dilation": N_("Dilation"),
    "true_convolution": N_("True convolution"),
    "gray": N_("Gray"),
    "linear": N_("Linear"),
    "cval": N_("Cval"),
}
_OPTION_CHECKS = {
    "mode": lambda v: v in imgkernel.MODES,
    "stride": lambda v: isinstance(v, int) and 1 <= v <= MAX_STRIDE,
    "dilation": lambda v: isinstance(v, int) and 1 <= v <= MAX_DILATION,
    "true_convolution": lambda v: isinstance(v, bool),
    "gray": lambda v: isinstance(v, bool),
    "linear": lambda v: isinstance(v, bool),
    "cval": lambda v: isinstance(v, float) and np.isfinite(v) and abs(v) <= MAX_KERNEL_ABS,
}


def set_option(state: PlaygroundState, name: str, value: object) -> PlaygroundState:
    """Border mode, constant, stride, dilation, flip, grayscale or linear light; an impossible value is refused."""
    if name not in _OPTION_CHECKS:
        raise TypeError(f"not an option: {name}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = float(value) if name == "cval" else value
        if name in ("stride", "dilation") and float(value).is_integer():
            value = int(value)
    if not _OPTION_CHECKS[name](value):
        why = Later("{option} cannot be {value!r}.", option=Later(_OPTION_NAMES[name]), value=value)
        return _problem(state, "options", why)
    return _ok(replace(state, settings=state.settings.with_(**{name: value})), "options")


def set_view(
    state: PlaygroundState,
    *,
    mode: object = _KEEP,
    preview: object = _KEEP,
    detail: object = _KEEP,
    zoom_at: object = _KEEP,
    camera: object = _KEEP,
    options: object = _KEEP,
    code: object = _KEEP,
    live: object = _KEEP,
    live_split: object = _KEEP,
    live_mirror: object = _KEEP,
) -> PlaygroundState:
    """How the result is shown: view mode, preview size, open panel, loupe spot, camera, the options panel, the
    library the code panel writes for, the live camera view and its split (whole %, 0-100) and mirror.
    A value that is not one of the choices is ignored and the view stays as it was."""
    view = state.view
    if isinstance(mode, str) and mode in VIEWS:
        view = replace(view, mode=mode)
    if isinstance(preview, int) and preview in PREVIEW_SIZES:
        view = replace(view, preview=preview)
    if detail is None or (isinstance(detail, str) and detail in DETAILS):
        view = replace(view, detail=detail)
    if isinstance(zoom_at, tuple) and len(zoom_at) == 2 and all(isinstance(f, float) and 0 <= f <= 1 for f in zoom_at):
        view = replace(view, zoom_at=(zoom_at[0], zoom_at[1]))
    if isinstance(camera, bool):
        view = replace(view, camera=camera)
    if isinstance(live, bool):
        view = replace(view, live=live)
    if isinstance(live_split, int) and not isinstance(live_split, bool) and 0 <= live_split <= 100:
        view = replace(view, live_split=live_split)
    if isinstance(live_mirror, bool):
        view = replace(view, live_mirror=live_mirror)
    if isinstance(options, bool):
        view = replace(view, options=options)
    view = replace(view, code=next((name for name in LIBRARIES if name == code), view.code))
    oor = "clip" if view.mode == "signed" else view.mode
    return replace(state, view=view, settings=state.settings.with_(out_of_range=oor))


# ---- the photo ----


def choose_sample(state: PlaygroundState, photo: Photo) -> PlaygroundState:
    return _ok(
        replace(
            state,
            photo=photo,
            sample=photo.sample or state.sample,
            replaced=None,
        ),
        "photo",
    )


def use_photo(state: PlaygroundState, photo: Photo) -> PlaygroundState:
    """An uploaded or camera photo, decoded and checked."""
    return _ok(replace(state, photo=photo, replaced=None), "photo")


def refuse_photo(state: PlaygroundState, message: str) -> PlaygroundState:
    """A file that could not be used: the photo in use before it (even across an emptied uploader) stays."""
    photo = state.replaced or state.photo
    return _problem(replace(state, photo=photo, replaced=None), "photo", message)


def photo_removed(state: PlaygroundState, sample: Photo) -> PlaygroundState:
    """The uploader was emptied (also the first half of replacing a file): back to the sample for now."""
    return replace(_ok(state, "photo"), photo=sample, replaced=state.photo)


# ---- links and reset ----


def to_link(state: PlaygroundState) -> share.ShareState:
    k = state.kernel
    return share.ShareState(
        k.name,
        {} if k.custom else dict(k.params),
        k.matrix if k.custom else None,
        state.settings,
        state.view.mode,
        state.photo.sample,
    )


def open_link(
    state: PlaygroundState,
    link: share.ShareState,
    notices: Sequence[str],
    photo: Photo | None,
) -> PlaygroundState:
    """The state a (decoded, already checked) link asks for; ``photo`` is its sample, if it names one."""
    if link.kernel == CUSTOM and link.matrix is not None:
        kernel = Kernel("", {}, link.matrix, custom=True)  # a link's own grid: no preset to go back to
    else:
        kernel = _preset_kernel(link.kernel, link.params)
    state = replace(
        _with_kernel(state, kernel),
        settings=link.settings,
        problems={},
        notices=(Later("Some settings in the link were ignored: {reasons}", reasons=Later.joined(notices)),)
        if notices
        else (),
    )
    state = set_view(state, mode=link.view)
    if photo is not None:
        state = replace(state, photo=photo, sample=photo.sample or state.sample)
    return state


def reset(state: PlaygroundState) -> PlaygroundState:
    """Default kernel, options and view; the photo stays."""
    fresh = initial(state.photo, state.sample)
    # the control revisions carry on: a reused key could take a stale echo from the browser for a change
    view = replace(View(), camera=state.view.camera, live=state.view.live, options=state.view.options)
    return replace(fresh, view=view, replaced=state.replaced, revs=state.revs, history=state.history)


def prepared(state: PlaygroundState, png: bytes) -> PlaygroundState:
    return replace(state, download=Download(state.signature, png))


def drop_download(state: PlaygroundState) -> PlaygroundState:
    """Let go of the prepared file (downloaded, or made stale by a change)."""
    return replace(state, download=None)


def current_download(state: PlaygroundState) -> bytes | None:
    d = state.download
    return d.png if d is not None and d.signature == state.signature else None


# ---- whole numbers, as Photoshop's Custom dialog ----

WHOLE_LIMIT = 9999  # the largest divisor whole-number mode makes (Photoshop's scale goes to 9999)


_NOT_WHOLE = {
    "weights": N_("The weights must be whole numbers while *Whole numbers* is on (turn it off to type fractions)."),
    "divisor and offset": N_(
        "The divisor and offset must be whole numbers while *Whole numbers* is on (turn it off to type fractions)."
    ),
}


def _check_whole(values: np.ndarray, what: str) -> None:
    if not is_whole(values):
        raise imgkernel.KernelError(Later(_NOT_WHOLE[what]))


def set_whole(state: PlaygroundState, on: bool) -> PlaygroundState:
    """Whole-number mode: weights, divisor and offset as whole numbers, like Photoshop's Custom dialog.

    Turning it on rewrites a kernel of fractions as the same filter in whole numbers (a Gaussian's 1/16, 2/16,
    4/16 become 1, 2, 4 with divisor 16; *Normalise* and *Mean* become that explicit divisor), or says why it
    cannot (an offset that is not whole, weights no multiplier up to 9999 makes whole) and stays off.
    """
    if not on:
        return _ok(replace(state, view=replace(state.view, whole=False)), "grid")
    scale = scale_for(state.matrix, state.settings)
    factor = whole_multiplier(np.append(state.matrix.ravel(), scale.divisor), WHOLE_LIMIT)
    weights = state.matrix * (factor or 1)
    why = (
        Later("the offset {offset:g} is not a whole number", offset=scale.offset)
        if not is_whole(scale.offset)
        else Later("no multiplier up to 9999 makes these weights whole")
        if factor is None
        else Later("as whole numbers the weights would reach {top:g}", top=float(np.abs(weights).max()))
        if np.abs(weights).max() > MAX_KERNEL_ABS
        else None
    )
    if why:
        return _problem(state, "grid", Later("Whole numbers stay off: {why}. The kernel is unchanged.", why=why))
    opened = replace(state, view=replace(state.view, whole=True))
    factor = factor or 1
    if factor == 1 and not (state.settings.normalise or state.settings.mean):
        return _ok(opened, "grid")
    divisor = float(round(scale.divisor * factor))
    return load_kernel(
        opened, np.rint(weights), title=state.kernel.title, divisor=divisor, offset=scale.offset, where="grid"
    )


# ---- undo and redo ----


def step_of(state: PlaygroundState) -> Step:
    return Step(state.kernel, state.settings, state.view.mode, state.view.whole)


def record(old: PlaygroundState, new: PlaygroundState, gesture: str | None = None) -> PlaygroundState:
    """``new`` with ``old`` pushed on the undo list when a transition changed the kernel, the settings or the
    view mode (a photo, a panel or the loupe are not undone). Changes carrying the same ``gesture`` as the newest
    step (one drag, one cell's typing) merge into it; a gesture back where it began leaves no step."""
    h = old.history
    ongoing = gesture is not None and gesture == h.gesture and bool(h.past)
    if ongoing and new.bad_cell is not None:
        # A refused value ends its gesture where it began: typing "1e400" sent "1" and "1e4" live on the way,
        # and the kernel from before the typing, not "1e4", is the last good one.
        return replace(
            _restore(new, h.past[-1], History(h.past[:-1], h.future)), problems=new.problems, bad_cell=new.bad_cell
        )
    before, after = step_of(old), step_of(new)
    if before == after:
        return new
    if ongoing:
        past = h.past[:-1] if h.past[-1] == after else h.past
        return replace(new, history=History(past, (), gesture if past is h.past else None))
    return replace(new, history=History((*h.past, before)[-HISTORY_LIMIT:], (), gesture))


def _restore(state: PlaygroundState, step: Step, history: History) -> PlaygroundState:
    view = replace(state.view, mode=step.mode, whole=step.whole)
    return replace(
        state,
        kernel=step.kernel,
        settings=step.settings,
        view=view,
        history=history,
        problems={},
        bad_cell=None,
        notices=(),
    )


def undo(state: PlaygroundState) -> PlaygroundState:
    """Back one step (the newest change of kernel, settings or view mode); nothing to undo changes nothing."""
    h = state.history
    if not h.past:
        return state
    return _restore(state, h.past[-1], History(h.past[:-1], (step_of(state), *h.future)))


def redo(state: PlaygroundState) -> PlaygroundState:
    """Forward one undone step; a new change since the undo has dropped the steps that could be redone."""
    h = state.history
    if not h.future:
        return state
    return _restore(state, h.future[0], History((*h.past, step_of(state))[-HISTORY_LIMIT:], h.future[1:]))


# ---- the kernel editor's events ----


@dataclass(frozen=True)
class Change:
    """What one editor event does: ``transition(state, *args)``, asked for by the control group ``by``, as part
    of ``gesture`` (one drag or one cell's typing: one undo step)."""

    transition: Callable[..., PlaygroundState]
    args: tuple = ()
    by: str | None = None
    gesture: str | None = None


def change_for(event: Event | imgkernel.KernelError) -> Change:
    """The transition for a checked event from the grid or the sliders (a refusal is an event too)."""
    if isinstance(event, Cells):
        return Change(edit_cells, ({(r, c): v for r, c, v in event.cells}, event.shape), "grid", event.gesture)
    if isinstance(event, Paste):
        return Change(paste_matrix, (event.text,))
    if isinstance(event, Param):
        return Change(set_param, (event.name, event.value), "kernel", event.gesture)
    if isinstance(event, Shape):
        return Change(resize, (event.rows, event.cols))
    if isinstance(event, Whole):
        return Change(set_whole, (event.on,))
    if isinstance(event, Scale):
        return Change(type_scale, (event.name, event.value), gesture=event.gesture)
    if isinstance(event, Undo):
        return Change(undo)
    if isinstance(event, Redo):
        return Change(redo)
    return Change(refuse_edit, (event.message or str(event),))


def only_hot(old: PlaygroundState, new: PlaygroundState) -> bool:
    """Whether ``old`` → ``new`` changed nothing but what the playground redraws on every weight change (the
    weights, the parameters' values, the pictures and the panel under them), so that only those parts need to
    rerun. Anything else that a control shows (the kernel's name, the grid's shape, the scale and options, the
    undo buttons, a message, a control's key) asks for the whole kernel area."""

    def cold(s: PlaygroundState) -> tuple:
        k = s.kernel
        problems = {w: m for w, m in s.problems.items() if w != "grid"}
        history = (bool(s.history.past), bool(s.history.future))
        return (k.preset, k.custom, k.title, s.matrix.shape, s.whole, s.settings, s.view, problems, history, s.revs)

    return cold(old) == cold(new)
