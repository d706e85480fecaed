"""The span head's training targets (the answer's tokens in its pair, [CLS] for the rest) and
its answer margin (the best span in the text against [CLS])."""

from __future__ import annotations

import numpy as np
import torch
from transformers import AutoTokenizer

from rag.index.embedding import model_dir
from training.span_head import (
    MAX_ANSWER_TOKENS,
    answer_chars,
    answer_margin,
    span_loss,
    span_targets,
)

TEXT = "A Peace Regime\n\nAt a historic summit in Singapore in June, the two leaders met."
PAIR = {"label": 1, "level": "passage", "text": TEXT}


def test_the_answer_is_found_at_its_own_offset_after_the_title() -> None:
    text = "Title\n\nJune came, and then June went."
    row = {"label": 1, "level": "passage", "text": text, "answer_start": 20}
    assert answer_chars(row, "June") == (27, 31)  # the second June, where the writer meant
    assert answer_chars({**row, "answer_start": None}, "June") == (7, 11)


def test_negatives_and_missing_answers_have_no_span() -> None:
    assert answer_chars({**PAIR, "label": 0}, "Singapore") is None
    assert answer_chars(PAIR, "Hanoi") is None
    assert answer_chars(PAIR, None) is None


def test_targets_are_the_answers_tokens_or_cls() -> None:
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir()), local_files_only=True)
    encoded = tokenizer(["Where did they meet?"] * 3, [TEXT] * 3, truncation="only_second",
                        max_length=256)
    at = TEXT.index("Singapore")
    targets = span_targets(encoded, [(at, at + 9), None, (at, at + 9)])
    first, last = targets[0]
    assert tokenizer.decode(encoded["input_ids"][0][first:last + 1]) == "singapore"
    assert targets[1] == (0, 0)
    cut = tokenizer(["Where did they meet?"], [TEXT], truncation="only_second", max_length=12)
    assert span_targets(cut, [(at, at + 9)]) == [(0, 0)], "an answer cut off points at [CLS]"


def test_span_loss_ignores_padding() -> None:
    logits = torch.zeros(1, 4, 2)
    logits[0, 3] = 50.0  # a padded token, however high, is not a choice
    loss = span_loss(logits, torch.tensor([[1, 1, 1, 0]]), torch.tensor([[1, 2]]))
    assert abs(float(loss) - float(torch.log(torch.tensor(3.0)))) < 1e-5


def brute_force(logits: np.ndarray, inside: np.ndarray) -> float:
    best = max(logits[i, 0] + logits[j, 1] for i in range(len(logits))
               for j in range(i, min(i + MAX_ANSWER_TOKENS, len(logits)))
               if inside[i] and inside[j])
    return float(best - logits[0].sum())


def test_margin_is_the_best_span_in_the_text_less_cls() -> None:
    rng = np.random.default_rng(3)
    for count in (5, 40, 90):
        logits = rng.normal(size=(count, 2)).astype(np.float32)
        inside = np.ones(count, dtype=bool)
        inside[:3] = inside[-1] = False  # [CLS], the question, its [SEP]; the last [SEP]
        assert np.isclose(answer_margin(logits, inside), brute_force(logits, inside), atol=1e-5)


def test_a_span_ending_before_it_starts_or_outside_the_text_does_not_count() -> None:
    logits = np.zeros((6, 2), dtype=np.float32)
    logits[4, 0] = 5.0  # a start after the only high end
    logits[2, 1] = 5.0
    logits[1, 0] = 9.0  # a start in the question
    inside = np.array([False, False, True, True, True, False])
    assert answer_margin(logits, inside) == 5.0  # start 4 with end 4, or start 2 with end 2


def test_a_text_pointing_at_cls_has_a_negative_margin() -> None:
    logits = np.zeros((8, 2), dtype=np.float32)
    logits[0] = 4.0
    inside = np.array([False] + [True] * 6 + [False])
    assert answer_margin(logits, inside) == -8.0
