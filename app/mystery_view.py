"""The "Mystery kernel" page's parts: the puzzle (a seed, from the link or new), the guess typed into a grid, the
score (PSNR and an error map), hints one at a time, the reveal.

The link carries the seed (``?puzzle=1234``) and the sample photo (``img=``), never the weights: the seed maps to the
kernel on the server only (``imgkernel.learn.puzzle``; the code is open, so a determined student can reproduce it,
which is fine for a game). The guess is typed into the playground's grid editor (``app.editor``): typed, scrubbed or
pasted values, a bad cell refused and marked on that cell, as in the playground.

The functions above the line are pure (no Streamlit); those below draw.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import numpy as np
import streamlit as st

import imgkernel
from imgkernel.formats import kernel_io
from imgkernel.learn import puzzle
from imgkernel.mapping import signed_colormap

from . import cache, editor, i18n, learn, session, wording
from .editor_events import BadCell, CellError, Cells, Event, Paste, with_cells
from .i18n import _
from .later import Later
from .state import Photo

SIDES = (3, 5)
WORK_SIDE = 320  # the puzzle works on the photo shrunk to this long side: a fast score on every edit
SEED_KEY, GUESS_KEY, HINTS_KEY, REV_KEY, PROBLEM_KEY = "mk_seed", "mk_guess", "mk_hints", "mk_rev", "mk_problem"
GRID_KEY = "mk_grid"


# ------------------------------------------------------------------------------------------- pure (no Streamlit)
@dataclass(frozen=True)
class Score:
    db: float  # PSNR of the guess's result against the hidden result
    error: np.ndarray  # guess − hidden, per pixel (float64; channels averaged)
    solved: bool
    mine: np.ndarray  # the guess's 8-bit result (drawn beside the hidden one)


def result(pixels: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The 8-bit picture a kernel makes of ``pixels`` with the playground's default options (reflect, clip)."""
    return imgkernel.run_filter(pixels, kernel, imgkernel.Settings()).mapped.image


def score(pixels: np.ndarray, guess: np.ndarray, hidden: np.ndarray, hidden_result: np.ndarray) -> Score:
    mine = result(pixels, guess)
    diff = mine.astype(np.float64) - hidden_result
    error = diff.mean(axis=2) if diff.ndim == 3 else diff
    db = puzzle.psnr(mine.astype(np.float64), hidden_result)
    return Score(db, error, puzzle.solved(db, guess, hidden), mine)


def score_text(s: Score) -> str:
    db = _("∞ (identical)") if s.db == float("inf") else f"{s.db:.1f} dB"
    return _("Match: **{db}** (PSNR; {solved} dB or more solves it)", db=db, solved=f"{puzzle.SOLVED_DB:g}")


@dataclass(frozen=True)
class Refusal:
    """Why the grid's last event was refused, and the cell it names (shown marked on that cell)."""

    message: str
    cell: BadCell | None = None


def apply_event(guess: np.ndarray, event: Event | imgkernel.KernelError) -> tuple[np.ndarray, Refusal | None]:
    """The grid's event on ``guess``: typed or scrubbed cells, or a pasted 3 × 3 / 5 × 5 matrix. A bad value keeps
    the old guess and says why; events that do not edit a guess (undo, sliders, another size) change nothing."""
    old = np.asarray(guess, dtype=np.float64)
    try:
        if isinstance(event, imgkernel.KernelError):
            raise event
        if isinstance(event, Paste):
            pasted = kernel_io.parse_matrix_text(event.text)
            if pasted.shape not in {(n, n) for n in SIDES}:
                rows, cols = pasted.shape
                small, big = SIDES
                raise imgkernel.KernelError(
                    Later(
                        "The guess must be {small} × {small} or {big} × {big}; the pasted matrix is {cols} × {rows}.",
                        small=small,
                        big=big,
                        cols=cols,
                        rows=rows,
                    )
                )
            return pasted, None
        if not isinstance(event, Cells) or event.shape != old.shape:
            return old, None  # undo, redo, sliders, or edits of a grid of another size: nothing to do
        return with_cells(old, event.cells), None
    except CellError as exc:
        return old, Refusal(Later("{reason} Your previous guess stays.", reason=exc), exc.cell)
    except imgkernel.KernelError as exc:
        return old, Refusal(Later("{reason} Your previous guess stays.", reason=exc))


def link_query(seed: int, photo: Photo) -> dict[str, str]:
    """The query of the puzzle's link: its seed, and the sample photo when it is one."""
    return {"puzzle": str(seed), **({"img": photo.sample} if photo.sample else {})}


# ------------------------------------------------------------------------------------------------ Streamlit parts
def new_seed() -> None:
    """A fresh puzzle (``on_click``): a random seed, the grid and hints back to the start."""
    st.session_state[SEED_KEY] = secrets.randbelow(puzzle.MAX_SEED + 1)
    _restart()


def _restart() -> None:
    st.session_state[GUESS_KEY] = np.zeros((3, 3))
    st.session_state[HINTS_KEY] = 0
    st.session_state[REV_KEY] = st.session_state.get(REV_KEY, 0) + 1
    st.session_state.pop(PROBLEM_KEY, None)


def current_seed() -> int:
    """This session's puzzle: the link's on the first visit, then the one in play (a new one when neither)."""
    if SEED_KEY not in st.session_state:
        seed = puzzle.parse_seed(st.query_params.get("puzzle"))
        if seed is None:
            new_seed()
        else:
            st.session_state[SEED_KEY] = seed
            _restart()
    return int(st.session_state[SEED_KEY])


