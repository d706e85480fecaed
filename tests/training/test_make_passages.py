"""The quantity round shows writers only passages that state a quantity."""

from training.make_passages import states_quantity


def test_quantities_in_figures_and_in_words_are_found() -> None:
    for text in ("All 3,882 patients were included.", "Thirty of these cells suffice.",
                 "a new five-year Trade Expansion Act", "Only half the work force is covered."):
        assert states_quantity({"text": text}), text


def test_a_passage_without_a_quantity_is_not_shown() -> None:
    assert not states_quantity({"text": "Peace is a process, not an event; someone said so."})
    assert not states_quantity({"text": "Often the tenth-hour talks were fruitless."})
