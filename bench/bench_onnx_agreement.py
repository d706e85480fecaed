"""How closely, how fast and how small: the ONNX encoders against sentence-transformers.

Prints the cosine of each ONNX encoder's vectors with sentence-transformers' fp32 vectors
(min, p1, mean) on 1,000 passages and on short questions, throughput at 2 threads with batch
32, one-question latency at 1 thread, file sizes and export time; then the same agreement for
other quantisation settings (weight type, per-channel, reduce-range, pre-processing, the
feed-forward output projections with their outlier channels apart (the default), kept in fp32
or quantised whole, each layer's operations fused or not; every
variant is fused unless it says "not fused"). CPU time per text is printed beside wall
time because wall time is only meaningful on an otherwise idle machine. It
asserts nothing about time: the figures are for reading.

    python bench/bench_onnx_agreement.py                       # SciFact's first 1,000 abstracts
    python bench/bench_onnx_agreement.py --texts 300 --repeats 2   # quicker

ONNX timings run before torch is loaded in this process (the export runs in a subprocess),
so torch's idle OpenMP threads cannot slow them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SCIFACT = ROOT.parent / "shared" / "data" / "scifact" / "corpus.jsonl"
QUESTIONS = [
    "What is a peace regime?",
    "Which countries besides the two Koreas and the US must take part in a peace regime?",
    "Who wrote the report?", "Should South Korea go nuclear?",
    "Why did the Hanoi summit fail?", "What is people-focused engagement?",
    "When was the Korean War armistice signed?", "What do ordinary North Koreans think?",
    "denuclearization", "Kim Jong Un", "sanctions relief", "Is a peace treaty needed?",
    "What role does China play?", "How many US troops are in South Korea?",
    "What did the Panmunjom declaration say?", "risks of nuclear armament",
]
EXPORT_CODE = """
import json, sys, time
from pathlib import Path
from rag.index.onnx_export import export_model
start = time.perf_counter()
files = export_model(Path(sys.argv[1]))
first = time.perf_counter() - start
start = time.perf_counter()
again = export_model(Path(sys.argv[1]))
second = time.perf_counter() - start
print(json.dumps({"first": first, "again": second, "exported_again": again.exported,
                  "fp32": str(files.fp32), "int8": str(files.int8)}))
