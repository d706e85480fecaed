"""Check written questions before they are used: every answer span must be char-exact in its
passage, every field of the right kind. A rejected row is printed with its line and reason.

    python training/check_data.py training/data/questions/*.jsonl     # exit 1 if any is rejected
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
POOLS = tuple(DATA / name for name in ("pool.jsonl", "pool2.jsonl", "pool3.jsonl", "pool4.jsonl"))
KINDS = ("who", "what", "when", "where", "why", "how", "how-many", "yes-no", "keyword",
         "acronym", "caption", "metadata")
MAX_QUESTION, MAX_ANSWER = 300, 400


def load_passages(paths: tuple[Path, ...] = POOLS) -> dict[str, str]:
    """passage_id -> text, over every pool that exists."""
    passages = {}
    for path in paths:
        if path.exists():
            with open(path, encoding="utf-8") as rows:
                passages.update((row["passage_id"], row["text"]) for row in map(json.loads, rows))
    return passages


def problems_of(row: object, passages: dict[str, str]) -> list[str]:
    """Why a written row cannot be used (empty when it can)."""
    if not isinstance(row, dict):
        return ["not a JSON object"]
    found = []
    text = passages.get(row.get("passage_id"))  # type: ignore[arg-type]
    if text is None:
        found.append(f"unknown passage_id {row.get('passage_id')!r}")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        found.append("no question")
    elif len(question) > MAX_QUESTION:
        found.append(f"question over {MAX_QUESTION} characters")
    if row.get("kind") not in KINDS:
        found.append(f"kind {row.get('kind')!r} is not one of {', '.join(KINDS)}")
    answerable, answer = row.get("answerable"), row.get("answer")
    if not isinstance(answerable, bool):
        found.append("answerable must be true or false")
    elif not answerable and answer is not None:
        found.append("an unanswerable question has answer null")
    elif answerable:
        if not isinstance(answer, str) or not answer.strip():
            found.append("an answerable question needs an answer span")
        elif answer != answer.strip():
            found.append("the answer span starts or ends with white space")
        elif len(answer) > MAX_ANSWER:
            found.append(f"answer span over {MAX_ANSWER} characters")
        elif text is not None and answer not in text:
            found.append("the answer span is not char-exact in its passage")
    return found


def check_file(path: Path, passages: dict[str, str]) -> tuple[list[dict], list[str]]:
    """The usable rows of one file, and a message per rejected line."""
    good, rejected, seen = [], [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            rejected.append(f"{path}:{number}: broken JSON ({err.msg})")
            continue
        problems = problems_of(row, passages)
        if not problems and (row["passage_id"], row["question"].strip().lower()) in seen:
            problems = ["the same question about the same passage again"]
        if problems:
            rejected.append(f"{path}:{number}: " + "; ".join(problems))
            continue
        seen.add((row["passage_id"], row["question"].strip().lower()))
        good.append(row)
    return good, rejected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    passages = load_passages()
    total, failures = Counter(), 0
    for path in args.files:
        good, rejected = check_file(path, passages)
        failures += len(rejected)
        for message in rejected:
            print(message)
        total.update(("answerable" if r["answerable"] else "unanswerable", r["kind"])
                     for r in good)
    kinds = Counter()
    for (_, kind), n in total.items():
        kinds[kind] += n
    usable = sum(total.values())
    print(f"{usable} usable, {failures} rejected; "
          f"{sum(n for (a, _), n in total.items() if a == 'unanswerable')} unanswerable; "
          "kinds: " + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
