"""Rebuild a torch reader from the shipped int8 graph, to train further from it.

The stage-4 reader's fp32 weights were not kept, and a retrain from MiniLM takes about 2.6 h
on two cores. The shipped graph (`rag/answer/models/reader-l6.onnx`) still holds every weight,
quantized: the embeddings and their layer norm per tensor, each linear layer per output channel
(the attention's query, key and value fused into one matrix per layer), the layer norms and
biases in fp32. This reads them back, (q - zero point) x scale, into the MiniLM architecture
with a one-logit head, and saves a checkpoint `train_reader.py --init` accepts. It then reads the
dev pairs with both and prints how far they agree: the copy is an approximation (the int8
rounding cannot be undone), good as a starting point for more training, not as a reader.

    python -m training.dequantize_reader --out build/reader-l6-dequantized
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from rag.answer.reader import MODELS, OnnxReader
from training.train_reader import load_pairs, roc_auc

LAYER_GRAPH_NAMES = ("attention.output.dense", "intermediate.dense", "output.dense")


def weights(graph: Path) -> dict[str, np.ndarray]:
    """Every initializer of the graph, the quantized ones dequantized (named without
    `_quantized`)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(graph))
    raw = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    out = {}
    for name, value in raw.items():
        if name.endswith("_quantized"):
            stem = name.removesuffix("_quantized")
            scale, zero = raw[f"{stem}_scale"], raw[f"{stem}_zero_point"]
            out[stem] = (value.astype(np.float32) - zero.astype(np.float32)) * scale
        elif not name.endswith(("_scale", "_zero_point")):
            out[name] = value
    return out


def state_dict(found: dict[str, np.ndarray], layers: int) -> dict[str, np.ndarray]:
    """The graph's weights under the names of transformers' BertForSequenceClassification.
    The linear layers of layer i are, in the graph's order, its fused attention matrix
    `Attention_i_qkv_weight` and three unnamed MatMuls (attention output, intermediate,
    output), stored input x output, so transposed here."""
    prefix = "inner."
    state = {name.removeprefix(prefix): value for name, value in found.items()
             if name.startswith(prefix) and not name.endswith("_Transposed")}
    state["bert.pooler.dense.weight"] = found["inner.bert.pooler.dense.weight_Transposed"].T
    state["classifier.weight"] = found["inner.classifier.weight_Transposed"].T
    unnamed = sorted((name for name in found if name.startswith("onnx::MatMul_")),
                     key=lambda name: int(name.rsplit("_", 1)[1]))
    if len(unnamed) != len(LAYER_GRAPH_NAMES) * layers:
        raise ValueError(f"expected {len(LAYER_GRAPH_NAMES) * layers} unnamed MatMuls, "
                         f"found {len(unnamed)}: not the graph this script knows")
    for layer in range(layers):
        base = f"bert.encoder.layer.{layer}."
        qkv, bias = found[f"Attention_{layer}_qkv_weight"], found[f"Attention_{layer}_qkv_bias"]
        width = qkv.shape[1] // 3
        for n, part in enumerate(("query", "key", "value")):
            state[f"{base}attention.self.{part}.weight"] = qkv[:, n * width:(n + 1) * width].T
            state[f"{base}attention.self.{part}.bias"] = bias[n * width:(n + 1) * width]
        for n, part in enumerate(LAYER_GRAPH_NAMES):
            state[f"{base}{part}.weight"] = found[unnamed[layer * 3 + n]].T
    return state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="reader-l6")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--check", type=int, default=300, help="dev pairs read by both")
    args = parser.parse_args()

    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from rag.index.embedding import model_dir

    graph = MODELS / f"{args.model}.onnx"
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir()), num_labels=1, local_files_only=True)
    state = state_dict(weights(graph), model.config.num_hidden_layers)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state) - {"bert.embeddings.position_ids"})
    extra = sorted(set(state) - set(expected))
    if missing or extra:
        raise ValueError(f"names that do not match: missing {missing}, extra {extra}")
    for name, value in state.items():
        if tuple(value.shape) != tuple(expected[name].shape):
            raise ValueError(f"{name}: {value.shape} against {tuple(expected[name].shape)}")
    model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32))  # a copy
                           for k, v in state.items()}, strict=False)
    model.eval()
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(args.out))
    tokenizer.save_pretrained(str(args.out))

    rows = load_pairs("dev")[:args.check]
    reader = OnnxReader(graph)
    shipped = np.array([reader.score(r["question"], [r["text"]])[0] for r in rows])
    with torch.no_grad():
        copied = np.array([float(model(**tokenizer(r["question"], r["text"], truncation=True,
                                                  max_length=256, return_tensors="pt")
                                        ).logits[0, 0]) for r in rows])
    labels = np.array([r["label"] for r in rows])
    print(f"saved to {args.out}; {len(rows)} dev pairs: logits correlate "
          f"{np.corrcoef(shipped, copied)[0, 1]:.4f}, mean absolute difference "
          f"{np.mean(np.abs(shipped - copied)):.3f}; ROC AUC shipped "
          f"{roc_auc(labels, shipped):.4f}, the copy {roc_auc(labels, copied):.4f}")


if __name__ == "__main__":
    main()
