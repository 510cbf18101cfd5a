"""A convolutional-network layer built from image kernels: conv (bank of kernels), bias, ReLU, pooling.

Conventions (the ones of PyTorch's ``Conv2d`` / ``MaxPool2d``, TensorFlow/Keras, JAX, ONNX and vdumoulin's
conv_arithmetic):

* the layer computes cross-correlation (kernels are not rotated), with zero padding of ``p1`` pixels before
  (top, left) and ``p2`` after (bottom, right), stride ``s`` and dilation ``d``; each output side is
  ``floor((n + p1 + p2 - d(k-1) - 1) / s) + 1``;
* padding names (``padding_amounts``): ``valid`` = none, output ``floor((n - d(k-1) - 1) / s) + 1``;
  ``same`` as TensorFlow/Keras ``"same"``, JAX ``"SAME"``, ONNX ``SAME_UPPER`` and PyTorch ``padding="same"``:
  the output keeps ``ceil(n / s)`` pixels, the padding needed for that is
  ``total = max((ceil(n/s) - 1)·s + d(k-1) + 1 - n, 0)``, ``p1 = total // 2`` and ``p2 = total - p1`` (an odd
  extra pixel goes after, so even kernels keep the size and stride-2 windows sit where the frameworks' do);
  ``full`` = ``d(k-1)`` on both sides (every position where kernel and image overlap at all);
* an RGB input is treated like a 3-channel CNN input whose filter holds the *same* 2-D kernel for each of
  the three channels: the three per-channel responses are summed into one feature map (so a colour filter
  responds to edges in any channel, three times as strongly as on the gray image of the channel mean);
* feature maps are stacked as (N, H, W): one map per kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np

from ..catalogue import CATALOGUE
from ..engine import correlate, dilated_span
from ..errors import KernelError
from ..messages import Message

Padding = Literal["valid", "same", "full"]
PADDINGS: tuple[Padding, ...] = get_args(Padding)
POOLS: tuple[str, ...] = ("max", "average")


def _check_whole(*checks: tuple[str, object, int]) -> None:
    """A plain KernelError unless each (name, value, lowest) is a whole number of at least ``lowest``; ``name`` is
    the setting's code (``layer_name_...``)."""
    for name, v, low in checks:
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
            raise KernelError("layer_whole_at_least", name=Message(name), low=low, value=v)


def layer_output_size(n: int, k: int, p: int | tuple[int, int], s: int = 1, d: int = 1) -> int:
    """The standard output length ``floor((n + p1 + p2 - d(k-1) - 1) / s) + 1``; KernelError when nothing fits.

    ``p`` is the padding on each side, or a (before, after) pair when the two differ.
    """
    before, after = (p, p) if not isinstance(p, tuple) else p
    _check_whole(
        ("layer_name_input_size", n, 1),
        ("layer_name_kernel_size", k, 1),
        ("layer_name_padding", before, 0),
        ("layer_name_padding", after, 0),
    )
    _check_whole(("layer_name_stride", s, 1), ("layer_name_dilation", d, 1))
    span = dilated_span(k, d)
    size = (n + before + after - span) // s + 1
    if size < 1:
        pads = (
            Message("layer_padding_each_side", p=before)
            if before == after
            else Message("layer_padding_before_after", before=before, after=after)
        )
        raise KernelError(
            "layer_no_fit", span=Message("layer_pixels", n=int(span)), size=Message("layer_pixels", n=int(n)), pads=pads
        )
    return size


def padding_amounts(n: int, k: int, padding: Padding, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """Pixels of zero padding (before, after) along one side of ``n`` pixels for a padding name.

    ``same`` follows the frameworks (see the module docstring): output ``ceil(n / stride)``, the odd extra pixel
    after (bottom or right). ``valid`` is (0, 0), ``full`` is ``d(k-1)`` on both sides.
    """
    _check_whole(
        ("layer_name_input_size", n, 1),
        ("layer_name_kernel_size", k, 1),
        ("layer_name_stride", stride, 1),
        ("layer_name_dilation", dilation, 1),
    )
    reach = dilated_span(k, dilation) - 1  # pixels the kernel reaches beyond its first tap
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + reach + 1 - n, 0)
        return total // 2, total - total // 2
    if padding == "full":
        return reach, reach
    raise KernelError("layer_unknown_padding", value=padding, choices=", ".join(PADDINGS))


