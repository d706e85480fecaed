"""The result cards' colours: every label must be readable as small text."""

from __future__ import annotations

import html
import re

import pytest

from rag.web.cards import CONFIDENCE_COLOURS, CSS, LABEL_COLOURS, marked_text


def contrast_on_white(colour: str) -> float:
    """WCAG 2 contrast ratio of a #rrggbb colour against white."""
    if len(colour) == 4:  # "#555"
        colour = "#" + "".join(digit * 2 for digit in colour[1:])
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", sorted({*CONFIDENCE_COLOURS.values(),
                                           *LABEL_COLOURS.values(),
                                           *re.findall(r"[^-]color:\s*(#[0-9a-fA-F]{3,6})\b",
                                                       CSS)}))
def test_each_text_colour_reads_at_4_5_to_1_on_white(colour: str) -> None:
    """"weak match" had been 3.25:1, "answers N%" 4.48:1 (a first-time user's accessibility
    check)."""
    assert contrast_on_white(colour) >= 4.5


def test_what_the_answer_quotes_is_underlined_in_its_passage() -> None:
    """Only the question's words had been marked: the answer had to be found by reading."""
    text = "Seoul hosted talks. The <armistice> was signed in 1953. Nothing else."
    start = text.index("The")
    end = text.index("1953.") + len("1953.")
    page = marked_text(text, "When was the armistice signed?", [(start, end)])
    (underlined,) = re.findall(r'<span class="rag-ans"[^>]*>(.*?)</span>', page)
    assert re.sub(r"</?mark[^>]*>", "", underlined) == html.escape(text[start:end])
    assert '<mark class="qt">signed</mark>' in underlined  # the question's words still marked
    assert marked_text(text, "armistice", [(60, 500), (-5, 0)]).count("rag-ans") == 1  # clamped
    assert "<armistice>" not in marked_text(text, "armistice", [(0, len(text))])
