"""One ONNX node (one input and one output channel) run by ONNX Runtime or by the ONNX specification's reference
implementation (``onnx.reference``): the framework oracle for the CNN layer's padding and the sliding window's
transposed convolution. No importorskip: requirements-dev.txt installs both, and a missing oracle must fail."""

from __future__ import annotations

import numpy as np


def run_node(op: str, x: np.ndarray, ker: np.ndarray, runtime: bool, **attributes: object) -> np.ndarray:
    """``op`` ("Conv", "ConvTranspose") with ``attributes`` on the 2-D ``x`` and kernel ``ker``; its 2-D output."""
    from onnx import TensorProto, helper

    node = helper.make_node(op, ["X", "W"], ["Y"], kernel_shape=list(ker.shape), **attributes)
    graph = helper.make_graph(
        [node],
        op.lower(),
        [
            helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 1, *x.shape]),
            helper.make_tensor_value_info("W", TensorProto.FLOAT, [1, 1, *ker.shape]),
        ],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)])
    model.ir_version = 7  # one every ONNX Runtime release reads
    feed = {"X": x[None, None].astype(np.float32), "W": ker[None, None].astype(np.float32)}
    if runtime:
        import onnxruntime as ort

        session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        return session.run(None, feed)[0][0, 0]
    from onnx.reference import ReferenceEvaluator

    return ReferenceEvaluator(model).run(None, feed)[0][0, 0]
