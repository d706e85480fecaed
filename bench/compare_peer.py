"""This project and the naive LangChain pipeline (bench/naive_pipeline.py), side by side.

Both run in one invocation on the same machine, interleaved wherever they are timed, so the
ratio (ours / naive) is fair on a shared, noisy machine even when the absolute times are not.
Nothing is cached between them or from earlier runs: every build gets fresh temporary index
and vector-cache folders (RAG_INDEX_DIR, RAG_CACHE_DIR, RAG_CORPUS_DIR point into them), and
nothing under the checkout's index/ or .rag-cache/ is read or written.

    python bench/compare_peer.py                        # --docs 300 --repeats 3
    python bench/compare_peer.py --docs 100 --repeats 1 # quick: a few minutes
    python bench/compare_peer.py --only warm,ndcg --data scifact --json /tmp/peer.json
    python bench/compare_peer.py --full                 # all 5,183 SciFact abstracts: hours
    python bench/compare_peer.py --scale 1000000 --only scale  # 1 M synthetic passages

Figures (medians over --repeats where timed):
  cold   a new process that loads the saved index and answers one question: `rag ask --json`
         against the prebuilt index, and `naive_pipeline.py ask` (load_local + k=5); wall
         time and the child's peak RSS (os.wait4's rusage of exactly that child, through
         bench/child_usage.py)
  warm   in-process query latency p50/p95: Engine.search(q, k=5) (hybrid, extractive answer)
         and FAISS similarity_search(q, k=5), on eval/devset+heldout and SciFact train queries;
         each answers BLOCK questions in a row, the two taking turns (a diagnostic row rotates
         them every question, which leaves the other's forward pass between two of ours)
  build  from empty caches, each in a new process as a user runs it: `rag build` for corpus/,
         the BEIR index build of `rag eval --beir` (ensure_beir_index) for SciFact, and
         `naive_pipeline.py build-*` for the naive pipeline
  ndcg   nDCG@10 (and Recall@100) on SciFact train over the --docs subset, both scored by the
         same pytrec_eval code; ours is also cross-checked against `rag eval --beir` itself
  scale  with --scale N: N synthetic passages (bench/scale.py), no model: build, warm query
         p50/p95 through Engine.search, serving RSS, recall of the exact top 10; the naive side
         is a flat FAISS index over the same passage vectors
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np
import pytrec_eval

BENCH_DIR = Path(__file__).resolve().parent
PROJECT = BENCH_DIR.parent
NAIVE_SCRIPT = BENCH_DIR / "naive_pipeline.py"
CHILD_USAGE = BENCH_DIR / "child_usage.py"  # reaps each child, for its own peak RSS
SCIFACT = Path("/work/shared/data/scifact")
QUESTION_FILES = (PROJECT / "eval" / "devset.jsonl", PROJECT / "eval" / "heldout.jsonl")
FIGURE_GROUPS = ("cold", "warm", "build", "ndcg", "scale")  # scale: only with --scale N
DATASETS = ("shipped", "scifact")
K = 5
DEPTH = 100
WARMUP = 3
# Questions one pipeline answers in a row while timed: warm means its own weights and index in
# the caches, as in a server answering a stream of questions. Rotating every question put the
# naive pipeline's forward pass (~90 MB of fp32 weights) between every two of ours, which
# evicts ours: 3.9 ms against 2.8-3.1 in blocks of 25, the naive pipeline's own time the
# same either way, and the same with torch's threads made to sleep (docs/speed.md).
BLOCK = 25
PACKAGES = ("torch", "sentence-transformers", "transformers", "huggingface-hub", "faiss-cpu",
            "langchain-core", "langchain-text-splitters", "langchain-community",
            "langchain-huggingface", "pytrec-eval-terrier", "usip-rag")

# Our SciFact build, run in a new process: the exact path `rag eval --beir` takes before it
# ranks (load_beir + ensure_beir_index, into $RAG_CACHE_DIR), without the ranking.
OURS_BEIR_BUILD = """
import json, sys, time
began = time.perf_counter()
from pathlib import Path
from rag.evaluation.beir_cache import ensure_beir_index
from rag.index.store import read_manifest
from rag.ingest.beir import load_beir
imported = time.perf_counter()
folder = Path(sys.argv[1])
data = load_beir(folder, "train")
cached = ensure_beir_index(data, folder, progress=False)
manifest = read_manifest(cached.index_dir) or {}
manifest = manifest if isinstance(manifest, dict) else manifest.as_dict()  # typed since 1947151
print(json.dumps({"index_dir": str(cached.index_dir), "built": cached.built,
                  "import_s": imported - began, "build_s": cached.seconds,
                  "embedded": cached.embedded,
                  "documents": manifest.get("documents"), "chunks": manifest.get("chunks"),
                  "sentences": manifest.get("sentences")}))
