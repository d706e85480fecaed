"""How the reader's rerank moves a BEIR set's document ranking, by depth and weight: choose on a
train split only (SciFact train is the set this project chooses settings on).

One reading per query: retrieval's first 100 documents with their fused scores, and the reader's
logit for each of the first 20 (its best of up to three passages, as `Reading.rerank_documents`
reads one); then nDCG@10 for each depth N and weight w of `logit + w × fused` over the first N,
scored by the same pytrec_eval code as `rag eval --beir`.

    python -m training.sweep_beir_rerank ../shared/data/scifact --split train

SciFact train's 809 queries take about ten minutes on two cores (session 18), the table seconds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.engine import Engine
from rag.evaluation.beir_cache import ensure_beir_index
from rag.evaluation.beir_eval import means, per_query_scores
from rag.ingest.beir import load_beir
from rag.retrieval.fusion import DEFAULT_METHOD
from rag.settings import QuerySettings, ReaderSettings

READ = 20
DEPTHS = (3, 5, 10, 20)
WEIGHTS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0)


def read_queries(engine: Engine, queries: dict[str, str]) -> dict[str, dict]:
    """For each query: retrieval's document order and fused scores, and the reader's logit for
    the first `READ` documents."""
    reading = engine.passage_reader
    rows = {}
    for qid, text in queries.items():
        cleaned = engine.read_question(text)
        ranked = engine.retriever.rank_documents(
            engine.embedder.encode_query(cleaned.text),
            engine.stored.lexical.query_terms(cleaned.text), 100, DEFAULT_METHOD)
        texts, owners = [], []
        for n, (doc_id, _) in enumerate(ranked[:READ]):
            for position in reading.positions_of(doc_id)[:3]:
                texts.append(reading.text_of(position))
                owners.append(n)
        logits = np.full(min(READ, len(ranked)), -np.inf, dtype=np.float32)
        if texts:
            np.maximum.at(logits, np.array(owners), reading.model.score(cleaned.text, texts))
        rows[qid] = {"docs": [doc for doc, _ in ranked], "fused": [s for _, s in ranked],
                     "logits": logits.tolist()}
    return rows


def reranked(row: dict, depth: int, weight: float) -> list[str]:
    head = [logit + weight * fused for logit, fused in zip(row["logits"][:depth],
                                                           row["fused"][:depth], strict=False)]
    order = sorted(range(len(head)), key=lambda i: -head[i])
    return [row["docs"][i] for i in order] + row["docs"][len(head):]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--split", default="train")
    parser.add_argument("--cache", type=Path, default=Path("build/sweep"))
    args = parser.parse_args()
    data = load_beir(args.folder, args.split)
    index = ensure_beir_index(data, args.folder).index_dir
    cache = args.cache / f"beir-rerank-{index.name}-{args.split}.json"
    if not cache.exists():  # the reading takes minutes; the sweep, seconds
        engine = Engine.open(index, args.folder,
                             query=QuerySettings(reader=ReaderSettings(enabled=True)))
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(read_queries(engine, data.queries)))
    rows = json.loads(cache.read_text())
    ndcg = means(per_query_scores(data.qrels, {q: r["docs"] for q, r in rows.items()}))
    print(f"{args.folder} ({args.split}), {len(rows)} queries: retrieval alone nDCG@10 "
          f"{ndcg['ndcg@10']:.4f}")
    print("| N \\ w | " + " | ".join(f"{w:g}" for w in WEIGHTS) + " |")
    print("|---" * (len(WEIGHTS) + 1) + "|")
    for depth in DEPTHS:
        cells = [means(per_query_scores(data.qrels, {q: reranked(r, depth, w)
                                                     for q, r in rows.items()}))["ndcg@10"]
                 for w in WEIGHTS]
        print(f"| {depth} | " + " | ".join(f"{c:.4f}" for c in cells) + " |")


if __name__ == "__main__":
    main()
