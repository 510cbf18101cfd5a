"""The "Sliding window" page's parts: a small input, the kernel's window stepping over the padded input while the
output fills in, and transposed convolution scattering the kernel from each input cell into a larger output.

Play: Streamlit has no timers that run in the browser. ``st.fragment(run_every=...)`` would rerun the script on the
server every tick, each tick a round trip that competes with every other visitor's runs (and a stalled tick stalls
the animation). So "Play" draws the whole sweep once as an animated GIF (bounded: ``MAX_FRAMES`` frames of at most
``MAX_FRAME_PIXELS``), which the browser animates on its own; the same bytes are the download. Step and scrub are
ordinary reruns of one frame.

The functions above the line are pure (no Streamlit): the inputs, the scenes and their frames drawn with Pillow, the
GIF and the texts. Those below draw. The geometry is ``imgkernel.learn.sweep``.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import streamlit as st
from PIL import Image, ImageDraw, ImageFont

import imgkernel
from imgkernel.borders import MODE_RULES, Mode
from imgkernel.learn import sweep

from . import i18n, learn, session, wording
from .i18n import _
from .state import PlaygroundState, load_kernel, set_option

SOURCES = ("The photo, shrunk", "A gradient", "One bright pixel")
WHAT = ("Convolution: the window slides", "Transposed convolution: upsampling")
MAX_KERNEL = 7  # widest kernel the page draws (a 7 × 7 window already covers a 16-cell input)
MAX_FRAMES = 400  # frames an animated GIF may have
MAX_FRAME_PIXELS = 2_000_000  # pixels a frame may have
MAX_WIDTH = 1400  # a frame stays under Streamlit's 1460 px (wider pictures are resized, losing the animation)
FRAME_MS = 350  # time per frame of the GIF; the last frame stays 4 times longer
GAP = 36  # px between the two grids
TITLE_H = 22  # px above the grids for their titles
# The hatching drawn over padding cells says which border mode made them (and "cropped" for transposed padding).
HATCH = {"reflect": "\\", "mirror": "/", "nearest": "-", "wrap": "|", "constant": "x", "cropped": "x"}
LINE = (200, 199, 196)  # grid lines
EMPTY = (255, 255, 255)  # an output cell not computed yet
HATCH_RGB = (158, 48, 59)  # the app's focus red
OUTLINE = (255, 220, 0)  # the window: a yellow line on a black halo, visible on any grey
# Fonts that can draw Chinese, tried in turn for the grids' titles (Pillow's own font has Latin letters only);
# with none installed the titles are drawn in English (the caption and the text alternative stay translated).
CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)


def source_name(source: str) -> str:
    """An input's name as shown (``SOURCES``)."""
    names = {SOURCES[0]: _("The photo, shrunk"), SOURCES[1]: _("A gradient"), SOURCES[2]: _("One bright pixel")}
    return names.get(source, source)


def what_name(what: str) -> str:
    """A choice of ``WHAT`` as shown."""
    names = {WHAT[0]: _("Convolution: the window slides"), WHAT[1]: _("Transposed convolution: upsampling")}
    return names.get(what, what)


def grid_title(title: str) -> str:
    """A grid's title (``Scene.titles``) in the current language."""
    names = {"Input, padded": _("Input, padded"), "Input (valid: no padding)": _("Input (valid: no padding)")}
    names |= {"Output": _("Output"), "Input": _("Input"), "Output before the crop": _("Output before the crop")}
    return names.get(title, title)