def conv_layer(
    image: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | float = 0.0,
    *,
    stride: int = 1,
    padding: Padding = "valid",
    dilation: int = 1,
) -> np.ndarray:
    """Feature maps (N, H', W') float32 of ``image`` (H, W) or (H, W, C) through ``kernels`` (N, kh, kw).

    All kernels must share one size (as in a CNN layer). ``bias`` is one number or one per kernel.
    """
    bank = np.asarray(kernels, dtype=np.float64)
    if bank.ndim == 2:
        bank = bank[None]
    if bank.ndim != 3 or bank.shape[0] == 0:
        raise KernelError(code="layer_empty_bank")
    b = np.broadcast_to(np.asarray(bias, dtype=np.float32), (bank.shape[0],))
    x = np.asarray(image, dtype=np.float32)
    if x.ndim == 2:
        x = x[:, :, None]
    kh, kw = bank.shape[1:]
    ph = padding_amounts(x.shape[0], kh, padding, stride, dilation)
    pw = padding_amounts(x.shape[1], kw, padding, stride, dilation)
    out_h = layer_output_size(x.shape[0], kh, ph, stride, dilation)  # a plain KernelError when nothing fits
    out_w = layer_output_size(x.shape[1], kw, pw, stride, dilation)
    padded = np.pad(x, (ph, pw, (0, 0)))  # zeros, as CNN layers pad
    maps = np.empty((bank.shape[0], out_h, out_w), np.float32)
    for i, ker in enumerate(bank):
        per_channel = correlate(padded, ker, mode="valid", stride=stride, dilation=dilation)
        maps[i] = per_channel.sum(axis=2) + b[i]
    return maps


def relu(x: np.ndarray) -> np.ndarray:
    """``max(x, 0)``: negative responses become 0 (a new float32 array)."""
    return np.maximum(np.asarray(x, dtype=np.float32), np.float32(0))


def pool2d(x: np.ndarray, size: int = 2, stride: int | None = None, kind: str = "max") -> np.ndarray:
    """Max or average pooling over the last two axes, no padding (PyTorch's defaults: stride = size).

    Output side: ``floor((n - size) / stride) + 1``, i.e. ``layer_output_size(n, size, 0, stride)``.
    """
    stride = size if stride is None else stride
    if kind not in POOLS:
        raise KernelError("layer_unknown_pooling", value=kind, choices=", ".join(POOLS))
    a = np.asarray(x, dtype=np.float32)
    if a.ndim < 2:
        raise KernelError(code="layer_pool_dimensions")
    out_h = layer_output_size(a.shape[-2], size, 0, stride)
    out_w = layer_output_size(a.shape[-1], size, 0, stride)
    windows = np.lib.stride_tricks.sliding_window_view(a, (size, size), axis=(-2, -1))
    windows = windows[..., : (out_h - 1) * stride + 1 : stride, : (out_w - 1) * stride + 1 : stride, :, :]
    return windows.max(axis=(-2, -1)) if kind == "max" else windows.mean(axis=(-2, -1), dtype=np.float32)


def random_bank(count: int, size: int, seed: int = 0) -> np.ndarray:
    """``count`` random zero-mean kernels (size x size), like an untrained layer's He-style initialisation."""
    rng = np.random.default_rng(seed)
    bank = rng.standard_normal((count, size, size)) * np.sqrt(2.0 / (size * size))
    return bank - bank.mean(axis=(1, 2), keepdims=True)


def combine_maps(maps: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """A 1x1-convolution second layer: map j = sum_i weights[j, i] * maps[i] (shape (M, H, W))."""
    w = np.asarray(weights, dtype=np.float32)
    m = np.asarray(maps, dtype=np.float32)
    if w.ndim != 2 or w.shape[1] != m.shape[0]:
        raise KernelError("layer_second_weights_shape", maps=int(m.shape[0]), shape=tuple(int(n) for n in w.shape))
    return np.tensordot(w, m, axes=(1, 0))


def pad_to_size(kernel: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Zero-pad a kernel to ``shape`` keeping its anchor (``size // 2``) on the new anchor, so it filters the same.

    A CNN layer has one kernel size; smaller presets are embedded in the middle of the largest one.
    """
    k = np.asarray(kernel, dtype=np.float64)
    pads = []
    for n, big in zip(k.shape, shape, strict=True):
        if big < n:
            raise KernelError("layer_pad_down", side=int(n), target=int(big))
        before = big // 2 - n // 2
        pads.append((before, big - n - before))
    return np.pad(k, pads)


def kernel_bank(
    names: Sequence[str], *, gabor_angles: Sequence[float] = (), n_random: int = 0, random_size: int = 3, seed: int = 0
) -> tuple[list[str], np.ndarray, bool]:
    """A layer's kernels: catalogue presets at their defaults, Gabors at ``gabor_angles`` (degrees) and seeded
    random kernels, stacked at one size (smaller ones zero-padded by ``pad_to_size``).

    Returns (titles, stack (N, kh, kw), whether some kernel was padded); an empty bank is ([], (0, 1, 1), False).
    """
    titles = [CATALOGUE[n].title for n in names]
    kernels = [CATALOGUE[n].matrix() for n in names]
    for angle in gabor_angles:
        titles.append(Message("layer_title_gabor", angle=angle))
        kernels.append(CATALOGUE["gabor"].matrix({"theta": angle}))
    for i, k in enumerate(random_bank(n_random, random_size, seed)):
        titles.append(Message("layer_title_random", n=i + 1))
        kernels.append(k)
    if not kernels:
        return [], np.zeros((0, 1, 1)), False
    shape = (max(k.shape[0] for k in kernels), max(k.shape[1] for k in kernels))
    return titles, np.stack([pad_to_size(k, shape) for k in kernels]), any(k.shape != shape for k in kernels)
