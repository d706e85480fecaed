"""What the reader model reads for a passage or a sentence: its document title, a blank line,
then the text. Training (training/build_pairs.py) and the engine both build inputs here, so the
model sees at run time exactly the shape it was trained on."""

from __future__ import annotations


def reader_text(title: str, text: str) -> str:
    return f"{title}\n\n{text}"
