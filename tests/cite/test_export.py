"""Markdown and JSON exports of a result carry the question, passages and references."""

import json

from rag.cite.export import NOTHING_RELEVANT, download_name, to_json, to_markdown
from rag.messages import FROM_METADATA

PASSAGE = {"rank": 1, "key": "peace-regime:0123456789", "doc_id": "peace-regime",
           "title": "A Peace Regime", "authors": ["Frank Aum"], "date": "2020-02",
           "url": "https://www.usip.org/x", "type": "Report", "section": "Summary",
           "page": None, "page_label": None, "start": 10, "end": 60,
           "text": "Six countries—North Korea, South Korea.\n\nSecond <script>x</script>",
           "score": 0.6123, "relevance": "strong match"}
RESULT = {"question": "Which countries?", "passages": [PASSAGE], "abstained": False,
          "notes": ["a note"]}
CITATIONS = {PASSAGE["key"]: {"reference": "Aum, Frank. *A Peace Regime*. USIP, 2020.",
                              "bibtex": "@techreport{aum2020peace,\n  title = {A Peace}\n}"}}


def test_json_export_has_question_passages_and_references():
    data = json.loads(to_json(RESULT, CITATIONS, filters={"types": ["Report"]},
                              exported_at="2025-01-01T00:00:00+00:00"))
    assert data["question"] == "Which countries?"
    assert data["filters"] == {"types": ["Report"]}
    assert data["abstained"] is False and data["notes"] == ["a note"]
    (passage,) = data["passages"]
    assert passage["key"] == PASSAGE["key"] and passage["text"] == PASSAGE["text"]
    assert passage["reference"].startswith("Aum, Frank.")
    assert passage["bibtex"].startswith("@techreport")


def test_json_export_keeps_fields_the_engine_adds_later():
    data = json.loads(to_json({**RESULT, "answer": "China, Russia"}, CITATIONS))
    assert data["answer"] == "China, Russia"


def test_markdown_export_is_readable():
    md = to_markdown(RESULT, CITATIONS, exported_at="2025-01-01T00:00:00+00:00")
    assert md.startswith("# Which countries?\n")
    assert "### [1] A Peace Regime — Summary · 2020-02" in md
    assert "> Six countries—North Korea, South Korea." in md
    assert "strong match (score 0.61)" in md and "`peace-regime:0123456789`" in md
    assert "Reference: Aum, Frank." in md and "```bibtex\n@techreport" in md
    assert NOTHING_RELEVANT not in md


def test_markdown_export_names_the_scale_and_a_record_s_origin():
    record = {**PASSAGE, "signals": {"closeness": 0.41, "reader": 0.784}, "from_metadata": True}
    md = to_markdown({**RESULT, "passages": [record]}, CITATIONS)
    assert "strong match (answers 78%)" in md and FROM_METADATA in md
    plain = {**PASSAGE, "signals": {"closeness": 0.41}, "from_metadata": False}
    md = to_markdown({**RESULT, "passages": [plain]}, CITATIONS)
    assert "strong match (similarity 0.41)" in md and FROM_METADATA not in md


def test_markdown_export_cites_the_printed_page():
    passage = {**PASSAGE, "page": 7, "page_label": "3\u20134"}
    md = to_markdown({**RESULT, "passages": [passage]}, CITATIONS)
    assert "### [1] A Peace Regime — Summary · pp. 3\u20134 · 2020-02" in md


def test_markdown_export_says_when_nothing_is_relevant():
    md = to_markdown({**RESULT, "abstained": True}, {})
    assert NOTHING_RELEVANT in md and "Source: https://www.usip.org/x" in md


def test_markdown_export_without_passages():
    md = to_markdown({"question": "q", "passages": [], "abstained": True, "notes": []}, {})
    assert "No passage found." in md and NOTHING_RELEVANT not in md


def test_markdown_export_gives_the_confidence_line_of_the_cli():
    md = to_markdown({**RESULT, "answer": "China [1]", "confidence": 0.8412,
                      "confidence_label": "likely"}, CITATIONS)
    assert "Confidence: 0.84 (likely: the passage rated highest very probably answers this)" in md
    refused = to_markdown({**RESULT, "abstained": True, "confidence": 0.21,
                           "confidence_label": "unlikely"}, {})
    assert "Confidence: 0.21 (unlikely: no passage seems to answer this)" in refused
    assert "Confidence" not in to_markdown(RESULT, CITATIONS)
    # The passage the confidence is of, named when shown (it need not be [1])
    named = to_markdown({**RESULT, "answer": "China [1]", "confidence": 0.8412,
                         "confidence_label": "likely", "rated_best": 3}, CITATIONS)
    assert ("Confidence: 0.84 (likely: passage [3], which the reader rates highest, very "
            "probably answers this)") in named


def test_markdown_export_gives_each_note_its_own_paragraph():
    """Two notes on consecutive lines had rendered as one paragraph."""
    md = to_markdown({**RESULT, "notes": ["One.", "Two."]}, CITATIONS)
    assert "_Note: One._\n\n_Note: Two._\n" in md


def test_a_download_is_named_after_its_question() -> None:
    """Every download had been saved as answer.md or answer.json, one over the other."""
    assert download_name("Who wrote the report?", "md") == "answer-who-wrote-the-report.md"
    assert download_name("Wer schrieb den Bericht \u00fcber Korea?", "json") == (
        "answer-wer-schrieb-den-bericht-uber-korea.json")
    korean = download_name("\ubcf4\uace0\uc11c\ub294 \ub204\uac00 \uc37c\ub098\uc694?", "md")
    assert korean.startswith("answer-") and korean != download_name("\ud3c9\ud654?", "md")
    assert len(download_name("peace " * 50, "md")) <= len("answer-.md") + 60
