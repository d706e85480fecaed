"""The reader's listwise loss: one softmax per question with a no-answer slot at 0."""

from __future__ import annotations

import math
import random

import torch

from training.train_reader import group_batches, listwise_loss, question_groups


def test_loss_is_the_negative_log_probability_of_the_answer_or_the_slot() -> None:
    logits = torch.tensor([2.0, 0.0, -1.0, -3.0, -3.0])
    labels = torch.tensor([1.0, 0.0, 0.0, 0.0, 0.0])
    loss = listwise_loss(logits, labels, [[0, 1, 2], [3, 4]])
    answerable = -(2 - math.log(math.exp(2) + 1 + math.exp(-1) + 1))
    unanswerable = -(0 - math.log(2 * math.exp(-3) + 1))
    assert math.isclose(float(loss), (answerable + unanswerable) / 2, rel_tol=1e-5)


def test_gradient_raises_the_answer_and_lowers_the_rest() -> None:
    logits = torch.zeros(4, requires_grad=True)
    listwise_loss(logits, torch.tensor([0.0, 1.0, 0.0, 0.0]), [[0, 1], [2, 3]]).backward()
    grad = logits.grad.tolist()
    assert grad[1] < 0 < grad[0]  # descent raises the answering text, lowers its rival
    assert grad[2] > 0 and grad[3] > 0  # an unanswerable question: every text below the slot


def test_batches_keep_each_question_whole() -> None:
    rows = [{"question_id": f"q{n // 3}", "level": "passage"} for n in range(30)]
    groups = question_groups(rows)
    assert len(groups) == 10 and all(len(g) == 3 for g in groups)
    packed = group_batches(groups, [n % 7 for n in range(30)], 8, random.Random(1))
    assert sorted(sorted(g) for batch in packed for g in batch) == sorted(groups)
    assert sum(sum(map(len, batch)) < 8 for batch in packed) <= 1  # one short remainder
