"""BEIR-format benchmark data (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv), read as
Documents so a benchmark runs through exactly the pipeline the app uses."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rag.errors import RagError
from rag.ingest.documents import Document, Metadata


@dataclass(frozen=True)
class BeirData:
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    corpus_sha256: str


def key_safe(doc_id: str) -> str:
    """BEIR ids are free text; ours must fit a citation key."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in doc_id.lower())
    return safe if safe[:1].isalnum() else f"d{safe}"


def load_beir(folder: Path, split: str = "test") -> BeirData:
    corpus_path, queries_path = folder / "corpus.jsonl", folder / "queries.jsonl"
    qrels_path = folder / "qrels" / f"{split}.tsv"
    for needed in (corpus_path, queries_path, qrels_path):
        if not needed.is_file():
            raise RagError(f"{needed} is missing: a BEIR folder holds corpus.jsonl, "
                           "queries.jsonl and qrels/<split>.tsv")
    raw = corpus_path.read_bytes()
    documents = []
    for line in raw.decode("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            documents.append(Document(key_safe(str(row["_id"])), f"{row['_id']}",
                                      row.get("text") or "",
                                      Metadata(title=row.get("title") or str(row["_id"]))))
    qrels: dict[str, dict[str, int]] = {}
    with open(qrels_path, encoding="utf-8") as rows:
        for row in csv.DictReader(rows, delimiter="\t"):
            qrels.setdefault(row["query-id"], {})[key_safe(row["corpus-id"])] = int(row["score"])
    queries = {}
    for line in queries_path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if str(row["_id"]) in qrels:
                queries[str(row["_id"])] = row["text"]
    return BeirData([d for d in documents if d.text.strip()], queries, qrels,
                    hashlib.sha256(raw).hexdigest())
