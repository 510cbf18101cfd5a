"""Mystery kernels: a hidden kernel chosen by a seed, a score for a guess, and hints that give it away bit by bit.

A seed maps to its kernel only through ``puzzle`` (NumPy's PCG64 seeded with it), so a share link carries the seed,
never the weights. That is a game's secrecy, not a secret: anyone who reads this code (it is open) can run
``puzzle(seed)`` and see the answer. Conventions are the engine's: correlation, the playground's default options.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..catalogue import CATALOGUE
from ..errors import KernelError
from ..messages import Message

MAX_SEED = 999_999  # seeds are 0..MAX_SEED: short enough to read out or type
SOLVED_DB = 50.0  # PSNR at or above which a guess counts as solved (8-bit results then differ by < 1 level)
MAX_SIDE = 5  # hidden kernels are at most 5 × 5, so the grid stays small enough to type
# Catalogue kernels a puzzle may hide: those at most MAX_SIDE wide, in a fixed order (the seed picks by index).
CHOICES: tuple[str, ...] = tuple(
    sorted(n for n, s in CATALOGUE.items() if max(s.matrix().shape) <= MAX_SIDE and n != "identity")
)


@dataclass(frozen=True)
class Puzzle:
    seed: int
    matrix: np.ndarray  # the hidden kernel (float64, 3 × 3 or 5 × 5)
    name: str | None  # the catalogue kernel, or None for random weights


def puzzle(seed: int) -> Puzzle:
    """The puzzle of ``seed``: an even draw between a catalogue kernel (at its defaults) and random whole weights
    −2..2 in a 3 × 3 grid (never all zero)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed <= MAX_SEED:
        raise KernelError("puzzle_bad_seed", limit=MAX_SEED)
    rng = np.random.default_rng(int(seed))
    if rng.random() < 0.5:
        name = CHOICES[int(rng.integers(len(CHOICES)))]
        return Puzzle(int(seed), CATALOGUE[name].matrix(), name)
    while True:
        m = rng.integers(-2, 3, (3, 3)).astype(np.float64)
        if m.any():
            return Puzzle(int(seed), m, None)


def parse_seed(text: object) -> int | None:
    """A seed from a link or a box (``"1234"``), or None when it is not one."""
    try:
        value = int(str(text).strip())
    except ValueError:
        return None
    return value if 0 <= value <= MAX_SEED and str(text).strip().isdigit() else None


def psnr(a: np.ndarray, b: np.ndarray, peak: float = 255.0) -> float:
    """Peak signal-to-noise ratio of two same-sized images, in dB (``inf`` when they are equal)."""
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        raise KernelError(code="puzzle_size_mismatch")
    mse = float(np.mean((x - y) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(peak**2 / mse)


def centred(matrix: np.ndarray, side: int) -> np.ndarray:
    """``matrix`` in a ``side`` × ``side`` grid of zeros, centre on centre (odd sizes)."""
    m = np.asarray(matrix, dtype=np.float64)
    out = np.zeros((side, side))
    top, left = (side - m.shape[0]) // 2, (side - m.shape[1]) // 2
    out[top : top + m.shape[0], left : left + m.shape[1]] = m
    return out


def same_weights(guess: np.ndarray, hidden: np.ndarray, tol: float = 1e-6) -> bool:
    """The guess is the hidden kernel, a ring of zeros around either one not counting."""
    side = max(*np.shape(guess), *np.shape(hidden))
    return bool(np.allclose(centred(guess, side), centred(hidden, side), atol=tol, rtol=0))


def solved(score_db: float, guess: np.ndarray, hidden: np.ndarray) -> bool:
    return score_db >= SOLVED_DB or same_weights(guess, hidden)


def symmetry_parts(matrix: np.ndarray, tol: float = 1e-9) -> list[Message]:
    """The kernel's symmetries, one message each (all that hold, most telling first; empty when none holds)."""
    m = np.asarray(matrix, dtype=np.float64)

    def same(other: np.ndarray) -> bool:
        return bool(np.allclose(m, other, atol=tol))

    found = []
    if same(m[:, ::-1]):
        found.append("puzzle_sym_left_right")
    if same(m[::-1]):
        found.append("puzzle_sym_top_bottom")
    if same(-m[:, ::-1]):
        found.append("puzzle_anti_left_right")
    if same(-m[::-1]):
        found.append("puzzle_anti_top_bottom")
    if m.shape[0] == m.shape[1] and same(m.T):
        found.append("puzzle_sym_diagonal")
    if not found:
        if same(m[::-1, ::-1]):
            found.append("puzzle_sym_half_turn")
        elif same(-m[::-1, ::-1]):
            found.append("puzzle_anti_half_turn")
    return [Message(code) for code in found]


def symmetry(matrix: np.ndarray, tol: float = 1e-9) -> Message:
    """The kernel's symmetries in words (all that hold, most telling first, joined by "; ")."""
    found = symmetry_parts(matrix, tol)
    if not found:
        return Message("puzzle_sym_none")
    text = found[-1]
    for item in reversed(found[:-1]):  # "a; b; c" as a; (b; c), each part a message of its own
        text = Message("puzzle_sym_and", first=item, rest=text)
    return text


def hints(matrix: np.ndarray) -> list[Message]:
    """Hints from the vaguest to the most telling: size, sum of weights, symmetry, the largest weight's place."""
    m = np.asarray(matrix, dtype=np.float64)
    rows, cols = m.shape
    total = float(m.sum())
    if abs(total) < 1e-9:
        what = Message("puzzle_sum_zero")
    elif abs(total - 1) < 1e-9:
        what = Message("puzzle_sum_one")
    elif total < 0:
        what = Message("puzzle_sum_negative", total=total)
    else:
        what = Message("puzzle_sum_positive", total=total)
    r, c = np.unravel_index(int(np.argmax(np.abs(m))), m.shape)
    return [
        Message("puzzle_hint_size", cols=int(cols), rows=int(rows)),
        Message("puzzle_hint_sum", what=what),
        Message("puzzle_hint_symmetry", found=symmetry(m)),
        Message("puzzle_hint_largest", value=float(m[r, c]), row=int(r) + 1, col=int(c) + 1),
    ]
