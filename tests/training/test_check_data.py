"""The training data's gatekeepers: the span checker and the negative check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.build_pairs import really_answers, split_of
from training.check_data import DATA, check_file, load_passages, problems_of

PASSAGES = {"p1": "Six countries—North Korea, South Korea, the United States, China, Japan, and "
                  "Russia—have substantial interests in a peace regime."}
GOOD = {"passage_id": "p1", "question": "Which nations have a stake in Korean peace?",
        "kind": "what", "answerable": True, "answer": "Six countries—North Korea"}


def test_a_char_exact_span_passes() -> None:
    assert problems_of(GOOD, PASSAGES) == []


@pytest.mark.parametrize(("change", "reason"), [
    ({"answer": "Six countries-North Korea"}, "not char-exact"),  # a hyphen for the em dash
    ({"answer": "six countries—North Korea"}, "not char-exact"),
    ({"answer": " Six countries"}, "white space"),
    ({"answer": None}, "needs an answer span"),
    ({"answerable": False}, "answer null"),
    ({"kind": "riddle"}, "kind"),
    ({"passage_id": "p9"}, "unknown passage_id"),
    ({"question": "  "}, "no question"),
])
def test_a_bad_row_is_rejected_with_its_reason(change: dict, reason: str) -> None:
    problems = problems_of({**GOOD, **change}, PASSAGES)
    assert problems and any(reason in p for p in problems)


def test_a_file_keeps_good_rows_and_names_each_rejected_line(tmp_path: Path) -> None:
    path = tmp_path / "w.jsonl"
    lines = [json.dumps(GOOD), "{broken", json.dumps({**GOOD, "answer": "Seven countries"}),
             json.dumps(GOOD),
             json.dumps({"passage_id": "p1", "question": "How many warheads?", "kind": "how-many",
                         "answerable": False, "answer": None})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, rejected = check_file(path, PASSAGES)
    assert len(good) == 2
    assert [m.split(": ")[0] for m in rejected] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert "not char-exact" in rejected[1] and "same question" in rejected[2]


def test_a_passage_that_holds_the_answer_is_never_a_negative() -> None:
    answer = "Six countries—North Korea"
    assert really_answers("Note that six  countries—North Korea among them—care.", answer)
    assert really_answers("North Korea is one of six countries with a stake.", answer)
    assert not really_answers("North Korea has a stake in peace.", answer)


def test_documents_split_by_a_seeded_hash_and_usip_is_test() -> None:
    assert split_of("usip/peace-regime-for-the-korean-peninsula", 12) == "test"
    ids = [f"scifact/{n}" for n in range(400)]
    splits = [split_of(i, 12) for i in ids]
    assert splits == [split_of(i, 12) for i in ids]  # deterministic
    assert 0.6 < splits.count("train") / 400 < 0.8 and splits.count("test") > 30


def test_every_committed_question_passes_the_checker() -> None:
    passages = load_passages()
    files = [path for folder in ("questions", "questions2", "questions3", "questions4")
             for path in sorted((DATA / folder).glob("*.jsonl"))]
    assert len(files) >= 7
    for path in files:
        good, rejected = check_file(path, passages)
        assert good and not rejected, rejected[:3]


def test_later_rounds_documents_are_new_so_dev_and_test_stay_unseen() -> None:
    def documents(name: str) -> set[str]:
        with open(DATA / name, encoding="utf-8") as rows:
            return {json.loads(line)["doc_id"] for line in rows}

    rounds = [documents(name) for name in ("pool.jsonl", "pool2.jsonl", "pool3.jsonl",
                                           "pool4.jsonl")]
    for number, later in enumerate(rounds[1:], start=1):
        assert later and not set().union(*rounds[:number]) & later
        assert not any(doc.startswith("usip/") for doc in later)
