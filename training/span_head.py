"""A reader head with a no-answer score (the SQuAD 2.0 way), to measure against the one-logit
cross-encoder head as issue #12 asks: start and end logits over the text's tokens, where an
answerable pair's targets are its answer's first and last tokens and every other pair's are the
[CLS] token. A pair's answer score is its best span's start + end logit less [CLS]'s."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

SAVED = "span_head.pt"  # beside a trained reader's weights
MAX_ANSWER_TOKENS = 30  # longer spans are not answers the head was trained on

def answer_chars(row: dict, answer: str | None) -> tuple[int, int] | None:
    """Where a positive pair's answer sits in its text, in characters; None for a negative, a
    missing answer, or one the text does not hold. A passage pair's text is its title, a blank
    line, then the passage, so the question's own offset is tried first."""
    if row["label"] != 1 or not answer or answer not in row["text"]:
        return None
    text = row["text"]
    if row["level"] == "passage" and row.get("answer_start") is not None:
        at = text.find("\n\n") + 2 + row["answer_start"]
        if text[at:at + len(answer)] == answer:
            return at, at + len(answer)
    at = text.find(answer)
    return at, at + len(answer)


def span_targets(encoded, chars: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """Token targets per row: the answer's first and last tokens, or (0, 0) ([CLS]) when the
    pair has no answer or truncation cut it off."""
    out = []
    for n, span in enumerate(chars):
        if span is None:
            out.append((0, 0))
            continue
        first = encoded.char_to_token(n, span[0], sequence_index=1)
        last = encoded.char_to_token(n, span[1] - 1, sequence_index=1)
        out.append((first, last) if first is not None and last is not None else (0, 0))
    return out


def span_loss(span_logits: torch.Tensor, mask: torch.Tensor,
              targets: torch.Tensor) -> torch.Tensor:
    """Cross-entropy of the start and of the end over each row's tokens (padding masked)."""
    import torch

    masked = span_logits.masked_fill(~mask.bool().unsqueeze(-1), -1e4)
    ce = torch.nn.functional.cross_entropy
    return (ce(masked[:, :, 0], targets[:, 0]) + ce(masked[:, :, 1], targets[:, 1])) / 2


def answer_margin(span_logits: np.ndarray, inside: np.ndarray) -> float:
    """One pair's answer score: the best span's start + end logit (start ≤ end, fewer than
    MAX_ANSWER_TOKENS apart, both among the text's tokens, `inside`) less the [CLS] token's.
    `span_logits` is the pair's (tokens, 2) start and end logits."""
    start = np.where(inside, span_logits[:, 0], -np.inf)
    end = np.where(inside, span_logits[:, 1], -np.inf)
    count = len(start)
    best = max(float(np.max(start[:count - k] + end[k:]))
               for k in range(min(MAX_ANSWER_TOKENS, count)))
    return best - float(span_logits[0, 0] + span_logits[0, 1])


def answer_scores(span_logits: np.ndarray, text_mask: np.ndarray) -> np.ndarray:
    """Each row's `answer_margin` (its padded tokens are outside the text)."""
    return np.array([answer_margin(logits, inside)
                     for logits, inside in zip(span_logits, text_mask, strict=True)],
                    dtype=np.float32)


def attach(model: torch.nn.Module) -> torch.nn.Module:
    """Give a reader a new span head (saved beside its weights as SAVED)."""
    import torch

    model.span_head = torch.nn.Linear(model.config.hidden_size, 2)
    return model
