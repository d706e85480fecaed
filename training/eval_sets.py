"""The written questions as `rag eval` sets, over a corpus of every pool document.

    python -m training.eval_sets OUT    # OUT/corpus/*.md, OUT/{train,dev,test}.jsonl

The corpus holds all pool documents (USIP, SciFact, State of the Union), so a question is
answered against ~320 documents, not only its own. A question's gold is the sentence(s) of its
passage that hold the written answer span: a passage is relevant when it contains them, and an
extractive answer is right when it holds them. In a catalogue record, whose lines have no full
stops, a right answer holds the line(s) with the answer (`answer_gold`, as the engine answers
with the asked-for line; rag.answer.record_fields), and the record stays the passage's gold.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

import yaml

from rag.chunking.sentences import sentence_spans
from rag.ingest.record import record_fields
from training.build_pairs import DATA
from training.make_passages import sampled_documents


def file_id(source: str, doc_id: str) -> str:
    return doc_id if source == "usip" else f"{source}-{doc_id}"


def write_corpus(folder: Path, seed: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    args = argparse.Namespace(scifact=Path("../shared/data/scifact"), scifact_docs=270,
                              sotu_docs=24, seed=seed)
    for source, document in sampled_documents(args, random.Random(seed)):
        if source == "usip":
            shutil.copy(Path("corpus") / document.source, folder / document.source)
            continue
        meta = {k: v for k, v in document.metadata.as_dict().items()
                if v and k in ("title", "type", "date", "publisher", "authors")}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (folder / f"{file_id(source, document.doc_id)}.md").write_text(
            f"---\n{front}---\n\n{document.text}\n", encoding="utf-8")


def gold_sentences(passage: str, start: int, answer: str, lines: bool = False) -> list[str]:
    """The sentences (with `lines`, the record lines) of the passage that the answer span
    overlaps, joined as one snippet."""
    end = start + len(answer)
    units = ([(a, b) for _, a, b in record_fields(passage) or []] if lines
             else sentence_spans(passage))
    spans = [s for s in units if s[0] < end and start < s[1]]
    return [passage[spans[0][0]:spans[-1][1]]] if spans else [answer]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    write_corpus(args.out / "corpus", args.seed)
    with open(DATA / "pool.jsonl", encoding="utf-8") as rows:
        pool = {row["passage_id"]: row for row in map(json.loads, rows)}
    with open(DATA / "questions.jsonl", encoding="utf-8") as rows:
        questions = [json.loads(line) for line in rows]
    for split in ("train", "dev", "test"):
        with open(args.out / f"{split}.jsonl", "w", encoding="utf-8") as out:
            for q in questions:
                if q["split"] != split:
                    continue
                source, doc_id = q["doc_id"].split("/", 1)
                row = {"id": q["question_id"], "question": q["question"], "kind": q["kind"],
                       "source": source, "unanswerable": not q["answerable"]}
                if q["answerable"]:
                    passage = pool[q["passage_id"]]["text"]
                    row["gold"] = gold_sentences(passage, q["answer_start"], q["answer"])
                    if record_fields(passage):
                        row["answer_gold"] = gold_sentences(passage, q["answer_start"],
                                                            q["answer"], lines=True)
                    row["gold_docs"] = [file_id(source, doc_id)]
                out.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
