"""Turn checked questions into labelled (question, text) pairs for the reader.

- Split by document into train / dev / test (a seeded hash of the document id; the shipped
  USIP documents all go to test, so the project's own question sets stay on unseen text).
- For every question, hard negatives are mined by retrieval (BM25 ∪ MiniLM, top 8 each) among
  passages of the same split, and checked: a candidate that holds the answer span, or every
  content word of it, is dropped, so another passage that really answers is never a negative.
- Pairs come at two levels: a passage (does it answer?) and a sentence (is this the sentence
  that answers?), both as `title` + blank line + text, exactly what the reader sees at run time.

    python -m training.build_pairs   # writes training/data/questions.jsonl and pairs.jsonl
    python -m training.build_pairs --round 2   # questions2/ -> questions2.jsonl, pairs2.jsonl
    python -m training.build_pairs --round 3   # questions3/ -> questions3.jsonl, pairs3.jsonl
    python -m training.build_pairs --round 4   # questions4/ -> questions4.jsonl, pairs4.jsonl

Later rounds' documents (`pool2.jsonl` to `pool4.jsonl`, see make_passages) are all train; a
round's questions' negatives are mined among its own and earlier rounds' documents and the
first round's train passages. Earlier rounds' files are not touched.

pairs.jsonl (13 MB) is not committed: this rebuilds it (its sha256 printed at the end). It
rebuilt byte for byte, to `pairs_sha256` in rag/answer/models/reader-l6.json, until the index's
vectors moved in sessions 10 and 11; now one mined negative differs (training/README.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from pathlib import Path

import numpy as np
from bm25s.stopwords import STOPWORDS_EN

from rag.answer.reader_input import reader_text
from rag.chunking.sentences import sentence_spans

DATA = Path(__file__).resolve().parent / "data"
WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset(STOPWORDS_EN)
NEGATIVES_ANSWERABLE, NEGATIVES_UNANSWERABLE, DEPTH = 3, 2, 8


def split_of(doc_id: str, seed: int) -> str:
    """USIP text is test; the rest 70 / 15 / 15 by a seeded hash of the document id."""
    if doc_id.startswith("usip/"):
        return "test"
    bucket = int(hashlib.sha256(f"{seed}:{doc_id}".encode()).hexdigest(), 16) % 100
    return "train" if bucket < 70 else "dev" if bucket < 85 else "test"


def normalised(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def content_words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def really_answers(candidate: str, answer: str) -> bool:
    """The check that keeps a true answer out of the negatives."""
    words = content_words(answer)
    if normalised(answer) in normalised(candidate):
        return True
    return bool(words) and words <= content_words(candidate)


def load_questions(folder: Path, pool: dict[str, dict], splits: dict[str, str]) -> list[dict]:
    from training.check_data import check_file

    texts = {pid: row["text"] for pid, row in pool.items()}
    questions = []
    for path in sorted(folder.glob("*.jsonl")):
        good, rejected = check_file(path, texts)
        if rejected:  # a silently smaller set would change the pairs: fix the file first
            raise SystemExit("\n".join([f"{path.name}: {len(rejected)} rejected rows "
                                         "(this round's pool):", *rejected[:10]]))
        for number, row in enumerate(good):
            passage = pool[row["passage_id"]]
            start = passage["text"].find(row["answer"]) if row["answerable"] else None
            questions.append({
                "question_id": f"{path.stem}-{number}", **row, "answer_start": start,
                "doc_id": passage["doc_id"], "source": passage["source"],
                "split": splits[passage["doc_id"]], "writer": path.stem})
    return questions


class Miner:
    """BM25 and MiniLM over the pool, searched within one split."""

    def __init__(self, pool: list[dict], splits: list[str]) -> None:
        import bm25s

        from rag.index.embedding import OnnxEmbedder

        self.pool, self.splits = pool, np.array(splits)
        # the fp32 graph, as when the committed reader's pairs were mined (reproducible)
        self.embedder = OnnxEmbedder(graph="fp32")
        inputs = [reader_text(r["title"], r["text"]) for r in pool]
        self.vectors = self.embedder.encode(inputs)
        self.bm25 = bm25s.BM25()
        self.bm25.index(bm25s.tokenize(inputs, stopwords="en", show_progress=False),
                        show_progress=False)

    def candidates(self, question: str, split: str) -> list[int]:
        import bm25s

        allowed = self.splits == split
        dense = self.vectors @ self.embedder.encode_query(question)
        dense[~allowed] = -np.inf
        words = bm25s.tokenize(question, stopwords="en", return_ids=False, show_progress=False)
        scores = self.bm25.get_scores(words[0])
        scores = np.where(allowed, scores, -np.inf)
        ranked = []
        for pair in zip(np.argsort(-dense)[:DEPTH], np.argsort(-scores)[:DEPTH], strict=True):
            ranked += [int(i) for i in pair if int(i) not in ranked]
        return ranked


def sentence_pairs(question: dict, passage: dict, rng: random.Random) -> list[tuple[str, int]]:
    """The sentences holding the answer (label 1) and up to two others of its passage (0)."""
    spans = sentence_spans(passage["text"])
    if len(spans) < 2:
        return []
    if question["answerable"]:
        a, b = question["answer_start"], question["answer_start"] + len(question["answer"])
        positive = [s for s in spans if s[0] < b and a < s[1]]
    else:
        positive = []
    others = [s for s in spans if s not in positive]
    chosen = rng.sample(others, min(2, len(others)))
    return [(passage["text"][s:e], 1) for s, e in positive] + [
        (passage["text"][s:e], 0) for s, e in chosen]


def read_pool(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as rows:
        return [json.loads(line) for line in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--round", type=int, choices=(1, 2, 3, 4), default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    pool_rows = read_pool("pool.jsonl")
    splits = {row["doc_id"]: split_of(row["doc_id"], args.seed) for row in pool_rows}
    suffix = "" if args.round == 1 else str(args.round)
    if args.round > 1:
        later = [row for n in range(2, args.round + 1) for row in read_pool(f"pool{n}.jsonl")]
        pool_rows = [row for row in pool_rows if splits[row["doc_id"]] == "train"] + later
        splits.update((row["doc_id"], "train") for row in later)
    pool = {row["passage_id"]: row for row in pool_rows}
    questions = load_questions(DATA / f"questions{suffix}", pool, splits)
    miner = Miner(pool_rows, [splits[r["doc_id"]] for r in pool_rows])
    position = {row["passage_id"]: n for n, row in enumerate(pool_rows)}
    pairs, dropped = [], 0
    for q in questions:
        own = pool[q["passage_id"]]
        base = {"question_id": q["question_id"], "split": q["split"], "question": q["question"],
                "kind": q["kind"], "answerable": q["answerable"], "source": q["source"]}
        pairs.append({**base, "level": "passage", "passage_id": own["passage_id"],
                      "text": reader_text(own["title"], own["text"]),
                      "label": int(q["answerable"])})
        wanted = NEGATIVES_ANSWERABLE if q["answerable"] else NEGATIVES_UNANSWERABLE
        taken = 0
        for index in miner.candidates(q["question"], q["split"]):
            if index == position[q["passage_id"]] or taken == wanted:
                continue
            other = pool_rows[index]
            if q["answerable"] and really_answers(other["text"], q["answer"]):
                dropped += 1
                continue
            pairs.append({**base, "level": "passage", "passage_id": other["passage_id"],
                          "text": reader_text(other["title"], other["text"]), "label": 0})
            taken += 1
        if own["kind"] == "text":
            pairs += [{**base, "level": "sentence", "passage_id": own["passage_id"],
                       "text": reader_text(own["title"], sentence), "label": label}
                      for sentence, label in sentence_pairs(q, own, rng)]
    for name, rows in ((f"questions{suffix}.jsonl", questions), (f"pairs{suffix}.jsonl", pairs)):
        with open(DATA / name, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    for split in ("train", "dev", "test"):
        qs = [q for q in questions if q["split"] == split]
        ps = [p for p in pairs if p["split"] == split]
        print(f"{split}: {len(qs)} questions ({sum(not q['answerable'] for q in qs)} "
              f"unanswerable) from {len({q['doc_id'] for q in qs})} documents; {len(ps)} pairs "
              f"({sum(p['level'] == 'passage' for p in ps)} passage, "
              f"{sum(p['label'] for p in ps)} positive)")
    print(f"negatives dropped because they hold the answer: {dropped}")
    # pairs*.jsonl are not committed (13 MB); compare with the model record's pairs_sha256.
    digest = hashlib.sha256((DATA / f"pairs{suffix}.jsonl").read_bytes()).hexdigest()
    print(f"pairs{suffix}.jsonl sha256 {digest}")


if __name__ == "__main__":
    main()
