"""``imgkernel.layers.conv2d`` on a photo-sized input, beside ONNX Runtime's ``Conv`` on the same job.

Run from the repo root: ``.venv/bin/python -m bench.conv2d`` (``--bands 1,4,16`` also tries other band sizes,
in MiB of unrolled patches per thread). Prints a Markdown table (best and median of ``--repeats`` runs, ms);
docs/engine.md, "Multi-channel filters", keeps the figures with their machine. ONNX Runtime (requirements-dev.txt)
runs with 2 intra-op threads, conv2d with the engine's threads (2 on the project's machines).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import imgkernel.layers as layers

# (label, C, H, W, O, k, stride, groups): first layers on a 640x480 photo, and a depthwise layer after one
JOBS = [
    ("64 filters 3×7×7, stride 2 (ResNet's)", 3, 480, 640, 64, 7, 2, 1),
    ("64 filters 3×11×11, stride 4 (AlexNet's)", 3, 480, 640, 64, 11, 4, 1),
    ("64 filters 3×11×11, stride 2", 3, 480, 640, 64, 11, 2, 1),
    ("32 filters 3×3×3, stride 2 (the bundled EfficientNet-Lite0)", 3, 480, 640, 32, 3, 2, 1),
    ("depthwise 32×1×3×3 on 32×240×320, stride 1", 32, 240, 320, 32, 3, 1, 32),
]


def timed(f: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Best and median wall time of ``f`` in ms, after one warm-up."""
    f()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1e3)
    return min(times), statistics.median(times)


def onnx_runtime(weights: np.ndarray, stride: int, groups: int) -> Callable[[np.ndarray], object] | None:
    """A session running one SAME_UPPER Conv, or None without onnxruntime."""
    try:
        import onnxruntime as ort  # type: ignore[import-untyped]
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        return None
    node = helper.make_node("Conv", ["X", "W"], ["Y"], strides=[stride, stride], auto_pad="SAME_UPPER", group=groups)
    graph = helper.make_graph(
        [node],
        "conv",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(weights, "W")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return lambda x: session.run(None, {"X": x[None]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--bands", default="", help="comma-separated MiB per band to try besides the default")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    band_sizes = [layers._TILE_BYTES] + [int(float(b) * 2**20) for b in args.bands.split(",") if b]
    default = layers._TILE_BYTES
    print("| job | conv2d best / median (ms) | ONNX Runtime best / median (ms) |")
    print("|---|---|---|")
    for label, c, h, w, o, k, s, g in JOBS:
        x = rng.random((c, h, w), dtype=np.float32)
        weights = rng.standard_normal((o, c // g, k, k)).astype(np.float32)
        cells = []
        for size in band_sizes:
            layers._TILE_BYTES = size
            best, median = timed(lambda: layers.conv2d(x, weights, None, s, "same", 1, g), args.repeats)  # noqa: B023
            tag = "" if size == default else f" ({size / 2**20:g} MiB bands)"
            cells.append(f"{best:.1f} / {median:.1f}{tag}")
        layers._TILE_BYTES = default
        session = onnx_runtime(weights, s, g)
        ref = timed(lambda: session(x), args.repeats) if session else None  # noqa: B023
        print(f"| {label} | {'; '.join(cells)} | {f'{ref[0]:.1f} / {ref[1]:.1f}' if ref else 'n/a'} |")


if __name__ == "__main__":
    main()
