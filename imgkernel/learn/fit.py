"""Recover a kernel from a before/after pair: least squares, or trained step by step as a CNN learns its weights.

Conventions (those of ``imgkernel.correlate``):

* the kernel is applied by **correlation** (not rotated), anchored at ``size // 2``; sides must be odd, so the
  anchor is the centre; ``after[y, x] ≈ Σ kernel[u, v] · before[y + u − kh//2, x + v − kw//2] (+ offset)``;
* only **interior** pixels are fitted: those whose whole window lies inside the photo (a border of the kernel's
  half-size is left out). The other tool's border mode then does not matter, and Pillow's ``ImageFilter.Kernel``,
  which leaves that border unfiltered, is fitted as well as any;
* values are used as they are: 8-bit images in grey levels 0..255, float images in their own units; the RMS
  error and the offset are in the units of ``after``. An RGB pair is three equations per pixel for **one**
  shared kernel (as a photo editor applies one kernel to each channel);
* an 8-bit ``after`` was rounded and clipped by the tool that made it: pixels where it is 0 or 255 may have been
  clipped (their true value is unknown), so they are left out of the fit by default (``exclude_clipped``);
  rounding then only adds noise of ±0.5 grey levels, which averages out;
* large photos are **sampled**: at most ``max_samples`` equations (fewer for kernels of over ~50 weights, never
  under 10 per weight), at pixel positions drawn from a seeded generator, so a 12 MP fit takes a fraction of a
  second and is the same every time. The cost grows with the square of the number of weights: sides up to ~15
  take well under a second, a 31 × 31 kernel seconds.

``train_kernel`` minimises the same loss (mean squared error over the same equations) by gradient descent with
Adam or SGD with momentum, from zeros or seeded noise, as a one-kernel CNN layer would learn it. As CNN inputs are
normalised, both images are divided by 255 (which leaves the kernel as it is) and, when an offset is fitted, the
patches' mean is subtracted, the offset then being learnt as the bias on centred inputs (the same minimum, reached
several times faster); the loss it reports is in grey levels².
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Literal, NamedTuple

import numpy as np

from ..engine import correlate
from ..errors import KernelError
from ..limits import MAX_KERNEL_SIDE
from ..messages import Message

Init = Literal["zeros", "noise"]
INITS: tuple[Init, ...] = ("zeros", "noise")
MAX_SAMPLES = 120_000  # equations (pixel × channel) used at most by default: ample for the 9..81 weights people fit
_BUDGET = 6_000_000  # largest design matrix built at once (elements, 48 MB); beyond it the normal equations are summed
_DIRECT_LIMIT = _BUDGET  # design matrices up to this size are solved by lstsq on A itself (better conditioned)
_CHUNK = 8_192  # rows per chunk when summing the normal equations
_SCALE = 255.0  # CNN-style input normalisation used by the trainer


@dataclass(frozen=True, eq=False)
class KernelFit:
    """The kernel that best maps ``before`` to ``after`` (least squares), and how well it does."""

    matrix: np.ndarray = field(repr=False)  # float64 (rows, columns), applied by correlation
    offset: float  # added after the kernel, in the units of ``after`` (0 unless fitted)
    rms: float  # root mean square error over the fitted equations, in the units of ``after`` (grey levels)
    r2: float  # 1 − residual / total sum of squares over the same equations (1 = perfect)
    equations: int  # pixel × channel equations fitted
    excluded: int  # equations left out because ``after`` was 0 or 255 there (maybe clipped)
    sampled: bool  # True when the photo was larger than ``max_samples`` and pixel positions were drawn
    rank: int  # rank of the equations: below ``unknowns`` the photo cannot pin every weight down
    fitted_offset: bool = False  # whether ``offset`` was fitted (else it is 0)

    @property
    def unknowns(self) -> int:
        """Weights (and offset) solved for."""
        return self.matrix.size + (1 if self.fitted_offset else 0)

    @property
    def unique(self) -> bool:
        """Whether the photo determines every weight (a flat photo does not)."""
        return self.rank >= self.unknowns

    def predict(self, before: np.ndarray) -> np.ndarray:
        """``before`` through the fitted kernel (+ offset) over the interior: float32, (H − kh + 1, W − kw + 1[, C])."""
        x = np.asarray(before, dtype=np.float32)
        return correlate(x, self.matrix, mode="valid") + np.float32(self.offset)

    def residual(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """``after − prediction`` over the interior (float32, the shape ``predict`` returns). For an 8-bit ``after``
        the prediction is clipped to 0..255 first, as the tool that made it clipped its result."""
        a = np.asarray(after)
        pred = self.predict(before)
        if a.dtype == np.uint8:
            pred = np.clip(pred, 0, 255)
        kh, kw = self.matrix.shape
        inner = a[kh // 2 : a.shape[0] - kh // 2, kw // 2 : a.shape[1] - kw // 2]
        return inner.astype(np.float32) - pred


@dataclass(frozen=True, eq=False)
class FitProblem:
    """The least-squares problem ``min ‖A w − b‖²`` in its normal-equation form (``AᵀA``, ``Aᵀb``, ``bᵀb``): all the
    trainer needs. ``A`` and ``b`` are the images' values divided by ``scale`` (which leaves the kernel as it is and
    divides the offset by it)."""

    shape: tuple[int, int]
    gram: np.ndarray = field(repr=False)  # AᵀA / m, (p, p)
    rhs: np.ndarray = field(repr=False)  # Aᵀb / m, (p,)
    mean_b: float  # mean of b (scaled)
    mean_bb: float  # mean of b² (scaled), for the loss
    equations: int  # m
    excluded: int
    sampled: bool
    fit_offset: bool
    scale: float = 1.0  # A and b were divided by this (the trainer's normalisation)
    shift: np.ndarray | None = field(default=None, repr=False)  # the patch means subtracted (``centred``), if any

    def loss(self, w: np.ndarray) -> float:
        """Mean squared error of weights ``w`` (offset scaled), in squared units of ``after`` (grey levels²)."""
        return max(float(w @ self.gram @ w - 2 * self.rhs @ w + self.mean_bb), 0.0) * self.scale**2

    def centred(self) -> FitProblem:
        """The same problem with the mean of every patch column subtracted (a CNN's zero-mean inputs), the offset
        becoming the bias on centred inputs: the same minimum, reached in fewer steps by gradient descent (the
        all-equal direction of the weights no longer dwarfs the others). Only with a fitted offset, which absorbs
        the mean; ``kernel_and_offset`` maps the weights back."""
        if not self.fit_offset or self.shift is not None:
            return self
        k = self.rhs.size - 1
        mean = self.gram[-1, :k].copy()  # Σ patch / m: the ones column's products with the others
        t = np.eye(k + 1)
        t[-1, :k] = -mean  # A_centred = A t, so weights u there are w = t u here
        return replace(self, gram=t.T @ self.gram @ t, rhs=t.T @ self.rhs, shift=mean)

    def kernel_and_offset(self, w: np.ndarray) -> tuple[np.ndarray, float]:
        """Weights of this problem as ``fit_kernel`` gives them: the kernel (rows, columns) and the offset in the units
        of ``after`` (0 when none is fitted)."""
        kh, kw = self.shape
        kernel = w[: kh * kw]
        if not self.fit_offset:
            return kernel.reshape(kh, kw).copy(), 0.0
        bias = float(w[-1]) - (float(self.shift @ kernel) if self.shift is not None else 0.0)
        return kernel.reshape(kh, kw).copy(), bias * self.scale


class TrainStep(NamedTuple):
    """One step of ``train_kernel``: 0 is the starting point."""

    step: int
    loss: float  # mean squared error, in squared units of ``after`` (grey levels²)
    matrix: np.ndarray  # the kernel after this step, float64, in the units ``fit_kernel`` returns
    offset: float = 0.0


# ------------------------------------------------------------------------------------------------ checking inputs
def _check_shape(shape: object) -> tuple[int, int]:
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape), int(shape))
    if not isinstance(shape, (tuple, list)) or len(shape) != 2:
        raise KernelError("fit_shape_not_two", shape=shape)
    sides = []
    for side in shape:
        if isinstance(side, bool) or not isinstance(side, (int, np.integer)):
            raise KernelError("fit_shape_not_two", shape=shape)
        if side < 1 or side % 2 == 0 or side > MAX_KERNEL_SIDE:
            raise KernelError("fit_side_invalid", limit=MAX_KERNEL_SIDE, shape=tuple(int(s) for s in shape))
        sides.append(int(side))
    return sides[0], sides[1]


def _check_image(a: object, role: Literal["before", "after"]) -> np.ndarray:
    arr = np.asarray(a)
    image = Message(f"fit_role_{role}")  # "before" / "after", as the page names the two images
    if arr.dtype == np.bool_ or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise KernelError("fit_image_not_numbers", image=image, dtype=str(arr.dtype))
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (1, 3)):
        raise KernelError("fit_image_bad_shape", image=image, shape=tuple(int(n) for n in arr.shape))
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
        raise KernelError("fit_image_not_finite", image=image)
    return arr


def _check_pair(before: object, after: object, shape: object) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    x, y = _check_image(before, "before"), _check_image(after, "after")
    if x.ndim != y.ndim:
        raise KernelError(code="fit_gray_before_rgb_after" if x.ndim == 2 else "fit_rgb_before_gray_after")
    if x.shape != y.shape:
        raise KernelError(
            "fit_size_mismatch", w1=int(x.shape[1]), h1=int(x.shape[0]), w2=int(y.shape[1]), h2=int(y.shape[0])
        )
    kh, kw = _check_shape(shape)
    if kh > x.shape[0] or kw > x.shape[1]:
        raise KernelError("fit_kernel_too_big", kw=kw, kh=kh, w=int(x.shape[1]), h=int(x.shape[0]))
    return x, y, (kh, kw)


# ------------------------------------------------------------------------------------------------- the equations
def _positions(n: int, count: int, seed: int) -> np.ndarray:
    """``count`` distinct window positions out of ``n`` drawn with ``seed`` (all of them when ``count >= n``), sorted
    (neighbouring rows of the photo are read together)."""
    if count >= n:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).choice(n, size=count, replace=False, shuffle=False))


def _equations(
    x: np.ndarray,
    y: np.ndarray,
    shape: tuple[int, int],
    idx: np.ndarray,
    exclude_clipped: bool,
) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of A (patches, float64) and b for the window positions ``idx`` (flat, over the interior)."""
    kh, kw = shape
    cols = x.shape[1] - kw + 1
    r, c = np.divmod(idx, cols)
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(0, 1))  # (H', W'[, C], kh, kw), a view
    patches = windows[r, c].reshape(-1, kh * kw).astype(np.float64)  # one row per position (and channel)
    target = y[r + kh // 2, c + kw // 2].reshape(-1)
    excluded = 0
    if exclude_clipped:
        keep = (target != 0) & (target != 255)
        excluded = int(keep.size - np.count_nonzero(keep))
        patches, target = patches[keep], target[keep]
    return patches, target.astype(np.float64), excluded


def fit_problem(
    before: np.ndarray,
    after: np.ndarray,
    shape: int | tuple[int, int],
    *,
    fit_offset: bool = False,
    exclude_clipped: bool | None = None,
    max_samples: int = MAX_SAMPLES,
    seed: int = 0,
    scale: float = 1.0,
    centre: bool = False,
) -> FitProblem:
    """The normal equations of the fit (see the module docstring), without solving them; ``scale`` divides both
    pictures, ``centre`` (with ``fit_offset``) subtracts the patches' mean (``FitProblem.centred``)."""
    problem = _build(before, after, shape, fit_offset, exclude_clipped, max_samples, seed, scale)[0]
    return problem.centred() if centre else problem


def _build(
    before: object,
    after: object,
    shape: object,
    fit_offset: bool,
    exclude_clipped: bool | None,
    max_samples: int,
    seed: int,
    scale: float,
) -> tuple[FitProblem, tuple[np.ndarray, np.ndarray] | None]:
    """The problem, and (A, b) themselves when they are small enough to solve directly."""
    x, y, (kh, kw) = _check_pair(before, after, shape)
    if isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)) or max_samples < 1:
        raise KernelError("fit_max_samples", value=max_samples)
    if exclude_clipped is None:
        exclude_clipped = y.dtype == np.uint8
    channels = 1 if x.ndim == 2 else x.shape[2]
    p = kh * kw + (1 if fit_offset else 0)
    n = (x.shape[0] - kh + 1) * (x.shape[1] - kw + 1)
    # at most max_samples, fewer for big kernels (the design matrix stays within _BUDGET), never under 10 per unknown
    wanted = max(10 * p, min(int(max_samples), _BUDGET // p))
    idx = _positions(n, -(-wanted // channels), seed)
    sampled = idx.size < n
    gram, rhs = np.zeros((p, p)), np.zeros(p)
    sum_b = sum_bb = 0.0
    m = excluded = 0
    direct = idx.size * channels * p <= _DIRECT_LIMIT
    step = idx.size if direct else max(1, _CHUNK // channels)
    kept: tuple[np.ndarray, np.ndarray] | None = None
    for start in range(0, idx.size, step):
        a, b, ex = _equations(x, y, (kh, kw), idx[start : start + step], exclude_clipped)
        if scale != 1.0:
            a /= scale
            b /= scale
        if fit_offset:
            a = np.hstack([a, np.ones((a.shape[0], 1))])
        gram += a.T @ a
        rhs += a.T @ b
        sum_b += float(b.sum())
        sum_bb += float(b @ b)
        m += b.size
        excluded += ex
        if direct:
            kept = (a, b)
    if m < p:
        raise KernelError(
            "fit_too_few_values_clipped" if excluded else "fit_too_few_values",
            values=Message("fit_usable_values", m=m),
            unknowns=Message("fit_unknowns", p=p),
        )
    problem = FitProblem((kh, kw), gram / m, rhs / m, sum_b / m, sum_bb / m, m, excluded, sampled, fit_offset, scale)
    return problem, kept


def _quality(problem: FitProblem, w: np.ndarray, residual: np.ndarray | None) -> tuple[float, float]:
    """(rms, r²) of weights ``w``; from the residual itself when given (exact), else from the normal equations."""
    mse = float(residual @ residual) / residual.size if residual is not None else problem.loss(w)
    var = (problem.mean_bb - problem.mean_b**2) * problem.scale**2
    rms = float(np.sqrt(max(mse, 0.0)))
    scale = max(problem.mean_bb * problem.scale**2, 1e-300)
    if var <= 1e-12 * scale:  # a flat after image: a perfect fit explains all there is, anything else nothing
        return rms, 1.0 if mse <= 1e-12 * scale else 0.0
    return rms, 1.0 - mse / var


def fit_kernel(
    before: np.ndarray,
    after: np.ndarray,
    shape: int | tuple[int, int],
    *,
    fit_offset: bool = False,
    exclude_clipped: bool | None = None,
    max_samples: int = MAX_SAMPLES,
    seed: int = 0,
) -> KernelFit:
    """The kernel of ``shape`` (rows, columns; odd sides) that best maps ``before`` to ``after`` by correlation.

    ``before`` and ``after``: the same size, both gray (H, W) or both RGB (H, W, 3), 8-bit or float.
    ``fit_offset`` also fits a constant added after the kernel (Pillow's and GIMP's offset). ``exclude_clipped``
    leaves out the equations where ``after`` is 0 or 255 (default: when ``after`` is 8-bit). At most
    ``max_samples`` equations are used (positions drawn with ``seed``). A ``KernelError`` (a ``ValueError``) in
    plain words for inputs that cannot be fitted.
    """
    problem, direct = _build(before, after, shape, fit_offset, exclude_clipped, max_samples, seed, 1.0)
    if direct is not None:
        a, b = direct
        w, _, rank, _ = np.linalg.lstsq(a, b, rcond=None)
        residual: np.ndarray | None = a @ w - b
    else:  # too many equations to hold: solve the normal equations (same minimiser)
        w, _, rank, _ = np.linalg.lstsq(problem.gram, problem.rhs, rcond=None)
        residual = None
    rms, r2 = _quality(problem, w, residual)
    kh, kw = problem.shape
    return KernelFit(
        matrix=w[: kh * kw].reshape(kh, kw).copy(),
        offset=float(w[-1]) if fit_offset else 0.0,
        rms=rms,
        r2=r2,
        equations=problem.equations,
        excluded=problem.excluded,
        sampled=problem.sampled,
        rank=int(rank),
        fitted_offset=fit_offset,
    )


# ------------------------------------------------------------------------------------------------- training
Optimizer = Literal["adam", "momentum"]
OPTIMIZERS: tuple[Optimizer, ...] = ("adam", "momentum")
ADAM_BETAS = (0.9, 0.999)  # PyTorch's and Keras's defaults
ADAM_EPS = 1e-8
MOMENTUM = 0.9  # SGD with momentum, as CNNs are classically trained
DIVERGED_LOSS = 1e12  # grey levels², an RMS error of a million grey levels: only weights running away get there


@dataclass(frozen=True, eq=False)
class TrainState:
    """Where training stands: the weights (the kernel, then the offset divided by 255 when fitted), the optimiser's
    running averages and the loss (grey levels²)."""

    step: int
    weights: np.ndarray = field(repr=False)
    m: np.ndarray = field(repr=False)  # Adam's mean gradient, or SGD's velocity
    v: np.ndarray = field(repr=False)  # Adam's mean squared gradient (unused by SGD)
    loss: float

    @property
    def diverged(self) -> bool:
        """The loss ran away (a learning rate too large for the photo): past ``DIVERGED_LOSS``, or not a number."""
        return not (self.loss <= DIVERGED_LOSS and np.isfinite(self.weights).all())


def _check_training(learning_rate: object, optimizer: object) -> None:
    rate_ok = isinstance(learning_rate, (int, float, np.floating)) and not isinstance(learning_rate, bool)
    if not rate_ok or not 0 < learning_rate < 1e6:  # type: ignore[operator]
        raise KernelError("fit_learning_rate", value=learning_rate)
    if optimizer not in OPTIMIZERS:
        raise KernelError("fit_unknown_optimizer", value=optimizer, choices=", ".join(OPTIMIZERS))


def start_training(problem: FitProblem, init: Init = "zeros", seed: int = 0) -> TrainState:
    """Step 0: all weights 0, or seeded noise (normal, standard deviation 1 / number of weights, as a CNN starts)."""
    if init not in INITS:
        raise KernelError("fit_unknown_init", value=init, choices=", ".join(INITS))
    p = problem.rhs.size
    kh, kw = problem.shape
    if init == "zeros":
        w = np.zeros(p)
    else:
        w = np.random.default_rng(seed).normal(0.0, 1.0 / (kh * kw), p)
        if problem.fit_offset:
            w[-1] = 0.0
    return TrainState(0, w, np.zeros(p), np.zeros(p), problem.loss(w))


def train_step(
    problem: FitProblem, state: TrainState, learning_rate: float, optimizer: Optimizer = "adam"
) -> TrainState:
    """One optimiser step on the mean squared error, whose gradient is ``2 (AᵀA w − Aᵀb) / m``: Adam (PyTorch's
    defaults) or SGD with momentum ``MOMENTUM``."""
    _check_training(learning_rate, optimizer)
    if state.diverged:
        return state
    t = state.step + 1
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging run ends in inf / NaN, reported by ``diverged``
        grad = 2.0 * (problem.gram @ state.weights - problem.rhs)
        if optimizer == "adam":
            b1, b2 = ADAM_BETAS
            m = b1 * state.m + (1 - b1) * grad
            v = b2 * state.v + (1 - b2) * grad * grad
            w = state.weights - learning_rate * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + ADAM_EPS)
        else:
            m = MOMENTUM * state.m + grad
            v = state.v
            w = state.weights - learning_rate * m
        loss = problem.loss(w)
    return TrainState(t, w, m, v, loss)


def as_step(problem: FitProblem, state: TrainState) -> TrainStep:
    """A training state in ``fit_kernel``'s units: the kernel, the offset (in units of ``after``) and the loss."""
    matrix, offset = problem.kernel_and_offset(state.weights)
    return TrainStep(state.step, state.loss, matrix, offset)


def train_kernel(
    before: np.ndarray,
    after: np.ndarray,
    shape: int | tuple[int, int],
    *,
    steps: int = 2000,
    learning_rate: float = 0.2,
    optimizer: Optimizer = "adam",
    init: Init = "zeros",
    seed: int = 0,
    fit_offset: bool = False,
    exclude_clipped: bool | None = None,
    max_samples: int = MAX_SAMPLES,
) -> Iterator[TrainStep]:
    """Learn the kernel like a CNN: ``optimizer`` on ``fit_kernel``'s loss (the same equations), from zeros or
    seeded noise; yields step 0 (the start) and then each of ``steps`` steps, stopping early if the loss blows up
    (a learning rate too large). Deterministic: the same arguments give the same steps."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise KernelError("fit_steps", value=steps)
    _check_training(learning_rate, optimizer)
    problem = fit_problem(
        before,
        after,
        shape,
        fit_offset=fit_offset,
        exclude_clipped=exclude_clipped,
        max_samples=max_samples,
        seed=seed,
        scale=_SCALE,
        centre=True,
    )
    state = start_training(problem, init, seed)
    yield as_step(problem, state)
    for _ in range(int(steps)):
        state = train_step(problem, state, learning_rate, optimizer)
        yield as_step(problem, state)
        if state.diverged:
            return
