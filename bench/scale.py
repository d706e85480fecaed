"""A synthetic collection of N passages, to measure the scale path without embedding anything.

    python bench/scale.py build N FOLDER   # write a real index build of N synthetic passages
    python bench/scale.py query FOLDER     # load it, time Engine.search, check against exact
    python bench/scale.py naive N          # the naive pipeline's flat FAISS index, same vectors

`bench/compare_peer.py --scale N` runs both as child processes (so each one's peak RSS is its
own) and prints their figures. What is synthetic: the vectors are clustered random unit
vectors (a passage's 5 sentences scatter around one of 1,000 centres; its own vector is their
mean), the text is 10-word sentences of pseudo-words (half from its cluster's 100 topic words,
half from a Zipf-distributed vocabulary of 50,000), 10 passages a document. What is real:
the build is written by `rag.index.store.write_build` (so the vector sets take the form their
size calls for: 8-bit rows and an IVF index past `EXACT_LIMIT` sentences), loaded by
`load_build`, and every question goes through `Engine.search` (hybrid retrieval, extractive
answer, refusal rule; the reader off). Questions are 4 words of a random passage with a noisy
copy of one of its sentence vectors. The exact top 10 is the exhaustive formula over every
passage (scored in blocks), and recall is the share of it the served top 10 holds.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from bench_engine import time_calls  # bench/ is on the path of a script run from it

from rag.chunking.passages import Chunk
from rag.engine import Engine
from rag.index.fingerprint import index_fingerprint
from rag.index.manifest import Manifest
from rag.index.store import (
    SentenceTable,
    StoredIndex,
    corpus_words,
    load_build,
    new_build_dir,
    publish,
    write_build,
)
from rag.index.vector_set import VectorSet, needs_compact
from rag.ingest.documents import Document, Metadata
from rag.retrieval.fusion import best_first, fuse
from rag.retrieval.lexical import LexicalIndex, lexical_text
from rag.settings import RETRIEVAL_ONLY, QuerySettings, Settings

DIMENSION = 384
SENTENCES = 5  # per passage
WORDS = 10  # per sentence
PASSAGES_PER_DOCUMENT = 10
CLUSTERS = 1000
TOPIC_WORDS = 100
VOCABULARY = 50_000
BLOCK = 50_000  # passages generated (and exactly scored) at a time
IDENTITY = {"model_id": "synthetic clustered unit vectors (bench/scale.py)",
            "model_sha256": "-", "encoder_sha256": "-"}


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


class Synthetic:
    """The seeded generator: a passage's cluster, words and vectors depend on its number only."""

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.centres = unit(rng.standard_normal((CLUSTERS, DIMENSION)))
        ranks = np.arange(1, VOCABULARY + 1)
        self.zipf = (1 / ranks) / (1 / ranks).sum()
        self.words = np.array([f"w{i}" for i in range(VOCABULARY + CLUSTERS * TOPIC_WORDS)])

    def block(self, first: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Passages first..first+count: (cluster, word ids [count, S, W], sentence vectors)."""
        rng = np.random.default_rng([self.seed, first])
        cluster = rng.integers(0, CLUSTERS, count)
        general = rng.choice(VOCABULARY, (count, SENTENCES, WORDS), p=self.zipf)
        topical = VOCABULARY + cluster[:, None, None] * TOPIC_WORDS + rng.integers(
            0, TOPIC_WORDS, (count, SENTENCES, WORDS))
        words = np.where(rng.random((count, SENTENCES, WORDS)) < 0.5, general, topical)
        noise = rng.standard_normal((count, SENTENCES, DIMENSION), dtype=np.float32) * 0.045
        return cluster, words, unit(self.centres[cluster][:, None, :] + noise)

    def sentence_texts(self, words: np.ndarray) -> list[str]:
        return [" ".join(row) + "." for row in self.words[words.reshape(-1, WORDS)]]


def build(count: int, folder: Path, seed: int) -> dict[str, float | int]:
    """Write an index build of `count` synthetic passages into `folder` (made current)."""
    timings, began = {}, time.perf_counter()
    synthetic = Synthetic(seed)
    folder.mkdir(parents=True, exist_ok=True)
    build_dir = new_build_dir(folder)
    total = count * SENTENCES
    compact = needs_compact(total)
    passage_vectors = np.empty((count, DIMENSION), dtype=np.float32 if not compact else np.float16)
    sentence_vectors = np.lib.format.open_memmap(
        build_dir / "generated-sentences.npy", "w+", np.float16, (total, DIMENSION))
    chunks, documents, passages_lexical = [], [], []
    rows = np.empty((total, 3), dtype=np.int64)
    for first in range(0, count, BLOCK):
        size = min(BLOCK, count - first)
        _, words, vectors = synthetic.block(first, size)
        sentence_vectors[first * SENTENCES:(first + size) * SENTENCES] = vectors.reshape(
            -1, DIMENSION)
        passage_vectors[first:first + size] = unit(vectors.mean(axis=1))
        texts = synthetic.sentence_texts(words)
        for offset in range(0, size, PASSAGES_PER_DOCUMENT):
            number = (first + offset) // PASSAGES_PER_DOCUMENT
            doc_id, parts, cursor = f"doc-{number}", [], 0
            for local in range(offset, min(offset + PASSAGES_PER_DOCUMENT, size)):
                position = first + local
                sentences = texts[local * SENTENCES:(local + 1) * SENTENCES]
                start = cursor
                for j, sentence in enumerate(sentences):
                    rows[position * SENTENCES + j] = (position, cursor, cursor + len(sentence))
                    cursor += len(sentence) + 1
                text = " ".join(sentences)
                chunks.append(Chunk(f"{doc_id}-{position}", doc_id, local - offset, start,
                                    start + len(text), text, (), None, None))
                passages_lexical.append(text)
                parts.append(text)
            documents.append(Document(doc_id, f"{doc_id}.txt", " ".join(parts) + " ",
                                      Metadata(f"Synthetic document {number}")))
    timings["generate_s"] = time.perf_counter() - began
    settings = Settings()
    mark = time.perf_counter()
    lexical = LexicalIndex.build(passages_lexical, settings)
    document_lexical = LexicalIndex.build(
        [lexical_text(d.metadata.title, (), d.text, settings) for d in documents], settings)
    timings["bm25_s"] = time.perf_counter() - mark
    mark = time.perf_counter()
    sentences = SentenceTable(rows, VectorSet.of(sentence_vectors, compact, searchable=True),
                              VectorSet.of(sentence_vectors, compact), [])
    timings["vector_index_s"] = time.perf_counter() - mark
    manifest = Manifest(
        fingerprint=index_fingerprint(settings, IDENTITY), package_version="bench",
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        dimension=DIMENSION, documents=len(documents), chunks=count, sentences=total)
    mark = time.perf_counter()
    write_build(build_dir, manifest, documents, chunks, VectorSet.of(passage_vectors, compact),
                [], lexical, sentences, document_lexical,
                VectorSet.of(np.zeros((0, DIMENSION), dtype=np.float32)), [],
                corpus_words(documents, chunks))
    (build_dir / "generated-sentences.npy").unlink()
    publish(folder, build_dir)
    timings["write_s"] = time.perf_counter() - mark
    return {**timings, "build_s": time.perf_counter() - began, "passages": count,
            "sentences": total, "documents": len(documents), "compact": compact}


class FixedQuestions:
    """Stands in for the embedder at question time: each question text has its vector."""

    dimension = DIMENSION
    identity = IDENTITY

    def __init__(self, vectors: dict[str, np.ndarray]) -> None:
        self.vectors = vectors

    def encode_query(self, question: str) -> np.ndarray:
        return self.vectors[question]


def questions(stored_chunks: list[Chunk], sentence_vectors: VectorSet, count: int,
              seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng([seed, 1])
    asked = {}
    for position in rng.choice(len(stored_chunks), count, replace=False):
        words = stored_chunks[position].text.replace(".", "").split()
        text = " ".join(rng.choice(words, 4, replace=False))
        row = int(position) * SENTENCES + int(rng.integers(0, SENTENCES))
        vector = sentence_vectors.rows([row])[0] + rng.standard_normal(DIMENSION) * 0.03
        asked[text] = unit(vector)
    return asked


def exact_dense(stored: StoredIndex, queries: np.ndarray, weight: float) -> np.ndarray:
    """Every passage's dense signal for every question [passages, questions]: the exhaustive
    formula, over contiguous blocks of passages (the 8-bit sets are never expanded whole; the
    exact top 10 is therefore that of the stored 8-bit rows, not of the fp32 vectors)."""
    bounds = stored.sentences.bounds
    count = len(stored.chunks)
    dense = np.empty((count, len(queries)), dtype=np.float32)
    for first in range(0, count, BLOCK):
        last = min(first + BLOCK, count)
        sentences = stored.sentences.dense.rows(slice(bounds[first], bounds[last])) @ queries.T
        best = np.maximum.reduceat(sentences, bounds[first:last] - bounds[first], axis=0)
        whole = stored.dense.rows(slice(first, last)) @ queries.T
        dense[first:last] = weight * best + (1 - weight) * whole
    return dense


def query(folder: Path, count: int, repeats: int, seed: int) -> dict[str, object]:
    began = time.perf_counter()
    stored = load_build(folder, Settings())
    asked = questions(stored.chunks, stored.sentences.dense, count, seed)
    # Retrieval with the extractive answer, as the warm figures of compare_peer.py: the reader
    # on synthetic pseudo-words measures nothing of scale and had come to dominate this figure
    # once it was on by default (about 100 ms of 105 at 100,000 passages).
    engine = Engine(stored, folder, FixedQuestions(asked), query=RETRIEVAL_ONLY)
    loaded_s = time.perf_counter() - began
    texts = list(asked)
    latencies = time_calls(lambda text: engine.search(text, k=5), texts, repeats)
    served_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    vectors = np.stack([asked[text] for text in texts])
    dense = exact_dense(stored, vectors, engine.retriever.settings.best_sentence_weight)
    recall = []
    for column, text in enumerate(texts):
        terms = stored.lexical.query_terms(text)
        served = [p.position for p in engine.retriever.score_passages(
            asked[text], terms, None, 10)]
        _, lexical = engine.retriever.lexical_scores(terms, np.arange(len(stored.chunks)))
        exact = best_first(fuse("hybrid", dense[:, column], lexical,
                                engine.retriever.settings), 10)
        recall.append(len(set(served) & set(exact.tolist())) / 10)
    latencies.sort()
    return {"passages": len(stored.chunks), "sentences": len(stored.sentences.rows),
            "candidates": engine.retriever.passages is not None, "load_s": loaded_s,
            "query_p50_ms": statistics.median(latencies),
            "query_p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
            "queries": len(latencies), "recall_at_10": float(np.mean(recall)),
            "rss_serving_mib": served_rss,
            "settings": QuerySettings().fusion.__dict__}


def naive(count: int, questions_count: int, repeats: int, seed: int) -> dict[str, object]:
    """The naive pipeline's core at the same size: FAISS's flat L2 index over the same passage
    vectors (what `FAISS.from_documents` builds), searched for k=5. Without LangChain's
    docstore and wrappers, so its time and memory are a lower bound on the naive pipeline's."""
    import faiss

    synthetic = Synthetic(seed)
    index = faiss.IndexFlatL2(DIMENSION)
    began = time.perf_counter()
    for first in range(0, count, BLOCK):
        _, _, vectors = synthetic.block(first, min(BLOCK, count - first))
        index.add(unit(vectors.mean(axis=1)))
    built = time.perf_counter() - began
    rng = np.random.default_rng([seed, 1])
    asked = unit(rng.standard_normal((questions_count, DIMENSION)))
    latencies = sorted(time_calls(lambda vector: index.search(vector[None], 5), list(asked),
                                  repeats))
    return {"passages": count, "build_s": built, "query_p50_ms": statistics.median(latencies),
            "query_p95_ms": latencies[int(0.95 * (len(latencies) - 1))],
            "rss_serving_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    making = commands.add_parser("build", help="write a synthetic index build")
    making.add_argument("passages", type=int)
    making.add_argument("folder", type=Path)
    asking = commands.add_parser("query", help="time Engine.search on a synthetic build")
    asking.add_argument("folder", type=Path)
    flat = commands.add_parser("naive", help="the naive pipeline's flat index, same vectors")
    flat.add_argument("passages", type=int)
    for command in (asking, flat):
        command.add_argument("--questions", type=int, default=50)
        command.add_argument("--repeats", type=int, default=3)
    for command in (making, asking, flat):
        command.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.command == "build":
        result = build(args.passages, args.folder, args.seed)
    elif args.command == "query":
        result = query(args.folder, args.questions, args.repeats, args.seed)
    else:
        result = naive(args.passages, args.questions, args.repeats, args.seed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
