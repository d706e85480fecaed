"""The feed-forward output projections in int8, with their few outlier input channels apart.

Each layer's feed-forward output projection (1536 -> 384) reads GELU outputs in which a few
channels reach far past the rest: over the shipped corpus one channel of the first layer
reaches 24.6 where the median channel's largest value is 1.8. Dynamic int8 quantises an
activation with one scale per tensor, so those channels alone set the scale and the bulk of
the values keep a handful of levels (short texts fell to cosine ~0.98 to fp32). The graph was
therefore shipped with these six products in fp32, a third of the CPU a build spends embedding.

Here each of them is split instead (the mixed-precision decomposition of LLM.int8()): the
channels whose largest value over a fixed set of calibration texts exceeds `OUTLIER_RATIO`
times the median channel's are gathered and multiplied in fp32 against their rows of the
weight, the others (those channels zeroed) in int8 against the weight with those rows zeroed,
and the two products added. Measured on 1,000 SciFact sentences against the fp32 graph (README,
"The feed-forward outliers apart"): mean cosine 0.9949 against 0.9956 with the products in fp32
and 0.9920 all in int8, and 1.2-1.35x as many sentences embedded a second as with the products
in fp32; SciFact train nDCG@10 0.7515 against 0.7534.

The calibration texts (`calibration_texts.txt`, sentences of the shipped USIP texts) only pick
the channels; which channels stand out is a property of the weights, not of the texts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from rag.index.onnx_encoder import batch_feeds, load_tokenizer, ort

CALIBRATION_TEXTS = Path(__file__).with_name("calibration_texts.txt")
OUTLIER_RATIO = 3.0  # a channel this many times the median channel's largest value is apart
FFN_OUTPUT_MATMUL = re.compile(r"/encoder/layer\.\d+/output/dense/MatMul$")
BATCH = 32


def calibration_texts() -> list[str]:
    return [line for line in CALIBRATION_TEXTS.read_text("utf-8").splitlines() if line.strip()]


def ffn_output_nodes(graph: Any) -> list[Any]:  # graph: onnx.ModelProto
    """The feed-forward output MatMul nodes of an exported MiniLM graph."""
    nodes = [node for node in graph.graph.node
             if node.op_type == "MatMul" and FFN_OUTPUT_MATMUL.search(node.name)]
    if not nodes:
        raise ValueError("no feed-forward output MatMul found in the graph")
    return nodes


def channel_maxima(fp32: Path, tokenizer_dir: Path | None = None,
                   texts: list[str] | None = None) -> dict[str, np.ndarray]:
    """For each feed-forward output MatMul, the largest |value| of each of its input channels
    over the calibration texts (padding excluded)."""
    import onnx

    graph = onnx.load(str(fp32))
    names = {node.name: node.input[0] for node in ffn_output_nodes(graph)}
    for tensor in names.values():
        graph.graph.output.append(onnx.helper.make_tensor_value_info(
            tensor, onnx.TensorProto.FLOAT, None))
    tokenizer = load_tokenizer(tokenizer_dir)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # one order of summation on every machine
    session = ort.InferenceSession(graph.SerializeToString(), sess_options=options,
                                   providers=["CPUExecutionProvider"])
    inputs = {node.name for node in session.get_inputs()}
    texts = texts if texts is not None else calibration_texts()
    maxima = {name: np.zeros(0, dtype=np.float32) for name in names}
    for start in range(0, len(texts), BATCH):
        feeds, mask = batch_feeds(tokenizer.encode_batch(texts[start:start + BATCH]), inputs)
        outputs = session.run(list(names.values()), feeds)
        for name, values in zip(names, outputs, strict=True):
            largest = np.abs(values[mask.astype(bool)]).max(axis=0)
            maxima[name] = largest if maxima[name].size == 0 else np.maximum(maxima[name],
                                                                             largest)
    return maxima


def split_outliers(fp32: Path, target: Path, tokenizer_dir: Path | None = None) -> list[str]:
    """Write `target`: `fp32` with each feed-forward output MatMul split into an int8-ready
    product over the ordinary channels and an fp32 one over the outliers. Returns the names of
    the outlier products, which the quantiser must leave in fp32."""
    import onnx
    from onnx import helper, numpy_helper

    maxima = channel_maxima(fp32, tokenizer_dir)
    graph = onnx.load(str(fp32))
    weights = {tensor.name: tensor for tensor in graph.graph.initializer}
    nodes, kept_fp32 = [], []
    for node in graph.graph.node:
        if node.name not in maxima:
            nodes.append(node)
            continue
        largest = maxima[node.name]
        outliers = np.flatnonzero(largest > OUTLIER_RATIO * np.median(largest))
        weight = numpy_helper.to_array(weights[node.input[1]])
        ordinary = np.ones(len(largest), dtype=np.float32)
        ordinary[outliers] = 0.0
        name, source, output = node.name, node.input[0], node.output[0]
        # The int8 product's weight loses the outlier rows too (they only ever meet zeros):
        # per-channel quantisation then scales each column by its ordinary rows alone.
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(
            weight * ordinary[:, None], node.input[1]))
        graph.graph.initializer.extend([
            numpy_helper.from_array(ordinary, f"{name}_ordinary"),
            numpy_helper.from_array(outliers.astype(np.int64), f"{name}_outliers"),
            numpy_helper.from_array(weight[outliers], f"{name}_outlier_rows")])
        nodes += [helper.make_node("Mul", [source, f"{name}_ordinary"], [f"{name}_x_ordinary"],
                                   name=f"{name}_zero_outliers"),
                  helper.make_node("Gather", [source, f"{name}_outliers"], [f"{name}_x_outliers"],
                                   name=f"{name}_gather_outliers", axis=-1),
                  helper.make_node("MatMul", [f"{name}_x_outliers", f"{name}_outlier_rows"],
                                   [f"{name}_y_outliers"], name=f"{name}_outliers")]
        node.input[0], node.output[0] = f"{name}_x_ordinary", f"{name}_y_ordinary"
        nodes += [node, helper.make_node("Add", [f"{name}_y_ordinary", f"{name}_y_outliers"],
                                         [output], name=f"{name}_sum")]
        kept_fp32.append(f"{name}_outliers")
    del graph.graph.node[:]
    graph.graph.node.extend(nodes)
    onnx.save(graph, str(target))
    return kept_fp32