"""
RAG_BUILD_LINE = re.compile(r"Indexed (\d+) documents, (\d+) passages \((\d+) embedded, "
                            r"(\d+) reused[^)]*\) in ([\d.]+) s")  # "; passage vectors pooled …"


# ---------------------------------------------------------------------------------------------
# Figures and the table


@dataclass
class Figure:
    """One row of the table: a median for each pipeline and every sample behind it."""

    name: str
    unit: str
    ours: float | None
    naive: float | None
    samples_ours: list[float] = field(default_factory=list)
    samples_naive: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.ours is None or self.naive is None or self.naive == 0:
            return None
        return self.ours / self.naive

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "unit": self.unit, "ours": self.ours, "naive": self.naive,
                "ratio": self.ratio, "samples_ours": self.samples_ours,
                "samples_naive": self.samples_naive, "note": self.note}


def median_figure(name: str, unit: str, ours: list[float], naive: list[float],
                  note: str = "") -> Figure:
    return Figure(name, unit, statistics.median(ours) if ours else None,
                  statistics.median(naive) if naive else None, ours, naive, note)


def shown(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "":
        return f"{value:.4f}"
    if unit in {"ms", "s", "MiB"} and value < 10:
        return f"{value:.2f} {unit}"
    if unit in {"ms", "s"}:
        return f"{value:.1f} {unit}"
    return f"{value:,.0f} {unit}"


def table(figures: list[Figure]) -> str:
    """Plain text, one figure a row; the ratio is ours / naive (below 1: ours is smaller)."""
    rows = [("figure", "ours", "naive", "ratio")] + [
        (f.name, shown(f.ours, f.unit), shown(f.naive, f.unit),
         "—" if f.ratio is None else f"{f.ratio:.2f}×") for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append(" | ".join([row[0].ljust(widths[0]),
                                 *(cell.rjust(width) for cell, width in zip(row[1:], widths[1:],
                                                                            strict=True))]))
        if n == 0:
            lines.append("-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def percentile(values: list[float], share: float) -> float:
    return float(np.percentile(np.asarray(values), share * 100))


# ---------------------------------------------------------------------------------------------
# Child processes


@dataclass
class Child:
    wall_s: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> dict[str, Any]:
        """The child's last stdout line that is a JSON object (ours prints indented JSON)."""
        text = self.stdout.strip()
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return json.loads(text.splitlines()[-1])


