"""Document-ranking evaluation on BEIR-format data (nDCG@10, Recall@10/100, MRR@10).

The scores come from pytrec_eval (trec_eval's own code), not from our metric modules; the
tests check that the two agree. Each query's document ranking is `engine.rank_documents(query,
100)`: every document scored from its best sentence and passage and a document-level BM25, fused
(see `rag.retrieval.hybrid`); no answer is extracted.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tqdm import tqdm

from rag.engine import Engine
from rag.evaluation.beir_cache import ensure_beir_index
from rag.evaluation.records import DocumentRanker
from rag.evaluation.run import search_options
from rag.evaluation.significance import paired_bootstrap
from rag.ingest.beir import load_beir
from rag.retrieval.fusion import DEFAULT_METHOD
from rag.settings import QuerySettings, ReaderSettings

DEPTH = 100
MEASURES = {"ndcg_cut.10", "recall.10,100"}
REPORTED = {"ndcg@10": "ndcg_cut_10", "recall@10": "recall_10", "recall@100": "recall_100"}


def scorer_name() -> str:
    try:
        return f"pytrec_eval (pytrec-eval-terrier {version('pytrec-eval-terrier')})"
    except PackageNotFoundError:
        return "pytrec_eval"


def document_ranking(engine: DocumentRanker, query: str, depth: int = DEPTH,
                     method: str | None = None) -> list[str]:
    """Document ids, best first, as `Engine.rank_documents` ranks them."""
    ranked = engine.rank_documents(query, depth, **search_options(method))
    return [doc_id for doc_id, _ in ranked]


def as_run(rankings: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Scores that reproduce our order exactly (trec_eval re-sorts by score)."""
    return {qid: {doc: float(len(docs) - i) for i, doc in enumerate(docs)}
            for qid, docs in rankings.items()}


def per_query_scores(qrels: dict[str, dict[str, int]],
                     rankings: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """metric name -> query id -> value, for every query in `rankings` (0 when nothing found)."""
    qrels = {q: qrels[q] for q in rankings}
    import pytrec_eval  # a runtime dependency, loaded only when a BEIR set is scored

    full = pytrec_eval.RelevanceEvaluator(qrels, MEASURES).evaluate(as_run(rankings))
    cut = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(
        as_run({q: docs[:10] for q, docs in rankings.items()}))
    scores: dict[str, dict[str, float]] = {name: {} for name in [*REPORTED, "mrr@10"]}
    for qid in rankings:
        for name, measure in REPORTED.items():
            scores[name][qid] = full.get(qid, {}).get(measure, 0.0)
        scores["mrr@10"][qid] = cut.get(qid, {}).get("recip_rank", 0.0)
    return scores


def rank_all(engine: DocumentRanker, queries: dict[str, str], method: str | None,
             progress: bool) -> tuple[dict[str, list[str]], list[float]]:
    rankings, latencies = {}, []
    for qid, text in tqdm(queries.items(), desc=f"Ranking ({method or DEFAULT_METHOD})",
                          unit="query", file=sys.stderr, disable=not progress):
        began = time.perf_counter()
        rankings[qid] = document_ranking(engine, text, DEPTH, method)
        latencies.append((time.perf_counter() - began) * 1000)
    return rankings, latencies


def means(scores: dict[str, dict[str, float]]) -> dict[str, float]:
    return {name: sum(values.values()) / len(values) if values else 0.0
            for name, values in scores.items()}


def evaluate_beir(folder: Path, split: str = "test", method: str | None = None,
                  limit: int | None = None, bootstrap_against: str | None = None,
                  progress: bool = False, reader: bool = False) -> dict[str, Any]:
    data = load_beir(folder, split)
    cached = ensure_beir_index(data, folder, progress=progress)
    engine = Engine.open(cached.index_dir, folder,
                         query=QuerySettings(reader=ReaderSettings(enabled=reader)))
    queries = dict(list(data.queries.items())[:limit] if limit else data.queries.items())
    rankings, latencies = rank_all(engine, queries, method, progress)
    scores = per_query_scores(data.qrels, rankings)
    summary: dict[str, Any] = {
        "folder": str(folder), "split": split, "method": method or DEFAULT_METHOD,
        "reader": reader,
        "queries": len(queries),
        "documents": len(data.documents), "index": str(cached.index_dir),
        "index_built": cached.built, "scorer": scorer_name(),
        **{name: round(value, 4) for name, value in means(scores).items()},
        "latency_ms_mean": round(sum(latencies) / len(latencies), 1) if latencies else None,
    }
    if bootstrap_against:
        other, _ = rank_all(engine, queries, bootstrap_against, progress)
        other_scores = per_query_scores(data.qrels, other)
        order: Sequence[str] = list(queries)
        summary["bootstrap"] = {
            "metric": "ndcg@10", "method": method or DEFAULT_METHOD, "against": bootstrap_against,
            "against_ndcg@10": round(means(other_scores)["ndcg@10"], 4),
            **paired_bootstrap([scores["ndcg@10"][q] for q in order],
                               [other_scores["ndcg@10"][q] for q in order])}
    return summary


def beir_summary_text(summary: dict[str, Any]) -> str:
    lines = [f"BEIR {summary['folder']} ({summary['split']}): {summary['queries']} queries, "
             f"{summary['documents']} documents, method {summary['method']}"
             + (", reranked by the reader" if summary.get("reader") else ", retrieval alone"),
             f"  index {summary['index']} ({'built now' if summary['index_built'] else 'reused'})",
             f"  scores by {summary['scorer']}: ndcg_cut_10, recall_10, recall_100, "
             "recip_rank of the top 10"]
    for name in ("ndcg@10", "recall@10", "recall@100", "mrr@10"):
        label = name.replace("ndcg", "nDCG").replace("recall", "Recall").replace("mrr", "MRR")
        lines.append(f"  {label:<11} {summary[name]:.4f}")
    if summary.get("latency_ms_mean") is not None:
        lines.append(f"  mean query time {summary['latency_ms_mean']:.1f} ms")
    boot = summary.get("bootstrap")
    if boot:
        lines.append(
            f"  paired bootstrap, nDCG@10 {boot['method']} − {boot['against']} "
            f"({boot['against']}: {boot['against_ndcg@10']:.4f}), {boot['resamples']} resamples "
            f"over {boot['queries']} queries: mean {boot['mean_diff']:+.4f}, 95% interval "
            f"[{boot['ci_low']:+.4f}, {boot['ci_high']:+.4f}], share ≤ 0: "
            f"{boot['share_not_better']:.3f}")
    return "\n".join(lines)