# ------------------------------------------------------------------------------------------- pure (no Streamlit)
def source_pixels(source: str, side: int, photo: np.ndarray | None = None) -> np.ndarray:
    """A ``side`` × ``side`` gray input (float64, 0..255): the photo's centre square shrunk to it, a diagonal
    gradient, or one bright pixel in a black square (its output shows the kernel itself, mirrored)."""
    if source == SOURCES[0] and photo is not None:
        pixels = np.asarray(photo, dtype=np.uint8)
        h, w = pixels.shape[:2]
        s = min(h, w)
        # the square first: gray is per pixel, and a 12 MP photo made gray whole took ~170 ms on every step
        square = imgkernel.to_gray(pixels[(h - s) // 2 : (h - s) // 2 + s, (w - s) // 2 : (w - s) // 2 + s])
        small = Image.fromarray(square).resize((side, side), Image.Resampling.BOX)
        return np.asarray(small, dtype=np.float64)
    if source == SOURCES[2]:
        x = np.zeros((side, side))
        x[side // 2, side // 2] = 255
        return x
    r, c = np.indices((side, side))
    return np.round((r + c) * 255 / max(1, 2 * side - 2))


def cell_text(value: float) -> str:
    """A cell's number: whole when it is (to 0.05), else one decimal; a real minus."""
    text = str(int(round(value))) if abs(value - round(value)) < 0.05 else f"{value:.1f}"
    return text.replace("-", "−")


@dataclass(frozen=True)
class Frame:
    """What one frame highlights: cells of the left and right grids (row, col), and the right grid's values so far
    (NaN: not computed yet)."""

    left_cells: tuple[tuple[int, int], ...]
    right_cells: tuple[tuple[int, int], ...]
    right: np.ndarray


@dataclass(frozen=True, eq=False)
class Scene:
    """Two grids side by side and the frames of a sweep over them (the last frame: everything done, no window)."""

    left: np.ndarray  # values of the left grid (the padded input, or the transposed input)
    left_hatch: np.ndarray  # bool: a padding cell
    right_hatch: np.ndarray  # bool: a cropped cell (transposed padding), same shape as the right grid
    result: np.ndarray  # the right grid when done
    hatch: str  # key of HATCH for the hatched cells
    titles: tuple[str, str]
    steps: int  # frames with a window (one per output position or input cell); frame ``steps`` is the end
    frame_of: Callable[[int], Frame]  # frame i: what it highlights and the output so far

    def frame(self, i: int) -> Frame:
        return self.frame_of(i)


def conv_scene(
    x: np.ndarray, kernel: np.ndarray, mode: Mode, cval: float, stride: int, dilation: int
) -> tuple[Scene, np.ndarray]:
    """The sliding window over the padded input; also the output (float64, as ``imgkernel.correlate``)."""
    k = np.asarray(kernel, dtype=np.float64)
    p = sweep.padded(x, (k.shape[0], k.shape[1]), mode, cval, dilation)
    out = sweep.sweep(x, k, mode=mode, cval=cval, stride=stride, dilation=dilation)
    order = sweep.positions((out.shape[0], out.shape[1]))

    def frame_of(i: int) -> Frame:
        done = np.arange(out.size).reshape(out.shape) <= min(i, out.size - 1)
        right = np.where(done, out, np.nan)
        if i >= len(order):
            return Frame((), (), right)
        r, c = order[i]
        rows = sweep.taps(r, k.shape[0], mode, stride, dilation) + p.top
        cols = sweep.taps(c, k.shape[1], mode, stride, dilation) + p.left
        return Frame(tuple((int(a), int(b)) for a in rows for b in cols), ((r, c),), right)

    titles = ("Input, padded" if mode != "valid" else "Input (valid: no padding)", "Output")
    none = np.zeros(out.shape, bool)
    return Scene(p.values, p.outside, none, out, mode, titles, len(order), frame_of), out


def transposed_scene(
    x: np.ndarray, kernel: np.ndarray, stride: int, dilation: int, padding: int, output_padding: int
) -> tuple[Scene, np.ndarray]:
    """Each input cell scattering value × kernel into the full output (the cropped border hatched); also the
    output (the full grid without the crop)."""
    k = np.asarray(kernel, dtype=np.float64)
    sweep.check_transposed(x.shape, (k.shape[0], k.shape[1]), stride, dilation, padding, output_padding)
    full = sweep.conv_transpose(x, k, stride=stride, dilation=dilation, output_padding=output_padding)
    h, w = full.shape
    cropped = np.ones(full.shape, bool)
    cropped[padding : h - padding, padding : w - padding] = False
    order = sweep.positions((x.shape[0], x.shape[1]))
    reach = np.ones_like(x)

    def frame_of(i: int) -> Frame:
        n = min(i + 1, len(order))
        so_far = sweep.conv_transpose(x, k, stride=stride, dilation=dilation, output_padding=output_padding, upto=n)
        hit = sweep.conv_transpose(
            reach, np.ones_like(k), stride=stride, dilation=dilation, output_padding=output_padding, upto=n
        )
        right = np.where(hit > 0, so_far, np.nan)
        if i >= len(order):
            return Frame((), (), full)  # done: output padding cells no stamp reaches hold 0
        s = sweep.scatter(x, k, *order[i], stride=stride, dilation=dilation)
        return Frame((order[i],), tuple((int(a), int(b)) for a in s.rows for b in s.cols), right)

    titles = ("Input", "Output before the crop" if padding else "Output")
    none = np.zeros(x.shape, bool)
    out = full[padding : h - padding, padding : w - padding]
    return Scene(x, none, cropped, full, "cropped", titles, len(order), frame_of), out


def cell_size(scene: Scene) -> int:
    """Screen pixels per cell: wide enough for the longest number, small enough for the frame to fit ``MAX_WIDTH``
    (under 18 px the numbers are left out)."""
    longest = max(len(cell_text(v)) for v in np.concatenate([scene.left.ravel(), scene.result.ravel()]))
    want = max(28, 7 * longest + 8)
    cells = scene.left.shape[1] + scene.result.shape[1]
    return int(max(6, min(want, (MAX_WIDTH - GAP - 8) // cells)))


def frame_size(scene: Scene) -> tuple[int, int]:
    """(width, height) of a frame in pixels."""
    c = cell_size(scene)
    rows = max(scene.left.shape[0], scene.result.shape[0])
    return (scene.left.shape[1] + scene.result.shape[1]) * c + GAP + 8, rows * c + TITLE_H + 8


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


@cache
def _cjk_font(size: int) -> ImageFont.FreeTypeFont | None:
    """A font that draws Chinese, if one is installed (``CJK_FONTS``)."""
    for path in CJK_FONTS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return None


def _title_and_font(title: str, size: int) -> tuple[str, ImageFont.FreeTypeFont | ImageFont.ImageFont]:
    """A grid's title as drawn, in the current language when a font can draw it (else in English)."""
    shown = grid_title(title)
    if shown.isascii():
        return shown, _font(size)
    cjk = _cjk_font(size)
    return (shown, cjk) if cjk is not None else (title, _font(size))


def _grey(v: float) -> tuple[int, int, int]:
    g = int(np.clip(round(v), 0, 255))
    return g, g, g


def _cell(draw: ImageDraw.ImageDraw, x0: int, y0: int, c: int, value: float, hatch: str | None) -> None:
    """One cell: filled with its value's grey (white when not computed), its number, hatching over padding."""
    known = not np.isnan(value)
    fill = _grey(value) if known else EMPTY
    draw.rectangle((x0, y0, x0 + c - 1, y0 + c - 1), fill=fill, outline=LINE)
    if hatch:
        step = max(4, c // 2)  # two or three lines: the number stays readable
        for t in range(0, c, step):
            if hatch in "\\x":
                draw.line((x0 + t, y0, x0 + c - 1, y0 + c - 1 - t), fill=HATCH_RGB)
                draw.line((x0, y0 + t, x0 + c - 1 - t, y0 + c - 1), fill=HATCH_RGB)
            if hatch in "/x":
                draw.line((x0 + c - 1 - t, y0, x0, y0 + c - 1 - t), fill=HATCH_RGB)
                draw.line((x0 + c - 1, y0 + t, x0 + t, y0 + c - 1), fill=HATCH_RGB)
            if hatch == "-":
                draw.line((x0, y0 + t, x0 + c - 1, y0 + t), fill=HATCH_RGB)
            if hatch == "|":
                draw.line((x0 + t, y0, x0 + t, y0 + c - 1), fill=HATCH_RGB)
    if known and c >= 18:
        text = cell_text(value)
        colour = learn.text_colour(np.array(fill))
        draw.text((x0 + c / 2, y0 + c / 2), text, fill=colour, font=_font(max(9, min(13, c // 3))), anchor="mm")


def _origins(scene: Scene) -> tuple[tuple[int, int], tuple[int, int], int]:
    c = cell_size(scene)
    return (4, TITLE_H + 4), (4 + scene.left.shape[1] * c + GAP, TITLE_H + 4), c


def _outline(draw: ImageDraw.ImageDraw, origin: tuple[int, int], c: int, cells: tuple[tuple[int, int], ...]) -> None:
    """The window: its bounding box outlined thick, each of its cells thin (with dilation they are apart)."""
    if not cells:
        return
    rows, cols = [r for r, _ in cells], [q for _, q in cells]
    ox, oy = origin
    box = (ox + min(cols) * c, oy + min(rows) * c, ox + (max(cols) + 1) * c - 1, oy + (max(rows) + 1) * c - 1)
    draw.rectangle(box, outline=(0, 0, 0), width=4)
    draw.rectangle((box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1), outline=OUTLINE, width=2)
    if len(cells) > 1:
        for r, q in cells:
            x0, y0 = ox + q * c + 3, oy + r * c + 3
            draw.rectangle((x0, y0, x0 + c - 7, y0 + c - 7), outline=OUTLINE, width=1)


def _background(scene: Scene) -> Image.Image:
    """The left grid with its values and padding, the right grid empty, the titles."""
    img = Image.new("RGB", frame_size(scene), EMPTY)
    draw = ImageDraw.Draw(img)
    (lx, ly), (rx, ry), c = _origins(scene)
    for (r, q), v in np.ndenumerate(scene.left):
        _cell(draw, lx + q * c, ly + r * c, c, float(v), HATCH[scene.hatch] if scene.left_hatch[r, q] else None)
    for (r, q), crop in np.ndenumerate(scene.right_hatch):
        _cell(draw, rx + q * c, ry + r * c, c, np.nan, HATCH[scene.hatch] if crop else None)
    for x, title in ((lx, scene.titles[0]), (rx, scene.titles[1])):
        text, font = _title_and_font(title, 13)
        draw.text((x, 4), text, fill=learn.TEXT_DARK, font=font)
    return img


def frames(scene: Scene, indices: list[int] | None = None) -> Iterator[Image.Image]:
    """Frames ``indices`` (default: all, 0..steps) in increasing order, drawn incrementally: the right grid's cells
    are redrawn only where their values changed since the previous frame."""
    base = _background(scene)
    draw = ImageDraw.Draw(base)
    (lo, ro, c) = _origins(scene)
    shown = np.full(scene.result.shape, np.nan)
    for i in sorted(indices) if indices is not None else range(scene.steps + 1):
        f = scene.frame(i)
        changed = ~((f.right == shown) | (np.isnan(f.right) & np.isnan(shown)))
        for r, q in np.argwhere(changed):
            hatch = HATCH[scene.hatch] if scene.right_hatch[r, q] else None
            _cell(draw, ro[0] + int(q) * c, ro[1] + int(r) * c, c, float(f.right[r, q]), hatch)
        shown = f.right
        img = base.copy()
        d = ImageDraw.Draw(img)
        _outline(d, lo, c, f.left_cells)
        _outline(d, ro, c, f.right_cells)
        yield img


def picture(scene: Scene, i: int) -> np.ndarray:
    """Frame ``i`` as RGB uint8."""
    return np.asarray(next(frames(scene, [i])))


def gif_problem(scene: Scene) -> str | None:
    """Why the sweep is too big for an animated GIF, in words (None when it is not)."""
    w, h = frame_size(scene)
    if scene.steps + 1 > MAX_FRAMES:
        return _(
            "The sweep has {n} frames; an animation holds at most {most}: use a smaller input.",
            n=scene.steps + 1,
            most=MAX_FRAMES,
        )
    if w * h > MAX_FRAME_PIXELS:
        return _(
            "A frame would be {w} × {h} px; an animation holds at most {most} pixels per frame.",
            w=w,
            h=h,
            most=f"{MAX_FRAME_PIXELS:,}",
        )
    return None


def gif_bytes(scene: Scene) -> bytes:
    """The sweep as an animated GIF (looping; the finished frame held longer); ``ValueError`` past the bounds."""
    problem = gif_problem(scene)
    if problem:
        raise ValueError(problem)
    palette = Image.new("P", (1, 1))
    # 240 greys for the cells, then the few colours of the drawing
    colours = [(g, g, g) for g in np.linspace(0, 255, 240).round().astype(int)] + [
        LINE,
        HATCH_RGB,
        OUTLINE,
        learn.TEXT_DARK,
    ]
    palette.putpalette([v for rgb in colours for v in rgb] + [0] * (3 * (256 - len(colours))))
    shots = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in frames(scene)]
    buf = io.BytesIO()
    durations = [FRAME_MS] * (len(shots) - 1) + [FRAME_MS * 4]
    shots[0].save(buf, format="GIF", save_all=True, append_images=shots[1:], duration=durations, loop=0)
    return buf.getvalue()


def products_table(values: np.ndarray, weights: np.ndarray, outside: np.ndarray | None = None) -> pd.DataFrame:
    """Each tap as "value × weight = product", rows and columns numbered from 1 like the playground's grid;
    "(pad)" marks a value read from padding."""
    pad = _(" (pad)")
    cells = [
        [
            f"{cell_text(v)}{pad if outside is not None and outside[i, j] else ''} × {wording.num(w)} = "
            f"{wording.num(v * w)}"
            for j, (v, w) in enumerate(zip(vr, wr, strict=True))
        ]
        for i, (vr, wr) in enumerate(zip(values, weights, strict=True))
    ]
    return pd.DataFrame(
        cells,
        index=[_("row {r}", r=i + 1) for i in range(values.shape[0])],
        columns=[_("col {c}", c=j + 1) for j in range(values.shape[1])],
    )


def size_formula(n: int, k: int, stride: int, dilation: int, padding: int, output_padding: int) -> str:
    """The transposed output size per axis, written out with the numbers."""
    size = sweep.transposed_size(n, k, stride, dilation, padding, output_padding)
    op = f" + {output_padding}" if output_padding else ""
    op_name = _(" + output padding") if output_padding else ""
    return (
        f"(n − 1)·s + d·(k − 1) + 1 − 2p{op_name} = "
        f"({n} − 1)·{stride} + {dilation}·({k} − 1) + 1 − 2·{padding}{op} = **{size}**"
    )


def conv_note(mode: Mode, stride: int, dilation: int, k: tuple[int, int], out: tuple[int, int]) -> str:
    """What the left grid's padding is and how big the output is, for the options chosen."""
    spans = [imgkernel.dilated_span(n, dilation) for n in k]
    pad = (
        _("No padding ('valid'): the window only stops where it fits inside the input.")
        if mode == "valid"
        else _(
            "Hatched cells are padding, read by the '{mode}' border mode: {rule}.",
            mode=wording.mode_name(mode),
            rule=i18n.message(MODE_RULES[mode]),
        )
    )
    return _(
        "{pad} The window spans {w} × {h} input cells (dilation {dilation}: its taps sit {dilation} apart) and "
        "moves {step} at a time: the output is {out_w} × {out_h} cells.",
        pad=pad,
        w=spans[1],
        h=spans[0],
        dilation=dilation,
        step=cells(stride),
        out_w=out[1],
        out_h=out[0],
    )


def cells(n: int) -> str:
    """ "1 cell", "2 cells"."""
    return _("{n} cell", n=n) if n == 1 else _("{n} cells", n=n)


def alt_frame(scene: Scene, i: int, what: str) -> str:
    """The frame in words: which grids, where the window is, how much of the output is done."""
    lh, lw = scene.left.shape
    rh, rw = scene.result.shape
    f = scene.frame(i)
    done = int(np.count_nonzero(~np.isnan(f.right)))
    where = (
        _("step {i} of {n}: {what}", i=i + 1, n=scene.steps, what=what)
        if i < scene.steps
        else _("all {n} steps done", n=scene.steps)
    )
    return _(
        "Left, {left}: {lw} × {lh} cells, grey by value with the values written in them{hatched}. Right, {right}: "
        "{rw} × {rh} cells, {done} filled so far{cropped}. {where}.",
        left=grid_title(scene.titles[0]).lower(),
        lw=lw,
        lh=lh,
        hatched=_(", padding hatched") if scene.left_hatch.any() else "",
        right=grid_title(scene.titles[1]).lower(),
        rw=rw,
        rh=rh,
        done=done,
        cropped=_(", the cropped border hatched") if scene.right_hatch.any() else "",
        where=where,
    )


# ------------------------------------------------------------------------------------------------ Streamlit parts
POS_KEY = "sw_pos"


def _move(delta: int, last: int) -> None:
    st.session_state[POS_KEY] = int(np.clip(st.session_state.get(POS_KEY, 1) + delta, 1, last))


def position(steps: int, label: str) -> int:
    """Previous / Next buttons and a slider over the steps (1-based on screen); the 0-based frame index."""
    last = steps + 1  # the last position: the finished output
    if not 1 <= st.session_state.get(POS_KEY, 1) <= last:
        st.session_state[POS_KEY] = 1
    b1, b2, b3 = st.columns([1, 1, 6])
    b1.button(_("◀ Previous"), key="sw_prev", on_click=_move, args=(-1, last), width="stretch")
    b2.button(_("Next ▶"), key="sw_next", on_click=_move, args=(1, last), width="stretch")
    pos = b3.slider(
        label,
        1,
        last,
        key=POS_KEY,
        persist_state="session",  # brought back inside the steps above when they are fewer now
        help=_("{steps} steps, then the finished output ({last}).", steps=steps, last=last),
    )
    return int(pos) - 1


@st.cache_data(max_entries=4, show_spinner=False)
def _gif(kind: str, x: np.ndarray, kernel: np.ndarray, options: tuple, language: str) -> bytes:
    """The animation, drawn with its titles in ``language`` (part of the cache key)."""
    scene = conv_scene(x, kernel, *options)[0] if kind == "conv" else transposed_scene(x, kernel, *options)[0]
    return gif_bytes(scene)


def play(scene: Scene, kind: str, x: np.ndarray, kernel: np.ndarray, options: tuple, alt: str) -> None:
    """ "Play": the whole sweep as an animated GIF the browser plays, and its download; past the bounds, why not."""
    problem = gif_problem(scene)
    if problem:
        st.info(problem)
        return
    signature = (kind, x.tobytes(), kernel.tobytes(), kernel.shape, options)
    if st.button(
        _("▶ Play the whole sweep"), key="sw_play", help=_("An animated picture of every step, to watch or save.")
    ):
        st.session_state["sw_playing"] = signature
    if st.session_state.get("sw_playing") != signature:
        return
    with st.spinner(_("Drawing the animation…")):
        data = _gif(kind, x, kernel, options, i18n.lang())
    st.image(data, caption=_("The sweep, animated ({n} frames)", n=scene.steps + 1), alt=alt)
    st.download_button(
        _("Download the animation (GIF)"), data, file_name="sliding-window.gif", mime="image/gif", key="sw_gif"
    )


def open_button(matrix: np.ndarray, title: str, mode: Mode, stride: int, dilation: int, cval: float) -> None:
    """Open the kernel in the playground with this page's border mode, stride and dilation."""

    def change(s: PlaygroundState) -> PlaygroundState:
        s = load_kernel(s, matrix, title=title, divisor=1.0, offset=0.0, where="kernel")
        for name, value in (("mode", mode), ("stride", stride), ("dilation", dilation), ("cval", float(cval))):
            s = set_option(s, name, value)
        return s

    if st.button(
        _("Open in the playground"),
        key="sw_open",
        help=_(
            "The playground then filters the whole photo with {kernel}, border '{mode}', stride {stride}, "
            "dilation {dilation}.",
            kernel=title,
            mode=wording.mode_name(mode),
            stride=stride,
            dilation=dilation,
        ),
    ):
        learn.open_in_playground(change, title)


def playground_photo() -> np.ndarray:
    """The playground's photo (pixels), as the other Learn pages use it."""
    return session.current().photo.pixels