def run_child(args: list[str], env: dict[str, str], cwd: Path) -> Child:
    """Run one fresh process, through bench/child_usage.py, which reaps it with os.wait4: its
    peak RSS is that child's alone, not mixed with earlier children's (as RUSAGE_CHILDREN's
    maximum would be) nor floored at this benchmark's own RSS (as a child started from here
    would be), and needs no polling that could miss a short peak."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "usage.json"
        proc = subprocess.run([sys.executable, "-S", str(CHILD_USAGE), str(report), *args],
                              stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                              cwd=cwd, check=False)
        out.seek(0)
        err.seek(0)
        if not report.is_file():  # the helper itself failed before it could run the command
            raise RuntimeError(f"{CHILD_USAGE.name} wrote no report (exit {proc.returncode}): "
                               f"{err.read().decode('utf-8', 'replace')[-3000:]}")
        usage = json.loads(report.read_text())
        child = Child(usage["wall"], usage["maxrss_kib"] / 1024, usage["returncode"],
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}… exited {child.returncode}:\n"
                           f"{child.stderr[-3000:]}")
    return child


def rag_command() -> str:
    beside = Path(sys.executable).parent / "rag"
    return str(beside) if beside.exists() else (shutil.which("rag") or "rag")


@dataclass
class Workspace:
    """Every folder a run writes, under one temporary root; a fresh one per build."""

    root: Path
    corpus: Path
    counter: int = 0

    def fresh(self, label: str) -> Path:
        self.counter += 1
        path = self.root / f"{self.counter:03d}-{label}"
        path.mkdir(parents=True)
        return path

    def env(self, index_dir: Path | None = None, cache_dir: Path | None = None) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
                    "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
                    "RAG_CORPUS_DIR": str(self.corpus),
                    "RAG_INDEX_DIR": str(index_dir or self.root / "unused-index"),
                    "RAG_CACHE_DIR": str(cache_dir or self.root / "unused-cache")})
        return env


def folder_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


# ---------------------------------------------------------------------------------------------
# Data


@dataclass
class Subset:
    """A BEIR folder holding the first N SciFact abstracts, with the train queries and qrels
    restricted to them: both pipelines read the same files."""

    folder: Path
    documents: int
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]  # keyed by the raw BEIR ids


def write_subset(source: Path, target: Path, docs: int | None) -> Subset:
    """The first `docs` corpus lines (all with None), verbatim, so the raw bytes and ids match
    SciFact's; a query is kept only if one of its judged documents is in the subset."""
    lines = [line for line in source.joinpath("corpus.jsonl").read_text("utf-8").splitlines()
             if line.strip()]
    kept = lines[:docs] if docs else lines
    ids = {str(json.loads(line)["_id"]) for line in kept}
    qrels: dict[str, dict[str, int]] = {}
    with open(source / "qrels" / "train.tsv", encoding="utf-8") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            if row["corpus-id"] in ids:
                qrels.setdefault(row["query-id"], {})[row["corpus-id"]] = int(row["score"])
    queries = {}
    for line in source.joinpath("queries.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if str(row["_id"]) in qrels:
                queries[str(row["_id"])] = row["text"]
    (target / "qrels").mkdir(parents=True)
    target.joinpath("corpus.jsonl").write_text("\n".join(kept) + "\n", "utf-8")
    target.joinpath("queries.jsonl").write_text(
        "".join(json.dumps({"_id": q, "text": t}) + "\n" for q, t in queries.items()), "utf-8")
    with open(target / "qrels" / "train.tsv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t")
        writer.writerow(["query-id", "corpus-id", "score"])
        writer.writerows([q, d, s] for q, judged in qrels.items() for d, s in judged.items())
    return Subset(target, len(kept), queries, qrels)


def shipped_questions() -> list[str]:
    questions = []
    for path in QUESTION_FILES:
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    return questions


# ---------------------------------------------------------------------------------------------
# Builds (figure 3; also how the indexes for the other figures are made)


@dataclass
class Built:
    index_dir: Path
    cache_dir: Path
    child: Child
    report: dict[str, Any]


def build_ours_shipped(ws: Workspace) -> Built:
    """`rag build`, as a user runs it, into a new empty index folder (its only vector cache)."""
    place = ws.fresh("ours-shipped")
    index_dir, cache_dir = place / "index", place / "cache"
    child = run_child([rag_command(), "build"], ws.env(index_dir, cache_dir), place)
    match = RAG_BUILD_LINE.search(child.stdout)
    report = dict(zip(("documents", "chunks", "embedded", "reused", "build_s"),
                      (float(g) for g in match.groups()), strict=True)) if match else {}
    return Built(index_dir, cache_dir, child, report)


def build_ours_scifact(ws: Workspace, subset: Subset) -> Built:
    place = ws.fresh("ours-scifact")
    cache_dir = place / "cache"
    child = run_child([sys.executable, "-c", OURS_BEIR_BUILD, str(subset.folder)],
                      ws.env(place / "unused-index", cache_dir), place)
    report = child.json()
    if not report["built"]:
        raise RuntimeError("the SciFact index was reused, not built: the cache was not empty")
    return Built(Path(report["index_dir"]), cache_dir, child, report)


def build_naive(ws: Workspace, command: str, source: Path, label: str) -> Built:
    place = ws.fresh(label)
    index_dir = place / "index"
    child = run_child([sys.executable, str(NAIVE_SCRIPT), command, str(source), str(index_dir)],
                      ws.env(place / "unused-index", place / "cache"), place)
    return Built(index_dir, place / "cache", child, child.json())


def paired_builds(repeats: int, ours: Callable[[], Built],
                  naive: Callable[[], Built]) -> tuple[list[Built], list[Built]]:
    """`repeats` builds of each pipeline, interleaved (see `alternate`)."""
    pairs = [alternate(r, ours, naive) for r in range(repeats)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def build_reports(ours: list[Built], naive: list[Built]) -> dict[str, list[object]]:
    return {"ours": [b.report for b in ours], "naive": [b.report for b in naive]}


def alternate(repeat: int, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run both, swapping which goes first every repeat so drifting load hits both alike."""
    if repeat % 2 == 0:
        a = first()
        return a, second()
    b = second()
    return first(), b


def build_figures(label: str, ours: list[Built], naive: list[Built],
                  ours_texts: Callable[[dict[str, Any]], float | None]) -> list[Figure]:
    figures = [
        median_figure(f"{label}: build, new process, wall", "s",
                      [b.child.wall_s for b in ours], [b.child.wall_s for b in naive],
                      "imports + model load + read + chunk + embed + index + save"),
        median_figure(f"{label}: build, inside the process", "s",
                      [b.report["build_s"] for b in ours if "build_s" in b.report],
                      [b.report["build_s"] for b in naive],
                      "ours: the build's own timer (model load included, as it loads lazily); "
                      "naive: model load + split + embed + FAISS + save"),
        median_figure(f"{label}: build, peak RSS", "MiB",
                      [b.child.peak_rss_mib for b in ours], [b.child.peak_rss_mib for b in naive]),
    ]
    figures.append(Figure(f"{label}: texts embedded", "texts", ours_texts(ours[-1].report),
                          float(naive[-1].report["chunks"]),
                          note="ours: distinct passages, sentences and titles; naive: chunks"))
    figures.append(Figure(f"{label}: index size on disk", "MiB",
                          folder_mib(ours[-1].index_dir), folder_mib(naive[-1].index_dir)))
    return figures


def scifact_texts(report: dict[str, Any]) -> float | None:
    return float(report["embedded"]) if report.get("embedded") else None


# ---------------------------------------------------------------------------------------------
# Cold start (figure 1)


def cold_start(ws: Workspace, ours: Built, naive: Built, question: str,
               repeats: int) -> tuple[list[Figure], dict[str, Any]]:
    """One untimed run of each first, so both are measured with the files in the page cache
    and bytecode compiled, the state a user's second and later runs are in."""
    ours_args = [rag_command(), "ask", question, "--json"]
    naive_args = [sys.executable, str(NAIVE_SCRIPT), "ask", str(naive.index_dir), question]
    ours_env = ws.env(ours.index_dir, ours.cache_dir)
    naive_env = ws.env(ws.root / "unused-index", naive.cache_dir)
    place = ws.fresh("cold")

    def run_ours() -> Child:
        return run_child(ours_args, ours_env, place)

    def run_naive() -> Child:
        return run_child(naive_args, naive_env, place)

    run_ours()
    run_naive()
    pairs = [alternate(r, run_ours, run_naive) for r in range(repeats)]
    ours_runs, naive_runs = [p[0] for p in pairs], [p[1] for p in pairs]
    answer = ours_runs[-1].json()
    detail = {"question": question, "ours_answer": answer.get("answer"),
              "ours_abstained": answer.get("abstained"),
              "ours_top": [p["doc_id"] for p in answer.get("passages", [])],
              "naive_top": [p.get("source") for p in naive_runs[-1].json()["passages"]]}
    return [
        median_figure("cold start to first answer, wall", "s",
                      [c.wall_s for c in ours_runs], [c.wall_s for c in naive_runs],
                      "new process: imports + model + index load + one k=5 query"),
        median_figure("cold start, peak RSS", "MiB", [c.peak_rss_mib for c in ours_runs],
                      [c.peak_rss_mib for c in naive_runs]),
    ], detail


# ---------------------------------------------------------------------------------------------
# Warm queries (figure 2) and nDCG@10 (figure 4), in this process


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return (time.perf_counter() - began) * 1000


def one_torch_thread(action: Callable[[str], object]) -> Callable[[str], object]:
    """`action` with torch on one thread, as Engine.encode_few runs our query encoding: a
    diagnostic arm that shows how much of the naive latency is OpenMP contention on a busy
    2-core machine rather than the pipeline itself."""
    import torch

    def pinned(question: str) -> object:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return action(question)
        finally:
            torch.set_num_threads(threads)

    return pinned


def turns(arms: dict[str, Callable[[str], object]], questions: list[str], repeat: int,
          block: int) -> dict[str, list[float]]:
    """Each arm answers `block` questions in a row and the arms take turns, in an order that
    rotates from block to block, so the machine's drift falls on all of them alike."""
    timings: dict[str, list[float]] = {name: [] for name in arms}
    names = list(arms)
    for n, start in enumerate(range(0, len(questions), block)):
        shift = (repeat + n) % len(names)
        for name in names[shift:] + names[:shift]:
            timings[name] += [timed(lambda a=arms[name], q=question: a(q))
                              for question in questions[start:start + block]]
    return timings


def warm_latency(label: str, ours: Callable[[str], object], naive: Callable[[str], object],
                 questions: list[str], repeats: int) -> tuple[list[Figure], dict[str, Any]]:
    """Each question asked of ours, the naive pipeline and the naive pipeline on one torch
    thread, in turns of BLOCK questions, after a few warm-up questions; p50 and p95 per
    repeat, then the median of those over the repeats. Then the same with the two rotated
    every question (diagnostic)."""
    arms = {"ours": ours, "naive": naive, "naive_1thread": one_torch_thread(naive)}
    for question in questions[:WARMUP]:
        for arm in arms.values():
            arm(question)
    per_repeat: dict[str, list[float]] = {f"{a}_{p}": [] for a in [*arms, "ours_rotated",
                                                                     "naive_rotated"]
                                          for p in ("p50", "p95")}
    for repeat in range(repeats):
        timings = turns(arms, questions, repeat, BLOCK)
        rotated = turns({"ours": ours, "naive": naive}, questions, repeat, 1)
        timings |= {f"{name}_rotated": values for name, values in rotated.items()}
        for name, values in timings.items():
            per_repeat[f"{name}_p50"].append(percentile(values, 0.50))
            per_repeat[f"{name}_p95"].append(percentile(values, 0.95))
    return [
        median_figure(f"{label}: warm query p50", "ms", per_repeat["ours_p50"],
                      per_repeat["naive_p50"]),
        median_figure(f"{label}: warm query p95", "ms", per_repeat["ours_p95"],
                      per_repeat["naive_p95"]),
        median_figure(f"{label}: warm p50, naive on 1 torch thread (diagnostic)", "ms",
                      per_repeat["ours_p50"], per_repeat["naive_1thread_p50"],
                      "naive's query encoding pinned to one thread, as ours already is"),
        median_figure(f"{label}: warm p50, rotated every question (diagnostic)", "ms",
                      per_repeat["ours_rotated_p50"], per_repeat["naive_rotated_p50"],
                      "each pipeline's question right after the other's: caches cold"),
    ], {"questions": len(questions), "block": BLOCK, **per_repeat}


def trec_run(rankings: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Scores from the rank, so trec_eval's re-sort keeps each pipeline's order exactly."""
    return {q: {d: float(len(docs) - i) for i, d in enumerate(docs)}
            for q, docs in rankings.items()}


def retrieval_scores(qrels: dict[str, dict[str, int]],
                     rankings: dict[str, list[str]]) -> dict[str, float]:
    evaluator = pytrec_eval.RelevanceEvaluator({q: qrels[q] for q in rankings},
                                               {"ndcg_cut.10", "recall.100"})
    per_query = evaluator.evaluate(trec_run(rankings))
    return {name: statistics.mean(per_query.get(q, {}).get(measure, 0.0) for q in rankings)
            for name, measure in (("ndcg@10", "ndcg_cut_10"), ("recall@100", "recall_100"))}


def ndcg_figures(subset: Subset, engine: Any, store: Any,
                 naive_rank: Callable[[Any, str, int], list[tuple[str, float]]],
                 to_raw: dict[str, str]) -> tuple[list[Figure], dict[str, Any]]:
    ours_rank: dict[str, list[str]] = {}
    naive_ranked: dict[str, list[str]] = {}
    ours_ms, naive_ms = [], []
    for n, (qid, text) in enumerate(subset.queries.items()):
        def run_ours(q: str = qid, t: str = text) -> float:
            return timed(lambda: ours_rank.__setitem__(
                q, [to_raw.get(d, d) for d, _ in engine.rank_documents(t, DEPTH)]))

        def run_naive(q: str = qid, t: str = text) -> float:
            return timed(lambda: naive_ranked.__setitem__(
                q, [d for d, _ in naive_rank(store, t, DEPTH)]))

        a, b = alternate(n, run_ours, run_naive)
        ours_ms.append(a)
        naive_ms.append(b)
    ours_scores = retrieval_scores(subset.qrels, ours_rank)
    naive_scores = retrieval_scores(subset.qrels, naive_ranked)
    label = f"SciFact-{subset.documents}"
    return [
        Figure(f"{label}: nDCG@10 ({len(subset.queries)} train queries)", "",
               ours_scores["ndcg@10"], naive_scores["ndcg@10"],
               note="ours: Engine.rank_documents (hybrid); naive: chunks, max per doc"),
        Figure(f"{label}: Recall@100", "", ours_scores["recall@100"],
               naive_scores["recall@100"]),
        median_figure(f"{label}: document ranking p50 (depth {DEPTH})", "ms", ours_ms, naive_ms,
                      "retrieval alone: rank_documents / similarity_search_with_score"),
    ], {"ours": ours_scores, "naive": naive_scores}


def cli_ndcg(ws: Workspace, subset: Subset, ours: Built) -> dict[str, Any]:
    """The project's own `rag eval --beir` on the same subset, reusing the index just built:
    a cross-check that the in-process scoring above is the project's BEIR figure."""
    child = run_child([rag_command(), "eval", "--beir", str(subset.folder), "--split", "train",
                       "--json"], ws.env(ws.root / "unused-index", ours.cache_dir),
                      ws.fresh("cli-eval"))
    summary = child.json()
    return {"ndcg@10": summary.get("ndcg@10"), "recall@100": summary.get("recall@100"),
            "index_built": summary.get("index_built"), "wall_s": child.wall_s}


# ---------------------------------------------------------------------------------------------
# Synthetic scale


def scale_figures(args: argparse.Namespace, ws: Workspace) -> list[Figure]:
    """`--scale N`: N synthetic passages (bench/scale.py: clustered random unit vectors and
    generated text, no model), built, loaded and queried in child processes of their own."""
    script, count = str(BENCH_DIR / "scale.py"), str(args.scale)
    folder = ws.fresh(f"scale-{args.scale}")
    log(f"scale: building {args.scale:,} synthetic passages")
    built = run_child([sys.executable, script, "build", count, str(folder)], ws.env(), PROJECT)
    log("scale: Engine.search, then the exact top 10 of every question")
    asked = run_child([sys.executable, script, "query", str(folder), "--repeats",
                       str(args.repeats)], ws.env(), PROJECT)
    log("scale: the naive pipeline's flat index over the same vectors")
    flat = run_child([sys.executable, script, "naive", count, "--repeats", str(args.repeats)],
                     ws.env(), PROJECT)
    made, ours, naive = built.json(), asked.json(), flat.json()
    label = f"scale-{args.scale:,}"
    note = (f"{made['sentences']:,} sentences; vectors "
            f"{'8-bit rows + IVF index, candidates' if made['compact'] else 'fp32, exhaustive'}")
    return [
        Figure(f"{label}: build, no model", "s", made["build_s"], naive["build_s"], note=note),
        Figure(f"{label}: warm query p50", "ms", ours["query_p50_ms"], naive["query_p50_ms"]),
        Figure(f"{label}: warm query p95", "ms", ours["query_p95_ms"], naive["query_p95_ms"]),
        Figure(f"{label}: peak RSS, serving", "MiB", ours["rss_serving_mib"],
               naive["rss_serving_mib"]),
        Figure(f"{label}: recall of the exact top 10", "", ours["recall_at_10"], None),
    ]


# ---------------------------------------------------------------------------------------------
# Main


def environment() -> dict[str, Any]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"python": platform.python_version(), "platform": platform.platform(),
            "cpus": os.cpu_count(), "packages": versions}


def parse_list(value: str, allowed: Iterable[str]) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = [part for part in chosen if part not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from "
                                         f"{', '.join(allowed)}")
    return chosen


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:]))
    parser.add_argument("--docs", type=int, default=300,
                        help="SciFact: index the first N abstracts (default 300)")
    parser.add_argument("--full", action="store_true",
                        help="SciFact: all 5,183 abstracts (our build takes about an hour)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats (default 3)")
    parser.add_argument("--queries", type=int, default=100,
                        help="SciFact warm latency: at least this many timed queries per "
                             "repeat, cycling the subset's train queries (default 100)")
    parser.add_argument("--only", type=lambda v: parse_list(v, FIGURE_GROUPS),
                        default=list(FIGURE_GROUPS),
                        help=f"figures to measure, comma-separated: {','.join(FIGURE_GROUPS)}")
    parser.add_argument("--data", type=lambda v: parse_list(v, DATASETS), default=list(DATASETS),
                        help="datasets: shipped (corpus/), scifact, comma-separated")
    parser.add_argument("--scifact", type=Path, default=SCIFACT, help="the SciFact BEIR folder")
    parser.add_argument("--scale", type=int, metavar="N",
                        help="also N synthetic passages, without the model: build, query "
                             "p50/p95, serving RSS, recall of the exact top 10 (bench/scale.py)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save the raw numbers")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR (must not exist) and keep it, instead of a temporary "
                             "folder removed at the end")
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.docs < 1:
        parser.error("--repeats and --docs must be at least 1")
    if args.scale is not None and args.scale < 1:
        parser.error("--scale must be at least 1")
    if args.json and not args.json.parent.is_dir():
        parser.error(f"the folder {args.json.parent} does not exist")
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.2f}] {message}",
          file=sys.stderr, flush=True)


