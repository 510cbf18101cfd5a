"""The sliding window, one output position at a time, and transposed convolution, one input cell at a time.

Array in, array out, no drawing: the "Sliding window" page draws what these functions return. Conventions are the
engine's (``imgkernel.engine``): correlation (the kernel as written, not rotated), (row, column) 0-based with row 0
at the top, the anchor at ``span // 2`` of the dilated kernel (``span = d·(k−1) + 1``), output row ``i`` centred on
input row ``i·s`` in the padded modes and starting at input row ``i·s`` in ``valid``. So every value ``sweep``
computes equals ``imgkernel.correlate``'s (the tests check it), and padding is what ``borders.border_index`` reads.

Transposed convolution is the other direction, as PyTorch's ``ConvTranspose2d`` and ONNX's ``ConvTranspose``
define it (no kernel rotation): every input cell (i, j) adds ``value × kernel`` into the output with its top-left
tap at (i·s − p, j·s − p) and its taps ``d`` apart; stride s leaves s − 1 empty cells between the input cells'
footprints. The output has ``(n − 1)·s + d·(k − 1) + 1 − 2p + output_padding`` cells per axis: the ``full``
scatter, cropped by p on both sides, plus ``output_padding`` extra cells at the end (bottom, right) that only pick
up what lands there. It is the adjoint (transpose) of a strided, dilated correlation: hence the name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..borders import Mode, border_index
from ..engine import check_options, dilated_span, output_shape
from ..errors import KernelError
from ..messages import Message
from ..numeric import finite


def pads(k: int, mode: Mode, dilation: int) -> tuple[int, int]:
    """(before, after) padding along one axis: none for ``valid``, else the dilated kernel's anchor either side."""
    if mode == "valid":
        return 0, 0
    span = dilated_span(k, dilation)
    return span // 2, span - 1 - span // 2


def taps(out_index: int, k: int, mode: Mode, stride: int, dilation: int) -> np.ndarray:
    """The input indices (possibly outside 0..n−1: padding) that kernel taps 0..k−1 read for output ``out_index``."""
    start = out_index * stride - pads(k, mode, dilation)[0]
    return start + dilation * np.arange(k)


def _image(image: object) -> np.ndarray:
    x = np.asarray(image, dtype=np.float64)
    if x.ndim != 2 or x.size == 0:
        raise KernelError(code="sweep_not_gray")
    if not np.all(np.isfinite(x)):
        raise KernelError(code="sweep_input_not_finite")
    return x


def _kernel(kernel: object) -> np.ndarray:
    k = np.asarray(kernel, dtype=np.float64)
    if k.ndim != 2 or k.size == 0 or not np.all(np.isfinite(k)):
        raise KernelError(code="sweep_bad_kernel")
    return k


@dataclass(frozen=True)
class Padded:
    """The input as the window sees it: the padding it reads around the image, and which cells are padding."""

    values: np.ndarray  # (H + top + bottom, W + left + right) float64
    outside: np.ndarray  # same shape, bool: a padding cell (its value comes from the border mode)
    top: int
    left: int


def padded(
    image: np.ndarray, kernel_shape: tuple[int, int], mode: Mode, cval: float = 0.0, dilation: int = 1
) -> Padded:
    """``image`` with the padding the border ``mode`` reads around it (none for ``valid``)."""
    x = _image(image)
    check_options(mode, 1, dilation)
    cval = finite(cval, "cval")
    (top, bottom), (left, right) = (pads(k, mode, dilation) for k in kernel_shape)
    h, w = x.shape
    rows, cols = np.arange(-top, h + bottom), np.arange(-left, w + right)
    src_r, src_c = border_index(rows, h, mode), border_index(cols, w, mode)
    values = x[np.ix_(src_r, src_c)]
    outside = ((rows < 0) | (rows >= h))[:, None] | ((cols < 0) | (cols >= w))[None, :]
    if mode == "constant":
        values = np.where(outside, cval, values)
    return Padded(values, outside, top, left)


@dataclass(frozen=True)
class Window:
    """The window at one output position: where it reads, what it reads, the products and their sum."""

    out_row: int
    out_col: int
    rows: np.ndarray  # (kh,) input rows the kernel rows read (negative or ≥ H: padding)
    cols: np.ndarray  # (kw,) input columns
    values: np.ndarray  # (kh, kw) the values read (padding included)
    outside: np.ndarray  # (kh, kw) bool: the tap reads padding
    products: np.ndarray  # values × kernel
    total: float  # the output value


def positions(out_shape: tuple[int, int]) -> list[tuple[int, int]]:
    """Output positions in the order the window visits them: row by row, left to right."""
    return [(r, c) for r in range(out_shape[0]) for c in range(out_shape[1])]