def guess() -> np.ndarray:
    return np.asarray(st.session_state.get(GUESS_KEY, np.zeros((3, 3))), dtype=np.float64)


def _on_size(key: str) -> None:
    side = int(st.session_state[key])
    st.session_state[GUESS_KEY] = puzzle.centred(guess(), side) if side >= guess().shape[0] else guess()[1:-1, 1:-1]
    st.session_state[REV_KEY] = st.session_state.get(REV_KEY, 0) + 1


def _on_event(event: Event | imgkernel.KernelError) -> None:
    new, problem = apply_event(guess(), event)
    st.session_state[GUESS_KEY] = new
    if problem:
        st.session_state[PROBLEM_KEY] = problem
    else:
        st.session_state.pop(PROBLEM_KEY, None)


def grid() -> np.ndarray:
    """The size and the editable grid (1-based labels, as the playground's); the guess."""
    g = guess()
    side_key = f"mk_side_{st.session_state.get(REV_KEY, 0)}"
    st.segmented_control(
        _("Grid size"),
        SIDES,
        default=g.shape[0],
        key=side_key,
        required=True,
        on_change=_on_size,
        args=(side_key,),
        format_func=lambda s: f"{s} × {s}",
    )
    g = guess()
    problem = st.session_state.get(PROBLEM_KEY)
    message = i18n.message(problem.message) if isinstance(problem, Refusal) else ""
    cell = problem.cell if isinstance(problem, Refusal) else None
    editor.grid(
        GRID_KEY,
        g,
        _on_event,
        caption=_("Your guess, {cols} × {rows}", cols=g.shape[1], rows=g.shape[0]),
        bad=None if cell is None else (cell.row, cell.col, cell.text, message),
    )
    if message and cell is None:
        st.error(message)
    return guess()


def pictures(photo: Photo, pixels: np.ndarray, hidden_result: np.ndarray, s: Score, seed: int) -> None:
    """The hidden kernel's result, the guess's, and the error map."""
    h, w = pixels.shape[:2]
    a, b, c = st.columns(3)
    a.image(
        hidden_result,
        caption=_("Mystery kernel · puzzle {seed}", seed=seed),
        output_format="PNG",
        alt=wording.alt_photo(photo.name, w, h, what=_("filtered with the mystery kernel of puzzle {seed}", seed=seed)),
    )
    b.image(
        s.mine,
        caption=_("Your kernel"),
        output_format="PNG",
        alt=wording.alt_photo(photo.name, w, h, what=_("filtered with your kernel")),
    )
    limit = max(1.0, float(np.abs(s.error).max()))
    c.image(
        signed_colormap(s.error, limit=limit),
        caption=_("Error: yours − mystery · {legend}", legend=wording.signed_legend(limit)),
        output_format="PNG",
        alt=wording.alt_signed(
            _("Error map, your result minus the mystery result"), w, h, float(s.error.min()), float(s.error.max())
        ),
    )


def hints(hidden: np.ndarray) -> None:
    """Hints one at a time. The button counts in its ``on_click``, which runs before the page: the run its click
    starts already lists the new hint (counting in the page, below the hints, needed a second run to show it)."""
    all_hints = puzzle.hints(hidden)

    def one_more() -> None:
        st.session_state[HINTS_KEY] = min(len(all_hints), int(st.session_state.get(HINTS_KEY, 0)) + 1)

    shown = int(st.session_state.get(HINTS_KEY, 0))
    for text in all_hints[:shown]:
        st.markdown(f"* {i18n.message(text)}")
    if shown < len(all_hints):
        st.button(
            _("Show a hint ({n} of {total})", n=shown + 1, total=len(all_hints)), key="mk_hint", on_click=one_more
        )


def reveal(p: puzzle.Puzzle) -> None:
    with st.expander(_("Reveal the mystery kernel")):
        spec = imgkernel.get(p.name) if p.name else None
        if spec is not None:
            title = wording.kernel_title(spec.name, spec.title)
        else:
            title = _("Random weights (puzzle {seed})", seed=p.seed)
        st.altair_chart(learn.kernel_heatmap(p.matrix, title=title, name=title), width="content")
        summary = _(": ") + i18n.kernel_text(spec.name, "summary", spec.summary) if spec is not None else ""
        st.markdown(f"**{title}**{summary}")
        if st.button(_("Open in the playground"), key="mk_open"):
            learn.open_matrix(p.matrix, title)


def share(seed: int, photo: Photo) -> None:
    query = {**link_query(seed, photo), **i18n.link_query()}  # (the language stays in the link)
    session.sync_url(query)
    st.markdown(
        _(
            "Share this puzzle: the address bar holds its link (`{link}`), the puzzle number and the photo, never the "
            "weights.",
            link="&".join(f"{k}={v}" for k, v in query.items()),
        )
        + ("" if photo.sample else _(" Your own photo stays with you: a friend gets the puzzle on the default photo."))
    )


def work_photo(photo: Photo) -> Photo:
    """The photo the puzzle works on (shrunk to ``WORK_SIDE``, cached like the playground's previews)."""
    return cache.preview(photo, WORK_SIDE)


def hidden_result(work: Photo, hidden: np.ndarray) -> np.ndarray:
    """The hidden kernel's picture, cached: it changes only with the puzzle or the photo, not with the guess."""
    return cache.filtered(work, hidden, imgkernel.Settings()).mapped.image
