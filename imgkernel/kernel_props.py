"""What a kernel's numbers say about its effect: gain, separability, symmetry, frequency response, composition.

Conventions: kernels are applied by correlation (as ``imgkernel.correlate``), anchor at ``size // 2``.
Frequencies are in cycles per pixel, -0.5..0.5 (0.5 = the finest stripes a photo can hold: the Nyquist limit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import separable_factors
from .errors import KernelError

_TOL = 1e-9


def _as_kernel(kernel: np.ndarray) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0 or not np.all(np.isfinite(k)):
        raise KernelError(code="kernel_not_finite_grid")
    return k


def dc_gain(kernel: np.ndarray) -> float:
    """The sum of the weights: how a flat area's brightness is multiplied (1 keeps it, 0 turns it black)."""
    return float(_as_kernel(kernel).sum())


def symmetries(kernel: np.ndarray) -> dict[str, bool]:
    """Which mirror/rotation symmetries the kernel has (exactly, up to rounding noise).

    ``left-right``: unchanged when mirrored left to right; ``up-down``: top to bottom; ``180-degree``:
    unchanged when rotated half a turn; ``90-degree`` and ``transpose`` (diagonal mirror) need a square kernel;
    ``anti-symmetric (180)``: rotated half a turn it becomes its own negative, as every edge detector is.
    """
    k = _as_kernel(kernel)
    tol = _TOL * max(1.0, float(np.abs(k).max()))

    def same(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tol))

    return {
        "left-right": same(k, k[:, ::-1]),
        "up-down": same(k, k[::-1]),
        "180-degree": same(k, k[::-1, ::-1]),
        "90-degree": same(k, np.rot90(k)),
        "transpose": same(k, k.T),
        "anti-symmetric (180)": bool(np.any(k)) and same(k, -k[::-1, ::-1]),
    }


def frequency_response(kernel: np.ndarray, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """``(magnitude, freqs)``: |2-D DFT| of the kernel zero-padded to size x size, fftshifted.

    ``magnitude[i, j]`` is how much stripes of vertical frequency ``freqs[i]`` and horizontal ``freqs[j]``
    (cycles per pixel) are amplified; the centre is DC (flat areas), equal to ``|dc_gain|``. The phase
    (where the anchor is, correlation vs convolution) does not change the magnitude.
    """
    k = _as_kernel(kernel)
    size = max(size, *k.shape)
    mag = np.abs(np.fft.fftshift(np.fft.fft2(k, s=(size, size))))
    return mag, np.fft.fftshift(np.fft.fftfreq(size))


def classify_response(kernel: np.ndarray) -> str:
    """``low-pass``, ``high-pass``, ``high-boost``, ``band-pass``, ``all-pass`` or ``mixed``, from the response's rings.

    Compares the mean gain at low radial frequencies (< 0.125 cycles/pixel), middle and high (> 0.375);
    ``high-boost`` is a high-pass that keeps flat areas (non-zero DC gain), as sharpening does.
    """
    mag, f = frequency_response(kernel, 64)
    radius = np.hypot(*np.meshgrid(f, f, indexing="ij"))
    low, high = mag[radius < 0.125].mean(), mag[radius > 0.375].mean()
    mid = mag[(radius >= 0.125) & (radius <= 0.375)].mean()
    peak = float(mag.max())
    if peak < _TOL:
        return "mixed"
    if float(mag.min()) > 0.9 * peak:
        return "all-pass"
    if low > 2 * high:
        return "low-pass"
    if high > 2 * low:
        return "high-boost" if abs(float(np.sum(kernel))) > 1e-9 * peak else "high-pass"
    if mid > 2 * max(low, high):
        return "band-pass"
    return "mixed"


@dataclass(frozen=True)
class Separability:
    separable: bool
    rank: int  # numerical rank: 1 = separable; how many separable kernels it is the sum of
    column: np.ndarray | None  # with row: outer(column, row) == kernel when separable
    row: np.ndarray | None
    singular_values: np.ndarray


def separability(kernel: np.ndarray) -> Separability:
    """Rank-1 test and the two 1-D factors (``imgkernel.separable_factors``), plus the numerical rank."""
    k = _as_kernel(kernel)
    s = np.linalg.svd(k, compute_uv=False)
    rank = int(np.count_nonzero(s > 1e-6 * s[0])) if s[0] > 0 else 0
    factors = separable_factors(k)
    col, row = factors if factors is not None else (None, None)
    return Separability(factors is not None, rank, col, row, s)


def full_convolve2d(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The full 2-D convolution of two kernels, shape (ha + hb - 1, wa + wb - 1), computed directly."""
    a, b = _as_kernel(a), _as_kernel(b)
    out = np.zeros((a.shape[0] + b.shape[0] - 1, a.shape[1] + b.shape[1] - 1))
    for (i, j), w in np.ndenumerate(a):
        if w:
            out[i : i + b.shape[0], j : j + b.shape[1]] += w * b
    return out


def compose(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One kernel doing the work of correlating with ``first`` and then with ``second``.

    Correlating with ``k`` is convolving with ``k`` rotated (``rot k``), and convolution is associative, so
    ``corr(corr(x, a), b) = conv(x, rot a * rot b) = corr(x, rot(rot a * rot b)) = corr(x, a * b)``:
    the combined kernel is the plain full convolution ``a * b`` (the order does not matter). Its anchor must
    be the sum of the two anchors (``ha//2 + hb//2``), while the engine anchors at ``size // 2``: zero rows/columns
    are appended at the end until the two agree (two of them when both sizes are even on an axis).
    Valid for stride 1 and the same dilation in both passes (compose the dilated kernels otherwise).
    """
    a, b = _as_kernel(first), _as_kernel(second)
    k = full_convolve2d(a, b)
    pads = []
    for axis in (0, 1):
        want = a.shape[axis] // 2 + b.shape[axis] // 2
        size = k.shape[axis]
        extra = max(0, 2 * want + 1 - size)
        pads.append((0, extra))
    return np.pad(k, pads)
