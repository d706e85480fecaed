"""The quantity round shows writers only passages that state a quantity."""

import argparse
import random

from rag.ingest.documents import Document, Metadata
from training.make_passages import QUANTITY_ROUND, pool_and_shown, states_quantity


def test_quantities_in_figures_and_in_words_are_found() -> None:
    for text in ("All 3,882 patients were included.", "Thirty of these cells suffice.",
                 "a new five-year Trade Expansion Act", "Only half the work force is covered."):
        assert states_quantity({"text": text}), text


def test_a_passage_without_a_quantity_is_not_shown() -> None:
    assert not states_quantity({"text": "Peace is a process, not an event; someone said so."})
    assert not states_quantity({"text": "Often the tenth-hour talks were fruitless."})


def test_only_the_quantity_round_filters_what_writers_see() -> None:
    document = Document("d1", "d1", "Peace is a process, not an event; someone said so.",
                        Metadata(title="On peace", type="Abstract"))
    shown = {}
    for number in (3, QUANTITY_ROUND):
        args = argparse.Namespace(round=number, sotu_docs=24, later_sotu_docs=24,
                                  sotu_passages=200)
        pool, groups = pool_and_shown([("scifact", document)], args, random.Random(1))
        assert [row["doc_id"] for row in pool] == ["scifact/d1"]  # the pool keeps every passage
        shown[number] = [row for rows in groups for row in rows]
    assert len(shown[3]) == 1 and shown[QUANTITY_ROUND] == []