"""


@dataclass
class Measured:
    vectors: np.ndarray
    questions: np.ndarray
    rate: float
    latency: float
    cpu_ms: float


def load_texts(count: int) -> tuple[list[str], str]:
    """SciFact abstracts (title + text) if the shared data is there, else corpus paragraphs."""
    texts: list[str] = []
    if SCIFACT.is_file():
        with open(SCIFACT) as lines:
            for line in lines:
                record = json.loads(line)
                texts.append(f"{record.get('title', '')} {record.get('text', '')}".strip())
                if len(texts) == count:
                    return texts, f"SciFact corpus.jsonl, first {count}"
    for path in sorted((ROOT / "corpus").glob("*.md")):
        texts.extend(part.strip() for part in path.read_text().split("\n\n") if part.strip())
    return texts[:count], f"corpus/*.md paragraphs, first {min(count, len(texts))}"


def cosine_stats(vectors: np.ndarray, reference: np.ndarray) -> str:
    cosines = np.sum(vectors * reference, axis=1)
    return (f"min {cosines.min():.4f}  p1 {np.percentile(cosines, 1):.4f}  "
            f"mean {cosines.mean():.5f}")


def throughput(encode: Callable[[list[str]], np.ndarray], texts: list[str], repeats: int) -> float:
    """Median texts/s over `repeats` full passes, after one warm-up batch."""
    encode(texts[:32])
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        encode(texts)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def latency_p50_ms(encode_one: Callable[[str], np.ndarray], questions: list[str],
                   rounds: int) -> float:
    for question in questions[:3]:
        encode_one(question)
    timings = []
    for _ in range(rounds):
        for question in questions:
            start = time.perf_counter()
            encode_one(question)
            timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000


def cpu_ms_per_text(encode: Callable[[list[str]], np.ndarray], texts: list[str]) -> float:
    """CPU time per text on a one-thread encoder: unlike wall time, barely moved by other
    processes on the machine, so variants compare fairly on a busy one."""
    encode(texts[:8])
    start = time.process_time()
    encode(texts)
    return (time.process_time() - start) / len(texts) * 1000


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def mb(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


def run(args: argparse.Namespace) -> None:
    texts, source = load_texts(args.texts)
    work = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="onnx-bench-"))
    print(f"texts: {len(texts)} ({source}); questions: {len(QUESTIONS)}; work dir: {work}")
    print(f"cores: {os.cpu_count()}; at start: {load()}")
    cost_texts = texts[:args.cpu_texts]

    result = subprocess.run([sys.executable, "-c", EXPORT_CODE, str(work)], check=True,
                            capture_output=True, text=True, cwd=ROOT)
    export = json.loads(result.stdout.strip().splitlines()[-1])
    fp32_path, int8_path = Path(export["fp32"]), Path(export["int8"])
    print(f"export (fp32 + int8, in a fresh process): {export['first']:.1f} s; "
          f"again with files in place: {export['again'] * 1000:.1f} ms "
          f"(exported again: {export['exported_again']})")
    from rag.index.embedding import model_dir
    from rag.index.onnx_encoder import OnnxEncoder
    from rag.index.onnx_export import quantize

    print(f"sizes: safetensors {mb(model_dir() / 'model.safetensors')}, "
          f"onnx fp32 {mb(fp32_path)}, onnx int8 {mb(int8_path)}")

    onnx: dict[str, Measured] = {}
    for name, path in (("onnx fp32", fp32_path), ("onnx int8", int8_path)):
        two = OnnxEncoder(path, threads=2)
        one = OnnxEncoder(path, threads=1)
        onnx[name] = Measured(
            vectors=two.encode(texts), questions=two.encode(QUESTIONS),
            rate=throughput(two.encode, texts, args.repeats),
            latency=latency_p50_ms(one.encode_query, QUESTIONS, args.rounds),
            cpu_ms=cpu_ms_per_text(one.encode, cost_texts),
        )
    assert "torch" not in sys.modules, "torch was loaded before the ONNX timings"
    tokenizer = OnnxEncoder(int8_path, threads=1).tokenizer
    token_counts = [len(e.ids) for e in tokenizer.encode_batch(texts)]
    lengths_note = (f"tokens per text: median {int(np.median(token_counts))}, "
                    f"{sum(c >= 256 for c in token_counts)} truncated at 256")

    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir()), device="cpu")

    def st_encode(batch: list[str]) -> np.ndarray:
        return model.encode(batch, batch_size=32, normalize_embeddings=True,
                            convert_to_numpy=True, show_progress_bar=False)

    torch.set_num_threads(2)
    reference = st_encode(texts)
    reference_questions = st_encode(QUESTIONS)
    st_rate = throughput(st_encode, texts, args.repeats)
    torch.set_num_threads(1)
    st_latency = latency_p50_ms(lambda q: st_encode([q])[0], QUESTIONS, args.rounds)
    st_cpu = cpu_ms_per_text(st_encode, cost_texts)
    torch.set_num_threads(2)

    print(lengths_note)
    print("\nagreement with sentence-transformers fp32 (cosine per text)")
    for name, figures in onnx.items():
        print(f"  {name:10s} passages: {cosine_stats(figures.vectors, reference)}"
              f"   questions: {cosine_stats(figures.questions, reference_questions)}")
    print(f"\nspeed: throughput median of {args.repeats} passes, 2 threads, batch 32, "
          f"length-sorted; latency p50 of {args.rounds * len(QUESTIONS)} single questions, "
          f"1 thread; CPU per text on 1 thread over the first {len(cost_texts)} texts")
    print(f"  {'sentence-transformers torch':28s} {st_rate:7.1f} texts/s   {st_latency:6.1f} ms"
          f"   {st_cpu:6.1f} cpu-ms/text")
    for name, figures in onnx.items():
        print(f"  {name:28s} {figures.rate:7.1f} texts/s   {figures.latency:6.1f} ms"
              f"   {figures.cpu_ms:6.1f} cpu-ms/text")
    print(f"at end of timings: {load()}")

    if args.skip_variants:
        return
    all_int8 = {"ffn_output": "int8"}
    variants: list[tuple[str, dict[str, Any]]] = [
        ("qint8  per-channel, all int8", {"weight_type": "qint8", **all_int8}),
        ("quint8 per-channel, all int8", {"weight_type": "quint8", **all_int8}),
        ("qint8  per-tensor,  all int8",
         {"weight_type": "qint8", "per_channel": False, **all_int8}),
        ("quint8 per-tensor,  all int8",
         {"weight_type": "quint8", "per_channel": False, **all_int8}),
        ("qint8  per-channel, all int8, reduce_range",
         {"weight_type": "qint8", "reduce_range": True, **all_int8}),
        ("qint8  per-channel, all int8, no pre-process",
         {"weight_type": "qint8", "preprocess": False, **all_int8}),
        ("qint8  per-channel, FFN-out outliers split (default)", {"weight_type": "qint8"}),
        ("qint8  per-channel, FFN-out fp32", {"weight_type": "qint8", "ffn_output": "fp32"}),
        ("quint8 per-channel, FFN-out fp32", {"weight_type": "quint8", "ffn_output": "fp32"}),
        ("qint8  per-channel, FFN-out fp32, not fused",
         {"weight_type": "qint8", "fuse": False, "ffn_output": "fp32"}),
        ("qint8  per-channel, all int8, not fused",
         {"weight_type": "qint8", "fuse": False, **all_int8}),
    ]
    print("\nquantisation variants (agreement as above; cpu-ms/text: 1 thread, first "
          f"{len(cost_texts)} texts)")
    for index, (label, options) in enumerate(variants):
        path = work / f"variant-{index}.onnx"
        quantize(fp32_path, path, **options)
        encoder = OnnxEncoder(path, threads=2)
        vectors = encoder.encode(texts)
        cost = cpu_ms_per_text(OnnxEncoder(path, threads=1).encode, cost_texts)
        print(f"  {label:45s} {mb(path):>8s}  passages: {cosine_stats(vectors, reference)}"
              f"   questions: {cosine_stats(encoder.encode(QUESTIONS), reference_questions)}"
              f"   {cost:5.1f} cpu-ms/text")
    print(f"at end: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3, help="full passes for throughput")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the questions")
    parser.add_argument("--cpu-texts", type=int, default=200,
                        help="texts for the CPU-per-text figure")
    parser.add_argument("--out", help="export folder (kept); default: a new temporary folder")
    parser.add_argument("--skip-variants", action="store_true")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