def run(args: argparse.Namespace, ws: Workspace) -> dict[str, Any]:
    """Every selected figure; the indexes the timed figures need are built even when the
    build figure itself is not selected (once, untimed)."""
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    only = set(args.only)
    build_repeats = args.repeats if "build" in only else 1
    shipped = "shipped" in args.data and only & {"cold", "warm", "build"}
    scifact = "scifact" in args.data and only & {"warm", "build", "ndcg"}
    if args.scale and "scale" in only:
        figures += scale_figures(args, ws)
    engine_mod = naive_mod = None
    if (shipped and "warm" in only) or scifact:
        sys.path.insert(0, str(BENCH_DIR))
        import naive_pipeline as naive_mod  # the naive pipeline, loaded in this process too

        from rag import engine as engine_mod
        from rag.settings import RETRIEVAL_ONLY

    if shipped:
        log(f"shipped corpus: {build_repeats} build(s) each, from empty caches")
        ours_builds, naive_builds = paired_builds(
            build_repeats, lambda: build_ours_shipped(ws),
            lambda: build_naive(ws, "build-corpus", ws.corpus, "naive-shipped"))
        details["shipped_build"] = build_reports(ours_builds, naive_builds)
        if "build" in only:
            figures += build_figures(
                "corpus/", ours_builds, naive_builds,
                lambda r: r.get("embedded", 0) + r.get("reused", 0) if r else None)
        if "cold" in only:
            log(f"cold start: 1 untimed + {args.repeats} timed new processes each")
            rows, details["cold"] = cold_start(ws, ours_builds[-1], naive_builds[-1],
                                               shipped_questions()[0], args.repeats)
            figures += rows
        if "warm" in only:
            questions = shipped_questions()
            log(f"warm queries, corpus/: {len(questions)} questions × {args.repeats}")
            engine = engine_mod.Engine.open(ours_builds[-1].index_dir, ws.corpus,
                                            query=RETRIEVAL_ONLY)
            store = naive_mod.load(naive_builds[-1].index_dir)
            rows, details["warm_shipped"] = warm_latency(
                "corpus/", lambda q: engine.search(q, k=K),
                lambda q: store.similarity_search(q, k=K), questions, args.repeats)
            figures += rows

    if scifact:
        subset = write_subset(args.scifact, ws.fresh("scifact-subset"),
                              None if args.full else args.docs)
        label = f"SciFact-{subset.documents}"
        details["scifact_subset"] = {"documents": subset.documents,
                                     "queries": len(subset.queries),
                                     "judged_pairs": sum(map(len, subset.qrels.values()))}
        log(f"{label}: {build_repeats} build(s) each, from empty caches "
            f"({len(subset.queries)} train queries judged in the subset)")
        ours_builds, naive_builds = paired_builds(
            build_repeats, lambda: build_ours_scifact(ws, subset),
            lambda: build_naive(ws, "build-beir", subset.folder, "naive-scifact"))
        details["scifact_build"] = build_reports(ours_builds, naive_builds)
        if "build" in only:
            figures += build_figures(label, ours_builds, naive_builds, scifact_texts)
        if only & {"warm", "ndcg"} and subset.queries:
            engine = engine_mod.Engine.open(ours_builds[-1].index_dir, subset.folder,
                                            query=RETRIEVAL_ONLY)
            store = naive_mod.load(naive_builds[-1].index_dir)
            if "warm" in only:
                texts = list(subset.queries.values())
                questions = (texts * -(-args.queries // len(texts)))[:max(args.queries,
                                                                         len(texts))]
                log(f"warm queries, {label}: {len(questions)} × {args.repeats}")
                rows, details["warm_scifact"] = warm_latency(
                    label, lambda q: engine.search(q, k=K),
                    lambda q: store.similarity_search(q, k=K), questions, args.repeats)
                figures += rows
            if "ndcg" in only:
                from rag.ingest.beir import key_safe

                log(f"nDCG@10, {label}: {len(subset.queries)} queries")
                to_raw = {key_safe(d): d for d in
                          (json.loads(line)["_id"] for line in
                           subset.folder.joinpath("corpus.jsonl").read_text("utf-8").split("\n")
                           if line.strip())}
                rows, details["ndcg"] = ndcg_figures(subset, engine, store,
                                                     naive_mod.rank_documents, to_raw)
                figures += rows
                log("cross-check: rag eval --beir on the same subset")
                details["ndcg"]["rag_eval_beir"] = cli_ndcg(ws, subset, ours_builds[-1])
    return {"figures": figures, "details": details}