def window(
    image: np.ndarray,
    kernel: np.ndarray,
    out_row: int,
    out_col: int,
    *,
    mode: Mode = "reflect",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
) -> Window:
    """The window of output (``out_row``, ``out_col``) of ``correlate(image, kernel, ...)``."""
    x, k = _image(image), _kernel(kernel)
    out_h, out_w = output_shape(x.shape, k.shape, mode=mode, stride=stride, dilation=dilation)
    if not (0 <= out_row < out_h and 0 <= out_col < out_w):
        raise KernelError("sweep_outside_output", row=out_row, col=out_col, w=out_w, h=out_h)
    p = padded(x, (k.shape[0], k.shape[1]), mode, cval, dilation)
    rows = taps(out_row, k.shape[0], mode, stride, dilation)
    cols = taps(out_col, k.shape[1], mode, stride, dilation)
    ix = np.ix_(rows + p.top, cols + p.left)
    values = p.values[ix]
    products = values * k
    return Window(out_row, out_col, rows, cols, values, p.outside[ix], products, float(products.sum()))


def sweep(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    mode: Mode = "reflect",
    cval: float = 0.0,
    stride: int = 1,
    dilation: int = 1,
) -> np.ndarray:
    """The whole output, window by window (float64): slow on purpose, the page's reference for what it draws."""
    x, k = _image(image), _kernel(kernel)
    shape = output_shape(x.shape, k.shape, mode=mode, stride=stride, dilation=dilation)
    out = np.zeros(shape[:2])
    for r, c in positions((shape[0], shape[1])):
        out[r, c] = window(x, k, r, c, mode=mode, cval=cval, stride=stride, dilation=dilation).total
    return out


# ------------------------------------------------------------------------------------- transposed convolution
def transposed_size(
    n: int, k: int, stride: int = 1, dilation: int = 1, padding: int = 0, output_padding: int = 0
) -> int:
    """Output cells per axis of a transposed convolution: ``(n − 1)·s + d·(k − 1) + 1 − 2p + output_padding``."""
    return (n - 1) * stride + dilated_span(k, dilation) - 2 * padding + output_padding


def check_transposed(
    n: tuple[int, int], kernel_shape: tuple[int, int], stride: int, dilation: int, padding: int, output_padding: int
) -> None:
    """A ``KernelError`` in plain words for settings no transposed convolution can take (PyTorch's rules)."""
    check_options("valid", stride, dilation)
    for name, v in (("layer_name_padding", padding), ("layer_name_output_padding", output_padding)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
            raise KernelError("layer_whole_at_least", name=Message(name), low=0, value=v)
    if output_padding >= max(stride, dilation):
        raise KernelError("sweep_output_padding_too_big", output_padding=output_padding, limit=max(stride, dilation))
    for side, k in zip(n, kernel_shape, strict=True):
        if transposed_size(side, k, stride, dilation, padding, output_padding) < 1:
            raise KernelError("sweep_padding_crops_all", padding=padding)


@dataclass(frozen=True)
class Scatter:
    """What one input cell adds to the output of a transposed convolution."""

    in_row: int
    in_col: int
    rows: np.ndarray  # (kh,) output rows (of the cropped output; outside 0..H'−1: cropped away) the taps land on
    cols: np.ndarray  # (kw,)
    added: np.ndarray  # (kh, kw) value × kernel


def scatter(
    image: np.ndarray,
    kernel: np.ndarray,
    in_row: int,
    in_col: int,
    *,
    stride: int = 1,
    dilation: int = 1,
    padding: int = 0,
) -> Scatter:
    """Input cell (``in_row``, ``in_col``)'s contribution: ``value × kernel`` landing on rows
    ``in_row·s − p + d·u`` and columns ``in_col·s − p + d·v`` for taps (u, v)."""
    x, k = _image(image), _kernel(kernel)
    if not (0 <= in_row < x.shape[0] and 0 <= in_col < x.shape[1]):
        raise KernelError("sweep_outside_input", row=in_row, col=in_col)
    rows = in_row * stride - padding + dilation * np.arange(k.shape[0])
    cols = in_col * stride - padding + dilation * np.arange(k.shape[1])
    return Scatter(in_row, in_col, rows, cols, x[in_row, in_col] * k)


def conv_transpose(
    image: np.ndarray,
    kernel: np.ndarray,
    *,
    stride: int = 1,
    dilation: int = 1,
    padding: int = 0,
    output_padding: int = 0,
    upto: int | None = None,
) -> np.ndarray:
    """Transposed convolution by scattering (float64); ``upto`` stops after that many input cells (row by row),
    which is the output as the page shows it filling in."""
    x, k = _image(image), _kernel(kernel)
    check_transposed(x.shape, (k.shape[0], k.shape[1]), stride, dilation, padding, output_padding)
    out_h, out_w = (
        transposed_size(n, kk, stride, dilation, padding, output_padding)
        for n, kk in zip(x.shape, k.shape, strict=True)
    )
    out = np.zeros((out_h, out_w))
    for i, (r, c) in enumerate(positions((x.shape[0], x.shape[1]))):
        if upto is not None and i >= upto:
            break
        s = scatter(x, k, r, c, stride=stride, dilation=dilation, padding=padding)
        keep_r, keep_c = (s.rows >= 0) & (s.rows < out_h), (s.cols >= 0) & (s.cols < out_w)
        out[np.ix_(s.rows[keep_r], s.cols[keep_c])] += s.added[np.ix_(keep_r, keep_c)]
    return out
