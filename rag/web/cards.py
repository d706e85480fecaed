"""A passage as an HTML card: every string from a document escaped, query words marked.

Pure functions of what the engine returned, so they are tested without a browser.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from rag.answer.reading import LIKELY, UNCERTAIN, UNLIKELY
from rag.answer.relevance import GOOD, PARTIAL, QUOTED, STRONG, WEAK, signal_words
from rag.cite.highlight import link, mark_terms
from rag.cite.references import human_date, location
from rag.messages import confidence_words, shown_probability

BAR_LOW, BAR_HIGH = 0.15, 0.75  # scores mapped to an empty and a full relevance bar


# Each at least 4.5:1 on white (WCAG AA for small text): "weak match" in #8a8f98 had been
# 3.25:1 and the amber #b7791f about 3.2:1 (a first-time user's accessibility check).
CONFIDENCE_COLOURS = {LIKELY: "#1b7f3b", UNCERTAIN: "#975a16", UNLIKELY: "#8a5a00"}
LABEL_COLOURS = {QUOTED: "#1b7f3b", STRONG: "#1b7f3b", GOOD: "#2a6f9e", PARTIAL: "#975a16",
                 WEAK: "#6b7280"}


CSS = """
<style>
.rag-card { line-height: 1.5; }
.rag-head { font-weight: 600; font-size: 1.05rem; }
.rag-num { color: #555; margin-right: .1rem; }
.rag-meta { color: #555; font-size: .88rem; margin: .1rem 0 .4rem; }
.rag-rel { display: flex; align-items: center; gap: .5rem; font-size: .85rem;
           margin-bottom: .5rem; }
.rag-bar { display: inline-block; width: 110px; height: 8px; background: #e6e8eb;
           border-radius: 4px; overflow: hidden; }
.rag-bar > span { display: block; height: 100%; border-radius: 4px; }
.rag-score { color: #5f6368; font-size: .78rem; }
.rag-text, .rag-context { white-space: pre-wrap; font-size: .95rem; }
.rag-context { border-left: 3px solid #d0d4d9; padding-left: .8rem; }
.rag-ans { text-decoration: underline 2px #1b7f3b; text-underline-offset: 3px; }
mark.qt { background: #fff3a8; padding: 0 .08em; border-radius: 2px; }
mark.cited { background: #ffe08a; box-shadow: 0 0 0 2px #ffe08a; border-radius: 2px; }
.rag-key { color: #666; font-size: .8rem; margin-top: .4rem; }
.rag-nearest { color: #8a5a00; font-size: .8rem; font-weight: 600; text-transform: uppercase;
               letter-spacing: .03em; }
.rag-confidence { font-size: .9rem; margin: .3rem 0 .6rem; }
.rag-question { font-size: 1.15rem; font-weight: 600; margin: .3rem 0; display: -webkit-box;
                 -webkit-line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
/* brought into view below Streamlit's header, with the Back button above a citation */
.rag-card, .rag-cited-title { scroll-margin-top: 7rem; }
.rag-copy { display: flex; flex-wrap: wrap; gap: .5rem; margin: .25rem 0 1rem; }
.rag-copy-button { font: inherit; font-size: .9rem; padding: .3rem .75rem; cursor: pointer;
  border: 1px solid rgba(49, 51, 63, .25); border-radius: .5rem; background: #fff; color: inherit; }
.rag-copy-button:hover { border-color: #d32f2f; color: #d32f2f; }  /* 4.98:1 on white */
.rag-copy-button:focus-visible { outline: 2px solid #d32f2f; outline-offset: 2px; }
.rag-sr, .stElementContainer:has(script[data-rag]) {
  position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);
  white-space: nowrap; }
/* Streamlit's "Press Enter to apply" sat over the end of a long question; the Search and
   Look up buttons say what to do. */
.st-key-question_box [data-testid="InputInstructions"],
.st-key-lookup_box [data-testid="InputInstructions"] { display: none; }
/* Document titles in full: the filter's list and its chips had cut them after 25 letters.
   The list's rows have a fixed height, so the list is widened and a title takes two lines. */
[data-testid="stMultiSelectDropdown"] { width: min(34rem, 92vw) !important; }
[data-testid="stMultiSelectDropdown"] [role="presentation"] { width: 100% !important; }
[data-testid="stMultiSelectDropdown"] [role="option"] > div {
  white-space: normal; line-height: 1.25; display: -webkit-box; -webkit-line-clamp: 2;
  -webkit-box-orient: vertical; overflow: hidden; }
[data-testid="stMultiSelect"] .react-aria-ComboBox > [role="group"] { max-height: 20rem; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] { height: auto; max-width: 100%; }
[data-testid="stMultiSelectTagsContainer"] [data-tag] > span {
  white-space: normal; overflow: visible; text-overflow: clip; max-width: none; }
</style>
"""


def esc(text: object) -> str:
    return html.escape(str(text))


def where(section: str | None, page_label: str | None, day: str | None = None,
          kind: str | None = None) -> str:
    return esc(location(section, page_label, human_date(day) if day else None, kind))


def relevance_html(label: str, signals: dict[str, float]) -> str:
    """The label and a bar: from the reader's probability that the passage answers when the
    reader read it, else from its closeness (see `rag.answer.relevance`)."""
    if "reader" in signals:
        fraction = signals["reader"]
        title = ("the reader's probability that it answers the question; passages are ranked by "
                 "the reader and the search together")
    else:
        fraction = (signals["closeness"] - BAR_LOW) / (BAR_HIGH - BAR_LOW)
        title = ("cosine similarity of its closest sentence to the question (this passage was"
                 " not reread)")
    fraction = max(0.04, min(1.0, fraction))
    colour = LABEL_COLOURS.get(label, LABEL_COLOURS[WEAK])
    return (f'<div class="rag-rel" title="{esc(title)}"><span class="rag-bar">'
            f'<span style="width:{fraction * 100:.0f}%;background:{colour}"></span></span>'
            f'<span style="color:{colour};font-weight:600">{esc(label)}</span>'
            f'<span class="rag-score">{esc(signal_words(signals))}</span></div>')


def confidence_html(result) -> str:
    """The reader's probability that the documents answer, as a number and a label; empty when
    the reader is off."""
    if result.confidence is None:
        return ""
    label = result.confidence_label
    colour = CONFIDENCE_COLOURS.get(label, LABEL_COLOURS[WEAK])
    shown = shown_probability(result.confidence)
    return (f'<div class="rag-confidence" data-label="{esc(label)}">Confidence: '
            f'<b style="color:{colour}">{esc(label)}</b> ({shown}) — '
            f'{esc(confidence_words(label, getattr(result, "rated_best", None)))}</div>')


def marked_text(text: str, question: str, quoted: Sequence[tuple[int, int]] = ()) -> str:
    """The passage as escaped HTML: the question's words marked, and each stretch the answer
    quotes (offsets into `text`) underlined, so the answer is found in its passage at a
    glance (only the question's words had been marked, a first-time user's finding)."""
    out, last = [], 0
    for start, end in sorted(quoted):
        start, end = max(last, start), min(len(text), end)
        if start < end:
            out += [mark_terms(text[last:start], question),
                    f'<span class="rag-ans" title="quoted in the answer">'
                    f'{mark_terms(text[start:end], question)}</span>']
            last = end
    out.append(mark_terms(text[last:], question))
    return "".join(out)


def passage_html(passage, question: str, nearest: bool,
                 quoted: Sequence[tuple[int, int]] = ()) -> str:
    meta = where(passage.section, passage.page_label, passage.date, passage.type)
    flag = ('<div class="rag-nearest">Nearest passage — not a confident answer</div>'
            if nearest else "")
    return (f'<div class="rag-card" data-key="{esc(passage.key)}">{flag}'
            f'<div class="rag-head" role="heading" aria-level="3">'
            f'<span class="rag-num">[{passage.rank}] </span>'
            f'{link(passage.url, passage.title)}</div>'
            f'<div class="rag-meta">{meta}</div>'
            f'{relevance_html(passage.relevance, passage.signals)}'
            f'<div class="rag-text">{marked_text(passage.text, question, quoted)}</div>'
            f'<div class="rag-key">citation key <code>{esc(passage.key)}</code></div></div>')