def notes(details: dict[str, Any]) -> list[str]:
    lines = ["ratio = ours / naive: below 1× ours is faster or smaller; for nDCG and Recall "
             "above 1× ours is better.",
             "peak RSS: ru_maxrss of each child from os.wait4 (that child alone, reaped by "
             "bench/child_usage.py)."]
    subset = details.get("scifact_subset")
    if subset:
        lines.append(f"SciFact subset: first {subset['documents']} abstracts of corpus.jsonl, "
                     f"{subset['queries']} train queries with a judged abstract among them "
                     f"({subset['judged_pairs']} judged pairs).")
    ndcg = details.get("ndcg")
    if ndcg and ndcg.get("rag_eval_beir"):
        cli, mine = ndcg["rag_eval_beir"], ndcg["ours"]["ndcg@10"]
        agree = cli["ndcg@10"] is not None and abs(cli["ndcg@10"] - mine) < 5e-4
        lines.append(f"cross-check: `rag eval --beir` on the subset gives nDCG@10 "
                     f"{cli['ndcg@10']} (index reused: {not cli['index_built']}); this run's "
                     f"{mine:.4f} {'agrees' if agree else 'DISAGREES'}.")
    cold = details.get("cold")
    if cold:
        lines.append(f"cold-start question: {cold['question']!r}; ours answered: "
                     f"{not cold['ours_abstained']}.")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    if args.keep:
        args.keep.mkdir(parents=True)
        root = args.keep.resolve()
    else:
        root = Path(tempfile.mkdtemp(prefix="compare-peer-"))
    # This process opens indexes too: point the project's defaults away from the checkout.
    os.environ.update({"RAG_INDEX_DIR": str(root / "unused-index"),
                       "RAG_CACHE_DIR": str(root / "unused-cache"),
                       "RAG_CORPUS_DIR": str(root / "corpus")})
    corpus = root / "corpus"
    shutil.copytree(PROJECT / "corpus", corpus)
    ws = Workspace(root, corpus)
    began, load_before = time.perf_counter(), os.getloadavg()
    try:
        result = run(args, ws)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    figures: list[Figure] = result["figures"]
    print(table(figures))
    print()
    for line in notes(result["details"]):
        print(f"  {line}")
    load_after = os.getloadavg()
    print(f"  machine: {os.cpu_count()} CPUs, load average {load_before[0]:.2f} at start, "
          f"{load_after[0]:.2f} at end; {time.perf_counter() - began:.0f} s in all.")
    if args.json:
        raw = {"config": {key: str(value) if isinstance(value, Path) else value
                          for key, value in vars(args).items()},
               "environment": {**environment(), "load_before": load_before,
                               "load_after": load_after},
               "figures": [f.as_dict() for f in figures], "details": result["details"]}
        args.json.write_text(json.dumps(raw, indent=2, ensure_ascii=False, default=str),
                             "utf-8")


if __name__ == "__main__":
    main()
