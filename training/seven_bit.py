"""Bring an 8-bit reader graph to 7-bit weights, in place, and say so in its record.

Exports since rag.index.onnx_export.DEFAULT_REDUCE_RANGE quantise straight from fp32 to 7 bits;
this is for a graph exported before, whose fp32 weights were not kept (the stage-4 reader):
each int8 weight is halved and rounded, its scale doubled. With 7-bit weights ONNX Runtime
computes the same on CPUs with and without AVX-512 VNNI (see DEFAULT_REDUCE_RANGE).

    python -m training.seven_bit reader-l6
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from rag.answer.reader import MODELS
from rag.index.files import atomic_target, sha256_file
from rag.index.onnx_export import integer_weights

INT8 = 3  # onnx.TensorProto.INT8
SEVEN_BIT = 64  # reduce_range's symmetric weight range, -64..64: with activations up to 255,
# two products sum to at most 32,640, inside AVX2's 16-bit pairs


def halve_weights(graph) -> int:  # type: ignore[no-untyped-def]  # onnx.ModelProto
    """Halve the int8 weights of every integer MatMul and quantised attention, doubling their
    scales (named as ONNX Runtime's quantiser names them); returns how many."""
    from onnx import numpy_helper

    initializers = {tensor.name: tensor for tensor in graph.graph.initializer}
    weights = integer_weights(graph)
    for name in weights:
        tensor, scale = initializers[name], initializers[name.replace("_quantized", "_scale")]
        if tensor.data_type != INT8:
            raise ValueError(f"{name} is not int8")
        values = numpy_helper.to_array(tensor).astype(np.float32)
        if np.abs(values).max() <= SEVEN_BIT:
            raise ValueError(f"{name} already holds 7-bit weights")
        halved = np.clip(np.round(values / 2), -SEVEN_BIT, SEVEN_BIT).astype(np.int8)
        tensor.CopyFrom(numpy_helper.from_array(halved, name))
        scale.CopyFrom(numpy_helper.from_array(
            (numpy_helper.to_array(scale) * 2).astype(np.float32), scale.name))
    return len(weights)


def main() -> None:
    import onnx

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", help="the reader's name in rag/answer/models")
    args = parser.parse_args()
    path, record_path = MODELS / f"{args.name}.onnx", MODELS / f"{args.name}.json"
    record = json.loads(record_path.read_text())
    if record.get("sha256") != sha256_file(path):
        raise SystemExit(f"{path} does not match its record")
    graph = onnx.load(str(path))
    count = halve_weights(graph)
    with atomic_target(path) as temporary:
        onnx.save(graph, str(temporary))
    record["seven_bit"] = {"from_sha256": record["sha256"], "weights_halved": count,
                           "by": f"python -m training.seven_bit {args.name}"}
    record["sha256"], record["bytes"] = sha256_file(path), path.stat().st_size
    record_path.write_text(json.dumps(record, indent=1) + "\n")
    print(f"{count} weights halved; {path} sha256 {record['sha256'][:12]}")


if __name__ == "__main__":
    main()
