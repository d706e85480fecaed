"""Question sets for bulk evaluation: JSONL or CSV (chosen by extension), one question a row.

Fields: `id`, `question`, and optionally `gold` (text snippets a correct passage contains),
`gold_docs` (document ids that answer it) and `unanswerable` (true/false). Any other field is
kept and passed through to the results. A bad row is reported with its line number and skipped.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from rag.errors import RagError

KNOWN = ("id", "question", "gold", "gold_docs", "answer_gold", "unanswerable")
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    gold: tuple[str, ...] = ()
    gold_docs: tuple[str, ...] = ()
    # What a right answer must hold when it is narrower than `gold` (which says which passages
    # are relevant): e.g. the line of a catalogue record that answers, where `gold` is the
    # record. Empty: `gold`.
    answer_gold: tuple[str, ...] = ()
    unanswerable: bool = False
    extra: dict[str, object] = field(default_factory=dict)
    line: int = 0
    # Whether the row says anything of its answer: gold, gold documents, an answer gold or an
    # `unanswerable` flag. A bare question is answered but counts in no figure, refusals
    # included (a first-time user's file of bare questions showed "answerable refused 0.500").
    labelled: bool = True

    @property
    def judged(self) -> bool:
        """Answerable and labelled, so retrieval can be scored for it."""
        return not self.unanswerable and bool(self.gold or self.gold_docs)

    def labels(self) -> dict[str, object]:
        # A bare question's `unanswerable` is None, not False: a script reading the results
        # must tell "no label" from "answerable" (a first-time user's finding).
        labels: dict[str, object] = {"gold": list(self.gold), "gold_docs": list(self.gold_docs),
                                     "unanswerable": self.unanswerable if self.labelled
                                     else None}
        if self.answer_gold:
            labels["answer_gold"] = list(self.answer_gold)
        return labels


@dataclass(frozen=True)
class BadRow:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class RowError(ValueError):
    pass


def as_flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    raise RowError(f"`{name}` must be true or false, not {value!r}")


def as_strings(value: object, name: str, from_csv: bool) -> tuple[str, ...]:
    """A list of non-empty strings; in CSV a JSON list or `|`-separated text."""
    if value is None:
        return ()
    if isinstance(value, str):
        text = value.strip()
        if from_csv and text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as err:
                raise RowError(f"`{name}` is not a valid JSON list ({err.msg})") from None
        elif from_csv:
            return tuple(part.strip() for part in text.split("|") if part.strip())
        else:
            return (text,) if text else ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RowError(f"`{name}` must be a list of strings, not {value!r}")
    return tuple(item.strip() for item in value if item.strip())


def parse_row(row: object, line: int, from_csv: bool = False) -> Question:
    if not isinstance(row, dict):
        raise RowError(f"a row must be an object with a `question`, not {type(row).__name__}")
    question = row.get("question")
    if not isinstance(question, str) or not question.strip():
        raise RowError("no question" if question in (None, "") or
                       (isinstance(question, str) and not question.strip())
                       else f"`question` must be text, not {question!r}")
    raw_id = row.get("id")
    if raw_id in (None, ""):
        raw_id = f"line{line}"
    elif not isinstance(raw_id, (str, int)) or isinstance(raw_id, bool):
        raise RowError(f"`id` must be text or a number, not {raw_id!r}")
    extra = {name: value for name, value in row.items() if name not in KNOWN}
    return Question(
        id=str(raw_id), question=question.strip(),
        gold=as_strings(row.get("gold"), "gold", from_csv),
        gold_docs=as_strings(row.get("gold_docs"), "gold_docs", from_csv),
        answer_gold=as_strings(row.get("answer_gold"), "answer_gold", from_csv),
        unanswerable=as_flag(row.get("unanswerable"), "unanswerable"),
        extra=extra, line=line,
        labelled=any(row.get(name) not in (None, "", []) for name in KNOWN[2:]))


def read_jsonl(path: Path) -> list[tuple[int, object | RowError]]:
    rows: list[tuple[int, object | RowError]] = []
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rows.append((number, json.loads(line)))
            except json.JSONDecodeError as err:
                rows.append((number, RowError(f"broken JSON ({err.msg}, column {err.colno})")))
    return rows


def read_csv(path: Path) -> list[tuple[int, object | RowError]]:
    rows: list[tuple[int, object | RowError]] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        source = handle.readlines()  # as csv counts lines
    reader = csv.DictReader(source)
    if not reader.fieldnames or "question" not in reader.fieldnames:
        raise RagError(f"{path}: the CSV header must name a `question` column "
                       f"(found: {', '.join(reader.fieldnames or []) or 'nothing'})")
    ended = reader.line_num  # the header's last line
    for record in reader:
        line, ended = ended + 1, reader.line_num  # a quoted cell may span lines
        if None in record:
            rows.append((line, RowError("more cells than the header has columns")))
        elif "".join(source[line - 1:ended]).count('"') % 2:
            # An odd number of quote marks is a quote never closed: it swallows the rest of
            # the file (a two-column file's swallowed row had been evaluated as part of a
            # question). A question over several lines, quoted and closed, is kept.
            lines = f"line {ended}" if ended == line + 1 else f"lines {line + 1}–{ended}"
            rows.append((line, RowError("a quote opened here is never closed (what it "
                                        f"swallowed, {lines}, is skipped with it)")))
        elif any((value or "").strip() for value in record.values()):
            rows.append((line, {k: v for k, v in record.items() if v not in (None, "")}))
    return rows


def load_questions(path: Path) -> tuple[list[Question], list[BadRow]]:
    """Every good row as a Question, and every bad row with its line number and reason."""
    if not path.is_file():
        raise RagError(f"{path} {'is a folder' if path.is_dir() else 'does not exist'}: give a "
                       ".jsonl or .csv file of questions.")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        raw, from_csv = read_jsonl(path), False
    elif suffix == ".csv":
        raw, from_csv = read_csv(path), True
    else:
        raise RagError(f"{path}: unknown question file type {suffix!r}; use .jsonl or .csv.")
    questions: list[Question] = []
    bad: list[BadRow] = []
    seen: set[str] = set()
    for line, row in raw:
        try:
            if isinstance(row, RowError):
                raise row
            question = parse_row(row, line, from_csv)
            if question.id in seen:
                raise RowError(f"duplicate id {question.id!r}")
        except RowError as err:
            bad.append(BadRow(line, str(err)))
            continue
        seen.add(question.id)
        questions.append(question)
    if not questions:
        reasons = "; ".join(f"line {b.line}: {b.reason}" for b in bad[:3])
        empty = ": the file is empty." if not path.read_text("utf-8-sig", "replace").strip() \
            else ": it has a header but no rows." if from_csv else ": it has no rows."
        raise RagError(f"{path} has no question to evaluate" + (f" ({reasons})" if reasons
                                                                 else empty))
    return questions, bad
